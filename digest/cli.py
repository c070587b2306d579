"""The command line: parse flags, call the pipeline, turn DigestErrors into messages and codes.

Exit codes: 0 success, 1 a DigestError (bad input, failed build, --strict warnings), 2 misuse.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

# Before anything loads numpy: its BLAS would run each of the grouping's small matrix products
# on a thread per core, which on two cores spin against each other and against the build's
# own processes (the seed's grouping: 0.5 s, against 0.2 s on one thread; at 10,000 papers one
# thread is 14% slower). A user's own setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from digest import __version__, mail  # noqa: E402
from digest.config import Config, load_config  # noqa: E402
from digest.diagnostics import plural  # noqa: E402
from digest.errors import DigestError  # noqa: E402
from digest.fetch import command as fetch_command  # noqa: E402

CONFIG_FILE = "digest.toml"


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        return f"{record.levelname}: {message}" if record.levelno >= logging.WARNING else message


@contextmanager
def _logging(verbosity: int) -> Iterator[None]:
    """Print digest's log on stderr for one command, then restore the logger as it was."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logger = logging.getLogger("digest")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    logger.handlers[:] = [handler]
    logger.setLevel(
        logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    )
    logger.propagate = False
    # MkDocs' warnings (a broken link, a missing anchor) say why a strict build was aborted;
    # in strict mode MkDocs only counts them, so nothing else would print them.
    mkdocs = logging.getLogger("mkdocs")
    shown = logging.StreamHandler(sys.stderr)
    shown.setFormatter(_Formatter())
    shown.setLevel(logging.WARNING if verbosity >= 0 else logging.ERROR)
    mkdocs.addHandler(shown)
    try:
        yield
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved
        mkdocs.removeHandler(shown)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Turn research paper listings into a themed static site with feeds.",
    )
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    parser.add_argument(
        "-q", "--quiet", action="count", default=0, help="print only warnings and errors"
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="print debugging details"
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"digest settings (TOML; default: ./{CONFIG_FILE} if present)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_build(commands)
    serve = commands.add_parser(
        "serve", help="serve the built site locally", description="Serve the built site over HTTP."
    )
    serve.add_argument(
        "--site-dir", metavar="DIR", help="the site to serve (default: mkdocs.yml's site_dir)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument(
        "--bind", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    fetch_command.add_parser(commands)
    mail.add_parser(commands)
    return parser


def _add_build(commands: Any) -> None:
    build = commands.add_parser(
        "build",
        help="build the site, feed and export from paper listings",
        description="Read paper listings into the state, extract keywords, group papers into "
        "themes and build the site and feeds. With no INPUT: the config's inputs, else the "
        "fetch inbox, else the bundled example page.",
    )
    build.add_argument(
        "inputs", nargs="*", metavar="INPUT", type=Path, help="listing files to read"
    )
    build.add_argument(
        "--site-dir", metavar="DIR", help="publish the site here (default: mkdocs.yml's site_dir)"
    )
    build.add_argument(
        "--format",
        metavar="NAME",
        help="input format of every INPUT: trending, arxiv-atom, arxiv-rss, hf-daily, kaggle or "
        "json (default: detect)",
    )
    build.add_argument("--strict", action="store_true", default=None, help="fail on any warning")
    build.add_argument(
        "--mkdocs-config", metavar="FILE", help="MkDocs config (default: mkdocs.yml)"
    )
    build.add_argument(
        "--state", metavar="DIR", help="the folder of what digest keeps (default: state)"
    )
    build.add_argument(
        "--cache",
        metavar="DIR",
        help="the folder of what digest can rebuild (default: .digest-cache)",
    )
    build.add_argument(
        "--new-state",
        action="store_true",
        default=None,
        help="start a new state folder even though a site was built before",
    )
    build.add_argument(
        "--store",
        metavar="FILE",
        help="an SQLite store of digest 0.1 to start the state folder from "
        "(default: digest.sqlite, if there)",
    )
    build.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="build as of this date: new papers are first seen then (for backfills)",
    )
    build.add_argument(
        "--interests",
        metavar="FILE",
        help="papers you like (arXiv ids or URLs a line, a BibTeX export, or a JSON list): "
        "ranks the latest issue for you on a For you page, feed and email section",
    )
    build.add_argument(
        "--executor",
        metavar="dask://HOST:PORT",
        help="extract keywords on this Dask cluster (default: local processes)",
    )


def _config(args: argparse.Namespace) -> Config:
    path = Path(args.config) if args.config else Path(CONFIG_FILE)
    overrides = {
        "site_dir": getattr(args, "site_dir", None),
        "format": getattr(args, "format", None),
        "strict": getattr(args, "strict", None),
        "mkdocs_config": getattr(args, "mkdocs_config", None),
        "state": getattr(args, "state", None),
        "cache": getattr(args, "cache", None),
        "store": getattr(args, "store", None),
        "new_state": getattr(args, "new_state", None),
        "executor": getattr(args, "executor", None),
        "date": getattr(args, "date", None),
        "interests": getattr(args, "interests", None),
    }
    return load_config(path if (args.config or path.is_file()) else None, overrides)


def _build(args: argparse.Namespace) -> int:
    from digest.build import build

    result = build(_config(args), args.inputs)
    site = result.site_dir
    try:
        shown = site.relative_to(Path.cwd())
    except ValueError:
        shown = site
    # Pages link to folders (use_directory_urls), which only a web server turns into pages.
    serve = "digest serve" if args.site_dir is None else f"digest serve --site-dir {site}"
    themes = plural(result.themes, "theme")
    if result.digest is None:
        summary = (
            f"Nothing changed since the last build: {shown}/ still holds "
            f"{plural(result.papers, 'paper')} in {themes}."
        )
    else:
        summary = (
            f"Built {plural(result.papers, 'paper')} ({result.new} new, {result.changed} "
            f"updated) in {themes} into {shown}/ ({plural(result.warnings, 'warning')})."
        )
    path = urlsplit(result.site_url).path or "/"
    _say(args, f"{summary}\nView it with: {serve}  (http://127.0.0.1:8000{path})")
    return 0


def _say(args: argparse.Namespace, message: str) -> None:
    """Print a command's summary, unless --quiet asked for warnings and errors only."""
    if args.quiet <= 0:
        print(message)


def _serve(args: argparse.Namespace) -> int:
    from digest.site import read_settings
    from digest.site.serve import serve

    config = _config(args)
    settings = read_settings(config.mkdocs_config, config.site_dir)
    serve(settings.site_dir, args.bind, args.port, urlsplit(settings.site_url).path)
    return 0


def _fetch(args: argparse.Namespace) -> int:
    return fetch_command.run(args, _config(args))


def _email(args: argparse.Namespace) -> int:
    return mail.run(args, _config(args))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    handlers = {"build": _build, "serve": _serve, "fetch": _fetch, "email": _email}
    if args.command is None:
        parser.print_help()
        return 2
    try:
        with _logging(args.verbose - args.quiet):
            return handlers[args.command](args)
    except DigestError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # A second Ctrl-C while this prints would end in a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("Interrupted: the site and the state are as they were.", file=sys.stderr)
        return 130


def run() -> NoReturn:
    """The ``digest`` script and ``python -m digest``: :func:`main`, then leave at once.

    Tearing the interpreter down (freeing every object of a large digest, MkDocs' pages,
    module state) took 0.3 s of a 3 s build of the bundled example, and grows with the site.
    Everything is written and closed by the time :func:`main` returns, so the process ends
    without it. (An unexpected exception still unwinds normally, with its traceback.)
    """
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

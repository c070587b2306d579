"""``digest fetch``: download new papers into the inbox that ``digest build`` reads.

Sources come from the flags, or, when no source flag is given, from the ``[fetch]`` section of
``digest.toml``, so a scheduled job can run ``digest fetch && digest build`` (build reads the
inbox). Every answer is fetched and checked first; only when all sources answered usefully
is anything written, so a failed run exits 1 and leaves the inbox exactly as it was.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from digest.config import Config, FetchConfig, load_config
from digest.config.sections import CATEGORY, MAX_RESULTS
from digest.errors import ConfigError, FetchError
from digest.fetch import arxiv, hf
from digest.fetch.http import Clock, HttpClient, HttpPolicy, SystemClock
from digest.fetch.inbox import (
    Answer,
    Inbox,
    InboxFile,
    api_name,
    api_prefix,
    hf_name,
    rss_name,
)

#: Source flags; giving any of them replaces the sources declared in digest.toml.
_SOURCE_FLAGS = ("arxiv_query", "arxiv_category", "arxiv_rss", "hf", "hf_date")

EPILOG = """\
examples:
  digest fetch --arxiv-category cs.LG --arxiv-category cs.AI --max-results 200
  digest fetch --arxiv-query 'all:transformer' --arxiv-category cs.LG
  digest fetch --arxiv-rss cs.LG --arxiv-rss cs.CL
  digest fetch --hf-date 2026-06-10
  digest fetch && digest build              (sources from digest.toml's [fetch] section)
"""


def add_parser(subparsers: Any) -> None:
    """Add the ``fetch`` subcommand to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "fetch",
        help="download new papers from arXiv and Hugging Face into the inbox",
        description="Download papers from arXiv (API search or daily RSS listings) and Hugging\n"
        "Face daily papers into the inbox folder, one file per answer, for digest build.\n"
        "Source flags replace the sources of the [fetch] section of digest.toml.\n"
        "If any source fails, nothing is written and the exit code is 1.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--arxiv-query",
        action="append",
        metavar="Q",
        help="arXiv API search query, e.g. 'all:transformer' (repeatable)",
    )
    parser.add_argument(
        "--arxiv-category",
        action="append",
        metavar="CAT",
        type=_category,
        help="arXiv category, e.g. cs.LG (repeatable): alone, fetches 'cat:A OR cat:B'; "
        "with --arxiv-query, narrows each query to these categories",
    )
    parser.add_argument(
        "--arxiv-rss",
        action="append",
        metavar="CAT",
        type=_category,
        help="fetch today's arXiv RSS listing of this category (repeatable)",
    )
    day = parser.add_mutually_exclusive_group()
    day.add_argument(
        "--hf-date",
        metavar="YYYY-MM-DD",
        type=_day,
        help="fetch Hugging Face daily papers of this day and the day before",
    )
    day.add_argument(
        "--hf",
        action="store_true",
        default=None,
        help="fetch Hugging Face daily papers of today (SOURCE_DATE_EPOCH or the clock) and "
        "the day before",
    )
    parser.add_argument(
        "--max-results",
        metavar="N",
        type=_max_results,
        help=f"most papers per arXiv API query (default: {FetchConfig().max_results})",
    )
    parser.add_argument(
        "--inbox", metavar="DIR", help=f"folder to keep answers in (default: {FetchConfig().inbox})"
    )


@dataclass(frozen=True)
class Plan:
    """What one run fetches."""

    queries: tuple[str, ...] = ()
    rss: tuple[str, ...] = ()
    hf_day: date | None = None

    def empty(self) -> bool:
        return not (self.queries or self.rss or self.hf_day)


@dataclass
class _Gathered:
    files: list[InboxFile] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)


def run(args: argparse.Namespace, config: Config | None = None, clock: Clock | None = None) -> int:
    """Fetch what the flags or ``config`` ask for into the inbox; raise DigestError on failure."""
    clock = clock or SystemClock()
    settings = _settings(config or _load(args), args)
    today = _today(clock)
    plan = make_plan(settings, args, today)
    if plan.empty():
        raise FetchError(
            "Nothing to fetch: give --arxiv-query, --arxiv-category, --arxiv-rss, --hf or "
            "--hf-date, or declare sources in the [fetch] section of digest.toml"
        )
    inbox = Inbox(Path(settings.inbox))
    inbox.check()
    policy = HttpPolicy(
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        tries=settings.tries,
    )
    gathered = gather(HttpClient(clock, policy), settings, plan, inbox, today)
    report = inbox.save(gathered.files, gathered.remove)
    print(
        f"Fetched {len(gathered.keys)} distinct papers into {inbox.path}/: "
        f"{len(report.written)} file(s) written, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed.\n"
        f"Build the site from them with: digest build {inbox.path}/*"
    )
    return 0


def gather(
    client: HttpClient, settings: FetchConfig, plan: Plan, inbox: Inbox, today: date
) -> _Gathered:
    """Fetch and check every answer of ``plan``; write nothing."""
    out = _Gathered()
    for query in plan.queries:
        answers = arxiv.fetch_query(
            client,
            query,
            max_results=settings.max_results,
            page_size=min(settings.page_size, settings.max_results),
            base_url=settings.arxiv_api_url,
        )
        names = [api_name(query, today, number) for number in range(1, len(answers) + 1)]
        out.remove.extend(inbox.stale_pages(api_prefix(query, today), names))
        _add(out, names, answers)
    for category in plan.rss:
        answer = arxiv.fetch_rss(client, category, base_url=settings.arxiv_rss_url)
        _add(out, [rss_name(category, today)], [answer])
    if plan.hf_day is not None:
        for day in hf.days_to_fetch(plan.hf_day):
            answer = hf.fetch_day(client, day, base_url=settings.hf_url)
            name = hf_name(day)
            if hf.keep_fuller(answer, inbox.read(name), str(inbox.path / name)):
                _add(out, [name], [answer])
            else:
                out.keys.update(p.key for p in answer.papers)
    return out


def _add(out: _Gathered, names: list[str], answers: list[Answer]) -> None:
    for name, answer in zip(names, answers, strict=True):
        out.files.append(InboxFile(name, answer.body))
        out.keys.update(p.key for p in answer.papers)


def make_plan(settings: FetchConfig, args: argparse.Namespace, today: date) -> Plan:
    """Return the queries, listings and day to fetch, from the flags or else the config."""
    hf_day: date | None = getattr(args, "hf_date", None)
    if hf_day is None and settings.hf_daily:
        hf_day = today
    queries = [q.strip() for q in settings.arxiv_queries]
    categories = _unique(settings.arxiv_categories)
    if queries:
        searches = [arxiv.search_query(q, categories) for q in queries]
    else:
        searches = [arxiv.category_query(categories)] if categories else []
    return Plan(tuple(_unique(searches)), tuple(_unique(settings.rss_categories)), hf_day)


def _settings(config: Config, args: argparse.Namespace) -> FetchConfig:
    """Return the [fetch] settings with the flags applied; source flags replace all sources."""
    fetch = config.fetch
    if any(getattr(args, name, None) for name in _SOURCE_FLAGS):
        fetch = replace(
            fetch,
            arxiv_queries=list(args.arxiv_query or []),
            arxiv_categories=list(args.arxiv_category or []),
            rss_categories=list(args.arxiv_rss or []),
            hf_daily=bool(args.hf),
        )
    if getattr(args, "max_results", None) is not None:
        fetch = replace(fetch, max_results=args.max_results)
    if getattr(args, "inbox", None):
        fetch = replace(fetch, inbox=args.inbox)
    # Queries from flags are checked here; the file's were checked when it was loaded.
    empty = [q for q in fetch.arxiv_queries if not q.strip()]
    if empty:
        raise ConfigError("An arXiv query is empty: give --arxiv-query a search, e.g. 'all:llm'")
    return fetch


def _load(args: argparse.Namespace) -> Config:
    """Load the config as the CLI does: --config, else ./digest.toml if present."""
    given = getattr(args, "config", None)
    default = Path("digest.toml")
    return load_config(Path(given) if given else default if default.is_file() else None)


def _today(clock: Clock) -> date:
    """Return today's date in UTC: SOURCE_DATE_EPOCH if set (reproducible runs), else the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            return datetime.fromtimestamp(int(epoch), UTC).date()
        except ValueError:
            raise ConfigError(f"SOURCE_DATE_EPOCH must be whole seconds, got {epoch!r}") from None
    return datetime.fromtimestamp(clock.now(), UTC).date()


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _checked(check: Callable[[str], Any], expected: str) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return check(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None

    convert.__name__ = expected
    return convert


def _parse_category(text: str) -> str:
    if not CATEGORY.fullmatch(text):
        raise ValueError(text)
    return text


def _parse_max_results(text: str) -> int:
    value = int(text)
    if not 0 < value <= MAX_RESULTS:
        raise ValueError(text)
    return value


_category = _checked(_parse_category, "an arXiv category like cs.LG")
_day = _checked(date.fromisoformat, "a date YYYY-MM-DD")
_max_results = _checked(_parse_max_results, f"a number from 1 to {MAX_RESULTS}")

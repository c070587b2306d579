"""``digest build``: read -> keep -> gather (keywords, themes) -> write -> render -> publish.

Everything is gathered into one immutable :class:`~digest.model.Digest` before anything is
written; a failure at any stage leaves the published site and the kept state as they were.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest import __version__
from digest.config import Config
from digest.diagnostics import check_strict, counting_warnings, log
from digest.errors import BuildError, ConfigError
from digest.executors import keyword_executor
from digest.fetch.inbox import Inbox
from digest.model import Digest
from digest.site import SiteSettings, built_from, read_settings, warn_placeholder_url
from digest.sources import bundled_example, read_inputs
from digest.sources.interests import read_interests
from digest.state import Cache, State, convert_store, open_state
from digest.state.kept import VERSION_FILE
from digest.writers.export import EXPORT_PATH
from digest.writers.templates import templates_dir

if TYPE_CHECKING:
    from digest.gather import Gathered

#: The store of digest 0.1, converted into the state folder when found (see kept_state).
LEGACY_STORE = "digest.sqlite"
#: Settings that do not change what a build writes, left out of its fingerprint.
_NOT_OUTPUT: dict[str, Any] = {
    "inputs": [],
    "format": "",
    "date": "",
    "strict": False,
    "store": "",
    "state": "",
    "cache": "",
    "new_state": False,
    "executor": "",
    "mkdocs_config": "",
    "site_dir": "",
    "templates_dir": "",
    # Its content is hashed instead (a moved file changes nothing).
    "interests": "",
}


@dataclass(frozen=True)
class BuildResult:
    """What a build produced, for the CLI's summary.

    ``digest`` is None when nothing changed since the published build and the build stopped
    early (see :func:`fingerprint`).
    """

    digest: Digest | None
    site_dir: Path
    warnings: int
    new: int
    changed: int
    papers: int
    themes: int
    #: Pages MkDocs rendered, and pages kept unchanged from the published site.
    rendered: int = 0
    kept: int = 0
    #: The address the site is published at (mkdocs.yml's site_url).
    site_url: str = ""


def build(
    config: Config, inputs: Sequence[Path] = (), executor: Executor | None = None
) -> BuildResult:
    """Read new papers into the state, then build and publish the whole site from it.

    ``executor`` runs keyword extraction (any ``concurrent.futures.Executor``); without one,
    ``config.executor`` names a Dask cluster, else a local process pool is used.
    """
    paths = input_paths(config, inputs)
    built = build_date(config)
    with counting_warnings() as counter:
        settings = read_settings(config.mkdocs_config, config.site_dir)
        warn_placeholder_url(settings)
        papers = read_inputs(paths, config.format or None)
        check_strict(config.strict, counter)
        with kept_state(config, settings) as state:
            changes = state.upsert(papers, built)
            stamp = fingerprint(config, settings, state)
            if _published(config, settings, stamp):
                log.debug("Nothing changed since the published build: the site is left as it is")
                return _unchanged(settings, counter.count, state)
            # Loaded here: a build with nothing new stops above (bench/versus.py, warm rebuild).
            from digest.gather import grouping_settings, placed_slugs
            from digest.publish.stage import publish

            cache = Cache(Path(config.cache))
            workers, address = config.keywords.workers, config.executor
            with keyword_executor(workers, address, executor) as pool:
                gathered = gather_state(config, settings, state, built, cache, pool)
            digest = gathered.digest
            state.keep_related(gathered.related.changed, built)
            placed = placed_slugs(gathered.grouping)
            if gathered.regrouped:
                day, count = built.date().isoformat(), len(digest.entries)
                state.regrouped(day, count, grouping_settings(config), digest.themes, placed)
            else:
                state.joined(digest.themes, placed)
            check_strict(config.strict, counter)
            report = publish(digest, config, settings, state, stamp, counter, cache)
    return BuildResult(
        digest,
        settings.site_dir,
        counter.count,
        len(changes.new),
        len(changes.changed),
        len(digest.entries),
        len(digest.themes),
        report.rendered,
        report.kept,
        settings.site_url,
    )


def _unchanged(settings: SiteSettings, warnings: int, state: State) -> BuildResult:
    """What a build that found nothing to change reports: the published site stands."""
    themes = len(state.grouping.themes) if state.grouping else 0
    return BuildResult(
        None,
        settings.site_dir,
        warnings,
        0,
        0,
        len(state.papers),
        themes,
        site_url=settings.site_url,
    )


def gather_state(
    config: Config,
    settings: SiteSettings,
    state: State,
    built: datetime,
    cache: Cache,
    pool: Executor | None,
    *,
    may_regroup: bool = True,
) -> Gathered:
    """Gather the digest of the kept state: its papers, grouping, related lists, and the
    reader's liked papers."""
    from digest.gather import gather  # Not at import: see build().

    return gather(
        *(config, settings.site_url, state.stored(), state.grouping, built, cache, pool),
        may_regroup=may_regroup,
        related=state.related,
        announced=state.announced,
        liked=liked_papers(config, state),
    )


def liked_papers(config: Config, state: State) -> tuple[str, ...]:
    """Return the keys of the stored papers the reader's interests file names (none without)."""
    if not config.interests:
        return ()
    papers = {key: stored.paper for key, stored in state.papers.items()}
    return read_interests(Path(config.interests), papers).liked


def _published(config: Config, settings: SiteSettings, stamp: str) -> bool:
    """Is the published site exactly what a build would write now?"""
    site = settings.site_dir
    return not config.new_state and (site / EXPORT_PATH).is_file() and built_from(site) == stamp


def input_paths(config: Config, given: Sequence[Path]) -> list[Path]:
    """Choose what a build reads: the command line, the config, the fetch inbox, the example.

    With fetch sources configured, the inbox is the input even when it is empty (a day with
    nothing fetched rebuilds from the state); the bundled example is only for a digest that
    has neither inputs nor sources.
    """
    if given:
        return list(given)
    if config.inputs:
        return [Path(p) for p in config.inputs]
    fetch = config.fetch
    inbox = Inbox(Path(fetch.inbox)).files()
    has_sources = bool(
        fetch.arxiv_queries or fetch.arxiv_categories or fetch.rss_categories or fetch.hf_daily
    )
    if inbox or has_sources:
        return inbox
    return [bundled_example()]


def build_date(config: Config) -> datetime:
    """Date the build: ``--date``, else SOURCE_DATE_EPOCH, else today at 00:00 UTC.

    Never the time of day: two builds on one day write the same bytes. The date is when new
    papers count as first seen; feed dates come from those kept dates, not from the clock.
    """
    if config.date:
        try:
            day = date.fromisoformat(config.date)
        except ValueError:
            raise ConfigError(f"--date must be YYYY-MM-DD, got {config.date!r}") from None
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            raise ConfigError(f"SOURCE_DATE_EPOCH must be whole seconds, got {epoch!r}") from None
    today = datetime.now(UTC).date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


@contextmanager
def kept_state(config: Config, settings: SiteSettings) -> Iterator[State]:
    """Open the state folder, converting digest 0.1's store into it the first time.

    A missing state folder is a loud error once a site was built (a fresh start would
    announce every paper again), unless ``--new-state`` asks for one.
    """
    root = Path(config.state)
    store = Path(config.store or LEGACY_STORE)
    if not (root / VERSION_FILE).exists() and store.is_file():
        log.info("%s", convert_store(store, root))
    elif config.store:
        log.warning(
            "The state folder '%s' holds the papers: --store '%s' is not read (digest reads "
            "its store once, to start the state folder)",
            root,
            store,
        )
    create = config.new_state or not (settings.site_dir / EXPORT_PATH).exists()
    with open_state(root, create=create) as state:
        yield state


def fingerprint(config: Config, settings: SiteSettings, state: State) -> str:
    """Hash everything a build's output depends on, except the build date.

    The kept papers, digest's settings, mkdocs.yml, the templates and digest's own version: if
    none changed since the published build, building again would only rewrite the same files.
    (The kept themes are what builds made of these, so they need no hashing.)
    """
    h = hashlib.sha256(f"digest {__version__}\n".encode())
    # Only what changes the output: not where files are, how many workers, which flags.
    relevant = replace(config, keywords=replace(config.keywords, workers=0), **_NOT_OUTPUT)
    h.update(repr(relevant).encode())
    h.update(settings.config_file.read_bytes())
    h.update(settings.site_url.encode())
    root = templates_dir(config.templates_dir)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    h.update(state.papers_hash().encode())
    if config.interests:
        path = Path(config.interests)
        h.update(b"interests\0" + (path.read_bytes() if path.is_file() else b"-"))
    return h.hexdigest()


def current_digest(config: Config) -> Digest:
    """Gather the digest the last build published, from the state, writing nothing.

    For outputs made after a build, such as the email digest: the same gather as
    :func:`build`, with the published themes, so links point at the published pages.
    """
    settings = read_settings(config.mkdocs_config, config.site_dir)
    root = Path(config.state)
    if not (root / VERSION_FILE).is_file():
        raise BuildError(f"There is no state folder '{root}': build the digest first")
    with (
        open_state(root, create=False) as state,
        keyword_executor(config.keywords.workers, config.executor) as pool,
    ):
        built = build_date(config)
        cache = Cache(Path(config.cache))
        gathered = gather_state(config, settings, state, built, cache, pool, may_regroup=False)
        return gathered.digest

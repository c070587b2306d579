"""The build, stage by stage: read -> keywords -> themes -> Digest -> write -> render -> publish.

Everything is gathered into one immutable :class:`Digest` before anything is written; a failure
at any stage leaves the published site and docs exactly as they were.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from digest import __version__, atomic
from digest.cleaning import clean_for_keywords
from digest.config import Config
from digest.diagnostics import WarningCounter, counting_warnings, log
from digest.errors import BuildError, ConfigError, SourceError, StrictError
from digest.fetch.inbox import Inbox
from digest.keywords import (
    KeywordCache,
    extract_raw,
    finish,
    keyword_text,
    preload,
    settings_hash,
)
from digest.model import Digest, Entry, Issue, Keyword, KeywordSlug, Paper, Theme
from digest.normalise import corpus_generic_words
from digest.slugs import SlugRegistry
from digest.sources import read_inputs
from digest.store import Carried, Store, StoredPaper, open_store
from digest.text import fold
from digest.workers import LazyProcessPool

# Imported where needed: MkDocs (digest.site, 0.1 s) after a first build's keyword workers
# have started, numpy once grouping needs it (see build).
if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from digest.site import RenderReport, SiteSettings
    from digest.vectors import Space

EXPORT_PATH = "digest.json"
#: Modules only needed once keywords are known: imported while the workers run YAKE, so a
#: cold build spends the wait on them rather than on nothing (bench/build_vs_parts.py).
_LATER_STAGES = (
    "digest.themes",
    "digest.rising",
    "digest.writers.pages",
    "digest.writers.feeds",
    "digest.writers.export",
    "digest.publish",
    "digest.forked",
    "mkdocs.commands.build",
)
#: Store metadata key of the fingerprint of the last published build.
_PUBLISHED = "published_fingerprint"
#: Store metadata key: the papers and grouping settings of the last regrouping from scratch.
_GROUPED = "grouped"
#: Store metadata key: the published keywords' surface forms, kept between regroupings.
_FORMS = "keyword_forms"
#: The corpus's generic words (digest.normalise) at the last regrouping, kept until the next.
_GENERIC = "generic_words"
#: The grouping's vector space (a blob) and its themes' centres in it, as of the last grouping.
_SPACE = "space"
_CENTRES = "theme_centres"


def bundled_example() -> Path:
    """Return the bundled example input: a real "trending papers" page dump."""
    return Path(str(files("digest") / "examples" / "trending-papers.txt"))


def templates_dir(config: Config) -> Path:
    """Return the page templates: the configured folder, ./site_templates, or the bundled."""
    if config.templates_dir:
        return Path(config.templates_dir)
    here = Path(__file__).parent
    for candidate in (
        Path("site_templates"),
        here / "bundle" / "site_templates",
        here.parent / "site_templates",
    ):
        if (candidate / "theme.md.j2").is_file():
            return candidate
    raise BuildError("No page templates found: reinstall digest or set templates_dir")


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


def input_paths(config: Config, given: Sequence[Path]) -> list[Path]:
    """Choose what a build reads: the command line, the config, the fetch inbox, the example.

    With fetch sources configured, the inbox is the input even when it is empty (a day with
    nothing fetched rebuilds from the store); the bundled example is only for a digest that
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
    papers count as first seen; feed dates come from those stored dates, not from the clock.
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


@dataclass(frozen=True)
class Published:
    """What the last build published and the next one keeps between regroupings.

    ``themes`` and ``forms`` (keyword surface forms) keep slugs and texts stable; ``generic``
    are the corpus's generic words and ``space``/``centres`` the vector space and theme
    centres as of the last grouping; ``entries`` each published paper's keywords and themes.
    """

    themes: tuple[Theme, ...] = ()
    forms: Mapping[str, str] = field(default_factory=dict)
    generic: frozenset[str] | None = None
    entries: Mapping[str, Carried] = field(default_factory=dict)
    space: Space | None = None
    centres: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)


@dataclass(frozen=True)
class Gathered:
    """A gathered digest, and what of it the next build keeps (see :class:`Published`)."""

    digest: Digest
    generic: frozenset[str]
    space: Space | None
    centres: Mapping[str, NDArray[np.float64]]


def gather(
    config: Config,
    site_url: str,
    stored: Sequence[StoredPaper],
    built: datetime,
    executor: Executor | None = None,
    cache: KeywordCache | None = None,
    published: Published | None = None,
    regroup: bool = True,
    changed: frozenset[str] = frozenset(),
) -> Gathered:
    """Extract keywords and group every stored paper into the complete Digest.

    ``regroup`` False keeps the ``published`` themes' papers where they are (see
    :func:`digest.themes.group`), the keyword surface forms as they read and the corpus's
    generic words as they were (recorded at the last regrouping). When the published entries
    and vector space are at hand (and no theme is pinned), only the papers without a published
    entry, or ``changed`` since, are extracted and placed (:func:`digest.themes.join`): a
    daily build's keywords and themes cost what its new papers cost.
    """
    published = published or Published()
    grouping = None
    members = {key for theme in published.themes for key in theme.paper_keys}
    space = published.space if members <= published.entries.keys() else None
    if not regroup and space is not None and not config.themes.pinned:
        todo = [
            s.paper
            for s in stored
            if s.paper.key not in published.entries or s.paper.key in changed
        ]
        fresh = _keywords(config, todo, executor, cache, published, regroup)[0]
        from digest.themes import join  # Loaded while YAKE ran (_LATER_STAGES), not before.

        keywords_of = {k: kws for k, (kws, _) in published.entries.items()}
        keywords_of.update((p.key, kws) for p, kws in zip(todo, fresh, strict=True))
        generic = published.generic or frozenset()
        new = [(p, keywords_of[p.key]) for p in todo if p.key not in published.entries]
        redone = [(p, keywords_of[p.key]) for p in todo if p.key in published.entries]
        carried = {k: placements for k, (_, placements) in published.entries.items()}
        grouping = join(
            new,
            redone,
            published.themes,
            carried,
            space,
            published.centres,
            config.keywords.language,
        )
        if grouping is not None:
            log.debug("%d papers placed in the published themes, %d kept", len(todo), len(carried))
            papers = [s.paper for s in stored]
            keywords = [keywords_of[p.key] for p in papers]
    if grouping is None:
        papers = [s.paper for s in stored]
        keywords, generic = _keywords(config, papers, executor, cache, published, regroup)
        from digest.themes import group

        grouping = group(
            papers,
            keywords,
            config.themes,
            config.keywords.language,
            published.themes,
            regroup,
        )
    from digest.rising import rising_topics

    for paper, kws in zip(papers, keywords, strict=True):
        if not kws:
            log.info("No keywords for '%s': its abstract has no usable words", paper.title[:60])
    # Every title and abstract is cleaned by now: free the cache (~100 MB at 20,000 papers)
    # before pages and MkDocs, the peak of a build's memory.
    clean_for_keywords.cache_clear()
    fold.cache_clear()
    entries = tuple(
        Entry(s.paper, kws, grouping.placements[s.paper.key], s.first_seen.astimezone(UTC))
        for s, kws in zip(stored, keywords, strict=True)
    )
    digest = Digest(
        title=config.title,
        description=config.description,
        site_url=site_url if site_url.endswith("/") else site_url + "/",
        built=built,
        entries=entries,
        themes=grouping.themes,
        keyword_index=keyword_index(papers, keywords),
        issues=issues(entries),
        # Anchored on the latest issue, not the build date: a rebuild with nothing new on a
        # later day finds the same rising topics (and writes the same rising feed).
        rising=rising_topics(entries, max(e.listed for e in entries), config.rising),
    )
    return Gathered(digest, generic, grouping.space, grouping.centres)


def _keywords(
    config: Config,
    papers: Sequence[Paper],
    executor: Executor | None,
    cache: KeywordCache | None,
    published: Published,
    regroup: bool,
) -> tuple[list[tuple[Keyword, ...]], frozenset[str]]:
    """Return ``papers``' keywords and the generic words they were tidied with."""
    texts = [keyword_text(p) for p in papers]
    kept = None if regroup else published.generic
    counted: list[frozenset[str]] = []

    def meanwhile() -> None:
        """What needs no keywords, done while the workers run YAKE."""
        _import_later_stages()
        if kept is None:
            counted.append(corpus_generic_words(texts))

    raw = extract_raw(papers, config.keywords, executor, cache, meanwhile)
    generic = counted[0] if counted else kept or frozenset()
    forms = None if regroup else published.forms
    return finish(raw, texts, config.keywords, generic, forms), generic


def _import_later_stages() -> None:
    for name in _LATER_STAGES:
        importlib.import_module(name)


def issues(entries: Sequence[Entry]) -> tuple[Issue, ...]:
    """Return one issue per first-seen date, newest first, papers in input order."""
    by_day: dict[date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(entry.listed.date(), []).append(entry)
    return tuple(
        Issue(day, tuple(e.paper.key for e in sorted(found, key=lambda e: e.paper.order)))
        for day, found in sorted(by_day.items(), reverse=True)
    )


def keyword_index(
    papers: Sequence[Paper], keywords: Sequence[Sequence[Keyword]]
) -> tuple[KeywordSlug, ...]:
    """Return every keyword with a unique anchor and its papers, sorted for readers."""
    found: dict[str, tuple[str, list[str]]] = {}
    for paper, kws in zip(papers, keywords, strict=True):
        for kw in kws:
            found.setdefault(kw.key, (kw.text, []))[1].append(paper.key)
    slugs = SlugRegistry(frozenset())
    index = []
    for key in sorted(found, key=lambda k: (found[k][0].casefold(), k)):
        text, keys = found[key]
        index.append(KeywordSlug(key, text, "kw-" + slugs.claim(key), tuple(keys)))
    return tuple(index)


#: In the docs folder (MkDocs skips dot files): what each theme and issue page came from.
PAGE_INPUTS = ".digest-inputs.json"


#: Fewest papers for which the site's own pages, feeds and export are written by a second
#: process (a fork costs about 10 ms; they take 0.1 s at 195 papers, over 1 s at 10,000).
MIN_FORKED_DOCS = 100


def write_docs(
    digest: Digest,
    config: Config,
    docs: Path,
    published: Path | None = None,
    fork: bool | None = None,
) -> int:
    """Write every generated file of the docs folder; return how many pages were reused.

    With ``published`` (the live docs folder), a theme or issue page written from the same
    inputs as its published copy is copied rather than rendered again. The site's own pages
    (the keyword index the largest), the feeds and the export are written by a forked process
    (``fork``: by default from :data:`MIN_FORKED_DOCS` papers on), which then takes its share
    of the pages of cards: both processes take the next page until none is left, so neither
    waits for the other (a first build of 10,000 papers renders 20,000 cards).
    """
    from digest.forked import share_out
    from digest.writers.export import export_json
    from digest.writers.feeds import feed_specs, render_feeds
    from digest.writers.pages import PageWriter, PreviousDocs

    feeds = feed_specs(digest, config.feed.items)
    previous = None
    if published is not None:
        try:
            recorded = json.loads((published / PAGE_INPUTS).read_bytes())
            if isinstance(recorded, dict):
                previous = PreviousDocs(published, {str(k): str(v) for k, v in recorded.items()})
        except (OSError, ValueError):
            previous = None
    writer = PageWriter(templates_dir(config), digest, feeds, previous)

    def save(relative: str, data: bytes) -> None:
        target = docs / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    pages = writer.paper_page_makers()

    def paper_page(number: int) -> tuple[str, str, bool]:
        """Write one page of cards; return its path, inputs and whether it was reused."""
        before = writer.reused
        relative, text = pages[number]()
        save(relative, text.encode("utf-8"))
        return relative, writer.inputs[relative], writer.reused > before

    def site_part() -> None:
        for relative, text in writer.site_pages():
            save(relative, text.encode("utf-8"))
        for relative, data in sorted(render_feeds(digest, config.feed.items).items()):
            save(relative, data)
        save(EXPORT_PATH, export_json(digest))

    if fork is None:
        fork = len(digest.entries) >= MIN_FORKED_DOCS
    # The child writes the site's own pages, feeds and export, then shares the pages of cards
    # with this process, which starts on them at once. (Nothing in the writers logs: a warning
    # there would reach the console from the child but not --strict's count.)
    done = share_out(len(pages), paper_page, site_part, fork=fork).values()
    inputs = {relative: key for relative, key, _ in done}
    inputs_json = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    save(PAGE_INPUTS, inputs_json.encode("utf-8"))
    return sum(reused for *_, reused in done)


def build(
    config: Config, inputs: Sequence[Path] = (), executor: Executor | None = None
) -> BuildResult:
    """Read new papers into the store, then build and publish the whole site from the store.

    Order of effects: the site is built and checked in a staging folder, then the store's
    transaction commits, then the site is swapped in, then the store marks it published. A
    crash before the commit changes nothing; a crash after it leaves the old site and no mark,
    so the next run rebuilds the site from the store.

    ``executor`` runs keyword extraction; any ``concurrent.futures.Executor`` works (a Dask
    cluster's, for a large backfill). Without one, a process pool sized by
    ``keywords.workers`` is used.
    """
    paths = input_paths(config, inputs)
    built = build_date(config)
    store_path = Path(config.store)
    with counting_warnings() as counter, _default_executor(config, executor) as pool:
        if isinstance(pool, LazyProcessPool) and not store_path.exists():
            # A first build: no keywords are cached yet, so every paper goes to YAKE. The
            # workers start now and import yake while this process reads MkDocs' settings and
            # the inputs and fills the store (bench/build_vs_parts.py).
            pool.start()
        from digest.site import read_settings

        settings = read_settings(config.mkdocs_config, config.site_dir)
        papers = read_inputs(paths, config.format or None)
        _check_strict(config, counter)
        create = config.new_store or not (settings.site_dir / EXPORT_PATH).exists()
        with open_store(store_path, create=create) as store:
            changes = store.upsert(papers, built)
            stamp = fingerprint(config, settings, store)
            if _unchanged(config, settings, store, stamp):
                log.debug("Nothing changed since the published build: the site is left as it is")
                count, themes = store.count(), len(store.themes())
                return BuildResult(None, settings.site_dir, counter.count, 0, 0, count, themes)
            stored = store.papers()
            if not stored:
                raise SourceError("The inputs hold no papers: nothing to build (site unchanged)")
            published = _published(store)
            regroup = regroup_due(config, store, len(stored), published.themes)
            gathered = gather(
                config,
                settings.site_url,
                stored,
                built,
                pool,
                store,
                published,
                regroup,
                frozenset(changes.changed),
            )
            digest = gathered.digest
            if pool is not None and pool is not executor:
                # Keywords are done: free the workers' memory before MkDocs, the build's peak
                # (and fork no idle executor's threads when rendering on two cores).
                pool.shutdown()
            if regroup:
                store.set_meta(_GROUPED, _grouping_record(config, len(stored)))
            _keep(store, published, gathered)
            _check_strict(config, counter)
            report = _publish(digest, config, settings, counter, store, stamp)
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
    )


def _publish(
    digest: Digest,
    config: Config,
    settings: SiteSettings,
    counter: WarningCounter,
    store: Store,
    stamp: str,
) -> RenderReport:
    """Build the docs and site in staging folders, check them, commit the store, swap them in.

    Each staging folder sits beside the folder it replaces, so the swap is a rename within one
    file system even when the site is published on another one (``--site-dir /var/www/...``).
    """
    from digest import publish
    from digest.site import render as site_render

    atomic.remove_stale_staging(settings.docs_dir)
    atomic.remove_stale_staging(settings.site_dir)
    stages: list[Path] = []
    committed = False
    try:
        stages.append(atomic.staging_dir(settings.docs_dir))
        stages.append(atomic.staging_dir(settings.site_dir))
        docs, site = stages[0] / "docs", stages[1] / "site"
        reused = write_docs(digest, config, docs, None if config.new_store else settings.docs_dir)
        log.debug("Reused %d theme and issue pages written from the same inputs", reused)
        published = None if config.new_store else settings.site_dir

        def check_feeds_and_counts() -> None:
            publish.verify(
                site,
                digest,
                settings.site_dir,
                config.publish,
                config.feed.items,
                new_store=config.new_store,
            )

        epoch = int(digest.built.timestamp())
        # The feeds and export are in the site before its last pages: check them meanwhile.
        report = site_render(
            settings, docs, site, epoch, published, meanwhile=check_feeds_and_counts
        )
        log.info("Rendered %d pages, kept %d unchanged", report.rendered, report.kept)
        _verify(site)
        _check_strict(config, counter)
        store.save_themes(digest.themes)
        store.commit()
        committed = True
        atomic.swap_in(docs, settings.docs_dir)
        atomic.swap_in(site, settings.site_dir)
        # Marked published only once the site is in place: after a crash before this line the
        # old mark no longer matches, and the next run rebuilds instead of "nothing changed".
        # (The commit above ended the transaction, so this statement commits on its own.)
        store.set_meta(_PUBLISHED, stamp)
        return report
    except OSError as exc:
        raise BuildError(_write_failure(exc, settings.site_dir, committed=committed)) from exc
    finally:
        for stage in stages:
            shutil.rmtree(stage, ignore_errors=True)


def _write_failure(exc: OSError, site_dir: Path, *, committed: bool) -> str:
    """Say which write failed, why (disk full, read-only...) and what is left as it was."""
    problem = exc.strerror or str(exc)
    where = exc.filename2 or exc.filename  # a copy's or rename's target, else the file
    if where:
        problem += f" ('{where}')"
    if not committed:
        return f"Cannot write the new site: {problem}; the published site is unchanged"
    return (
        f"Cannot publish the new site into '{site_dir}': {problem}; the store keeps the new "
        "papers, and the next build publishes them"
    )


def regroup_due(config: Config, store: Store, papers: int, previous: Sequence[Theme]) -> bool:
    """Should this build group the papers from scratch rather than add to the published themes?

    Yes without published themes, after a change of the grouping settings or of digest, and
    once the papers grew by ``themes.regroup_growth`` since the last regrouping: new papers
    joining the nearest theme day after day would otherwise drift from what grouping them all
    would give. In between, no published paper changes theme, so the pages that list older
    papers stay as they are and a daily build re-renders only what is new.
    """
    if not previous:
        return True
    try:
        last = json.loads(store.get_meta(_GROUPED) or "")
        settings, grouped = str(last["settings"]), int(last["papers"])
    except (ValueError, KeyError, TypeError):
        return True
    if settings != _grouping_settings(config):
        return True
    return papers > grouped * (1 + config.themes.regroup_growth)


def _published(store: Store) -> Published:
    """Read what the last build published and the next keeps (see :class:`Published`).

    Anything missing or unreadable is left out, and the build computes it again.
    """
    try:
        forms = json.loads(store.get_meta(_FORMS) or "{}")
        words = json.loads(store.get_meta(_GENERIC) or "null")
        centres = json.loads(store.get_meta(_CENTRES) or "{}")
    except ValueError:
        forms, words, centres = {}, None, {}
    generic = frozenset(str(w) for w in words) if isinstance(words, list) else None
    space_data = store.get_blob(_SPACE)
    space = None
    centre_of: dict[str, NDArray[np.float64]] = {}
    if space_data and isinstance(centres, dict) and generic is not None:
        import numpy as np

        from digest.vectors import Space

        try:
            space = Space.from_bytes(space_data)
        except ValueError:
            space = None
        else:
            dims = space.components.shape[1]
            centre_of = {
                str(slug): np.array(vector, dtype=np.float64)
                for slug, vector in centres.items()
                if isinstance(vector, list) and len(vector) == dims
            }
    return Published(
        themes=tuple(store.themes()),
        forms={str(k): str(v) for k, v in forms.items()} if isinstance(forms, dict) else {},
        generic=generic,
        entries=store.entries() if space is not None else {},
        space=space,
        centres=centre_of,
    )


def _keep(store: Store, published: Published, gathered: Gathered) -> None:
    """Record what the next build keeps of this one (see :class:`Published`)."""
    digest = gathered.digest
    forms = {k.key: k.text for k in digest.keyword_index}
    if forms != published.forms:
        store.set_meta(_FORMS, json.dumps(forms, sort_keys=True))
    store.set_meta(_GENERIC, json.dumps(sorted(gathered.generic)))
    if gathered.space is not None and gathered.space is not published.space:
        store.set_blob(_SPACE, gathered.space.to_bytes())
        centres = {slug: [round(float(x), 7) for x in v] for slug, v in gathered.centres.items()}
        store.set_meta(_CENTRES, json.dumps(centres, sort_keys=True))
    elif gathered.space is None:
        store.set_meta(_CENTRES, "{}")
    store.save_entries((e.paper.key, (e.keywords, e.themes)) for e in digest.entries)


def _grouping_settings(config: Config) -> str:
    """Hash what published papers' keywords and themes were made with: a change regroups."""
    themes = replace(config.themes, regroup_growth=0.0)
    # Every keyword setting (tidying's ``keep`` and ``max_chars`` too), not the worker count.
    keywords = replace(config.keywords, workers=0)
    relevant = (__version__, settings_hash(config.keywords), keywords, themes)
    return hashlib.sha256(repr(relevant).encode()).hexdigest()[:16]


def _grouping_record(config: Config, papers: int) -> str:
    return json.dumps({"papers": papers, "settings": _grouping_settings(config)}, sort_keys=True)


def fingerprint(config: Config, settings: SiteSettings, store: Store) -> str:
    """Hash everything a build's output depends on, except the build date.

    The stored papers (with first-seen dates and versions), digest's settings, mkdocs.yml, the
    templates and digest's own version: if none changed since the published build, building
    again would only rewrite the same files.
    """
    h = hashlib.sha256()
    h.update(f"digest {__version__}\n".encode())
    relevant = replace(config, inputs=[], format="", date="", strict=False, new_store=False)
    h.update(repr(relevant).encode())
    h.update(settings.config_file.read_bytes())
    h.update(settings.site_url.encode())
    root = templates_dir(config)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    h.update(store.content_hash().encode())
    return h.hexdigest()


def _unchanged(config: Config, settings: SiteSettings, store: Store, stamp: str) -> bool:
    """Is the published site exactly what a build would write now?"""
    if config.new_store or not (settings.site_dir / EXPORT_PATH).is_file():
        return False
    return store.get_meta(_PUBLISHED) == stamp


def current_digest(config: Config) -> Digest:
    """Gather the digest the last build published from the store, writing nothing.

    For outputs made after a build, such as the email digest: the same gather as
    :func:`build`, on the stored papers, with the stored themes as the basis of the slugs, so
    links point at the published pages. The store is read and never committed; published
    papers' keywords and themes are the entries the build carried forward in it.
    """
    from digest.site import read_settings

    settings = read_settings(config.mkdocs_config, config.site_dir)
    store_path = Path(config.store)
    if not store_path.is_file():
        raise BuildError(f"There is no store '{store_path}': build the digest first")
    with (
        _default_executor(config, None) as pool,
        open_store(store_path, create=False) as store,
    ):
        stored = store.papers()
        if not stored:
            raise BuildError(f"The store '{store_path}' holds no papers: build the digest first")
        # The published themes and entries hold every stored paper: keeping them gives the
        # published digest.
        gathered = gather(
            config,
            settings.site_url,
            stored,
            build_date(config),
            pool,
            store,
            _published(store),
            False,
        )
        return gathered.digest


@contextmanager
def _default_executor(config: Config, given: Executor | None) -> Iterator[Executor | None]:
    """Yield ``given``, or a lazily started process pool when more than one CPU helps."""
    workers = config.keywords.workers or os.cpu_count() or 1
    if given is not None or workers <= 1:
        yield given
        return
    with LazyProcessPool(workers, preload) as pool:
        yield pool


def _check_strict(config: Config, counter: WarningCounter) -> None:
    if config.strict and counter.count:
        raise StrictError(
            f"{counter.count} warning(s) with --strict; the site is unchanged. First: "
            f"{counter.messages[0]}"
        )


def _verify(site: Path) -> None:
    """Refuse to publish a site that lacks its home page, feed or export."""
    from digest.writers.feeds import RSS_PATH

    for required in ("index.html", RSS_PATH, EXPORT_PATH):
        if not (site / required).is_file():
            raise BuildError(f"The built site lacks {required}; the previous site is kept")
    json.loads((site / EXPORT_PATH).read_bytes())

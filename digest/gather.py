"""Gather the whole digest in memory: keywords, themes, issues, rising topics.

Everything is gathered into one immutable :class:`~digest.model.Digest` before anything is
written. Its parts are pure functions of the kept state (papers, themes as published) and the
settings; the cache only saves time (tests/test_state.py builds with and without it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence, Set
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from digest import __version__
from digest.config import Config
from digest.diagnostics import log
from digest.errors import SourceError
from digest.model import Digest, Entry, Issue, Keyword, KeywordSlug, Paper, Recommendation, Theme
from digest.slugs import SlugRegistry
from digest.state import Cache, KeptGrouping, StoredPaper
from digest.text.keywords import extract, settings_hash, text_hash
from digest.themes import foryou
from digest.themes.grouping import Grouping, group, join, pinned_slugs, refit
from digest.themes.relating import Related, relate
from digest.themes.rising import rising_topics
from digest.themes.typical import issue_theme_headings
from digest.themes.vectors import Space

#: Papers a keyword must be on to be listed in the keyword index.
MIN_SHARED = 2
#: What a cached vector space and issue headings are, beyond digest's version: bumped when the
#: code that makes them changes what they hold (centres of plain LSA vectors since the grouping
#: on related papers' points, 3 since everyday words weigh less in its idf; headings since TeX
#: accents are letters), so no cache serves an entry the code no longer makes.
SPACE_FORMAT = 3
HEADINGS_FORMAT = 2


@dataclass(frozen=True)
class Gathered:
    """A gathered digest, and whether its themes were grouped afresh (a regrouping)."""

    digest: Digest
    grouping: Grouping
    regrouped: bool
    related: Related


def gather(
    config: Config,
    site_url: str,
    stored: Sequence[StoredPaper],
    kept: KeptGrouping | None,
    built: datetime,
    cache: Cache,
    executor: Executor | None = None,
    *,
    may_regroup: bool = True,
    related: Mapping[str, Sequence[str]] = MappingProxyType({}),
    announced: Mapping[str, Sequence[str]] = MappingProxyType({}),
    liked: Sequence[str] = (),
) -> Gathered:
    """Extract keywords, place every paper in a theme and assemble the Digest.

    Between regroupings (:func:`regroup_due`) published papers keep their themes and new ones
    join the nearest (:func:`digest.themes.grouping.join`); ``may_regroup`` False (for the
    email of a published build) never regroups. ``related`` are the kept related lists
    (:mod:`digest.themes.relating`), ``announced`` the first kept list of each paper whose
    list changed since, ``liked`` the keys of the papers the reader likes.
    """
    if not stored:
        raise SourceError("The inputs hold no papers: nothing to build (site unchanged)")
    papers = [s.paper for s in stored]
    keywords = _keywords(config, stored, executor, cache)
    grouping = None
    regroup = kept is None or (may_regroup and regroup_due(config, kept, len(papers)))
    if kept is not None and not regroup:
        grouping = _join(config, papers, keywords, kept, cache)
    if grouping is None:
        previous = kept.themes if kept else ()
        grouping = group(papers, keywords, config.themes, config.keywords.language, previous)
        regroup = True
        if grouping.space is not None:
            _keep_space(cache, _space_key(config, papers, placed_slugs(grouping)), grouping)
    batch = frozenset(papers_of_batch(kept, papers, regroup))
    found_related = relate(
        list(zip(papers, keywords, strict=True)),
        *(batch, related, cache, config.keywords.language, settings_hash(config.keywords)),
    )
    entries = _entries(stored, keywords, grouping, found_related, {**related, **announced})
    dated = issues(entries, grouping.themes, pinned_slugs(grouping.themes, config.themes), cache)
    digest = Digest(
        title=config.title,
        description=config.description,
        author=config.author or config.title,
        site_url=site_url if site_url.endswith("/") else site_url + "/",
        built=built,
        entries=entries,
        themes=grouping.themes,
        keyword_index=keyword_index(stored, keywords),
        issues=dated,
        # Anchored on the latest issue, not the build date: a rebuild with nothing new on a
        # later day finds the same rising topics (and writes the same rising feed).
        rising=rising_topics(entries, max(e.listed for e in entries), config.rising),
        for_you=for_you(found_related, liked, dated[0].paper_keys),
        liked=tuple(k for k in liked if k in found_related.lists),
    )
    return Gathered(digest, grouping, regroup, found_related)


def _keywords(
    config: Config, stored: Sequence[StoredPaper], executor: Executor | None, cache: Cache
) -> list[tuple[Keyword, ...]]:
    """Return every stored paper's keywords (extracting only those the cache lacks)."""
    papers = [s.paper for s in stored]
    keywords = extract(papers, config.keywords, executor, cache)
    for paper, chosen in zip(papers, keywords, strict=True):
        if not chosen:
            log.info("No keywords for '%s': its abstract has no usable words", paper.title[:60])
    return keywords


def _entries(
    stored: Sequence[StoredPaper],
    keywords: Sequence[tuple[Keyword, ...]],
    grouping: Grouping,
    related: Related,
    first: Mapping[str, Sequence[str]],
) -> tuple[Entry, ...]:
    """Every paper's entry; its list as announced is its first kept one, else this build's."""
    return tuple(
        Entry(
            s.paper,
            kws,
            grouping.placements[s.paper.key],
            s.first_seen.astimezone(UTC),
            lists := related.lists.get(s.paper.key, ()),
            tuple(first.get(s.paper.key, lists)),
        )
        for s, kws in zip(stored, keywords, strict=True)
    )


def papers_of_batch(kept: KeptGrouping | None, papers: Sequence[Paper], regroup: bool) -> set[str]:
    """Return the keys of the last regrouping's papers (all papers when this build regroups)."""
    if regroup or kept is None:
        return {p.key for p in papers}
    # The papers of the last regrouping: the first it placed (see KeptGrouping).
    return set(list(kept.placed)[: kept.papers])


def for_you(
    related: Related, liked: Sequence[str], candidates: Sequence[str]
) -> tuple[Recommendation, ...]:
    """Rank the ``candidates`` (the latest issue's papers) for a reader who likes ``liked``."""
    row = {k: i for i, k in enumerate(related.keys)}
    liked_rows = [row[k] for k in liked if k in row]
    lists = [[row[r] for r in related.lists.get(k, ())] for k in related.keys] if liked_rows else []
    found = [row[k] for k in candidates if k in row]
    ranked = foryou.rank(related.points, liked_rows, found, lists)
    return tuple(
        Recommendation(related.keys[r.row], related.keys[r.why], round(r.score, 6)) for r in ranked
    )


def regroup_due(config: Config, kept: KeptGrouping, papers: int) -> bool:
    """Should this build group the papers from scratch rather than add to the published themes?

    Yes after a change of the grouping settings or of digest, and once the papers grew by
    ``themes.regroup_growth`` since the last regrouping: new papers joining the nearest theme
    day after day would otherwise drift from what grouping them all would give. In between, no
    published paper changes theme, so the pages that list older papers stay as they are.
    """
    if kept.settings != grouping_settings(config):
        return True
    return papers > kept.papers * (1 + config.themes.regroup_growth)


def grouping_settings(config: Config) -> str:
    """Hash what published papers' themes were made with: a change regroups."""
    themes = replace(config.themes, regroup_growth=0.0)
    relevant = (__version__, settings_hash(config.keywords), themes)
    return hashlib.sha256(repr(relevant).encode()).hexdigest()[:16]


def _join(
    config: Config,
    papers: Sequence[Paper],
    keywords: Sequence[Sequence[Keyword]],
    kept: KeptGrouping,
    cache: Cache,
) -> Grouping | None:
    """Add the papers the kept grouping lacks to its themes; None when that cannot be done."""
    pairs = list(zip(papers, keywords, strict=True))
    space: Space | None = None
    centres: dict[str, NDArray[np.float64]] = {}
    if any(p.key not in kept.placed for p in papers):
        batch_keys = papers_of_batch(kept, papers, False)
        batch = [(p, k) for p, k in pairs if p.key in batch_keys]
        key = _space_key(config, [p for p, _ in batch], kept.placed)
        found = _cached_space(cache, key)
        if found is None:
            space, centres = refit(
                batch, kept.themes, kept.placed, config.themes, config.keywords.language
            )
            _keep_space(cache, key, Grouping(kept.themes, {}, space, centres))
        else:
            space, centres = found
    return join(
        pairs, kept.themes, kept.placed, space, centres, config.themes, config.keywords.language
    )


def placed_slugs(grouping: Grouping) -> dict[str, tuple[str, ...]]:
    """Return each paper's theme slugs, primary first: what the kept state records."""
    return {key: tuple(p.theme_slug for p in found) for key, found in grouping.placements.items()}


def _space_key(config: Config, batch: Sequence[Paper], placed: Mapping[str, Sequence[str]]) -> str:
    """Hash what a regrouping's space and centres are made of: its papers' texts, where they
    were placed and the settings."""
    h = hashlib.sha256(f"{SPACE_FORMAT}\n{grouping_settings(config)}".encode())
    for paper in sorted(batch, key=lambda p: p.key):
        slugs = ",".join(placed[paper.key])
        h.update(f"{paper.key}\x1f{text_hash(paper)}\x1f{slugs}\x1e".encode())
    return "space-" + h.hexdigest()[:32]


def _keep_space(cache: Cache, key: str, grouping: Grouping) -> None:
    if grouping.space is None:
        return
    slugs = sorted(grouping.centres)
    cache.keep_arrays(
        key,
        {
            "space": np.frombuffer(grouping.space.to_bytes(), dtype=np.uint8),
            "slugs": np.array(json.dumps(slugs)),
            "centres": np.array([grouping.centres[s] for s in slugs]).reshape(len(slugs), -1),
        },
    )


def _cached_space(cache: Cache, key: str) -> tuple[Space, dict[str, NDArray[np.float64]]] | None:
    arrays = cache.arrays(key)
    if arrays is None:
        return None
    try:
        space = Space.from_bytes(arrays["space"].tobytes())
        slugs = json.loads(str(arrays["slugs"]))
        centres = {
            str(s): np.asarray(v, dtype=np.float64)
            for s, v in zip(slugs, arrays["centres"], strict=True)
        }
    except (KeyError, ValueError, TypeError):
        return None
    return space, centres


def issues(
    entries: Sequence[Entry],
    themes: Sequence[Theme] = (),
    pinned: Set[str] = frozenset(),
    cache: Cache | None = None,
) -> tuple[Issue, ...]:
    """Return one issue per first-seen date, newest first, papers in input order, each with
    its headings of ``themes`` (see :func:`digest.themes.typical.issue_theme_headings`);
    ``pinned`` themes keep the name the config gives them.

    Headings come from the ``cache`` when an issue's papers and themes are unchanged: they
    read every paper of the issue, and a digest of a year has a year of issues to head.
    """
    themes = [t for t in themes if t.slug not in pinned]
    by_day: dict[date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(entry.listed.date(), []).append(entry)
    days = sorted(by_day.items(), reverse=True)
    headings = _headings([found for _, found in days], themes, cache) if themes else {}
    return tuple(
        Issue(
            day,
            tuple(e.paper.key for e in sorted(found, key=lambda e: e.paper.order)),
            headings.get(day, ()),
        )
        for day, found in days
    )


def _headings(
    days: Sequence[Sequence[Entry]], themes: Sequence[Theme], cache: Cache | None
) -> dict[date, tuple[tuple[str, str], ...]]:
    """Each issue's headings, by date: from the cache by a hash of what they are made of."""
    keys = [_headings_key(found, themes) for found in days]
    cached = cache.headings(keys) if cache is not None else {}
    made: dict[str, str] = {}
    found_by_day = {}
    for key, found in zip(keys, days, strict=True):
        headings = _cached_headings(cached.get(key))
        if headings is None:
            headings = issue_theme_headings(found, themes)
            made[key] = json.dumps(headings)
        found_by_day[found[0].listed.date()] = headings
    if cache is not None:
        cache.keep_headings(made, keys)
    return found_by_day


def _cached_headings(text: str | None) -> tuple[tuple[str, str], ...] | None:
    """Read cached headings; a damaged entry reads as missing (the cache only saves time)."""
    if text is None:
        return None
    try:
        return tuple((str(slug), str(heading)) for slug, heading in json.loads(text))
    except (ValueError, TypeError):
        return None


def _headings_key(found: Sequence[Entry], themes: Sequence[Theme]) -> str:
    """A hash of what an issue's headings are made of: its papers' text and themes."""
    h = hashlib.sha256(f"headings {HEADINGS_FORMAT} {__version__}\n".encode())
    slugs = set()
    for entry in sorted(found, key=lambda e: e.paper.key):
        slug = entry.themes[0].theme_slug
        slugs.add(slug)
        h.update(
            json.dumps([entry.paper.key, entry.paper.title, entry.paper.abstract, slug]).encode()
        )
    for theme in sorted(themes, key=lambda t: t.slug):  # Their order changes as they grow.
        if theme.slug in slugs:
            h.update(json.dumps([theme.slug, theme.name, theme.keywords, theme.is_other]).encode())
    return h.hexdigest()


def keyword_index(
    stored: Sequence[StoredPaper], keywords: Sequence[Sequence[Keyword]]
) -> tuple[KeywordSlug, ...]:
    """Return the keywords that papers share, each with a unique anchor and its papers, sorted
    for readers.

    A keyword of one paper only leads a reader nowhere the card does not already show; listed,
    such keywords made the example's index 73,000 pixels tall for 39 shared ones. A keyword is
    listed as the paper that brought it first writes it (within a day, the least paper key,
    whatever the order of the listing), so later papers never rename an entry.
    """
    found: dict[str, list[str]] = {}
    for s, kws in zip(stored, keywords, strict=True):
        for kw in kws:
            found.setdefault(kw.key, []).append(s.paper.key)
    texts: dict[str, str] = {}
    for i in sorted(range(len(stored)), key=lambda i: (stored[i].first_seen, stored[i].paper.key)):
        for kw in keywords[i]:
            texts.setdefault(kw.key, kw.text)
    slugs = SlugRegistry(frozenset())
    index = []
    for key in sorted(found, key=lambda k: (texts[k].casefold(), k)):
        if len(found[key]) >= MIN_SHARED:
            slug = "kw-" + slugs.claim(key)
            index.append(KeywordSlug(key, texts[key], slug, tuple(found[key])))
    return tuple(index)

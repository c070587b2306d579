"""Group papers into themes, from scratch (:func:`group`) or by adding new papers to the
published themes (:func:`join`, what a daily build does between regroupings).

Pure functions of papers and keywords. Papers are sorted by key first, and every random choice
uses a fixed seed, so the same papers in another order (or under another ``PYTHONHASHSEED``)
give the same themes (tests/test_reproducible.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from digest.config import ThemeConfig
from digest.model import Keyword, Paper, Placement, Theme
from digest.slugs import RESERVED, SlugRegistry
from digest.themes.clustering import centroid, cluster
from digest.themes.moves import name_clusters
from digest.themes.naming import Name, because
from digest.themes.phrases import PhraseTable
from digest.themes.pinned import pin
from digest.themes.related import embed, points
from digest.themes.typical import typical_first
from digest.themes.vectors import Space, fit_lsa, smooth, terms

#: LSA's strong directions weigh by (column norm) ** GROUPING_SHARPEN in the points papers are
#: clustered by: 1.0 here against related papers' 0.5 (bench/theme_names.py, see _vectors).
GROUPING_SHARPEN = 1.0
OTHER_SLUG = "other"
OTHER_NAME = "Other papers"
#: A paper lists a second theme whose centre is at least this close, relative to its own.
SECONDARY_SHARE = 0.85

Pairs = Sequence[tuple[Paper, Sequence[Keyword]]]


@dataclass(frozen=True)
class Grouping:
    """Themes, and each paper's placements (primary first) by paper key.

    ``space`` and ``centres`` (each clustered theme's centre in it, by slug: the mean direction
    of its papers' plain LSA vectors, which is what a new paper's projection is) let a later
    build place new papers without fitting the space again (:func:`join`); None and empty when
    the papers were too few to cluster.
    """

    themes: tuple[Theme, ...]
    placements: dict[str, tuple[Placement, ...]]
    # Not compared: two groupings are equal when they place papers alike.
    space: Space | None = field(default=None, compare=False)
    centres: dict[str, NDArray[np.float64]] = field(default_factory=dict, compare=False)


def group(
    papers: Sequence[Paper],
    keywords: Sequence[Sequence[Keyword]],
    settings: ThemeConfig,
    language: str = "en",
    previous: Sequence[Theme] = (),
) -> Grouping:
    """Place every paper in a theme; papers with no keywords go to a small "other" theme.

    Pinned themes from the config take their papers first. ``previous`` are the published
    themes: clustering starts from their centres, and a group that holds most of a previous
    theme's papers keeps its slug and name, so theme pages and feeds keep their URLs.
    """
    pairs = sorted(zip(papers, keywords, strict=True), key=lambda pk: pk[0].key)
    slugs = SlugRegistry(RESERVED | {t.slug for t in previous})
    pinned = pin(pairs, settings.pinned, slugs, previous)
    placements: dict[str, list[Placement]] = {k: list(v) for k, v in pinned.placements.items()}
    free = [(p, k) for p, k in pairs if p.key not in pinned.placements]
    usable = [(p, k) for p, k in free if k]
    leftover = [p for p, k in free if not k]
    clusters, (vectors, plain), space = _clusters(usable, len(pairs), previous, settings, language)
    clusters, found, table = _named(usable, clusters, vectors, settings, language)
    names = [n.phrases for n in found]
    pinned_slugs = {t.slug for t in pinned.themes}
    candidates = [t for t in previous if not t.is_other and t.slug not in pinned_slugs]
    kept = _match_previous([{usable[i][0].key for i in c} for c in clusters], candidates)
    centroids = [centroid(vectors, c) for c in clusters] if len(vectors) else []
    clustered: list[Theme] = []
    centres: dict[str, NDArray[np.float64]] = {}
    for index, members in enumerate(clusters):
        name_phrases = names[index]
        if index in kept:
            slug, name, name_phrases = kept[index].slug, kept[index].name, kept[index].keywords
        elif name_phrases:
            slug = slugs.claim(" ".join(name_phrases))
            name = found[index].text
        else:
            leftover.extend(usable[i][0] for i in members)
            continue
        near = (vectors[members] @ centroids[index]).tolist() if centroids else [0.0] * len(members)
        ranked = typical_first(members, near, table, Name(name, name_phrases))
        clustered.append(Theme(slug, name, name_phrases, tuple(usable[i][0].key for i in ranked)))
        if centroids:
            centres[slug] = centroid(plain, members)
        for i in ranked:
            reasons = because(usable[i][1], name_phrases)
            placements.setdefault(usable[i][0].key, []).append(Placement(slug, reasons))
    _add_secondary(usable, clusters, centroids, vectors, clustered, placements, names)
    themes = [*pinned.themes, *sorted(clustered, key=lambda t: (-len(t.paper_keys), t.slug))]
    if leftover:
        other = _other_theme(leftover, previous, slugs)
        themes.append(other)
        placements.update({key: [Placement(other.slug, ())] for key in other.paper_keys})
    placed = {k: tuple(v) for k, v in sorted(placements.items())}
    return Grouping(tuple(themes), placed, space if centres else None, centres)


def join(
    pairs: Pairs,
    published: Sequence[Theme],
    placed: Mapping[str, tuple[str, ...]],
    space: Space | None,
    centres: Mapping[str, NDArray[np.float64]],
    settings: ThemeConfig,
    language: str = "en",
) -> Grouping | None:
    """Add the papers that ``placed`` lacks to the ``published`` themes; move no other paper.

    The daily build's grouping between regroupings, in time proportional to the new papers.
    ``pairs`` are every paper with its keywords; ``placed`` the published papers' theme slugs,
    primary first, which they keep (their reasons are read again from their keywords). A new
    paper matching a pinned theme's rules joins it; any other is projected into the ``space``
    fitted at the last regrouping and joins the theme whose centre is nearest, after the
    theme's published papers, most relevant first; a second theme nearly as near is listed as
    its secondary. Returns None when the new papers cannot be placed this way (no space, or a
    clustered theme without a centre), so the caller regroups.
    """
    pinned_set = pinned_slugs(published, settings)
    pinned = [t for t in published if t.slug in pinned_set]
    clustered = [t for t in published if not t.is_other and t.slug not in pinned_set]
    by_slug = {t.slug: t for t in published}
    placements, new = _published_placements(pairs, placed, by_slug)
    added: dict[str, list[tuple[float, str]]] = {t.slug: [] for t in published}
    matched = pin(new, settings.pinned, SlugRegistry(frozenset()), published)
    for key, pinned_in in matched.placements.items():
        placements[key] = pinned_in
        for placement in pinned_in:
            added[placement.theme_slug].append((0.0, key))
    usable = [(p, k) for p, k in new if k and p.key not in matched.placements]
    leftover = [p for p, k in new if not k and p.key not in matched.placements]
    if usable:
        if space is None or not clustered or any(t.slug not in centres for t in clustered):
            return None
        for key, own, found in _nearest(usable, clustered, space, centres, language):
            added[found[0].theme_slug].append((-round(own, 9), key))
            placements[key] = found
    grown = [
        replace(t, paper_keys=t.paper_keys + tuple(k for _, k in sorted(added[t.slug])))
        for t in clustered
    ]
    themes = [
        *(replace(t, paper_keys=t.paper_keys + tuple(k for _, k in added[t.slug])) for t in pinned),
        *sorted(grown, key=lambda t: (-len(t.paper_keys), t.slug)),
    ]
    other = [t for t in published if t.is_other]
    if leftover or other:
        slug = other[0].slug if other else SlugRegistry(RESERVED | set(by_slug)).claim(OTHER_SLUG)
        keys = tuple(sorted({*(other[0].paper_keys if other else ()), *(p.key for p in leftover)}))
        themes.append(Theme(slug, OTHER_NAME, (), keys, is_other=True))
        for paper in leftover:
            placements[paper.key] = (Placement(slug, ()),)
    return Grouping(tuple(themes), dict(sorted(placements.items())), space, dict(centres))


def _clusters(
    usable: Pairs,
    total: int,
    previous: Sequence[Theme],
    settings: ThemeConfig,
    language: str,
) -> tuple[list[list[int]], tuple[NDArray[np.float64], NDArray[np.float64]], Space | None]:
    """Cluster the ``usable`` papers (of ``total``), starting from the previous themes' centres.

    Returns the clusters (indexes into ``usable``), the papers' points and plain vectors (see
    :func:`_vectors`) and their space; too few papers to cluster make one cluster, with no
    vectors and no space.
    """
    if len(usable) < 2 * settings.min_size:
        none = np.zeros((0, 1))
        return ([list(range(len(usable)))] if usable else []), (none, none), None
    vectors, plain, space = _vectors(usable, language)
    warm = _previous_centres(usable, vectors, previous, settings.min_size)
    return cluster(vectors, settings, total, warm), (vectors, plain), space


def _named(
    usable: Pairs,
    clusters: list[list[int]],
    vectors: NDArray[np.float64],
    settings: ThemeConfig,
    language: str,
) -> tuple[list[list[int]], list[Name], PhraseTable]:
    """Name the clusters by their papers' phrases (:func:`digest.themes.moves.name_clusters`)."""
    texts = [p.title for p, _ in usable], [p.abstract for p, _ in usable]
    limits = (settings.name_keywords, settings.min_size)
    return name_clusters(*texts, clusters, vectors, limits, language, True)


def _other_theme(
    leftover: Sequence[Paper], previous: Sequence[Theme], slugs: SlugRegistry
) -> Theme:
    """The "other" theme of the papers no theme took; it keeps its published slug."""
    old_other = [t.slug for t in previous if t.is_other]
    other = old_other[0] if old_other else slugs.claim(OTHER_SLUG)
    keys = tuple(sorted(p.key for p in leftover))
    return Theme(other, OTHER_NAME, (), keys, is_other=True)


def _published_placements(
    pairs: Pairs, placed: Mapping[str, tuple[str, ...]], by_slug: Mapping[str, Theme]
) -> tuple[dict[str, tuple[Placement, ...]], list[tuple[Paper, Sequence[Keyword]]]]:
    """Split ``pairs`` (by key) into the published papers' placements and the new papers.

    A published paper keeps its themes that still exist, primary first; its reasons are read
    again from its keywords.
    """
    placements: dict[str, tuple[Placement, ...]] = {}
    new: list[tuple[Paper, Sequence[Keyword]]] = []
    for paper, keywords in sorted(pairs, key=lambda pk: pk[0].key):
        slugs = [s for s in placed.get(paper.key, ()) if s in by_slug]
        if not slugs:
            new.append((paper, keywords))
            continue
        primary = by_slug[slugs[0]]
        reasons = because(keywords, primary.keywords) if primary.keywords else ()
        placements[paper.key] = (
            Placement(primary.slug, reasons),
            *(Placement(s, ()) for s in slugs[1:]),
        )
    return placements, new


def _nearest(
    usable: Pairs,
    clustered: Sequence[Theme],
    space: Space,
    centres: Mapping[str, NDArray[np.float64]],
    language: str,
) -> list[tuple[str, float, tuple[Placement, ...]]]:
    """Each new paper's key, its similarity to the nearest theme's centre, and its placements.

    The nearest theme is the primary; the next one is listed as secondary when it is nearly
    as near (:data:`SECONDARY_SHARE`).
    """
    matrix = np.array([centres[t.slug] for t in clustered])
    sims = space.project([terms(p, k, language) for p, k in usable]) @ matrix.T
    nearest = []
    for row, (paper, keywords) in enumerate(usable):
        ranked = sorted(range(len(clustered)), key=lambda j: (-float(sims[row, j]), j))
        own, theme = float(sims[row, ranked[0]]), clustered[ranked[0]]
        found = [Placement(theme.slug, because(keywords, theme.keywords))]
        second = float(sims[row, ranked[1]]) if len(ranked) > 1 else 0.0
        if own > 0 and second >= SECONDARY_SHARE * own:
            found.append(Placement(clustered[ranked[1]].slug, ()))
        nearest.append((paper.key, own, tuple(found)))
    return nearest


def pinned_slugs(themes: Sequence[Theme], settings: ThemeConfig) -> set[str]:
    """Return the slugs of ``themes`` that are the config's pinned themes."""
    rules = {(rule.name, tuple(rule.include)) for rule in settings.pinned}
    return {t.slug for t in themes if (t.name, t.keywords) in rules}


def _vectors(
    usable: Pairs, language: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], Space | None]:
    """Return the points the papers are clustered by, their plain LSA vectors, and the space
    that places others among the plain vectors.

    The points are related papers' (:func:`digest.themes.related.embed`: LSA's strong
    directions sharpened, two steps of propagation over co-authored papers and text
    neighbours), smoothed over their nearest neighbours: on arxiv-cs-2016 AMI against the
    primary category rose from 0.400 (the plain vectors blended once with co-authored
    papers', then smoothed) to 0.427, on the Kaggle head from 0.283 to 0.345
    (bench/theme_names.py, bench/README.md "Groups").
    """
    plain, space = fit_lsa((terms(p, k, language) for p, k in usable), everyday=language)
    authors = [[a.name for a in p.authors] for p, _ in usable]
    found = points(embed(plain, authors, GROUPING_SHARPEN))
    return smooth(found.astype(np.float64)), plain, space


def refit(
    pairs: Pairs,
    themes: Sequence[Theme],
    placed: Mapping[str, Sequence[str]],
    settings: ThemeConfig,
    language: str,
) -> tuple[Space | None, dict[str, NDArray[np.float64]]]:
    """Return the space and theme centres that :func:`group` found for ``pairs``, from the
    themes it made (``themes``, ``placed``): what :func:`join` needs, computed again when it
    was not kept (it is a cache, see :mod:`digest.state.cache`).

    :func:`group` clustered the papers that had keywords and no pinned theme, in key order;
    the same vectors in the same order give the same centres, bit for bit.
    """
    pinned = pinned_slugs(themes, settings)
    usable = sorted(
        ((p, k) for p, k in pairs if k and placed.get(p.key, ("",))[0] not in pinned),
        key=lambda pk: pk[0].key,
    )
    if not usable:
        return None, {}
    # The centres are of the plain vectors: the points :func:`group` clustered are not needed.
    plain, space = fit_lsa((terms(p, k, language) for p, k in usable), everyday=language)
    row = {p.key: i for i, (p, _) in enumerate(usable)}
    centres = {}
    for theme in themes:
        members = sorted(row[k] for k in theme.paper_keys if k in row)
        if members and not theme.is_other and theme.slug not in pinned:
            centres[theme.slug] = centroid(plain, members)
    return space, centres


def _previous_centres(
    usable: Sequence[tuple[Paper, Sequence[Keyword]]],
    vectors: NDArray[np.float64],
    previous: Sequence[Theme],
    min_size: int,
) -> list[NDArray[np.float64]]:
    """Return the centres of the previous themes, recomputed from today's vectors."""
    row = {p.key: i for i, (p, _) in enumerate(usable)}
    centres = []
    for theme in previous:
        members = [row[k] for k in theme.paper_keys if k in row]
        if not theme.is_other and len(members) >= min_size:
            centres.append(centroid(vectors, members))
    return centres


def _match_previous(clusters: Sequence[set[str]], previous: Sequence[Theme]) -> dict[int, Theme]:
    """Pair new clusters with previous themes, one to one, by the papers they share.

    A cluster inherits a previous theme when it holds at least half of that theme's papers
    that are still present: the theme grew or shrank a little, it did not become another one.
    """
    present = set().union(*clusters) if clusters else set()
    pairs = []
    for t_index, theme in enumerate(previous):
        old = set(theme.paper_keys) & present
        if not old:
            continue
        for c_index, members in enumerate(clusters):
            shared = len(old & members)
            if shared * 2 >= len(old) and shared:
                pairs.append((-shared, theme.slug, c_index, t_index))
    kept: dict[int, Theme] = {}
    taken: set[int] = set()
    for _, _, c_index, t_index in sorted(pairs):
        if c_index not in kept and t_index not in taken:
            kept[c_index] = previous[t_index]
            taken.add(t_index)
    return kept


def _add_secondary(
    usable: Sequence[tuple[Paper, Sequence[Keyword]]],
    clusters: Sequence[Sequence[int]],
    centroids: Sequence[NDArray[np.float64]],
    vectors: NDArray[np.float64],
    themes: Sequence[Theme],
    placements: dict[str, list[Placement]],
    names: Sequence[tuple[str, ...]],
) -> None:
    """List a second theme for a paper nearly as close to it as to its own (not placed there)."""
    named = [i for i, n in enumerate(names) if n]
    if len(named) < 2:
        return
    slug_of = {names[i]: t.slug for i, t in zip(named, themes, strict=False)}
    for index, members in enumerate(clusters):
        if not names[index]:
            continue
        for i in members:
            sims = {j: float(vectors[i] @ centroids[j]) for j in named}
            own = sims[index]
            others = sorted((s, j) for j, s in sims.items() if j != index)
            if others and own > 0 and others[-1][0] >= SECONDARY_SHARE * own:
                j = others[-1][1]
                key = usable[i][0].key
                placements[key].append(Placement(slug_of[names[j]], ()))

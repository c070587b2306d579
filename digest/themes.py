"""Group papers into themes: cluster their text vectors, then name clusters by keywords.

Pure functions of papers and keywords. Papers are sorted by key first, and every random choice
uses a fixed seed, so the same papers in another order (or under another ``PYTHONHASHSEED``)
give the same themes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from digest.clustering import centroid, cluster
from digest.config import ThemeConfig
from digest.keywords import GENERIC_WORDS
from digest.model import Keyword, Paper, Placement, Theme
from digest.pinned import pin
from digest.slugs import RESERVED, SlugRegistry
from digest.vectors import Space, fit_lsa, keyword_phrases, smooth, terms

OTHER_SLUG = "other"
OTHER_NAME = "Other papers"
#: A phrase in more than this share of all papers is too common to name a theme.
GENERIC_SHARE = 0.12
#: A second naming phrase must be at least this distinctive relative to the first.
SECOND_NAME_SHARE = 0.5
# A theme name becomes a page title, which Material prints into <title> after unescaping it:
# names keep only characters that can never form markup.
_NAME_UNSAFE = re.compile(r"[^\w \-+#.,/'()]")
_MODIFIER_ENDINGS = (
    "al",
    "ive",
    "ous",
    "ed",
    "ing",
    "ic",
    "able",
    "ible",
    "ar",
    "ful",
    "less",
    "ly",
)


@dataclass(frozen=True)
class Grouping:
    """Themes, and each paper's placements (primary first) by paper key.

    ``space`` and ``centres`` (each clustered theme's centre in it, by slug) let a later build
    place new papers without fitting the space again (:func:`join`); None and empty when the
    papers were too few to cluster, or the grouping did not fit a space.
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
    regroup: bool = True,
) -> Grouping:
    """Place every paper in a theme; papers with no keywords go to a small "other" theme.

    Pinned themes from the config take their papers first. ``previous`` are the themes of the
    last build: clustering starts from their centres, and a group that holds most of a previous
    theme's papers keeps its slug and name, so theme pages and feeds keep their URLs.

    With ``regroup`` False, previous themes keep their papers, in their order, and each new
    paper joins the theme whose centre is nearest: a daily build moves no published paper, so
    the pages that list older papers stay as they were (the caller regroups from time to time,
    see ``pipeline.regroup_due``). Without usable previous themes it groups from scratch.
    """
    pairs = sorted(zip(papers, keywords, strict=True), key=lambda pk: pk[0].key)
    slugs = SlugRegistry(RESERVED | {t.slug for t in previous})
    pinned = pin(pairs, settings.pinned, slugs, previous)
    themes: list[Theme] = list(pinned.themes)
    placements: dict[str, list[Placement]] = {k: list(v) for k, v in pinned.placements.items()}
    free = [(p, k) for p, k in pairs if p.key not in pinned.placements]
    usable = [(p, k) for p, k in free if k]
    leftover = [p for p, k in free if not k]
    clusters: list[list[int]] = []
    #: Sticky grouping: how many leading members of each cluster keep their previous order.
    kept_order: list[int] = []
    vectors = np.zeros((0, 1))
    space = None
    if len(usable) >= 2 * settings.min_size:
        raw, space = fit_lsa([terms(p, k, language) for p, k in usable])
        vectors = smooth(raw)
        sticky = None if regroup else _join_previous(usable, vectors, previous, pinned.themes)
        if sticky is None:
            warm = _previous_centres(usable, vectors, previous, settings.min_size)
            clusters = cluster(vectors, settings, len(pairs), warm)
        else:
            clusters, kept_order = sticky
    elif usable:
        clusters = [list(range(len(usable)))]
    phrases = [keyword_phrases(k, language) for _, k in usable]
    standalone = [{kw.key for kw in k} for _, k in usable]
    names = _name_clusters(clusters, phrases, settings, standalone)
    member_keys = [{usable[i][0].key for i in c} for c in clusters]
    pinned_slugs = {t.slug for t in pinned.themes}
    candidates = [t for t in previous if not t.is_other and t.slug not in pinned_slugs]
    kept = _match_previous(member_keys, candidates)
    centroids = [centroid(vectors, c) for c in clusters] if len(vectors) else []
    clustered: list[Theme] = []
    centres: dict[str, NDArray[np.float64]] = {}
    for index, members in enumerate(clusters):
        name_phrases = names[index]
        if index in kept:
            slug, name, name_phrases = kept[index].slug, kept[index].name, kept[index].keywords
        elif name_phrases:
            slug = slugs.claim(" ".join(name_phrases))
            name = _display_name(name_phrases, usable, members)
        else:
            leftover.extend(usable[i][0] for i in members)
            continue
        ranked = _rank(members, vectors, centroids[index]) if centroids else members
        if kept_order:
            # Old papers keep their places; new ones follow, most relevant first.
            fixed = members[: kept_order[index]]
            old = set(fixed)
            ranked = fixed + [i for i in ranked if i not in old]
        keys = tuple(usable[i][0].key for i in ranked)
        clustered.append(Theme(slug, name, name_phrases, keys))
        if centroids:
            centres[slug] = centroids[index]
        for i in ranked:
            because = _because(usable[i][1], name_phrases)
            placements.setdefault(usable[i][0].key, []).append(Placement(slug, because))
    _add_secondary(usable, clusters, centroids, vectors, clustered, placements, names)
    themes += sorted(clustered, key=lambda t: (-len(t.paper_keys), t.slug))
    if leftover:
        old_other = [t.slug for t in previous if t.is_other]
        other = old_other[0] if old_other else slugs.claim(OTHER_SLUG)
        keys = tuple(sorted(p.key for p in leftover))
        themes.append(Theme(other, OTHER_NAME, (), keys, is_other=True))
        for key in keys:
            placements[key] = [Placement(other, ())]
    placed = {k: tuple(v) for k, v in sorted(placements.items())}
    return Grouping(tuple(themes), placed, space if centres else None, centres)


def join(
    new: Sequence[tuple[Paper, Sequence[Keyword]]],
    changed: Sequence[tuple[Paper, Sequence[Keyword]]],
    previous: Sequence[Theme],
    carried: Mapping[str, tuple[Placement, ...]],
    space: Space,
    centres: Mapping[str, NDArray[np.float64]],
    language: str = "en",
) -> Grouping | None:
    """Add ``new`` papers to the published themes without grouping the published ones again.

    The daily build's grouping between regroupings, in time proportional to the new papers:
    published papers keep their ``carried`` placements (a ``changed`` paper, one with new
    text, keeps its themes and has its reasons read from its new keywords); each new paper is
    projected into the ``space`` fitted at the last full grouping and joins the theme whose
    centre is nearest, after the theme's published papers, most relevant first; a second
    theme nearly as near is listed as its secondary. Returns None when the published themes
    cannot take papers this way (a theme without a centre), so the caller groups in full.
    """
    clustered = [t for t in previous if not t.is_other]
    if not clustered or any(t.slug not in centres for t in clustered):
        return None
    by_slug = {t.slug: t for t in previous}
    placements: dict[str, tuple[Placement, ...]] = dict(carried)
    for paper, keywords in changed:
        kept = carried.get(paper.key)
        if kept and kept[0].theme_slug in by_slug:
            primary = by_slug[kept[0].theme_slug]
            because = _because(keywords, primary.keywords) if primary.keywords else ()
            placements[paper.key] = (Placement(primary.slug, because), *kept[1:])
    pairs = sorted(new, key=lambda pk: pk[0].key)
    usable = [(p, k) for p, k in pairs if k]
    leftover = [p for p, k in pairs if not k]
    added: dict[str, list[tuple[float, str]]] = {t.slug: [] for t in clustered}
    if usable:
        matrix = np.array([centres[t.slug] for t in clustered])
        sims = space.project([terms(p, k, language) for p, k in usable]) @ matrix.T
        for row, (paper, keywords) in enumerate(usable):
            ranked = sorted(range(len(clustered)), key=lambda j: (-float(sims[row, j]), j))
            own, theme = float(sims[row, ranked[0]]), clustered[ranked[0]]
            added[theme.slug].append((-round(own, 9), paper.key))
            found = [Placement(theme.slug, _because(keywords, theme.keywords))]
            if len(ranked) > 1 and own > 0 and float(sims[row, ranked[1]]) >= 0.85 * own:
                found.append(Placement(clustered[ranked[1]].slug, ()))
            placements[paper.key] = tuple(found)
    themes = [
        replace(t, paper_keys=t.paper_keys + tuple(k for _, k in sorted(added[t.slug])))
        for t in clustered
    ]
    themes.sort(key=lambda t: (-len(t.paper_keys), t.slug))
    other = [t for t in previous if t.is_other]
    if leftover or other:
        slug = other[0].slug if other else SlugRegistry(RESERVED | set(by_slug)).claim(OTHER_SLUG)
        keys = tuple(sorted({*(other[0].paper_keys if other else ()), *(p.key for p in leftover)}))
        themes.append(Theme(slug, OTHER_NAME, (), keys, is_other=True))
        for paper in leftover:
            placements[paper.key] = (Placement(slug, ()),)
    return Grouping(tuple(themes), dict(sorted(placements.items())), space, dict(centres))


def _join_previous(
    usable: Sequence[tuple[Paper, Sequence[Keyword]]],
    vectors: NDArray[np.float64],
    previous: Sequence[Theme],
    pinned: Sequence[Theme],
) -> tuple[list[list[int]], list[int]] | None:
    """Keep each previous theme's papers and add every new paper to the nearest theme.

    Returns the clusters (previous members first, in their previous order) and how many
    previous members each holds; None when there is nothing to keep (no previous theme still
    holds a paper), so the caller groups from scratch.
    """
    row = {p.key: i for i, (p, _) in enumerate(usable)}
    pinned_slugs = {t.slug for t in pinned}
    clusters: list[list[int]] = []
    placed: set[int] = set()
    for theme in previous:
        if theme.is_other or theme.slug in pinned_slugs:
            continue
        members = [row[k] for k in theme.paper_keys if k in row and row[k] not in placed]
        if members:
            clusters.append(members)
            placed.update(members)
    if not clusters:
        return None
    kept = [len(c) for c in clusters]
    new = [i for i in range(len(usable)) if i not in placed]
    if new:
        centres = np.array([centroid(vectors, c) for c in clusters])
        nearest = (vectors[new] @ centres.T).argmax(axis=1)
        for i, target in zip(new, nearest.tolist(), strict=True):
            clusters[target].append(i)
    return clusters, kept


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


def _rank(
    members: Sequence[int], vectors: NDArray[np.float64], centre: NDArray[np.float64]
) -> list[int]:
    """Order a theme's papers by relevance: closeness to the theme's centre, then key order."""
    sims = vectors[list(members)] @ centre
    return [
        members[j]
        for j in sorted(range(len(members)), key=lambda j: (-round(float(sims[j]), 9), members[j]))
    ]


def _name_clusters(
    clusters: Sequence[Sequence[int]],
    phrases: Sequence[set[str]],
    settings: ThemeConfig,
    standalone: Sequence[set[str]],
) -> list[tuple[str, ...]]:
    """Name each cluster by the keyword phrases most distinctive of it (in-share minus out-share).

    Phrases common across the corpus ("neural network") or generic single words never name a
    theme: they say nothing about what sets a group apart. A single word names a theme only if
    YAKE found it as a keyword on its own in two of its papers, not just inside longer phrases
    ("long" of "long sequences"). A second phrase joins the name only if it is nearly as
    distinctive as the first.
    """
    n = max(1, len(phrases))
    df: Counter[str] = Counter(p for ps in phrases for p in ps)
    # In a small corpus every shared phrase is "common"; only call it generic when it is shared
    # well beyond what one theme may hold.
    generic_df = max(GENERIC_SHARE * n, 2 * settings.min_size, 2 * settings.max_share * n)
    names: list[tuple[str, ...]] = []
    used: set[str] = set()
    for members in clusters:
        inside: Counter[str] = Counter(p for i in members for p in phrases[i])
        scored = []
        for phrase, count in inside.items():
            words = phrase.split()
            if count < 2 or df[phrase] > generic_df or not _nameable(words):
                continue
            if len(words) == 1 and sum(phrase in standalone[i] for i in members) < 2:
                continue
            share_in = count / len(members)
            share_out = (df[phrase] - count) / max(1, n - len(members))
            # Multi-word phrases read better as names; prefer them at equal distinctiveness.
            bonus = 1.0 + 0.25 * min(len(words) - 1, 2)
            scored.append(((share_in - share_out) * bonus * math.sqrt(count), phrase))
        scored.sort(key=lambda s: (-s[0], s[1]))
        chosen: list[str] = []
        for value, phrase in scored:
            if chosen and value < SECOND_NAME_SHARE * scored[0][0]:
                break
            phrase_words = set(phrase.split())
            # A second phrase sharing a word with the first repeats it ("optimal transport and
            # neural optimal"): skip it.
            if any(phrase_words & set(c.split()) for c in chosen) or phrase in used:
                continue
            chosen.append(phrase)
            if len(chosen) == settings.name_keywords:
                break
        if not chosen:
            # Nothing distinctive is shared: name the group for its most common keyword phrase.
            common = sorted(inside.items(), key=lambda pc: (-pc[1], -len(pc[0].split()), pc[0]))
            chosen = [p for p, _ in common if p not in used and _nameable(p.split())][:1]
        used.update(chosen)
        names.append(tuple(chosen))
    return names


def _nameable(words: Sequence[str]) -> bool:
    """Can this phrase name a theme? Not if it is only generic words or a lone modifier."""
    if all(w in GENERIC_WORDS for w in words):
        return False
    # A lone adjective or participle ("functional", "adaptive") names nothing.
    return not (len(words) == 1 and words[0].endswith(_MODIFIER_ENDINGS))


def _display_name(
    name_phrases: Sequence[str],
    usable: Sequence[tuple[Paper, Sequence[Keyword]]],
    members: Sequence[int],
) -> str:
    """Return the readable theme name: the phrases' most common surface forms, joined."""
    forms: dict[str, Counter[str]] = {p: Counter() for p in name_phrases}
    for i in members:
        for kw in usable[i][1]:
            for phrase in name_phrases:
                if kw.key == phrase:
                    forms[phrase][kw.text] += 1
    shown = []
    for phrase in name_phrases:
        text = (
            min(forms[phrase].items(), key=lambda f: (-f[1], f[0]))[0] if forms[phrase] else phrase
        )
        # Keep acronyms and proper names ("LLM", "Wasserstein"); otherwise lower case.
        if not any(c.isupper() for c in text[1:]):
            text = text.lower()
        shown.append(_NAME_UNSAFE.sub(" ", text).strip())
    name = " and ".join(s for s in shown if s) or "Untitled"
    return name[:1].upper() + name[1:]


def _because(keywords: Sequence[Keyword], name_phrases: Sequence[str]) -> tuple[str, ...]:
    """Return the paper's keywords that share a naming phrase of its theme."""
    hits = [kw.text for kw in keywords if any(p in kw.key or kw.key in p for p in name_phrases)]
    return tuple(hits) if hits else tuple(kw.text for kw in keywords[:2])


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
            if others and own > 0 and others[-1][0] >= 0.85 * own:
                j = others[-1][1]
                key = usable[i][0].key
                placements[key].append(Placement(slug_of[names[j]], ()))

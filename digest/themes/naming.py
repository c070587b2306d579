"""Name groups of papers by phrases of their own text.

A theme's name should be what a specialist would write above its papers: true of most of them
(coverage: the share of the group's papers whose title or abstract contains a phrase of the
name) and specific to them (exclusivity: of all papers containing a phrase of the name, the
share in the group). Names are one or two candidate phrases (:mod:`digest.themes.phrases`,
filtered by :mod:`digest.themes.nameable`, counted by :mod:`digest.themes.options`), chosen by
``coverage + TITLE_WEIGHT * title coverage + weight * exclusivity``. The weight is the smallest
that holds the size-weighted exclusivity of all names at :data:`TARGET_EXCLUSIVITY`, found by
bisection for each corpus, so that no corpus needs a setting of its own. A theme's typical
papers and issue headings: :mod:`digest.themes.typical`. Figures: bench/theme_names.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digest.model import Keyword
from digest.themes.nameable import Nameable
from digest.themes.options import Options, display, inside_counts, name_options
from digest.themes.phrases import PhraseTable, count_phrases

#: Size-weighted exclusivity the names of a corpus are held at.
TARGET_EXCLUSIVITY = 0.66

#: No name below this exclusivity when another is possible: it would name other themes'
#: papers as much as its own.
MIN_EXCLUSIVITY = 0.4

#: ... and none below this one at all.
LEAST_EXCLUSIVITY = 0.3

#: Share of names that may be a single word.
ONE_WORD_SHARE = 0.1


@dataclass(frozen=True)
class Name:
    """A group's name: the text shown, and the folded phrases it is made of."""

    text: str
    phrases: tuple[str, ...]


def name_groups(
    groups: Sequence[Sequence[int]],
    titles: Sequence[str],
    abstracts: Sequence[str],
    table: PhraseTable | None = None,
    target: float = TARGET_EXCLUSIVITY,
    max_phrases: int = 2,
) -> list[Name]:
    """Name each group of paper indices by phrases of its papers' titles and abstracts.

    ``table`` is :func:`count_phrases` of the same papers when the caller has it already;
    a name has up to ``max_phrases`` phrases (1 or 2). Names are distinct and share no
    phrase; a group nothing can name gets an empty Name.
    """
    table = table if table is not None else count_phrases(titles, abstracts)
    labels = np.full(table.n_docs, -1, np.int64)
    for g, members in enumerate(groups):
        labels[np.asarray(members, np.int64)] = g
    inside, inside_title = inside_counts(table, labels, len(groups))
    nameable = Nameable(table)
    pairs = max_phrases >= 2
    # Shares are of the papers counted: all of them, or a group's part of a sample.
    sizes = [int(table.counted[np.asarray(m, np.int64)].sum()) for m in groups]
    options = [
        name_options(table, labels == g, inside[:, g], inside_title[:, g], size, nameable, pairs)
        for g, size in enumerate(sizes)
    ]
    for g, found in enumerate(options):
        if not found.phrases:
            # Its papers share no phrase: a phrase of one of them is better than no name.
            member = labels == g
            options[g] = name_options(
                table, member, inside[:, g], inside_title[:, g], sizes[g], nameable, pairs, 1
            )
    chosen = _choose(options, sizes, target)
    return [
        Name(display(nameable, found), tuple(table.key(p) for p in found))
        if found
        else Name("", ())
        for found in chosen
    ]


def hits(table: PhraseTable, name: Name) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Return which papers contain a phrase of ``name``: anywhere, and in the title (False for
    the papers ``table`` did not count)."""
    anywhere = np.zeros(table.n_docs, bool)
    titled = np.zeros(table.n_docs, bool)
    for key in name.phrases:
        phrase = table.index(key)
        if phrase is not None:
            docs = table.documents(phrase)
            anywhere[docs] = True
            titled[docs[table.titles_of(phrase)]] = True
    return anywhere, titled


def because(keywords: Sequence[Keyword], name_phrases: Sequence[str]) -> tuple[str, ...]:
    """Return the paper's keywords that share a naming phrase of its theme."""
    hits = [kw.text for kw in keywords if any(p in kw.key or kw.key in p for p in name_phrases)]
    return tuple(hits) if hits else tuple(kw.text for kw in keywords[:2])


def _choose(
    options: Sequence[Options], sizes: Sequence[int], target: float
) -> list[tuple[int, ...]]:
    """Pick one option per group: distinct phrases, few one-word names, exclusivity on target.

    The weight of exclusivity is found by bisection: the smallest that holds the size-weighted
    exclusivity of the chosen names at ``target`` (the largest tried when none does).
    """
    low, high = 0.0, 8.0
    best = _pick(options, sizes, high)
    if _exclusivity(options, best, sizes) < target:
        return [options[g].phrases[i] if i >= 0 else () for g, i in enumerate(best)]
    for _ in range(12):
        middle = (low + high) / 2
        picked = _pick(options, sizes, middle)
        if _exclusivity(options, picked, sizes) >= target:
            high, best = middle, picked
        else:
            low = middle
    return [options[g].phrases[i] if i >= 0 else () for g, i in enumerate(best)]


def _exclusivity(options: Sequence[Options], picked: Sequence[int], sizes: Sequence[int]) -> float:
    shares = [
        s * o.inside[i] / o.total[i]
        for o, i, s in zip(options, picked, sizes, strict=True)
        if i >= 0
    ]
    return float(sum(shares)) / max(sum(sizes), 1)


def _pick(options: Sequence[Options], sizes: Sequence[int], weight: float) -> list[int]:
    """Return each group's best option at ``weight`` (-1 for none), phrases distinct.

    Larger groups choose first (their names weigh more); a group's option is at least
    :data:`MIN_EXCLUSIVITY` exclusive when one is, else at least :data:`LEAST_EXCLUSIVITY`
    when one is; a less exclusive name is a last resort, better than none.
    One-word names are capped at :data:`ONE_WORD_SHARE` of the groups, but for a group
    nothing else can name.
    """
    one_word_left = int(ONE_WORD_SHARE * len(sizes))
    taken: set[int] = set()
    picked = [-1] * len(sizes)
    for g in sorted(range(len(sizes)), key=lambda g: (-sizes[g], g)):
        found = options[g]
        if not found.phrases:
            continue
        values = found.values(sizes[g], weight)
        exclusive = found.inside / found.total
        # Tier 0: exclusive enough; 1: less so; 2: a last resort.
        tier = 2 - (exclusive >= MIN_EXCLUSIVITY) - (exclusive >= LEAST_EXCLUSIVITY)
        # A lone word over the cap names a group that nothing else can name.
        spare = -1
        for i in np.lexsort((np.arange(len(values)), -values, tier)).tolist():
            phrases = found.phrases[i]
            if taken.intersection(phrases):
                continue
            one_word = len(phrases) == 1 and found.alone[i] == 1
            if one_word and one_word_left <= 0:
                spare = i if spare < 0 else spare
                continue
            one_word_left -= one_word
            picked[g] = i
            break
        else:
            picked[g] = spare
        if picked[g] >= 0:
            taken.update(found.phrases[picked[g]])
    return picked

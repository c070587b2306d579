"""The ways to name one group of papers: its most promising phrases, alone and in pairs, with
the counts a name's value is read from (papers of the group and of the corpus holding one).

A name's value is ``coverage + TITLE_WEIGHT * title coverage + weight * exclusivity``, less a
cost for a second phrase and for a lone word; :mod:`digest.themes.naming` chooses the weight.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digest.themes.nameable import Nameable
from digest.themes.phrases import PhraseTable

#: Candidate phrases per group, tried alone and in pairs.
PAIR_CANDIDATES = 30

#: A phrase must be in this share of a group's papers (and two of them) to name it.
MIN_COVERAGE = 0.03

#: What a second phrase costs: it must add this much to the value of a name.
SECOND_PHRASE_COST = 0.06

#: What a one-word phrase costs: a lone word says less than a term.
ONE_WORD_COST = 0.05

#: Weight of title coverage (share of the group's papers with a phrase of the name in their
#: title): papers put what they are about in their title.
TITLE_WEIGHT = 0.5

#: Longest name, in characters: it is a page title and a URL slug.
MAX_NAME = 50


#: One way to name a group: phrases, papers of the group with one, papers of the corpus with
#: one, papers of the group with one in the title, one-word phrases, 1 for a pair.
_Found = tuple[tuple[int, ...], float, float, float, int, int]


@dataclass(frozen=True)
class Options:
    """The ways to name one group: phrase tuples (table indices) and their joint counts."""

    phrases: list[tuple[int, ...]]
    inside: NDArray[np.float64]  # papers of the group containing a phrase
    total: NDArray[np.float64]  # papers of the corpus containing a phrase
    titled: NDArray[np.float64]  # papers of the group with a phrase in their title
    alone: NDArray[np.float64]  # phrases of one word
    second: NDArray[np.float64]  # 1 for pairs

    def values(self, size: int, weight: float) -> NDArray[np.float64]:
        """Return ``coverage + TITLE_WEIGHT * title coverage + weight * exclusivity - costs``."""
        return (
            (self.inside + TITLE_WEIGHT * self.titled) / size
            + weight * self.inside / self.total
            - SECOND_PHRASE_COST * self.second
            - ONE_WORD_COST * self.alone
        )


def inside_counts(
    table: PhraseTable, labels: NDArray[np.int64], k: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return (phrases x groups) matrices: papers of each group containing each phrase, in
    title or abstract, and in the title."""
    phrase_of = np.repeat(np.arange(len(table.df)), table.df)
    group = labels[table.docs]
    keep = group >= 0
    flat = phrase_of[keep] * k + group[keep]
    size = len(table.df) * k
    inside = np.bincount(flat, minlength=size).reshape(len(table.df), k)
    # Counted, not summed as weights: no table of doubles (phrases x groups) and its copy.
    titled = np.bincount(flat[table.titled[keep]], minlength=size)
    return inside, titled.reshape(len(table.df), k)


def name_options(
    table: PhraseTable,
    member: NDArray[np.bool_],
    inside: NDArray[np.int64],
    inside_title: NDArray[np.int64],
    size: int,
    nameable: Nameable,
    pairs: bool = True,
    least: int | None = None,
    limit: int = PAIR_CANDIDATES,
) -> Options:
    """Return the ways to name one group: its best ``limit`` phrases alone and in pairs."""
    if size == 0:
        return Options([], *(np.zeros(0) for _ in range(5)))
    least = least if least is not None else max(2, math.ceil(MIN_COVERAGE * size))
    exclusive = inside / np.maximum(table.df, 1)
    possible = np.flatnonzero(inside >= least)
    # Most promising first: covering many papers, in their titles, mostly inside the group.
    promise = (inside[possible] + TITLE_WEIGHT * inside_title[possible]) / max(size, 1)
    promise += exclusive[possible]
    candidates: list[int] = []
    for phrase in possible[np.lexsort((possible, -promise))].tolist():
        if nameable(phrase):
            candidates.append(phrase)
            if len(candidates) == limit:
                break
    # Joint counts of candidate pairs, over the papers holding any candidate only.
    docs = [table.documents(p) for p in candidates]
    columns = np.unique(np.concatenate(docs)) if docs else np.zeros(0, np.int32)
    rows = np.zeros((len(candidates), len(columns)), np.float32)
    titled = np.zeros((len(candidates), len(columns)), np.float32)
    for row, (phrase, holding) in enumerate(zip(candidates, docs, strict=True)):
        at = np.searchsorted(columns, holding)
        rows[row, at] = 1.0
        titled[row, at[table.titles_of(phrase)]] = 1.0
    inner = member[columns]
    both = rows @ rows.T
    both_inside = rows[:, inner] @ rows[:, inner].T
    both_titled = titled[:, inner] @ titled[:, inner].T
    alone = [int(table.length[p] == 1) for p in candidates]
    found: list[_Found] = [
        ((p,), inside[p], table.df[p], inside_title[p], alone[i], 0)
        for i, p in enumerate(candidates)
    ]
    if pairs:
        joint = (both, both_inside, both_titled)
        found += _pairs(table, candidates, inside, inside_title, joint, alone, nameable)
    counts = [np.asarray([f[k] for f in found], np.float64) for k in range(1, 6)]
    return Options([tuple(int(p) for p in f[0]) for f in found], *counts)


def _pairs(
    table: PhraseTable,
    candidates: Sequence[int],
    inside: NDArray[np.int64],
    inside_title: NDArray[np.int64],
    joint: tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]],
    alone: Sequence[int],
    nameable: Nameable,
) -> list[_Found]:
    """Return the candidates' pairs that may name a group, with their joint counts.

    ``joint`` holds the papers with both phrases: in the corpus, in the group, and with both
    in the title, as (candidates x candidates) matrices.
    """
    both, both_inside, both_titled = joint
    stems = [{w[:5] for w in table.key(p).split()} for p in candidates]
    found: list[_Found] = []
    for i, first in enumerate(candidates):
        for j in range(i + 1, len(candidates)):
            second = candidates[j]
            # "Optimal transport and optimal control" repeats itself (so does "automata and
            # automaton"); two lone words ("channel and capacity") name nothing precise.
            if stems[i] & stems[j] or (alone[i] and alone[j]):
                continue
            if len(nameable.surface(first)) + len(nameable.surface(second)) + 5 > MAX_NAME:
                continue
            pair = (first, second) if inside[first] >= inside[second] else (second, first)
            found.append(
                (
                    pair,
                    inside[first] + inside[second] - both_inside[i, j],
                    table.df[first] + table.df[second] - both[i, j],
                    inside_title[first] + inside_title[second] - both_titled[i, j],
                    alone[i] + alone[j],
                    1,
                )
            )
    return found


def display(nameable: Nameable, phrases: Sequence[int]) -> str:
    """Join the phrases' surface forms, the name in sentence case."""
    name = " and ".join(s for s in (nameable.surface(p) for p in phrases) if s)
    return name[:1].upper() + name[1:]

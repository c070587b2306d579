"""Name a fresh grouping's clusters, moving border papers to the theme whose name they carry.

k-means draws borders by the whole vocabulary; names are phrases. A paper near a border that
says what the next theme is named ("sensor networks") and nothing its own theme is named for
reads as a member of the next one: moving it makes both names truer (bench/theme_names.py) at
almost no cost in AMI against arXiv categories.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from digest.themes.clustering import centroid
from digest.themes.naming import Name, hits, name_groups
from digest.themes.phrases import PhraseTable, count_phrases

#: Rounds of moving papers that carry no phrase of their theme's name to a theme whose name
#: they carry (then naming again); see move_to_named.
NAME_MOVES = 2
#: ... when the paper is at least this close to that theme's centre, relative to its own.
NAME_MOVE_CLOSENESS = 0.8
#: Beyond this many papers, themes are named from a sample of them (see naming_sample):
#: counting the phrases of 20,000 papers peaks 430 MB above the texts, of 10,000 220 MB.
NAMING_SAMPLE = 10_000
NAMING_HEAD = 60


def name_clusters(
    titles: Sequence[str],
    abstracts: Sequence[str],
    clusters: list[list[int]],
    vectors: NDArray[np.float64],
    settings: tuple[int, int],
    language: str,
    moves: bool,
) -> tuple[list[list[int]], list[Name], PhraseTable]:
    """Name the clusters by their papers' phrases; with ``moves``, first move papers that
    carry another theme's name to it (see :func:`move_to_named`), naming again after each
    round. ``settings`` are the most phrases a name has and the fewest papers a theme holds.

    Returns the clusters, their names, and the phrase table that typical_first reads.
    """
    max_phrases, min_size = settings
    table = count_phrases(titles, abstracts, language, naming_sample(clusters, vectors))
    found = name_groups(clusters, titles, abstracts, table, max_phrases=max_phrases)
    for _ in range(NAME_MOVES if moves and len(clusters) > 1 and len(vectors) else 0):
        moved = move_to_named(clusters, vectors, found, table, min_size)
        if moved == clusters:
            break
        clusters = moved
        found = name_groups(clusters, titles, abstracts, table, max_phrases=max_phrases)
    return clusters, found, table


def naming_sample(
    clusters: Sequence[Sequence[int]], vectors: NDArray[np.float64]
) -> list[int] | None:
    """Return the papers whose phrases name the themes of a large corpus (None: all of them).

    Counting phrases costs time in proportion to the papers; beyond NAMING_SAMPLE papers,
    names are chosen from an evenly spread sample (shares of a theme's papers are estimated
    as well from a few hundred of them), plus each theme's NAMING_HEAD papers nearest its
    centre, which head its page and so must be known to carry its name or not.
    """
    n = len(vectors)
    if n <= NAMING_SAMPLE:
        return None
    chosen = set(range(0, n, math.ceil(n / NAMING_SAMPLE)))
    for members in clusters:
        sims = vectors[list(members)] @ centroid(vectors, members)
        nearest = np.lexsort((np.asarray(members), -sims.round(9)))[:NAMING_HEAD]
        chosen.update(members[j] for j in nearest.tolist())
    return sorted(chosen)


def move_to_named(
    clusters: Sequence[Sequence[int]],
    vectors: NDArray[np.float64],
    names: Sequence[Name],
    table: PhraseTable,
    min_size: int,
) -> list[list[int]]:
    """Move each paper that carries no phrase of its theme's name to the theme whose name it
    carries, when it is nearly as close to that theme's centre as to its own
    (:data:`NAME_MOVE_CLOSENESS`). No theme drops below ``min_size``.
    """
    n, k = len(vectors), len(clusters)
    label = np.full(n, -1, np.int64)
    for g, members in enumerate(clusters):
        label[list(members)] = g
    carries = np.zeros((n, k), bool)
    for g, name in enumerate(names):
        carries[:, g] = hits(table, name)[0]
    centres = np.array([centroid(vectors, c) for c in clusters])
    near = np.where(carries, vectors @ centres.T, -np.inf)
    target = near.argmax(axis=1)
    rows = np.arange(n)
    own = (vectors * centres[np.maximum(label, 0)]).sum(axis=1)
    move = (
        (label >= 0)
        & ~carries[rows, np.maximum(label, 0)]
        & carries.any(axis=1)
        & (near[rows, target] >= NAME_MOVE_CLOSENESS * own)
        & (own > 0)
    )
    sizes = np.bincount(label[label >= 0], minlength=k)
    new = label.copy()
    for i in np.flatnonzero(move).tolist():
        if sizes[label[i]] > min_size:
            sizes[label[i]] -= 1
            new[i] = target[i]
    return [np.flatnonzero(new == g).tolist() for g in range(k)]

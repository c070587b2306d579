"""Spherical k-means on unit vectors, with size limits: the numeric core of theme grouping.

Pure numpy. Every random choice comes from a generator seeded with a constant, so the same
vectors always give the same clusters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from digest.config import ThemeConfig

SEED = 20240601
RESTARTS = 8
MAX_ITERATIONS = 50

Vectors = NDArray[np.float64]


def choose_k(n: int, settings: ThemeConfig) -> int:
    """Return the number of themes for ``n`` papers: about sqrt(n/2), within the bounds."""
    k = min(settings.max_themes, max(settings.min_themes, round(math.sqrt(n / 2))))
    return max(1, min(k, n // settings.min_size))


def cluster(
    vectors: Vectors, settings: ThemeConfig, total: int, warm: Sequence[Vectors] = ()
) -> list[list[int]]:
    """Group rows of ``vectors``; split clusters over the size cap, merge those under the floor.

    ``warm`` are centres to start from (the previous build's themes): starting there, k-means
    moves a theme only as far as the new papers pull it, so themes and their URLs stay put.
    """
    n = len(vectors)
    k = choose_k(n, settings)
    if warm:
        k = max(k, min(len(warm), n // settings.min_size))
        labels = _lloyd(vectors, _warm_centres(vectors, list(warm)[:k], k))
    else:
        labels = kmeans(vectors, k)
    clusters = [sorted(np.flatnonzero(labels == c).tolist()) for c in range(k)]
    cap = max(settings.min_size, math.floor(settings.max_share * total))
    clusters = _split_oversized([c for c in clusters if c], vectors, cap, settings.min_size)
    return _merge_small(clusters, vectors, settings.min_size, cap)


def kmeans(vectors: Vectors, k: int, restarts: int = RESTARTS) -> NDArray[np.int64]:
    """Return labels of the best of several seeded spherical k-means runs (by cohesion)."""
    rng = np.random.default_rng(SEED)
    best_labels = np.zeros(len(vectors), dtype=np.int64)
    best_score = -np.inf
    for _ in range(restarts):
        centres = _plus_plus(vectors, k, rng)
        labels = _lloyd(vectors, centres)
        score = float((vectors * _centres_of(vectors, labels, centres)[labels]).sum())
        if score > best_score + 1e-9:
            best_score, best_labels = score, labels
    return best_labels


def _lloyd(vectors: Vectors, centres: Vectors) -> NDArray[np.int64]:
    """Run spherical k-means from ``centres`` until assignments stop changing."""
    labels = np.full(len(vectors), -1, dtype=np.int64)
    for _ in range(MAX_ITERATIONS):
        new = (vectors @ centres.T).argmax(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        centres = _centres_of(vectors, labels, centres)
    return labels


def _centres_of(vectors: Vectors, labels: NDArray[np.int64], old: Vectors) -> Vectors:
    centres = old.copy()
    for c in range(len(old)):
        members = vectors[labels == c]
        if len(members):
            total = members.sum(axis=0)
            centres[c] = total / (np.linalg.norm(total) or 1.0)
    return centres


def _warm_centres(vectors: Vectors, warm: list[Vectors], k: int) -> Vectors:
    """Start from the given centres and add k-means++ picks for any themes still missing."""
    return _add_centres(vectors, list(warm), k, np.random.default_rng(SEED))


def _plus_plus(vectors: Vectors, k: int, rng: np.random.Generator) -> Vectors:
    return _add_centres(vectors, [vectors[rng.integers(len(vectors))]], k, rng)


def _add_centres(
    vectors: Vectors, centres: list[Vectors], k: int, rng: np.random.Generator
) -> Vectors:
    """k-means++: add centres far from the chosen ones, with probability by squared distance."""
    while len(centres) < k:
        distance = 1.0 - np.max(vectors @ np.array(centres).T, axis=1)
        distance = np.clip(distance, 0, None) ** 2
        total = distance.sum()
        pick = (
            rng.choice(len(vectors), p=distance / total)
            if total > 0
            else rng.integers(len(vectors))
        )
        centres.append(vectors[pick])
    return np.array(centres, dtype=np.float64)


def _split_oversized(
    clusters: list[list[int]], vectors: Vectors, cap: int, min_size: int
) -> list[list[int]]:
    result: list[list[int]] = []
    queue = list(clusters)
    while queue:
        members = queue.pop()
        if len(members) <= cap or len(members) < 2 * min_size:
            result.append(members)
            continue
        labels = kmeans(vectors[members], 2, restarts=4)
        halves = [[members[i] for i in np.flatnonzero(labels == c)] for c in (0, 1)]
        if min(len(h) for h in halves) == 0:
            # Identical vectors: cut in two by position to respect the cap.
            halves = [members[: len(members) // 2], members[len(members) // 2 :]]
        queue.extend(halves)
    return sorted(result, key=lambda c: c[0])


def _merge_small(
    clusters: list[list[int]], vectors: Vectors, min_size: int, cap: int
) -> list[list[int]]:
    """Move members of clusters under ``min_size`` to the nearest cluster with room."""
    big = [c for c in clusters if len(c) >= min_size]
    small = [i for c in clusters if len(c) < min_size for i in c]
    if not big:
        return [sorted(small)] if small else []
    for i in sorted(small):
        centres = np.array([centroid(vectors, c) for c in big])
        order = np.argsort(-(centres @ vectors[i]), kind="stable")
        target = next((int(t) for t in order if len(big[t]) < cap), int(order[0]))
        big[target].append(i)
    return [sorted(c) for c in big]


def centroid(vectors: Vectors, members: Sequence[int]) -> Vectors:
    """Return the unit-length mean direction of the given rows."""
    centre: Vectors = vectors[list(members)].sum(axis=0)
    norm = float(np.linalg.norm(centre))
    return centre / norm if norm else centre

""" "For you": a day's papers ranked for a reader, from the papers the reader likes.

arxiv-sanity's idea (a classifier of the liked papers against all others), on the points of
:mod:`digest.themes.related` with Newton steps of a logistic regression instead of an SVM on
TF-IDF; bench/related.py measures it against the centroid of the liked papers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    # SciPy takes 0.2 s to import: only builds that relate papers pay for it.
    from scipy import sparse

#: L2 penalty and Newton steps of the reader's logistic regression, and at most this many
#: papers (evenly spaced) stand for "everything else".
PENALTY = 0.1
NEWTON_STEPS = 6
POOL = 20_000
#: How much a paper's score takes from its related papers' at each of SPREAD_STEPS steps.
SPREAD = 0.5
SPREAD_STEPS = 3


@dataclass(frozen=True)
class Ranked:
    """A candidate's place for the reader: its row, score, and the liked row it is closest to."""

    row: int
    score: float
    why: int


def rank(
    points: NDArray[np.float32],
    liked: Sequence[int],
    candidates: Sequence[int],
    related: Sequence[Sequence[int]] | None = None,
) -> list[Ranked]:
    """Rank ``candidates`` (rows of ``points``) for a reader who liked ``liked``, best first.

    ``related`` are each row's related rows (none: no smoothing). Liked papers are never
    ranked; ties go to the smaller row.
    """
    liked_rows = sorted(set(liked))
    taken = set(liked_rows)
    ranked = np.array(sorted({c for c in candidates if c not in taken}), dtype=np.int64)
    if not liked_rows or not len(ranked):
        return []
    scores = scores_for(points, liked_rows)
    if related is not None:
        scores = spread(scores, graph(points, related))
    scores = scores[ranked]
    near = points[ranked].astype(np.float64) @ points[liked_rows].astype(np.float64).T
    why = np.array(liked_rows)[near.argmax(axis=1)]
    order = np.lexsort((ranked, -scores))
    return [Ranked(int(ranked[i]), float(scores[i]), int(why[i])) for i in order]


def scores_for(points: NDArray[np.float32], liked: Sequence[int]) -> NDArray[np.float64]:
    """Return every row's score for a reader who liked rows ``liked`` (higher is closer)."""
    weights = _reader_model(points, list(liked))
    scores: NDArray[np.float64] = points.astype(np.float64) @ weights[:-1] + weights[-1]
    return scores


def graph(points: NDArray[np.float32], related: Sequence[Sequence[int]]) -> sparse.csr_matrix:
    """Return the row-normalised, symmetric graph of related lists, weighted by cosine (>= 0)."""
    from scipy import sparse

    rows = np.array([i for i, found in enumerate(related) for _ in found], dtype=np.int64)
    cols = np.array([j for found in related for j in found], dtype=np.int64)
    weights = np.einsum("id,id->i", points[rows], points[cols]).astype(np.float64)
    n = len(points)
    matrix = sparse.csr_matrix((np.maximum(weights, 0.0), (rows, cols)), shape=(n, n))
    matrix = matrix.maximum(matrix.T).tocsr()
    sums = np.asarray(matrix.sum(axis=1)).ravel()
    sums[sums == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / sums) @ matrix)


def spread(scores: NDArray[np.float64], matrix: sparse.csr_matrix) -> NDArray[np.float64]:
    """Return standardised ``scores`` after SPREAD_STEPS steps of taking SPREAD of the
    neighbours' (a paper with no neighbours keeps a share of its own)."""
    own = (scores - scores.mean()) / max(float(scores.std()), 1e-12)
    current = own
    for _ in range(SPREAD_STEPS):
        current = (1.0 - SPREAD) * own + SPREAD * (matrix @ current)
    result: NDArray[np.float64] = current
    return result


def _reader_model(points: NDArray[np.float32], liked: list[int]) -> NDArray[np.float64]:
    """Return the weights (bias last) of an L2-regularised, class-balanced logistic regression
    of the liked rows against the others (at most POOL of them, evenly spaced)."""
    others = np.setdiff1d(np.arange(len(points)), liked)
    if len(others) > POOL:
        others = others[np.linspace(0, len(others) - 1, POOL).astype(np.int64)]
    rows = np.concatenate([np.array(liked, dtype=np.int64), others])
    x = np.hstack([points[rows].astype(np.float64), np.ones((len(rows), 1))])
    y = np.zeros(len(rows))
    y[: len(liked)] = 1.0
    sample = np.where(y == 1.0, 1.0 / len(liked), 1.0 / max(len(others), 1))
    penalty = PENALTY * np.eye(x.shape[1])
    penalty[-1, -1] = 0.0
    w = np.zeros(x.shape[1])
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (sample * (p - y)) + penalty @ w
        hessian = (x * (sample * p * (1.0 - p))[:, None]).T @ x + penalty
        w -= np.linalg.solve(hessian, gradient)
    return w

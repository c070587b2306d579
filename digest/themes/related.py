"""Related papers: where papers sit for relatedness, and each paper's nearest papers.

The input is a matrix of unit paper vectors (:mod:`digest.themes.vectors`' LSA coordinates)
and each paper's author names. Text alone puts a paper next to papers that share its words;
bench/related.py measured that papers sharing an author are more often on the same subject
than a paper's five nearest texts, so each vector first borrows from the papers of its
authors and from its ten nearest texts (two steps of feature propagation on that graph).
Related papers and "For you" (:mod:`digest.themes.foryou`) are cosine searches in that space.

The papers of the last regrouping (the *batch*) are placed together (:func:`embed`); any other
paper borrows from batch papers only (:func:`place`), so its place depends on the batch and
its own text and authors, never on which other papers came on which day: recomputed from the
kept state, it is the same. Everything is block by block, so 100,000 papers fit in memory.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    # SciPy takes 0.2 s to import: only builds that relate papers pay for it.
    from scipy import sparse

#: Dimensions are weighted by (column norm) ** SHARPEN: LSA's strong directions, which separate
#: broad fields, count a little more than in the plain coordinates (bench/related.py).
SHARPEN = 0.5
#: Text neighbours each paper borrows from, and how much the graph's two parts weigh.
NEIGHBOURS = 10
TEXT_WEIGHT = 0.5
AUTHOR_WEIGHT = 1.0
STEPS = 2
#: Related papers shown on a card; the fourth and fifth only when at least KEEP_RATIO as
#: similar as the first, so a weak match is left out rather than shown.
SHOWN = 5
MIN_SHOWN = 3
KEEP_RATIO = 0.85
#: A new paper enters an older paper's list only when this much more similar (cosine) than
#: the weakest paper there: old cards rarely change (bench/related.py measures how often).
MARGIN = 0.15
#: Rows of a similarity block: 1,024 x 100,000 float32 is 400 MB.
BLOCK = 1024
#: Cells of a top-k search block (rows x papers).
CELLS = 1 << 22

Matrix = NDArray[np.float32]


@dataclass(frozen=True, eq=False)
class Embedding:
    """The batch's papers placed for relatedness, and what places other papers among them.

    ``weights`` sharpen new vectors, ``sharp`` is where their text neighbours are found,
    ``smooth`` what they borrow, ``centre`` what :func:`points` takes away. Rows are papers.
    """

    weights: Matrix
    centre: Matrix
    sharp: Matrix
    smooth: Matrix


def author_key(name: str) -> str:
    """Return an author's name folded for matching: accents, dots, case and spacing ignored."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(ascii_name.replace(".", " ").lower().split())


def author_keys(names: Sequence[str]) -> tuple[str, ...]:
    """Return a paper's folded author names, sorted, each once."""
    return tuple(sorted({k for k in map(author_key, names) if k}))


def embed(
    vectors: NDArray[np.floating],
    authors: Sequence[Sequence[str]],
    sharpen: float | None = None,
) -> Embedding:
    """Place the batch's papers: sharpen (by column norm ** ``sharpen``, SHARPEN unless
    given), propagate over authors and text neighbours."""
    vectors = np.asarray(vectors, dtype=np.float64)
    weights = np.linalg.norm(vectors, axis=0) ** (SHARPEN if sharpen is None else sharpen)
    weights = weights / max(float(weights.max(initial=0.0)), 1e-12)
    sharp = _unit_in_place(vectors * weights)
    keys = [author_keys(a) for a in authors]
    single = sharp.astype(np.float32)
    text = _text_graph(single, single, 0)
    del single
    text = _row_normalised(text.maximum(text.T).tocsr())
    by_author = _row_normalised(_author_graph(keys, keys, exclude_self=True))
    smooth = sharp
    for _ in range(STEPS):
        # sharp + AUTHOR_WEIGHT * (by_author @ smooth) + TEXT_WEIGHT * (text @ smooth), in
        # place: the same operations in the same order (so the same bits), with two arrays as
        # large as the papers' vectors at a time rather than four.
        step = by_author @ smooth
        step *= AUTHOR_WEIGHT
        step += sharp
        borrowed = text @ smooth
        borrowed *= TEXT_WEIGHT
        step += borrowed
        del borrowed
        smooth = _unit_in_place(step)
    centre = smooth.mean(axis=0) if len(smooth) else np.zeros(vectors.shape[1])
    return Embedding(
        weights.astype(np.float32),
        centre.astype(np.float32),
        sharp.astype(np.float32),
        smooth.astype(np.float32),
    )


def points(embedding: Embedding, smooth: NDArray[np.floating] | None = None) -> Matrix:
    """Return the unit vectors that related papers and "For you" compare (centred)."""
    rows = embedding.smooth if smooth is None else smooth
    # In place on one copy: the same bits as unit(rows - centre).
    centred = np.array(rows, dtype=np.float64)
    centred -= embedding.centre
    return _unit_in_place(centred).astype(np.float32)


def place(
    batch: Embedding,
    batch_authors: Sequence[tuple[str, ...]],
    vectors: NDArray[np.floating],
    authors: Sequence[Sequence[str]],
) -> Matrix:
    """Return the points of papers outside the batch: each borrows from batch papers only.

    ``batch_authors`` are the batch's folded author names (:func:`author_keys`). Neighbours
    are picked in float32 among many and ranked in float64, and the point is computed in
    float64, rounded to float32 at the end: a paper placed alone or among others gets the same
    bits (a cached row equals a recomputed one).
    """
    if not len(vectors):
        return np.zeros((0, batch.smooth.shape[1]), dtype=np.float32)
    sharp = unit(np.asarray(vectors, dtype=np.float64) * batch.weights)
    text = _row_normalised(_near_batch(sharp, batch.sharp))
    keys = [author_keys(a) for a in authors]
    by_author = _row_normalised(_author_graph(keys, batch_authors, exclude_self=False))
    used = np.union1d(text.indices, by_author.indices).astype(np.int64)
    base = batch.smooth[used].astype(np.float64)
    borrowed = AUTHOR_WEIGHT * (by_author[:, used] @ base) + TEXT_WEIGHT * (text[:, used] @ base)
    return points(batch, unit(sharp + borrowed))


def _near_batch(queries: NDArray[np.float64], base: Matrix) -> sparse.csr_matrix:
    """Return the NEIGHBOURS nearest batch rows of each query, weighted by cosine (>= 0).

    Candidates come from a float32 search four times as wide; their cosines are computed
    again in float64, which a float32 rounding difference cannot reorder.
    """
    from scipy import sparse

    k = min(NEIGHBOURS, len(base))
    shape = (len(queries), len(base))
    if k < 1:
        return sparse.csr_matrix(shape, dtype=np.float64)
    wide, _ = _top_k(queries.astype(np.float32), base, min(4 * NEIGHBOURS, len(base)), None)
    exact = np.einsum("id,ikd->ik", queries, base[wide].astype(np.float64))
    order = np.lexsort((wide, -exact), axis=1)[:, :k]
    indices = np.take_along_axis(wide, order, axis=1)
    values = np.maximum(np.take_along_axis(exact, order, axis=1), 0.0)
    rows = np.repeat(np.arange(len(queries)), k)
    return sparse.csr_matrix((values.ravel(), (rows, indices.ravel())), shape=shape)


def nearest(
    queries: Matrix, base: Matrix, first: int | None, k: int = SHOWN
) -> tuple[NDArray[np.int64], NDArray[np.floating]]:
    """Return, for each query, the ``k`` most similar rows of ``base`` and their cosines,
    best first, ties by index. Query ``i`` is row ``first + i`` of ``base``, never its own
    neighbour. Block by block: memory is BLOCK x len(base)."""
    return _top_k(queries, base, k, first)


def entrants(
    rows: Matrix, weakest: NDArray[np.floating], new: Matrix
) -> list[tuple[int, NDArray[np.int64], Matrix]]:
    """Return, for each of ``rows`` (older papers) that a new paper is clearly closer to than
    the weakest of its list (``weakest``, by row), (row, new indices, cosines): at most the
    SHOWN closest new papers, ties by index."""
    found = []
    for begin in range(0, len(rows), BLOCK):
        block = rows[begin : begin + BLOCK] @ new.T
        limit = np.asarray(weakest[begin : begin + len(block)], dtype=np.float32)[:, None]
        hits = block > limit + MARGIN
        for row in np.flatnonzero(hits.any(axis=1)):
            cols = np.flatnonzero(hits[row])
            if len(cols) > SHOWN:  # only the closest can make a list of SHOWN
                cols = cols[np.lexsort((cols, -block[row, cols]))[:SHOWN]]
            found.append((begin + int(row), cols.astype(np.int64), block[row, cols]))
    return found


def shown(indices: Sequence[int], sims: Sequence[float]) -> list[int]:
    """Return the related papers to show: at least MIN_SHOWN, more only when nearly as close."""
    keep = min(MIN_SHOWN, len(indices))
    while keep < len(indices) and sims[0] > 0 and sims[keep] >= KEEP_RATIO * sims[0]:
        keep += 1
    return list(indices[:keep])


def _author_graph(
    queries: Sequence[tuple[str, ...]], base: Sequence[tuple[str, ...]], *, exclude_self: bool
) -> sparse.csr_matrix:
    """Return how many authors each query paper shares with each base paper (itself left out
    when ``exclude_self``: queries are then the base).

    The product of two paper-by-author incidence matrices: a prolific author links every pair
    of their papers, and a dict of pairs grew quadratically with them (a replicated corpus of
    100,000 papers has 20 million pairs: gigabytes as Python objects, 12 bytes each here).
    """
    from scipy import sparse

    column: dict[str, int] = {}
    for row in queries:
        for a in row:
            column.setdefault(a, len(column))
    shape = (len(queries), len(base))
    if not column:
        return sparse.csr_matrix(shape, dtype=np.float64)
    shared = _incidence(queries, column) @ _incidence(base, column).T
    shared = sparse.csr_matrix(shared, dtype=np.float64)
    if exclude_self:
        rows = np.repeat(np.arange(shape[0]), np.diff(shared.indptr))
        shared.data[rows == shared.indices] = 0.0
        shared.eliminate_zeros()
    shared.sort_indices()
    return shared


def _incidence(papers: Sequence[tuple[str, ...]], column: dict[str, int]) -> sparse.csr_matrix:
    """Return the papers-by-authors matrix of ``papers`` (1 where a paper has the author; only
    the authors in ``column``)."""
    from scipy import sparse

    cols = [column[a] for row in papers for a in row if a in column]
    counts = [sum(a in column for a in row) for row in papers]
    indptr = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
    data = np.ones(len(cols), dtype=np.float64)
    return sparse.csr_matrix((data, cols, indptr), shape=(len(papers), len(column)))


def _text_graph(
    queries: NDArray[np.floating], base: NDArray[np.floating], first: int | None
) -> sparse.csr_matrix:
    """Return the NEIGHBOURS nearest rows of ``base`` for each query (weights: cosine >= 0)."""
    from scipy import sparse

    size = len(base) - (0 if first is None else 1)
    k = min(NEIGHBOURS, size)
    shape = (len(queries), len(base))
    if k < 1:
        return sparse.csr_matrix(shape, dtype=np.float64)
    indices, sims = _top_k(queries, base, k, first)
    rows = np.repeat(np.arange(len(queries)), k)
    values = np.maximum(sims.ravel(), 0.0).astype(np.float64)
    return sparse.csr_matrix((values, (rows, indices.ravel())), shape=shape, dtype=np.float64)


def _top_k(
    queries: NDArray[np.floating], base: NDArray[np.floating], k: int, first: int | None
) -> tuple[NDArray[np.int64], NDArray[np.floating]]:
    """Return each query's ``k`` most similar rows of ``base``, best first, ties by index.

    With ``first``, query ``i`` is row ``first + i`` of ``base`` and never its own neighbour.
    """
    n = len(queries)
    k = min(k, len(base) - (0 if first is None else 1))
    indices = np.zeros((n, max(k, 0)), dtype=np.int64)
    sims = np.zeros((n, max(k, 0)), dtype=np.result_type(queries, base))
    if k < 1:
        return indices, sims
    # Rows a block: about 4 M cells (16 MB of float32), so that top-k selection over 100,000
    # papers stays in cache (a 500 x 100,000 block took 3 times longer, bench/related.py).
    step = max(1, min(BLOCK, CELLS // max(len(base), 1)))
    for begin in range(0, n, step):
        # Negated in place: argpartition finds the smallest, and no negated copy is made.
        block = np.negative(queries[begin : begin + step] @ base.T)
        count = len(block)
        if first is not None:
            local = np.arange(count)
            block[local, first + begin + local] = np.inf
        width = min(k + 1, block.shape[1])
        part = np.argpartition(block, width - 1, axis=1)[:, :width]
        values = np.take_along_axis(block, part, axis=1)
        order = np.lexsort((part, values), axis=1)
        part = np.take_along_axis(part, order, axis=1)
        values = np.take_along_axis(values, order, axis=1)
        if width > k:
            # argpartition picks arbitrarily among equal values at the k-th place; where the
            # (k+1)-th ties the k-th, take the smallest indices among all rows that tie.
            for row in np.flatnonzero(values[:, k] == values[:, k - 1]):
                tied = np.flatnonzero(block[row] <= values[row, k - 1])
                pick = tied[np.lexsort((tied, block[row, tied]))][:k]
                part[row, :k], values[row, :k] = pick, block[row, pick]
        indices[begin : begin + count] = part[:, :k]
        sims[begin : begin + count] = -values[:, :k]
    return indices, sims


def _row_normalised(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    from scipy import sparse

    sums = np.asarray(matrix.sum(axis=1)).ravel()
    sums[sums == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / sums) @ matrix)


def _unit_in_place(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    """Scale the rows of the float64 ``matrix`` to unit length in place (zero rows stay zero)
    and return it; :func:`unit` does it to a copy."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    matrix /= norms
    return matrix


def unit(matrix: NDArray[np.floating]) -> NDArray[np.float64]:
    """Return the rows of ``matrix`` scaled to unit length (zero rows stay zero), in float64."""
    return _unit_in_place(np.array(matrix, dtype=np.float64))

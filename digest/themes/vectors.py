"""Paper vectors for grouping: TF-IDF over cleaned words and keyword phrases, reduced by LSA.

Measured (bench/themes.py): a paper's top YAKE keywords alone group far worse than its whole text,
so the text carries the grouping and keywords add weight to the phrases YAKE found.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import struct
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from digest.model import Keyword, Paper
from digest.text.cleaning import clean_for_keywords
from digest.text.everyday import zipf_table
from digest.text.words import keyword_key, singular, stopwords

if TYPE_CHECKING:
    from scipy import sparse

_TOKEN = re.compile(r"[^\W\d_][\w-]*[^\W_]|[^\W\d_]", re.UNICODE)
#: How much a YAKE keyword phrase weighs against one occurrence of a plain word.
KEYWORD_WEIGHT = 2.0
TITLE_WEIGHT = 3.0
#: Adjacent content-word pairs ("neural_network") count half as much as single words.
PAIR_WEIGHT = 0.5
LSA_DIMENSIONS = 150
#: Each vector is blended with the mean of its nearest neighbours (see smooth()).
NEIGHBOURS = 15
NEIGHBOUR_WEIGHT = 1.5
#: Cells of the similarity matrix held at once (rows x papers): 32 MB of doubles, and as
#: much again for their order. Rows of 512 were 3 x 80 MB at 20,000 papers, 1.2 GB at 100,000.
_CELLS = 1 << 22
#: TF-IDF matrices up to this many cells (16 MB of doubles) are held dense. Larger ones are
#: sparse, with SciPy, whose import (0.15 s) a small build then never pays.
DENSE_CELLS = 2_000_000
MAX_VOCABULARY = 20_000
#: Grouping weighs a term whose rarest word is everyday English down towards EVERYDAY_FLOOR
#: times its idf, on a logistic curve of the word's Zipf frequency (text/everyday.py) centred on
#: EVERYDAY_MIDPOINT, EVERYDAY_WIDTH wide: "time" (Zipf 6.3) keeps 0.75 of its idf, "show"
#: (5.7) 0.82, "network" (5.0) 0.92, "contribution" (4.3) 0.97, "convolutional" all of it.
#: Cluster AMI over 12 k-means seeds rose on arxiv-cs-2016, both its halves and the Kaggle
#: head (bench/README.md, "a third round"); a strong damping (floor 0.3) lost 0.03 on cs.
EVERYDAY_MIDPOINT = 5.5
EVERYDAY_WIDTH = 0.5
EVERYDAY_FLOOR = 0.7
POWER_ITERATIONS = 4
SEED = 20240601


def terms(paper: Paper, keywords: Sequence[Keyword], language: str) -> dict[str, float]:
    """Return a paper's term counts: content words and word pairs, plus keyword phrases.

    The title weighs three times a sentence of the abstract: it is what the paper is about.
    Weights were chosen on the theme benchmark (bench/themes.py).
    """
    stop = stopwords(language)
    counts: defaultdict[str, float] = defaultdict(float)
    title = clean_for_keywords(paper.title).lower()
    body = clean_for_keywords(paper.abstract).lower()
    for text, weight in ((title, TITLE_WEIGHT), (body, 1.0)):
        words = [singular(t.replace("-", "")) for t in _TOKEN.findall(text)]
        for word in words:
            if len(word) > 2 and word not in stop:
                counts[word] += weight
        for first, second in itertools.pairwise(words):
            if len(first) > 2 and len(second) > 2 and first not in stop and second not in stop:
                counts[f"{first}_{second}"] += weight * PAIR_WEIGHT
    for kw in keywords:
        if " " in kw.key:
            counts[f"kw:{kw.key}"] += KEYWORD_WEIGHT
    return dict(counts)


@dataclass(frozen=True, eq=False)
class Space:
    """A fitted LSA space: what places a new paper's terms where the corpus's papers are.

    ``components`` maps a normalised TF-IDF row (``vocabulary`` order, ``idf`` weights) to
    the coordinates :func:`fit_lsa` gave the corpus's papers. Between regroupings a daily
    build projects only its new papers into the space fitted at the last full grouping.
    """

    vocabulary: tuple[str, ...]
    idf: NDArray[np.float64]
    components: NDArray[np.float64]

    def project(self, docs: Iterable[Mapping[str, float]]) -> NDArray[np.float64]:
        """Return L2-normalised coordinates of ``docs`` (term counts, see :func:`terms`)."""
        index = {t: i for i, t in enumerate(self.vocabulary)}
        counted = _Counts.of(docs)
        column = np.array([index.get(t, -1) for t in counted.terms], dtype=np.int64)
        matrix = _tfidf(counted, column, self.idf)
        return _normalise(np.asarray(matrix @ self.components))

    def to_bytes(self) -> bytes:
        """Serialise the space (float32: the coordinates are only compared, never summed up)."""
        head = json.dumps(list(self.vocabulary), ensure_ascii=False).encode("utf-8")
        arrays = [self.idf.astype("<f4"), self.components.astype("<f4")]
        dims = self.components.shape[1]
        return b"".join([struct.pack("<II", len(head), dims), head, *(a.tobytes() for a in arrays)])

    @classmethod
    def from_bytes(cls, data: bytes) -> Space:
        """Read :meth:`to_bytes`; raise ValueError when ``data`` is not such a space."""
        try:
            size, dims = struct.unpack_from("<II", data)
            vocabulary = tuple(str(t) for t in json.loads(data[8 : 8 + size].decode("utf-8")))
            values = np.frombuffer(data, dtype="<f4", offset=8 + size).astype(np.float64)
        except (struct.error, UnicodeDecodeError, TypeError) as exc:
            raise ValueError(f"not a stored LSA space: {exc}") from exc
        n = len(vocabulary)
        if values.size != n + n * dims:
            raise ValueError("not a stored LSA space: wrong size")
        return cls(vocabulary, values[:n], values[n:].reshape(n, dims))


@dataclass(frozen=True, eq=False)
class _Counts:
    """Documents' term counts in flat arrays, read one document at a time.

    A dict of terms a paper is about 10 KB (98 MB for 10,000 papers, bench/scale.py); here a
    term of a paper is 8 bytes. Each document's terms are in sorted order, as its TF-IDF
    row's cells are. Counts are kept as the index of their value in ``values``: a paper's
    counts take few values (multiples of the weights), whose logarithms are taken once.
    """

    #: Every term, by id.
    terms: list[str]
    #: The distinct counts, by index.
    values: list[float]
    #: Each document's cells (term id, index of its count), from ``ptr[d]`` to ``ptr[d + 1]``.
    ids: NDArray[np.int32]
    counts: NDArray[np.int32]
    ptr: NDArray[np.int64]

    @classmethod
    def of(cls, docs: Iterable[Mapping[str, float]]) -> _Counts:
        """Count ``docs``, keeping none of them: a generator of them is never held whole."""
        ids: dict[str, int] = {}
        values: dict[float, int] = {}
        cells, counts, ptr = array("i"), array("i"), array("q", [0])
        for doc in docs:
            for term in sorted(doc):
                cells.append(ids.setdefault(term, len(ids)))
                counts.append(values.setdefault(doc[term], len(values)))
            ptr.append(len(cells))
        return cls(
            list(ids),
            list(values),
            np.frombuffer(cells, dtype=np.int32),
            np.frombuffer(counts, dtype=np.int32),
            np.frombuffer(ptr, dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.ptr) - 1


def fit_lsa(
    docs: Iterable[Mapping[str, float]], everyday: str | None = None
) -> tuple[NDArray[np.float64], Space | None]:
    """Return L2-normalised LSA vectors (rows) of sublinear TF-IDF document vectors, and the
    space that projects other documents among them (None when too few to reduce).

    ``everyday``: a language whose everyday words weigh less (:func:`everyday_weights`):
    grouping's vectors pass it, related papers' do not.

    Terms in one document only carry no grouping signal and are dropped, as are terms in more
    than half of all documents; the vocabulary is capped and sorted so the result never depends
    on dict order or ``PYTHONHASHSEED``. Beyond :data:`DENSE_CELLS` the matrix is sparse:
    20,000 papers fit in memory. ``docs`` are read once: pass a generator, and the papers'
    term dicts are never all held at once.
    """
    counted = _Counts.of(docs)
    n = len(counted)
    chosen, idf = _vocabulary(counted)
    vocab = [counted.terms[t] for t in chosen]
    if everyday is not None:
        idf *= everyday_weights(vocab, everyday)
    column = np.full(len(counted.terms), -1, dtype=np.int64)
    column[chosen] = np.arange(len(chosen))
    matrix = _tfidf(counted, column, idf)
    # The counts are as large as the matrix: not held through the decomposition.
    del counted, column
    dims = min(LSA_DIMENSIONS, n - 1, matrix.shape[1] - 1)
    if dims < 2:
        return _normalise(_dense(matrix)), None
    coords, components = _randomized_lsa(matrix, dims)
    return _normalise(coords), Space(tuple(vocab), idf, components)


def _vocabulary(counted: _Counts) -> tuple[list[int], NDArray[np.float64]]:
    """Return the ids of the vocabulary's terms, in the order of the terms, and their idf."""
    n = len(counted)
    df = np.bincount(counted.ids, minlength=len(counted.terms)).tolist()
    eligible = [t for t, c in enumerate(df) if c >= 2 and (n < 20 or c <= n // 2)]
    eligible.sort(key=lambda t: (-df[t], counted.terms[t]))
    chosen = sorted(eligible[:MAX_VOCABULARY], key=counted.terms.__getitem__)
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in chosen], dtype=np.float64)
    return chosen, idf


def everyday_weights(vocabulary: Sequence[str], language: str) -> NDArray[np.float64]:
    """Return each term's idf weight by how everyday its rarest word is in ``language``.

    A word pair or keyword phrase is as everyday as its rarest word; a word the table does not
    list (rarer than Zipf 3, or of a language without a table) weighs exactly 1.
    """
    table = zipf_table(language)
    zipf = np.array(
        [min(table.get(w, 0.0) for w in _words(term)) for term in vocabulary], dtype=np.float64
    )
    curve = EVERYDAY_FLOOR + (1.0 - EVERYDAY_FLOOR) / (
        1.0 + np.exp((zipf - EVERYDAY_MIDPOINT) / EVERYDAY_WIDTH)
    )
    weights: NDArray[np.float64] = np.where(zipf > 0, curve, 1.0)
    return weights


def _words(term: str) -> list[str]:
    """Return the words of a term of :func:`terms`: a word, a word pair or a keyword phrase."""
    return term[3:].split() if term.startswith("kw:") else term.split("_")


def _tfidf(
    counted: _Counts, column: NDArray[np.int64], idf: NDArray[np.float64]
) -> NDArray[np.float64] | sparse.csr_matrix:
    """Return the rows of sublinear TF-IDF weights of the ``counted`` documents, each of unit
    length; ``column`` is each term's column (-1: none)."""
    cols = column[counted.ids]
    keep = cols >= 0
    cols = cols[keep]
    # The logarithm of each distinct count once, by the math module as it always was (numpy's
    # may differ in the last bit), then weighted elementwise: the same bits as per cell.
    logs = np.array([1 + math.log(max(v, 1.0)) for v in counted.values], dtype=np.float64)
    values = logs[counted.counts[keep]] * idf[cols]
    shape = (len(counted), max(1, len(idf)))
    if shape[0] * shape[1] <= DENSE_CELLS:
        rows = np.repeat(np.arange(shape[0]), np.diff(counted.ptr))[keep]
        dense = np.zeros(shape, dtype=np.float64)
        dense[rows, cols] = values
        return _normalise(dense)
    from scipy import sparse

    # A row's columns ascend (its terms are sorted, and so is the vocabulary): the matrix is
    # built in its canonical form directly.
    indptr = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))[counted.ptr]
    matrix = sparse.csr_matrix((values, cols, indptr), shape=shape, dtype=np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


def _randomized_lsa(
    matrix: NDArray[np.float64] | sparse.csr_matrix, dims: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the document coordinates of a rank-``dims`` truncated SVD (U times S), and the
    components (V) that give them from the rows (``matrix @ V``).

    Halko et al.'s randomized range finder with a fixed seed and power iterations: close to
    the exact decomposition and, for a sparse matrix, linear in the number of documents.
    Component signs are fixed so that the result does not depend on the LAPACK build.
    """
    rng = np.random.default_rng(SEED)
    sketch = rng.standard_normal((matrix.shape[1], dims + 10))
    basis, _ = np.linalg.qr(matrix @ sketch)
    # Each array as tall as the papers (or the vocabulary) is let go once used: 25 MB each at
    # 20,000 papers, and seven of them were held to the end.
    del sketch
    # Each power iteration orthonormalises X X^T B, the subspace of the textbook's two
    # half-steps (orthonormalise X^T B, then X times that) without the QR of a matrix as tall
    # as the vocabulary: on the bundled example that QR was 60% of the grouping's time. It
    # squares the singular values, which only loses directions below 1e-8 of the largest:
    # they carry no grouping signal. A dense matrix is small: its Gram matrix is cheaper still.
    if isinstance(matrix, np.ndarray):
        gram = matrix @ matrix.T
        for _ in range(POWER_ITERATIONS):
            basis, _ = np.linalg.qr(gram @ basis)
    else:
        for _ in range(POWER_ITERATIONS):
            product = matrix @ (matrix.T @ basis)
            # The old basis is let go before the QR, which copies its input twice and makes Q:
            # one array as tall as the papers fewer at the peak of a cold build's memory.
            del basis
            basis, _ = np.linalg.qr(product)
            del product
    small = np.asarray((matrix.T @ basis).T)
    u_small, singular, vt = np.linalg.svd(small, full_matrices=False)
    del small
    coords: NDArray[np.float64] = basis @ u_small[:, :dims]
    del basis
    signs = np.sign(coords[np.abs(coords).argmax(axis=0), range(dims)])
    signs[signs == 0] = 1
    # In place, the same products as (u * signs) * singular.
    coords *= signs
    coords *= singular[:dims]
    components: NDArray[np.float64] = vt[:dims].T * signs
    return coords, components


def smooth(vectors: NDArray[np.float64]) -> NDArray[np.float64]:
    """Blend each paper's vector with the mean of its nearest neighbours, then renormalise.

    A short abstract is a noisy sample of its topic; its neighbours fill in the words it did
    not use. On the theme benchmark this adds about 0.015 AMI to k-means. Neighbours are found
    block by block, so memory stays linear in the number of papers.
    """
    n = len(vectors)
    k = min(NEIGHBOURS, n - 1)
    if k < 1:
        return vectors
    means = np.zeros_like(vectors)
    # At least 2 rows: a 1-row block would be a matrix-vector product, another BLAS routine
    # (so a last block of one row joins the one before it).
    step = max(2, _CELLS // n)
    for start in range(0, n, step):
        if n - start == 1 and start > 0:
            break
        stop = n if n - (start + step) == 1 else start + step
        block = vectors[start:stop] @ vectors.T
        block[np.arange(len(block)), np.arange(start, start + len(block))] = -np.inf
        # Negated in place: argpartition finds the smallest, and no negated copy is made.
        nearest = np.argpartition(np.negative(block, out=block), k - 1, axis=1)[:, :k]
        # argpartition's order within the k is arbitrary; the mean does not depend on it.
        means[start : start + len(block)] = vectors[nearest].mean(axis=1)
    # In place, the same sums as vectors + NEIGHBOUR_WEIGHT * means, with no copies.
    means *= NEIGHBOUR_WEIGHT
    means += vectors
    return _normalise(means)


def _dense(matrix: NDArray[np.float64] | sparse.spmatrix) -> NDArray[np.float64]:
    return matrix if isinstance(matrix, np.ndarray) else matrix.toarray()


def _normalise(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: NDArray[np.float64] = matrix / norms
    return normalised


def keyword_phrases(keywords: Sequence[Keyword], language: str) -> set[str]:
    """Return a paper's keyword keys and their sub-phrases that could name a theme.

    "efficient optimal transport" and "neural optimal transport" both contribute
    "optimal transport", which is what a reader would call the shared theme.
    """
    stop = stopwords(language)
    phrases: set[str] = set()
    for kw in keywords:
        words = kw.key.split()
        for size in range(1, len(words) + 1):
            for start in range(len(words) - size + 1):
                part = words[start : start + size]
                if part[0] in stop or part[-1] in stop:
                    continue
                phrases.add(keyword_key(" ".join(part)))
    return phrases

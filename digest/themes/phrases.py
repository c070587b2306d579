"""Candidate name phrases: the word runs of a corpus that could head a theme, counted once.

A candidate is a run of 1 to :data:`MAX_WORDS` words of a title or abstract that neither starts
nor ends in a stop word, never crosses punctuation, never cuts a hyphenated compound, and holds
no stop word inside but "of" ("curse of dimensionality"). Words are compared folded (lower case,
accents off, hyphens as spaces, each word singular), so "Neural Networks" and "neural network"
are one phrase; what readers see is chosen later from the phrase's own occurrences.

Counting is vectorised over the word positions of :mod:`digest.themes.tokens`: every n-gram is a
64-bit polynomial hash of its word ids, sorting the hashes gives each phrase's papers, and the
words around its occurrences say whether it is only part of a longer phrase ("chain Monte
Carlo", nearly always after "Markov").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from digest.themes.tokens import BREAK, Positions, Words, fold_word, tokenise

#: Longest phrase counted, in words (a hyphenated compound counts each of its parts).
MAX_WORDS = 5
#: Longest phrase counted, in units (words or whole hyphenated compounds).
MAX_UNITS = 4
#: Phrases in fewer documents than this are dropped from the table; in a small corpus none
#: are, so a group whose papers share no phrase can still be named by one of them.
MIN_DF = 2
SMALL_CORPUS = 2000

#: Multiplier of the n-gram hash (odd, 64-bit): hash(w1..wn) = ((w1 * P + w2) * P + ...).
_PRIME = np.uint64(0x9E3779B97F4A7C15)
_INNER = "of"


@dataclass(frozen=True, eq=False)
class PhraseTable:
    """Every candidate phrase of a corpus in at least :data:`MIN_DF` documents (any, in a
    corpus of :data:`SMALL_CORPUS` papers or fewer).

    Phrase ``i`` has hash ``hashes[i]`` (sorted), ``df[i]`` documents listed in
    ``docs[doc_ptr[i]:doc_ptr[i + 1]]`` (ascending), ``length[i]`` words, and occurs at the word
    positions ``occurrences[occ_ptr[i]:occ_ptr[i + 1]]``. ``extended[i]`` is the largest share
    of its occurrences with one same word before it, or one same word after it: a phrase nearly
    always extended by the same word is cut from a longer one ("chain Monte Carlo").
    """

    n_docs: int
    #: Which papers were counted (all but those left out of a sample).
    counted: NDArray[np.bool_]
    hashes: NDArray[np.uint64]
    df: NDArray[np.int64]
    length: NDArray[np.int64]
    doc_ptr: NDArray[np.int64]
    docs: NDArray[np.int32]
    #: Aligned with ``docs``: does the paper's title contain the phrase?
    titled: NDArray[np.bool_]
    #: Papers whose title contains each phrase.
    title_df: NDArray[np.int64]
    occ_ptr: NDArray[np.int64]
    occurrences: NDArray[np.int32]
    #: Aligned with ``occurrences``: is the occurrence followed by a content word?
    occ_followed: NDArray[np.bool_]
    extended: NDArray[np.float64]
    #: Share of each phrase's occurrences followed by a content word: "short-term" nearly
    #: always is ("short-term memory"), a phrase that names something seldom is.
    followed: NDArray[np.float64]
    #: Share of each phrase's occurrences after a content word: "laws" nearly always is
    #: ("scaling laws", "power laws"); alone, it names nothing.
    preceded: NDArray[np.float64]
    words: Words = field(repr=False)

    def index(self, key: str) -> int | None:
        """Return the index of the phrase ``key`` ("neural networks"), if counted."""
        words = [fold_word(w) for w in key.replace("-", " ").split()]
        if not words or any(w not in self.words.word_id for w in words):
            return None
        value = 0
        for word in words:
            value = (value * int(_PRIME) + self.words.word_id[word]) % (1 << 64)
        h = np.uint64(value)
        at = int(np.searchsorted(self.hashes, h))
        return at if at < len(self.hashes) and self.hashes[at] == h else None

    def documents(self, phrase: int) -> NDArray[np.int32]:
        """Return the documents containing phrase ``phrase``, ascending."""
        return self.docs[self.doc_ptr[phrase] : self.doc_ptr[phrase + 1]]

    @cached_property
    def phrase_of(self) -> NDArray[np.int64]:
        """Aligned with ``docs``: the phrase each entry belongs to."""
        return np.repeat(np.arange(len(self.df)), self.df)

    @cached_property
    def _by_paper(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The entries (indices into ``docs``) of each paper: a pointer array and the entries."""
        order = np.argsort(self.docs, kind="stable")
        counts = np.bincount(self.docs, minlength=self.n_docs)
        return np.concatenate(([0], np.cumsum(counts))), order

    def phrase_counts(self, papers: NDArray[np.int64]) -> list[tuple[int, int, int]]:
        """Return ``(phrase, papers containing it, papers with it in the title)`` for the phrases
        of ``papers`` (distinct paper indices), by phrase."""
        ptr, order = self._by_paper
        parts = [order[ptr[p] : ptr[p + 1]] for p in papers.tolist()]
        entries = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
        phrases = self.phrase_of[entries]
        found, inverse = np.unique(phrases, return_inverse=True)
        counts = np.bincount(inverse, minlength=len(found))
        titled = np.bincount(inverse, weights=self.titled[entries], minlength=len(found))
        return [
            (int(p), int(c), int(t))
            for p, c, t in zip(found, counts, titled.astype(np.int64), strict=True)
        ]

    def titles_of(self, phrase: int) -> NDArray[np.bool_]:
        """Return, aligned with :meth:`documents`, which of them have the phrase in the title."""
        return self.titled[self.doc_ptr[phrase] : self.doc_ptr[phrase + 1]]

    def key(self, phrase: int) -> str:
        """Return the folded form of a phrase: "markov chain monte carlo"."""
        at = int(self.occurrences[self.occ_ptr[phrase]])
        ids = self.words.fold[at : at + int(self.length[phrase])]
        return " ".join(self.words.names[i] for i in ids.tolist())

    def surface(self, phrase: int, limit: int = 400) -> str:
        """Return the phrase as the corpus writes it: its most common form, in sentence case.

        Acronyms and words with inner capitals keep their form ("LLMs", "LoRA"); a word keeps a
        capital first letter only when the corpus capitalises it inside sentences that are not
        in title case ("Markov", "Bayesian"); everything else is lower case.
        """
        forms: Counter[tuple[str, ...]] = Counter()
        start, stop = int(self.occ_ptr[phrase]), int(self.occ_ptr[phrase + 1])
        at = self.occurrences[start:stop]
        # Where the phrase heads its noun phrase ("graphs", not the "graph" of "graph theory"),
        # it is written as it reads alone.
        heads = at[~self.occ_followed[start:stop]]
        n = int(self.length[phrase])
        for position in (heads if len(heads) else at)[:limit].tolist():
            forms[tuple(self.words.surface(position, n))] += 1
        best = min(forms.items(), key=lambda f: (-f[1], f[0]))[0]
        return " ".join(best).replace(" - ", "-")


def count_phrases(
    titles: Sequence[str],
    abstracts: Sequence[str],
    language: str = "en",
    only: Sequence[int] | None = None,
) -> PhraseTable:
    """Tokenise each paper's title and abstract once and count every candidate phrase's papers.

    ``only`` counts those papers alone (indices into ``titles``): a sample of a large corpus.
    The table still indexes papers as ``titles`` does; the others are not ``counted``.
    """
    if len(titles) != len(abstracts):
        raise ValueError("count_phrases needs one abstract per title")
    chosen = np.arange(len(titles)) if only is None else np.unique(np.asarray(only, np.int64))
    words, positions = tokenise(titles, abstracts, chosen.tolist(), language)
    table = _tabulate(*_ngrams(words, positions), positions, words, len(chosen))
    counted = np.zeros(len(titles), bool)
    counted[chosen] = True
    return replace(
        table, n_docs=len(titles), docs=chosen[table.docs].astype(np.int32), counted=counted
    )


def _ngrams(
    words: Words, at: Positions
) -> tuple[
    NDArray[np.uint64], NDArray[np.int32], NDArray[np.int8], NDArray[np.int32], NDArray[np.int32]
]:
    """Hash every candidate n-gram: return hashes, start positions, lengths, and the content
    words after and before each occurrence (-1 for none), by hash.

    Occurrences come in blocks by length, each in position order, and a phrase has one
    length: a stable sort by hash keeps each phrase's occurrences in position order. Sorted
    here, so that the unsorted arrays are gone before the phrases are tabulated.
    """
    fold = words.fold
    total = len(fold)
    brk, stop, unit_start = at.brk, at.stop, at.unit_start
    of = words.word_id.get(_INNER, -1)
    ok_start = unit_start & ~stop
    ok_end = at.unit_end & ~stop
    ok_inner = ~brk & (~stop | (fold == of))
    units = np.cumsum(unit_start, dtype=np.int32)
    wide = fold.astype(np.uint64)
    found_hash, found_pos, found_len = [], [], []
    h = np.zeros(total, np.uint64)
    mid = np.ones(total, bool)
    for n in range(1, MAX_WORDS + 1):
        span = total - n + 1
        if span <= 0:
            break
        h = h[:span] * _PRIME + wide[n - 1 :]
        # Inner words (not the first or last) may be "of" or part of a compound.
        mid = mid[:span] & ok_inner[n - 2 : n - 2 + span] if n >= 3 else mid[:span]
        n_units = units[n - 1 :] - units[:span] + unit_start[:span]
        valid = ok_start[:span] & ok_end[n - 1 :] & mid & (n_units <= MAX_UNITS)
        pos = np.flatnonzero(valid).astype(np.int32)
        found_hash.append(h[pos])
        found_pos.append(pos)
        found_len.append(np.full(len(pos), n, np.int8))
    del h, mid, wide, units, ok_start, ok_end, ok_inner
    hashes = np.concatenate(found_hash) if found_hash else np.zeros(0, np.uint64)
    positions = np.concatenate(found_pos) if found_pos else np.zeros(0, np.int32)
    lengths = np.concatenate(found_len) if found_len else np.zeros(0, np.int8)
    del found_hash, found_pos, found_len
    order = np.argsort(hashes, kind="stable")
    hashes, positions, lengths = hashes[order], positions[order], lengths[order]
    del order
    # Is the word after each occurrence a content word: is the phrase only the start of one?
    content = np.concatenate((~brk & ~stop, [False]))
    # The word after each occurrence and the one before, -1 unless a content word (position
    # -1 is the last position: a text's end, never content).
    padded = np.concatenate((fold, np.array([BREAK], fold.dtype)))
    after = np.where(content[positions + lengths], padded[positions + lengths], -1)
    before = np.where(content[positions - 1], padded[positions - 1], -1)
    return hashes, positions, lengths, after, before


def _tabulate(
    hashes: NDArray[np.uint64],
    positions: NDArray[np.int32],
    lengths: NDArray[np.int8],
    after: NDArray[np.int32],
    before: NDArray[np.int32],
    at: Positions,
    words: Words,
    n_docs: int,
) -> PhraseTable:
    """Group occurrences (sorted by hash, see :func:`_ngrams`) by phrase; keep phrases in
    :data:`MIN_DF` documents or more."""
    docs = at.doc[positions]
    in_title = at.in_title
    new_phrase = np.concatenate(([True], hashes[1:] != hashes[:-1]))
    new_doc = new_phrase | np.concatenate(([True], docs[1:] != docs[:-1]))
    phrase_of = np.cumsum(new_phrase) - 1
    keep = np.bincount(phrase_of[new_doc]) >= (1 if n_docs <= SMALL_CORPUS else MIN_DF)
    # From here on, only the occurrences of phrases kept, renumbered.
    kept = keep[phrase_of]
    positions, docs = positions[kept], docs[kept]
    new_phrase, new_doc = new_phrase[kept], new_doc[kept]
    phrase_of = np.cumsum(new_phrase) - 1
    n = int(keep.sum())
    after, before = after[kept], before[kept]
    occ_count = np.bincount(phrase_of, minlength=n)
    df = np.bincount(phrase_of[new_doc], minlength=n)
    titled = in_title[positions[new_doc]]
    extended = np.maximum(_commonest(phrase_of, after, n), _commonest(phrase_of, before, n))
    return PhraseTable(
        n_docs=n_docs,
        counted=np.ones(n_docs, bool),
        hashes=hashes[kept][new_phrase],
        df=df,
        length=lengths[kept][new_phrase].astype(np.int64),
        doc_ptr=np.concatenate(([0], np.cumsum(df))),
        docs=docs[new_doc].astype(np.int32),
        # A paper's first occurrence of a phrase is in its title if any is (titles come first).
        titled=titled,
        title_df=np.bincount(phrase_of[new_doc], weights=titled, minlength=n).astype(np.int64),
        occ_ptr=np.concatenate(([0], np.cumsum(occ_count))),
        occurrences=positions,
        occ_followed=after >= 0,
        extended=extended / np.maximum(occ_count, 1),
        followed=np.bincount(phrase_of, weights=after >= 0, minlength=n) / np.maximum(occ_count, 1),
        preceded=np.bincount(phrase_of, weights=before >= 0, minlength=n)
        / np.maximum(occ_count, 1),
        words=words,
    )


def _commonest(
    phrase_of: NDArray[np.int64], neighbour: NDArray[np.int32], n_phrases: int
) -> NDArray[np.float64]:
    """Return, per phrase, how many of its occurrences have its commonest neighbour word."""
    seen = neighbour >= 0
    pairs = phrase_of[seen] * (int(neighbour.max(initial=0)) + 1) + neighbour[seen]
    unique, counts = np.unique(pairs, return_counts=True)
    most = np.zeros(n_phrases)
    np.maximum.at(most, unique // (int(neighbour.max(initial=0)) + 1), counts)
    return most

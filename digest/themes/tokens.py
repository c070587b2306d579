"""The corpus as word positions: each title and abstract tokenised once, words folded and typed.

A word position holds a folded word (lower case, accents off, singular), the token it came from
(a hyphenated compound is one token of several words), and whether it is punctuation, a stop
word, or inside a title. Two statistics of each word are read off the positions: how often it
is capitalised inside sentences that are not in title case (a proper name: "Markov"), and how
often it is used as a verb ("we prove", "solving the"). Word ids follow the words' alphabetical
order, so nothing depends on the order of the texts.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digest.text.cleaning import TEX_WORDS
from digest.text.words import singular, stopwords

#: Texts tokenised per regular-expression call: bounds the memory of the token lists.
CHUNK = 4096
#: Word id of punctuation and of the marks between texts: a phrase break.
BREAK = 0

# Words, with hyphenated compounds kept whole ("self-supervised"); any other non-space
# character is a phrase break. Inline TeX is removed first: "$O(n \log n)$" is no phrase.
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*|[^\w\s]|_")
#: The same for ASCII text, 40 % faster.
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*|[^\sA-Za-z0-9]", re.ASCII)
_MATH = re.compile(r"\$[^$\x00\x01]{0,300}\$|\\\([^\x00\x01]{0,300}?\\\)")
#: TeX accents, as arXiv's metadata writes them ("Schr\\"odinger", "Poincar{\\'e}",
#: "Mart\\'{\\i}nez"): read as the letters they make, or "donn\\'ees" would be the word "donn"
#: and a phrase break. Never after a backslash ("\\\\" is a line break); an outer brace only
#: with its pair. (digest.text.cleaning strips accents for keywords instead.)
_TEX_ACCENT = re.compile(
    r"(?<!\\)(\{)?\\(?:(['\"`^~=.])(?:\{(\\i|[A-Za-z])\}|(\\i|[A-Za-z]))"
    r"|([uvHc])\{(\\i|[A-Za-z])\})(?(1)\})"
)
_COMBINING = {
    "'": "\u0301",
    '"': "\u0308",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
}
_DOC_END = "\x00"
_TITLE_END = "\x01"
_SENTENCE_END = frozenset({".", "?", "!", _DOC_END, _TITLE_END})
_TEX = frozenset(w.lower() for w in TEX_WORDS)


@dataclass(frozen=True, eq=False)
class Words:
    """The corpus as word positions: folded ids, token forms, and how each word is written."""

    #: Folded word of each position (0 at a break).
    fold: NDArray[np.int32]
    #: Vocabulary entry of each position, and which part of it (hyphenated compounds).
    form: NDArray[np.int32]
    part: NDArray[np.int32]
    #: Each vocabulary entry as written.
    vocabulary: tuple[str, ...]
    #: Folded word of each id, and back.
    names: tuple[str, ...]
    word_id: dict[str, int]
    #: Folded word id -> share of its mid-sentence uses (outside title-case runs) capitalised.
    capitalised: NDArray[np.float64]
    #: Folded word id -> share of its uses right after "we", "to", "can"...: a verb's share.
    verb: NDArray[np.float64]

    def surface(self, at: int, n: int) -> list[str]:
        """Return the words at positions ``at`` .. ``at + n - 1`` as shown in a name.

        A hyphenated compound keeps capitals only if each of its parts would ("Bose-Einstein",
        but "box-kites" even where "Kites" alone reads as a name).
        """
        shown: list[str] = []
        for pos in range(at, at + n):
            token = self.vocabulary[int(self.form[pos])]
            part_index = int(self.part[pos])
            piece = token.split("-")[part_index]
            if part_index > 0:
                shown.append("-")
            first = pos - part_index
            parts = range(first, first + len(token.split("-")))
            share = min(float(self.capitalised[int(self.fold[p])]) for p in parts)
            shown.append(_case(piece, share))
        return shown


def _case(word: str, capitalised: float) -> str:
    """Sentence case for one word: acronyms and inner capitals kept, proper names capitalised."""
    if any(c.isupper() for c in word[1:]):
        return word
    if word[:1].isupper() and capitalised >= 0.5:
        return word
    return word.lower()


@dataclass(frozen=True, eq=False)
class Positions:
    """Per word position, what phrase counting needs: which text, and what kind of word."""

    doc: NDArray[np.int32]
    in_title: NDArray[np.bool_]
    brk: NDArray[np.bool_]
    stop: NDArray[np.bool_]
    unit_start: NDArray[np.bool_]
    unit_end: NDArray[np.bool_]


@dataclass(frozen=True)
class _Vocabulary:
    """Per vocabulary entry (a token as written): its folded parts and what kind of token it is."""

    parts: NDArray[np.int64]  # folded word id of each part, concatenated
    start: NDArray[np.int64]  # first part of each entry in ``parts``
    count: NDArray[np.int64]  # parts per entry
    stop: NDArray[np.bool_]  # the whole entry is a stop word (or a number, a TeX name, ...)
    cap: NDArray[np.bool_]  # each part starts with a capital (aligned with ``parts``)
    brk: NDArray[np.bool_]  # the entry is punctuation: a phrase break
    sentence_end: NDArray[np.bool_]


def _accented(match: re.Match[str]) -> str:
    """The letter a TeX accent makes; the bare letter where Unicode has no such letter (a
    lone combining mark would split the word)."""
    accent = match[2] or match[5]
    letter = (match[3] or match[4] or match[6]).replace("\\i", "i")
    made = unicodedata.normalize("NFC", letter + _COMBINING[accent])
    return made if len(made) == 1 else letter


def tokenise(
    titles: Sequence[str], abstracts: Sequence[str], chosen: Sequence[int], language: str
) -> tuple[Words, Positions]:
    """Tokenise the ``chosen`` papers' titles and abstracts, in that order, into positions."""
    vocabulary: dict[str, int] = {}
    chunks = []
    for begin in range(0, len(chosen), CHUNK):
        joined = "".join(
            f"{titles[i]} {_TITLE_END} {abstracts[i]} {_DOC_END} "
            for i in chosen[begin : begin + CHUNK]
        )
        # Inline TeX never reaches across a title's or a paper's end: the marks stop it.
        joined = _MATH.sub(" ; ", joined)
        if "\\" in joined:
            joined = _TEX_ACCENT.sub(_accented, joined)
        tokens = (_ASCII_TOKEN if joined.isascii() else _TOKEN).findall(joined)
        for form in dict.fromkeys(tokens):
            if form not in vocabulary:
                vocabulary[form] = len(vocabulary)
        if tokens:
            chunks.append(np.array(operator.itemgetter(*tokens)(vocabulary), np.int32, ndmin=1))
    ids = np.concatenate(chunks) if chunks else np.zeros(0, np.int32)
    forms = tuple(vocabulary)
    names: dict[str, int] = {"": BREAK}
    vocab = _vocabulary(forms, names, stopwords(language))
    return _positions(ids, forms, vocab, names)


def _vocabulary(forms: Sequence[str], names: dict[str, int], stop: frozenset[str]) -> _Vocabulary:
    """Fold each distinct token once: its parts' word ids, and whether it is a stop or a break."""
    folded: dict[str, str] = {}
    parts: list[int] = []
    count = np.ones(len(forms), np.int64)
    is_stop = np.ones(len(forms), bool)
    brk = np.zeros(len(forms), bool)
    cap: list[bool] = []
    start = np.zeros(len(forms), np.int64)
    for index, form in enumerate(forms):
        start[index] = len(parts)
        if not form[0].isalnum():
            parts.append(BREAK)
            cap.append(False)
            brk[index] = True
            continue
        pieces = form.split("-")
        words = []
        for piece in pieces:
            word = folded.get(piece)
            if word is None:
                word = folded[piece] = fold_word(piece)
            words.append(word)
            cap.append(piece[0].isupper())
            parts.append(names.setdefault(word, len(names)))
        count[index] = len(pieces)
        is_stop[index] = all(_is_stop(w, stop) for w in words) or any(w in _TEX for w in words)
    end = np.array([f in _SENTENCE_END for f in forms], bool)
    # Number words alphabetically ("" first: the break), whatever order the texts came in.
    alphabetical = sorted(names)
    renumber = np.empty(len(names), np.int64)
    renumber[[names[w] for w in alphabetical]] = np.arange(len(alphabetical))
    names.clear()
    names.update((w, i) for i, w in enumerate(alphabetical))
    return _Vocabulary(
        renumber[np.array(parts, np.int64)], start, count, is_stop, np.array(cap, bool), brk, end
    )


def fold_word(word: str) -> str:
    """Return a word as phrases compare it: lower case, accents off, singular."""
    if word.isascii():
        return singular(word.lower())
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return singular(plain)


def _is_stop(word: str, stop: frozenset[str]) -> bool:
    """Stop words, single characters, numbers and TeX names never start or end a phrase."""
    return word in stop or len(word) < 2 or word.isdigit() or word in _TEX


def _positions(
    ids: NDArray[np.int32],
    forms: tuple[str, ...],
    vocab: _Vocabulary,
    names: dict[str, int],
) -> tuple[Words, Positions]:
    """Expand tokens to word positions (a compound's parts each have one)."""
    # 32-bit positions and ids: a 100,000-paper corpus has some 25 million positions.
    lengths = vocab.count[ids].astype(np.int32)
    total = int(lengths.sum())
    token = np.repeat(np.arange(len(ids), dtype=np.int32), lengths)
    offsets = np.cumsum(lengths, dtype=np.int32) - lengths
    part = np.arange(total, dtype=np.int32) - np.repeat(offsets, lengths)
    del offsets
    index = np.repeat(vocab.start[ids].astype(np.int32), lengths) + part
    fold = vocab.parts[index].astype(np.int32)
    brk = vocab.brk[ids][token]
    stop = vocab.stop[ids][token]
    ends = np.asarray([f == _DOC_END for f in forms], bool)[ids]
    # A text's end mark belongs to it: count the marks strictly before each token.
    doc = (np.cumsum(ends, dtype=np.int32) - ends)[token]
    title_ends = np.asarray([f == _TITLE_END for f in forms], bool)[ids]
    # Every paper before this one has ended its title: this one's title is still open.
    in_title = (np.cumsum(title_ends, dtype=np.int32) - title_ends)[token] == doc
    unit_start = part == 0
    unit_end = part == lengths[token] - 1
    capitalised = _capitalisation(
        fold, vocab.cap[index], brk, vocab.sentence_end[ids][token], names
    )
    words = Words(
        verb=_verb_shares(fold, brk, stop, unit_start, names),
        fold=fold,
        form=ids[token],
        part=part,
        vocabulary=forms,
        names=tuple(sorted(names, key=names.__getitem__)),
        word_id=names,
        capitalised=capitalised,
    )
    positions = Positions(doc, in_title, brk, stop, unit_start, unit_end)
    return words, positions


#: Words after which a content word is most often a verb: "we prove", "to estimate".
_VERB_MARKERS = frozenset(
    """
    we to can cannot will may might could should would must also they it not often then
    there which who
    """.split()
)


#: Words a verb's object starts with, seldom seen after a noun.
_DETERMINERS = frozenset("the a an this these its their our".split())


def _verb_shares(
    fold: NDArray[np.int32],
    brk: NDArray[np.bool_],
    stop: NDArray[np.bool_],
    unit_start: NDArray[np.bool_],
    names: dict[str, int],
) -> NDArray[np.float64]:
    """Return, per word, how often it is used as a verb: the larger of the shares of its uses
    right after a word that precedes verbs ("we prove") and right before a determiner
    ("solving the", "providing a")."""
    n_names = len(names)
    markers = np.zeros(n_names, bool)
    markers[[names[m] for m in _VERB_MARKERS if m in names]] = True
    determiners = np.zeros(n_names, bool)
    determiners[[names[m] for m in _DETERMINERS if m in names]] = True
    after_marker = np.concatenate(([False], markers[fold[:-1]]))
    before_determiner = np.concatenate((determiners[fold[1:]], [False]))
    first = ~brk & ~stop & unit_start
    uses = np.bincount(fold[first], minlength=n_names).astype(np.float64)
    verbs = np.maximum(
        np.bincount(fold[first & after_marker], minlength=n_names),
        np.bincount(fold[first & before_determiner], minlength=n_names),
    )
    return np.divide(verbs, uses, out=np.zeros(n_names), where=uses > 0)


def _capitalisation(
    fold: NDArray[np.int32],
    cap: NDArray[np.bool_],
    brk: NDArray[np.bool_],
    sentence_end: NDArray[np.bool_],
    names: dict[str, int],
) -> NDArray[np.float64]:
    """Share of each word's uses inside a sentence, outside title-case sentences, capitalised.

    Titles are often in title case and every sentence starts with a capital: neither says a
    word is a proper name. A sentence counts as title case when most of its words of four
    letters or more are capitalised.
    """
    n_names = len(names)
    long_name = np.zeros(n_names, bool)
    long_name[list(names.values())] = [len(n) >= 4 for n in names]
    sentence = np.cumsum(sentence_end, dtype=np.int32)
    long_word = ~brk & long_name[fold]
    n_sent = int(sentence[-1]) + 1 if len(sentence) else 1
    words_in = np.bincount(sentence, weights=long_word, minlength=n_sent)
    caps_in = np.bincount(sentence, weights=long_word & cap, minlength=n_sent)
    # Decided per sentence, then read per word: four arrays of doubles a word were 110 MB
    # at 20,000 papers.
    title_case = (caps_in > 0.5 * np.maximum(words_in, 1))[sentence]
    # The first word of a sentence follows its end mark (or the text's start).
    first = np.concatenate(([True], sentence_end[:-1]))
    usable = long_word & ~title_case & ~first
    seen = np.bincount(fold[usable], minlength=n_names).astype(np.float64)
    capital = np.bincount(fold[usable & cap], minlength=n_names).astype(np.float64)
    return np.divide(capital, seen, out=np.zeros(n_names), where=seen > 0)

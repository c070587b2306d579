"""Candidate keyphrases of one paper: word runs between stop words and punctuation.

A specialist's keyphrase is a whole noun phrase of the text ("Markov chain Monte Carlo", "large
language models"), and nearly all of them (90 % of Hugging Face's keywords, measured by
bench/keyword_evidence.py) are a run of one to four words that contains no stop word and no
punctuation. This module finds every such run of title + abstract and gathers, per folded form,
where it occurs and what surrounds it; choosing among the runs is digest.text.keyphrases' work.

An acronym the paper defines ("large language models (LLMs)") and its long form are one
candidate, shown in that "long form (ACRONYM)" shape.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from digest.text.acronyms import find_acronyms
from digest.text.cleaning import TEX_WORDS, clean_for_keywords
from digest.text.words import fold, keyword_key, stopwords
from digest.text.yake_adapter import word_scores

#: Longest candidate, in words.
MAX_WORDS = 4
#: Longest candidate shown, in characters (a longer run is a sentence, not a term).
MAX_CHARS = 60

# YAKE's English stop words are the phrase boundaries, except words that specialists' terms
# contain ("instruction following", "novel view synthesis", "value function", "tool use",
# "self-attention" written apart, "mean squared error", "inner product", "next-token"):
# counted on train.jsonl's keywords by bench/keyword_evidence.py.
TERM_WORDS = frozenset(
    "following use value novel mean next self inner changes zero example".split()
)
# Verbs of the abstract's own narrative ("we propose X", "X outperforms Y"): none of them is in
# a single one of the 31,000 keywords of train.jsonl while the texts use each hundreds of times
# (bench/keyword_evidence.py), so they end a phrase the way stop words do.
NARRATIVE_VERBS = frozenset(
    """
    propose proposes proposed proposing introduce introduces introduced introducing present
    presents achieve achieves achieved achieving demonstrate demonstrates demonstrated
    demonstrating outperform outperforms outperformed outperforming show shows showed shown
    showing reveal reveals enable enables enabling leverage leverages leveraged leveraging
    improve improves yield yields require requires requiring remain remains allows exhibit
    exhibits surpass surpasses surpassing
    """.split()
)
#: Sentence-like punctuation after which a capital says nothing about the word.
_SENTENCE_END = frozenset(".?!:;")
_TOKEN = re.compile(r"[^\W_](?:[\w+#@'-]|\.(?=[^\W_]))*|[^\w\s]")
_NUMBER = re.compile(r"^[\d.,]+$")
_NAME = re.compile(r"^[A-Z][a-z]+$")


@lru_cache(maxsize=1)
def boundary_words() -> frozenset[str]:
    """Return the words no candidate contains: YAKE's English stop words minus term words,
    plus narrative verbs."""
    return (stopwords("en") - TERM_WORDS) | NARRATIVE_VERBS


@dataclass(frozen=True)
class Token:
    """One word or punctuation mark of a paper's text."""

    text: str
    #: Lower case, for look-ups.
    lower: str
    #: A word that may be part of a candidate (not a stop word, punctuation or TeX).
    content: bool
    in_title: bool
    #: First word of the title or of a sentence, where a capital says nothing.
    initial: bool


@dataclass
class Candidate:
    """One folded phrase of a paper and every place it occurs.

    Occurrences are ``(start, end, chunk_start, chunk_end)`` token spans: the chunk is the
    maximal run of content words around it, so ``start > chunk_start`` means the text puts
    another word of the same noun phrase before it ("chain Monte Carlo" in "Markov chain ...").
    """

    key: str
    words: tuple[str, ...]
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)
    forms: Counter[str] = field(default_factory=Counter)
    #: Set when the candidate is a defined acronym's long form: the acronym as written.
    acronym: str = ""
    #: Occurrences of that acronym on its own, beyond its definition.
    acronym_uses: int = 0


@dataclass(frozen=True)
class Paper:
    """The tokens of one paper and its candidates, keyed by folded form."""

    tokens: tuple[Token, ...]
    candidates: dict[str, Candidate]
    #: Tokens of the title; the abstract follows.
    title_length: int
    #: YAKE's score of each word (lower case), lower is better: its evidence for a phrase.
    yake: Mapping[str, float] = field(default_factory=dict)


def tokenize(title: str, abstract: str) -> tuple[tuple[Token, ...], int]:
    """Return the tokens of cleaned title and abstract, and how many belong to the title."""
    tokens: list[Token] = []
    boundary = boundary_words()
    for part, in_title in ((title, True), (abstract, False)):
        text = clean_for_keywords(part).replace("\u2019", "'")
        initial = True
        for raw in _TOKEN.findall(text):
            word = raw.strip("'-")
            possessive = word.endswith("'s")
            if possessive and _NAME.match(word[:-2]):
                # A name's possessive is part of a term: "Poisson's ratio", "Young's modulus".
                possessive = False
            elif possessive:
                word = word[:-2]
            if not word:
                continue
            lower = word.lower()
            is_word = word[0].isalnum()
            content = is_word and lower not in boundary and word not in TEX_WORDS
            tokens.append(Token(word, lower, content, in_title, initial and is_word))
            initial = (not is_word and word in _SENTENCE_END) or (initial and not is_word)
            if possessive:
                # "the model's accuracy": the possessive ends the phrase.
                tokens.append(Token("'s", "'s", False, in_title, False))
        # The title and the abstract are never one phrase.
        tokens.append(Token(".", ".", False, in_title, False))
        if in_title:
            title_length = len(tokens)
    return tuple(tokens), title_length


def _chunks(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Return maximal runs ``[start, end)`` of content words."""
    runs = []
    start = -1
    for i, token in enumerate(tokens):
        if token.content and start < 0:
            start = i
        elif not token.content and start >= 0:
            runs.append((start, i))
            start = -1
    if start >= 0:
        runs.append((start, len(tokens)))
    return runs


def _acceptable(words: Sequence[Token]) -> bool:
    """Reject runs that cannot be a term: starting with a number, ending in a possessive
    ("Poisson's"), or one short token."""
    if _NUMBER.match(words[0].text) or words[-1].text.endswith("'s"):
        return False
    if len(words) == 1 and (len(words[0].text) < 2 or not any(c.isalpha() for c in words[0].text)):
        return False
    return sum(len(w.text) + 1 for w in words) - 1 <= MAX_CHARS


def find_candidates(title: str, abstract: str) -> Paper:
    """Return every candidate of a paper with its occurrences, acronyms merged into long forms."""
    tokens, title_length = tokenize(title, abstract)
    candidates: dict[str, Candidate] = {}
    for chunk_start, chunk_end in _chunks(tokens):
        for start in range(chunk_start, chunk_end):
            for end in range(start + 1, min(chunk_end, start + MAX_WORDS) + 1):
                words = tokens[start:end]
                if not _acceptable(words):
                    continue
                text = " ".join(w.text for w in words)
                key = keyword_key(text)
                if not key:
                    continue
                found = candidates.get(key)
                if found is None:
                    found = candidates[key] = Candidate(key, tuple(key.split()))
                found.spans.append((start, end, chunk_start, chunk_end))
                found.forms[text] += 1
    text = f"{clean_for_keywords(title)}. {clean_for_keywords(abstract)}"
    _merge_acronyms(candidates, text)
    return Paper(tokens, candidates, title_length, word_scores(text))


def _merge_acronyms(candidates: dict[str, Candidate], text: str) -> None:
    """Fold each defined acronym into its long form's candidate, noting how it is written."""
    for short, long_form in sorted(find_acronyms(text).items()):
        long_key = keyword_key(long_form)
        target = candidates.get(long_key)
        if target is None or len(target.words) > MAX_WORDS or target.acronym:
            continue
        target.acronym = _written(short, text)
        acronym = candidates.pop(keyword_key(short), None)
        if acronym is not None:
            # The definition itself is one of the acronym's occurrences, not a use.
            target.acronym_uses = max(0, len(acronym.spans) - 1)


_DEFINED = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9-]{1,9}?s?)\s*\)")


def _written(short: str, text: str) -> str:
    """Return acronym ``short`` (folded) as the text defines it: "LLMs", "E-E", "CoT"."""
    for match in _DEFINED.finditer(text):
        written = match.group(1)
        if fold(written) in (short, f"{short}s"):
            return written
    return short.upper()


def _is_title_case(word: str) -> bool:
    """Return whether every hyphen part of ``word`` is capitalised only at its start."""
    parts = [p for p in word.split("-") if p]
    return any(p[0].isupper() for p in parts) and all(
        not any(c.isupper() for c in p[1:]) for p in parts
    )


def _lower_title_case(form: str, common: Callable[[str], bool]) -> str:
    """Lower-case a phrase capitalised for a title or an acronym, unless it holds a name.

    "Large Language Models" becomes "large language models"; "Markov Decision Process" and
    "Unreal Engine" keep their capitals because one word is a name (or unknown).
    """
    words = form.split()
    titled = [w for w in words if _is_title_case(w)]
    if not titled or not all(common(p.lower()) for w in titled for p in w.split("-") if p):
        return form
    return " ".join(w.lower() if _is_title_case(w) else w for w in words)


def display(candidate: Candidate, paper: Paper, common: Callable[[str], bool]) -> str:
    """Return the text readers see: the paper's own running-text form, else a lower-cased one.

    The form written inside a sentence (not at its start, not in the title) keeps the authors'
    capitals; otherwise title capitals are undone. A defined acronym follows its long form in
    parentheses, the way papers define them: "large language models (LLMs)".
    """
    tokens = paper.tokens
    running: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for start, end, _, _ in candidate.spans:
        text = " ".join(t.text for t in tokens[start:end])
        in_running = start >= paper.title_length and not tokens[start].initial
        (running if in_running else other)[text] += 1
    forms = running or other
    form = min(forms.items(), key=lambda f: (-f[1], sum(c.isupper() for c in f[0]), f[0]))[0]
    rest = "".join(form.split()[1:])
    if not running or candidate.acronym or not any(c.isupper() for c in rest):
        # A capital on the first word alone is a sentence's ("Text rendering is ...").
        form = _lower_title_case(form, common)
    if candidate.acronym:
        form = f"{form} ({candidate.acronym})"
    return form

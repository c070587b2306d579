"""Keyword extraction: the one module that imports yake, and the rules that tidy its output.

YAKE is run on cleaned title + abstract. Its raw output repeats itself ("neural network",
"neural networks", "Neural Networks"), nests ("network" inside "neural network") and is full of
generic research words; the rules below fold, drop and cap it so that what remains is worth
showing as a chip and grouping on.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from digest.cleaning import TEX_WORDS, clean_for_keywords
from digest.config import KeywordConfig
from digest.errors import KeywordError
from digest.model import Keyword, Paper
from digest.normalise import corpus_generic_words, expand, find_acronyms
from digest.text import fold

if TYPE_CHECKING:
    import yake

# Single words too general to describe a paper on their own. Corpus statistics (see themes)
# catch the rest; this list only covers what one paper's keywords cannot reveal.
GENERIC_WORDS = frozenset(
    """
    learning model models method methods approach approaches paper work works result results
    problem problems task tasks performance framework frameworks algorithm algorithms data
    dataset datasets network networks neural deep training analysis system systems study
    experiments experiment propose proposed novel new show based using use existing recent
    state art approach technique techniques application applications information structure
    function functions theory process set sets number time way case cases first two one
    efficient effective large small high low better significant improvement improvements
    find finds show shows present presents demonstrate provide provides achieve achieves
    introduce introduces develop obtain consider standard general generic various different
    main key important simple strong good recent existing previous current common specific
    adaptive functional continual effect effects property properties type types form level
    """.split()
)


_INNER_ALLOWED = frozenset({"of", "and"})


@dataclass(frozen=True)
class RawKeyword:
    """One keyword as YAKE returned it for one paper: surface text and score (lower is better)."""

    text: str
    score: float


class _YakeFailure(logging.Handler):
    """Catch yake's own warning: it logs internal exceptions and then returns []."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def preload() -> None:
    """Import yake (0.15 s, networkx included): what a keyword worker does as it starts.

    yake is imported by the processes that run it: a build that extracts on a process pool
    reads yake's stop word lists as files and never imports the rest, and a first build's
    workers import it while the build reads its settings, inputs and store (see
    :func:`digest.pipeline.build`). A broken install is left to fail in the task, which
    reports the ImportError itself (a failed worker start would only say the pool broke).
    """
    with contextlib.suppress(ImportError):
        import yake  # noqa: F401


@lru_cache(maxsize=4)
def _extractor(settings: KeywordConfig) -> yake.KeywordExtractor:
    import yake

    # Every argument is passed by its real name: yake silently drops unknown keyword arguments.
    return yake.KeywordExtractor(
        lan=settings.language,
        n=settings.max_ngram,
        dedup_lim=settings.dedup_limit,
        dedup_func=settings.dedup_function,
        window_size=settings.window_size,
        top=settings.top,
        features=None,
        stopwords=None,
        lemmatize=False,
    )


def run_yake(text: str, settings: KeywordConfig) -> list[RawKeyword]:
    """Run YAKE on already cleaned text; raise KeywordError if YAKE failed internally."""
    if not isinstance(text, str):
        raise KeywordError(f"keyword extraction needs text, got {type(text).__name__}")
    if not text.strip():
        return []
    failure = _YakeFailure()
    yake_log = logging.getLogger("yake")
    # yake's warning is only created if its logger is enabled for it, whatever the
    # application configured: enable it for the call, and keep it from reaching other handlers.
    saved = (yake_log.level, yake_log.propagate, yake_log.disabled)
    yake_log.setLevel(logging.WARNING)
    yake_log.propagate = False
    yake_log.disabled = False
    yake_log.addHandler(failure)
    try:
        pairs = _extractor(settings).extract_keywords(text)
    finally:
        yake_log.removeHandler(failure)
        yake_log.level, yake_log.propagate, yake_log.disabled = saved
    if failure.messages:
        raise KeywordError(f"YAKE failed: {failure.messages[0][:200]}")
    # yake returns numpy floats; the model holds plain floats only.
    return [RawKeyword(str(kw), float(score)) for kw, score in pairs]


@lru_cache(maxsize=8)
def stopwords(language: str) -> frozenset[str]:
    """Return YAKE's stop words for ``language``, so every stage agrees on what one is."""
    data = (_stopword_lists() / f"stopwords_{language}.txt").read_bytes().decode("utf-8", "replace")
    return frozenset(w.strip().lower() for w in data.splitlines() if w.strip())


def _stopword_lists() -> Path:
    """Return yake's folder of stop word lists, found without importing yake."""
    spec = importlib.util.find_spec("yake")
    if spec is None or not spec.submodule_search_locations:
        raise KeywordError("yake is not installed: pip install digest's dependencies")
    return Path(next(iter(spec.submodule_search_locations))) / "core" / "StopwordsList"


def languages() -> tuple[str, ...]:
    """Return the languages YAKE has stop words for."""
    names = (p.name for p in _stopword_lists().iterdir())
    return tuple(
        sorted(n[10:-4] for n in names if n.startswith("stopwords_") and "noLang" not in n)
    )


def keyword_text(paper: Paper) -> str:
    """Return the text YAKE sees for a paper: title sentence, then abstract, both cleaned."""
    title = clean_for_keywords(paper.title).rstrip(".")
    return f"{title}. {clean_for_keywords(paper.abstract)}".strip(". ")


class KeywordCache(Protocol):
    """Where raw YAKE output is kept between builds, keyed by text and settings hashes."""

    def cached_keywords(self, settings_hash: str, text_hashes: Sequence[str]) -> dict[str, Any]:
        """Return cached raw keywords (lists of ``[text, score]``) for the cached hashes."""

    def cache_keywords(self, settings_hash: str, entries: Iterable[tuple[str, Any]]) -> None:
        """Remember raw keywords by text hash."""


#: Fewest texts worth sending to an executor.
MIN_PARALLEL = 16
#: Bump when cleaning or the YAKE call changes what raw keywords a text gets.
EXTRACTION_VERSION = 1


def settings_hash(settings: KeywordConfig) -> str:
    """Hash everything that changes YAKE's raw output: its settings, version and our cleaning."""
    relevant = (
        settings.language,
        settings.max_ngram,
        settings.top,
        settings.dedup_limit,
        settings.dedup_function,
        settings.window_size,
        importlib.metadata.version("yake"),
        EXTRACTION_VERSION,
    )
    return hashlib.sha256(repr(relevant).encode()).hexdigest()[:16]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def extract_raw(
    papers: Sequence[Paper],
    settings: KeywordConfig,
    executor: Executor | None = None,
    cache: KeywordCache | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[list[RawKeyword]]:
    """Run YAKE over every paper not in ``cache``, on ``executor`` if given.

    Any ``concurrent.futures.Executor`` works, a Dask cluster's included. Returns raw keywords
    in paper order; a rebuild with nothing new runs YAKE on nothing. ``meanwhile`` is called
    once, while the executor's workers run YAKE (else after YAKE ran here): the caller's own
    work that does not need keywords, done instead of waiting.
    """
    texts = [keyword_text(p) for p in papers]
    hashes = [text_hash(t) for t in texts]
    key = settings_hash(settings)
    known = cache.cached_keywords(key, sorted(set(hashes))) if cache else {}
    todo = sorted({h: t for h, t in zip(hashes, texts, strict=True) if h not in known}.items())
    if todo:
        todo_texts = [t for _, t in todo]
        # A handful of texts is faster in-process than shipped to workers.
        if executor is not None and len(todo_texts) >= MIN_PARALLEL:
            # Small chunks: the last one decides when the stage ends on a 2-core machine.
            chunks = max(1, len(todo_texts) // (32 * (os.cpu_count() or 1)))
            running = executor.map(run_yake, todo_texts, [settings] * len(todo), chunksize=chunks)
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
            results = list(running)
        else:
            results = [run_yake(t, settings) for t in todo_texts]
        fresh = {h: [[k.text, k.score] for k in r] for (h, _), r in zip(todo, results, strict=True)}
        if cache:
            cache.cache_keywords(key, sorted(fresh.items()))
        known = {**known, **fresh}
    if meanwhile is not None:
        meanwhile()
    return [[RawKeyword(str(t), float(s)) for t, s in known[h]] for h in hashes]


_WORD = re.compile(r"[^\W\d_][\w'+#-]*|\d[\w.+-]*", re.UNICODE)


# Words whose plural and singular are the same, or that only look plural.
_INVARIANT = frozenset(
    """
    series species means news physics mathematics dynamics bias gas lens
    """.split()
)


def singular(word: str) -> str:
    """Fold an English plural to its singular, conservatively (for comparison, not display)."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is", "ics")):
        return word
    if word in _INVARIANT:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1]


def keyword_key(text: str) -> str:
    """Return the canonical form of a keyword: folded, hyphens as spaces, last word singular."""
    words = fold(text.replace("-", " ")).split()
    if words:
        words[-1] = singular(words[-1])
    return " ".join(words)


def is_acceptable(
    key: str, text: str, settings: KeywordConfig, generic: frozenset[str] = frozenset()
) -> bool:
    """Reject keywords that are generic, mathematical leftovers, numbers or too long.

    ``generic`` adds the words this corpus uses everywhere (see digest.normalise).
    """
    words = key.split()
    if not words or len(text) > settings.max_chars:
        return False
    if any(w in TEX_WORDS for w in text.split()):
        return False
    # A stop word inside a phrase marks a fragment of a sentence ("break the curse",
    # "perspective on model"), except the "of" and "and" of real terms ("curse of
    # dimensionality", "compositionality and symmetry").
    stop = stopwords(settings.language)
    inner = text.lower().split()[1:-1]
    if any(w in stop and w not in _INNER_ALLOWED for w in inner):
        return False
    if all(w in GENERIC_WORDS or singular(w) in GENERIC_WORDS for w in words):
        return False
    # Corpus-generic words sink single-word keywords only: "state space model" is specific
    # even where "state", "space" and "model" are everywhere.
    if len(words) == 1 and words[0] in generic:
        return False
    return any(c.isalpha() for c in key) and len(key) >= 2


def _contains(longer: str, shorter: str) -> bool:
    return f" {shorter} " in f" {longer} "


def tidy(
    raw: Sequence[RawKeyword],
    settings: KeywordConfig,
    acronyms: dict[str, str] | None = None,
    generic: frozenset[str] = frozenset(),
) -> list[tuple[str, RawKeyword]]:
    """Fold duplicates, drop unacceptable and subsumed keywords; return ``(key, best)`` pairs.

    Acronyms the paper defines are replaced by their long forms first, so "MI" and "mutual
    information" are one keyword. A keyword contained in a longer keyword of the same paper
    ("network" in "neural network") is dropped: it would otherwise count the same evidence
    twice.
    """
    best: dict[str, RawKeyword] = {}
    for original in raw:
        kw = RawKeyword(expand(original.text, acronyms), original.score) if acronyms else original
        key = keyword_key(kw.text)
        if is_acceptable(key, kw.text, settings, generic) and (
            key not in best or kw.score < best[key].score
        ):
            best[key] = kw
    keys = sorted(best, key=lambda k: (best[k].score, k))
    kept = [k for k in keys if not any(o != k and _contains(o, k) for o in keys)]
    return [(k, best[k]) for k in kept[: settings.keep]]


def surface_forms(tidied: Iterable[Iterable[tuple[str, RawKeyword]]]) -> dict[str, str]:
    """Choose, per keyword key, the surface form readers see: the most common one in the corpus.

    Ties go to the form with the fewest capitals, then alphabetical order, so the choice never
    depends on input order.
    """
    counts: dict[str, Counter[str]] = {}
    for paper_keywords in tidied:
        for key, kw in paper_keywords:
            counts.setdefault(key, Counter())[kw.text] += 1
    return {
        key: min(forms.items(), key=lambda f: (-f[1], sum(c.isupper() for c in f[0]), f[0]))[0]
        for key, forms in counts.items()
    }


def extract_keywords(
    papers: Sequence[Paper],
    settings: KeywordConfig,
    executor: Executor | None = None,
    cache: KeywordCache | None = None,
    meanwhile: Callable[[], object] | None = None,
    forms: Mapping[str, str] | None = None,
) -> list[tuple[Keyword, ...]]:
    """Return each paper's keywords, best first, folded and with corpus-wide surface forms.

    ``forms`` are surface forms to keep (the published ones, between regroupings): a new
    paper then never changes how a published keyword reads, nor the cards that show it.
    """
    raw = extract_raw(papers, settings, executor, cache, meanwhile)
    texts = [keyword_text(p) for p in papers]
    return finish(raw, texts, settings, corpus_generic_words(texts), forms)


def finish(
    raw: Sequence[Sequence[RawKeyword]],
    texts: Sequence[str],
    settings: KeywordConfig,
    generic: frozenset[str],
    forms: Mapping[str, str] | None = None,
) -> list[tuple[Keyword, ...]]:
    """Tidy each paper's raw keywords (``texts`` for its acronyms) into its keywords.

    ``generic`` are the corpus's generic words (:func:`digest.normalise.corpus_generic_words`),
    ``forms`` surface forms to keep (see :func:`extract_keywords`).
    """
    tidied = [tidy(r, settings, find_acronyms(t), generic) for r, t in zip(raw, texts, strict=True)]
    forms = {**surface_forms(tidied), **(forms or {})}
    return [
        tuple(Keyword(key=key, text=forms[key], score=kw.score) for key, kw in paper_keywords)
        for paper_keywords in tidied
    ]

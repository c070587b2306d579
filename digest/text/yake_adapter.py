"""The one module that imports yake: every argument passed by name, every failure noticed.

yake silently drops misspelled keyword arguments, logs its internal exceptions and then returns
``[]`` (which looks like "no keywords"), and returns numpy floats. This adapter passes every
argument explicitly, turns a logged failure into :class:`~digest.errors.KeywordError`, and casts
scores to ``float``; tests/test_keywords.py pins each of these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from digest.config import KeywordConfig
from digest.errors import KeywordError

if TYPE_CHECKING:
    import yake


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


@lru_cache(maxsize=4)
def _extractor(settings: KeywordConfig) -> yake.KeywordExtractor:
    import yake

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


@lru_cache(maxsize=4)
def _word_extractor(language: str) -> yake.KeywordExtractor:
    import yake

    # dedup_lim 1.0 skips YAKE's pairwise deduplication, and n=1 its phrase composition: the
    # two costly steps whose output the keyphrase ranker does not need.
    return yake.KeywordExtractor(
        lan=language,
        n=1,
        dedup_lim=1.0,
        dedup_func="seqm",
        window_size=1,
        top=100_000,
        features=None,
        stopwords=None,
        lemmatize=False,
    )


def load_yake() -> None:
    """Import yake now rather than at the first extraction (see digest.executors)."""
    import yake  # noqa: F401 (imported for its cost only)


def run_yake(text: str, settings: KeywordConfig) -> list[RawKeyword]:
    """Run YAKE on already cleaned text; raise KeywordError if YAKE failed internally."""
    return _extract(_extractor(settings), text)


def word_scores(text: str, language: str = "en") -> dict[str, float]:
    """Return YAKE's score of every single word of ``text`` (lower case; lower is better).

    The keyphrase ranker's YAKE signal: YAKE scores a phrase from its words' scores, so the
    words' scores carry its evidence for every candidate, not only for YAKE's own top few.
    """
    return {kw.text.lower(): kw.score for kw in _extract(_word_extractor(language), text)}


def _extract(extractor: yake.KeywordExtractor, text: str) -> list[RawKeyword]:
    """Run ``extractor``; raise KeywordError if YAKE failed internally."""
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
        pairs = extractor.extract_keywords(text)
    finally:
        yake_log.removeHandler(failure)
        yake_log.level, yake_log.propagate, yake_log.disabled = saved
    if failure.messages:
        raise KeywordError(f"YAKE failed: {failure.messages[0][:200]}")
    # yake returns numpy floats; the model holds plain floats only.
    return [RawKeyword(str(kw), float(score)) for kw, score in pairs]

"""Keywords: each paper's keyphrases (cached by text), shown as the paper writes them.

English papers get the learned ranker of :mod:`digest.text.keyphrases`: noun phrases of title
and abstract chosen as Hugging Face's keyword writer chooses them (strict precision 0.6 where
YAKE's rules reached 0.4; bench/keyword_ranker.py). Other languages, which the ranker was not
trained on, keep YAKE (:mod:`digest.text.yake_adapter`) and the rules below, which fold its
repeats ("neural network", "Neural Networks"), drop nested and generic phrases and cap it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from typing import Any, Protocol

from digest.config import KeywordConfig
from digest.model import Keyword, Paper
from digest.text.acronyms import expand, find_acronyms
from digest.text.cleaning import TEX_WORDS, clean_for_keywords
from digest.text.keyphrases import keyphrases, load_model, model_hash
from digest.text.words import GENERIC_WORDS, keyword_key, singular, split_acronym, stopwords
from digest.text.yake_adapter import RawKeyword, load_yake, run_yake

#: Fewest texts worth sending to an executor: a handful is faster in-process.
MIN_PARALLEL = 16

#: Bump when cleaning or the keyword rules change what keywords a text gets.
KEYWORDS_VERSION = 3
#: The language the keyphrase ranker was trained on; others use YAKE and the rules below.
RANKER_LANGUAGE = "en"

_INNER_ALLOWED = frozenset({"of", "and"})


def keyword_text(title: str, abstract: str) -> str:
    """Return the text YAKE sees for a paper: title sentence, then abstract, both cleaned."""
    clean_title = clean_for_keywords(title).rstrip(".")
    return f"{clean_title}. {clean_for_keywords(abstract)}".strip(". ")


class KeywordCache(Protocol):
    """Where each paper's keywords are kept between builds, by text and settings hashes."""

    def cached_keywords(self, settings_hash: str, text_hashes: Sequence[str]) -> dict[str, Any]:
        """Return cached keywords (lists of ``[key, text, score]``) for the cached hashes."""

    def cache_keywords(self, settings_hash: str, entries: Iterable[tuple[str, Any]]) -> None:
        """Remember keywords by text hash."""


def text_hash(paper: Paper) -> str:
    """Hash what a paper's keywords are made of: its title and abstract as stored."""
    data = f"{paper.title}\x1f{paper.abstract}".encode()
    return hashlib.sha256(data).hexdigest()[:24]


def settings_hash(settings: KeywordConfig) -> str:
    """Hash everything a paper's keywords depend on besides its text: the settings (not the
    worker count), yake's version and these rules' version."""
    relevant = (
        replace(settings, workers=0),
        importlib.metadata.version("yake"),
        KEYWORDS_VERSION,
        model_hash(),
    )
    return hashlib.sha256(repr(relevant).encode()).hexdigest()[:16]


def load_extraction() -> None:
    """Import and read what extracting keywords needs (yake, the ranker's model) now."""
    load_yake()
    load_model()


def _paper_batch(
    titles: Sequence[str], abstracts: Sequence[str], settings: KeywordConfig
) -> list[list[list[Any]]]:
    """:func:`paper_keywords` of a batch of papers: one task of an executor."""
    return [paper_keywords(t, a, settings) for t, a in zip(titles, abstracts, strict=True)]


def paper_keywords(title: str, abstract: str, settings: KeywordConfig) -> list[list[Any]]:
    """Return one paper's keywords as ``[key, text, score]`` lists, best first.

    A pure function of the paper's own text, so that it runs on any worker and its result is
    cached by text: a daily build extracts only what is new. Scores are lower-is-better like
    YAKE's: one minus the ranker's probability that a specialist lists the phrase.
    """
    if settings.language != RANKER_LANGUAGE:
        return yake_keywords(title, abstract, settings)
    model = load_model()
    limits = replace(
        model.settings,
        fewest=min(model.settings.fewest, settings.keep),
        most=min(model.settings.most, settings.keep),
    )
    found: dict[str, list[Any]] = {}
    for text, probability in keyphrases(title, abstract, limits, model):
        # "large language models (LLMs)" is the keyword "large language models".
        key = keyword_key(split_acronym(text)[0])
        if len(text) <= settings.max_chars and key not in found:
            found[key] = [key, text, round(1.0 - probability, 6)]
    return list(found.values())


def yake_keywords(title: str, abstract: str, settings: KeywordConfig) -> list[list[Any]]:
    """Return YAKE's keywords of one paper after the rules of :func:`tidy`, best first."""
    text = keyword_text(title, abstract)
    tidied = tidy(run_yake(text, settings), settings, find_acronyms(text))
    return [[key, kw.text, kw.score] for key, kw in tidied]


def extract(
    papers: Sequence[Paper],
    settings: KeywordConfig,
    executor: Executor | None = None,
    cache: KeywordCache | None = None,
) -> list[tuple[Keyword, ...]]:
    """Return each paper's keywords, best first, each in the form its paper writes it.

    Keywords come from ``cache`` where known, else are extracted on ``executor`` (any
    ``concurrent.futures.Executor``, a Dask cluster's included) and cached; a build with
    nothing new extracts nothing. A keyword's key ("latent space") is what papers share; its
    text is its own paper's ("latent spaces" in one, "latent space" in another), as a
    specialist listing that paper's keywords writes them: one form chosen corpus-wide put the
    first paper's plural on every later card (the 30-paper check of bench/keyword_ranker.py,
    scored on a build's digest.json: precision 0.599 corpus-wide, 0.608 as written). Nothing
    here depends on the other papers, so a new paper never changes a published card.
    """
    hashes = [text_hash(p) for p in papers]
    key = settings_hash(settings)
    known = cache.cached_keywords(key, sorted(set(hashes))) if cache else {}
    todo = sorted({h: p for h, p in zip(hashes, papers, strict=True) if h not in known}.items())
    if todo:
        titles = [p.title for _, p in todo]
        abstracts = [p.abstract for _, p in todo]
        if executor is not None and len(todo) >= MIN_PARALLEL:
            # Small batches: the last one decides when the stage ends on a 2-core machine. The
            # batches are ours, not map's chunksize, which a Dask executor ignores: a task a
            # paper ran at 0.59 of the local pool's speed (bench/dask_throughput.py).
            size = max(1, len(todo) // (32 * (os.cpu_count() or 1)))
            starts = range(0, len(todo), size)
            batches = executor.map(
                _paper_batch,
                [titles[i : i + size] for i in starts],
                [abstracts[i : i + size] for i in starts],
                [settings] * len(starts),
            )
            results = [found for batch in batches for found in batch]
        else:
            results = _paper_batch(titles, abstracts, settings)
        fresh = {h: r for (h, _), r in zip(todo, results, strict=True)}
        if cache:
            cache.cache_keywords(key, sorted(fresh.items()))
        known = {**known, **fresh}
    # One string for every paper with the same key or text (each was a string of its own,
    # read from its paper's cached JSON: 100,000 papers hold about a million keywords).
    strings: dict[str, str] = {}
    one = strings.setdefault
    return [tuple(Keyword(one(k, k), one(t, t), float(s)) for k, t, s in known[h]) for h in hashes]


def is_acceptable(key: str, text: str, settings: KeywordConfig) -> bool:
    """Reject keywords that are generic, mathematical leftovers, numbers or too long."""
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
    return any(c.isalpha() for c in key) and len(key) >= 2


def _contains(longer: str, shorter: str) -> bool:
    return f" {shorter} " in f" {longer} "


def tidy(
    raw: Sequence[RawKeyword],
    settings: KeywordConfig,
    acronyms: dict[str, str] | None = None,
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
        if is_acceptable(key, kw.text, settings) and (
            key not in best or kw.score < best[key].score
        ):
            best[key] = kw
    keys = sorted(best, key=lambda k: (best[k].score, k))
    kept = [k for k in keys if not any(o != k and _contains(o, k) for o in keys)]
    return [(k, best[k]) for k in kept[: settings.keep]]

"""Data of the keyphrase benchmark: Hugging Face's keywords, papers' candidates and labels.

Also the strict rule of ../shared/tools/kw_score.py, restated so the benchmark needs no path
hack. Used by bench/keyword_ranker.py and bench/keyword_evidence.py.
"""

from __future__ import annotations

import json
import os
import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from digest.text.candidates import Paper, display, find_candidates
from digest.text.features import text_features
from digest.text.words import split_acronym

ROOT = Path(__file__).resolve().parent.parent
# The shared data beside the repository (as for the other benchmarks), or where DIGEST_SHARED says.
SHARED = Path(os.environ.get("DIGEST_SHARED", ROOT.parent / "shared"))
TRAIN = SHARED / "data" / "hf-ai-keywords" / "train.jsonl"
CHECK = SHARED / "data" / "hf-daily-papers" / "daily_papers.json"
CACHE = ROOT / "bench" / "results" / "keyword_ranker_prepared.pickle"
#: Hugging Face's keywords changed style on this day (see digest.text.features).
NEW_STYLE = "2026-01-01"


def norm(text: str) -> tuple[str, ...]:
    s = text.lower().replace("-", " ")
    return tuple(
        re.sub(r"(ies|es|s)$", "", w) if len(w) > 3 else w for w in re.findall(r"[a-z0-9]+", s)
    )


def _inside(a: Sequence[str], b: Sequence[str]) -> bool:
    n = len(a)
    return any(tuple(b[i : i + n]) == tuple(a) for i in range(len(b) - n + 1))


def match(a: Sequence[str], b: Sequence[str]) -> bool:
    if a == b:
        return True
    s, long = (a, b) if len(a) <= len(b) else (b, a)
    return bool(s) and _inside(s, long) and len(s) * 2 > len(long)


def strict_score(
    shown: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]
) -> tuple[float, float, float]:
    """Return precision, recall and keywords a paper, over the first 10 shown of each paper.

    A shown keyword is scored as ``digest.json`` lists it: its phrase, the acronym its paper
    defines apart ("large language models (LLMs)" is "large language models").
    """
    hit_p = n_p = hit_r = n_r = 0
    for got, ref in zip(shown, gold, strict=True):
        g = [norm(split_acronym(x)[0] or x) for x in got[:10]]
        r = [norm(x) for x in ref]
        hit_r += sum(any(match(a, b) for b in g) for a in r)
        n_r += len(r)
        hit_p += sum(any(match(a, b) for b in r) for a in g)
        n_p += len(g)
    return hit_p / max(1, n_p), hit_r / max(1, n_r), n_p / max(1, len(gold))


@dataclass
class Prepared:
    """One paper's candidates, their texts and labels, computed once for every experiment."""

    date: str
    gold: list[str]
    paper: Paper
    keys: list[str]
    #: Labels: the shown text matches a gold keyword by the strict rule / equals one.
    strict: np.ndarray
    exact: np.ndarray
    #: Text features (digest.text.features.TEXT_FEATURES), which need no tables.
    text_x: np.ndarray


def read_train() -> list[dict[str, Any]]:
    return [json.loads(line) for line in TRAIN.read_text(encoding="utf-8").splitlines()]


def read_check() -> list[dict[str, Any]]:
    items = json.loads(CHECK.read_text(encoding="utf-8"))
    return [
        {
            "id": it["paper"]["id"],
            "date": "check",
            "title": it["paper"]["title"],
            "abstract": it["paper"]["summary"],
            "ai_keywords": it["paper"].get("ai_keywords") or [],
        }
        for it in items
    ]


def prepare(doc: dict[str, Any]) -> Prepared:
    paper = find_candidates(doc["title"], doc["abstract"])
    keys = sorted(paper.candidates)
    gold = [norm(g) for g in doc["ai_keywords"]]
    gold_set = set(gold)
    strict, exact = [], []
    for key in keys:
        shown = norm(display(paper.candidates[key], paper, lambda w: True))
        strict.append(any(match(shown, g) for g in gold))
        exact.append(shown in gold_set or norm(key) in gold_set)
    return Prepared(
        doc["date"],
        doc["ai_keywords"],
        paper,
        keys,
        np.array(strict),
        np.array(exact),
        text_features(paper, keys),
    )


def prepare_all(docs: Sequence[dict[str, Any]], cache: Path | None) -> list[Prepared]:
    if cache is not None and cache.exists():
        return pickle.loads(cache.read_bytes())
    prepared = [prepare(d) for d in docs]
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
    return prepared


def style_of(p: Prepared, style: float | None = None) -> np.ndarray:
    """Return the style column of a paper's rows: its own style, or ``style`` if given."""
    own = float(p.date >= NEW_STYLE)
    return np.full((len(p.keys), 1), own if style is None else style)


def labels(p: Prepared, label: str) -> np.ndarray:
    """Return a paper's training targets: strict match, exact match, or their mean."""
    if label == "graded":
        return (p.strict.astype(float) + p.exact.astype(float)) / 2
    return getattr(p, label).astype(float)


def check_papers() -> list[Any]:
    """Return the 30-paper file's papers with Hugging Face's keywords removed."""
    from digest.sources import read_inputs

    return [replace(p, source_keywords=()) for p in read_inputs([CHECK])]

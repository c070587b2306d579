"""Keyphrases of one paper, chosen by a ranker learned from specialists' keywords.

``keyphrases(title, abstract)`` finds every candidate phrase (digest.text.candidates),
describes each by cheap features (digest.text.features), scores them with gradient-boosted
trees evaluated in numpy, and keeps the best few that do not repeat each other. The trees and
the tables the features look up live in one JSON file, ``digest/text/data/keyphrase_model.json``,
written by bench/keyword_ranker.py from Hugging Face's keywords of 3,014 papers; nothing here
needs the training libraries.

The function is pure (text in, phrases out), so callers cache it by text hash and run it on a
process pool.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from digest.text.candidates import display, find_candidates
from digest.text.features import FEATURES, Rates, Tables, candidate_features
from digest.text.words import singular

MODEL = Path(__file__).resolve().parent / "data" / "keyphrase_model.json"


@dataclass(frozen=True)
class KeyphraseSettings:
    """How many keyphrases a paper shows: a probability threshold between two counts.

    The defaults are those bench/keyword_ranker.py chose in cross-validation (the model file
    carries its own, and they win).
    """

    #: Keep phrases whose estimated probability of being a keyword reaches this.
    threshold: float = 0.3
    #: Show at least this many (when the paper has them), whatever their probability.
    fewest: int = 4
    #: Show at most this many.
    most: int = 8
    #: Never show a phrase less likely than this, however few the paper has: a short abstract
    #: has few terms, and filling it up would show "description" or "reducing".
    floor: float = 0.1


@dataclass(frozen=True)
class Forest:
    """Gradient-boosted regression trees as flat node arrays, evaluated all at once.

    A leaf's children are itself, so ``depth`` steps of "go left or right" from every root
    land every row on a leaf of every tree. Node ``i``'s children are ``children[2 * i]``
    (right) and ``children[2 * i + 1]`` (left), so a step is one look-up of ``2 * i + went
    left``: half the time of choosing between two look-ups (bench/README.md, keyword stage).
    """

    feature: np.ndarray
    threshold: np.ndarray
    children: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depth: int
    base: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Return the probability of each row of ``x`` (rows x features)."""
        if len(x) == 0:
            return np.zeros(0)
        flat = x.ravel()
        # Row r's feature f is flat[r * width + f].
        row_start = (np.arange(len(x)) * x.shape[1])[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots)))
        for _ in range(self.depth):
            goes_left = flat[row_start + self.feature[node]] <= self.threshold[node]
            node = self.children[2 * node + goes_left]
        # Summed along C-ordered rows, tree by tree in order: a transposed array sums in
        # another order and changes the last bits.
        raw = self.base + self.value[node].sum(axis=1)
        probability: np.ndarray = 1.0 / (1.0 + np.exp(-raw))
        return probability


@dataclass(frozen=True)
class Model:
    """The trees, the tables their features read, and the settings they were tuned with."""

    forest: Forest
    tables: Tables
    proper: frozenset[str]
    settings: KeyphraseSettings
    #: The keyword style to imitate (see digest.text.features.STYLE_FEATURES).
    style: float


def _rates(data: Mapping[str, Any]) -> Rates:
    """Read rates stored as parallel lists (items joined by line breaks)."""
    items = data["items"].split("\n") if data["items"] else []
    counts = zip(data["seen"], data["hits"], strict=True)
    return Rates(
        dict(zip(items, ((int(n), int(h)) for n, h in counts), strict=True)), data["prior"]
    )


def _by_value(data: Mapping[str, str]) -> dict[str, float]:
    """Expand ``{value: "word word ..."}`` (how the file stores word tables) to a dict."""
    return {w: float(v) for v, words in data.items() for w in words.split()}


def forest_of(trees: Mapping[str, Any]) -> Forest:
    """Lay out the model file's trees (LightGBM's per-tree numbering) as one node array.

    In the file, a child ``c >= 0`` is internal node ``c`` of its tree and ``c < 0`` is its
    leaf ``~c``, and a split's threshold is an index into the sorted distinct ``thresholds``
    (a quarter as many); here internal nodes of all trees come first, then all leaves.
    """
    splits = np.asarray(trees["splits"], dtype=np.intp)
    leaves = np.asarray(trees["leaves"], dtype=np.intp)
    split_start = np.concatenate([[0], np.cumsum(splits)[:-1]])
    leaf_start = int(splits.sum()) + np.concatenate([[0], np.cumsum(leaves)[:-1]])
    tree_of_split = np.repeat(np.arange(len(splits)), splits)

    def children(local: Sequence[int]) -> np.ndarray:
        c = np.asarray(local, dtype=np.intp)
        return np.where(c >= 0, split_start[tree_of_split] + c, leaf_start[tree_of_split] + ~c)

    total_leaves = int(leaves.sum())
    leaf_ids = int(splits.sum()) + np.arange(total_leaves)
    return Forest(
        feature=np.concatenate(
            [
                np.asarray(trees["split_feature"], dtype=np.intp),
                np.zeros(total_leaves, dtype=np.intp),
            ]
        ),
        threshold=np.concatenate(
            [
                np.asarray(trees["thresholds"], dtype=np.float64)[
                    np.asarray(trees["threshold"], dtype=np.intp)
                ],
                np.zeros(total_leaves),
            ]
        ),
        children=np.stack(
            [
                np.concatenate([children(trees["right"]), leaf_ids]),
                np.concatenate([children(trees["left"]), leaf_ids]),
            ],
            axis=1,
        ).ravel(),
        value=np.concatenate(
            [np.zeros(int(splits.sum())), np.asarray(trees["leaf_value"], dtype=np.float64)]
        ),
        roots=np.where(splits > 0, split_start, leaf_start),
        depth=_depth(trees),
        base=0.0,
    )


def _depth(trees: Mapping[str, Any]) -> int:
    """Return the deepest leaf's depth, so that many steps take every row to a leaf."""
    deepest = 0
    start = 0
    for n in trees["splits"]:
        # LightGBM numbers a split after its parent's, so parents come first.
        level = {0: 0}
        for i in range(n):
            for c in (trees["left"][start + i], trees["right"][start + i]):
                if c >= 0:
                    level[c] = level[i] + 1
                else:
                    deepest = max(deepest, level[i] + 1)
        start += n
    return deepest


def parse_model(data: Mapping[str, Any]) -> Model:
    """Build a model from the decoded JSON that bench/keyword_ranker.py writes."""
    if tuple(data["features"]) != FEATURES:
        raise ValueError("keyphrase model was trained on other features: retrain it")
    t = data["tables"]
    tables = Tables(
        zipf=_by_value(t["zipf"]),
        doc_freq={w: int(v) for w, v in _by_value(t["doc_freq"]).items()},
        documents=int(t["documents"]),
        phrase=_rates(t["phrase"]),
        first=_rates(t["first"]),
        last=_rates(t["last"]),
        word=_rates(t["word"]),
        before=_rates(t["before"]),
        after=_rates(t["after"]),
        suffix=_rates(t["suffix"]),
    )
    proper = frozenset(t["proper"].split())
    settings = KeyphraseSettings(**data["settings"])
    return Model(forest_of(data["trees"]), tables, proper, settings, float(data["style"]))


@lru_cache(maxsize=1)
def model_hash(path: Path = MODEL) -> str:
    """Hash the model file, so that keywords cached under another model are not reused."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL) -> Model:
    """Read the shipped model once per process."""
    return parse_model(json.loads(path.read_text(encoding="utf-8")))


_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s")


def _stem(word: str) -> str:
    """Return ``word`` without one common suffix ("modeling" and "model" share "model") and
    without the "+" of a version ("Turbo++")."""
    word = word.rstrip("+")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _repeats(a: Sequence[str], b: Sequence[str]) -> bool:
    """Return whether one word run holds the other, or both are one phrase in other word forms
    ("reward model", "reward modeling")."""
    # Every word singular: keys fold only the last word's plural ("mixture of experts model"
    # repeats "mixture of expert").
    a, b = [singular(w.rstrip("+")) for w in a], [singular(w.rstrip("+")) for w in b]
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    n = len(short)
    if any(long[i : i + n] == short for i in range(len(long) - n + 1)):
        return True
    return len(a) == len(b) and all(_stem(x) == _stem(y) for x, y in zip(a, b, strict=True))


def choose(keys: Sequence[str], scores: np.ndarray, settings: KeyphraseSettings) -> list[int]:
    """Return the indices of the phrases to show, best first.

    Best first, skipping a phrase that holds or is held by a chosen one ("diffusion model"
    after "latent diffusion model" says nothing new) or repeats one in other word forms.
    Hugging Face's lists nest one keyword in another for under 4 % of their keywords
    (bench/keyword_evidence.py); showing both would raise precision by matching one keyword
    twice, and cost recall.
    """
    order = sorted(range(len(keys)), key=lambda i: (-scores[i], keys[i]))
    chosen: list[int] = []
    words = [key.split() for key in keys]
    for i in order:
        if len(chosen) >= settings.most:
            break
        if scores[i] < settings.floor or (
            scores[i] < settings.threshold and len(chosen) >= settings.fewest
        ):
            break
        if not any(_repeats(words[i], words[j]) for j in chosen):
            chosen.append(i)
    return chosen


def keyphrases(
    title: str,
    abstract: str,
    settings: KeyphraseSettings | None = None,
    model: Model | None = None,
) -> list[tuple[str, float]]:
    """Return a paper's keyphrases as ``(text, score)``, best first, scores in [0, 1]."""
    model = model or load_model()
    settings = settings or model.settings
    paper = find_candidates(title, abstract)
    keys = sorted(paper.candidates)
    if not keys:
        return []
    scores = model.forest.predict(candidate_features(paper, keys, model.tables, model.style))
    tables = model.tables

    def common(word: str) -> bool:
        return word in tables.doc_freq and word not in model.proper

    return [
        (display(paper.candidates[keys[i]], paper, common), round(float(scores[i]), 6))
        for i in choose(keys, scores, settings)
    ]

"""Train digest's keyphrase ranker on Hugging Face's keywords and measure it.

Reads ../shared/data/hf-ai-keywords/train.jsonl (3,014 papers of other days, with the keywords
Hugging Face's pipeline wrote), learns the feature tables and gradient-boosted trees of
digest.text.keyphrases, and prints strict precision / recall (../shared/tools/kw_score.py's rule) in
cross-validation grouped by date (one day's papers in one fold; the tables a fold's features
read are learned without that fold, and the training rows' tables without their own fold),
at 6, 8 and 10 keyphrases a paper and for adaptive choices, on all papers and on those in
Hugging Face's 2026 style; the adaptive choice whose smaller margin over the floor (precision
0.60, recall 0.45), on all papers and on the 2026 papers, is largest is the one shipped (the
settings are scored from each paper's ten best phrases, ranked once). Then the refit on all
papers, the 30-paper check (../shared/data/hf-daily-papers, never tuned on), raw YAKE beside it
and, given the checkout of today's digest (--today), today's keyword stage's scores and its time
a paper beside this branch's (processes alternated A B A B, bench/keyword_stage.py).

Usage (DIGEST_SHARED=/path/to/shared if the data is not beside the repository; bench/ on
PYTHONPATH):
  python bench/keyword_ranker.py --write --today ../main  # everything (30-40 min on 2 cores)
  python bench/keyword_ranker.py --folds 2                # quicker look, no writing
  python bench/keyword_evidence.py                        # the counts the word lists cite
lightgbm and wordfreq are needed here only; the written model runs on numpy. The file written
is byte-identical from run to run (fixed seeds, one thread, sorted tables).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from keyword_data import (
    CACHE,
    NEW_STYLE,
    ROOT,
    TRAIN,
    Prepared,
    check_papers,
    labels,
    prepare_all,
    read_check,
    read_train,
    strict_score,
    style_of,
)
from keyword_tables import add, by_value, count, encode_rates, export_forest, tables_of, zipf_table

from digest.text.candidates import display
from digest.text.features import FEATURES, Tables, table_features
from digest.text.keyphrases import (
    MODEL,
    KeyphraseSettings,
    Model,
    choose,
    forest_of,
    keyphrases,
    parse_model,
)

FOLDS = 5
SEED = 17
LIGHTGBM = {
    "objective": "cross_entropy",
    "learning_rate": 0.08,
    "num_leaves": 31,
    "max_depth": 8,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": SEED,
    "deterministic": True,
    "num_threads": 1,
    "verbose": -1,
}
ROUNDS = 250


def date_folds(prepared: Sequence[Prepared], folds: int) -> list[int]:
    """Assign each paper a fold by its date, dates dealt round-robin in sorted order."""
    dates = sorted({p.date for p in prepared})
    fold_of = {d: i % folds for i, d in enumerate(dates)}
    return [fold_of[p.date] for p in prepared]


def train_forest(x: np.ndarray, y: np.ndarray, rounds: int = ROUNDS) -> Any:
    import lightgbm

    return lightgbm.train(LIGHTGBM, lightgbm.Dataset(x, y.astype(float)), num_boost_round=rounds)


def shown(p: Prepared, scores: np.ndarray, settings: KeyphraseSettings) -> list[str]:
    """Return what a paper shows (case aside, which the strict rule ignores)."""
    return [
        display(p.paper.candidates[p.keys[i]], p.paper, lambda w: True)
        for i in choose(p.keys, scores, settings)
    ]


SETTINGS = {
    "top 6": KeyphraseSettings(threshold=1.0, fewest=6, most=6, floor=0.0),
    "top 8": KeyphraseSettings(threshold=1.0, fewest=8, most=8, floor=0.0),
    "top 10": KeyphraseSettings(threshold=1.0, fewest=10, most=10, floor=0.0),
}


#: Everything a setting can show: each paper's ten best phrases that do not repeat each other.
Ranked = list[tuple[np.ndarray, list[str]]]
ALL_TEN = KeyphraseSettings(threshold=0.0, fewest=0, most=10, floor=0.0)


def rank_all(prepared: Sequence[Prepared], scores: Sequence[np.ndarray]) -> Ranked:
    """Return, per paper, the scores and texts of its ten best phrases, best first."""
    ranked = []
    for p, s in zip(prepared, scores, strict=True):
        chosen = choose(p.keys, s, ALL_TEN)
        ranked.append((s[chosen], shown(p, s, ALL_TEN)))
    return ranked


def shown_count(best: np.ndarray, settings: KeyphraseSettings) -> int:
    """Return how many of a paper's best phrases ``settings`` shows: ``choose`` stops at the
    first phrase below the floor, or below the threshold once ``fewest`` are shown, and a
    phrase it skips as a repeat is followed by none better, so its choice is a prefix."""
    n = 0
    for score in best[: settings.most]:
        if score < settings.floor or (score < settings.threshold and n >= settings.fewest):
            break
        n += 1
    return n


def evaluate_ranked(
    prepared: Sequence[Prepared], ranked: Ranked, settings: KeyphraseSettings
) -> tuple[float, float, float]:
    """Return what :func:`evaluate` returns, from :func:`rank_all`'s lists (many settings at
    the cost of one)."""
    texts = [texts[: shown_count(best, settings)] for best, texts in ranked]
    return strict_score(texts, [p.gold for p in prepared])


def table_x(prepared: Sequence[Prepared], tables: Tables) -> list[np.ndarray]:
    return [table_features(p.paper, p.keys, tables) for p in prepared]


def cross_validate(
    prepared: Sequence[Prepared], zipf: dict[str, float], folds: int, label: str
) -> list[np.ndarray]:
    """Return out-of-fold scores of every paper in the first ``folds`` folds.

    Nested: the test fold's table features read tables learned on the other folds, and each
    training fold's read tables learned on the folds that are neither the test fold nor its own.
    """
    fold_of = date_folds(prepared, FOLDS)
    members = [[p for p, g in zip(prepared, fold_of, strict=True) if g == f] for f in range(FOLDS)]
    counts = [count(m) for m in members]
    scores: list[np.ndarray] = [np.zeros(0)] * len(prepared)
    for f in range(folds):
        x, y = [], []
        for g in range(FOLDS):
            if g == f:
                continue
            tables, _ = tables_of(add(counts[h] for h in range(FOLDS) if h not in (f, g)), zipf)
            for p, t in zip(members[g], table_x(members[g], tables), strict=True):
                x.append(np.hstack([p.text_x, t, style_of(p)]))
                y.append(labels(p, label))
        booster = train_forest(np.vstack(x), np.concatenate(y))
        tables, _ = tables_of(add(counts[h] for h in range(FOLDS) if h != f), zipf)
        test = [i for i, g in enumerate(fold_of) if g == f]
        for i in test:
            p = prepared[i]
            # Scored as the shipped model scores every paper: in the newest style.
            x_test = np.hstack(
                [p.text_x, table_features(p.paper, p.keys, tables), style_of(p, 1.0)]
            )
            scores[i] = booster.predict(x_test)
        print(f"  fold {f}: {len(y)} train papers, {len(test)} test", file=sys.stderr)
    return scores


#: A paper shows at least six phrases (when it has them above the floor): with four, a paper
#: whose phrases all score low shows too few of a specialist's terms
#: (tests/test_keyphrases.py::test_each_golden_paper_shows_several_of_its_keyphrases), and in
#: cross-validation the best setting with six clears the floor by nearly as much as with four
#: (margins 1.014 and 1.016, precision 0.60 / recall 0.45 being 1).
FEWEST = 6
ADAPTIVE = [
    KeyphraseSettings(threshold=t / 100, fewest=FEWEST, most=m)
    for t in range(30, 50, 2)
    for m in (8, 9, 10)
]


def floor_margin(precision: float, recall: float) -> float:
    """How far a setting clears the floor (precision 0.60, recall 0.45), relatively."""
    return min(precision / 0.60, recall / 0.45)


def report_cv(prepared: Sequence[Prepared], scores: Sequence[np.ndarray]) -> KeyphraseSettings:
    """Print CV figures at fixed counts and for adaptive settings, on all papers and on those
    of the newest style; return the adaptive setting whose smaller margin over the floor, of
    the two, is largest: the floor must hold for either style of day, not for one on average."""
    new = [i for i, p in enumerate(prepared) if p.date >= NEW_STYLE]
    ranked = rank_all(prepared, scores)
    subsets = {
        "all": (prepared, ranked),
        "2026": ([prepared[i] for i in new], [ranked[i] for i in new]),
    }
    print(f"CV: {len(prepared)} papers, {len(new)} of them from {NEW_STYLE} on")
    best, best_margin = ADAPTIVE[0], -1.0
    named = [(name, s) for name, s in SETTINGS.items()]
    named += [(f"p>={s.threshold} {s.fewest}-{s.most}", s) for s in ADAPTIVE]
    for name, settings in named:
        cells, margins = [], []
        for subset, (ps, ss) in subsets.items():
            p, r, n = evaluate_ranked(ps, ss, settings)
            cells.append(f"{subset}: P {p:.3f} R {r:.3f} ({n:.1f})")
            margins.append(floor_margin(p, r))
        if settings in ADAPTIVE and min(margins) > best_margin:
            best, best_margin = settings, min(margins)
        print(f"CV  {name:<16} " + "   ".join(cells))
    return best


def fit_final(
    prepared: Sequence[Prepared], zipf: dict[str, float], label: str, settings: KeyphraseSettings
) -> dict[str, Any]:
    """Train on every paper (table features out of fold) and return the model file's content."""
    fold_of = date_folds(prepared, FOLDS)
    members = [[p for p, g in zip(prepared, fold_of, strict=True) if g == f] for f in range(FOLDS)]
    counts = [count(m) for m in members]
    x, y = [], []
    for g in range(FOLDS):
        tables, _ = tables_of(add(counts[h] for h in range(FOLDS) if h != g), zipf)
        for p, t in zip(members[g], table_x(members[g], tables), strict=True):
            x.append(np.hstack([p.text_x, t, style_of(p)]))
            y.append(labels(p, label))
    booster = train_forest(np.vstack(x), np.concatenate(y))
    tables, proper = tables_of(add(counts), zipf)
    exported = export_forest(booster)
    check = np.vstack(x[:50])
    mine = forest_of(exported).predict(check)
    theirs = booster.predict(check)
    if not np.allclose(mine, theirs, atol=1e-4):
        raise SystemExit(f"exported trees disagree with LightGBM: {np.abs(mine - theirs).max()}")
    return {
        "version": 1,
        "style": 1.0,
        "trained_on": f"{TRAIN.name}: {len(prepared)} papers, label {label}",
        "features": list(FEATURES),
        "settings": {
            "threshold": settings.threshold,
            "fewest": settings.fewest,
            "most": settings.most,
            "floor": settings.floor,
        },
        "tables": {
            "zipf": by_value(tables.zipf),
            "doc_freq": by_value(dict(tables.doc_freq)),
            "documents": tables.documents,
            "proper": " ".join(sorted(proper)),
            **{
                name: encode_rates(getattr(tables, name))
                for name in ("phrase", "first", "last", "word", "before", "after", "suffix")
            },
        },
        "trees": exported,
    }


def score_check(model: Model, settings: dict[str, KeyphraseSettings]) -> None:
    reference = {d["id"]: d["ai_keywords"] for d in read_check()}
    papers = check_papers()
    gold = [reference[p.arxiv_id or p.key] for p in papers]
    for name, s in settings.items():
        shown = [[t for t, _ in keyphrases(p.title, p.abstract, s, model)] for p in papers]
        prec, rec, n = strict_score(shown, gold)
        print(f"30-paper {name:<23} precision {prec:.3f}  recall {rec:.3f}  ({n:.1f} a paper)")


def stage_run(checkout: Path, docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Run bench/keyword_stage.py with ``checkout``'s digest in a fresh process."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([{"title": d["title"], "abstract": d["abstract"]} for d in docs], f)
    try:
        env = {**os.environ, "PYTHONPATH": str(checkout), "OPENBLAS_NUM_THREADS": "1"}
        out = subprocess.run(
            [sys.executable, str(Path(__file__).parent / "keyword_stage.py"), f.name],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(f.name)
    result: dict[str, Any] = json.loads(out)
    return result


def baselines(docs: Sequence[dict[str, Any]], name: str, today: Path | None) -> None:
    """Score raw YAKE (n=3, top 10, as kw_score.py) and, given the checkout of today's digest,
    its keyword stage, on its default settings."""
    import yake

    gold = [d["ai_keywords"] for d in docs]
    extractor = yake.KeywordExtractor(lan="en", n=3, top=10)
    shown = {
        "raw YAKE top 10": [
            [k for k, _ in extractor.extract_keywords(f"{d['title']}. {d['abstract']}")]
            for d in docs
        ]
    }
    if today is not None:
        shown[f"digest today ({today})"] = stage_run(today, docs)["keywords"]
    shown["this branch's keyword stage"] = stage_run(ROOT, docs)["keywords"]
    for label, texts in shown.items():
        prec, rec, n = strict_score(texts, gold)
        print(f"{name} {label:<32} precision {prec:.3f}  recall {rec:.3f}  ({n:.1f} a paper)")


def timing(docs: Sequence[dict[str, Any]], today: Path, rounds: int = 3) -> None:
    """Time today's keyword stage against this branch's, alternating processes A B A B on the
    same papers; print the median time a paper of each (chunks of 25 papers)."""
    spent: dict[str, list[float]] = {"today": [], "branch": []}
    for _ in range(rounds):
        for name, checkout in (("today", today), ("branch", ROOT)):
            spent[name] += stage_run(checkout, docs)["ms"]
    a, b = statistics.median(spent["today"]), statistics.median(spent["branch"])
    print(
        f"keyword stage, time a paper ({len(docs)} papers x {rounds}, A B alternated, median of "
        f"25-paper chunks): today ({today}) {a:.1f} ms, this branch {b:.1f} ms, ratio {b / a:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--write", action="store_true", help="write digest/text/data/keyphrase_model.json"
    )
    parser.add_argument("--folds", type=int, default=FOLDS, help="CV folds to run (of 5); 0: none")
    parser.add_argument("--label", default="graded", choices=["strict", "exact", "graded"])
    parser.add_argument("--baseline", action="store_true", help="also score YAKE on train.jsonl")
    parser.add_argument(
        "--today", type=Path, help="checkout of today's digest, for its scores and time"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    docs = read_train()
    prepared = prepare_all(docs, CACHE)
    vocabulary = {w for p in prepared for c in p.paper.candidates.values() for w in c.words}
    zipf = zipf_table(vocabulary)
    print(
        f"{len(prepared)} papers of {TRAIN.name} prepared in {time.perf_counter() - started:.0f} s"
    )
    if args.baseline:
        baselines(docs, "train", args.today)
    chosen = KeyphraseSettings()
    if args.folds:
        scores = cross_validate(prepared, zipf, args.folds, args.label)
        fold_of = date_folds(prepared, FOLDS)
        scored = [i for i, g in enumerate(fold_of) if g < args.folds]
        chosen = report_cv([prepared[i] for i in scored], [scores[i] for i in scored])
        print(f"chosen by CV (largest margin over the floor): {chosen}")
    content = fit_final(prepared, zipf, args.label, chosen)
    text = json.dumps(content, separators=(",", ":"), sort_keys=True)
    print(f"model file: {len(text) / 1e6:.2f} MB, {len(content['trees']['splits'])} trees")
    if args.write:
        MODEL.parent.mkdir(parents=True, exist_ok=True)
        MODEL.write_text(text + "\n", encoding="utf-8")
    model = parse_model(json.loads(text))
    score_check(
        model, {**SETTINGS, f"chosen {chosen.threshold} {chosen.fewest}-{chosen.most}": chosen}
    )
    baselines(read_check(), "30-paper", args.today)
    if args.today is not None:
        timing(docs[:300], args.today)


if __name__ == "__main__":
    main()

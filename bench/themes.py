"""Theme quality: digest's grouping against arXiv primary categories, next to baselines.

For each labelled dataset of the shared data (see bench/corpus.py), papers are grouped by
digest's theme stage and by a TF-IDF + KMeans baseline with the same number of clusters
(scikit-learn, used here only), and both are scored by adjusted mutual information (AMI) and
NMI against each paper's primary arXiv category. Keywords are cached in bench/results/ so
reruns only pay for grouping.

Usage: python bench/themes.py [--datasets arxiv-cs-2016 kaggle-snapshot-head]
"""

from __future__ import annotations

import os

# One BLAS thread, as the `digest` command runs (digest/cli.py): on a shared 2-core machine
# OpenBLAS's threads only spin, and grouping 200 papers took 6 to 8 s instead of 0.5 s.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from sklearn.cluster import KMeans  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score  # noqa: E402

from digest.config import KeywordConfig, ThemeConfig  # noqa: E402
from digest.executors import keyword_executor  # noqa: E402
from digest.sources import read_inputs  # noqa: E402
from digest.text.keywords import extract  # noqa: E402
from digest.themes.grouping import group  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import LABELLED, ROOT, FileCache  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def baseline(texts: list[str], k: int) -> list[int]:
    vectors = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2).fit_transform(
        texts
    )
    return KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(vectors).tolist()


def score(name: str, truth: list[str], labels: Sequence[object], other: int = 0) -> dict[str, Any]:
    sizes = Counter(labels)
    return {
        "method": name,
        "k": len(sizes),
        "AMI": adjusted_mutual_info_score(truth, labels),
        "NMI": normalized_mutual_info_score(truth, labels),
        "other": other / len(labels),
        "largest": max(sizes.values()) / len(labels),
    }


def run(dataset: str, settings: ThemeConfig) -> list[dict[str, Any]]:
    papers = read_inputs([LABELLED / f"{dataset}.jsonl"])
    truth = [p.primary_category or "?" for p in papers]
    cache = FileCache(RESULTS / f"keywords-{dataset}.json")
    with keyword_executor(0) as pool:
        keywords = extract(papers, KeywordConfig(), pool, cache)
    start = time.perf_counter()
    grouping = group(papers, keywords, settings)
    seconds = time.perf_counter() - start
    primary = {key: places[0].theme_slug for key, places in grouping.placements.items()}
    labels = [primary[p.key] for p in papers]
    others = {t.slug for t in grouping.themes if t.is_other}
    ours = score("digest", truth, labels, sum(label in others for label in labels))
    ours["seconds"] = seconds
    k = ours["k"]
    texts = [f"{p.title}. {p.abstract}" for p in papers]
    rows = [ours]
    base_scores = []
    for seed in range(3):
        vectors = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2).fit_transform(
            texts
        )
        base = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(vectors).tolist()
        base_scores.append(score("tfidf+kmeans", truth, base))
    row = dict(base_scores[0])
    for metric in ("AMI", "NMI", "largest"):
        row[metric] = statistics.median(s[metric] for s in base_scores)
    rows.append(row)
    print(f"\n{dataset}: {len(papers)} papers, {len(set(truth))} primary categories")
    for r in rows:
        extra = f"  ({r['seconds']:.1f} s)" if "seconds" in r else "  (median of 3 seeds)"
        print(
            f"  {r['method']:<14} k={r['k']:<3} AMI={r['AMI']:.3f} NMI={r['NMI']:.3f} "
            f"other={r['other']:.1%} largest={r['largest']:.1%}{extra}"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", nargs="+", default=["arxiv-cs-2016", "kaggle-snapshot-head"])
    parser.add_argument(
        "--k", type=int, nargs="*", default=[20], help="also run with exactly k themes"
    )
    args = parser.parse_args()
    for dataset in args.datasets:
        print("\n== k chosen by digest ==", end="")
        run(dataset, ThemeConfig())
        for k in args.k:
            print(f"\n== k = {k} (a fixed k, as the shared scoring rules use) ==", end="")
            run(dataset, ThemeConfig(min_themes=k, max_themes=k, max_share=1.0, min_size=1))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

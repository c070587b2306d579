"""Theme quality of daily builds: new papers joining published themes, against regrouping.

Between regroupings a daily build places only its new papers (``digest.themes.join``): each is
projected into the vector space of the last full grouping and joins the nearest theme. This
measures what that costs in quality, on the labelled arXiv data of ../shared/data/labelled:
the first ``--start`` share of a dataset (in file order) is grouped from scratch, then the rest
arrives in daily batches of ``--batch`` papers, placed three ways:

- ``join``: digest's daily path (carried placements, projection, nearest centre);
- ``sticky refit``: the session 2 daily path (every paper's vectors fitted again, published
  papers kept where they were, new ones to the nearest centre);
- ``from scratch``: one grouping of all the papers at the end (what a regrouping gives).

Each is scored by AMI and NMI against the papers' primary arXiv categories; the seconds are
the placing of all batches (keywords come from bench/results/, made by bench/themes.py).

Usage: python bench/themes_daily.py [--datasets arxiv-cs-2016] [--start 0.8] [--batch 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from digest.keywords import extract_keywords
from themes import LABELLED, RESULTS, FileCache

from digest.config import KeywordConfig, ThemeConfig
from digest.executors import LazyProcessPool
from digest.model import Keyword, Paper
from digest.sources import read_inputs
from digest.themes import Grouping, group, join


def _score(name: str, truth: dict[str, str], grouping: Grouping, seconds: float) -> None:
    keys = sorted(truth)
    labels = [grouping.placements[k][0].theme_slug for k in keys]
    expected = [truth[k] for k in keys]
    ami = adjusted_mutual_info_score(expected, labels)
    nmi = normalized_mutual_info_score(expected, labels)
    themes = len(grouping.themes)
    print(f"  {name:<14} themes={themes:<3} AMI={ami:.3f} NMI={nmi:.3f}  ({seconds:.1f} s)")


def run(dataset: str, start: float, batch: int) -> None:
    papers = read_inputs([LABELLED / f"{dataset}.jsonl"])
    truth = {p.key: p.primary_category or "?" for p in papers}
    cache = FileCache(RESULTS / f"keywords-{dataset}.json")
    with LazyProcessPool(os.cpu_count() or 1) as pool:
        keywords = extract_keywords(papers, KeywordConfig(), pool, cache)
    pairs: list[tuple[Paper, tuple[Keyword, ...]]] = list(zip(papers, keywords, strict=True))
    first = int(len(pairs) * start)
    settings = ThemeConfig()
    base = group([p for p, _ in pairs[:first]], [k for _, k in pairs[:first]], settings)
    print(f"\n{dataset}: {first} papers grouped, then {len(pairs) - first} in batches of {batch}")

    joined, seconds = base, 0.0
    for at in range(first, len(pairs), batch):
        assert joined.space is not None
        carried = dict(joined.placements)
        tick = time.perf_counter()
        placed = join(
            pairs[at : at + batch], (), joined.themes, carried, joined.space, joined.centres
        )
        seconds += time.perf_counter() - tick
        assert placed is not None, "the published themes could not take new papers"
        joined = placed
    _score("join", truth, joined, seconds)

    sticky, seconds = base, 0.0
    for at in range(first, len(pairs), batch):
        upto = pairs[: at + batch]
        tick = time.perf_counter()
        sticky = group(
            [p for p, _ in upto], [k for _, k in upto], settings, "en", sticky.themes, False
        )
        seconds += time.perf_counter() - tick
    _score("sticky refit", truth, sticky, seconds)

    tick = time.perf_counter()
    scratch = group([p for p, _ in pairs], [k for _, k in pairs], settings)
    _score("from scratch", truth, scratch, time.perf_counter() - tick)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", nargs="+", default=["arxiv-cs-2016", "kaggle-snapshot-head"])
    parser.add_argument("--start", type=float, default=0.8)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    for dataset in args.datasets:
        run(dataset, args.start, args.batch)
    sys.stdout.flush()


if __name__ == "__main__":
    main()

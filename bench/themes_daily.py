"""Theme quality of daily builds: new papers joining published themes, against regrouping.

Between regroupings a daily build places only its new papers
(``digest.themes.grouping.join``): each is projected into the vector space of the last full
grouping and joins the nearest theme. This measures what that costs in quality, on the labelled
arXiv data of the shared data folder (see bench/corpus.py): the first ``--start`` share of a
dataset (in file order) is grouped from scratch, then the rest arrives in daily batches of
``--batch`` papers, placed two ways:

- ``join``: digest's daily path (carried placements, projection, nearest centre);
- ``from scratch``: one grouping of all the papers at the end (what a regrouping gives).

(The "sticky refit" of session 2, every paper's vectors fitted again each day, was removed
from digest in issue 16; its last figures are in bench/README.md.)

Each is scored by AMI and NMI against the papers' primary arXiv categories; the seconds are
the placing of all batches (keywords come from bench/results/, made by bench/themes.py).

Usage: python bench/themes_daily.py [--datasets arxiv-cs-2016] [--start 0.8] [--batch 100]
"""

from __future__ import annotations

import os

# One BLAS thread, as the `digest` command runs (digest/cli.py): on a shared 2-core machine
# OpenBLAS's threads only spin, and grouping 200 papers took 6 to 8 s instead of 0.5 s.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score  # noqa: E402

from digest.config import KeywordConfig, ThemeConfig  # noqa: E402
from digest.executors import keyword_executor  # noqa: E402
from digest.model import Keyword, Paper  # noqa: E402
from digest.sources import read_inputs  # noqa: E402
from digest.text.keywords import extract  # noqa: E402
from digest.themes.grouping import Grouping, group, join  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from themes import LABELLED, RESULTS, FileCache  # noqa: E402


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
    with keyword_executor(0) as pool:
        keywords = extract(papers, KeywordConfig(), pool, cache)
    pairs: list[tuple[Paper, tuple[Keyword, ...]]] = list(zip(papers, keywords, strict=True))
    first = int(len(pairs) * start)
    settings = ThemeConfig()
    base = group([p for p, _ in pairs[:first]], [k for _, k in pairs[:first]], settings)
    print(f"\n{dataset}: {first} papers grouped, then {len(pairs) - first} in batches of {batch}")

    joined, seconds = base, 0.0
    for at in range(first, len(pairs), batch):
        assert joined.space is not None
        # What the kept state records: each published paper's theme slugs, primary first.
        carried = {k: tuple(p.theme_slug for p in v) for k, v in joined.placements.items()}
        tick = time.perf_counter()
        placed = join(
            pairs[: at + batch], joined.themes, carried, joined.space, joined.centres, settings
        )
        seconds += time.perf_counter() - tick
        assert placed is not None, "the published themes could not take new papers"
        joined = placed
    _score("join", truth, joined, seconds)

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

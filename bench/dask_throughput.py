"""Keyword extraction on two local Dask workers against the build's own process pool.

The keyword stage is the work a full-arXiv backfill sends to a cluster (``--executor
dask://HOST:PORT``). This runs that stage (``digest.text.keywords.extract``, no cache) on the
same papers with each executor in turn, alternating A B A B, and prints papers a second
(median of the rounds) and the ratio. The Dask side is a ``LocalCluster`` of two single-thread
worker processes, started once (as a standing cluster would be) and addressed through
``digest.executors.keyword_executor`` exactly as a build addresses it.

    python bench/dask_throughput.py                 # 2,000 papers, 3 rounds
    python bench/dask_throughput.py --papers 500 --rounds 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus

from digest.config import KeywordConfig
from digest.executors import keyword_executor
from digest.model import Paper
from digest.sources import read_inputs
from digest.text.keywords import extract


def rate(papers: list[Paper], workers: int, address: str) -> float:
    """Extract keywords of ``papers`` on one executor; return papers a second."""
    started = time.perf_counter()
    with keyword_executor(workers, address, given=None) as executor:
        extract(papers, KeywordConfig(), executor, None)
    return len(papers) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from distributed import LocalCluster

    corpus = write_corpus(Path("/tmp/dask-throughput.jsonl"), args.papers)
    papers = read_inputs([corpus])
    pool, dask = [], []
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
        for _ in range(args.rounds):
            pool.append(rate(papers, 2, ""))
            dask.append(rate(papers, 0, address))
    print(f"{len(papers)} papers, {args.rounds} rounds alternated, medians:")
    print(f"  process pool, 2 workers      {statistics.median(pool):7.1f} papers/s")
    print(f"  Dask LocalCluster, 2 workers {statistics.median(dask):7.1f} papers/s")
    print(f"  Dask / pool                  {statistics.median(dask) / statistics.median(pool):.2f}")


if __name__ == "__main__":
    main()

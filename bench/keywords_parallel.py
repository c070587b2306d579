"""Keyword extraction on every core against one core, side by side.

A = digest's keyword stage (digest.text.keywords.extract) on its default executor, a process
    pool of one worker per CPU (digest.executors.keyword_executor).
B = the same stage in-process, one text after another.
Runs alternate A B A B on the same texts (real abstracts from the shared data's labelled
arXiv set, no cache) and the ratio of medians is printed.

Usage: python bench/keywords_parallel.py [--papers 600] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from digest.config import KeywordConfig
from digest.executors import keyword_executor
from digest.sources import read_inputs
from digest.text.keywords import extract

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import LABELLED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=600)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    papers = read_inputs([LABELLED / "arxiv-cs-2016.jsonl"])[: args.papers]
    settings = KeywordConfig()
    pooled, sequential = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        # A fresh pool each run: its start-up is part of what a build pays.
        with keyword_executor(0) as pool:
            extract(papers, settings, pool)
        pooled.append(time.perf_counter() - start)
        start = time.perf_counter()
        extract(papers, settings, None)
        sequential.append(time.perf_counter() - start)
    a, b = statistics.median(pooled), statistics.median(sequential)
    print(f"{len(papers)} papers, {os.cpu_count()} CPUs, {args.runs} runs alternating")
    print(f"A process pool   median {a:6.2f} s")
    print(f"B sequential     median {b:6.2f} s")
    print(f"ratio A / B = {a / b:.2f}")


if __name__ == "__main__":
    main()

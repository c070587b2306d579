"""Incremental builds against the builds they avoid, measured side by side.

1. Warm rebuild of the seed with nothing new (A) against a plain `mkdocs build` of the same
   generated docs (B), alternating A B A B; prints A/B.
2. Adding N new papers (default 100) to a state of P papers (default 10,000) (A) against the
   cold build of those P papers (B); prints A/B. The corpus is the real labelled arXiv metadata
   replicated with distinct ids (see bench/corpus.py).

Usage: python bench/incremental.py [--runs 5] [--papers 10000] [--add 100] [--skip-large]
       [--large-runs 1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def project() -> Path:
    work = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "site_templates", work / "site_templates")
    return work


def run(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def digest(*args: str) -> list[str]:
    return [sys.executable, "-m", "digest", "-q", "build", *args]


def warm_vs_mkdocs(runs: int) -> None:
    work = project()
    run(digest("--date", "2026-01-01"), work)
    warm, plain = [], []
    for _ in range(runs):
        warm.append(run(digest("--date", "2026-01-02"), work))
        plain.append(run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", "plain"], work))
    shutil.rmtree(work)
    a, b = statistics.median(warm), statistics.median(plain)
    print(f"warm rebuild, nothing new (seed)    median {a:7.2f} s")
    print(f"plain mkdocs build, same docs       median {b:7.2f} s")
    print(f"ratio warm / plain mkdocs = {a / b:.2f}")


def add_vs_cold(runs: int, papers: int, add: int) -> None:
    data = Path(tempfile.mkdtemp(prefix="digest-corpus-"))
    base = write_corpus(data / "base.jsonl", papers)
    cold_times, add_times = [], []
    for index in range(runs):
        work = project()
        cold_times.append(run(digest(str(base), "--date", "2026-01-01"), work))
        extra = write_corpus(data / f"add-{index}.jsonl", add, start=papers + index * add)
        add_times.append(run(digest(str(extra), "--date", "2026-01-02"), work))
        shutil.rmtree(work)
    shutil.rmtree(data)
    a, b = statistics.median(add_times), statistics.median(cold_times)
    print(f"cold build, {papers} papers          median {b:7.2f} s")
    print(f"add {add} papers to that state       median {a:7.2f} s")
    print(f"ratio add / cold = {a / b:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--add", type=int, default=100)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument(
        "--large-runs", type=int, default=1, help="cold+add pairs (minutes each at 10,000)"
    )
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}, runs: {args.runs}")
    warm_vs_mkdocs(args.runs)
    if not args.skip_large:
        add_vs_cold(args.large_runs, args.papers, args.add)


if __name__ == "__main__":
    main()

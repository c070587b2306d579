"""This checkout against another (an older commit), side by side: cold and warm builds of the
bundled example, and a daily build (N new papers) on a state of P papers.

Each measurement alternates A B A B in one session and prints medians and the ratio B / A (B is
this checkout), because the machines here are shared and noisy. A is any checkout of digest,
run with ``PYTHONPATH`` pointing at it (make one with ``git worktree add /tmp/base <commit>``).

Usage: python bench/versus.py --baseline /tmp/base [--runs 5] [--papers 10000] [--add 100]
       [--daily-runs 3] [--skip-daily]
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
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent


def project(checkout: Path, into: Path) -> Path:
    """A fresh project folder with ``checkout``'s mkdocs.yml and templates."""
    into.mkdir(parents=True)
    shutil.copy(checkout / "mkdocs.yml", into / "mkdocs.yml")
    shutil.copytree(checkout / "site_templates", into / "site_templates")
    return into


def timed(checkout: Path, cwd: Path, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(PYTHONPATH=str(checkout), NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "digest", "-q", "build", *args]
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def alternate(runs: int, a: Callable[[int], float], b: Callable[[int], float]) -> None:
    times: tuple[list[float], list[float]] = ([], [])
    for number in range(runs):
        times[0].append(a(number))
        times[1].append(b(number))
    ma, mb = statistics.median(times[0]), statistics.median(times[1])
    print(f"    A median {ma:7.2f} s   B median {mb:7.2f} s   B / A = {mb / ma:.2f}", flush=True)


def seed(base: Path, here: Path, runs: int, work: Path) -> None:
    def cold(checkout: Path, name: str) -> Callable[[int], float]:
        def run(number: int) -> float:
            folder = project(checkout, work / f"{name}-cold-{number}")
            return timed(checkout, folder, "--date", "2026-01-01")

        return run

    print("cold build of the bundled example")
    alternate(runs, cold(base, "a"), cold(here, "b"))
    warm = {name: project(c, work / f"{name}-warm") for name, c in (("a", base), ("b", here))}
    for name, checkout in (("a", base), ("b", here)):
        timed(checkout, warm[name], "--date", "2026-01-01")
    print("warm rebuild of the bundled example, nothing new")
    alternate(
        runs,
        lambda n: timed(base, warm["a"], "--date", "2026-01-02"),
        lambda n: timed(here, warm["b"], "--date", "2026-01-02"),
    )


def daily(base: Path, here: Path, runs: int, papers: int, add: int, work: Path) -> None:
    corpus = write_corpus(work / "base.jsonl", papers)
    cold = {}
    for name, checkout in (("a", base), ("b", here)):
        folder = project(checkout, work / f"{name}-large")
        took = timed(checkout, folder, str(corpus), "--date", "2026-01-01")
        print(f"cold build of {papers} papers, {name.upper()}: {took:.1f} s", flush=True)
        cold[name] = folder

    def day(checkout: Path, name: str) -> Callable[[int], float]:
        def run(number: int) -> float:
            copy = work / f"{name}-day-{number}"
            shutil.copytree(cold[name], copy, symlinks=True)
            extra = write_corpus(work / f"add-{number}.jsonl", add, start=papers + number * add)
            took = timed(checkout, copy, str(extra), "--date", "2026-01-02")
            shutil.rmtree(copy)
            return took

        return run

    print(f"daily build: {add} new papers on a state of {papers}")
    alternate(runs, day(base, "a"), day(here, "b"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", type=Path, required=True, help="checkout A")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--add", type=int, default=100)
    parser.add_argument("--daily-runs", type=int, default=3)
    parser.add_argument("--skip-daily", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="digest-versus-"))
    for checkout in (args.baseline.resolve(), ROOT):
        # Bytecode compiled once, as an installed package has it: with PYTHONDONTWRITEBYTECODE
        # set (as on the machines here) every run compiled digest's modules again, about 0.25 s
        # a run for either checkout (compileall of each package, 2026-12-05).
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(checkout / "digest")], check=True
        )
    try:
        seed(args.baseline.resolve(), ROOT, args.runs, work)
        if not args.skip_daily:
            daily(args.baseline.resolve(), ROOT, args.daily_runs, args.papers, args.add, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

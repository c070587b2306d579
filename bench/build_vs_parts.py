"""Time `digest build` on the bundled seed against its two big parts run on their own.

A = `digest build` (cold: a fresh working folder each run).
B = sequential YAKE over the same texts (a fresh interpreter) + a plain `mkdocs build` of the
    same generated docs.
Runs alternate A B A B in one session and the ratio of medians is printed, because machines
here are shared and noisy. Usage: python bench/build_vs_parts.py [--runs 5]
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

ROOT = Path(__file__).resolve().parent.parent
# Only what YAKE needs is imported (not the pipeline, which imports MkDocs): B1 is the least
# a sequential keyword stage can cost.
YAKE_ONLY = """
from digest.config import KeywordConfig
from digest.sources import bundled_example, read_inputs
from digest.text.keywords import keyword_text
from digest.text.yake_adapter import run_yake
settings = KeywordConfig()
for paper in read_inputs([bundled_example()]):
    run_yake(keyword_text(paper.title, paper.abstract), settings)
"""


def _workdir() -> Path:
    work = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "site_templates", work / "site_templates")
    return work


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "NO_MKDOCS_2_WARNING": "1"}
    # One build makes the generated docs that the plain mkdocs build renders.
    reference = _workdir()
    subprocess.run(
        [sys.executable, "-m", "digest", "-q", "build"], cwd=reference, env=env, check=True
    )
    a_times, b_times, yake_times, mkdocs_times = [], [], [], []
    for _ in range(args.runs):
        work = _workdir()
        a_times.append(_timed([sys.executable, "-m", "digest", "-q", "build"], work, env))
        shutil.rmtree(work)
        yake = _timed([sys.executable, "-c", YAKE_ONLY], reference, env)
        mkdocs = _timed(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(reference / "plain-site")],
            reference,
            env,
        )
        yake_times.append(yake)
        mkdocs_times.append(mkdocs)
        b_times.append(yake + mkdocs)
    shutil.rmtree(reference)
    a, b = statistics.median(a_times), statistics.median(b_times)
    print(f"runs: {args.runs} (alternating A B), CPUs: {os.cpu_count()}")
    print(f"A  digest build (cold)            median {a:6.2f} s")
    print(f"B1 sequential YAKE, same texts    median {statistics.median(yake_times):6.2f} s")
    print(f"B2 plain mkdocs build, same docs  median {statistics.median(mkdocs_times):6.2f} s")
    print(f"B  = B1 + B2                      median {b:6.2f} s")
    print(f"ratio A / B = {a / b:.2f}")


if __name__ == "__main__":
    main()

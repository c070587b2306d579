"""Staging a first build's paper lines in the state's journal (digest.state.journal.Changes).

A cold build appends every paper's line (about 1.5 KB) to the month it is seen in, up to
32 MB a part: this times staging N such lines with this checkout's code and, with
``--baseline``, another checkout's, alternated, medians of ``--runs``. Usage:
python bench/state_append.py --baseline /tmp/base [--lines 10000 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_TIMED = """
import sys, time
sys.path.insert(0, sys.argv[1])
from digest.state.journal import Changes
line = b"x" * 1500 + b"\\n"
changes = Changes()
start = time.perf_counter()
for _ in range(int(sys.argv[2])):
    changes.append("papers/2026-01.jsonl", line)
print(time.perf_counter() - start)
"""


def timed(checkout: Path, lines: int) -> float:
    found = subprocess.run(
        [sys.executable, "-c", _TIMED, str(checkout), str(lines)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(found.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", type=Path, help="checkout A (B is this one)")
    parser.add_argument("--lines", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for lines in args.lines:
        here: list[float] = []
        base: list[float] = []
        for _ in range(args.runs):
            if args.baseline:
                base.append(timed(args.baseline.resolve(), lines))
            here.append(timed(ROOT, lines))
        b = statistics.median(here)
        text = f"{lines} lines: B {b:.3f} s"
        if base:
            a = statistics.median(base)
            text += f", A {a:.3f} s, B / A = {b / a:.4f}"
        print(text, flush=True)


if __name__ == "__main__":
    main()

"""The fault loops of tests/test_faults.py with larger counts: how often digest loses anything.

Each fault runs the real command line in a subprocess on a throw-away project (see the test
module for what is checked after every fault): kill -9 at random moments of builds and of
fetches (against the local recorded server), kill -9 at each boundary between a build's effects,
a full disk at a sweep of free-space margins, a read-only site, two builds at once, and kill -9
of the build holding the state's lock. A full disk and a read-only site are real mounts when
this process may mount (root), else injected errors, as in the tests.

Usage:
    python bench/faults.py [--builds 40] [--fetches 40] [--rounds 5] [--seed 1] [--keep]

Prints one line per fault, e.g. ``kill -9 during build: 40 runs, 37 kills, 0 losses (70 s)``,
then every problem found; exits 1 if there was any.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import test_faults as faults  # noqa: E402 (needs the paths above)

#: Free space left on the tmpfs, in KiB: from the state's journal to the last pages of the site.
MARGINS = (8, 16, 32, 64, 128, 256, 512, 1024, 1500, 2048, 3000)


def combine(name: str, tallies: list[faults.Tally]) -> faults.Tally:
    """Add up the tallies of one fault type."""
    total = faults.Tally(name)
    for tally in tallies:
        total.runs += tally.runs
        total.kills += tally.kills
        total.problems += [f"{tally.name}: {p}" for p in tally.problems]
        total.notes += [f"{tally.name}: {n}" for n in tally.notes]
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=40, help="builds to kill (default 40)")
    parser.add_argument("--fetches", type=int, default=40, help="fetches to kill (default 40)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds of the lock faults (default 5)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the random delays")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="digest-faults-"))
    print(
        f"Work folder {work}; faults by "
        f"{'mounts (tmpfs, bind)' if faults.can_mount() else 'injected OSErrors'}",
        flush=True,
    )
    base = faults.base_project(work / "base")
    loops: list[tuple[str, Callable[[Path], faults.Tally]]] = [
        ("kill -9 during build", lambda w: faults.kill_builds(w, args.builds, args.seed)),
        ("kill -9 during fetch", lambda w: faults.kill_fetches(w, args.fetches, args.seed)),
        ("kill -9 at each effect boundary", lambda w: faults.kill_at_boundaries(base, w)),
        (
            "disk full during build",
            lambda w: combine(
                "disk full",
                [faults.disk_full(base, w / f"margin-{m}", m) for m in MARGINS],
            ),
        ),
        (
            "read-only site folder",
            lambda w: combine(
                "read-only",
                [faults.read_only(base, w / where, where) for where in ("parent", "site")],
            ),
        ),
        ("two builds at once", lambda w: faults.concurrent_builds(base, w, args.rounds)),
        (
            "kill -9 of the lock holder",
            lambda w: faults.killed_lock_holder(base, w, args.rounds, args.seed),
        ),
    ]
    found: list[str] = []
    began = time.monotonic()
    for number, (name, loop) in enumerate(loops):
        folder = work / f"loop-{number}"
        folder.mkdir()
        started = time.monotonic()
        tally = loop(folder)
        seconds = time.monotonic() - started
        print(
            f"{name}: {tally.runs} runs, {tally.kills} kills, {len(tally.problems)} losses "
            f"({seconds:.0f} s)",
            flush=True,
        )
        found += [f"{name}: {p}" for p in tally.problems]
        for note in tally.notes:
            print(f"  note: {note}", flush=True)
    print(f"Total: {len(found)} losses in {time.monotonic() - began:.0f} s")
    for problem in found:
        print(f"  {problem}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

"""The memory of a build by stage: resident memory sampled every 0.05 s with the stage it is in.

A cold build of a large corpus takes most of its time in YAKE; what is measured here is the
build process, so the keyword cache is primed first (``prime``): the 3,738 real records are
extracted once (kept in ``--base``), and each replica of bench/corpus.py gets its original's
keywords (a replica's own differ at most by its "(Replica N.)" tag). Then ``run`` builds in the
current folder, in this process, with the stages of digest.build, digest.gather, the themes and
the publishing wrapped so that each sample knows where the build is::

    python bench/memory.py prime 100000 /tmp/m100k          # corpus.jsonl, day.jsonl, cache
    cd /tmp/m100k && cp -r $REPO/mkdocs.yml $REPO/site_templates .
    python $REPO/bench/memory.py run corpus.jsonl 2026-01-01 # cold
    python $REPO/bench/memory.py run day.jsonl 2026-01-02    # a day of 500 on it

Printed: the peak (the process's and its children's, as GNU time's %M counts them), each
stage's largest sample, and each rise of the high-water mark (VmHWM) with the stages around
it. glibc keeps the heap a stage freed, so a stage's figure includes what earlier ones left.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import real_records, write_corpus

DAY = 500
#: Where the stages live: module, function names (a label prefix for the grouping's own).
STAGES = {
    "digest.build": ("read_inputs", "fingerprint", "gather_state"),
    "digest.gather": ("_keywords", "group", "_join", "relate", "_entries", "issues"),
    "digest.publish.stage": ("publish", "write_docs", "render", "verify"),
    "digest.site.search": ("index",),
    "digest.themes.related": ("embed", "_author_graph", "_text_graph", "points", "place"),
    "digest.themes.relating": ("_points", "_batch", "fit_lsa", "_admit"),
    "digest.themes.grouping": ("fit_lsa", "embed", "points", "smooth", "cluster", "_named"),
}


def prime(papers: int, work: Path, base: Path) -> None:
    """Write the corpus, a day of DAY more, and a keyword cache that holds all of them."""
    from digest.config import load_config
    from digest.executors import keyword_executor
    from digest.sources import read_inputs
    from digest.state import Cache
    from digest.text.keywords import extract, settings_hash, text_hash

    config = load_config(None)
    key = settings_hash(config.keywords)
    originals = len(real_records())
    base.mkdir(parents=True, exist_ok=True)
    if not (base / "keywords.sqlite").exists():
        listing = write_corpus(base / "originals.jsonl", originals)
        cache = Cache(base)
        with keyword_executor(0) as pool:
            extract(read_inputs([listing]), config.keywords, pool, cache)
        cache.close()
    work.mkdir(parents=True, exist_ok=True)
    corpus = write_corpus(work / "corpus.jsonl", papers)
    day = write_corpus(work / "day.jsonl", DAY, start=papers)
    every = read_inputs([corpus]) + read_inputs([day])
    (work / ".digest-cache").mkdir(exist_ok=True)
    shutil.copy(base / "keywords.sqlite", work / ".digest-cache" / "keywords.sqlite")
    db = sqlite3.connect(work / ".digest-cache" / "keywords.sqlite")
    query = "SELECT text_hash, keywords FROM keywords WHERE settings_hash = ?"
    table = dict(db.execute(query, (key,)).fetchall())
    # Paper i of the corpus and of the day is bench/corpus.py's number i: a replica of i % n.
    rows = [
        (text_hash(p), key, table[text_hash(every[i % originals])])
        for i, p in enumerate(every)
        if text_hash(p) not in table
    ]
    db.executemany("INSERT OR REPLACE INTO keywords VALUES (?, ?, ?)", rows)
    db.commit()
    print(f"{papers} papers and a day of {DAY} in {work}, {len(rows)} replicas primed")


class Sampler:
    """Resident memory every ``every`` seconds, by the stack of stages the build is in."""

    def __init__(self, every: float = 0.05) -> None:
        self.every = every
        self.stack = ["build"]
        self.start = time.time()
        self.largest: dict[str, list[float]] = {}
        self.rises: list[tuple[float, int, int, str, str]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        function: Callable[..., Any] = getattr(owner, name)

        def staged(*args: Any, **kwargs: Any) -> Any:
            self.stack.append(label)
            try:
                return function(*args, **kwargs)
            finally:
                self.stack.pop()

        setattr(owner, name, staged)

    def _status(self) -> tuple[int, int]:
        fields = {}
        with open("/proc/self/status") as handle:
            for line in handle:
                name, _, value = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    fields[name] = int(value.split()[0]) // 1024
        return fields["VmRSS"], fields["VmHWM"]

    def run(self) -> None:
        high, before = 0, "build"
        while True:
            label = "/".join(self.stack)
            rss, hwm = self._status()
            now = time.time() - self.start
            if hwm > high:
                self.rises.append((now, high, hwm, before, label))
                high = hwm
            found = self.largest.setdefault(label, [0, now, now])
            found[0], found[2] = max(found[0], rss), now
            before = label
            time.sleep(self.every)

    def report(self) -> None:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        print(f"{time.time() - self.start:.1f} s, peak {own} MB (children {children} MB)")
        for label, (rss, first, last) in self.largest.items():
            print(f"{first:8.1f} {last:8.1f} {rss:6.0f} MB  {label}")
        print("The high-water mark's rises of 10 MB or more:")
        for now, low, high, before, label in self.rises:
            if high - low >= 10:
                print(f"{now:8.1f} {low:6d} -> {high:6d} MB  {before} -> {label}")


def run(corpus: Path, day: str) -> None:
    import importlib

    sampler = Sampler()
    for module, names in STAGES.items():
        owner = importlib.import_module(module)
        prefix = "G." if module.endswith("grouping") else ""
        for name in names:
            if hasattr(owner, name):
                sampler.wrap(owner, name, prefix + name)
    from digest.state.kept import State

    sampler.wrap(State, "upsert", "upsert")
    sampler.wrap(State, "commit", "commit")
    threading.Thread(target=sampler.run, daemon=True).start()
    from digest.cli import main as digest_main

    code = digest_main(["-q", "build", str(corpus), "--date", day])
    time.sleep(2 * sampler.every)
    sampler.report()
    if code:
        raise SystemExit(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    primed = commands.add_parser("prime", help="write a corpus and prime its keyword cache")
    primed.add_argument("papers", type=int)
    primed.add_argument("folder", type=Path)
    primed.add_argument("--base", type=Path, default=Path("bench/results/memory-originals"))
    built = commands.add_parser("run", help="build in this folder, sampling memory by stage")
    built.add_argument("corpus", type=Path)
    built.add_argument("date")
    args = parser.parse_args()
    if args.command == "prime":
        prime(args.papers, args.folder, args.base)
    else:
        run(args.corpus, args.date)


if __name__ == "__main__":
    main()

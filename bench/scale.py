"""A year of arXiv on one machine: cold builds at 20,000, 50,000 and 100,000 papers, then a day.

Each size is a real `digest build` (a fresh interpreter, a fresh working folder) of a corpus made
by bench/corpus.py: the real labelled arXiv records of ../shared/data, replicated with distinct
ids. Then a day of ``--add`` more papers is built on it. Printed per size:

- cold build: wall time, peak resident memory of the largest process (GNU time's %M: the build
  or a keyword worker), site size and pages;
- search: the largest file a search downloads (any file of site/pagefind/), and the total;
- the kept state: bytes a paper, the largest file, and what the day added (lines, and whether
  it rewrote any byte kept before);
- the day: wall time and its ratio to the cold build;
- a month on: one more day of ``--add`` papers dated 32 days later, when the first issues are
  past ``issue_card_days`` (their pages list links, not cards): the site's size a paper and by
  folder, the shape a year of daily issues has.

    python bench/scale.py                          # 20000, 50000 and 100000 papers
    python bench/scale.py --papers 2000 --add 500  # chosen sizes

Sizes run one after the other (each run is minutes to an hour long), so these are not
alternated; ratios are within one size's runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
ENV.pop("SOURCE_DATE_EPOCH", None)


def folder_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def timed_build(work: Path, corpus: Path, day: str) -> tuple[float, float]:
    """Build ``corpus`` dated ``day`` in ``work``; return (seconds, peak MB)."""
    stats = work / "time.txt"
    command = ["/usr/bin/time", "-f", "%e %M", "-o", str(stats), sys.executable, "-m"]
    command += ["digest", "-q", "build", str(corpus), "--date", day]
    subprocess.run(command, cwd=work, env=ENV, check=True)
    seconds_text, kb_text = stats.read_text().split()[-2:]
    return float(seconds_text), int(kb_text) / 1024


def kept(work: Path) -> dict[str, bytes]:
    state = work / "state"
    return {
        p.relative_to(state).as_posix(): p.read_bytes()
        for p in state.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def one(papers: int, add: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="digest-scale-"))
    try:
        shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
        shutil.copytree(ROOT / "site_templates", work / "site_templates")
        corpus = write_corpus(work / "corpus.jsonl", papers)
        seconds, peak = timed_build(work, corpus, "2026-01-01")
        site = work / "site"
        pages = sum(1 for _ in site.rglob("index.html"))
        search = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
        largest = max(search, key=lambda p: p.stat().st_size)
        print(
            f"{papers:>7} papers: cold {seconds:7.1f} s, peak {peak:6.0f} MB, "
            f"site {folder_bytes(site) / 1e6:7.1f} MB in {pages} pages",
            flush=True,
        )
        print(
            f"         search: largest file {largest.stat().st_size / 1e6:6.2f} MB "
            f"({largest.relative_to(site)}), all {folder_bytes(site / 'pagefind') / 1e6:6.1f} MB",
            flush=True,
        )
        before = kept(work)
        size = sum(len(v) for v in before.values())
        biggest = max(len(v) for v in before.values())
        print(
            f"         state: {size / papers:6.0f} bytes a paper, largest file "
            f"{biggest / 1e6:5.1f} MB",
            flush=True,
        )
        extra = write_corpus(work / "day.jsonl", add, start=papers)
        day_seconds, day_peak = timed_build(work, extra, "2026-01-02")
        after = kept(work)
        rewritten = [n for n, data in before.items() if not after.get(n, b"").startswith(data)]
        lines = sum(v.count(b"\n") for v in after.values()) - sum(
            v.count(b"\n") for v in before.values()
        )
        print(
            f"         a day of {add}: {day_seconds:6.1f} s ({day_seconds / seconds:.3f} of cold), "
            f"peak {day_peak:6.0f} MB, {lines} lines kept, rewritten: {rewritten or 'none'}",
            flush=True,
        )
        month = write_corpus(work / "month.jsonl", add, start=papers + add)
        month_seconds, _ = timed_build(work, month, "2026-02-02")
        total = papers + 2 * add
        parts = {
            d.name: folder_bytes(d) if d.is_dir() else d.stat().st_size for d in site.iterdir()
        }
        keywords = sum(v for k, v in parts.items() if k.startswith("keywords"))
        shown = {k: v for k, v in parts.items() if not k.startswith("keywords")}
        shown["keywords*"] = keywords
        largest_parts = sorted(shown.items(), key=lambda kv: -kv[1])[:6]
        print(
            f"         a month on ({month_seconds:.1f} s): site {folder_bytes(site) / 1e6:.1f} MB, "
            f"{folder_bytes(site) / total / 1e3:.2f} KB a paper; "
            + ", ".join(f"{k} {v / total / 1e3:.2f}" for k, v in largest_parts),
            flush=True,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, nargs="+", default=[20_000, 50_000, 100_000])
    parser.add_argument("--add", type=int, default=500)
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}")
    for papers in args.papers:
        one(papers, args.add)


if __name__ == "__main__":
    main()

"""Cold builds at 2,000, 10,000 and 20,000 papers: time, peak memory, search index, site size.

Each size is a real `digest build` (a fresh interpreter, a fresh working folder) of a corpus
made by bench/corpus.py: the real labelled arXiv records of ../shared/data, replicated with
distinct ids. Printed per size: wall time, peak resident memory of the largest process (the
build or a keyword worker: GNU time's %M), the size of site/search/search_index.json and of the
whole site/, and the number of pages. Then t(20k)/t(2k) (target <= 10.5).

    python bench/scale.py                      # 2000, 10000 and 20000 papers
    python bench/scale.py --papers 2000 20000  # chosen sizes

The 20,000-paper build takes several minutes on two cores; sizes run one after the other, so
the ratio of the two times is from one session, not alternated (each run is minutes long).
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
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1767225600"}


def folder_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def one(papers: int) -> tuple[float, float]:
    """Build ``papers`` papers cold; print the figures; return (seconds, peak MB)."""
    work = Path(tempfile.mkdtemp(prefix="digest-scale-"))
    try:
        shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
        shutil.copytree(ROOT / "site_templates", work / "site_templates")
        corpus = write_corpus(work / "corpus.jsonl", papers)
        stats = work / "time.txt"
        subprocess.run(
            [
                "/usr/bin/time",
                "-f",
                "%e %M",
                "-o",
                str(stats),
                sys.executable,
                "-m",
                "digest",
                "-q",
                "build",
                str(corpus),
            ],
            cwd=work,
            env=ENV,
            check=True,
        )
        seconds_text, kb_text = stats.read_text().split()[-2:]
        seconds, peak = float(seconds_text), int(kb_text) / 1024
        site = work / "site"
        index = (site / "search" / "search_index.json").stat().st_size
        pages = sum(1 for _ in site.rglob("index.html"))
        print(
            f"{papers:>6} papers: {seconds:7.1f} s, peak {peak:6.0f} MB, "
            f"search index {index / 1e6:5.2f} MB, site {folder_bytes(site) / 1e6:6.1f} MB, "
            f"{pages} pages",
            flush=True,
        )
        return seconds, peak
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, nargs="+", default=[2000, 10000, 20000])
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}")
    times = {n: one(n)[0] for n in args.papers}
    if 2000 in times and 20000 in times:
        print(f"t(20k) / t(2k) = {times[20000] / times[2000]:.2f}")


if __name__ == "__main__":
    main()

"""Measure the Pagefind search index of a built site at 2,000 and 20,000 papers.

Each size is a real `digest build` (a fresh interpreter, a fresh working folder) of a corpus made
by bench/corpus.py from the labelled arXiv records of the shared data. digest indexes one record
per paper (and one per theme) with Pagefind, in buckets of 2,000 papers (digest/site/search.py),
each a Pagefind bundle under site/pagefind/. Printed per size: the bundle's total size and bytes
per paper, the largest file (a search never downloads more than one file at once), the bytes by
kind of file (fragments are the records shown as results, index chunks are what a query's words
load, meta is loaded by every search) and the build time. The 20,000-paper build takes about ten
minutes on two cores.

    python bench/search_index.py                 # 2000 and 20000 papers
    python bench/search_index.py --papers 2000   # one size

(Earlier rounds measured MkDocs' search_index.json, which a reader downloaded whole: 8.59 MB
at 20,000 papers against a 10 MB budget. Pagefind's index is cut in chunks instead.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import ROOT, write_corpus

#: The largest single file a search may download (the old whole-index budget, per file now).
BUDGET = 10 * 1000 * 1000


def build(count: int, work: Path) -> float:
    """Build a ``count``-paper corpus in ``work``; return the seconds it took."""
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "site_templates", work / "site_templates")
    corpus = write_corpus(work / f"corpus-{count}.jsonl", count)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "digest", "-q", "build", str(corpus)], cwd=work, env=env, check=True
    )
    return time.perf_counter() - start


def kind(path: Path) -> str:
    """Name the kind of a file of a Pagefind bundle."""
    if path.parent.name in ("fragment", "index", "filter"):
        return {"fragment": "fragments", "index": "index chunks", "filter": "filters"}[
            path.parent.name
        ]
    if path.suffix == ".pf_meta" or path.name == "pagefind-entry.json":
        return "meta"
    return "runtime (js, wasm)"


def measure(count: int) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix=f"digest-search-{count}-"))
    try:
        seconds = build(count, work)
        root = work / "site" / "pagefind"
        files = [p for p in sorted(root.rglob("*")) if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        largest = max(files, key=lambda p: p.stat().st_size)
        by_kind: Counter[str] = Counter()
        for path in files:
            by_kind[kind(path)] += path.stat().st_size
        buckets = json.loads((root / "buckets.json").read_text(encoding="utf-8"))["buckets"]
        return {
            "papers": count,
            "bytes": size,
            "files": len(files),
            "buckets": len(buckets),
            "per_paper": size / count,
            "largest": largest.relative_to(root).as_posix(),
            "largest_bytes": largest.stat().st_size,
            "by_kind": dict(by_kind.most_common()),
            "build_s": round(seconds, 1),
            "within_budget": largest.stat().st_size <= BUDGET,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[2000, 20000])
    args = parser.parse_args()
    results = []
    for count in args.papers:
        result = measure(count)
        results.append(result)
        print(
            f"{count:>6} papers: site/pagefind {result['bytes'] / 1e6:6.2f} MB "
            f"({result['per_paper']:.0f} B/paper, {result['files']} files, "
            f"{result['buckets']} buckets, build {result['build_s']} s); largest file "
            f"{result['largest_bytes'] / 1e6:.2f} MB ({result['largest']}), "
            f"{'within' if result['within_budget'] else 'OVER'} the 10 MB budget",
            flush=True,
        )
        for name, size in result["by_kind"].items():  # type: ignore[attr-defined]
            print(f"{'':>14}{name:<20} {size / 1e6:6.2f} MB", flush=True)
    out = ROOT / "bench" / "results" / "search_index.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

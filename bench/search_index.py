"""Measure the search index of a built site at 2,000 and 20,000 papers (the budget: 10 MB).

Each size is a real `digest build` (a fresh interpreter, a fresh working folder) of a corpus made
by bench/corpus.py from the labelled arXiv records in ../shared/data. Printed per size: the
size of site/search/search_index.json, its documents, bytes per paper, where the bytes go (by
page kind) and the build time. The 20,000-paper build takes about ten minutes on two cores.

    python bench/search_index.py                 # 2000 and 20000 papers
    python bench/search_index.py --papers 2000   # one size

Last measured (2 cores, shared): 2,000 papers 0.91 MB (453 B/paper); 20,000 papers 8.59 MB
(429 B/paper, 20,073 documents, 99% of it the theme pages' cards), a 15-minute build.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from corpus import write_corpus  # noqa: E402 - bench/ is not a package

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


def kind(location: str) -> str:
    """Name the kind of page a search document belongs to."""
    head = location.split("/", 1)[0].split("#", 1)[0]
    if head == "themes" and location.count("/") >= 2 and not location.startswith("themes/#"):
        return "theme pages"
    return {"": "home", "themes": "themes index"}.get(head, head or "home")


def measure(count: int) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix=f"digest-search-{count}-"))
    try:
        seconds = build(count, work)
        path = work / "site" / "search" / "search_index.json"
        size = path.stat().st_size
        docs = json.loads(path.read_bytes())["docs"]
        by_kind: Counter[str] = Counter()
        for doc in docs:
            by_kind[kind(doc["location"])] += len(json.dumps(doc, separators=(",", ":")))
        return {
            "papers": count,
            "bytes": size,
            "docs": len(docs),
            "per_paper": size / count,
            "by_kind": dict(by_kind.most_common()),
            "build_s": round(seconds, 1),
            "within_budget": size <= BUDGET,
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
            f"{count:>6} papers: search_index.json {result['bytes'] / 1e6:6.2f} MB "
            f"({result['per_paper']:.0f} B/paper, {result['docs']} docs, "
            f"build {result['build_s']} s) "
            f"{'within' if result['within_budget'] else 'OVER'} the 10 MB budget",
            flush=True,
        )
        for name, size in result["by_kind"].items():  # type: ignore[attr-defined]
            print(f"{'':>14}{name:<14} {size / 1e6:6.2f} MB", flush=True)
    out = ROOT / "bench" / "results" / "search_index.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

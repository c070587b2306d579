"""Make large corpora for benchmarks from the real labelled arXiv metadata in ../shared/data.

The data folder is ``../shared/data`` next to the checkout, or ``$DIGEST_BENCH_DATA`` (a git
worktree elsewhere sets it: ``DIGEST_BENCH_DATA=/work/shared/data python bench/scale.py``).

The 3,738 real records (arxiv-cs-2016 + the Kaggle snapshot head) are replicated with distinct,
well-formed arXiv ids (``9000.00001``...) and a replica tag in the abstract, so that each copy
is a new paper with new text (YAKE has real work to do, no cache hit between copies).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: The shared data folder (read-only): labelled sets, HF daily papers.
DATA = Path(os.environ.get("DIGEST_BENCH_DATA") or ROOT.parent / "shared" / "data")
LABELLED = DATA / "labelled"
SOURCES = ("arxiv-cs-2016.jsonl", "kaggle-snapshot-head.jsonl")


def real_records() -> list[dict[str, object]]:
    records = []
    for name in SOURCES:
        with (LABELLED / name).open(encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def replicated(count: int, start: int = 0) -> Iterator[dict[str, object]]:
    """Yield ``count`` generic-JSON papers, numbers ``start`` .. ``start + count - 1``."""
    base = real_records()
    for number in range(start, start + count):
        record = base[number % len(base)]
        copy = number // len(base)
        yield {
            "id": f"{9000 + copy:04d}.{number % 100000:05d}",
            "title": str(record["title"]),
            "abstract": f"{record['abstract']} (Replica {copy}.)"
            if copy
            else str(record["abstract"]),
            "authors": record.get("authors") or "",
            "categories": str(record.get("categories") or "").split(),
        }


def write_corpus(path: Path, count: int, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in replicated(count, start):
            handle.write(json.dumps(record) + "\n")
    return path


class FileCache:
    """A keyword cache in a JSON file, so the benchmark pays for YAKE once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}

    def cached_keywords(self, settings_hash: str, text_hashes: Sequence[str]) -> dict[str, Any]:
        table = self.data.get(settings_hash, {})
        return {h: table[h] for h in text_hashes if h in table}

    def cache_keywords(self, settings_hash: str, entries: Iterable[tuple[str, Any]]) -> None:
        self.data.setdefault(settings_hash, {}).update(entries)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data))

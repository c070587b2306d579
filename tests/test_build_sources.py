"""`digest build` on every recorded real input format, one at a time and all at once."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from digest.writers.paging import page_url, paper_anchor, theme_pages
from tests.conftest import DATA, build_site, tree_bytes

API = DATA / "arxiv-api"
INPUTS = {
    "arxiv-atom-2026": [API / "arxiv-py-2026" / "q_testing_s0_m100_cfe7536492ca.xml"],
    "arxiv-atom-2016": sorted((API / "arxiv-py-2016").glob("*.xml")),
    "arxiv-rss": sorted((DATA / "arxiv-rss").glob("*.xml")),
    "hf-daily": [DATA / "hf-daily-papers" / "daily_papers.json"],
    "kaggle": [DATA / "labelled" / "kaggle-snapshot-head.jsonl"],
    "trending": [DATA / "golden-input.txt"],
}


def _generic_jsonl(folder: Path) -> Path:
    path = folder / "generic.jsonl"
    records = [
        {"title": "Sparse attention for long documents", "abstract": "We study sparse attention "
         "patterns that let transformers read long documents with linear memory.",
         "id": "https://arxiv.org/abs/2401.00001v2", "authors": "A. Author and B. Author"},
        {"title": "Graph neural networks for molecules", "abstract": "Message passing graph "
         "neural networks predict molecular properties from atoms and bonds.",
         "date": "2026-01-02"},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_each_format_builds_a_site(tmp_path: Path, name: str) -> None:
    site = build_site(tmp_path, INPUTS[name], strict=True)
    export = json.loads((site.site / "digest.json").read_bytes())
    assert export["papers"], name
    assert (site.site / "index.html").is_file()
    assert feedparser.parse((site.site / "feed.xml").read_bytes()).bozo == 0


def test_all_formats_at_once_build_one_site(tmp_path: Path) -> None:
    inputs = [p for paths in INPUTS.values() for p in paths]
    inputs.append(_generic_jsonl(tmp_path))
    site = build_site(tmp_path, inputs)
    export = json.loads((site.site / "digest.json").read_bytes())
    ids = [p["id"] for p in export["papers"]]
    assert len(ids) == len(set(ids))
    assert "arxiv:2401.00001" in ids
    # Every paper is on its primary theme's page (the part of it that holds its card).
    tree = tree_bytes(site.site)
    assert site.result.digest is not None
    parts = theme_pages(site.result.digest)
    for paper in export["papers"]:
        assert parts[paper["id"]].startswith(f"themes/{paper['themes'][0]}.")
        page = tree[page_url(parts[paper["id"]]) + "index.html"].decode()
        assert f'id="{paper_anchor(paper["id"])}"' in page
    # Many formats, one state: each source file's papers are counted once.
    assert site.result.new == len(ids)

"""Reproducible builds: the same inputs build the same bytes, whatever the order and hash seed.

Each build is the real command line (``python -m digest build``) in its own project folder,
all dated by one ``SOURCE_DATE_EPOCH``, under different ``PYTHONHASHSEED`` values. Inputs are
the seed listing and the golden input, which share 12 papers (merged into one each).

A listing's order is data: the trending page ranks its papers, and the issue page, the home
page's few papers per theme and the feeds' item cap follow that rank. So
the order of the files on the command line must change nothing, and shuffling the papers
inside a file may change only the files that list papers by rank, and those only by order and
selection.
"""

from __future__ import annotations

import difflib
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from digest.site import MANIFEST
from tests.conftest import DATA, EPOCH, SEED, make_project, tree_bytes

GOLDEN_INPUT = DATA / "golden-input.txt"
#: Files that list papers in rank order (and the feeds, which keep the top ``feed.items``).
RANKED_DOCS = (
    "index.md",
    "issues/",
    "keywords.md",
    "feed.xml",
    "feeds/",
    "digest.json",
)
RANKED_SITE = (
    "index.html",
    "issues/2023-11-14/",
    "issues/2023-11-14.part2/",
    "keywords/",
    "feed.xml",
    "feeds/",
    "digest.json",
    # The hash of each page's Markdown, for incremental rendering: the ranked pages' differ.
    MANIFEST,
)


def shuffled_listing(source: Path, target: Path, seed: int) -> Path:
    """Write ``source`` (a trending listing) with its title and abstract pairs shuffled."""
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    head, body = lines[:2], lines[2:]
    pairs = [body[i : i + 2] for i in range(0, len(body), 2)]
    pairs[0][0] = pairs[0][0].removeprefix("Subscribe")
    random.Random(seed).shuffle(pairs)
    target.write_text("\n".join(head + [x for p in pairs for x in p]) + "\n", encoding="utf-8")
    return target


def copied_listing(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


def start_build(root: Path, inputs: list[Path], hash_seed: str) -> subprocess.Popen[str]:
    """Start ``python -m digest build`` in ``root`` on ``inputs`` (file names in ``root``)."""
    make_project(root)
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "PYTHONHASHSEED")}
    env.update(SOURCE_DATE_EPOCH=str(EPOCH), PYTHONHASHSEED=hash_seed)
    return subprocess.Popen(
        [sys.executable, "-m", "digest", "build", *(p.name for p in inputs)],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three builds of the same papers, run at once.

    ``first``: seed then golden input, hash seed 1. ``reversed``: the files named the other
    way round, hash seed 4242. ``shuffled``: every file's papers shuffled, hash seed 77.
    """
    running = {}
    for name, hash_seed in (("first", "1"), ("reversed", "4242"), ("shuffled", "77")):
        root = tmp_path_factory.mktemp(f"repro-{name}")
        if name == "shuffled":
            seed = shuffled_listing(SEED, root / "trending-papers.txt", 11)
            golden = shuffled_listing(GOLDEN_INPUT, root / "golden-input.txt", 12)
        else:
            seed = copied_listing(SEED, root / "trending-papers.txt")
            golden = copied_listing(GOLDEN_INPUT, root / "golden-input.txt")
        inputs = [golden, seed] if name == "reversed" else [seed, golden]
        running[name] = (root, start_build(root, inputs, hash_seed))
    done = {}
    for name, (root, process) in running.items():
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, (name, err)
        assert out.startswith("Built 198 papers (198 new, 0 updated)"), (name, out)
        done[name] = root
    return done


def first_difference(a: dict[str, bytes], b: dict[str, bytes]) -> str:
    """Describe how two trees differ: files only in one, else the first file that differs."""
    if sorted(a) != sorted(b):
        return f"only in one tree: {sorted(set(a) ^ set(b))[:10]}"
    differ = [name for name in sorted(a) if a[name] != b[name]]
    if not differ:
        return ""
    name = differ[0]
    try:
        diff = difflib.unified_diff(
            a[name].decode("utf-8").splitlines(),
            b[name].decode("utf-8").splitlines(),
            f"a/{name}",
            f"b/{name}",
            lineterm="",
            n=1,
        )
        snippet = "\n".join(line[:300] for line in list(diff)[:30])
    except UnicodeDecodeError:
        snippet = "(binary)"
    return f"{len(differ)} file(s) differ, first {name}:\n{snippet}"


def test_file_order_and_hash_seed_change_no_byte_of_site_or_docs(builds):
    """``a b`` and ``b a``, hash seeds 1 and 4242: identical trees.

    Every file of the published site (pages, feeds, search index, sitemaps, export, assets) and
    of the generated docs folder is compared byte for byte.
    """
    first, other = builds["first"], builds["reversed"]
    site_a, site_b = tree_bytes(first / "site"), tree_bytes(other / "site")
    assert {"index.html", "feed.xml", "digest.json", "pagefind/buckets.json"} <= set(site_a)
    assert {"sitemap.xml.gz", "feeds/feeds.opml"} <= set(site_a)
    difference = first_difference(site_a, site_b)
    assert not difference, difference
    docs_a, docs_b = tree_bytes(first / "build" / "docs"), tree_bytes(other / "build" / "docs")
    assert len(docs_a) > 10
    difference = first_difference(docs_a, docs_b)
    assert not difference, difference


def _unranked(tree: dict[str, bytes], ranked: tuple[str, ...]) -> dict[str, bytes]:
    return {n: data for n, data in tree.items() if not n.startswith(ranked)}


def test_shuffled_papers_change_only_the_files_that_list_them_by_rank(builds):
    """papers shuffled inside each file, hash seed 77: the same keywords, themes and
    theme, themes, rising and feeds pages, byte for byte; only rank-ordered files differ.
    """
    first, shuffled = builds["first"], builds["shuffled"]
    for folder, ranked in (("site", RANKED_SITE), ("build/docs", RANKED_DOCS)):
        a, b = tree_bytes(first / folder), tree_bytes(shuffled / folder)
        assert sorted(a) == sorted(b), folder
        assert any(n.startswith("themes/") for n in a)
        difference = first_difference(_unranked(a, ranked), _unranked(b, ranked))
        assert not difference, f"{folder}: {difference}"


def _by_paper(path: Path) -> dict[str, object]:
    export = json.loads(path.read_bytes())
    export["papers"] = sorted(export["papers"], key=lambda p: p["id"])
    return export


def _pieces(data: bytes) -> list[str]:
    """Return a Markdown page's lines, with a keyword's paper list split into its items.

    The keyword index writes each keyword as ``<details ...><summary>...</summary><ul><li>...
    </li><li>...</li></ul></details>`` on one line.
    """
    pieces = []
    for line in data.decode("utf-8").splitlines():
        pieces += re.split(r"</?li>", line)
    return sorted(pieces)


def test_shuffled_papers_list_the_same_papers_in_another_order(builds):
    """the export and the issue and keyword pages differ from the first build only in
    the order of their papers: the same papers, keywords, scores and themes.
    """
    first, shuffled = builds["first"], builds["shuffled"]
    assert _by_paper(first / "site" / "digest.json") == _by_paper(shuffled / "site" / "digest.json")
    docs_a, docs_b = tree_bytes(first / "build" / "docs"), tree_bytes(shuffled / "build" / "docs")
    assert _pieces(docs_a["keywords.md"]) == _pieces(docs_b["keywords.md"])
    # A long issue is cut into parts by position: compare the papers of all its parts, less
    # the theme headings and part links, which a group that spans two parts repeats.
    parts = [n for n in docs_a if n.startswith("issues/2")]
    assert len(parts) >= 2 and sorted(parts) == sorted(
        n for n in docs_b if n.startswith("issues/2")
    )

    def issue_pieces(docs: dict[str, bytes]) -> list[str]:
        pieces = [piece for n in parts for piece in _pieces(docs[n])]
        skipped = ("## ", "Pages: ", "{: .dg-parts }")
        return sorted(piece for piece in pieces if not piece.startswith(skipped))

    assert issue_pieces(docs_a) == issue_pieces(docs_b)

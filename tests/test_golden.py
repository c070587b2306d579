"""Golden output: two days of real papers build the generated docs tree, compared file by file.

Day 1 reads ``tests/data/golden-input.txt`` (12 seed papers and 3 hostile ones) and the first
240 records of the labelled arXiv set; day 2 adds the other 60. That reaches what only larger
builds do: keywords extracted on a process pool, a regrouping then a day that joins the
published themes, theme pages and an issue cut into parts. The tree compared is everything
digest writes into MkDocs' docs folder (Markdown pages, feeds, ``digest.json``), not the HTML
MkDocs renders from it. After a deliberate change, regenerate the saved tree and review its
diff like code:

    python -m pytest tests/test_golden.py --update-golden
"""

from __future__ import annotations

import difflib
import random
import shutil

import pytest

from digest.text.keywords import GENERIC_WORDS
from digest.text.words import singular
from tests.conftest import DATA, EPOCH, TESTS, Site, build_site, tree_bytes

INPUT = DATA / "golden-input.txt"
LABELLED = DATA / "labelled" / "arxiv-cs-2016-head300.jsonl"
GOLDEN = TESTS / "golden"
DAY = 86_400
#: A digest of a few broad themes (a maintainer's choice too), so themes outgrow one page.
SETTINGS = {"keywords": {"workers": 0}, "themes": {"max_themes": 6, "max_share": 0.3}}


def _two_days(root, first: list) -> Site:
    records = LABELLED.read_text(encoding="utf-8").splitlines()
    day1, day2 = root / "day1.jsonl", root / "day2.jsonl"
    root.mkdir(parents=True, exist_ok=True)
    day1.write_text("\n".join(records[:240]) + "\n", encoding="utf-8")
    day2.write_text("\n".join(records[240:]) + "\n", encoding="utf-8")
    built = build_site(root, [*first, day1], epoch=EPOCH - DAY, **SETTINGS)
    assert built.result.new == 255
    return build_site(root, [day2], epoch=EPOCH, **SETTINGS)


@pytest.fixture(scope="module")
def golden_build(tmp_path_factory):
    return _two_days(tmp_path_factory.mktemp("golden"), [INPUT])


def _first_difference(name: str, expected: bytes, actual: bytes) -> str:
    try:
        diff = difflib.unified_diff(
            expected.decode("utf-8").splitlines(),
            actual.decode("utf-8").splitlines(),
            f"golden/{name}",
            f"built/{name}",
            lineterm="",
            n=1,
        )
        return "\n".join(list(diff)[:40])
    except UnicodeDecodeError:
        return f"{name}: binary content differs"


def test_docs_match_the_golden_tree(golden_build, request):
    built = tree_bytes(golden_build.docs)
    assert "index.md" in built and "feed.xml" in built and "digest.json" in built
    # The paths only larger builds take: parts of a theme page and of an issue page.
    assert any(".part2.md" in name for name in built if name.startswith("themes/"))
    assert any(".part3.md" in name for name in built if name.startswith("issues/"))
    assert golden_build.result.new == 60 and golden_build.result.kept > 0
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in built.items():
            target = GOLDEN / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return
    assert GOLDEN.is_dir(), "no golden tree: run pytest tests/test_golden.py --update-golden"
    expected = tree_bytes(GOLDEN)
    assert sorted(built) == sorted(expected), "files added or removed: review, then --update-golden"
    changed = [name for name in sorted(built) if built[name] != expected[name]]
    assert not changed, _first_difference(changed[0], expected[changed[0]], built[changed[0]])


def test_golden_input_is_mixed():
    lines = [line for line in INPUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    titles = lines[2::2]
    assert len(titles) == 15
    assert any("<script>" in t for t in titles) and any("{{ 7*7 }}" in t for t in titles)
    assert len(LABELLED.read_text(encoding="utf-8").splitlines()) == 300


def test_golden_docs_hold_no_clock_time(golden_build):
    # Dated only by SOURCE_DATE_EPOCH (2023-11-13 and -14): a build on another day writes the
    # same tree. (The papers themselves are of 2007-2016.)
    for name, data in tree_bytes(golden_build.docs).items():
        text = data.decode("utf-8")
        for year in ("2024", "2025", "2026", "2027"):
            assert f"{year}-" not in text and f" {year} " not in text, (name, year)


def test_theme_pages_do_not_depend_on_input_order(golden_build, tmp_path):
    lines = INPUT.read_text(encoding="utf-8").rstrip("\n").split("\n")
    pairs = [lines[i : i + 2] for i in range(2, len(lines), 2)]
    pairs[0][0] = pairs[0][0].removeprefix("Subscribe")
    random.Random(3).shuffle(pairs)
    shuffled = tmp_path / "shuffled.txt"
    shuffled.write_text(
        "\n".join(lines[:2] + [x for p in pairs for x in p]) + "\n", encoding="utf-8"
    )
    other = _two_days(tmp_path / "project", [shuffled])
    theirs, ours = tree_bytes(other.docs), tree_bytes(golden_build.docs)
    themes = sorted(n for n in ours if n.startswith("themes/"))
    assert themes and sorted(n for n in theirs if n.startswith("themes/")) == themes
    for name in themes:
        assert theirs[name] == ours[name], _first_difference(name, ours[name], theirs[name])


def test_no_theme_of_a_small_corpus_is_named_only_by_generic_words(golden_build):
    for theme in golden_build.result.digest.themes:
        if not theme.is_other:
            words = {singular(w) for phrase in theme.keywords for w in phrase.split()}
            assert not words <= GENERIC_WORDS, theme.name

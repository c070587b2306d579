"""Related papers: the search, the daily rule that keeps older lists stable, kept versus cached,
and what a build shows and exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, EPOCH, build_site

from digest.model import Paper
from digest.sources import read_inputs
from digest.state import Cache, open_state
from digest.themes import related as rel
from digest.themes.relating import relate

HEAD = DATA / "labelled" / "arxiv-cs-2016-head300.jsonl"
DAY = 86_400


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    return sorted(read_inputs([HEAD]), key=lambda p: p.key)


def _unit(rows: list[list[float]]) -> np.ndarray:
    matrix = np.array(rows, dtype=np.float32)
    return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


def test_shown_keeps_three_and_more_only_when_nearly_as_close() -> None:
    assert rel.shown([4, 5, 6, 7, 8], [0.9, 0.8, 0.5, 0.4, 0.3]) == [4, 5, 6]
    assert rel.shown([4, 5, 6, 7, 8], [0.9, 0.89, 0.88, 0.8, 0.7]) == [4, 5, 6, 7]
    assert rel.shown([4, 5], [0.9, 0.1]) == [4, 5]


def test_nearest_never_lists_a_paper_itself_and_breaks_ties_by_index() -> None:
    points = _unit([[1, 0], [1, 0], [1, 0], [0, 1], [1, 0]])
    indices, _ = rel.nearest(points, points, 0, k=3)
    assert indices.tolist()[0] == [1, 2, 4]
    assert indices.tolist()[4] == [0, 1, 2]
    assert all(i not in row for i, row in enumerate(indices.tolist()))


def test_the_author_graph_counts_shared_authors_in_canonical_order() -> None:
    """Shared authors, counted pair by pair, against the incidence product the graph is:
    a prolific author, a paper without authors, and the query papers left out of their own
    rows; the matrix is canonical (sorted, no zeros), so sums over it keep their order."""
    base = [("ada", "alan"), ("ada",), (), ("alan", "grace"), ("ada", "alan", "grace")]
    queries = [("ada", "alan"), ("grace",), ("nobody",), ()]
    for rows, exclude_self in ((base, True), (queries, False)):
        graph = rel._author_graph(rows, base, exclude_self=exclude_self)
        expected = np.array(
            [
                [
                    0.0 if exclude_self and i == j else len(set(q) & set(b))
                    for j, b in enumerate(base)
                ]
                for i, q in enumerate(rows)
            ]
        )
        assert graph.dtype == np.float64 and np.array_equal(graph.toarray(), expected)
        assert graph.has_sorted_indices and np.all(graph.data > 0)


def test_a_new_paper_enters_an_older_list_only_when_clearly_closer() -> None:
    old = _unit([[1, 0, 0]])
    weakest = np.array([0.8], dtype=np.float32)
    new = _unit([[1, 0.5, 0], [1, 0.1, 0]])  # cosines 0.894 and 0.995
    found = rel.entrants(old, weakest, new)
    assert [(row, cols.tolist()) for row, cols, _ in found] == [(0, [1])]
    assert rel.entrants(old, np.array([0.96], dtype=np.float32), new) == []


def test_every_paper_has_at_least_three_related_papers_best_first(
    papers: list[Paper], tmp_path: Path
) -> None:
    found = relate([(p, []) for p in papers], frozenset(), {}, Cache(tmp_path), "en", "s")
    assert set(found.lists) == {p.key for p in papers}
    assert found.changed == found.lists
    row = {k: i for i, k in enumerate(found.keys)}
    for key, related in found.lists.items():
        assert 3 <= len(related) <= rel.SHOWN and key not in related
        sims = [float(found.points[row[key]] @ found.points[row[r]]) for r in related]
        assert sims == sorted(sims, reverse=True)


def test_a_lost_cache_gives_the_same_lists_and_points(papers: list[Paper], tmp_path: Path) -> None:
    old = papers[:200]
    batch = frozenset(p.key for p in old)
    warm = Cache(tmp_path / "warm")
    first = relate([(p, []) for p in old], batch, {}, warm, "en", "s")
    daily = relate([(p, []) for p in papers], batch, first.lists, warm, "en", "s")
    lost = relate(
        [(p, []) for p in papers], batch, first.lists, Cache(tmp_path / "cold"), "en", "s"
    )
    assert lost.lists == daily.lists and lost.changed == daily.changed
    assert lost.points.tobytes() == daily.points.tobytes()
    again = relate([(p, []) for p in papers], batch, daily.lists, warm, "en", "s")
    assert again.lists == daily.lists and again.changed == {}


def test_a_daily_build_keeps_older_lists_unless_a_new_paper_is_clearly_closer(
    papers: list[Paper], tmp_path: Path
) -> None:
    old, new = papers[:250], papers[250:]
    batch = frozenset(p.key for p in old)
    cache = Cache(tmp_path)
    first = relate([(p, []) for p in old], batch, {}, cache, "en", "s")
    daily = relate([(p, []) for p in papers], batch, first.lists, cache, "en", "s")
    new_keys = {p.key for p in new}
    assert new_keys <= set(daily.changed)
    row = {k: i for i, k in enumerate(daily.keys)}
    moved = [p.key for p in old if daily.lists[p.key] != first.lists[p.key]]
    assert set(moved) == set(daily.changed) - new_keys
    for key in moved:
        before, after = first.lists[key], daily.lists[key]
        entered = set(after) - set(before)
        assert entered and entered <= new_keys
        weakest = min(float(daily.points[row[key]] @ daily.points[row[r]]) for r in before)
        for k in entered:
            assert float(daily.points[row[key]] @ daily.points[row[k]]) > weakest + rel.MARGIN
    assert len(moved) < len(old) / 2


def test_a_paper_placed_alone_gets_the_same_point_as_among_others(papers: list[Paper]) -> None:
    vectors = np.random.default_rng(0).standard_normal((40, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    authors = [[a.name for a in p.authors] for p in papers[:40]]
    batch = rel.embed(vectors[:30], authors[:30])
    folded = [rel.author_keys(a) for a in authors[:30]]
    together = rel.place(batch, folded, vectors[30:], authors[30:])
    alone = rel.place(batch, folded, vectors[33:34], authors[33:34])
    assert alone[0].tobytes() == together[3].tobytes()


def test_kept_lists_are_appended_and_read_back(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    day = datetime(2026, 1, 5, tzinfo=UTC)
    with open_state(tmp_path, create=True) as state:
        state.keep_related({"arxiv:1": ("arxiv:2", "arxiv:3")}, day)
        state.commit()
    with open_state(tmp_path, create=False) as state:
        assert state.related == {"arxiv:1": ("arxiv:2", "arxiv:3")}
        state.keep_related({"arxiv:1": ("arxiv:4", "arxiv:2"), "arxiv:2": ("arxiv:1",)}, day)
        state.keep_related({"arxiv:2": ("arxiv:1",)}, day)  # unchanged: nothing appended
        state.commit()
    lines = (tmp_path / "related" / "2026-01.jsonl").read_text().splitlines()
    assert len(lines) == 3
    with open_state(tmp_path, create=False) as state:
        assert state.related["arxiv:1"] == ("arxiv:4", "arxiv:2")


def _listing(path: Path, lines: slice) -> Path:
    text = HEAD.read_text(encoding="utf-8").splitlines()[lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def test_cards_and_export_list_related_papers_and_old_lists_stay(tmp_path: Path) -> None:
    first = build_site(tmp_path, [_listing(tmp_path / "a.jsonl", slice(0, 80))])
    export = json.loads((first.site / "digest.json").read_text())
    ids = {p["id"] for p in export["papers"]}
    for paper in export["papers"]:
        assert 3 <= len(paper["related"]) <= 5
        assert paper["id"] not in paper["related"] and set(paper["related"]) <= ids
    assert export["for_you"] == []
    card = next(iter(sorted((first.site / "themes").glob("*/index.html")))).read_text()
    block = re.search(r'<details class="dg-card__related">.*?</details>', card)
    assert block is not None
    assert re.search(r'<li><a href="../../themes/[^"]+/#p-arxiv-[0-9-]+">[^<]+</a> <time', block[0])
    before = {p["id"]: p["related"] for p in export["papers"]}
    second = build_site(
        tmp_path, [_listing(tmp_path / "b.jsonl", slice(80, 100))], epoch=EPOCH + DAY
    )
    later = json.loads((second.site / "digest.json").read_text())
    new = {p["id"] for p in later["papers"]} - ids
    assert len(new) == 20
    for paper in later["papers"]:
        if paper["id"] in before and paper["related"] != before[paper["id"]]:
            assert set(paper["related"]) - set(before[paper["id"]]) <= new
    kept = (tmp_path / "state" / "related").glob("*.jsonl")
    assert sum(len(p.read_text().splitlines()) for p in kept) >= 100


def _related_on(page: Path, key: str) -> list[str]:
    """The anchors a card's related list links to, on one page of the docs."""
    anchor = "p-" + key.replace(":", "-").replace(".", "-")
    text = page.read_text(encoding="utf-8")
    card = re.search(rf'<article class="dg-card" id="{anchor}">.*?</article>', text, re.S)
    assert card is not None, f"no card {anchor} on {page.name}"
    block = re.search(r'<ol class="dg-related">(.*?)</ol>', card[0], re.S)
    return re.findall(r'href="[^"#]*#([^"]+)"', block[1]) if block else []


def test_an_issue_page_shows_lists_as_announced_and_a_theme_page_the_latest(
    tmp_path: Path,
) -> None:
    """A later paper entering an older list changes that paper's theme page, never the dated
    issue page it was announced on: an issue says what was known that day."""
    first = build_site(tmp_path, [_listing(tmp_path / "a.jsonl", slice(0, 80))])
    issue = next(p for p in sorted((first.docs / "issues").glob("*.md")) if p.stem != "index")
    announced_page = issue.read_bytes()
    # The next day brings a second version of a day-one paper's text under a new id: it is
    # closer to that paper than anything in its list.
    record = json.loads(HEAD.read_text(encoding="utf-8").splitlines()[0])
    original = f"arxiv:{record['id']}"
    record.update(id="1701.00001", title=record["title"] + ": an extended version")
    later = tmp_path / "b.jsonl"
    later.write_text(json.dumps(record) + "\n", encoding="utf-8")
    second = build_site(tmp_path, [later], epoch=EPOCH + DAY)
    digest = second.result.digest
    assert digest is not None
    entry = digest.by_key[original]
    assert "arxiv:1701.00001" in entry.related and "arxiv:1701.00001" not in entry.announced
    assert issue.read_bytes() == announced_page
    slug = entry.themes[0].theme_slug
    parts = sorted((second.docs / "themes").glob(f"{slug}*.md"))
    card = f'id="p-{original.replace(":", "-").replace(".", "-")}"'
    home = next(page for page in parts if card in page.read_text(encoding="utf-8"))
    assert "p-arxiv-1701-00001" in _related_on(home, original)
    assert "p-arxiv-1701-00001" not in _related_on(issue, original)
    # Read back from the kept state alone, the announced list is the first one kept.
    with open_state(tmp_path / "state", create=False) as state:
        assert state.announced[original] == entry.announced

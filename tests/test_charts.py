"""The pictures: HTML bars and nearest-theme lists, SVG sparklines; escaped, accessible,
scheme-neutral and deterministic."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
import pytest
from lxml import etree

from digest.model import Digest, Entry, Keyword, Paper, Placement, Theme
from digest.writers.charts import (
    NEIGHBOURS,
    Bar,
    Edge,
    bar_list,
    neighbour_list,
    sparkline,
    theme_edges,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert('x')</script> & \"quoted\" *emphasis* | pipe {: onclick=y }"


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode("utf-8"))


def assert_accessible(root: etree._Element) -> None:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby").split()
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert len(labelled) == 2 and set(labelled) <= set(ids)
    assert ids[labelled[0]].tag == f"{SVG}title" and ids[labelled[0]].text
    assert ids[labelled[1]].tag == f"{SVG}desc" and ids[labelled[1]].text
    assert root.get("viewBox")


def assert_inert_and_scheme_neutral(svg: str) -> None:
    root = parse(svg)
    for el in root.iter():
        assert etree.QName(el).localname not in ("script", "foreignObject", "style"), el.tag
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), name
            if name in ("fill", "stroke"):
                assert value in ("currentColor", "none"), (el.tag, name, value)
            if name == "href":
                assert not value.lower().startswith("javascript:")


def html_block(markup: str) -> lxml.html.HtmlElement:
    """Parse a picture as the raw HTML block it is on a page, and check it is inert."""
    assert "\n" not in markup, "one line: a raw HTML block in Markdown"
    root = lxml.html.fragment_fromstring(markup)
    for el in root.iter():
        assert el.tag not in ("script", "style", "iframe", "svg"), el.tag
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), name
            if name == "href":
                assert not value.lower().startswith("javascript:"), value
    return root


def test_bar_list_links_each_bar_and_shows_labels_whole():
    bars = [Bar(HOSTILE, 12, "a/"), Bar("Graph networks", 3, "b/"), Bar("Empty", 0, "c/")]
    root = html_block(bar_list(bars, f"Papers per theme {HOSTILE}"))
    assert root.tag == "ol" and root.get("aria-label") == f"Papers per theme {HOSTILE}"
    rows = root.findall("li/a")
    assert [a.get("href") for a in rows] == ["a/", "b/", "c/"]
    assert [a.find_class("dg-bars__label")[0].text_content() for a in rows] == [
        HOSTILE,
        "Graph networks",
        "Empty",
    ]
    assert [a.find_class("dg-bars__value")[0].text_content() for a in rows] == ["12", "3", "0"]
    # The largest value is full width; a zero still shows a sliver.
    widths = [a.find_class("dg-bars__bar")[0].get("style") for a in rows]
    assert widths == ["width: 100%", "width: 25%", "width: 0.5%"]


def test_bar_list_of_nothing_is_an_empty_list():
    root = html_block(bar_list([], "Papers per theme"))
    assert root.tag == "ol" and len(root) == 0


def test_each_theme_lists_its_nearest_themes_heaviest_first():
    papers = [
        ("p1", ["graph", "attention"], ["a", "b"]),
        ("p2", ["graph", "ocean"], ["b", "c"]),
        ("p3", ["attention", "graph"], ["c"]),
        ("p4", ["ocean"], ["d", "a"]),
        ("p5", ["lonely"], ["e"]),
    ]
    digest = _digest(papers, ["a", "b", "c", "d", "e"])
    block = neighbour_list(digest)
    assert block == neighbour_list(digest)
    root = html_block(block)
    rows = {
        li.find_class("dg-near__theme")[0].get("href"): [
            (a.get("href"), a.find_class("dg-near__weight")[0].text_content())
            for a in li.find_class("dg-near__link")
        ]
        for li in root.iter("li")
    }
    # A theme that shares nothing has no row; ties go to theme order.
    assert list(rows) == ["a/", "b/", "c/", "d/"]
    # a holds p1, p4 (keywords graph, attention, ocean): with b it shares p1 and the three
    # keywords, with c the three keywords, with d p4 and ocean.
    assert rows["a/"] == [("b/", "4"), ("c/", "3"), ("d/", "2")]
    assert all(len(near) <= NEIGHBOURS for near in rows.values())
    assert neighbours_of_a_lone_theme() == ""


def neighbours_of_a_lone_theme() -> str:
    return str(neighbour_list(_digest([("p1", ["graph"], ["a"])], ["a"])))


def test_nearest_theme_names_are_escaped():
    papers = [("p1", ["graph"], ["a", "b"]), ("p2", ["graph"], ["b"])]
    digest = _digest(papers, ["a", "b"])
    hostile = tuple(
        Theme(t.slug, HOSTILE if t.slug == "b" else t.name, t.keywords, t.paper_keys)
        for t in digest.themes
    )
    root = html_block(neighbour_list(Digest(**{**digest.__dict__, "themes": hostile})))
    assert HOSTILE in [a.text_content().rsplit(" ", 1)[0] for a in root.iter("a")]


@pytest.mark.parametrize("series", [(0, 1, 3, 2, 5), (0, 0, 0), (4,), ()])
def test_sparkline_draws_every_point(series):
    svg = sparkline(series, "rise-kw", f"Trend of {HOSTILE}")
    root = parse(svg)
    assert_accessible(root)
    assert_inert_and_scheme_neutral(svg)
    line = root.find(f"{SVG}polyline")
    if not series:
        assert line is None
        return
    points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    assert len(points) == len(series)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    assert all(0 <= x <= width and 0 <= y <= height for x, y in points)
    # The highest value is drawn highest (smallest y).
    top = max(range(len(series)), key=lambda i: (series[i], -i))
    assert points[top][1] == min(y for _, y in points)
    assert ", ".join(map(str, series)) in root.find(f"{SVG}desc").text


def test_sparkline_inside_a_markdown_table_cell_stays_one_cell():
    import markdown

    cell = sparkline((1, 2), "rise", f"Trend of {HOSTILE}")
    html = markdown.markdown(f"| a | b |\n|--|--|\n| x | {cell} |", extensions=["tables"])
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    (row,) = tree.findall(".//tbody/tr")
    assert len(row.findall("td")) == 2
    assert not tree.findall(".//em") and not tree.findall(".//script")


def _digest(papers: list[tuple[str, list[str], list[str]]], themes: list[str]) -> Digest:
    """A hand-made digest: (key, keyword keys, theme slugs) per paper."""
    built = datetime(2026, 1, 1, tzinfo=UTC)
    entries = tuple(
        Entry(
            Paper(key, key, "abstract"),
            tuple(Keyword(k, k, 0.1) for k in kws),
            tuple(Placement(s, ()) for s in slugs),
            built,
        )
        for key, kws, slugs in papers
    )
    members = {
        slug: tuple(e.paper.key for e in entries if e.themes[0].theme_slug == slug)
        for slug in themes
    }
    return Digest(
        "t",
        "d",
        "https://example.org/",
        built,
        entries,
        tuple(Theme(s, s.title(), (), members[s]) for s in themes),
    )


def test_theme_edges_weigh_shared_papers_and_frequent_keywords():
    digest = _digest(
        [
            ("p1", ["graph", "attention"], ["a", "b"]),  # placed in a and b: shared paper
            ("p2", ["graph"], ["b"]),
            ("p3", ["ocean"], ["c"]),
        ],
        ["a", "b", "c"],
    )
    edges = theme_edges(digest)
    # a-b share p1 and the keywords graph and attention; c shares nothing.
    assert edges == [Edge(0, 1, 3)]


def test_theme_edges_keep_the_heaviest_in_a_stable_order():
    papers = [(f"p{i}", [f"k{i % 3}"], [f"t{i}"]) for i in range(20)]
    digest = _digest(papers, [f"t{i}" for i in range(20)])
    edges = theme_edges(digest)
    assert edges and edges == sorted(edges, key=lambda e: (e.a, e.b))
    assert theme_edges(digest, limit=5) == theme_edges(digest, limit=5)
    assert len(theme_edges(digest, limit=5)) == 5

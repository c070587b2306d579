"""The SVG charts: well-formed XML, accessible, escaped, scheme-neutral and deterministic."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
import pytest
from lxml import etree

from digest.model import Digest, Entry, Keyword, Paper, Placement, Theme
from digest.writers.charts import (
    MAX_EDGES,
    Bar,
    Edge,
    Node,
    bar_chart,
    circle_map,
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


def test_bar_chart_links_each_bar_and_escapes_labels():
    bars = [Bar(HOSTILE, 12, "a/"), Bar("Graph networks", 3, "b/"), Bar("Empty", 0, "c/")]
    svg = bar_chart(bars, "sizes", "Papers per theme")
    root = parse(svg)
    assert_accessible(root)
    assert_inert_and_scheme_neutral(svg)
    links = root.findall(f"{SVG}a")
    assert [a.get("href") for a in links] == ["a/", "b/", "c/"]
    # Full label in the tooltip, a shortened one drawn; the values are drawn too.
    assert links[0].find(f"{SVG}title").text == f"{HOSTILE}: 12"
    drawn = links[0].find(f"{SVG}text").text
    assert drawn.endswith("…") and HOSTILE.startswith(drawn[:-1])
    widths = [float(a.find(f"{SVG}rect").get("width")) for a in links]
    assert widths[0] > widths[1] > 0 and widths[2] > 0
    assert HOSTILE in root.find(f"{SVG}desc").text


def test_bar_chart_of_nothing_is_still_an_image():
    root = parse(bar_chart([], "none", "Papers per theme"))
    assert_accessible(root)
    assert root.find(f"{SVG}desc").text == "no data"


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


def test_circle_map_places_nodes_on_a_circle_and_is_deterministic():
    nodes = [Node(f"Theme {i}", 5 + i, f"t{i}/") for i in range(6)] + [Node(HOSTILE, 1, "h/")]
    edges = [Edge(0, 1, 5), Edge(2, 6, 1)]
    svg = circle_map(nodes, edges, "map", "How the themes connect")
    assert svg == circle_map(nodes, edges, "map", "How the themes connect")
    root = parse(svg)
    assert_accessible(root)
    assert_inert_and_scheme_neutral(svg)
    links = root.findall(f"{SVG}a")
    assert [a.get("href") for a in links] == [n.href for n in nodes]
    centres = [
        (float(a.find(f"{SVG}circle").get("cx")), float(a.find(f"{SVG}circle").get("cy")))
        for a in links
    ]
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    radii = {round(((x - width / 2) ** 2 + (y - height / 2) ** 2) ** 0.5) for x, y in centres}
    assert len(radii) == 1
    assert centres[0][0] == width / 2 and centres[0][1] < height / 2  # the first at the top
    lines = root.findall(f"{SVG}line")
    assert len(lines) == 2
    assert float(lines[0].get("stroke-width")) > float(lines[1].get("stroke-width"))


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
    edges = theme_edges(digest, limit=MAX_EDGES)
    assert len(edges) == min(MAX_EDGES, sum(1 for _ in edges))
    assert edges == sorted(edges, key=lambda e: (e.a, e.b))
    assert theme_edges(digest, limit=5) == theme_edges(digest, limit=5)
    assert len(theme_edges(digest, limit=5)) == 5

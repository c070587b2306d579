"""Long theme and issue pages are cut into parts, and every link to a paper finds its part.

Bounded pages keep MkDocs linear (Python-Markdown re-reads the rest of a page at the end of
each raw HTML block) and keep a daily build's changes to the last part of each theme. The
built-site check (every link and anchor resolves under ``mkdocs build --strict``) runs on the
seed, whose one issue of 195 papers has two parts.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import feedparser
import pytest
from test_site_pages import make_digest, pages_of, paper

from digest.model import KeywordSlug, Theme
from digest.writers import paging
from digest.writers.feeds import feed_specs, render_feeds
from digest.writers.paging import (
    ISSUE_PART,
    KEYWORD_INDEX,
    THEME_PART,
    chunks,
    keyword_parts,
    page_url,
    paper_anchor,
    paper_url,
    part_path,
    theme_pages,
)


def test_part_paths_and_urls():
    assert part_path("themes/sparse.md", 1) == "themes/sparse.md"
    assert part_path("themes/sparse.md", 3) == "themes/sparse.part3.md"
    assert page_url("themes/sparse.part3.md") == "themes/sparse.part3/"
    assert page_url("index.md") == "" and page_url("themes/index.md") == "themes/"
    # A slug that ends in "index" is a page of its own (the seed has such a theme).
    assert page_url("themes/phase-diagram-index.md") == "themes/phase-diagram-index/"
    assert [list(c) for c in chunks([1, 2, 3, 4, 5], 2)] == [[1, 2], [3, 4], [5]]
    assert [list(c) for c in chunks([], 2)] == [[]]


def test_a_long_theme_is_cut_into_parts_in_theme_order():
    count = 2 * THEME_PART + 7
    digest = make_digest([paper(i) for i in range(count)])
    pages = pages_of(digest)
    parts = ["themes/sparse.md", "themes/sparse.part2.md", "themes/sparse.part3.md"]
    assert [p for p in sorted(pages) if p.startswith("themes/sparse")] == sorted(parts)
    keys = digest.themes[0].paper_keys
    for index, path in enumerate(parts):
        anchors = re.findall(r'<article class="dg-card" id="(p-[\w-]+)">', pages[path])
        expected = keys[index * THEME_PART : (index + 1) * THEME_PART]
        assert anchors == [str(paper_anchor(k)) for k in expected], path
        # Part 1 links to every part, a later part to part 1 and its neighbours; never to
        # itself (so a new part changes part 1 and the last one, not all of them).
        assert "Pages: " in pages[path]
        linked = set(re.findall(r"\]\((sparse(?:\.part\d+)?\.md)\)", pages[path]))
        names = [p.rsplit("/", 1)[1] for p in parts]
        neighbours = {names[i] for i in (0, index - 1, index + 1) if 0 <= i < len(names)}
        expected = set(names) if index == 0 else neighbours
        assert linked == expected - {names[index]}, path
    last = keys[-1]
    assert theme_pages(digest)[last] == "themes/sparse.part3.md"
    # The keyword index links each paper it lists to the part that holds its card, by built
    # URL: it is raw HTML, which MkDocs does not rewrite.
    part_of = theme_pages(digest)
    anchors = {str(paper_anchor(k)): k for k in keys}
    listed = re.findall(r'href="\.\./(themes/[\w.-]+)/#(p-[\w-]+)"', pages["keywords.md"])
    assert listed
    for page, anchor in listed:
        assert f"{page}.md" == part_of[anchors[anchor]], (page, anchor)


def test_a_short_theme_has_one_page_and_no_part_links():
    pages = pages_of(make_digest([paper(i) for i in range(3)]))
    assert "Pages: " not in pages["themes/sparse.md"]
    assert not [p for p in pages if ".part" in p]


def test_a_long_issue_is_cut_into_parts_and_groups_link_to_their_first_part():
    count = ISSUE_PART + 30
    papers = [paper(i) for i in range(count)]
    digest = make_digest(papers)
    # Two themes: the second one's papers start on the issue's second part.
    first, second = papers[: ISSUE_PART + 10], papers[ISSUE_PART + 10 :]
    themes = (
        Theme("sparse", "Sparse attention", ("sparse attention",), tuple(p.key for p in first)),
        Theme("graphs", "Graphs", ("graph",), tuple(p.key for p in second)),
    )
    entries = tuple(
        replace(e, themes=(replace(e.themes[0], theme_slug="graphs"),))
        if e.paper.key in {p.key for p in second}
        else e
        for e in digest.entries
    )
    digest = replace(digest, themes=themes, entries=entries)
    pages = pages_of(digest)
    one, two = pages["issues/2026-01-02.md"], pages["issues/2026-01-02.part2.md"]
    card = '<article class="dg-card" id="p-'
    assert one.count(card) == ISSUE_PART and two.count(card) == 30
    # The sparse group spans both parts: its heading is on each; graphs is on part 2 only.
    assert "{ #t-sparse }" in one and "{ #t-sparse }" in two
    assert "{ #t-graphs }" not in one and "{ #t-graphs }" in two
    home = pages["index.md"]
    assert "](issues/2026-01-02.part2.md#t-graphs)" in home
    assert "](issues/2026-01-02.md#t-sparse)" in home


def test_feeds_link_each_item_to_its_part():
    count = THEME_PART + 5
    digest = make_digest([paper(i) for i in range(count)])
    key = digest.themes[0].paper_keys[-1]
    url = f"https://example.org/d/themes/sparse.part2/#{paper_anchor(key)}"
    assert "https://example.org/d/" + paper_url(digest, key) == url
    files = render_feeds(digest, feed_specs(digest, 100))
    links = {entry.link for entry in feedparser.parse(files["feed.xml"]).entries}
    assert url in links
    items = json.loads(files["feeds/feed.json"])["items"]
    assert url in {item["url"] for item in items}


def test_the_seed_issue_is_published_in_parts(seed_site):
    docs = sorted(p.name for p in (seed_site.docs / "issues").glob("*.md"))
    assert docs == ["2023-11-14.md", "2023-11-14.part2.md", "index.md"]
    one = (seed_site.site / "issues" / "2023-11-14" / "index.html").read_text(encoding="utf-8")
    two = seed_site.site / "issues" / "2023-11-14.part2" / "index.html"
    # Built (MkDocs --strict resolved every link and anchor) and linked from part 1.
    assert two.is_file() and 'href="../2023-11-14.part2/"' in one


def _keywords(texts: list[str], papers: int = 3) -> list[KeywordSlug]:
    return [
        KeywordSlug(t.casefold(), t, f"kw-{i}", tuple(f"p{j}" for j in range(papers)))
        for i, t in enumerate(texts)
    ]


def test_a_small_keyword_index_is_one_page() -> None:
    parts = keyword_parts(_keywords(["attention", "Bandit", "3D vision", "zebra"]))
    assert parts == {KEYWORD_INDEX: ["A", "B", "Z", "#"]}


def test_a_large_index_is_cut_by_initial_and_keywords_never_move(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once cut, each keyword's page depends on its initial alone: a growing index moves no
    keyword, so no card linking one has to change."""
    monkeypatch.setattr(paging, "KEYWORD_PART", 20)
    first = _keywords(["attention", "Bandit", "bayes", "3D vision", "Élan", "zebra"])
    parts = keyword_parts(first)
    assert parts == {
        KEYWORD_INDEX: [],
        "keywords.a.md": ["A"],
        "keywords.b.md": ["B"],
        "keywords.z.md": ["Z"],
        "keywords.other.md": ["É", "#"],
    }
    page_of = {i: path for path, initials in parts.items() for i in initials}
    grown = keyword_parts(first + _keywords(["quantum", "Markov chain", "causal"], papers=40))
    assert list(grown)[:1] == [KEYWORD_INDEX] and "keywords.q.md" in grown
    assert all(i in grown[path] for i, path in page_of.items())

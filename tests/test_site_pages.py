"""The reader-facing pages from a hand-made digest: cards, home, rising, feeds, search scope.

PageWriter runs on the repository's templates without a build, so each test states exactly
the digest it renders (a rising list by hand, until the rising computation has a history).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import yaml

from digest.model import (
    Author,
    Digest,
    Entry,
    Issue,
    Keyword,
    KeywordSlug,
    Paper,
    Placement,
    RisingTopic,
    Theme,
)
from digest.writers.abstracts import (
    CARD_AUTHORS,
    FOLD_CHARS,
    INDEXED_KEYWORDS,
    author_line,
    split_spans,
    teaser,
)
from digest.writers.escape import Span, split_math
from digest.writers.feeds import OPML_PATH, absolute, feed_specs
from digest.writers.pages import HOME_PAPERS, PageWriter, paper_anchor
from tests.conftest import REPO

TEMPLATES = REPO / "site_templates"
BUILT = datetime(2026, 1, 2, tzinfo=UTC)
LONG = (
    "We study sparse attention for long documents and show that it scales. " * 8
    + "The bound is $O(n \\log n)$ in time."
)


def paper(i: int, **fields: object) -> Paper:
    defaults: dict[str, object] = {
        "key": f"arxiv:2401.{i:05d}",
        "title": f"Paper {i}",
        "abstract": f"Short abstract {i} with $x_{i}$.",
        "arxiv_id": f"2401.{i:05d}",
        "order": i,
    }
    return Paper(**{**defaults, **fields})  # type: ignore[arg-type]


def make_digest(papers: list[Paper], rising: tuple[RisingTopic, ...] = ()) -> Digest:
    keywords = (Keyword("sparse attention", "sparse attention", 0.1),)
    entries = tuple(
        Entry(p, keywords, (Placement("sparse", ("sparse attention",)),), BUILT) for p in papers
    )
    keys = tuple(p.key for p in papers)
    return Digest(
        title="Test digest",
        description="Papers.",
        site_url="https://example.org/d/",
        built=BUILT,
        entries=entries,
        themes=(Theme("sparse", "Sparse attention", ("sparse attention",), keys),),
        keyword_index=(KeywordSlug("sparse attention", "sparse attention", "kw-sparse", keys),),
        issues=(Issue(date(2026, 1, 2), keys),),
        rising=rising,
    )


def pages_of(digest: Digest) -> dict[str, str]:
    return PageWriter(TEMPLATES, digest, feed_specs(digest, 50)).pages()


def front(page: str) -> dict[str, object]:
    if not page.startswith("---\n"):
        return {}
    return yaml.safe_load(page.split("---\n", 2)[1])


def card_of(page: str, key: str) -> str:
    start = page.index(f"{{ #{paper_anchor(key)} }}")
    end = page.find("\n### ", start)
    return page[start : end if end != -1 else len(page)]


def test_card_shows_authors_chips_upvotes_and_links():
    hf = paper(
        1,
        authors=tuple(Author(f"Author {i}") for i in range(CARD_AUTHORS + 3)),
        upvotes=42,
        sources=("huggingface",),
        code_urls=("https://github.com/example/sparse",),
    )
    plain = paper(2, authors=(Author("Solo Author"),))
    page = pages_of(make_digest([hf, plain]))["themes/sparse.md"]
    card = card_of(page, hf.key)
    assert "Author 0, Author 1" in card and "and 3 more" in card
    assert "▲ 42" in card
    assert "[sparse attention](../keywords.md#kw-sparse){ .dg-chip }" in card
    assert "[arXiv](https://arxiv.org/abs/2401.00001)" in card
    assert "[PDF](https://arxiv.org/pdf/2401.00001)" in card
    assert "[Hugging Face](https://huggingface.co/papers/2401.00001)" in card
    assert "[Code](https://github.com/example/sparse)" in card
    assert "{: .dg-links data-search-exclude }" in card
    other = card_of(page, plain.key)
    assert "Solo Author" in other and "Hugging Face" not in other and "▲" not in other


def test_upvotes_alone_earn_the_hugging_face_link():
    page = pages_of(make_digest([paper(3, upvotes=0)]))["themes/sparse.md"]
    assert "https://huggingface.co/papers/2401.00003" in page and "▲ 0" in page


def test_long_abstracts_fold_behind_a_teaser_and_math_survives():
    long, short = paper(4, abstract=LONG), paper(5)
    page = pages_of(make_digest([long, short]))["themes/sparse.md"]
    card = card_of(page, long.key)
    assert len(LONG) > FOLD_CHARS
    # A raw HTML <details>: pymdownx's "/// details" block is quadratic in the page's size.
    shown, folded = card.split('<details class="abstract" data-search-exclude="true">\n', 1)
    assert folded.startswith("<summary>Full abstract</summary>\n<p>")
    assert r'<span class="arithmatex">\(O(n \log n)\)</span>' in folded
    assert folded.count("We study sparse attention") == 8
    # The teaser: its head is searched, the rest of it is only shown.
    line = next(line for line in shown.splitlines() if line.startswith("We study"))
    head, rest = line.split('<span data-search-exclude="true">', 1)
    assert len(head) < 110 and head.endswith("We study sparse")
    assert rest.startswith(" attention for long") and rest.endswith("for long</span> …")
    short_card = card_of(page, short.key)
    assert "<details" not in short_card and r"\(x_5\)" in short_card


def test_only_the_first_keywords_are_searched():
    entry_keywords = tuple(Keyword(f"k{i}", f"k{i}", 0.1) for i in range(8))
    digest = make_digest([paper(1)])
    entry = replace(digest.entries[0], keywords=entry_keywords)
    index = (KeywordSlug(f"k{i}", f"k{i}", f"kw-k{i}", ("arxiv:2401.00001",)) for i in range(8))
    digest = replace(digest, entries=(entry,), keyword_index=tuple(index))
    card = card_of(pages_of(digest)["themes/sparse.md"], "arxiv:2401.00001")
    chips = next(line for line in card.splitlines() if "dg-chip" in line).split("} ")
    excluded = ["data-search-exclude" in chip for chip in chips]
    assert excluded == [False] * INDEXED_KEYWORDS + [True] * (8 - INDEXED_KEYWORDS)


def test_teaser_cuts_between_words_and_never_inside_math():
    spans = split_math("alpha beta gamma $\\sum_i x_i$ delta")
    assert teaser(spans, 12) == [Span("alpha beta")]
    assert teaser(spans, 22) == [Span("alpha beta gamma")]
    assert teaser(spans, 30) == [Span("alpha beta gamma "), Span("\\sum_i x_i", True)]
    assert teaser(split_math("$\\frac{a}{b}$ long tail"), 3) == [Span("\\frac{a}{b}", True)]


def test_split_spans_keeps_all_the_text():
    spans = split_math("alpha beta gamma $\\sum_i x_i$ delta epsilon")
    for limit in range(0, 45, 3):
        head, tail = split_spans(spans, limit)
        assert "".join(s.text for s in head + tail) == "".join(s.text for s in spans)
        assert all(s.math == (s.text == "\\sum_i x_i") for s in head + tail)


def test_author_line():
    assert author_line(["A", "B"]) == "A, B"
    assert author_line([str(i) for i in range(10)], 2) == "0, 1 and 8 more"


def test_home_lists_a_few_papers_per_theme_and_links_the_rest():
    papers = [paper(i) for i in range(HOME_PAPERS + 4)]
    home = pages_of(make_digest(papers))["index.md"]
    assert home.count("](themes/sparse.md#p-") == HOME_PAPERS
    assert "- [4 more in this issue](issues/2026-01-02.md#t-sparse)" in home
    issue = pages_of(make_digest(papers))["issues/2026-01-02.md"]
    assert "{ #t-sparse }" in issue


def test_issue_and_keyword_pages_stay_out_of_search():
    pages = pages_of(make_digest([paper(1)]))
    assert front(pages["issues/2026-01-02.md"])["search"] == {"exclude": True}
    assert front(pages["keywords.md"])["search"] == {"exclude": True}
    for name in ("index.md", "themes/index.md", "themes/sparse.md", "rising.md", "feeds.md"):
        assert "search" not in front(pages[name]), name


def test_rising_page_explains_why_it_is_empty():
    page = pages_of(make_digest([paper(1)]))["rising.md"]
    assert '!!! info "Nothing is rising yet"' in page and "<svg" not in page


def test_rising_page_lists_topics_with_sparklines_and_papers():
    papers = [paper(i) for i in range(5)]
    topics = (
        RisingTopic(
            "sparse attention",
            "sparse attention",
            4,
            1,
            0.4,
            0.05,
            8.0,
            (0, 1, 0, 3, 4),
            tuple(p.key for p in papers[:4]),
        ),
        RisingTopic(
            "<b>unindexed</b> | *x*", "<b>unindexed</b> | *x*", 2, 0, 0.2, 0.0, 3.0, (0, 2), ()
        ),
    )
    page = pages_of(make_digest(papers, topics))["rising.md"]
    rows = [line for line in page.splitlines() if line.startswith("| ") and "<svg" in line]
    assert len(rows) == 2
    first, second = rows
    assert first.startswith("| [sparse attention](keywords.md#kw-sparse) | <svg")
    assert "| 4 (40.0%) | 1 (5.0%) |" in first
    assert first.count("](themes/sparse.md#p-") == 3  # the newest three
    assert 'role="img"' in first and "polyline" in first
    # A keyword outside the index is shown unlinked, escaped: one row, no extra cell.
    assert second.startswith("| &#60;b&#62;unindexed&#60;&#47;b&#62; &#124; &#42;x&#42; | <svg")
    assert second.count(" | ") == 4
    assert "Nothing is rising yet" not in page


def test_feeds_page_lists_every_feed_with_its_absolute_url():
    digest = make_digest([paper(1)])
    page = pages_of(digest)["feeds.md"]
    specs = feed_specs(digest, 50)
    assert specs
    for spec in specs:
        assert absolute(digest.site_url, spec.path) in page, spec.path
        assert f"]({spec.path})" in page, spec.path
    assert f"    {absolute(digest.site_url, OPML_PATH)}\n" in page
    assert "    https://example.org/d/feed.xml\n" in page  # a code block: a copy button


@pytest.mark.parametrize("name", ["rising.md", "feeds.md", "themes/index.md"])
def test_new_pages_render_without_feeds_given(name):
    assert PageWriter(TEMPLATES, make_digest([paper(1)])).pages()[name].startswith("# ")

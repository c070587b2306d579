"""The reader-facing pages from a hand-made digest: cards, home, rising, feeds, search records.

PageWriter runs on the repository's templates without a build, so each test states exactly
the digest it renders (a rising list by hand, until the rising computation has a history).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import lxml.html
import pytest

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
from digest.site import search
from digest.writers.cards import CARD_AUTHORS, CARD_CHIPS, author_line
from digest.writers.feeds import OPML_PATH, absolute, feed_specs
from digest.writers.issue_pages import ISSUE_SHOWN
from digest.writers.pages import HOME_PAPERS, PageWriter
from digest.writers.paging import paper_anchor
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


def card_of(page: str, key: str) -> lxml.html.HtmlElement:
    """Return a paper's card on a page: one raw HTML block, ``<article id="p-...">``."""
    start = page.index(f'<article class="dg-card" id="{paper_anchor(key)}">')
    end = page.index("</article>", start) + len("</article>")
    block = page[start:end]
    assert "\n\n" not in block, "a blank line would end the raw HTML block"
    return lxml.html.fragment_fromstring(block)


def texts(card: lxml.html.HtmlElement, cls: str) -> list[str]:
    return [el.text_content() for el in card.find_class(cls)]


def links(card: lxml.html.HtmlElement, cls: str) -> list[tuple[str, str]]:
    (found,) = card.find_class(cls)
    return [(a.text_content(), a.get("href")) for a in found.iter("a")]


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
    names = ", ".join(f"Author {i}" for i in range(CARD_AUTHORS))
    assert texts(card, "dg-card__authors") == [f"{names} and 3 more"]
    assert texts(card, "dg-card__votes") == ["▲ 42"]
    # Links in raw HTML are the built site's URLs, from themes/sparse/.
    assert links(card, "dg-card__chips") == [("sparse attention", "../../keywords/#kw-sparse")]
    assert links(card, "dg-card__links") == [
        ("arXiv", "https://arxiv.org/abs/2401.00001"),
        ("PDF", "https://arxiv.org/pdf/2401.00001"),
        ("Hugging Face", "https://huggingface.co/papers/2401.00001"),
        ("Code", "https://github.com/example/sparse"),
    ]
    # A theme page names no theme on its cards; the date without arXiv's is the first-seen day.
    assert not card.find_class("dg-card__theme")
    assert texts(card, "dg-card__date") == ["first seen 2026-01-02"]
    other = card_of(page, plain.key)
    assert texts(other, "dg-card__authors") == ["Solo Author"]
    assert "Hugging Face" not in other.text_content() and not other.find_class("dg-card__votes")


def test_upvotes_alone_earn_the_hugging_face_link():
    page = pages_of(make_digest([paper(3, upvotes=0)]))["themes/sparse.md"]
    assert "https://huggingface.co/papers/2401.00003" in page and "▲ 0" in page


def test_a_card_shows_arxiv_s_date_and_at_most_a_few_chips():
    keywords = tuple(Keyword(f"k{i}", f"k{i}", 0.1) for i in range(CARD_CHIPS + 2))
    dated = paper(6, published=datetime(2025, 12, 30, tzinfo=UTC))
    digest = make_digest([dated])
    entry = replace(digest.entries[0], keywords=keywords)
    # Keywords k0 and k1 are listed in the keyword index; the others only on the card.
    index = tuple(KeywordSlug(f"k{i}", f"k{i}", f"kw-k{i}", (dated.key,)) for i in range(2))
    digest = replace(digest, entries=(entry,), keyword_index=index)
    card = card_of(pages_of(digest)["themes/sparse.md"], dated.key)
    assert texts(card, "dg-card__date") == ["2025-12-30"]
    chips = card.find_class("dg-chip")
    assert [c.text_content() for c in chips] == [f"k{i}" for i in range(CARD_CHIPS)]
    assert [c.get("href") for c in chips] == [
        "../../keywords/#kw-k0",
        "../../keywords/#kw-k1",
        *[None] * (CARD_CHIPS - 2),
    ]


def test_the_whole_abstract_is_on_the_card_and_math_survives():
    long, short = paper(4, abstract=LONG), paper(5)
    page = pages_of(make_digest([long, short]))["themes/sparse.md"]
    card = card_of(page, long.key)
    (summary,) = card.xpath(".//details[@class='dg-card__abstract']/summary")
    assert summary.text_content().count("We study sparse attention") == 8
    (math,) = summary.find_class("arithmatex")
    assert math.text_content() == r"\(O(n \log n)\)"
    assert card_of(page, short.key).find_class("arithmatex")[0].text_content() == r"\(x_5\)"


def test_hostile_text_on_a_card_is_text():
    hostile = "<script>alert(1)</script> & <b onmouseover=alert(2)>bold</b> {{ 7*7 }}"
    p = paper(7, title=hostile, abstract=hostile, authors=(Author(hostile),))
    card = card_of(pages_of(make_digest([p]))["themes/sparse.md"], p.key)
    assert not card.xpath(".//script | .//b | .//*[@onmouseover]")
    assert texts(card, "dg-card__title") == [hostile]
    assert texts(card, "dg-card__authors") == [hostile]
    (summary,) = card.xpath(".//summary")
    assert summary.text_content() == hostile


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


def test_an_issue_shows_a_few_cards_per_theme_and_folds_the_rest():
    papers = [paper(i) for i in range(ISSUE_SHOWN + 2)]
    issue = pages_of(make_digest(papers))["issues/2026-01-02.md"]
    shown, folded = issue.split('<details class="dg-fold"><summary>', 1)
    assert [p.key for p in papers if str(paper_anchor(p.key)) in shown] == [
        p.key for p in papers[:ISSUE_SHOWN]
    ]
    assert folded.startswith("2 more papers on Sparse attention</summary>\n")
    for p in papers[ISSUE_SHOWN:]:
        # On an issue page, a card names its theme and links to its card on the theme page.
        card = card_of(folded, p.key)
        assert links(card, "dg-card__meta") == [
            ("Sparse attention", f"../../themes/sparse/#{paper_anchor(p.key)}")
        ]
    single = pages_of(make_digest(papers[:ISSUE_SHOWN]))["issues/2026-01-02.md"]
    assert "dg-fold" not in single


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


def record_of(text: str) -> tuple[str, dict[str, str], list[str]]:
    """Return a search record's heading, its Pagefind metadata and the texts of its paragraphs."""
    tree = lxml.html.document_fromstring(text)
    (body,) = tree.xpath("//*[@data-pagefind-body]")
    meta = dict(m.get("data-pagefind-meta").split(":", 1) for m in body.xpath(".//span"))
    (heading,) = body.xpath("h1")
    return heading.text_content(), meta, [p.text_content() for p in body.xpath("p")]


def href_anchor(href: str) -> str:
    return href.split("#", 1)[1]


def test_search_has_one_record_per_paper_pointing_at_its_card():
    """The search indexes papers, not pages: a paper's title, authors, abstract and keywords
    (weighted), and the theme page part and anchor of its card; themes have records of their
    own."""
    authors = tuple(Author(f"Author {i}") for i in range(12))
    papers = [paper(1, authors=authors, abstract=LONG), paper(2)]
    digest = make_digest(papers)
    records = search.buckets(digest)
    assert list(records) == ["p0000", "themes"]
    page = pages_of(digest)["themes/sparse.md"]
    for text, p in zip(records["p0000"], papers, strict=True):
        title, meta, paragraphs = record_of(text)
        assert title == p.title
        authors = ", ".join(a.name for a in p.authors[:8])
        keywords = "; ".join(k.text for k in digest.by_key[p.key].keywords)
        assert keywords
        assert meta == {
            "kind": "paper",
            "href": f"themes/sparse/#{paper_anchor(p.key)}",
            "date": "2026-01-02",
            "keywords": keywords,
            **({"authors": authors} if authors else {}),
        }
        assert card_of(page, p.key).get("id") == href_anchor(meta["href"])
        assert paragraphs[0] == p.abstract and paragraphs[-1] == keywords
        weighted = lxml.html.document_fromstring(text).xpath("//p[@data-pagefind-weight]")
        assert [w.text_content() for w in weighted] == [keywords]
    assert record_of(records["p0000"][0])[2][1] == ", ".join(f"Author {i}" for i in range(8))
    (theme,) = records["themes"]
    assert record_of(theme)[:2] == (
        "Sparse attention",
        {"kind": "theme", "href": "themes/sparse/"},
    )


def test_search_buckets_hold_papers_in_the_order_they_were_first_seen(
    monkeypatch: pytest.MonkeyPatch,
):
    """A day's new papers change the last bucket only: the others are kept from the site."""
    monkeypatch.setattr(search, "BUCKET", 2)
    papers = [paper(i) for i in range(5)]
    digest = make_digest(papers)
    later = {p.key: BUILT.replace(day=1 + i % 2) for i, p in enumerate(papers)}
    entries = tuple(replace(e, listed=later[e.paper.key]) for e in digest.entries)
    records = search.buckets(replace(digest, entries=entries))
    assert list(records) == ["p0000", "p0001", "p0002", "themes"]
    titles = [record_of(r)[0] for name in ("p0000", "p0001", "p0002") for r in records[name]]
    assert titles == ["Paper 0", "Paper 2", "Paper 4", "Paper 1", "Paper 3"]


def test_search_records_hold_hostile_text_as_text():
    hostile = "<script>alert(1)</script> & <b onmouseover=alert(2)>bold</b>"
    p = paper(1, title=hostile, abstract=hostile, authors=(Author(hostile),))
    (text,) = search.buckets(make_digest([p]))["p0000"]
    tree = lxml.html.document_fromstring(text)
    assert not tree.xpath("//script | //b | //*[@onmouseover]")
    assert record_of(text)[0] == hostile and record_of(text)[2][:2] == [hostile, hostile]

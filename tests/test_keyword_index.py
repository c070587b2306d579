"""The keyword index: one raw HTML block per initial, read back from the built site.

The index lists the keywords papers share, each a ``<details>`` that opens its latest papers
(and, when it has more, a link to the search page listing them all). Each
initial's keywords are one raw HTML block, which Python-Markdown passes through instead of
parsing tens of thousands of inline links. MkDocs neither rewrites nor checks links in raw
HTML, so these tests are the only oracle for them: every link must reach its paper's card on
the built site, every keyword keep its ``kw-...`` id (cards link to it, on the part of the
index that lists it), and hostile titles and keywords stay text.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from digest.model import Digest, KeywordSlug
from digest.writers import pages, paging
from digest.writers.cards import CARD_CHIPS
from digest.writers.paging import KEYWORD_LISTED, paper_anchor
from tests.conftest import DATA, Site, build_site
from tests.test_links import SiteLinks

PAGE = "keywords/index.html"
HOSTILE = (DATA / "hostile" / "daily_papers.json", DATA / "hostile" / "papers.jsonl")
_SPACES = re.compile(r"\s+")


def shown(text: str) -> str:
    """Return text as a page shows it: the writer puts every run of whitespace on one space."""
    return _SPACES.sub(" ", text).strip()


def index_pages(site: Site) -> list[str]:
    """Return the built pages of the keyword index in index order: the index (or the page
    linking its parts), then a page per letter, then other initials."""
    parts = sorted(
        (p.parent.name for p in site.site.glob("keywords.*/index.html")),
        key=lambda name: (name == "keywords.other", name),
    )
    return [PAGE, *(f"{name}/index.html" for name in parts)]


def keyword_rows(site: Site) -> dict[str, tuple[str, lxml.html.HtmlElement]]:
    """Return the keywords of the built index (their ``<details>``) by id, with the page each
    is on; each id is checked to be unique across the parts."""
    by_id = {}
    count = 0
    for page in index_pages(site):
        tree = lxml.html.document_fromstring((site.site / page).read_bytes())
        rows = tree.xpath('//div[@class="dg-keywords"]/details[@class="dg-kw"]')
        by_id.update({p.get("id"): (page, p) for p in rows})
        count += len(rows)
    assert len(by_id) == count
    return by_id


def latest(digest: Digest, kw: KeywordSlug) -> list[str]:
    """The papers a keyword lists: those of its last days, newest day first, then by key."""
    days = sorted({digest.by_key[k].listed for k in kw.paper_keys}, reverse=True)
    newest = [k for day in days for k in sorted(kw.paper_keys) if digest.by_key[k].listed == day]
    return newest[:KEYWORD_LISTED]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The hostile corpus (``tests/data/hostile/``) built once, through MkDocs, with theme
    pages of 4 cards and a keyword index in parts: links must reach
    ``themes/<slug>.part<n>/`` and ``keywords.<letter>/`` too, which the seed (no theme over
    50 cards, an index of one page) never needs."""
    with pytest.MonkeyPatch.context() as mp:
        for module in (paging, pages):
            mp.setattr(module, "THEME_PART", 4)
        # And a keyword index large enough to be cut into a page per initial.
        mp.setattr(paging, "KEYWORD_PART", 40)
        return build_site(tmp_path_factory.mktemp("hostile-keywords"), list(HOSTILE))


@pytest.mark.parametrize("name", ["seed_site", "hostile_site"])
def test_every_keyword_link_lands_on_its_papers_card(name, request):
    """Links are built URLs seen from ``keywords/``: each names a page that exists, and on it
    the card of the very paper the keyword was found in, newest first; a keyword of more
    papers than it lists links the search page, asking for its words (its acronym left out)."""
    site: Site = request.getfixturevalue(name)
    digest = site.result.digest
    assert digest is not None
    links = SiteLinks(site.site)
    rows = keyword_rows(site)
    assert list(rows) == [kw.slug for kw in digest.keyword_index]
    targets = set()
    searched = 0
    for kw in digest.keyword_index:
        page, row = rows[kw.slug]
        hrefs = [a.get("href") for a in row.iter("a")]
        if len(kw.paper_keys) > KEYWORD_LISTED:
            target, _ = links.resolve(page, hrefs.pop().split("?")[0])
            assert target == "search/index.html", kw.text
            query = parse_qs(urlsplit(row.xpath(".//li/a")[-1].get("href")).query)["q"]
            assert len(query) == 1 and query[0] and kw.text.startswith(query[0]), kw.text
            assert not query[0].endswith(")"), kw.text  # the acronym is left out
            searched += 1
        for href, key in zip(hrefs, latest(digest, kw), strict=True):
            target, fragment = links.resolve(page, href)
            assert target is not None and (site.site / target).is_file(), href
            assert fragment == paper_anchor(key), href
            assert fragment in links.ids(target), href
            targets.add(target)
    assert len(targets) >= 3
    if name == "seed_site":
        assert searched > 0  # the seed has keywords of more papers than the index lists
    if name == "hostile_site":
        assert any(".part" in target for target in targets)
        assert len({page for page, _ in rows.values()}) >= 3


@pytest.mark.parametrize("name", ["seed_site", "hostile_site"])
def test_links_to_keywords_find_their_ids(name, request):
    """Cards and the rising page link to ``keywords/#kw-...`` (or the part listing the
    keyword): each lands on its keyword's own entry."""
    site: Site = request.getfixturevalue(name)
    digest = site.result.digest
    assert digest is not None
    links = SiteLinks(site.site)
    rows = keyword_rows(site)
    assert set(rows) == {kw.slug for kw in digest.keyword_index}
    parts = set(index_pages(site))
    found = 0
    for page in links.pages:
        for link in links.links(page):
            target, fragment = links.resolve(page, link)
            if fragment.startswith("kw-"):
                assert target in parts and rows[fragment][0] == target, f"{page}: {link}"
                found += 1
    # A card links its keywords that the index lists (papers share them).
    listed = {kw.key for kw in digest.keyword_index}
    chips = [{k.key for k in e.keywords[:CARD_CHIPS]} for e in digest.entries]
    assert found >= sum(1 for shown_chips in chips if shown_chips & listed)
    assert found > 0


def test_every_part_of_the_index_links_the_others(hostile_site):
    pages = index_pages(hostile_site)
    assert len(pages) >= 3
    links = SiteLinks(hostile_site.site)
    for page in pages:
        reached = {links.resolve(page, link)[0] for link in links.links(page)}
        assert set(pages) - {page} <= reached, page


def test_hostile_keywords_and_titles_stay_text(hostile_site):
    """Script tags, attr_list braces and entities in titles and keywords are shown as text:
    each block holds only the template's elements and attributes, and each keyword says how
    many papers share it."""
    digest = hostile_site.result.digest
    assert digest is not None
    rows = keyword_rows(hostile_site)
    assert list(rows) == [kw.slug for kw in digest.keyword_index]
    allowed = {
        "div": {"class"},
        "details": {"class", "id"},
        "summary": set(),
        "span": {"class"},
        "ul": set(),
        "li": {"class"},
        "a": {"href"},
    }
    for page in index_pages(hostile_site):
        tree = lxml.html.document_fromstring((hostile_site.site / page).read_bytes())
        blocks = tree.xpath('//div[@class="dg-keywords"]')
        for el in (el for block in blocks for el in block.iter()):
            assert el.tag in allowed and set(el.attrib) <= allowed[el.tag], lxml.html.tostring(el)
    for kw in digest.keyword_index:
        _, row = rows[kw.slug]
        (summary,) = row.iter("summary")
        assert (summary.text or "").strip() == shown(kw.text)
        assert [c.text_content() for c in summary] == [str(len(kw.paper_keys))]
        titles = [a.text_content() for a in row.iter("a")]
        if len(kw.paper_keys) > KEYWORD_LISTED:
            assert titles.pop().startswith(f"Search for “{shown(kw.text)[:3]}")
        assert titles == [shown(digest.by_key[k].paper.title) for k in latest(digest, kw)]
    texts = " ".join(row.text_content() for _, row in rows.values())
    # The corpus's attacks reach the index as text (so the checks above checked something).
    assert "<script>" in texts and "alert" in texts


def test_the_export_lists_a_keyword_and_its_acronym_apart(seed_site):
    """``digest.json`` gives a keyword's phrase and the acronym its paper defines as two
    fields: a tool comparing phrases ("large language models" with another paper's or another
    system's keywords) would otherwise read "(LLMs)" as a word of the phrase. The card shows
    them together."""
    exported = json.loads((seed_site.site / "digest.json").read_bytes())
    by_id = {p["id"]: p["keywords"] for p in exported["papers"]}
    acronyms = 0
    for entry in seed_site.result.digest.entries:
        found = by_id[entry.paper.key]
        assert len(found) == len(entry.keywords)
        for keyword, data in zip(entry.keywords, found, strict=True):
            assert data["text"] and not data["text"].endswith(")"), data
            acronym = data.get("acronym")
            assert keyword.text == (f"{data['text']} ({acronym})" if acronym else data["text"])
            acronyms += bool(acronym)
    assert acronyms >= 5

"""Built pages from a hostile corpus: untrusted text stays literal text.

The oracle is the built site itself, parsed back: no ``<script>`` the theme did not put there
(compared with a site built from the benign seed), no ``on*=`` attribute, no ``javascript:``
link, and every hostile title shown character for character.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
import yaml
from lxml import etree
from mkdocs.utils import meta as mkdocs_meta

from tests.conftest import build_site, seed_pairs, write_listing
from tests.search_records import search_records

HOSTILE = [
    (
        "<script>alert('t1')</script> Robust Attention for Hostile Inputs",
        "We study attention under hostile inputs <script>alert('a1')</script> and show robust "
        "attention helps. Code: https://github.com/example/robust-attention.",
    ),
    (
        "</title><script>alert('t2')</script> Escaping Titles in Sparse Transformers",
        "Sparse transformers with <img src=x onerror=alert('a2')> escaping. We evaluate sparse "
        "transformers on long documents.",
    ),
    (
        "Graph Networks { onclick=alert('t3') }",
        "Graph networks {: onclick=alert('a3') } learn message passing on molecules. See "
        "[here](javascript:alert('a4')) and <a href=\"javascript:alert('a5')\">this</a>.",
    ),
    (
        "*_[]|# Markdown Specials in Federated Learning",
        "| col | col | *emphasis* _under_ [link][ref] # heading federated learning with `code` "
        "and <b onmouseover=alert('a6')>bold</b> <!-- comment --> &amp; &lt;b&gt; entities.",
    ),
    (
        "1. Numbered Lists of Federated Optimisation",
        "--- Federated optimisation with {% if true %}jinja{% endif %} templates {# comment #}.",
    ),
    (
        "--- Horizontal Rules in Graph Message Passing",
        "1. Graph message passing on molecules ${x}^{2}$ with \\textbf{bold} and "
        "javascript:alert('a7') links.",
    ),
    (
        "{{ 7*7 }} Template Injection in Sparse Attention",
        "Sparse attention {{ 7*7 }} with {{ digest.title }} and ${{ 7*7 }}$ robust attention.",
    ),
    (
        "<img src=x onerror=alert('t8')>[x](javascript:alert('t9')) Robust Markdown Attention",
        '<a href="javascript:alert(10)">x</a> {: .cls #id onclick="alert(11)" } robust attention '
        "for sparse transformers.",
    ),
]
TITLES = [t for t, _ in HOSTILE]
# Inline TeX is kept as math (for KaTeX), written \(...\) in the HTML; everything else is text.
SHOWN_AS_MATH = {"${x}^{2}$": r"\({x}^{2}\)", "${{ 7*7 }}$": r"\({{ 7*7 }}\)"}


def shown(abstract: str) -> str:
    """Return an abstract as its paragraph reads in the built HTML, before KaTeX runs."""
    for tex, html in SHOWN_AS_MATH.items():
        abstract = abstract.replace(tex, html)
    return abstract


EVENT_ATTRIBUTE = re.compile(rb"\son[a-z]+\s*=", re.IGNORECASE)
JS_URL_ATTRIBUTE = re.compile(
    rb"""(?:href|src|action|formaction|data)\s*=\s*["']?\s*javascript:""", re.I
)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href", "poster")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    listing = write_listing(root / "hostile.txt", HOSTILE + seed_pairs()[:12])
    return build_site(root, [listing])


def html_pages(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.html"))}


def parse(data: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(data)


def script_signatures(page: str, tree: lxml.html.HtmlElement) -> set[tuple[str, str]]:
    found = set()
    for script in tree.iter("script"):
        src = script.get("src")
        if src:
            found.add(("src", posixpath.normpath(posixpath.join(posixpath.dirname(page), src))))
        else:
            found.add(("inline", (script.text or "").strip()))
    return found


def heading_texts(tree: lxml.html.HtmlElement) -> list[str]:
    texts = []
    for heading in tree.iter("h1", "h2", "h3"):
        for link in heading.find_class("headerlink"):
            link.drop_tree()
        texts.append(heading.text_content())
    return texts


def assert_inert(tree: lxml.html.HtmlElement, allowed_scripts: set | None, page: str) -> None:
    """No foreign script, no event handler attribute, no javascript: URL in ``tree``."""
    if allowed_scripts is None:
        assert list(tree.iter("script")) == [], page
    else:
        assert script_signatures(page, tree) <= allowed_scripts, page
    for element in tree.iter(etree.Element):
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (page, element.tag, name)
            if name.lower() in URL_ATTRIBUTES:
                assert (
                    not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
                ), (
                    page,
                    value,
                )


@pytest.fixture(scope="module")
def theme_scripts(seed_site) -> set[tuple[str, str]]:
    """Every script of the benign seed site: what the theme itself puts in pages."""
    scripts: set[tuple[str, str]] = set()
    for page, data in html_pages(seed_site.site).items():
        scripts |= script_signatures(page, parse(data))
    assert any(kind == "src" and "assets/javascripts/" in src for kind, src in scripts)
    return scripts


def test_no_script_but_the_themes_own(hostile_site, theme_scripts):
    pages = html_pages(hostile_site.site)
    assert "index.html" in pages and len(pages) > 5
    for page, data in pages.items():
        tree = parse(data)
        # Every "<script" in the bytes is a script element the parser saw, and a known one.
        assert data.lower().count(b"<script") == len(list(tree.iter("script"))), page
        assert_inert(tree, theme_scripts, page)


def test_no_event_handler_or_javascript_url_in_any_page(hostile_site):
    for page, data in html_pages(hostile_site.site).items():
        assert not EVENT_ATTRIBUTE.search(data), page
        assert not JS_URL_ATTRIBUTE.search(data), page


def test_every_hostile_title_is_shown_as_literal_text(hostile_site):
    site = hostile_site.site
    exported = json.loads((site / "digest.json").read_text(encoding="utf-8"))
    primary = {p["title"]: p["themes"][0] for p in exported["papers"]}
    for title in TITLES:
        page = site / "themes" / primary[title] / "index.html"
        assert title in heading_texts(parse(page.read_bytes())), title
    home = parse((site / "index.html").read_bytes())
    assert set(TITLES) <= {link.text_content() for link in home.iter("a")}
    issue = next(site.glob("issues/*/index.html"))
    assert set(TITLES) <= set(heading_texts(parse(issue.read_bytes())))


def test_hostile_abstracts_are_literal_paragraphs(hostile_site):
    site = hostile_site.site
    exported = json.loads((site / "digest.json").read_text(encoding="utf-8"))
    primary = {p["title"]: p["themes"][0] for p in exported["papers"]}
    for title, abstract in HOSTILE:
        tree = parse((site / "themes" / primary[title] / "index.html").read_bytes())
        # A card's abstract is the summary of its <details> (two lines, opened in place).
        abstracts = [s.text_content() for s in tree.iter("summary")]
        assert shown(abstract) in abstracts, title
    # Nothing of the abstracts became structure.
    for page, data in html_pages(site).items():
        tree = parse(data)
        article = tree.find_class("md-content__inner")
        if not article:
            continue
        # Lists with a class are the templates' own (search results, the themes' sizes);
        # Markdown would make a plain one.
        lists = ".//ol[not(@class)]"
        assert not article[0].xpath(f".//hr | {lists} | .//table//td[contains(., 'col')]"), page
        assert not article[0].xpath(".//img | .//b | .//*[@class='cls'] | .//*[@id='id']"), page


def test_template_syntax_stays_literal(hostile_site):
    site = hostile_site.site
    text = "\n".join(parse(d).text_content() for d in html_pages(site).values())
    assert r"Sparse attention {{ 7*7 }} with {{ digest.title }} and \({{ 7*7 }}\)" in text
    assert "{% if true %}jinja{% endif %} templates {# comment #}" in text
    assert "Sparse attention 49" not in text and "49 Template Injection" not in text


def test_page_titles_are_plain_text(hostile_site):
    site_name = "Research digest"
    exported = json.loads((hostile_site.site / "digest.json").read_text(encoding="utf-8"))
    for theme in exported["themes"]:
        tree = parse((hostile_site.site / "themes" / theme["slug"] / "index.html").read_bytes())
        # The document's title (the SVG charts have <title>s of their own, for screen readers).
        (title,) = tree.xpath("/html/head/title")
        assert len(title) == 0
        assert title.text == f"{theme['name']} - {site_name}"
        (h1,) = heading_texts(tree)[:1]
        assert h1 == theme["name"]
    for page, data in html_pages(hostile_site.site).items():
        titles = parse(data).xpath("/html/head/title")
        assert len(titles) == 1 and len(titles[0]) == 0, page
        assert "<" not in titles[0].text_content(), page


def test_search_records_hold_the_titles_as_text(hostile_site):
    """The search page sets a hit's title as text: the index holds each title as it is."""
    records = [r for found in search_records(hostile_site.site).values() for r in found]
    titles = {r["meta"]["title"] for r in records if r["meta"]["kind"] == "paper"}
    assert set(TITLES) <= titles
    for record in records:
        assert " ".join(record["content"].split()).startswith(record["meta"]["title"])


def test_export_keeps_the_literal_text(hostile_site):
    exported = json.loads((hostile_site.site / "digest.json").read_text(encoding="utf-8"))
    pairs = {(p["title"], p["abstract"]) for p in exported["papers"]}
    assert set(HOSTILE) <= pairs


def test_feed_text_is_inert_html(hostile_site):
    for feed in sorted(hostile_site.site.rglob("*.xml")):
        tree = etree.fromstring(feed.read_bytes())
        for element in tree.iter("{*}description", "{*}summary", "{*}content", "description"):
            # Atom text constructs without type="html" are plain text: readers never parse
            # them as markup, so the hostile text is there verbatim, and must be.
            atom = element.tag.startswith("{http://www.w3.org/2005/Atom}")
            if atom and element.get("type", "text") == "text":
                continue
            if element.text and element.text.strip():
                fragment = lxml.html.fragment_fromstring(element.text, create_parent="div")
                assert_inert(fragment, None, feed.name)


def test_every_built_xml_file_is_well_formed(hostile_site):
    files = sorted(hostile_site.site.rglob("*.xml"))
    assert {"feed.xml", "sitemap.xml"} <= {p.name for p in files}
    for path in files:
        etree.fromstring(path.read_bytes())  # raises on malformed XML


def test_id_less_papers_link_to_an_arxiv_title_search(hostile_site, seed_site):
    for built in (hostile_site, seed_site):
        exported = json.loads((built.site / "digest.json").read_text(encoding="utf-8"))
        searches = {}
        for page, data in html_pages(built.site).items():
            if not page.startswith("themes/"):
                continue
            for link in parse(data).iter("a"):
                if link.text_content() == "Search arXiv":
                    url = urlsplit(link.get("href"))
                    assert (url.scheme, url.netloc, url.path) == ("https", "arxiv.org", "/search/")
                    query = parse_qs(url.query, keep_blank_values=True)
                    assert query["searchtype"] == ["title"]
                    searches[query["query"][0]] = page
        assert {p["title"] for p in exported["papers"]} <= set(searches)
        assert all(p["arxiv_id"] is None for p in exported["papers"])


def test_code_links_from_abstracts_lose_trailing_punctuation(seed_site, hostile_site):
    for built in (seed_site, hostile_site):
        exported = json.loads((built.site / "digest.json").read_text(encoding="utf-8"))
        code = {url for p in exported["papers"] for url in p["code_urls"]}
        assert code
        for url in code:
            assert not url.endswith((".", ",", ";", ":", ")", "]", "'", '"')), url
            assert urlsplit(url).scheme == "https"
        shown = {
            link.get("href")
            for data in html_pages(built.site).values()
            for link in parse(data).iter("a")
            if link.text_content() == "Code"
        }
        assert shown == code
    assert "https://github.com/example/robust-attention" in shown
    seed = json.loads((seed_site.site / "digest.json").read_text(encoding="utf-8"))
    glued = [p for p in seed["papers"] if "entropy-guided-attention-llm{" in p["abstract"]]
    assert [p["code_urls"] for p in glued] == [
        ["https://github.com/Nandan91/entropy-guided-attention-llm"]
    ]
    dotted = [url for p in seed["papers"] for url in p["code_urls"] if f"{url}." in p["abstract"]]
    assert dotted, "the seed has code URLs followed by a full stop"


def test_non_ascii_title_is_shown(seed_site):
    exported = json.loads((seed_site.site / "digest.json").read_text(encoding="utf-8"))
    (paper,) = [p for p in exported["papers"] if p["title"].startswith("SΩI")]
    page = seed_site.site / "themes" / paper["themes"][0] / "index.html"
    assert "SΩI: Score-based O-INFORMATION Estimation" in heading_texts(parse(page.read_bytes()))


def test_front_matter_reads_back_equal_through_mkdocs(hostile_site):
    # MkDocs silently ignores front matter it cannot parse, even with --strict.
    with_meta = 0
    for page in sorted(hostile_site.docs.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        body, meta = mkdocs_meta.get_data(text)
        assert body.lstrip().startswith("# "), page.name
        if text.startswith("---\n"):
            block = text.split("---\n", 2)[1]
            expected = yaml.safe_load(block)
            assert isinstance(expected, dict) and expected, page.name
            assert meta == expected, page.name
            with_meta += 1
        else:
            assert meta == {}, page.name
    assert with_meta > 0, "no page has front matter any more: this test can go"

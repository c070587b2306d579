"""The XSS oracle: a hostile corpus through the real pipeline, then every built file scanned.

The corpus (``tests/data/hostile/``, described in its README) puts script tags, event handlers,
``javascript:`` links, raw HTML, Jinja, YAML, CDATA, pre-encoded entities, math, attr_list
syntax, comments and Unicode tricks into titles, abstracts, authors, URL fields and (through
the abstracts) keywords. The site is built once, with MkDocs, and compared with the benign seed
site (``seed_site``): the hostile site may hold no script, element, stylesheet or URL scheme
that the theme does not put into the benign one, and every hostile string must still be shown,
as text, so that the oracle cannot pass by dropping papers.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
import pytest
import yaml
from lxml import etree

from digest.model import Paper
from digest.sources import read_inputs
from digest.writers.escape import split_math
from digest.writers.paging import paper_anchor
from tests.conftest import DATA, SITE_URL, Site, build_site, tree_bytes
from tests.search_records import search_records

HOSTILE = DATA / "hostile"
INPUTS = (HOSTILE / "daily_papers.json", HOSTILE / "papers.jsonl")

#: Attributes whose value a browser follows or loads as a URL (SVG animation included).
URL_ATTRIBUTES = frozenset(
    "href src action formaction xlink:href data poster background cite ping srcset codebase "
    "archive longdesc lowsrc dynsrc manifest icon values to from by".split()
)
BAD_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:text/html")
#: Elements that embed or re-base another document: never in a digest page.
NEVER = frozenset("iframe frame frameset object embed applet base portal".split())
# Parser-independent nets over the raw bytes: a payload call inside a tag, or in a script body.
RAW_TAG_PAYLOAD = re.compile(r"<[a-z][^<>]*(?:alert|msgbox)\(", re.IGNORECASE)
RAW_SCRIPT_PAYLOAD = re.compile(r"<script\b[^>]*>[^<]*(?:alert|msgbox)\(", re.IGNORECASE)
#: A double-quoted title attribute that nothing broke out of (no quote or bracket inside).
TOOLTIP = re.compile(r'(?<=\s)title="[^"<>]*"')
#: Strings of the corpus that every reader must see, character for character.
SHOWN = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click me](javascript:alert(1))",
    "<javascript:alert(1)>",
    "{{ 7*7 }} {% if true %}jinja{% endif %}",
    "--- title: pwned ---",
    "]]> <![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '{ onclick=alert(1) } {: onclick="alert(2)" }',
    "<!-- comment --> Hidden <!--",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "\u202egnp.exe\u202c",
    "</title><script>alert(1)</script><title>",
    "Math \\(<script>alert(1)</script>\\)",
)


def squeezed(value: str) -> str:
    """Return a URL as a browser reads its scheme: no spaces or controls, lower case."""
    return "".join(
        ch for ch in value if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf")
    ).lower()


def live_markup(root: lxml.html.HtmlElement, where: str) -> list[str]:
    """Return what in ``root`` could run script: handlers, script URLs, embedding elements."""
    problems = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments and processing instructions are inert
        tag = el.tag.lower()
        if tag in NEVER:
            problems.append(f"{where}: <{tag}>")
        for name, value in el.attrib.items():
            name = name.lower()
            if name.startswith("on"):
                problems.append(f"{where}: <{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and squeezed(value).startswith(BAD_SCHEMES):
                problems.append(f"{where}: <{tag} {name}={value!r}>")
            if name == "style" and ("javascript:" in squeezed(value) or "expression(" in value):
                problems.append(f"{where}: <{tag} style={value!r}>")
        if tag == "meta" and (el.get("http-equiv") or "").strip().lower() == "refresh":
            problems.append(f"{where}: <meta http-equiv=refresh content={el.get('content')!r}>")
    return problems


@dataclass
class Inventory:
    """The active parts of a set of pages: scripts, styles, stylesheets and element names."""

    scripts: set[str] = field(default_factory=set)
    styles: set[str] = field(default_factory=set)
    sheets: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)

    def add(self, root: lxml.html.HtmlElement, url: str) -> None:
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            tag = el.tag.lower()
            self.tags.add(tag)
            if tag == "script":
                src = el.get("src")
                self.scripts.add(urljoin(url, src) if src else "inline:" + _digest(el.text))
            elif tag == "style":
                self.styles.add(_digest(el.text))
            elif tag == "link" and {"stylesheet", "import", "preload", "modulepreload"} & set(
                (el.get("rel") or "").lower().split()
            ):
                self.sheets.add(urljoin(url, el.get("href") or ""))

    def extra(self, benign: Inventory) -> dict[str, set[str]]:
        """Return what this inventory holds and ``benign`` does not, by kind."""
        found = {
            "scripts": self.scripts - benign.scripts,
            "styles": self.styles - benign.styles,
            "stylesheets": self.sheets - benign.sheets,
            "elements": self.tags - benign.tags,
        }
        return {kind: items for kind, items in found.items() if items}


def _digest(text: str | None) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()[:16]


def html_pages(site: Path) -> Iterator[tuple[str, lxml.html.HtmlElement, str]]:
    """Yield every page of a built site: its path, its parsed tree and its URL."""
    for path in sorted(site.rglob("*.html")):
        name = path.relative_to(site).as_posix()
        yield name, lxml.html.fromstring(path.read_bytes()), urljoin(SITE_URL, name)


def inventory(site: Path) -> Inventory:
    found = Inventory()
    for _, root, url in html_pages(site):
        found.add(root, url)
    return found


def fragment(text: str) -> lxml.html.HtmlElement:
    """Parse ``text`` as a browser's innerHTML would: a fragment inside a div."""
    return lxml.html.fragment_fromstring(text or " ", create_parent="div")


def flat(text: str) -> str:
    return " ".join(text.split())


def shown_abstract(abstract: str) -> str:
    """The abstract as a page's text holds it: formulas in ``\\(...\\)``, with ``\\lt``."""
    out = []
    for span in split_math(abstract):
        if span.math:
            tex = span.text.replace("<", r"\lt ").replace(">", r"\gt ")
            out.append(rf"\({tex}\)")
        else:
            out.append(span.text)
    return flat("".join(out))


def feeds(site: Path) -> list[Path]:
    return [site / "feed.xml", *sorted((site / "feeds").rglob("*.xml"))]


def parse_xml(data: bytes) -> etree._Element:
    """Parse XML as a hardened reader does: no entities expanded, nothing fetched."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The hostile corpus built once, through MkDocs; tests only read it."""
    return build_site(tmp_path_factory.mktemp("hostile-site"), list(INPUTS))


@pytest.fixture(scope="module")
def hostile_papers() -> dict[str, Paper]:
    return {p.key: p for p in read_inputs(list(INPUTS))}


@pytest.fixture(scope="module")
def benign(seed_site: Site) -> Inventory:
    return inventory(seed_site.site)


def test_the_corpus_is_built_whole(hostile_site, hostile_papers):
    """Cases 5, 27: every hostile paper is kept (a bad URL or a long title costs a warning)."""
    digest = hostile_site.result.digest
    assert digest is not None
    assert len(hostile_papers) >= 40
    assert {e.paper.key for e in digest.entries} == set(hostile_papers)
    assert len(digest.themes) >= 3
    # Bad links are dropped with a warning each, the 1,962-character title is warned about.
    assert hostile_site.result.warnings >= 6
    # The attack words reach keywords, so the keyword pages and chips carry them too.
    texts = [k.text.casefold() for k in digest.keyword_index]
    assert any("javascript" in t for t in texts) and any("alert" in t for t in texts)


def test_no_page_holds_markup_the_theme_did_not_put_there(hostile_site, benign):
    """Cases 27, 29: no script, handler, javascript: URL or embedding element in any page.

    Scripts are known by their site-absolute src, inline ones by a hash of their text: the
    hostile site may only hold those of the benign seed site. The raw-byte patterns catch a
    payload whatever parser a browser uses.
    """
    pages = list(html_pages(hostile_site.site))
    assert len(pages) >= 10
    found = Inventory()
    problems = []
    for name, root, url in pages:
        found.add(root, url)
        problems += live_markup(root, name)
        # A card repeats its authors in a title attribute (a tooltip): escaped text there is
        # inert, as the parsed check above sees; the raw nets look at the rest.
        raw = TOOLTIP.sub('title=""', (hostile_site.site / name).read_text(encoding="utf-8"))
        problems += [f"{name}: raw {m.group(0)!r}" for m in RAW_TAG_PAYLOAD.finditer(raw)]
        problems += [f"{name}: raw {m.group(0)!r}" for m in RAW_SCRIPT_PAYLOAD.finditer(raw)]
    assert problems == []
    assert found.extra(benign) == {}
    assert benign.scripts and found.scripts  # the comparison compares something


def test_the_benign_site_passes_the_oracle(seed_site):
    """Case 27: the oracle itself finds nothing in the seed, so a failure above is real."""
    problems = [p for name, root, _ in html_pages(seed_site.site) for p in live_markup(root, name)]
    assert problems == []


def test_every_link_is_http_a_fragment_or_relative(hostile_site):
    """Case 27: hostile URL fields (javascript:, data:, quotes, angle brackets) never escape."""
    for name, root, url in html_pages(hostile_site.site):
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for attribute in ("href", "src", "action", "formaction"):
                value = el.get(attribute)
                if value is None:
                    continue
                scheme = urlsplit(urljoin(url, value)).scheme
                assert scheme in ("http", "https"), (name, el.tag, value)
                assert not set(value) & set("<>\"' "), (name, el.tag, value)


def test_hostile_strings_are_shown_as_text(hostile_site, hostile_papers):
    """Cases 17, 22, 27, 29: each title, author and abstract is on its theme page, as text.

    ``{{ 7*7 }}`` is not 49, ``&lt;script&gt;`` is not decoded, U+2028 is a space, the RTL
    override and fullwidth brackets stay, formulas (in titles too) keep their TeX (``<`` as
    ``\\lt``).
    """
    digest = hostile_site.result.digest
    pages: dict[str, str] = {}

    def text_of(relative: str) -> str:
        if relative not in pages:
            root = lxml.html.fromstring((hostile_site.site / relative).read_bytes())
            pages[relative] = flat(root.text_content())
        return pages[relative]

    issue = f"issues/{digest.issues[0].slug}/index.html"
    for entry in digest.entries:
        paper = hostile_papers[entry.paper.key]
        theme_page = text_of(f"themes/{entry.themes[0].theme_slug}/index.html")
        # Titles keep their formulas as math, as abstracts do.
        assert shown_abstract(paper.title) in theme_page, paper.title
        assert shown_abstract(paper.title) in text_of(issue), paper.title
        for author in paper.authors[:8]:
            assert flat(author.name) in theme_page, author.name
        assert shown_abstract(paper.abstract) in theme_page, paper.abstract
    everything = " ".join(text_of(f"themes/{t.slug}/index.html") for t in digest.themes)
    for shown in SHOWN:
        assert shown_abstract(shown) in everything, shown
    assert "49 Template Injection" not in everything
    keywords = text_of("keywords/index.html")
    for kw in digest.keyword_index:
        assert flat(kw.text) in keywords, kw.text


def test_page_titles_and_headings_hold_no_live_markup(hostile_site):
    """Case 27: Material copies headings into <title>, the TOC and the nav; all stay text."""
    for name, root, _ in html_pages(hostile_site.site):
        for el in root.iter("title", "h1", "h2", "h3"):
            assert [c.tag for c in el.iter() if c is not el and c.tag not in ("a", "span")] == [], (
                name,
                etree.tostring(el)[:200],
            )


def test_every_feed_parses_and_carries_the_titles_as_text(hostile_site, hostile_papers):
    """Cases 27, 30: lxml (no entities) and feedparser (no bozo) parse every feed; titles are
    the hostile titles as text; an RSS description, read as HTML, is the abstract and nothing
    else; Atom content (type text) is the abstract as it is, never escaped twice.
    """
    titles = {p.title for p in hostile_papers.values()}
    by_key = {f"urn:digest:paper:{k}": p for k, p in hostile_papers.items()}
    paths = feeds(hostile_site.site)
    assert len(paths) >= 5
    for path in paths:
        data = path.read_bytes()
        root = parse_xml(data)
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, (path.name, parsed.get("bozo_exception"))
        for item in parsed.entries:
            paper = by_key[item.id]
            if item.title_detail.type == "text/plain":
                assert item.title == paper.title
            else:
                # feedparser reads an RSS title that looks like HTML (a <b> in it) as HTML,
                # which RSS 2.0 leaves open: it must at least be inert (the lxml check below
                # pins the text). Atom titles say type="text" and are always plain.
                assert parsed.version == "rss20", (path.name, item.title)
                assert live_markup(fragment(item.title), path.name) == []
            if parsed.version == "atom10":
                (content,) = item.content
                assert content.type == "text/plain" and content.value == paper.abstract
        for item in root.iter("item"):
            assert item.findtext("title") in titles
            description = fragment(item.findtext("description"))
            assert live_markup(description, path.name) == []
            assert len(description) == 0, etree.tostring(description)[:200]
            assert description.text_content() == by_key[item.findtext("guid")].abstract
    site_feed = parse_xml((hostile_site.site / "feed.xml").read_bytes())
    assert {t.text for t in site_feed.iter("title")} >= titles


def test_json_outputs_parse_and_carry_the_text_as_data(hostile_site, hostile_papers):
    """Cases 27, 30: digest.json and the JSON Feed hold titles, abstracts and authors as data."""
    site = hostile_site.site
    export = json.loads((site / "digest.json").read_bytes())
    assert len(export["papers"]) == len(hostile_papers)
    for record in export["papers"]:
        paper = hostile_papers[record["id"]]
        assert (record["title"], record["abstract"]) == (paper.title, paper.abstract)
        assert record["authors"] == [a.name for a in paper.authors]
    jsonfeed = json.loads((site / "feeds" / "feed.json").read_bytes())
    for item in jsonfeed["items"]:
        paper = hostile_papers[item["id"].removeprefix("urn:digest:paper:")]
        assert (item["title"], item["content_text"]) == (paper.title, paper.abstract)


def test_the_search_index_holds_the_text_as_data(hostile_site, hostile_papers):
    """Case 27: the search page shows a hit's title and date as text and links its ``href``
    (site_templates/theme/assets/digest.js): every record holds its paper's title exactly,
    its text, and a link into the site, never a script URL."""
    records = [r for found in search_records(hostile_site.site).values() for r in found]
    papers = [r for r in records if r["meta"]["kind"] == "paper"]
    assert len(papers) == len(hostile_papers)
    by_anchor = {str(paper_anchor(key)): paper for key, paper in hostile_papers.items()}
    for record in records:
        meta = record["meta"]
        href = urlsplit(meta["href"])
        assert not (href.scheme or href.netloc or href.path.startswith("/")), meta["href"]
        assert not posixpath.normpath(href.path).startswith(".."), meta["href"]
        assert squeezed(meta["href"]).startswith("themes/"), meta["href"]
        if meta["kind"] == "theme":
            continue
        paper = by_anchor[href.fragment]
        assert meta["title"] == paper.title
        assert flat(record["content"]).startswith(flat(paper.title))
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", meta["date"]), meta["date"]
    assert {r["meta"]["title"] for r in papers} == {p.title for p in hostile_papers.values()}
    text = " ".join(flat(r["content"]) for r in papers)
    for hostile in SHOWN:
        if any(hostile in f"{p.title} {p.abstract}" for p in hostile_papers.values()):
            assert flat(hostile) in text, hostile


def test_sitemap_and_opml_parse_with_site_links_only(hostile_site):
    """Cases 26, 30: the sitemaps and the OPML are well-formed and link only into the site."""
    site = hostile_site.site
    plain = (site / "sitemap.xml").read_bytes()
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == plain
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = parse_xml(plain).xpath("//s:loc/text()", namespaces=ns)
    assert locs and all(loc.startswith(SITE_URL) for loc in locs)
    opml = parse_xml((site / "feeds" / "feeds.opml").read_bytes())
    outlines = opml.findall("body/outline")
    assert outlines
    for outline in outlines:
        assert outline.get("xmlUrl").startswith(SITE_URL)
        assert outline.get("htmlUrl").startswith(SITE_URL)


def test_no_other_file_depends_on_the_input(hostile_site, seed_site):
    """Case 27: besides pages, feeds, JSON and sitemaps, the site is the theme's own files."""
    generated = (".html", ".xml", ".json", ".opml", ".gz")
    hostile, seed = tree_bytes(hostile_site.site), tree_bytes(seed_site.site)
    # The search index's records and word index (tested above); its code is Pagefind's own.
    index = re.compile(r"pagefind/[^/]+/(fragment/|index/|[^/]*\.pf_meta$)")
    static = {
        n: data for n, data in hostile.items() if not n.endswith(generated) and not index.match(n)
    }
    assert static
    assert {n: seed.get(n) for n in static} == static


def _front_matter(text: str) -> object:
    if not text.startswith("---\n"):
        return None
    head, sep, _ = text[4:].partition("\n---\n")
    assert sep, "front matter is not closed"
    return yaml.safe_load(head)


def test_front_matter_is_only_digest_s_own(hostile_site):
    """Case 28: no title or abstract opens, closes or adds to a page's YAML front matter."""
    allowed: Iterable[dict[str, object]] = ({"search": {"exclude": True}},)
    for name, data in tree_bytes(hostile_site.docs).items():
        if not name.endswith(".md"):
            continue
        front = _front_matter(data.decode("utf-8"))
        if front is None:
            continue
        assert front in allowed or set(front) == {"feed"}, (name, front)
        if isinstance(front, dict) and "feed" in front:
            assert re.fullmatch(r"feeds/themes/[a-z0-9-]+\.xml", front["feed"]), (name, front)

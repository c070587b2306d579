"""The built sites in a real browser: Debian's Chromium, headless, driven by Playwright.

Two sites, each built once by the real pipeline and served by ``digest serve`` itself (at
site_url's path, with its 404 page): the seed (195 papers, the largest theme page of the example)
and a small hostile one (``tests/data/hostile/`` plus papers with TeX titles, pre-encoded
entities, a long author list, arXiv dates and a code link whose query holds ``&``). Every test
watches its page: no console error, no uncaught exception, no failed request, no dialog (a
script that ran), and no request to any other host (the site works offline, on any static host).

Floors from issue 19, measured here: at 1280 px a card on a theme page is at most 320 px tall and
an issue page under 25,000 px; at 390 px (a phone) nothing is wider than the viewport and chart
labels are whole and at least 11 px. Screenshots land in ``tests/artifacts/`` (git-ignored).

Playwright's own browser download is never used: ``executable_path`` is /usr/bin/chromium
(CI installs Debian's ``chromium`` package).
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from digest.writers.paging import KEYWORD_LISTED
from tests.conftest import DATA, SITE_URL, TESTS, Site, build_site

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = TESTS / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BASE_PATH = urlsplit(SITE_URL).path
#: Paper hits the search page shows (digest.js).
SEARCH_SHOWN = 30
#: Papers of the hostile site beyond the corpus: TeX in a title, entities that must stay text,
#: an arXiv date, ten authors, and a code link whose query a browser would misread unescaped.
CODE_URL = "https://github.com/a/b?x=1&copy=2&lt=3"
TEX_TITLE = r"Rates of $O(\sqrt{n})$ for Sparse Attention in Transformer Models"
ENTITY_TITLE = "Entity Trap &lt;img src=x onerror=alert(7)&gt; for Graph Neural Networks"
ENTITY_TEXT = "&lt;script&gt;alert(8)&lt;/script&gt;"
EXTRA = [
    {
        "id": "2401.01234",
        "title": TEX_TITLE,
        "abstract": "Sparse attention lets transformer models read long documents with linear "
        r"memory. We prove a rate of $O(n^{-1/2})$ for sparse attention and evaluate transformer "
        f"models on long documents. Code at {CODE_URL} today.",
        "authors": [f"Author Number{i} Longname" for i in range(10)],
        "date": "2024-01-03",
    },
    {
        "id": "2401.05678",
        "title": ENTITY_TITLE,
        "abstract": "Graph neural networks predict molecular properties by message passing over "
        f"atoms and bonds. Entity trap {ENTITY_TEXT} and &lt;img src=x onerror=alert(9)&gt; in "
        "the abstract. Our graph neural network improves molecular property prediction.",
        "authors": ["Eve Entity"],
        "date": "2024-01-05",
    },
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason="needs Debian's chromium at /usr/bin/chromium"
)
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")


@dataclass(frozen=True)
class Served:
    """A built site served by ``digest serve``: its base URL and what it was built from."""

    url: str
    site: Site
    exported: dict

    def papers_by_title(self) -> dict[str, dict]:
        return {p["title"]: p for p in self.exported["papers"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def serve() -> Iterator[object]:
    """Return a function that runs ``digest serve`` on a built project and gives its URL."""
    running: list[subprocess.Popen[bytes]] = []

    def start(site: Site) -> Served:
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "digest", "serve", "--port", str(port)],
            cwd=site.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        running.append(process)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "digest serve exited"
                assert time.monotonic() < deadline, "digest serve did not start"
                time.sleep(0.05)
        exported = json.loads((site.site / "digest.json").read_bytes())
        return Served(f"http://127.0.0.1:{port}{BASE_PATH}", site, exported)

    yield start
    for process in running:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def seed(serve, seed_site) -> Served:
    return serve(seed_site)


@pytest.fixture(scope="module")
def hostile(serve, tmp_path_factory) -> Served:
    root = tmp_path_factory.mktemp("browser-hostile")
    extra = root / "extra.jsonl"
    extra.write_text("".join(json.dumps(r) + "\n" for r in EXTRA), encoding="utf-8")
    inputs = [DATA / "hostile" / "daily_papers.json", DATA / "hostile" / "papers.jsonl", extra]
    return serve(build_site(root, inputs))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with everything that went wrong on it recorded."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.problems: list[str] = []
        #: Responses of 400 and more that a test asked for (the 404 page).
        self.expected: set[str] = set()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("dialog", self._dialog)
        page.on("requestfailed", self._failed)
        page.on("request", self._request)
        page.on("response", self._response)

    def _console(self, message: object) -> None:
        # The 404 page's own load is logged as a console error by Chromium.
        if message.type == "error" and "404" not in message.text:
            self.problems.append(f"console error: {message.text}")

    def _dialog(self, dialog: object) -> None:
        self.problems.append(f"a script ran: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    def _failed(self, request: object) -> None:
        # A navigation cancels what the page was still loading (the favicon, say): ERR_ABORTED
        # is the browser moving on, not a failure of the site.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.url} {request.failure}")

    def _request(self, request: object) -> None:
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if urlsplit(request.url).hostname != "127.0.0.1":
            self.problems.append(f"request to another host: {request.url}")

    def _response(self, response: object) -> None:
        if response.status >= 400 and response.url not in self.expected:
            self.problems.append(f"HTTP {response.status}: {response.url}")


def _page(browser: object, viewport: dict[str, int], scheme: str = "light") -> Iterator[Watched]:
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    # Anything but the local server is refused outright, so a stray fetch fails loudly.
    context.route(
        lambda url: urlsplit(url).hostname not in ("127.0.0.1", None),
        lambda route: route.abort(),
    )
    watched = Watched(context.new_page())
    yield watched
    context.close()
    assert not watched.problems, "\n".join(watched.problems)


@pytest.fixture
def page(browser) -> Iterator[Watched]:
    yield from _page(browser, DESKTOP)


@pytest.fixture
def phone(browser) -> Iterator[Watched]:
    yield from _page(browser, PHONE)


def _screenshot(p: object, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def _math_done(p: object) -> None:
    p.wait_for_function("document.querySelectorAll('.arithmatex:not([data-rendered])').length == 0")


def _themes_by_size(served: Served) -> list[dict]:
    return sorted(served.exported["themes"], key=lambda t: (-len(t["papers"]), t["slug"]))


def _card_of(served: Served, title: str) -> str:
    """Return the URL of a paper's card (its theme page part and anchor) from its search record."""
    paper = served.papers_by_title()[title]
    page = served.site.site / "themes"
    for path in sorted(page.rglob("index.html")):
        if f'id="p-{_anchor(paper["id"])}"' in path.read_text(encoding="utf-8"):
            relative = path.parent.relative_to(served.site.site).as_posix()
            return f"{served.url}{relative}/#p-{_anchor(paper['id'])}"
    raise AssertionError(f"no card for {title!r}")


def _anchor(key: str) -> str:
    from digest.writers.paging import paper_anchor

    return str(paper_anchor(key)).removeprefix("p-")


# --- cards ---------------------------------------------------------------------------------

CARD_BOXES = """els => els.map(card => {
  const box = el => el ? el.getBoundingClientRect().height : 0;
  const line = el => parseFloat(getComputedStyle(el).lineHeight);
  const meta = card.querySelector('.dg-card__meta');
  const summary = card.querySelector('.dg-card__abstract > summary');
  const links = card.querySelector('.dg-card__links');
  return {
    id: card.id,
    height: box(card),
    metaLines: box(meta) / line(meta),
    teaserLines: box(summary) / line(summary),
    linkLines: links ? box(links) / line(links) : 0,
    chips: card.querySelectorAll('.dg-chip').length,
  };
})"""


def test_cards_on_every_theme_page_are_compact_at_1280(page, seed):
    """Title, one line of meta, a few chips, a two-line teaser, one row of links: <= 320 px."""
    p = page.page
    tallest = 0.0
    for theme in _themes_by_size(seed):
        p.goto(f"{seed.url}themes/{theme['slug']}/")
        cards = p.locator("article.dg-card").evaluate_all(CARD_BOXES)
        assert len(cards) == min(len(theme["papers"]), 50), theme["slug"]
        for card in cards:
            assert card["height"] <= 320, card
            assert round(card["metaLines"]) == 1, card
            assert round(card["teaserLines"]) == 2, card
            assert round(card["linkLines"]) == 1, card
            assert 1 <= card["chips"] <= 4, card
        tallest = max(tallest, *(c["height"] for c in cards))
        if theme is _themes_by_size(seed)[0]:
            _screenshot(p, "theme.png")
    print(f"tallest card at 1280 px: {tallest:.0f} px")


def test_cards_keep_one_line_of_meta_and_one_row_of_links_on_a_phone(phone, hostile):
    """The hostile papers have long titles, many authors and code links, and upvotes."""
    p = phone.page
    for theme in _themes_by_size(hostile):
        p.goto(f"{hostile.url}themes/{theme['slug']}/")
        for card in p.locator("article.dg-card").evaluate_all(CARD_BOXES):
            assert round(card["metaLines"]) == 1, card
            assert round(card["teaserLines"]) == 2, card
            assert round(card["linkLines"]) == 1, card


def test_issue_pages_are_under_25000_px(page, seed):
    p = page.page
    issues = sorted((seed.site.site / "issues").glob("*/index.html"))
    assert issues
    for path in issues:
        p.goto(f"{seed.url}issues/{path.parent.name}/")
        height = p.evaluate("document.documentElement.scrollHeight")
        assert height < 25_000, (path.parent.name, height)
        print(f"issues/{path.parent.name}/: {height} px")


def test_the_keyword_index_is_under_15000_px_and_lists_shared_keywords(page, seed):
    p = page.page
    p.goto(f"{seed.url}keywords/")
    height = p.evaluate("document.documentElement.scrollHeight")
    assert height < 15_000, height
    print(f"keywords/: {height} px")
    counts = p.locator(".dg-kw__count").all_inner_texts()
    assert counts and all(int(c) >= 2 for c in counts)


def test_a_card_shows_arxiv_date_authors_on_one_line_and_escaped_links(page, hostile):
    p = page.page
    p.goto(_card_of(hostile, TEX_TITLE))
    # Cards list related papers by title too: find the card by its own title.
    title = p.locator(".dg-card__title", has_text="Sparse Attention in Transformer Models")
    card = p.locator("article.dg-card", has=title)
    # arXiv's date, unlabelled; the first-seen day is only a labelled fallback (seed cards).
    assert card.locator(".dg-card__date").inner_text() == "2024-01-03"
    authors = card.locator(".dg-card__authors")
    assert "Author Number0 Longname" in authors.inner_text()
    assert authors.evaluate("e => e.scrollWidth > e.clientWidth")  # cut with an ellipsis
    assert authors.evaluate("e => getComputedStyle(e).textOverflow") == "ellipsis"
    hrefs = dict(
        zip(
            card.locator(".dg-card__links a").all_inner_texts(),
            card.locator(".dg-card__links a").evaluate_all("as => as.map(a => a.href)"),
            strict=True,
        )
    )
    assert hrefs == {
        "arXiv": "https://arxiv.org/abs/2401.01234",
        "PDF": "https://arxiv.org/pdf/2401.01234",
        "Code": CODE_URL,
    }


def test_seed_cards_label_the_first_seen_day(page, seed):
    p = page.page
    p.goto(f"{seed.url}themes/{_themes_by_size(seed)[0]['slug']}/")
    assert p.locator(".dg-card__date").first.inner_text() == "first seen 2023-11-14"


def test_the_teaser_opens_to_the_whole_abstract_in_place(page, seed):
    p = page.page
    theme = _themes_by_size(seed)[0]
    p.goto(f"{seed.url}themes/{theme['slug']}/")
    card = p.locator("article.dg-card").nth(1)
    summary = card.locator(".dg-card__abstract > summary")
    before = summary.bounding_box()
    url = p.url
    summary.click()
    assert card.locator("details.dg-card__abstract").evaluate("d => d.open")
    after = summary.bounding_box()
    assert after["y"] == before["y"] and after["height"] > 2 * before["height"]
    assert p.url == url
    title = card.locator(".dg-card__title").inner_text()
    abstract = " ".join(seed.papers_by_title()[title]["abstract"].split())
    assert " ".join(summary.inner_text().split()) == abstract
    summary.click()
    assert summary.bounding_box()["height"] == before["height"]


def test_keyword_chips_link_to_the_index_only_when_listed_there(page, seed):
    keywords = (seed.site.site / "keywords" / "index.html").read_text(encoding="utf-8")
    listed = set(re.findall(r'<details class="dg-kw" id="([^"]+)"', keywords))
    p = page.page
    p.goto(f"{seed.url}themes/{_themes_by_size(seed)[0]['slug']}/")
    linked = p.locator("a.dg-chip").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    plain = p.locator("span.dg-chip").all_inner_texts()
    assert linked and plain
    for href in linked:
        path, anchor = href.split("#")
        assert path == "../../keywords/" and anchor in listed, href
    listed_texts = set(
        re.findall(r'<details class="dg-kw" id="[^"]+"><summary>([^<]+) <', keywords)
    )
    assert not {t.strip() for t in plain} & listed_texts
    p.locator("a.dg-chip").first.click()
    p.wait_for_url(f"**/keywords/#{linked[0].split('#')[1]}")
    assert p.locator(f"details#{linked[0].split('#')[1]}").evaluate("d => d.open")


def test_a_keyword_of_many_papers_lists_the_latest_and_searches_for_the_rest(page, seed):
    """A keyword of more papers than the index lists links the search page for its words:
    clicked, the search finds every paper of the keyword (when they fit on its page of hits)."""
    digest = seed.site.result.digest
    many = [kw for kw in digest.keyword_index if len(kw.paper_keys) > KEYWORD_LISTED]
    assert many
    p = page.page
    for kw in many:
        p.goto(f"{seed.url}keywords/#{kw.slug}")
        row = p.locator(f"details#{kw.slug}")
        assert row.evaluate("d => d.open")
        assert row.locator("li:not(.dg-kw__more) a").count() == KEYWORD_LISTED
        row.locator("li.dg-kw__more a").click()
        p.wait_for_function("document.querySelector('.dg-search')?.dataset.query")
        p.wait_for_load_state("load")
        found = p.locator(".dg-hit--paper .dg-hit__title").all_inner_texts()
        titles = {" ".join(digest.by_key[k].paper.title.split()) for k in kw.paper_keys}
        if len(titles) < SEARCH_SHOWN:
            assert titles <= set(found), (kw.text, titles - set(found))
        else:  # the keyword's papers come first (search.py weighs keywords), most of a page
            assert sum(t in titles for t in found) >= SEARCH_SHOWN // 2, kw.text


# --- hostile text, TeX ---------------------------------------------------------------------


def test_tex_in_titles_is_typeset_and_markup_in_titles_stays_text(page, hostile):
    p = page.page
    shown_texts = []
    for theme in hostile.exported["themes"]:
        p.goto(f"{hostile.url}themes/{theme['slug']}/")
        _math_done(p)
        shown_texts.append(p.locator("article.md-content__inner").inner_text())
        hrefs = p.locator("article.dg-card a").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))"
        )
        for href in hrefs:
            scheme = urlsplit(href).scheme
            assert scheme in ("", "http", "https"), href
        # Nothing from a paper became an element: only the card's own and KaTeX's.
        tags = p.locator("article.dg-card *").evaluate_all(
            "els => [...new Set(els.filter(e => !e.closest('.katex')).map(e => e.localName))]"
        )
        allowed = {"h3", "a", "p", "span", "time", "details", "summary", "ol", "li"}
        assert set(tags) <= allowed, tags
    text = "\n".join(shown_texts)
    assert "<script>alert(1)</script> Sparse Attention" in text
    assert ENTITY_TITLE in text and ENTITY_TEXT in text
    assert "[x](javascript:alert(1)) No Id Diffusion Models" in text
    p.goto(_card_of(hostile, TEX_TITLE))
    _math_done(p)
    title = p.locator(".dg-card__title", has_text="Sparse Attention in Transformer Models")
    assert title.locator(".katex").count() == 1
    assert title.locator(".katex-error").count() == 0
    _screenshot(p, "math-title.png")


# --- search --------------------------------------------------------------------------------


def _search(p: object, served: Served, query: str) -> list[dict]:
    """Open the search page for ``query``; return its hits (kind, title, href, snippet)."""
    p.goto(f"{served.url}search/?q={quote(query)}")
    p.wait_for_function("q => document.querySelector('.dg-search').dataset.query === q", arg=query)
    return p.locator(".dg-hit").evaluate_all(
        """items => items.map(li => ({
          kind: li.classList.contains('dg-hit--paper') ? 'paper' : 'theme',
          title: li.querySelector('.dg-hit__title').textContent,
          href: li.querySelector('.dg-hit__title').href,
          snippet: li.querySelector('.dg-hit__excerpt')?.textContent ?? '',
          marks: [...(li.querySelector('.dg-hit__excerpt')?.querySelectorAll('mark') ?? [])]
            .map(m => m.textContent),
          elements: [...(li.querySelector('.dg-hit__excerpt')?.querySelectorAll('*') ?? [])]
            .map(e => e.tagName.toLowerCase()),
        }))"""
    )


def _snippet_in_abstract(hit: dict, served: Served) -> None:
    abstract = " ".join(served.papers_by_title()[hit["title"]]["abstract"].split())
    snippet = hit["snippet"].removeprefix("… ").removesuffix(" …").rstrip(".")
    assert snippet and snippet in abstract, (hit["title"], snippet)
    assert set(hit["elements"]) <= {"mark"}, hit


def test_search_finds_papers_for_the_largest_themes_names(page, seed):
    p = page.page
    for theme in _themes_by_size(seed)[:5]:
        hits = _search(p, seed, theme["name"])
        assert hits and hits[0]["kind"] == "paper", (theme["name"], hits[:3])
        papers = [h for h in hits if h["kind"] == "paper"]
        assert len({h["href"] for h in papers}) == len(papers)  # one hit per paper
        for hit in papers:
            _snippet_in_abstract(hit, seed)
        assert any(h["marks"] for h in papers), theme["name"]
    _screenshot(p, "search.png")


def test_a_title_finds_its_paper_first(page, seed):
    p = page.page
    for theme in _themes_by_size(seed)[:3]:
        paper = next(x for x in seed.exported["papers"] if x["id"] == theme["papers"][0])
        hits = _search(p, seed, paper["title"])
        assert hits[0]["title"] == paper["title"], [h["title"] for h in hits[:3]]
    p.locator(".dg-hit__title").first.click()
    p.wait_for_load_state("load")
    anchor = urlsplit(p.url).fragment
    assert p.locator(f"#{anchor} .dg-card__title").inner_text() == hits[0]["title"]


def test_the_header_box_opens_the_search_page(page, seed):
    p = page.page
    p.goto(seed.url)
    p.locator(".dg-header-search input").fill("diffusion")
    p.locator(".dg-header-search input").press("Enter")
    p.wait_for_function("document.querySelector('.dg-search')?.dataset.query === 'diffusion'")
    assert p.locator(".dg-hit--paper").count() > 0


def test_search_shows_hostile_text_as_text(page, hostile):
    p = page.page
    hits = _search(p, hostile, "entity trap")
    assert hits[0]["title"] == ENTITY_TITLE
    assert ENTITY_TEXT in hits[0]["snippet"] and hits[0]["marks"] == ["Entity", "trap"]
    _snippet_in_abstract(hits[0], hostile)
    for query in ("script", "onerror", "javascript"):
        for hit in _search(p, hostile, query):
            if hit["kind"] == "paper":
                _snippet_in_abstract(hit, hostile)


# --- phones, charts, 404, dark mode -------------------------------------------------------

#: The rightmost edge a reader can see: a box's right edge, cut by every ancestor that clips
#: (KaTeX draws stretchy symbols as very wide SVGs inside boxes that hide the overflow).
WIDEST = """() => {
  const clips = el => getComputedStyle(el).overflowX !== 'visible';
  let right = 0, what = '';
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= right) continue;
    let edge = box.right;
    for (let up = el.parentElement; up && edge > innerWidth; up = up.parentElement) {
      if (clips(up)) edge = Math.min(edge, up.getBoundingClientRect().right);
    }
    if (edge > right) { right = edge; what = el.localName + '.' + el.getAttribute('class'); }
  }
  return {scroll: document.documentElement.scrollWidth, right, what};
}"""


def _phone_pages(served: Served) -> list[str]:
    largest = _themes_by_size(served)[0]["slug"]
    issue = sorted(p.parent.name for p in (served.site.site / "issues").glob("*/index.html"))[0]
    return [
        "",
        f"themes/{largest}/",
        f"issues/{issue}/",
        "themes/",
        "keywords/",
        "issues/",
        "rising/",
        "feeds/",
        "search/?q=model",
        "no/such/page/",
    ]


@pytest.mark.parametrize("name", ["seed", "hostile"])
def test_nothing_is_wider_than_a_phone(phone, name, request):
    served = request.getfixturevalue(name)
    p = phone.page
    phone.expected.add(f"{served.url}no/such/page/")
    for path in _phone_pages(served):
        p.goto(served.url + path)
        if path.startswith("search/"):
            p.wait_for_function("document.querySelector('.dg-search').dataset.query")
        _math_done(p)
        widest = p.evaluate(WIDEST)
        assert widest["scroll"] <= PHONE["width"], (path, widest)
        assert widest["right"] <= PHONE["width"] + 0.5, (path, widest)
    print(f"{name}: widest element at 390 px: {widest['right']:.0f} px")


def test_chart_labels_are_whole_and_legible_on_a_phone(phone, seed):
    p = phone.page
    p.goto(f"{seed.url}themes/")
    _screenshot(p, "themes-phone.png", full_page=True)
    labels = p.locator(".dg-bars__label, .dg-bars__value, .dg-near__theme, .dg-near__link")
    found = labels.evaluate_all(
        """els => els.map(e => ({
          text: e.textContent,
          clipped: e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1,
          size: parseFloat(getComputedStyle(e).fontSize),
          right: e.getBoundingClientRect().right,
        }))"""
    )
    names = {t["name"] for t in seed.exported["themes"]}
    assert names <= {f["text"].strip() for f in found}
    for label in found:
        assert not label["clipped"] and label["size"] >= 11, label
        assert label["right"] <= PHONE["width"], label


def test_digest_serve_answers_a_missing_page_with_the_sites_404(page, seed):
    p = page.page
    missing = f"{seed.url}no/such/page/"
    page.expected.add(missing)
    response = p.goto(missing)
    assert response.status == 404
    assert p.locator("article h1").inner_text() == "Page not found (404)"
    ways = p.locator(".dg-notfound a").evaluate_all("as => as.map(a => a.href)")
    assert ways == [seed.url, f"{seed.url}search/", f"{seed.url}themes/"]
    # The site's own page, styled: its header, tabs and stylesheet came from the site's path.
    assert p.locator(".md-header .dg-header-search").is_visible()
    assert p.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in (
        "sticky",
        "fixed",
    )
    p.locator(".md-tabs__link", has_text="Themes").click()
    p.wait_for_url(f"{seed.url}themes/")


def test_dark_mode_toggle_switches_and_persists(page, seed):
    p = page.page
    p.goto(f"{seed.url}themes/")
    body = p.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    light = p.evaluate("getComputedStyle(document.body).backgroundColor")
    p.locator("label.md-header__button[for='__palette_1']").click()
    p.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    _screenshot(p, "themes-dark.png")
    dark = p.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light
    p.goto(f"{seed.url}themes/{_themes_by_size(seed)[0]['slug']}/")
    assert body.get_attribute("data-md-color-scheme") == "slate"
    p.reload()
    assert body.get_attribute("data-md-color-scheme") == "slate"


def test_feed_links_in_the_head_resolve(page, seed):
    p = page.page
    p.goto(seed.url)
    _screenshot(p, "home.png")
    tabs = [t.strip() for t in p.locator(".md-tabs__link").all_inner_texts()]
    assert tabs == ["Latest", "Themes", "Issues", "Keywords", "Rising", "Feeds"]
    # digest.js renames the feed links "alternate feed" in the live DOM (see there); the HTML
    # that feed readers fetch keeps rel="alternate".
    link = p.locator('head link[rel~=alternate][type="application/rss+xml"]').first
    assert link.get_attribute("href") == "feed.xml"
    assert '<link rel="alternate" type="application/rss+xml"' in p.request.get(seed.url).text()
    response = p.request.get(seed.url + "feed.xml")
    assert response.ok and response.body().startswith(b"<?xml")
    p.goto(seed.url + "feeds/")
    assert f"{SITE_URL}feed.xml" in p.locator("article").inner_text()

"""The built seed site in a real browser: Debian's Chromium, headless, driven by Playwright.

The site is served from 127.0.0.1 by http.server in a thread. Every test watches the page: no
console error, no uncaught exception, no failed request, and no request to any other host (the
site must work offline, on any static host). Screenshots of the home, a theme page and the
rising page land in ``tests/artifacts/`` (git-ignored) for people to look at.

Playwright's own browser download is never used: ``executable_path`` is /usr/bin/chromium
(CI installs Debian's ``chromium`` package).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import TESTS, build_site, seed_pairs, write_listing

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
SEARCHED = "Diffusion Models are Minimax Optimal Distribution Estimators"
SOUND = r" We prove a rate of $O(n^{-1/2})$ when \(x<y\) and $\sum_i w_i = 1$."
BROKEN = r" Broken: $\frac{a$ and $x^2^3$ stay."

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason="needs Debian's chromium at /usr/bin/chromium"
)
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def serve() -> Iterator[object]:
    """Return a function that serves a folder on 127.0.0.1 and gives its base URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(root: Path) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def base_url(serve, seed_site) -> str:
    return serve(seed_site.site)


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
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("request", self._request)
        page.on("response", self._response)

    def _console(self, message: object) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _failed(self, request: object) -> None:
        # A navigation cancels what the page was still loading (the favicon, say): ERR_ABORTED
        # is the browser moving on, not a failure of the site.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.url} {request.failure}")

    def _request(self, request: object) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host != "127.0.0.1":
            self.problems.append(f"request to another host: {request.url}")

    def _response(self, response: object) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")


@pytest.fixture
def page(browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    # Anything but the local server is refused outright, so a stray fetch fails loudly.
    context.route(
        lambda url: urlsplit(url).hostname not in ("127.0.0.1", None),
        lambda route: route.abort(),
    )
    watched = Watched(context.new_page())
    yield watched
    context.close()
    assert not watched.problems, "\n".join(watched.problems)


def _screenshot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def test_nav_leads_to_a_theme_page_and_a_papers_anchor(page, base_url):
    p = page.page
    p.goto(base_url)
    _screenshot(p, "home.png")
    tabs = [t.strip() for t in p.locator(".md-tabs__link").all_inner_texts()]
    assert tabs == ["Latest", "Themes", "Issues", "Keywords", "Rising", "Feeds"]
    p.locator(".md-tabs__link", has_text="Themes").click()
    p.wait_for_url(base_url + "themes/")
    assert p.locator("svg.dg-chart[role=img]").count() == 2
    theme = p.locator("article li a").first
    name = theme.inner_text()
    theme.click()
    p.wait_for_load_state("load")
    assert p.locator("article h1").first.inner_text().rstrip("¶") == name
    _screenshot(p, "theme.png")
    card = p.locator("article h3").nth(2)
    anchor = card.get_attribute("id")
    assert anchor and anchor.startswith("p-")
    p.locator(f'.md-nav--secondary a[href="#{anchor}"]').click()
    p.wait_for_url(f"**#{anchor}")
    assert card.is_visible() and _in_viewport(p, f"#{anchor}")


def test_a_deep_link_from_the_home_page_lands_on_the_card(page, base_url):
    p = page.page
    p.goto(base_url)
    link = p.locator('article a[href*="#p-"]').first
    title = link.inner_text()
    link.click()
    p.wait_for_load_state("load")
    anchor = urlsplit(p.url).fragment
    assert p.locator(f"#{anchor}").inner_text().startswith(title)
    assert _in_viewport(p, f"#{anchor}")


def _in_viewport(p: object, selector: str) -> bool:
    box = p.locator(selector).bounding_box()
    return box is not None and 0 <= box["y"] < p.viewport_size["height"]


def test_search_finds_a_seed_title_first(page, base_url):
    p = page.page
    p.goto(base_url)
    p.locator("label.md-search__icon, .md-search__input").first.click()
    # Material says "Initializing search" until its worker has loaded the index.
    p.wait_for_function(
        "document.querySelector('.md-search-result__meta').textContent.includes('Type to start')"
    )
    p.locator("input.md-search__input").press_sequentially(SEARCHED, delay=5)
    first = p.locator(".md-search-result__item").first
    first.wait_for(timeout=20_000)
    # Results are grouped by page: the page's own entry, then its best sections.
    best = first.locator("a.md-search-result__link[href*='#p-']").first
    assert best.locator("h2").inner_text() == SEARCHED
    scores = p.locator(".md-search-result__article").evaluate_all(
        "els => els.map(e => parseFloat(e.dataset.mdScore))"
    )
    assert float(best.locator("article").get_attribute("data-md-score")) == max(scores)


def test_dark_mode_toggle_switches_and_persists(page, base_url):
    p = page.page
    p.goto(base_url + "themes/")
    body = p.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    p.locator("label.md-header__button[for='__palette_1']").click()
    p.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    _screenshot(p, "themes-dark.png")
    # The chart text follows the scheme: light text on the dark background.
    fill = p.evaluate("getComputedStyle(document.querySelector('svg.dg-chart .dg-label')).fill")
    assert fill != "rgb(0, 0, 0)"
    p.reload()
    assert body.get_attribute("data-md-color-scheme") == "slate"


def test_feed_links_in_the_head_resolve(page, base_url):
    p = page.page
    p.goto(base_url)
    # digest.js renames the feed links "alternate feed" in the live DOM (see there); the HTML
    # that feed readers fetch keeps rel="alternate".
    link = p.locator('head link[rel~=alternate][type="application/rss+xml"]').first
    href = link.get_attribute("href")
    assert href == "feed.xml"
    assert '<link rel="alternate" type="application/rss+xml"' in p.request.get(base_url).text()
    response = p.request.get(base_url + href)
    assert response.ok and response.body().startswith(b"<?xml")
    p.goto(base_url + "feeds/")
    assert "https://example.org/digest/feed.xml" in p.locator("article").inner_text()


def test_rising_page_explains_its_empty_state(page, base_url):
    p = page.page
    p.goto(base_url + "rising/")
    assert "Nothing is rising yet" in p.locator("article").inner_text()
    _screenshot(p, "rising.png")


@pytest.fixture(scope="module")
def math_site(serve, tmp_path_factory) -> tuple[str, Path]:
    """Twelve seed papers; one abstract with sound math, one with broken LaTeX."""
    root = tmp_path_factory.mktemp("browser-math")
    pairs = seed_pairs()[:12]
    pairs[0] = (pairs[0][0], pairs[0][1][:200] + SOUND)
    pairs[1] = (pairs[1][0], pairs[1][1][:200] + BROKEN)
    site = build_site(root, [write_listing(root / "math.txt", pairs)]).site
    return serve(site), site


def test_math_renders_from_the_site_itself(page, math_site):
    url, site = math_site
    p = page.page
    exported = json.loads((site / "digest.json").read_bytes())
    rendered = errors = 0
    text = ""
    for theme in exported["themes"]:
        p.goto(f"{url}themes/{theme['slug']}/")
        p.wait_for_function(
            "document.querySelectorAll('.arithmatex:not([data-rendered])').length == 0"
        )
        rendered += p.locator(".arithmatex .katex").count()
        errors += p.locator(".arithmatex .katex-error").count()
        text += p.locator("article").inner_text()
        if p.locator(".arithmatex").count():
            _screenshot(p, "math.png")
    # Three sound formulas typeset; invalid TeX shown in place as KaTeX's error text;
    # unbalanced LaTeX never became math and reads as it was written.
    assert (rendered, errors) == (3, 1)
    assert r"Broken: $\frac{a$ and" in text

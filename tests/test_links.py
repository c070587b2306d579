"""Every internal link of the built site resolves: to a file, and to an id in that file.

The oracle is the built HTML parsed back: each ``href`` and ``src`` that stays on the site
(relative, or absolute under site_url's path, as on the 404 page) names a file or a folder with
an ``index.html``, and its ``#fragment`` is an element id of the target page. The raw SVG links
of the charts, which MkDocs never rewrites, are checked like the rest.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from digest.model import RisingTopic
from tests.conftest import SITE_URL, build_site, seed_pairs, write_listing
from tests.search_records import search_records

SITE_PATH = urlsplit(SITE_URL).path
LINK_ATTRIBUTES = ("href", "src", "{http://www.w3.org/1999/xlink}href", "xlink:href")


class SiteLinks:
    """A built site's pages, their ids, and the internal links found in them."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
        self._ids: dict[str, frozenset[str]] = {}

    def ids(self, page: str) -> frozenset[str]:
        if page not in self._ids:
            tree = lxml.html.document_fromstring((self.site / page).read_bytes())
            self._ids[page] = frozenset(
                [el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")]
                + [a.get("name") for a in tree.iter("a") if a.get("name")]
            )
        return self._ids[page]

    def links(self, page: str) -> list[str]:
        tree = lxml.html.document_fromstring((self.site / page).read_bytes())
        found = []
        for el in tree.iter():
            if not isinstance(el.tag, str):
                continue
            for name in LINK_ATTRIBUTES:
                value = el.get(name)
                if value is not None:
                    found.append(value.strip())
        return found

    def resolve(self, page: str, link: str) -> tuple[str | None, str]:
        """Return the site file a link names (None if it leaves the site) and its fragment."""
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            return None, ""
        path = unquote(parts.path)
        if not path:
            target = page
        elif path.startswith("/"):
            assert path.startswith(SITE_PATH), f"{page}: absolute link outside the site: {link}"
            target = path[len(SITE_PATH) :]
        else:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
        assert not target.startswith(".."), f"{page}: link climbs out of the site: {link}"
        if target in ("", ".") or (self.site / target).is_dir():
            target = posixpath.join(target, "index.html").removeprefix("./")
        return target, unquote(parts.fragment)


@pytest.fixture(scope="module")
def math_site(tmp_path_factory):
    """The seed's first papers, one abstract with sound math and one with broken LaTeX."""
    root = tmp_path_factory.mktemp("math-links")
    pairs = seed_pairs()[:14]
    pairs[0] = (
        pairs[0][0],
        pairs[0][1] + r" The bound is $O(n^{1/2})$ for \(x<y\) and $\frac{1}{2}$.",
    )
    pairs[1] = (pairs[1][0], pairs[1][1] + r" Broken: $\frac{a$ and $$ and \( x.")
    return build_site(root, [write_listing(root / "math.txt", pairs)])


def check_site(site: Path) -> int:
    links = SiteLinks(site)
    assert "index.html" in links.pages and len(links.pages) > 5
    checked = 0
    for page in links.pages:
        for link in links.links(page):
            if link.startswith(("mailto:", "data:")):
                continue
            target, fragment = links.resolve(page, link)
            if target is None:
                continue
            assert (site / target).is_file(), f"{page}: {link} -> {target} does not exist"
            if fragment and target.endswith(".html"):
                assert fragment in links.ids(target), f"{page}: {link}: no id {fragment!r}"
            checked += 1
    return checked


def test_every_internal_link_of_the_seed_site_resolves(seed_site):
    assert check_site(seed_site.site) > 1000


def test_every_internal_link_of_a_site_with_math_resolves(math_site):
    check_site(math_site.site)


def test_every_search_result_links_to_its_card_or_theme(seed_site):
    """The search page links each hit to ``meta.href``, relative to the site's root."""
    links = SiteLinks(seed_site.site)
    records = [r for found in search_records(seed_site.site).values() for r in found]
    exported = json.loads((seed_site.site / "digest.json").read_bytes())
    assert len(records) == len(exported["papers"]) + len(exported["themes"])
    for record in records:
        href = record["meta"]["href"]
        target, fragment = links.resolve("index.html", href)
        assert target is not None and (seed_site.site / target).is_file(), href
        if record["meta"]["kind"] == "paper":
            assert fragment in links.ids(target), href
        else:
            assert record["meta"]["kind"] == "theme" and not fragment, href


def test_theme_page_links_reach_every_paper_card(seed_site):
    """Deep links from the home page, the keyword index and the charts land on a card."""
    links = SiteLinks(seed_site.site)
    anchors = set()
    for page in ("index.html", "keywords/index.html", "themes/index.html"):
        for link in links.links(page):
            target, fragment = links.resolve(page, link)
            if target and target.startswith("themes/") and fragment.startswith("p-"):
                anchors.add((target, fragment))
    assert len(anchors) >= 100
    themes_page = lxml.html.document_fromstring(
        (seed_site.site / "themes" / "index.html").read_bytes()
    )
    exported = json.loads((seed_site.site / "digest.json").read_bytes())
    # The sizes link every theme page, in the digest's order; the nearest-themes list names
    # every theme that shares something with another.
    (bars,) = themes_page.find_class("dg-bars")
    assert [a.get("href") for a in bars.iter("a")] == [f"{t['slug']}/" for t in exported["themes"]]
    (near,) = themes_page.find_class("dg-near")
    listed = {a.get("href") for a in near.find_class("dg-near__theme")}
    assert len(listed) >= len(exported["themes"]) - 1


def test_rising_links_resolve(tmp_path, seed_site, monkeypatch):
    """A hand-made rising list (until the computation lands) renders links that resolve."""
    from digest import gather

    real_gather = gather.gather

    def with_rising(*args, **kwargs):
        gathered = real_gather(*args, **kwargs)
        digest = gathered.digest
        # A keyword of the index (shared by papers), linked from the rising page.
        keyword = digest.keyword_index[0]
        topic = RisingTopic(
            keyword.key, keyword.text, 3, 1, 0.3, 0.01, 5.0, (0, 1, 0, 2, 3), keyword.paper_keys
        )
        return replace(gathered, digest=replace(digest, rising=(topic,)))

    monkeypatch.setattr(gather, "gather", with_rising)
    built = build_site(tmp_path, [write_listing(tmp_path / "s.txt", seed_pairs()[:30])])
    rising = (built.site / "rising" / "index.html").read_text(encoding="utf-8")
    assert "../keywords/#kw-" in rising
    assert "<svg" in rising and "Nothing is rising yet" not in rising
    check_site(built.site)


def test_every_page_carries_only_the_small_nav(seed_site):
    """Theme and issue pages are not in the nav: a page's nav is the six tabs' pages."""
    links = SiteLinks(seed_site.site)
    exported = json.loads((seed_site.site / "digest.json").read_bytes())
    theme_pages = {f"themes/{t['slug']}/index.html" for t in exported["themes"]}
    for page in links.pages:
        tree = lxml.html.document_fromstring((seed_site.site / page).read_bytes())
        nav = tree.find_class("md-nav--primary")
        if not nav:
            continue
        # The nav's own pages; "#..." links are the current page's contents (for small screens).
        hrefs = {a.get("href") for a in nav[0].iter("a") if not a.get("href").startswith("#")}
        assert len(hrefs) <= 6, (page, sorted(hrefs))
        tabs = [a.text_content().strip() for a in tree.find_class("md-tabs__link")]
        assert tabs == ["Latest", "Themes", "Issues", "Keywords", "Rising", "Feeds"], page
    assert theme_pages <= set(links.pages)

"""Where each paper's card lives: theme and issue pages are cut into parts of bounded size.

A page's cost to render grows faster than its length (Python-Markdown re-reads the rest of the
page at the end of every raw HTML block), and a reader's browser struggles with a page of
thousands of cards: a 10,000-paper backfill made one 28 MB issue page that took MkDocs five
minutes. So no page holds more than :data:`THEME_PART` (themes) or :data:`ISSUE_PART`
(issues) cards. Part 1 keeps the page's old path (``themes/<slug>.md``), part *n* is
``themes/<slug>.part<n>.md``. A theme's parts follow its paper order, and a daily build
appends new papers to a theme (see ``themes.group``), so only its last part changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

from markupsafe import Markup

from digest.model import Digest, KeywordSlug
from digest.slugs import slugify

#: Cards on one part of a theme page.
THEME_PART = 50
#: Cards on one part of an issue page (an ordinary day fits on one).
ISSUE_PART = 100
#: Paper links beyond which the keyword index is cut into a page per initial (about 1 MB of
#: HTML). A 10,000-paper index on one page was 12 MB: MkDocs converted it on one core for 3 s
#: while the build's other pages were long done, and a browser struggles to open it.
KEYWORD_PART = 10_000
#: The keyword index, or the page linking its parts once it is cut.
KEYWORD_INDEX = "keywords.md"
#: Papers a keyword lists on the index, newest first; one of more links a search for its words.
KEYWORD_LISTED = 5
#: The search page (``site_templates/search.md.j2``).
SEARCH_PAGE = "search.md"
#: How far theme and issue pages (``themes/<slug>/``) are from the site's root.
UP = "../../"

T = TypeVar("T")


def part_path(first: str, part: int) -> str:
    """Return the docs path of part ``part`` (from 1) of the page whose part 1 is ``first``."""
    return first if part == 1 else f"{first.removesuffix('.md')}.part{part}.md"


def keyword_initial(text: str) -> str:
    """Return the letter a keyword is listed under in the index ("#" for the rest)."""
    # One character: some letters upper-case to two ("ß" to "SS", "ﬁ" to "FI").
    return text[:1].upper()[:1] if text[:1].isalpha() else "#"


def keyword_parts(index: Sequence[KeywordSlug]) -> dict[str, list[str]]:
    """Return the pages of the keyword index and the initials each lists, in index order.

    Up to :data:`KEYWORD_PART` links (a keyword weighs one plus the links it lists) the index
    is one page. Beyond, :data:`KEYWORD_INDEX` only links the parts: a page per letter
    (``keywords.a.md``), and ``keywords.other.md`` for other initials. A keyword's page then
    never changes as the index grows, nor do the cards that link it.
    """
    weight: dict[str, int] = {}
    for kw in index:
        initial = keyword_initial(kw.text)
        listed = min(len(kw.paper_keys), KEYWORD_LISTED) + (len(kw.paper_keys) > KEYWORD_LISTED)
        weight[initial] = weight.get(initial, 0) + 1 + listed
    initials = sorted(weight, key=lambda i: (i == "#", i))
    if sum(weight.values()) <= KEYWORD_PART:
        return {KEYWORD_INDEX: initials}
    parts: dict[str, list[str]] = {KEYWORD_INDEX: []}
    for initial in initials:
        name = initial.lower() if "A" <= initial <= "Z" else "other"
        parts.setdefault(f"keywords.{name}.md", []).append(initial)
    return parts


def page_url(path: str) -> str:
    """Return the site-relative URL MkDocs gives a docs page (``use_directory_urls``).

    Only a file named ``index.md`` is its folder's page: a theme named "Phase diagram and index"
    (``themes/phase-diagram-index.md``) has a page of its own.
    """
    folder, _, name = path.rpartition("/")
    if name == "index.md":
        return f"{folder}/" if folder else ""
    return path.removesuffix(".md") + "/"


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Cut ``items`` into runs of ``size`` (at least one run, maybe empty)."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [items[:0]]


#: Where the site's feeds are, relative to the site.
RSS_PATH = "feed.xml"
ATOM_PATH = "feeds/atom.xml"
JSON_PATH = "feeds/feed.json"
OPML_PATH = "feeds/feeds.opml"
RISING_PATH = "feeds/rising.xml"
FOR_YOU_PATH = "feeds/for-you.xml"
#: The "For you" page (written only when the reader's interests name papers the digest holds).
FOR_YOU_PAGE = "for-you.md"


def theme_feed(slug: str) -> str:
    """Return the site-relative path of a theme's RSS feed."""
    return f"feeds/themes/{slug}.xml"


def absolute(site_url: str, path: str) -> str:
    """Join a site-relative path to the site URL (which always ends in a slash)."""
    return site_url.rstrip("/") + "/" + path.lstrip("/")


#: The last digest's answer: pages, feeds and the email ask for every paper of one digest.
_last: list[tuple[Digest, dict[str, str]]] = []


def theme_pages(digest: Digest) -> dict[str, str]:
    """Return, by paper key, the docs path of the theme page part that holds its card.

    A paper's card is linked on its primary theme's page (a pinned paper may have a card on a
    second theme's page too).
    """
    if _last and _last[0][0] is digest:
        return _last[0][1]
    found = _theme_pages(digest)
    _last[:] = [(digest, found)]
    return found


@lru_cache(maxsize=1 << 16)
def paper_anchor(key: str) -> Markup:
    """Return the HTML id of a paper's card, stable across builds (cached: the keyword index
    alone asks for one per keyword of every paper)."""
    return Markup("p-" + slugify(key.replace(":", " ").replace(".", " ")))


def paper_url(digest: Digest, key: str) -> str:
    """Return the site-relative URL of a paper's card: its theme page part and anchor."""
    return f"{page_url(theme_pages(digest)[key])}#{paper_anchor(key)}"


def _theme_pages(digest: Digest) -> dict[str, str]:
    primary = {e.paper.key: e.themes[0].theme_slug for e in digest.entries}
    found: dict[str, str] = {}
    for theme in digest.themes:
        for index, keys in enumerate(chunks(theme.paper_keys, THEME_PART), start=1):
            path = part_path(f"themes/{theme.slug}.md", index)
            for key in keys:
                if primary.get(key) == theme.slug:
                    found[key] = path
    for key, slug in primary.items():
        found.setdefault(key, f"themes/{slug}.md")
    return found

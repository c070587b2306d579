"""The keyword index: every shared keyword by initial, with its count and latest papers.

The index is one page, or a page per initial once it is large (see
:func:`digest.writers.paging.keyword_parts`); :class:`digest.writers.pages.PageWriter` renders
it. A keyword lists its latest papers' titles (``KEYWORD_LISTED`` of them); one with more
links to the search page, asking for its words. Listing every paper under every keyword
repeated the theme pages: at 100,000 papers the index was 1.0 KB a paper of the site, and
every letter's page was converted again each day because counts change (bench/scale.py).

The search page is a text search, not a list of exactly the keyword's papers: Pagefind's
filters would list exactly those, but Pagefind writes its filter index in an arbitrary order
(a different file on every run of the same records), and the site must be byte-identical
for the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup

from digest.model import Digest
from digest.text.words import split_acronym
from digest.writers.cards import Link
from digest.writers.paging import (
    KEYWORD_INDEX,
    KEYWORD_LISTED,
    SEARCH_PAGE,
    keyword_initial,
    page_url,
    paper_anchor,
)


@dataclass(frozen=True)
class KeywordRow:
    """One keyword of the keyword index page."""

    anchor: Markup
    text: str
    count: int
    papers: tuple[Link, ...]
    #: The search page asking for its words (only when it has more papers than ``papers``).
    more: Markup | None
    #: What that search asks for.
    query: str


def keyword_groups(
    digest: Digest, page_of: Mapping[str, str]
) -> list[tuple[str, list[KeywordRow]]]:
    """Group the keyword index by initial letter; each keyword lists its latest papers.

    The template writes each group as one raw HTML block (see
    :mod:`digest.site.rawblocks`). MkDocs does not rewrite links in raw HTML, so each link is
    the built URL (``use_directory_urls``) seen from the keyword page's own URL.
    """
    # Every part's URL is as deep as the first's (``keywords/``, ``keywords.a/``).
    up = "../" * page_url(KEYWORD_INDEX).count("/")
    search = f"{up}{page_url(SEARCH_PAGE)}"
    groups: dict[str, list[KeywordRow]] = {}
    #: A paper is listed under several keywords: its link is made once.
    links: dict[str, Link] = {}
    for kw in digest.keyword_index:
        # The last day first; within a day by key, whatever the order papers came in.
        latest = sorted(sorted(kw.paper_keys), key=lambda k: digest.by_key[k].listed, reverse=True)
        papers = []
        for key in latest[:KEYWORD_LISTED]:
            link = links.get(key)
            if link is None:
                href = Markup(f"{up}{page_url(page_of[key])}#{paper_anchor(key)}")
                link = links[key] = Link(digest.by_key[key].paper.title, href)
            papers.append(link)
        # The phrase without its acronym ("large language models (LLMs)"): every paper that
        # wrote the words without "(LLMs)" would fail a search for both.
        query = split_acronym(kw.text)[0] or kw.text
        more = None
        if len(latest) > KEYWORD_LISTED:
            # urlencode escapes "&", "<" and quotes: the href is safe in an HTML attribute.
            more = Markup(search + "?" + urlencode({"q": query}))
        row = KeywordRow(Markup(kw.slug), kw.text, len(latest), tuple(papers), more, query)
        groups.setdefault(keyword_initial(kw.text), []).append(row)
    return sorted(groups.items(), key=lambda g: (g[0] == "#", g[0]))


def part_links(parts: Mapping[str, Sequence[str]], path: str) -> list[Link]:
    """Links between the keyword index's pages, seen from ``path`` (none for one page).

    ``parts`` maps each page to its initials (:func:`digest.writers.paging.keyword_parts`).
    Parts are siblings: links between them are file names (the current one none).
    """
    if len(parts) <= 1:
        return []
    return [
        Link(
            mine[0] if len(mine) == 1 and mine[0] != "#" else "Other",
            Markup(other if other != path else ""),
        )
        for other, mine in parts.items()
        if mine
    ]

"""The keyword index: every keyword by initial, each listing its papers' titles.

The index is one page, or a page per initial once it is large (see
:func:`digest.writers.paging.keyword_parts`); :class:`digest.writers.pages.PageWriter` renders
it. Every keyword lists its papers' titles: searching them again would only repeat the theme
pages, so the index stays out of the search index (as issues do).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from digest.model import Digest
from digest.writers.cards import Link
from digest.writers.paging import KEYWORD_INDEX, keyword_initial, page_url, paper_anchor


@dataclass(frozen=True)
class KeywordRow:
    """One keyword of the keyword index page."""

    anchor: Markup
    text: str
    papers: tuple[Link, ...]


def keyword_groups(
    digest: Digest, page_of: Mapping[str, str]
) -> list[tuple[str, list[KeywordRow]]]:
    """Group the keyword index by initial letter; each keyword lists its papers' cards.

    The template writes each group as one raw HTML block, which Python-Markdown passes
    through instead of parsing tens of thousands of inline links (about 6 times faster on
    a 10,000-paper index). MkDocs does not rewrite links in raw HTML, so each link is the
    card's built URL (``use_directory_urls``) seen from the keyword page's own URL.
    """
    # Every part's URL is as deep as the first's (``keywords/``, ``keywords.a/``).
    up = "../" * page_url(KEYWORD_INDEX).count("/")
    groups: dict[str, list[KeywordRow]] = {}
    #: A paper is listed once per keyword: its link is made once.
    links: dict[str, Link] = {}
    for kw in digest.keyword_index:
        initial = keyword_initial(kw.text)
        papers = []
        for key in kw.paper_keys:
            link = links.get(key)
            if link is None:
                href = Markup(f"{up}{page_url(page_of[key])}#{paper_anchor(key)}")
                link = links[key] = Link(digest.by_key[key].paper.title, href)
            papers.append(link)
        row = KeywordRow(Markup(kw.slug), kw.text, tuple(papers))
        groups.setdefault(initial, []).append(row)
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

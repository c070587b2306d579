"""Rows of the rising topics page and the feeds page, ready for their templates.

:class:`digest.writers.pages.PageWriter` renders them; the rows hold links already made
(``Markup``) and untrusted text as plain strings, which the page environment escapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from digest.model import Digest
from digest.writers import charts
from digest.writers.cards import Link
from digest.writers.escape import safe_href
from digest.writers.feeds import FeedSpec
from digest.writers.paging import OPML_PATH, absolute, paper_anchor

#: Newest papers named next to a rising topic.
RISING_PAPERS = 3
_FEED_FORMATS = {"rss": "RSS 2.0", "atom": "Atom 1.0", "json": "JSON Feed 1.1"}


@dataclass(frozen=True)
class RisingRow:
    """One rising topic: its keyword, trend picture, counts and newest papers."""

    text: str
    href: Markup | None
    spark: Markup
    recent: int
    baseline: int
    recent_share: Markup
    baseline_share: Markup
    papers: tuple[Link, ...]


@dataclass(frozen=True)
class FeedRow:
    """One feed of the feeds page: its title, format, link and absolute URL."""

    title: str
    format: str
    href: Markup
    url: Markup


def rising_rows(
    digest: Digest,
    page_of: Mapping[str, str],
    keyword_slug: Mapping[str, str],
    keyword_page: Mapping[str, str],
) -> list[RisingRow]:
    """One row per rising topic, linked to its keyword in the index when listed there.

    ``page_of`` gives each paper's theme page, ``keyword_slug`` and ``keyword_page`` each
    indexed keyword's anchor and index page.
    """
    rows: list[RisingRow] = []
    for topic in digest.rising:
        slug = keyword_slug.get(topic.key)
        papers = tuple(
            Link(digest.by_key[k].paper.title, Markup(f"{page_of[k]}#{paper_anchor(k)}"))
            for k in topic.paper_keys[:RISING_PAPERS]
            if k in digest.by_key
        )
        rows.append(
            RisingRow(
                text=topic.text,
                href=Markup(f"{keyword_page[topic.key]}#{slug}") if slug else None,
                spark=charts.sparkline(
                    topic.series, f"rise-{slug or len(rows)}", f"Trend of {topic.text}"
                ),
                recent=topic.recent,
                baseline=topic.baseline,
                recent_share=Markup(f"{topic.recent_share:.1%}"),
                baseline_share=Markup(f"{topic.baseline_share:.1%}"),
                papers=papers,
            )
        )
    return rows


def feed_rows(digest: Digest, feeds: Sequence[FeedSpec]) -> dict[str, list[FeedRow]]:
    """Every feed, absolute and copyable: the site's own, each theme's, any other."""
    groups: dict[str, list[FeedRow]] = {"site": [], "themes": [], "other": []}
    for spec in feeds:
        url = safe_href(absolute(digest.site_url, spec.path))
        if url is None:
            continue
        # "Digest: theme" reads as just "theme" under a heading that names the digest.
        title = spec.title.removeprefix(f"{digest.title}: ")
        row = FeedRow(title, _FEED_FORMATS.get(spec.kind, spec.kind), Markup(spec.path), url)
        group = (
            "site" if not spec.page else "themes" if spec.page.startswith("themes/") else "other"
        )
        groups[group].append(row)
    opml = safe_href(absolute(digest.site_url, OPML_PATH))
    groups["opml"] = [FeedRow("Every feed", "OPML", Markup(OPML_PATH), opml)] if opml else []
    return groups

"""Feeds: the only module that imports feedgen.

feedgen prepends entries unless told ``order="append"``, stamps ``lastBuildDate`` with the
current time unless given one, and raises on naive datetimes; this adapter is the one place that
knows, so a rebuild with nothing new writes a byte-identical feed.
"""

from __future__ import annotations

from collections.abc import Sequence

from feedgen.feed import FeedGenerator

from digest.model import Digest, Entry
from digest.writers.pages import paper_anchor


def paper_guid(key: str) -> str:
    """Return a paper's feed guid: a URN of its key, unchanged by theme, title or version."""
    return f"urn:digest:paper:{key}"


def absolute(site_url: str, path: str) -> str:
    """Join a site-relative path to the site URL (which always ends in a slash)."""
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def feed_entries(digest: Digest, limit: int) -> list[Entry]:
    """Return the entries a feed lists: newest first, then input order, at most ``limit``."""
    ordered = sorted(digest.entries, key=lambda e: (-e.listed.timestamp(), e.paper.order))
    return ordered[:limit]


def rss(digest: Digest, entries: Sequence[Entry], path: str, title: str) -> bytes:
    """Return an RSS 2.0 document of ``entries`` whose own URL is ``path`` on the site."""
    fg = FeedGenerator()
    fg.title(title)
    fg.link(href=digest.site_url, rel="alternate")
    fg.link(href=absolute(digest.site_url, path), rel="self")
    fg.description(digest.description)
    fg.language("en")
    fg.generator("digest", uri="https://pypi.org/project/digest/")
    newest = max((e.listed for e in entries), default=digest.built)
    fg.lastBuildDate(newest)
    fg.pubDate(newest)
    for entry in entries:
        paper = entry.paper
        theme = entry.themes[0].theme_slug
        link = absolute(digest.site_url, f"themes/{theme}/#{paper_anchor(paper.key)}")
        fe = fg.add_entry(order="append")
        fe.guid(paper_guid(paper.key), permalink=False)
        fe.title(paper.title)
        fe.link(href=link)
        fe.description(paper.abstract)
        fe.pubDate(entry.listed)
        for author in paper.authors:
            fe.author(name=author.name, email="")
        for kw in entry.keywords:
            fe.category(term=kw.text)
    data: bytes = fg.rss_str(pretty=True)
    return data

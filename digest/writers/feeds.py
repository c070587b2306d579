"""Feeds: RSS 2.0, Atom 1.0, JSON Feed 1.1 and OPML; the only module that imports feedgen.

feedgen prepends entries unless told ``order="append"``, stamps ``lastBuildDate`` and Atom
``updated`` with the current time unless given one, and raises on naive datetimes; this adapter
is the one place that knows. Every date comes from the kept state (a paper's first-seen date),
so a rebuild with nothing new writes byte-identical feeds.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from feedgen.feed import FeedGenerator

from digest.model import Digest, Entry
from digest.writers.paging import (
    ATOM_PATH,
    FOR_YOU_PATH,
    JSON_PATH,
    OPML_PATH,
    RISING_PATH,
    RSS_PATH,
    absolute,
    paper_url,
    theme_feed,
)

__all__ = [
    "ATOM_PATH",
    "FOR_YOU_PATH",
    "JSON_PATH",
    "OPML_PATH",
    "RISING_PATH",
    "RSS_PATH",
    "FeedSpec",
]


@dataclass(frozen=True)
class FeedSpec:
    """One feed: where it lives, what it is called, the page it belongs to, its entries."""

    path: str
    title: str
    description: str
    page: str
    entries: tuple[Entry, ...]
    kind: str = "rss"
    #: A line put before an item's abstract, by paper key ("Close to ..." in "For you").
    notes: Mapping[str, str] = field(default_factory=dict)


def paper_guid(key: str) -> str:
    """Return a paper's feed guid: a URN of its key, unchanged by theme, title or version.

    A URN's name may hold only some characters: others, such as the "/" of old-style arXiv ids
    (``cs/0503050``) or whatever a source's own ids hold, are percent-encoded. New-style
    arXiv ids and title hashes have none, so their guids are what they always were.
    """
    # RFC 2141's characters of a name, less "%" (each other character percent-encoded).
    name = quote(key, safe="()+,-.:=@;$_!*'").replace("~", "%7E")
    return f"urn:digest:paper:{name}"


def item_times(digest: Digest) -> dict[str, datetime]:
    """Return each paper's time in the feeds: a time of its own, in feed order, on the day it
    was first seen.

    The day's first paper gets the build's time and each later one a second less; when that
    would cross into the day before (a build dated ``--date``, at midnight), each earlier one a
    second more instead. The papers of a day are fixed once its builds are done, so a time never
    changes afterwards (feed readers sort and notify by it).
    """
    by_day: dict[datetime, list[Entry]] = {}
    for entry in digest.entries:
        by_day.setdefault(entry.listed, []).append(entry)
    times = {}
    for listed, entries in by_day.items():
        ordered = sorted(entries, key=lambda e: (e.paper.order, e.paper.key))
        last = len(ordered) - 1
        backwards = (listed - timedelta(seconds=last)).date() == listed.date()
        for rank, entry in enumerate(ordered):
            step = -rank if backwards else last - rank
            times[entry.paper.key] = listed + timedelta(seconds=step)
    return times


def newest_first(entries: Sequence[Entry], limit: int) -> tuple[Entry, ...]:
    """Return the entries a feed lists: newest first, then input order, at most ``limit``."""
    ordered = sorted(entries, key=lambda e: (-e.listed.timestamp(), e.paper.order, e.paper.key))
    return tuple(ordered[:limit])


def feed_specs(digest: Digest, limit: int) -> list[FeedSpec]:
    """Return every feed of the site: site-wide RSS, Atom and JSON Feed, and RSS per theme."""
    site = newest_first(digest.entries, limit)
    specs = [
        FeedSpec(RSS_PATH, digest.title, digest.description, "", site, "rss"),
        FeedSpec(ATOM_PATH, digest.title, digest.description, "", site, "atom"),
        FeedSpec(JSON_PATH, digest.title, digest.description, "", site, "json"),
    ]
    # Always written, even empty, so that its URL can be subscribed to before anything rises.
    rising = {k for topic in digest.rising for k in topic.paper_keys}
    specs.append(
        FeedSpec(
            RISING_PATH,
            f"{digest.title}: rising topics",
            "Recent papers on keywords whose share of recent papers is rising.",
            "rising/",
            newest_first([digest.by_key[k] for k in sorted(rising)], limit),
            "rss",
        )
    )
    if digest.liked:
        specs.append(for_you_feed(digest, limit))
    for theme in digest.themes:
        entries = [digest.by_key[k] for k in theme.paper_keys]
        specs.append(
            FeedSpec(
                theme_feed(theme.slug),
                f"{digest.title}: {theme.name}",
                f"Papers on {theme.name}.",
                f"themes/{theme.slug}/",
                newest_first(entries, limit),
                "rss",
            )
        )
    return specs


def for_you_feed(digest: Digest, limit: int) -> FeedSpec:
    """The "For you" feed: the latest issue's papers in the reader's order, each saying why."""
    ranked = digest.for_you[:limit]
    notes = {
        r.key: f"Close to {digest.by_key[r.because].paper.title}."
        for r in ranked
        if r.because in digest.by_key
    }
    return FeedSpec(
        FOR_YOU_PATH,
        f"{digest.title}: for you",
        "The latest issue's papers ranked by closeness to the papers you like.",
        "for-you/",
        tuple(digest.by_key[r.key] for r in ranked),
        "rss",
        notes,
    )


def render_feeds(digest: Digest, specs: Sequence[FeedSpec]) -> dict[str, bytes]:
    """Return every feed file and the OPML that lists them, by site-relative path."""
    writers = {"rss": rss, "atom": atom, "json": json_feed}
    times = item_times(digest)
    files = {spec.path: writers[spec.kind](digest, spec, times) for spec in specs}
    files[OPML_PATH] = opml(digest, specs)
    return files


def _item_link(digest: Digest, entry: Entry) -> str:
    return absolute(digest.site_url, paper_url(digest, entry.paper.key))


def _updated(digest: Digest, spec: FeedSpec, times: Mapping[str, datetime]) -> datetime:
    """The feed's date: its newest item's time, else the digest's newest day: never the clock."""
    newest_day = max((e.listed for e in digest.entries), default=digest.built)
    return max((times[e.paper.key] for e in spec.entries), default=newest_day)


def _generator(digest: Digest, spec: FeedSpec, times: Mapping[str, datetime]) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(absolute(digest.site_url, spec.path))
    fg.title(spec.title)
    # feedgen takes the RSS channel <link> from the last link() call: "self" first, then the
    # page, or every channel would link to its own XML.
    fg.link(href=absolute(digest.site_url, spec.path), rel="self")
    fg.link(href=absolute(digest.site_url, spec.page), rel="alternate")
    fg.description(spec.description)
    fg.language("en")
    fg.generator("digest")
    # Atom needs an author for every entry: the feed's stands for papers that name none.
    fg.author(name=digest.author or digest.title)
    newest = _updated(digest, spec, times)
    fg.lastBuildDate(newest)
    fg.updated(newest)
    for entry in spec.entries:
        paper = entry.paper
        fe = fg.add_entry(order="append")
        fe.id(paper_guid(paper.key))
        fe.guid(paper_guid(paper.key), permalink=False)
        fe.title(paper.title)
        fe.link(href=_item_link(digest, entry))
        # RSS readers render <description> as HTML: the abstract goes in as escaped text.
        # Atom gets it as <content> without a type, which is type="text" (RFC 4287): shown as
        # it is, so it must not be escaped for HTML too (readers would show "&lt;").
        note = spec.notes.get(paper.key)
        text = f"{note}\n\n{paper.abstract}" if note else paper.abstract
        fe.description(text if spec.kind == "atom" else html.escape(text, quote=False))
        fe.published(times[paper.key])
        fe.updated(times[paper.key])
        for author in paper.authors:
            fe.author(name=author.name)
        for kw in entry.keywords:
            fe.category(term=kw.text)
    return fg


def rss(digest: Digest, spec: FeedSpec, times: Mapping[str, datetime]) -> bytes:
    """Return an RSS 2.0 document."""
    data: bytes = _generator(digest, spec, times).rss_str(pretty=True)
    return data


def atom(digest: Digest, spec: FeedSpec, times: Mapping[str, datetime]) -> bytes:
    """Return an Atom 1.0 document (every entry has id, title and updated: RFC 4287)."""
    data: bytes = _generator(digest, spec, times).atom_str(pretty=True)
    return data


def json_feed(digest: Digest, spec: FeedSpec, times: Mapping[str, datetime]) -> bytes:
    """Return a JSON Feed 1.1 document."""
    items: list[dict[str, Any]] = []
    for entry in spec.entries:
        paper = entry.paper
        item: dict[str, Any] = {
            "id": paper_guid(paper.key),
            "url": _item_link(digest, entry),
            "title": paper.title,
            "content_text": (
                f"{spec.notes[paper.key]}\n\n{paper.abstract}"
                if paper.key in spec.notes
                else paper.abstract
            ),
            "date_published": times[paper.key].isoformat(),
        }
        if paper.authors:
            item["authors"] = [{"name": a.name} for a in paper.authors]
        if entry.keywords:
            item["tags"] = [k.text for k in entry.keywords]
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": spec.title,
        "home_page_url": absolute(digest.site_url, spec.page),
        "feed_url": absolute(digest.site_url, spec.path),
        "description": spec.description,
        "language": "en",
        "authors": [{"name": digest.author or digest.title}],
        "items": items,
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def opml(digest: Digest, specs: Sequence[FeedSpec]) -> bytes:
    """Return an OPML 2.0 list of every feed, for importing all of them at once."""
    types = {"rss": "rss", "atom": "atom", "json": "json"}
    # Dated by the newest item, like the feeds themselves: a rebuild changes no byte.
    modified = max((e.listed for e in digest.entries), default=digest.built)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{escape(digest.title)} feeds</title>",
        f"    <dateModified>{modified.strftime('%a, %d %b %Y %H:%M:%S +0000')}</dateModified>",
        "  </head>",
        "  <body>",
    ]
    for spec in specs:
        lines.append(
            f"    <outline type={quoteattr(types[spec.kind])} text={quoteattr(spec.title)} "
            f"title={quoteattr(spec.title)} "
            f"xmlUrl={quoteattr(absolute(digest.site_url, spec.path))} "
            f"htmlUrl={quoteattr(absolute(digest.site_url, spec.page))}/>"
        )
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines).encode("utf-8")

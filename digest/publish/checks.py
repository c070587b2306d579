"""Checks a freshly built site must pass before it replaces the published one.

The build renders into a staging folder with ``mkdocs build --strict``; these checks run on that
folder just before the state commits and the site is swapped in, so a failure leaves the state,
the published site and its feeds exactly as they were (tests/test_publish.py):

- the digest is not empty and the site feed lists papers;
- every feed digest wrote parses (RSS, Atom and OPML with the hardened XML parser, JSON Feed
  with ``json``) and has the structure a feed reader needs, with absolute links;
- the paper count did not collapse against the published site (``publish.max_drop``), and
  optionally the new issue against the previous one (``publish.max_issue_drop``).

feedparser would accept more than it should (it is built to read broken feeds), so the checks
here are strict structural ones on the standard parser; the test suite parses the same feeds
with feedparser as a reader would.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from digest.config import PublishConfig
from digest.errors import BuildError
from digest.model import Digest
from digest.writers.export import EXPORT_PATH
from digest.writers.feeds import OPML_PATH, RSS_PATH, feed_specs

log = logging.getLogger("digest")

_ATOM = "{http://www.w3.org/2005/Atom}"
_KEEP = "; the published site is kept"


def verify(
    site: Path,
    digest: Digest,
    published: Path,
    settings: PublishConfig,
    feed_items: int,
    *,
    new_state: bool = False,
) -> None:
    """Raise BuildError unless the staged ``site`` may replace the ``published`` one."""
    if not digest.entries:
        raise BuildError("The digest has no papers: an empty digest is never published" + _KEEP)
    for spec in feed_specs(digest, feed_items):
        check_feed(site / spec.path, spec.kind, spec.path)
    check_feed(site / OPML_PATH, "opml", OPML_PATH)
    if count_items(site / RSS_PATH) == 0:
        raise BuildError(f"The site feed {RSS_PATH} lists no papers" + _KEEP)
    previous = published_count(published)
    if previous is not None and new_state:
        log.info("A new state was asked for: not comparing with the %d published papers", previous)
    elif previous is not None:
        check_drop(previous, len(digest.entries), settings.max_drop)
    check_issue_drop(digest, settings.max_issue_drop)


def published_count(site: Path) -> int | None:
    """Return how many papers the published site lists, or None where none is published."""
    export = site / EXPORT_PATH
    if not export.is_file():
        return None
    try:
        return _count_papers(export)
    except ValueError:
        pass  # Read whole below: another layout, or it says what is wrong with it.
    try:
        papers = json.loads(export.read_bytes())["papers"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BuildError(
            f"The published site's {EXPORT_PATH} cannot be read ({exc}), so the new site "
            "cannot be compared with it" + _KEEP
        ) from exc
    if not isinstance(papers, list):
        raise BuildError(f"The published site's {EXPORT_PATH} has no paper list" + _KEEP)
    return len(papers)


def _count_papers(export: Path) -> int:
    """Count the papers of an export laid out as digest writes it (a record a line, see
    :func:`digest.writers.export.export_pieces`), decoding each record and keeping none;
    ValueError for any other layout or a damaged record.

    Read whole, the published export of 100,000 papers (its text and every record as Python
    objects) was the peak of a daily build's memory (bench/README.md).
    """
    with export.open("rb") as handle:
        lines = iter(handle)
        if next(lines, b"") != b"{\n":
            raise ValueError("not a record a line")
        if not any(line == b' "papers": [\n' for line in lines):
            raise ValueError("no paper list")
        count = 0
        for line in lines:
            if line.startswith(b" ]"):
                return count
            record = line.strip().removesuffix(b",")
            if record:
                json.loads(record)
                count += 1
    raise ValueError("the paper list does not end")


def check_drop(previous: int, new: int, max_drop: float) -> None:
    """Refuse a site that lost more than ``max_drop`` of the published papers."""
    if max_drop >= 1 or previous == 0:
        return
    if new < previous * (1 - max_drop):
        raise BuildError(
            f"The new site lists {new} papers, the published one {previous}: a drop of "
            f"{1 - new / previous:.0%}, more than publish.max_drop ({max_drop:.0%}) allows"
            f"{_KEEP}. Was the state folder replaced or lost? If the drop is intended, set "
            "publish.max_drop = 1 in digest.toml for this build"
        )


def check_issue_drop(digest: Digest, max_drop: float) -> None:
    """Refuse a new issue far smaller than the one before it, when ``max_drop`` asks."""
    if max_drop >= 1 or len(digest.issues) < 2:
        return
    latest, before = digest.issues[0], digest.issues[1]
    if latest.date != digest.built.date():
        return  # nothing new today: the latest issue is an old one
    new, previous = len(latest.paper_keys), len(before.paper_keys)
    if new < previous * (1 - max_drop):
        raise BuildError(
            f"The issue of {latest.slug} has {new} papers, the one of {before.slug} had "
            f"{previous}: a drop of {1 - new / previous:.0%}, more than "
            f"publish.max_issue_drop ({max_drop:.0%}) allows{_KEEP}. Is a source failing?"
        )


# -- feeds ------------------------------------------------------------------------------------
def check_feed(path: Path, kind: str, name: str) -> None:
    """Parse the feed at ``path`` and check its structure; raise BuildError naming ``name``."""
    if not path.is_file():
        raise BuildError(f"The built site lacks the feed {name}" + _KEEP)
    data = path.read_bytes()
    try:
        if kind == "json":
            _check_json_feed(json.loads(data))
        else:
            _CHECKS[kind](ElementTree.fromstring(data))
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise BuildError(f"The feed {name} does not parse: {exc}{_KEEP}") from exc
    except _Invalid as exc:
        raise BuildError(f"The feed {name} is invalid: {exc}{_KEEP}") from exc


def count_items(path: Path) -> int:
    """Return the number of items of an RSS feed already checked by :func:`check_feed`."""
    return len(ElementTree.fromstring(path.read_bytes()).findall("channel/item"))


class _Invalid(Exception):
    """A feed parses but lacks something a feed reader needs."""


def _text(element: Element, path: str, where: str) -> str:
    found = element.find(path)
    if found is None or not (found.text or "").strip():
        raise _Invalid(f"{where} has no {path.removeprefix(_ATOM)}")
    return found.text or ""


def _absolute(url: str, where: str) -> None:
    if not url.startswith(("https://", "http://")):
        raise _Invalid(f"{where} links to {url!r}, not an absolute http(s) URL")


def _check_rss(root: Element) -> None:
    if root.tag != "rss" or root.get("version") != "2.0":
        raise _Invalid(f"the root is <{root.tag}>, not <rss version='2.0'>")
    channel = root.find("channel")
    if channel is None:
        raise _Invalid("no <channel>")
    _text(channel, "title", "the channel")
    _absolute(_text(channel, "link", "the channel"), "the channel")
    guids: set[str] = set()
    for number, item in enumerate(channel.findall("item"), 1):
        where = f"item {number}"
        _text(item, "title", where)
        _absolute(_text(item, "link", where), where)
        guid = _text(item, "guid", where)
        if guid in guids:
            raise _Invalid(f"{where} repeats the guid {guid!r}")
        guids.add(guid)
        _dated(_text(item, "pubDate", where), where, rfc822=True)


def _check_atom(root: Element) -> None:
    if root.tag != f"{_ATOM}feed":
        raise _Invalid(f"the root is <{root.tag}>, not an Atom <feed>")
    for name in ("id", "title"):
        _text(root, _ATOM + name, "the feed")
    _dated(_text(root, f"{_ATOM}updated", "the feed"), "the feed")
    ids: set[str] = set()
    for number, entry in enumerate(root.findall(f"{_ATOM}entry"), 1):
        where = f"entry {number}"
        _text(entry, f"{_ATOM}title", where)
        _dated(_text(entry, f"{_ATOM}updated", where), where)
        entry_id = _text(entry, f"{_ATOM}id", where)
        if entry_id in ids:
            raise _Invalid(f"{where} repeats the id {entry_id!r}")
        ids.add(entry_id)
        for link in entry.findall(f"{_ATOM}link"):
            _absolute(link.get("href", ""), where)


def _check_opml(root: Element) -> None:
    if root.tag != "opml":
        raise _Invalid(f"the root is <{root.tag}>, not <opml>")
    outlines = root.findall(".//outline[@xmlUrl]")
    if not outlines:
        raise _Invalid("it lists no feeds")
    for outline in outlines:
        _absolute(outline.get("xmlUrl", ""), f"the outline {outline.get('text')!r}")


def _check_json_feed(feed: Any) -> None:
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith(
        "https://jsonfeed.org/version/1"
    ):
        raise _Invalid("not a JSON Feed (no jsonfeed.org version)")
    items = feed.get("items")
    if not isinstance(items, list):
        raise _Invalid("no items list")
    ids: set[str] = set()
    for number, item in enumerate(items, 1):
        where = f"item {number}"
        if not isinstance(item, dict) or not item.get("id"):
            raise _Invalid(f"{where} has no id")
        if item["id"] in ids:
            raise _Invalid(f"{where} repeats the id {item['id']!r}")
        ids.add(item["id"])
        if "url" in item:
            _absolute(str(item["url"]), where)


def _dated(text: str, where: str, *, rfc822: bool = False) -> None:
    """Dates must carry a time zone (tests/test_publish.py, dates without a time zone)."""
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text) if rfc822 else datetime.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise _Invalid(f"{where} has the unreadable date {text!r}") from exc
    if when.tzinfo is None:
        raise _Invalid(f"{where} has the date {text!r} without a time zone")


_CHECKS: dict[str, Callable[[Element], None]] = {
    "rss": _check_rss,
    "atom": _check_atom,
    "opml": _check_opml,
}

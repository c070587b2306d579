"""arXiv's daily RSS 2.0 listing feeds (``rss.arxiv.org/rss/cs.LG``): one item per announcement.

Each description starts with ``arXiv:ID Announce Type: TYPE Abstract:`` before the abstract;
the versioned id there is the only place the feed gives a version. Authors come comma-joined in
one ``dc:creator``. A weekend feed has no items: that is a normal day without papers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from digest.diagnostics import log
from digest.errors import SourceError
from digest.identity import parse_arxiv_id
from digest.links import arxiv_abs
from digest.model import Paper
from digest.sources.base import RecordError, build_paper, optional_text
from digest.sources.values import rfc2822_datetime, split_authors
from digest.sources.xmldoc import ARXIV, DUBLIN_CORE, parse_xml, root_name

#: Name in ``Paper.sources``: the listing carries arXiv's own metadata, like the API.
SOURCE = "arxiv"

_PREFIX = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce\s+Type:\s*(?P<type>[\w-]+)\s+Abstract:\s*", re.IGNORECASE
)
# guid is "oai:arXiv.org:2604.21935v1".
_OAI_GUID = re.compile(r"^oai:arXiv\.org:", re.IGNORECASE)
#: Announce types whose pubDate is the date of a new version, not of the paper's first listing.
_REPLACEMENTS = frozenset({"replace", "replace-cross"})


def parse_rss(data: bytes, origin: str) -> tuple[Paper, ...]:
    """Parse one listing feed; bad items are logged and skipped, a broken feed raises."""
    root = parse_xml(data, origin)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise SourceError(f"Error reading '{origin}': not an RSS 2.0 feed (root <{root.tag}>)")
    papers = []
    for number, item in enumerate(channel.findall("item"), start=1):
        where = f"paper {number} in '{origin}'"
        try:
            papers.append(_item_paper(item, where, order=number - 1))
        except RecordError as exc:
            log.warning("Error reading %s", exc)
    return tuple(papers)


def _item_paper(item: Element, where: str, *, order: int) -> Paper:
    description = item.findtext("description") or ""
    prefix = _PREFIX.match(description)
    abstract = description[prefix.end() :] if prefix else description
    raw_id = _item_id(item, prefix)
    parsed = parse_arxiv_id(raw_id or "")
    if parsed is None:
        raise RecordError(f"{where}: no arXiv id in its description, guid or link")
    announce_type = optional_text(item.findtext(f"{ARXIV}announce_type"), where, "announce_type")
    if announce_type is None and prefix:
        announce_type = prefix.group("type")
    announced = rfc2822_datetime(item.findtext("pubDate"), where, "pubDate")
    is_replacement = (announce_type or "").lower() in _REPLACEMENTS
    categories = (optional_text(c.text, where, "category") for c in item.findall("category"))
    return build_paper(
        where,
        item.findtext("title"),
        abstract,
        order=order,
        source=SOURCE,
        arxiv_id=raw_id,
        authors=split_authors(item.findtext(f"{DUBLIN_CORE}creator") or ""),
        categories=tuple(dict.fromkeys(c for c in categories if c)),
        # The feed lists categories without marking the primary one.
        primary_category=None,
        published=None if is_replacement else announced,
        updated=announced if is_replacement else None,
        announce_type=announce_type.lower() if announce_type else None,
        url=arxiv_abs(parsed[0]),
    )


def _item_id(item: Element, prefix: re.Match[str] | None) -> str | None:
    """Return the item's id, versioned if possible: description prefix, then guid, then link."""
    if prefix:
        return prefix.group("id")
    guid = (item.findtext("guid") or "").strip()
    if _OAI_GUID.match(guid):
        return _OAI_GUID.sub("", guid)
    return item.findtext("link")


class ArxivRssReader:
    """Read a saved arXiv RSS listing feed."""

    name = "arxiv-rss"
    description = "arXiv RSS 2.0 daily listing feed (rss.arxiv.org)"

    def sniff(self, path: Path, head: bytes) -> bool:
        return root_name(head) == "rss"

    def read(self, path: Path) -> Iterator[Paper]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"Cannot read '{path}': {exc.strerror}") from exc
        yield from parse_rss(data, str(path))


READER = ArxivRssReader()

"""arXiv API (``/api/query``) Atom responses, in today's layout and in the pre-2025 one.

Both layouts parse the same way once namespaces are resolved: the 2016 responses redeclare them
on every element and hard-wrap titles and abstracts, which ``build_paper`` folds away. The
fetcher calls :func:`parse_atom` on each page it downloads; the ``arxiv-atom`` reader reads
saved responses from disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from digest.diagnostics import log
from digest.errors import SourceError
from digest.identity import parse_arxiv_id
from digest.links import arxiv_abs
from digest.model import Paper
from digest.sources.base import RecordError, build_paper, optional_text, require_text
from digest.sources.values import iso_datetime, repair_mojibake
from digest.sources.xmldoc import ARXIV, ATOM, OPENSEARCH, parse_xml, root_name

#: Name in ``Paper.sources`` of papers read from arXiv's own metadata.
SOURCE = "arxiv"


class QueryError(SourceError):
    """arXiv answered a query with an error entry: the query was wrong, there are no papers."""


@dataclass(frozen=True)
class AtomPage:
    """One page of an API answer: its papers and the paging numbers the fetcher needs."""

    papers: tuple[Paper, ...]
    total_results: int | None
    start_index: int | None
    items_per_page: int | None
    #: ``<entry>`` elements on the page, skipped ones included, to tell a short page from a bad
    #: record.
    entries: int = 0


def parse_atom(data: bytes, origin: str) -> AtomPage:
    """Parse one API response; raise QueryError for arXiv's error answer, SourceError if broken.

    Bad entries are logged and skipped; an empty answer (``totalResults`` 0) is a normal page
    with no papers.
    """
    root = parse_xml(data, origin)
    if root.tag != f"{ATOM}feed":
        raise SourceError(f"Error reading '{origin}': not an Atom feed (root <{root.tag}>)")
    entries = root.findall(f"{ATOM}entry")
    _raise_for_error_entry(entries, origin)
    papers = []
    for number, entry in enumerate(entries, start=1):
        where = f"paper {number} in '{origin}'"
        try:
            papers.append(_entry_paper(entry, where, order=number - 1))
        except RecordError as exc:
            log.warning("Error reading %s", exc)
    return AtomPage(
        papers=tuple(papers),
        total_results=_count(root, "totalResults", origin),
        start_index=_count(root, "startIndex", origin),
        items_per_page=_count(root, "itemsPerPage", origin),
        entries=len(entries),
    )


def _raise_for_error_entry(entries: list[Element], origin: str) -> None:
    """Raise QueryError if arXiv answered with its error entry instead of papers.

    arXiv reports a bad query as a feed with one entry titled ``Error`` whose id is a link into
    its error documentation (HTTP 400, but a saved file has lost the status). The id check keeps
    a real paper titled "Error" a paper.
    """
    for entry in entries:
        title = (entry.findtext(f"{ATOM}title") or "").strip()
        ident = (entry.findtext(f"{ATOM}id") or "").strip()
        if title == "Error" and parse_arxiv_id(ident) is None:
            reason = " ".join((entry.findtext(f"{ATOM}summary") or "no reason given").split())
            raise QueryError(f"arXiv rejected the query of '{origin}': {reason} ({ident})")


def _text(element: Element, tag: str) -> str | None:
    """Return a child's text with mis-decoded UTF-8 repaired (see ``repair_mojibake``)."""
    text = element.findtext(tag)
    return None if text is None else repair_mojibake(text)


def _entry_paper(entry: Element, where: str, *, order: int) -> Paper:
    raw_id = entry.findtext(f"{ATOM}id")
    parsed = parse_arxiv_id(raw_id or "")
    if parsed is None:
        raise RecordError(f"{where}: 'id' {raw_id!r} is not an arXiv id")
    categories = _categories(entry, where)
    return build_paper(
        where,
        _text(entry, f"{ATOM}title"),
        require_text(_text(entry, f"{ATOM}summary"), where, "summary"),
        order=order,
        source=SOURCE,
        arxiv_id=(raw_id or "").strip(),
        authors=_authors(entry),
        categories=categories,
        primary_category=categories[0] if categories else None,
        published=iso_datetime(entry.findtext(f"{ATOM}published"), where, "published"),
        updated=iso_datetime(entry.findtext(f"{ATOM}updated"), where, "updated"),
        doi=optional_text(entry.findtext(f"{ARXIV}doi"), where, "arxiv:doi"),
        journal_ref=optional_text(_text(entry, f"{ARXIV}journal_ref"), where, "journal_ref"),
        comment=optional_text(_text(entry, f"{ARXIV}comment"), where, "arxiv:comment"),
        url=arxiv_abs(parsed[0]),
    )


def _authors(entry: Element) -> list[str]:
    return [_text(author, f"{ATOM}name") or "" for author in entry.findall(f"{ATOM}author")]


def _categories(entry: Element, where: str) -> tuple[str, ...]:
    """Return the entry's categories with the primary one first, as Kaggle's snapshot has them."""
    primary_element = entry.find(f"{ARXIV}primary_category")
    primary = None
    if primary_element is not None:
        primary = optional_text(primary_element.get("term"), where, "arxiv:primary_category")
    terms = (
        optional_text(element.get("term"), where, "category")
        for element in entry.findall(f"{ATOM}category")
    )
    listed = [term for term in terms if term]
    return tuple(dict.fromkeys([primary, *listed] if primary else listed))


def _count(root: Element, name: str, origin: str) -> int | None:
    """Return an OpenSearch paging number, None if absent; a garbled one is a broken response."""
    text = root.findtext(f"{OPENSEARCH}{name}")
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise SourceError(
            f"Error reading '{origin}': opensearch:{name} {text!r} is not a number"
        ) from None


class ArxivAtomReader:
    """Read a saved arXiv API response (one page of an Atom feed)."""

    name = "arxiv-atom"
    description = "arXiv API (/api/query) Atom response"

    def sniff(self, path: Path, head: bytes) -> bool:
        return root_name(head) == "feed" and b"http://www.w3.org/2005/Atom" in head

    def read(self, path: Path) -> Iterator[Paper]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"Cannot read '{path}': {exc.strerror}") from exc
        yield from parse_atom(data, str(path)).papers


READER = ArxivAtomReader()

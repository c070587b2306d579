"""Kaggle's ``arxiv-metadata-oai-snapshot`` JSON Lines: arXiv metadata, one paper per line.

The full snapshot has millions of lines, so it is streamed: one line is decoded, turned into a
Paper and handed on before the next is read. Titles and abstracts are hard-wrapped (``\\n  ``);
``categories`` is space-separated with the primary first; ``authors_parsed`` has the names with
LaTeX accents already decoded (``Balázs`` where ``authors`` says ``Bal\\'azs``), so it is
preferred. Exports without ``versions`` (OAI-PMH harvests) give ``created`` instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from digest.diagnostics import log
from digest.identity import parse_arxiv_id
from digest.links import arxiv_abs
from digest.model import Paper
from digest.sources.base import RecordError, build_paper, optional_text
from digest.sources.jsondoc import iter_jsonl, json_type
from digest.sources.values import (
    authors_value,
    iso_datetime,
    rfc2822_datetime,
)

#: Name in ``Paper.sources``; the snapshot is arXiv's own metadata, as the merge knows.
SOURCE = "kaggle"

_FIRST_LINE = re.compile(rb"^[^\n]*")
_VERSION = re.compile(r"^v(\d+)$")
_SNAPSHOT_KEYS = (b"submitter", b"authors_parsed", b"update_date", b"versions")


def _has_key(line: bytes, key: bytes) -> bool:
    return re.search(rb'"' + key + rb'"\s*:', line) is not None


class KaggleReader:
    """Read the Kaggle arXiv snapshot (or a part of it), streaming line by line."""

    name = "kaggle"
    description = "Kaggle arxiv-metadata-oai-snapshot JSON Lines"

    def sniff(self, path: Path, head: bytes) -> bool:
        # Keys only the snapshot has: "submitter" comes second on each line, so even a line cut
        # short by a huge author list shows it; the generic schema never uses these keys.
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        match = _FIRST_LINE.match(stripped)
        line = match.group(0) if match else b""
        own = any(_has_key(line, k) for k in _SNAPSHOT_KEYS)
        return line.startswith(b"{") and _has_key(line, b"id") and own

    def read(self, path: Path) -> Iterator[Paper]:
        for number, (line, record) in enumerate(iter_jsonl(path), start=1):
            where = f"paper {number} in '{path}' (line {line})"
            try:
                yield kaggle_paper(record, where, order=number - 1)
            except RecordError as exc:
                log.warning("Error reading %s", exc)


def kaggle_paper(record: object, where: str, *, order: int) -> Paper:
    """Return the Paper of one snapshot record, or raise RecordError naming the field."""
    if not isinstance(record, dict):
        raise RecordError(f"{where}: expected a JSON object, got {json_type(record)}")
    ident = record.get("id")
    if not isinstance(ident, str):
        raise RecordError(f"{where}: missing 'id'")
    parsed = parse_arxiv_id(ident)
    if parsed is None:
        raise RecordError(f"{where}: 'id' {ident!r} is not an arXiv id")
    categories = _categories(record.get("categories"), where)
    version, published, updated = _versions(record, where)
    return build_paper(
        where,
        record.get("title"),
        record.get("abstract"),
        order=order,
        source=SOURCE,
        arxiv_id=ident.strip(),
        authors=_authors(record, where),
        version=version,
        categories=categories,
        primary_category=categories[0] if categories else None,
        published=published,
        updated=updated,
        doi=optional_text(record.get("doi"), where, "doi"),
        journal_ref=optional_text(record.get("journal-ref"), where, "journal-ref"),
        comment=optional_text(record.get("comments"), where, "comments"),
        url=arxiv_abs(parsed[0]),
    )


def _categories(value: object, where: str) -> tuple[str, ...]:
    text = optional_text(value, where, "categories")
    return tuple(dict.fromkeys(text.split())) if text else ()


def _authors(record: dict[str, Any], where: str) -> list[str]:
    """Prefer ``authors_parsed`` (``[last, first, suffix, affiliation...]``) to ``authors``."""
    parsed = record.get("authors_parsed")
    if parsed is None:
        return authors_value(record.get("authors"), where)
    if not isinstance(parsed, list) or not all(
        isinstance(name, list) and all(isinstance(part, str) for part in name) for name in parsed
    ):
        raise RecordError(f"{where}: 'authors_parsed' must be a list of lists of strings")
    names = []
    for last, first, suffix, *_affiliations in ([*name, "", "", ""] for name in parsed):
        names.append(" ".join(part for part in (first, last, suffix) if part.strip()))
    return names


def _versions(
    record: dict[str, Any], where: str
) -> tuple[int | None, datetime | None, datetime | None]:
    """Return (latest version, first version's date, latest version's date).

    Without ``versions``, ``created`` is the first date and ``update_date`` (when arXiv last
    touched the record) the best there is for the latest.
    """
    versions = record.get("versions")
    if versions is None:
        return (
            None,
            iso_datetime(record.get("created"), where, "created"),
            iso_datetime(record.get("update_date"), where, "update_date"),
        )
    if (
        not isinstance(versions, list)
        or not versions
        or not all(isinstance(v, dict) for v in versions)
    ):
        raise RecordError(f"{where}: 'versions' must be a non-empty list of objects")
    latest = versions[-1].get("version")
    match = _VERSION.match(latest) if isinstance(latest, str) else None
    if match is None:
        raise RecordError(f"{where}: 'versions' ends with version {latest!r}, expected 'vN'")
    return (
        int(match.group(1)),
        rfc2822_datetime(versions[0].get("created"), where, "versions[0].created"),
        rfc2822_datetime(versions[-1].get("created"), where, "versions[-1].created"),
    )


READER = KaggleReader()

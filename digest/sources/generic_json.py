"""Papers from any tool, as a JSON array of objects or as JSON Lines (one object per line).

The schema is deliberately small, so that a spreadsheet export or a ``jq`` one-liner can feed
digest. Each paper is an object with:

==============  ========  ========================================================================
key             required  value
==============  ========  ========================================================================
``title``       yes       string
``abstract``    yes       string
``id``          no        arXiv id or abs/pdf URL (``2401.01234v2``), or any id of the source's own
``authors``     no        list of strings, or one string ``"A. Smith, B. Jones and C. Wu"``
``date``        no        ISO 8601 date or date-time (``2024-01-31``); UTC if no zone is given
``url``         no        http(s) link to the paper; default: its arXiv page when ``id`` is given
``categories``  no        list of strings, or one space-separated string; the first is primary
==============  ========  ========================================================================

Other keys are ignored. A record that breaks the schema is logged and skipped; a file that is not
strict JSON (syntax errors, ``NaN``, duplicate keys) is refused with its line and column. Both
shapes are streamed one record at a time: the reader never holds the whole file's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from digest.diagnostics import log
from digest.errors import SourceError
from digest.identity import parse_arxiv_id
from digest.links import arxiv_abs
from digest.model import Paper
from digest.sources.base import RecordError, build_paper, optional_text
from digest.sources.hf_daily import READER as HF_DAILY
from digest.sources.jsondoc import iter_array_file, iter_jsonl, json_type, looks_like_json
from digest.sources.kaggle import READER as KAGGLE
from digest.sources.values import authors_value, iso_datetime, optional_url, string_list


def json_paper(record: object, where: str, *, order: int, source: str) -> Paper:
    """Return the Paper of one record of the schema above, or raise RecordError naming the field."""
    if not isinstance(record, dict):
        raise RecordError(f"{where}: expected a JSON object, got {json_type(record)}")
    ident = record.get("id")
    if ident is not None and not isinstance(ident, str):
        raise RecordError(f"{where}: 'id' must be a string, got {type(ident).__name__}")
    # An arXiv id (or abs/pdf URL) is recognised; any other id is the paper's own, kept as is.
    parsed = parse_arxiv_id(ident) if ident else None
    categories = _categories(record.get("categories"), where)
    url = optional_url(record.get("url"), where, "url")
    return build_paper(
        where,
        record.get("title"),
        record.get("abstract"),
        order=order,
        source=source,
        arxiv_id=ident.strip() if ident and parsed else None,
        own_id=ident if ident and not parsed else None,
        authors=authors_value(record.get("authors"), where),
        categories=categories,
        primary_category=categories[0] if categories else None,
        published=iso_datetime(record.get("date"), where, "date"),
        url=url or (arxiv_abs(parsed[0]) if parsed else None),
    )


def _categories(value: object, where: str) -> tuple[str, ...]:
    # Cleaned like every other text field: a lone surrogate ("\ud800") kept here crashed the
    # UTF-8 export (digest.json) long after the record was accepted.
    if value is None:
        return ()
    if isinstance(value, str):
        text = optional_text(value, where, "categories")
        return tuple(dict.fromkeys(text.split())) if text else ()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return string_list(value, where, "categories")
    raise RecordError(f"{where}: 'categories' must be a list of strings or a string")


class GenericJsonReader:
    """Read a JSON array of papers or JSON Lines in digest's minimal schema."""

    name = "json"
    description = "JSON array or JSON Lines of {title, abstract, id?, authors?, date?, url?, ...}"

    def sniff(self, path: Path, head: bytes) -> bool:
        # The catch-all for JSON: the formats with a recognisable shape claim their files first,
        # whatever order the registry tries readers in.
        return (
            looks_like_json(head)
            and not HF_DAILY.sniff(path, head)
            and not KAGGLE.sniff(path, head)
        )

    def read(self, path: Path) -> Iterator[Paper]:
        source = f"file:{path.name}"
        for number, (line, record) in enumerate(_records(path), start=1):
            where = f"paper {number} in '{path}' (line {line})"
            try:
                yield json_paper(record, where, order=number - 1, source=source)
            except RecordError as exc:
                log.warning("Error reading %s", exc)


def _records(path: Path) -> Iterable[tuple[int, Any]]:
    """Return ``(line, record)`` pairs, streamed one record at a time from either shape."""
    first = _first_byte(path)
    if not first:
        raise SourceError(f"'{path}' is empty: expected a JSON array or JSON Lines of papers")
    if first == b"[":
        return iter_array_file(path)
    return iter_jsonl(path)


def _first_byte(path: Path) -> bytes:
    """Return the first byte that is not whitespace or a BOM, reading no more than needed."""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(65536):
                stripped = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")
                if stripped:
                    return stripped[:1]
    except OSError as exc:
        raise SourceError(f"Cannot read '{path}': {exc.strerror}") from exc
    return b""


READER = GenericJsonReader()

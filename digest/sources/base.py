"""What every reader shares: the Reader protocol and the record-to-Paper builder."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from digest.diagnostics import log
from digest.errors import SourceError
from digest.identity import paper_key, parse_arxiv_id
from digest.links import code_urls
from digest.model import Author, Paper
from digest.sources.hygiene import clean_field

#: A title longer than this is almost certainly an abstract read out of step.
MAX_TITLE_CHARS = 600


class Reader(Protocol):
    """A reader of one input format, registered by name in :mod:`digest.sources`."""

    name: str
    description: str

    def sniff(self, path: Path, head: bytes) -> bool:
        """Return True if a file starting with ``head`` looks like this format."""

    def read(self, path: Path) -> Iterator[Paper]:
        """Yield the papers of ``path``; log and skip bad records, raise on a bad file."""


class RecordError(SourceError):
    """One record is unusable; readers log it, skip it and go on."""


def optional_text(value: object, where: str, name: str) -> str | None:
    """Return ``value`` cleaned, None if absent or blank; raise if it is not a string.

    Control characters and non-characters are removed with a warning naming the field.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{where}: '{name}' must be a string, got {type(value).__name__}")
    cleaned = clean_field(value)
    if cleaned.removed:
        log.warning(
            "%s: removed %d control or non-character code point(s) from '%s'",
            where,
            cleaned.removed,
            name,
        )
    return cleaned.text or None


def require_text(value: object, where: str, name: str) -> str:
    """Return ``value`` cleaned, or raise naming the record and field if it is not usable text."""
    if value is None:
        raise RecordError(f"{where}: missing '{name}'")
    text = optional_text(value, where, name)
    if text is None:
        raise RecordError(f"{where}: '{name}' is empty")
    return text


def build_paper(
    where: str,
    title: object,
    abstract: object,
    *,
    order: int,
    source: str,
    arxiv_id: str | None = None,
    own_id: str | None = None,
    authors: Sequence[str] = (),
    abstract_where: str | None = None,
    **fields: Any,
) -> Paper:
    """Clean and check one record and return its Paper, or raise RecordError naming the field.

    ``fields`` are further :class:`Paper` fields (dates, categories, links...) that the reader
    has already parsed; ``abstract_where`` names the abstract's place when it differs (its own
    line); ``arxiv_id`` may be an id or an abs/pdf URL, with or without version; ``own_id``
    is a source's own id for a paper without an arXiv id (kept as the paper's key).
    """
    clean_title = require_text(title, where, "title")
    clean_abstract = require_text(abstract, abstract_where or where, "abstract")
    if len(clean_title) > MAX_TITLE_CHARS:
        log.warning(
            "%s: title is %d characters long; are title and abstract lines out of step?",
            where,
            len(clean_title),
        )
    ident: str | None = None
    if arxiv_id:
        parsed = parse_arxiv_id(arxiv_id)
        if parsed is None:
            raise RecordError(f"{where}: 'id' {arxiv_id!r} is not an arXiv id")
        ident = parsed[0]
        fields.setdefault("version", parsed[1])
    names = (clean_field(a).text for a in authors)
    found = code_urls(clean_abstract)
    fields["code_urls"] = tuple(dict.fromkeys((*fields.get("code_urls", ()), *found)))
    own = optional_text(own_id, where, "id") if own_id is not None and ident is None else None
    return Paper(
        key=paper_key(ident, clean_title, own),
        title=clean_title,
        abstract=clean_abstract,
        arxiv_id=ident,
        authors=tuple(Author(n) for n in names if n),
        sources=(source,),
        order=order,
        **fields,
    )


def read_text_file(path: Path) -> str:
    """Read ``path`` as UTF-8 (BOM allowed), failing with the byte offset of bad bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"Cannot read '{path}': {exc.strerror}") from exc
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + bom  # an offset into the file, as a hex editor shows it
        raise SourceError(
            f"'{path}' is not UTF-8: byte offset {offset} (0x{data[offset]:02x}) cannot be decoded"
        ) from exc

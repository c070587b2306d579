"""Field values the readers share: dates, author lists, optional text and string lists.

Each parser names the record and field it was given when a value is unusable, so that a reader
can log the problem and skip just that record (``RecordError``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from digest.diagnostics import log
from digest.links import safe_url
from digest.sources.base import RecordError, optional_text
from digest.sources.hygiene import clean_field

# Authors are separated by commas or semicolons (optionally followed by "and") or by a bare
# "and": "A, B, and C", "A, B and C", "A and B". Whitespace around "and" keeps "Anand" whole.
_AUTHOR_SEPARATOR = re.compile(r"\s*[,;]\s*(?:and\s+)?|\s+and\s+")
_PARENTHESISED = re.compile(r"\([^()]*\)")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as Latin-1 or cp1252 on its way to us (``JosÃ©``).

    Some arXiv API answers of 2026 carry every non-ASCII character this way (``π`` arrives as
    ``Ï`` and U+0080); stripping the C1 control would leave ``Ï``. The repair is kept only if the
    whole string round-trips to valid UTF-8, which genuine Latin-1 text (``naïve``, ``Pál``)
    never does.
    """
    if text.isascii():
        return text
    for codec in ("latin-1", "cp1252"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


def optional_url(value: object, where: str, name: str) -> str | None:
    """Return an http(s) URL, or None; a ``javascript:`` or other link is dropped with a warning.

    A bad link is no reason to lose the paper, but it must never reach a page.
    """
    url = optional_text(value, where, name)
    if url is not None and not safe_url(url):
        log.warning("%s: ignored '%s' %r: not an http(s) URL", where, name, url)
        return None
    return url


def string_list(value: object, where: str, name: str) -> tuple[str, ...]:
    """Return a list of strings cleaned, without blanks or repeats, in the source's order."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RecordError(f"{where}: '{name}' must be a list of strings")
    items = (optional_text(item, where, name) for item in value)
    return tuple(dict.fromkeys(item for item in items if item))


def split_authors(text: str) -> list[str]:
    """Split a one-string author list into names, dropping parenthesised affiliations.

    arXiv writes affiliations in parentheses, ``A. Smith (MIT, Cambridge) and B. Jones``;
    splitting inside them would turn a place into an author.
    """
    names: list[str] = []
    start = depth = scanned = 0
    for match in _AUTHOR_SEPARATOR.finditer(text):
        depth += text.count("(", scanned, match.start()) - text.count(")", scanned, match.start())
        scanned = match.start()
        if depth > 0:
            continue
        names.append(text[start : match.start()])
        start = match.end()
    names.append(text[start:])
    cleaned = (clean_field(_without_parentheses(name)).text for name in names)
    return [name for name in cleaned if name]


def _without_parentheses(text: str) -> str:
    while True:
        shorter = _PARENTHESISED.sub(" ", text)
        if shorter == text:
            return text
        text = shorter


def authors_value(value: object, where: str, name: str = "authors") -> list[str]:
    """Return author names from a list of strings or from one comma/"and"-joined string."""
    if value is None:
        return []
    if isinstance(value, str):
        return split_authors(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item for item in value if item.strip()]
    raise RecordError(f"{where}: '{name}' must be a list of strings or a string")


def iso_datetime(value: object, where: str, name: str) -> datetime | None:
    """Parse an ISO 8601 date or date-time; a value without a time zone is taken as UTC.

    A date alone (``2008-11-26``) becomes midnight UTC: feeds need aware datetimes, and a
    fixed zone keeps rebuilds on machines in other zones byte-identical.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"{where}: '{name}' must be a date string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(f"{where}: '{name}' {value!r} is not an ISO 8601 date") from None
    return _aware(parsed)


def rfc2822_datetime(value: object, where: str, name: str) -> datetime | None:
    """Parse an e-mail style date (``Mon, 2 Apr 2007 19:18:42 GMT``) as RSS and OAI use."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"{where}: '{name}' must be a date string, got {type(value).__name__}")
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        raise RecordError(f"{where}: '{name}' {value!r} is not an RFC 2822 date") from None
    return _aware(parsed)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment

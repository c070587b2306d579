"""The inbox: a folder of raw answers, one file per answer, that ``digest build`` reads.

Names are deterministic (source, query, query hash, date), so fetching the same thing again on
the same day replaces the file instead of adding one. Files are only ever written whole
(temporary file, then ``os.replace``) and never edited in place; a failed fetch writes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from digest.atomic import write_file
from digest.errors import FetchError
from digest.model import Paper

DEFAULT_INBOX = "inbox"
_UNSAFE = re.compile(r"[^A-Za-z0-9.]+")
_SLUG_CHARS = 40


@dataclass(frozen=True)
class Answer:
    """One fetched answer worth keeping: where it came from, its bytes, the papers in it."""

    url: str
    body: bytes
    papers: tuple[Paper, ...]


@dataclass(frozen=True)
class InboxFile:
    """A file to put in the inbox: its name there and its bytes."""

    name: str
    body: bytes


@dataclass(frozen=True)
class SaveReport:
    """What saving changed, in file names, for the command's summary."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def query_hash(query: str) -> str:
    """Return a short stable hash of a query, to tell apart queries with the same slug."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()[:10]


def _slug(text: str) -> str:
    return _UNSAFE.sub("-", text).strip("-.")[:_SLUG_CHARS].rstrip("-.") or "query"


def api_prefix(query: str, day: date) -> str:
    """Return the common start of the names of one query's pages fetched on ``day``."""
    return f"arxiv-api-{_slug(query)}-{query_hash(query)}-{day.isoformat()}"


def api_name(query: str, day: date, page: int) -> str:
    """Return the name of page ``page`` (from 1) of ``query`` fetched on ``day``."""
    return f"{api_prefix(query, day)}-p{page:03d}.xml"


def rss_name(category: str, day: date) -> str:
    """Return the name of the RSS listing of ``category`` fetched on ``day``."""
    return f"arxiv-rss-{_slug(category)}-{query_hash(category)}-{day.isoformat()}.xml"


def hf_name(day: date) -> str:
    """Return the name of the Hugging Face daily papers of ``day`` (the day listed)."""
    return f"hf-daily-{day.isoformat()}.json"


class Inbox:
    """The folder of fetched answers."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def files(self) -> list[Path]:
        """Return the answers in the inbox, sorted by name (what ``digest build`` should read)."""
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.iterdir() if p.is_file() and not p.name.startswith("."))

    def read(self, name: str) -> bytes | None:
        """Return the bytes of the stored file ``name``, or None if there is none."""
        try:
            return (self.path / name).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise FetchError(f"Cannot read '{self.path / name}': {exc.strerror}") from exc

    def stale_pages(self, prefix: str, keep: Sequence[str]) -> list[str]:
        """Return pages ``prefix-p*.xml`` of an earlier, longer fetch that ``keep`` lacks."""
        pattern = re.compile(re.escape(prefix) + r"-p\d{3,}\.xml")
        kept = set(keep)
        return sorted(
            p.name for p in self.files() if pattern.fullmatch(p.name) and p.name not in kept
        )

    def check(self) -> None:
        """Raise FetchError now if the inbox cannot be a folder, before anything is fetched."""
        if self.path.exists() and not self.path.is_dir():
            raise FetchError(f"The inbox '{self.path}' exists and is not a folder")

    def save(self, files: Sequence[InboxFile], remove: Sequence[str] = ()) -> SaveReport:
        """Write ``files`` whole, leaving identical ones untouched, then delete ``remove``."""
        self.check()
        written, unchanged = [], []
        try:
            for item in sorted(files, key=lambda f: f.name):
                target = self.path / item.name
                if self.read(item.name) == item.body:
                    unchanged.append(item.name)
                    continue
                write_file(target, item.body)
                written.append(item.name)
            for name in sorted(remove):
                (self.path / name).unlink(missing_ok=True)
        except OSError as exc:
            where = exc.filename or self.path
            raise FetchError(f"Cannot write to the inbox '{where}': {exc.strerror}") from exc
        return SaveReport(tuple(written), tuple(unchanged), tuple(sorted(remove)))

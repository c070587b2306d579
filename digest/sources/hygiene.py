"""Text hygiene at ingest: one place decides what a title or abstract may contain."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# C0/C1 controls except tab and newline, U+FFFE/U+FFFF, and lone surrogates (which a
# `surrogateescape` or JSON `\ud800` can smuggle in): feedgen accepts them and then fails when
# serialising the whole feed, and XML 1.0 forbids them.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Cleaned:
    """A normalised string and how many forbidden characters were removed from it."""

    text: str
    removed: int


def clean_field(value: str) -> Cleaned:
    """Strip forbidden characters, apply NFC, and fold all whitespace runs to one space.

    Hard-wrapped arXiv text (``\\n  ``), non-breaking spaces and CRLF all end up as single
    spaces, so keys, slugs and keywords never depend on how a source wrapped its lines.
    """
    stripped, removed = _BAD_CHARS.subn("", value)
    text = unicodedata.normalize("NFC", stripped)
    return Cleaned(_SPACES.sub(" ", text).strip(), removed)

"""A paper as one line of JSON, and back: the kept state's record of every paper seen.

Records leave out empty fields and sort their keys, so a paper's line is short (about 1.5 KB
for an arXiv abstract, tests/test_state.py) and the same paper always writes the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from digest.model import Author, Paper

_PAPER_FIELDS = {f.name: f for f in fields(Paper)}
_DATES = ("published", "updated")


@dataclass(frozen=True)
class StoredPaper:
    """A paper as the state knows it, with the date it was first seen (its issue's date)."""

    paper: Paper
    first_seen: datetime


class RecordError(ValueError):
    """A line of the kept state is not a paper record."""


def dump_record(stored: StoredPaper) -> str:
    """Return ``stored`` as one line of JSON (no newline)."""
    paper = stored.paper
    data: dict[str, Any] = {"seen": stored.first_seen.isoformat()}
    for name, spec in _PAPER_FIELDS.items():
        value = getattr(paper, name)
        if value == spec.default and name != "key":
            continue
        if name in _DATES:
            value = value.isoformat()
        elif name == "authors":
            value = [a.name for a in value]
        data[name] = value
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def load_record(line: str) -> StoredPaper:
    """Parse one line of :func:`dump_record`; raise RecordError saying what is wrong."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise RecordError(f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise RecordError("not a JSON object")
    try:
        seen = datetime.fromisoformat(data.pop("seen"))
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name not in _PAPER_FIELDS:
                raise RecordError(f"unknown field {name!r}")
            if name in _DATES:
                value = datetime.fromisoformat(value)
            elif name == "authors":
                value = tuple(Author(str(a)) for a in value)
            elif isinstance(value, list):
                value = tuple(value)
            values[name] = value
        return StoredPaper(Paper(**values), seen)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, RecordError):
            raise
        raise RecordError(f"not a paper record ({type(exc).__name__}: {exc})") from None

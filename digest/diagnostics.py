"""Warnings are logged once and counted, so that ``--strict`` can turn them into failure.

Like MkDocs' ``CountHandler``: library code just logs to the ``digest`` logger; the pipeline
counts what was logged during a stage and decides whether the run may go on.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from digest.errors import StrictError

log = logging.getLogger("digest")


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """Return "1 paper", "2 papers": a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


class WarningCounter(logging.Handler):
    """Count records at WARNING and above, keeping their messages for the summary."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []
        self.hidden = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.hidden += int(getattr(record, "repeats", 0))

    @property
    def count(self) -> int:
        """Warnings logged, those folded into a summary (see :func:`summarised`) included."""
        return len(self.messages) + self.hidden


@contextmanager
def counting_warnings() -> Iterator[WarningCounter]:
    """Count warnings logged to ``digest`` while the block runs."""
    counter = WarningCounter()
    log.addHandler(counter)
    try:
        yield counter
    finally:
        log.removeHandler(counter)


#: Warnings of one kind shown before the rest are summarised (see :func:`summarised`).
SHOWN_REPEATS = 5
# What tells warnings of one kind apart: not their numbers or quoted values.
_VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|\d+")


class _Repeats(logging.Filter):
    """Let the first :data:`SHOWN_REPEATS` warnings of each kind through; count the others."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        kind = _VALUES.sub("_", record.getMessage())
        self.seen[kind] += 1
        return self.seen[kind] <= SHOWN_REPEATS


@contextmanager
def summarised() -> Iterator[None]:
    """Show the first few warnings of each kind, then one line saying how many more there were.

    A file of 1,000 bad records says so in a few lines, not a thousand; the warning count
    (``--strict``, the build's summary) still counts every one.
    """
    repeats = _Repeats()
    log.addFilter(repeats)
    try:
        yield
    finally:
        log.removeFilter(repeats)
        # In the order the kinds first came, each summary after that kind's warnings.
        for count in repeats.seen.values():
            more = count - SHOWN_REPEATS
            if more > 0:
                log.warning(
                    "... and %s like it",
                    plural(more, "more warning"),
                    extra={"repeats": more - 1},
                )


def check_strict(strict: bool, counter: WarningCounter) -> None:
    """Fail the run under ``--strict`` once anything was warned about."""
    if strict and counter.count:
        raise StrictError(
            f"{plural(counter.count, 'warning')} with --strict; the site is unchanged. First: "
            f"{counter.messages[0]}"
        )

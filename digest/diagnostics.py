"""Warnings are logged once and counted, so that ``--strict`` can turn them into failure.

Like MkDocs' ``CountHandler``: library code just logs to the ``digest`` logger; the pipeline
counts what was logged during a stage and decides whether the run may go on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from digest.errors import StrictError

log = logging.getLogger("digest")


class WarningCounter(logging.Handler):
    """Count records at WARNING and above, keeping their messages for the summary."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    @property
    def count(self) -> int:
        return len(self.messages)


@contextmanager
def counting_warnings() -> Iterator[WarningCounter]:
    """Count warnings logged to ``digest`` while the block runs."""
    counter = WarningCounter()
    log.addHandler(counter)
    try:
        yield counter
    finally:
        log.removeHandler(counter)


def check_strict(strict: bool, counter: WarningCounter) -> None:
    """Fail the run under ``--strict`` once anything was warned about."""
    if strict and counter.count:
        raise StrictError(
            f"{counter.count} warning(s) with --strict; the site is unchanged. First: "
            f"{counter.messages[0]}"
        )

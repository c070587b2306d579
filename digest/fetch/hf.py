"""Hugging Face daily papers: the curated list of one day, asked for that day and the day before.

Curation lags: papers keep being added to a day after it is over, so each run asks for the
given day and the one before, and the inbox keeps one whole answer per day. An answer that has
lost papers the stored one had (a partial answer) does not replace it.
"""

from __future__ import annotations

import urllib.parse
from datetime import date, timedelta

from digest.diagnostics import log
from digest.errors import FetchError, SourceError
from digest.fetch.http import HttpClient, Pace
from digest.fetch.inbox import Answer
from digest.model import Paper
from digest.sources.hf_daily import parse_hf_daily

HF_URL = "https://huggingface.co/api/daily_papers"
PACE = Pace("huggingface", 1.0)


def days_to_fetch(day: date) -> tuple[date, date]:
    """Return the days a run for ``day`` asks for: the day before first, then ``day``."""
    return day - timedelta(days=1), day


def fetch_day(client: HttpClient, day: date, *, base_url: str = HF_URL) -> Answer:
    """Fetch the daily papers of ``day``; raise FetchError if the answer is unusable."""
    url = f"{base_url}?{urllib.parse.urlencode({'date': day.isoformat()})}"
    body = client.get(url, expect="json", pace=PACE)
    try:
        papers = parse_hf_daily(body, url)
    except SourceError as exc:
        raise FetchError(f"Hugging Face daily papers of {day.isoformat()}: {exc}") from None
    log.info("Hugging Face daily papers of %s: %d papers", day.isoformat(), len(papers))
    return Answer(url, body, papers)


def keep_fuller(new: Answer, stored: bytes | None, origin: str) -> bool:
    """Return True if ``new`` should replace the ``stored`` answer of the same day.

    A day's list only grows, so an answer lacking papers the stored one has is partial: it is
    kept out when it adds nothing, and replaces the stored one with a warning when it adds some
    papers but drops others (the newest answer wins; the dropped ones are named by count).
    """
    if stored is None:
        return True
    try:
        old_keys = _keys(parse_hf_daily(stored, origin))
    except SourceError:
        return True
    new_keys = _keys(new.papers)
    lost = old_keys - new_keys
    if not lost:
        return True
    if new_keys <= old_keys:
        log.info(
            "Kept '%s': it holds %d papers the new answer lacks, and the new one adds none",
            origin,
            len(lost),
        )
        return False
    log.warning(
        "Replacing '%s': the new answer adds %d papers but lacks %d the stored one had",
        origin,
        len(new_keys - old_keys),
        len(lost),
    )
    return True


def _keys(papers: tuple[Paper, ...]) -> frozenset[str]:
    return frozenset(p.key for p in papers)

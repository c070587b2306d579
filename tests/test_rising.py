"""Rising topics: a keyword's recent share against its baseline share, with support and a z test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.config import RisingConfig
from digest.model import Entry, Keyword, Paper, Placement
from digest.themes.rising import rising_topics

TODAY = datetime(2026, 4, 28, tzinfo=UTC)


def _entry(index: int, day: int, keys: list[str]) -> Entry:
    paper = Paper(key=f"p{index:03d}", title=f"Paper {index}", abstract="Text.", order=index)
    keywords = tuple(Keyword(k, k.title(), 0.1) for k in keys)
    return Entry(paper, keywords, (Placement("t", ()),), TODAY - timedelta(days=day))


def _corpus(recent_hits: int, baseline_hits: int) -> list[Entry]:
    """35 days, 4 papers a day; 'diffusion' in the given number of recent/baseline papers."""
    entries = []
    index = 0
    recent_left, baseline_left = recent_hits, baseline_hits
    for day in range(35):
        for _ in range(4):
            keys = ["filler"]
            if day < 7 and recent_left:
                keys.append("diffusion")
                recent_left -= 1
            elif day >= 7 and baseline_left:
                keys.append("diffusion")
                baseline_left -= 1
            entries.append(_entry(index, day, keys))
            index += 1
    return entries


def test_a_keyword_much_more_common_recently_is_rising() -> None:
    [topic] = rising_topics(_corpus(recent_hits=8, baseline_hits=4), TODAY, RisingConfig())
    assert (topic.key, topic.text, topic.recent, topic.baseline) == ("diffusion", "Diffusion", 8, 4)
    assert topic.recent_share == 8 / 28 and topic.baseline_share == 4 / 112
    assert topic.score > 2.0
    assert len(topic.series) == 35 and sum(topic.series) == 12
    assert topic.series[-1] == 4, "the series ends on the latest day"
    assert len(topic.paper_keys) == 8
    assert topic.paper_keys[0] == "p000", "newest first"


def test_steady_keywords_and_thin_support_do_not_rise() -> None:
    assert rising_topics(_corpus(recent_hits=2, baseline_hits=8), TODAY, RisingConfig()) == ()
    # Rising share but only 2 recent papers: below the minimum support of 3.
    assert rising_topics(_corpus(recent_hits=2, baseline_hits=0), TODAY, RisingConfig()) == ()
    # Same share in both windows.
    assert rising_topics(_corpus(recent_hits=7, baseline_hits=28), TODAY, RisingConfig()) == ()


def test_no_baseline_means_nothing_rises() -> None:
    recent_only = [e for e in _corpus(8, 0) if e.listed.date() > (TODAY - timedelta(days=7)).date()]
    assert rising_topics(recent_only, TODAY, RisingConfig()) == ()


def test_windows_and_thresholds_are_settings() -> None:
    entries = _corpus(recent_hits=8, baseline_hits=4)
    assert rising_topics(entries, TODAY, RisingConfig(min_support=9)) == ()
    assert rising_topics(entries, TODAY, RisingConfig(min_z=50.0)) == ()
    assert len(rising_topics(entries, TODAY, RisingConfig(max_topics=1))) == 1

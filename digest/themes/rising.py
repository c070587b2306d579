"""Rising topics: keywords whose share of recent papers is significantly above their baseline.

A keyword rises when, among papers first seen in the recent window (say the last 7 days), the
share carrying it is well above its share in the baseline window just before (say the 28 days
before that): a two-proportion z-test with at least ``min_support`` recent papers, so one busy
day of a rare keyword does not count. Pure function of the entries and the build date.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from digest.config import RisingConfig
from digest.model import Entry, RisingTopic

#: The recent share must also be this many times the (smoothed) baseline share.
MIN_RATIO = 1.5


def rising_topics(
    entries: Sequence[Entry], as_of: datetime, settings: RisingConfig
) -> tuple[RisingTopic, ...]:
    """Return the rising topics as of ``as_of``, strongest first (empty without a baseline)."""
    today = as_of.date()
    recent_start = today - timedelta(days=settings.recent_days - 1)
    baseline_start = recent_start - timedelta(days=settings.baseline_days)
    recent = [e for e in entries if recent_start <= e.listed.date() <= today]
    baseline = [e for e in entries if baseline_start <= e.listed.date() < recent_start]
    if not recent or not baseline:
        return ()
    r_counts = _counts(recent)
    b_counts = _counts(baseline)
    topics = []
    total_r, total_b = len(recent), len(baseline)
    for key, r in r_counts.items():
        b = b_counts.get(key, 0)
        if r < settings.min_support:
            continue
        z = _z(r, total_r, b, total_b)
        ratio = (r / total_r) / ((b + 0.5) / total_b)
        if z < settings.min_z or ratio < MIN_RATIO:
            continue
        topics.append((-round(z, 9), key, r, b, z))
    topics.sort()
    days = [
        baseline_start + timedelta(days=i)
        for i in range(settings.baseline_days + settings.recent_days)
    ]
    chosen = topics[: settings.max_topics]
    series = _series(entries, {key for _, key, _, _, _ in chosen}, days)
    result = []
    for _, key, r, b, z in chosen:
        carrying = [e for e in recent if any(k.key == key for k in e.keywords)]
        carrying.sort(key=lambda e: (-e.listed.timestamp(), e.paper.order))
        # As the first paper of the row writes it ("latent spaces", "latent space").
        text = next(k.text for k in carrying[0].keywords if k.key == key)
        result.append(
            RisingTopic(
                key=key,
                text=text,
                recent=r,
                baseline=b,
                recent_share=r / total_r,
                baseline_share=b / total_b,
                score=z,
                series=series[key],
                paper_keys=tuple(e.paper.key for e in carrying),
            )
        )
    return tuple(result)


def _counts(entries: Sequence[Entry]) -> Counter[str]:
    return Counter(k for e in entries for k in {kw.key for kw in e.keywords})


def _z(r: int, total_r: int, b: int, total_b: int) -> float:
    """Two-proportion z statistic of r/total_r against b/total_b (pooled variance)."""
    pooled = (r + b) / (total_r + total_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total_r + 1 / total_b))
    return (r / total_r - b / total_b) / spread if spread else 0.0


def _series(
    entries: Sequence[Entry], keys: set[str], days: Sequence[date]
) -> dict[str, tuple[int, ...]]:
    """Return, for each of ``keys``, how many papers carried it on each of ``days`` (one pass
    over the entries, not one per topic)."""
    window = set(days)
    per_day: dict[str, Counter[date]] = {key: Counter() for key in keys}
    for entry in entries:
        day = entry.listed.date()
        if day in window:
            for key in {k.key for k in entry.keywords} & keys:
                per_day[key][day] += 1
    return {key: tuple(per_day[key].get(day, 0) for day in days) for key in keys}

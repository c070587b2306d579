"""One paper, one record: merge what several sources say about the same paper."""

from __future__ import annotations

from dataclasses import fields, replace

from digest.model import Paper


def merge_papers(papers: list[Paper]) -> list[Paper]:
    """Merge papers that share a key, keeping the first one's position in the input order."""
    merged: dict[str, Paper] = {}
    for paper in papers:
        known = merged.get(paper.key)
        merged[paper.key] = paper if known is None else merge_two(known, paper)
    return sorted(merged.values(), key=lambda p: p.order)


def merge_two(first: Paper, second: Paper) -> Paper:
    """Combine two records of one paper.

    The newer version wins for its text and dates; fields one record lacks are filled from the
    other; sources, code links and source keywords are unions. Order stays the earliest.
    """
    newer, older = (second, first) if (second.version or 0) > (first.version or 0) else (first, second)
    values = {}
    for f in fields(Paper):
        mine, theirs = getattr(newer, f.name), getattr(older, f.name)
        values[f.name] = theirs if mine in (None, (), "") else mine
    values["sources"] = tuple(sorted(set(first.sources) | set(second.sources)))
    values["code_urls"] = tuple(sorted(set(first.code_urls) | set(second.code_urls)))
    values["source_keywords"] = tuple(
        dict.fromkeys(first.source_keywords + second.source_keywords)
    )
    values["order"] = min(first.order, second.order)
    return replace(newer, **values)

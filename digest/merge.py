"""One paper, one record: merge what several sources say about the same paper."""

from __future__ import annotations

from dataclasses import fields, replace

from digest.model import Paper


def merge_papers(papers: list[Paper]) -> list[Paper]:
    """Merge papers that share a key; return them by ``order`` (the earliest rank), then key."""
    merged: dict[str, Paper] = {}
    for paper in papers:
        known = merged.get(paper.key)
        merged[paper.key] = paper if known is None else merge_two(known, paper)
    return sorted(merged.values(), key=lambda p: (p.order, p.key))


#: Sources that carry arXiv's own metadata; their text wins over a copy made elsewhere.
ARXIV_SOURCES = frozenset({"arxiv", "kaggle"})


def merge_two(first: Paper, second: Paper) -> Paper:
    """Combine two records of one paper.

    The newer version wins for its text and dates, and at equal (or unknown) versions arXiv's
    own metadata wins over a copy such as Hugging Face's; then the earlier record wins. Fields
    the winner lacks are filled from the other, so Hugging Face adds upvotes, a project page and
    its keywords to an arXiv paper. Sources, code links and source keywords are unions; upvotes
    only grow, so the larger count is kept. Order stays the earliest.
    """
    newer, older = (second, first) if _rank(second) > _rank(first) else (first, second)
    values = {}
    for f in fields(Paper):
        mine, theirs = getattr(newer, f.name), getattr(older, f.name)
        values[f.name] = theirs if mine in (None, (), "") else mine
    values["sources"] = tuple(sorted(set(first.sources) | set(second.sources)))
    values["code_urls"] = tuple(sorted(set(first.code_urls) | set(second.code_urls)))
    values["source_keywords"] = tuple(dict.fromkeys(newer.source_keywords + older.source_keywords))
    votes = [v for v in (first.upvotes, second.upvotes) if v is not None]
    values["upvotes"] = max(votes) if votes else None
    values["order"] = min(first.order, second.order)
    return replace(newer, **values)


def _rank(paper: Paper) -> tuple[int, bool]:
    return paper.version or 0, not ARXIV_SOURCES.isdisjoint(paper.sources)

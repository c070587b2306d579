"""How a card shows a paper's abstract and authors: a long abstract folds behind a teaser.

A folded abstract is shown as a teaser of about TEASER_CHARS characters, cut between words and
never inside a formula, with the whole abstract in a closed <details> below it. The search
index holds only the head of the teaser (INDEXED_CHARS): the rest of the page text a card
shows is marked for Material's search to skip, which bounds the index of a large site.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from digest.writers.escape import Span, html_spans, markdown_spans, split_math

#: Abstracts longer than this are folded: a teaser, then the whole abstract in a <details>.
FOLD_CHARS = 320
#: About how much of a folded abstract the teaser shows,
TEASER_CHARS = 180
#: and how much of it the search index holds: with the title, the authors and the first
#: INDEXED_KEYWORDS keywords, about 400 bytes a paper (bench/search_index.py).
INDEXED_CHARS = 90
INDEXED_KEYWORDS = 5
#: Authors named on a card; the rest are counted (digest.json lists them all).
CARD_AUTHORS = 8


@dataclass(frozen=True)
class ShownAbstract:
    """An abstract as a card shows it, each part Markdown (escaped text, math kept)."""

    whole: Markup
    #: The whole abstract as HTML (escaped text, math spans), for the folded <details>.
    whole_html: Markup
    #: The searched head of the teaser, None when the abstract is short enough to show whole.
    teaser: Markup | None
    #: The rest of the teaser, shown but not searched.
    teaser_more: Markup


def shown_abstract(text: str) -> ShownAbstract:
    """Return ``text`` whole, and as a searched teaser head and its shown rest when long."""
    spans = split_math(text)
    if sum(len(s.text) for s in spans) <= FOLD_CHARS:
        return ShownAbstract(markdown_spans(spans), Markup(""), None, Markup(""))
    head, more = split_spans(teaser(spans), INDEXED_CHARS)
    return ShownAbstract(
        markdown_spans(spans), html_spans(spans), markdown_spans(head), markdown_spans(more)
    )


def teaser(spans: Sequence[Span], limit: int = TEASER_CHARS) -> list[Span]:
    """Return the opening spans of a text, about ``limit`` characters, cut between words.

    Math is never cut: a formula that does not fit ends the teaser before it (unless it is the
    very first span, which is kept whole so that the teaser is never empty).
    """
    out: list[Span] = []
    used = 0
    for span in spans:
        room = limit - used
        if len(span.text) <= room or (not out and span.math):
            out.append(span)
            used += len(span.text)
            continue
        if not span.math:
            cut = span.text[: room + 1].rsplit(" ", 1)[0].rstrip(" ,;:")
            if cut.strip():
                out.append(Span(cut))
        break
    if out and not out[-1].math:
        out[-1] = Span(out[-1].text.rstrip(" ,;:"))
    return out


def split_spans(spans: Sequence[Span], limit: int) -> tuple[list[Span], list[Span]]:
    """Split spans about ``limit`` characters in, between words and never inside math.

    The head is :func:`teaser`'s, a prefix of the text; the tail is everything after it.
    """
    head = teaser(spans, limit)
    cut = sum(len(s.text) for s in head)
    tail: list[Span] = []
    start = 0
    for span in spans:
        end = start + len(span.text)
        if end > cut:
            tail.append(span if start >= cut else Span(span.text[cut - start :], span.math))
        start = end
    return head, tail


def author_line(names: Sequence[str], limit: int = CARD_AUTHORS) -> str:
    """Return the authors a card names: the first ``limit``, then how many more."""
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"

"""Pictures drawn at build time: HTML bars and lists, and small SVG sparklines.

No script, no image files, no network. Bars are HTML (a label, a bar whose length is a CSS
variable, a value): their labels wrap whole and read at the page's own size on a phone, where
an SVG scaled to the screen shrank its text to a few pixels (tests/test_browser.py measures
both). Which themes share papers is a list of each theme's nearest themes, not a drawn graph:
drawn, 30 themes made a tangle of crossing lines. Sparklines are ``role="img"`` SVG with a
``<title>`` and ``<desc>``. Text is escaped with numeric character references, valid in HTML and
XML and inert as Markdown, so a picture may sit in a raw HTML block or in a Markdown table
alike; colours come from Material's CSS variables (``digest.css``), so both schemes read well.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from markupsafe import Markup

from digest.model import Digest
from digest.writers.escape import markdown_text

#: Themes listed as the nearest of each theme.
NEIGHBOURS = 3


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, and the page it links to."""

    label: str
    value: int
    href: str


@dataclass(frozen=True)
class Edge:
    """A weighted link between two nodes, by their index."""

    a: int
    b: int
    weight: int


def _text(value: str) -> str:
    return str(markdown_text(value))


def _attr(value: str) -> str:
    """Escape a value the writer built itself (an href, an id) for a double-quoted attribute."""
    return html.escape(value, quote=True)


def _num(value: float) -> str:
    """Format a coordinate with at most one decimal, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg(ident: str, width: int, height: int, title: str, desc: str, body: str) -> Markup:
    """Wrap ``body`` in an accessible, scalable ``<svg>`` on one line."""
    ident = _attr(ident)
    return Markup(
        f'<svg class="dg-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{_text(title)}</title>'
        f'<desc id="{ident}-desc">{_text(desc)}</desc>{body}</svg>'
    )


def bar_list(bars: Sequence[Bar], label: str) -> Markup:
    """Return a list of linked bars, the largest value full width, as one HTML block."""
    top = max((b.value for b in bars), default=0) or 1
    rows = "".join(
        f'<li><a class="dg-bars__row" href="{_attr(bar.href)}">'
        f'<span class="dg-bars__label">{_text(bar.label)}</span>'
        f'<span class="dg-bars__track"><span class="dg-bars__bar" '
        f'style="width: {_num(max(100 * bar.value / top, 0.5))}%"></span></span>'
        f'<span class="dg-bars__value">{bar.value}</span></a></li>'
        for bar in bars
    )
    return Markup(f'<ol class="dg-bars" aria-label="{_attr(label)}">{rows}</ol>')


def neighbour_list(digest: Digest, neighbours: int = NEIGHBOURS) -> Markup:
    """Return, for each theme, the themes it shares the most with (papers, then keywords), as
    one HTML block of linked rows; links are relative to the themes page (``themes/``)."""
    themes = digest.themes
    near: dict[int, list[tuple[int, int]]] = {i: [] for i in range(len(themes))}
    for edge in theme_edges(digest, limit=len(themes) ** 2):
        near[edge.a].append((edge.weight, edge.b))
        near[edge.b].append((edge.weight, edge.a))
    rows = []
    for i, theme in enumerate(themes):
        best = sorted(near[i], key=lambda wb: (-wb[0], wb[1]))[:neighbours]
        if theme.is_other or not best:
            continue
        links = "".join(
            f'<a class="dg-near__link" href="{_attr(themes[j].slug)}/">{_text(themes[j].name)}'
            f' <span class="dg-near__weight">{weight}</span></a>'
            for weight, j in best
        )
        rows.append(
            f'<li><a class="dg-near__theme" href="{_attr(theme.slug)}/">{_text(theme.name)}</a>'
            f'<span class="dg-near__links">{links}</span></li>'
        )
    return Markup(f'<ul class="dg-near">{"".join(rows)}</ul>') if rows else Markup("")


def sparkline(series: Sequence[int], ident: str, title: str) -> Markup:
    """Return a small line of ``series`` (oldest first), its last point marked."""
    width, height, pad = 120, 28, 3
    top = max(series, default=0) or 1
    step = (width - 2 * pad) / max(len(series) - 1, 1)
    points = [
        (pad + i * step, height - pad - (height - 2 * pad) * value / top)
        for i, value in enumerate(series)
    ]
    body = ""
    if points:
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        x, y = points[-1]
        body = (
            f'<polyline class="dg-spark" points="{path}" fill="none" stroke="currentColor" '
            f'stroke-width="1.5" stroke-linejoin="round"/>'
            f'<circle class="dg-spark-end" cx="{_num(x)}" cy="{_num(y)}" r="2.5" '
            f'fill="currentColor"/>'
        )
    values = ", ".join(str(v) for v in series) or "none"
    return _svg(ident, width, height, title, f"Papers per day, oldest first: {values}.", body)


def theme_edges(digest: Digest, top_keywords: int = 15, limit: int = 60) -> list[Edge]:
    """Link themes that share papers (secondary placements) or frequent keywords.

    A theme's frequent keywords are the ``top_keywords`` most common among its papers; the
    weight of a pair is shared papers plus shared frequent keywords. The ``limit`` heaviest
    edges are kept, ties broken by theme order, so the map is deterministic.
    """
    themes = digest.themes
    index = {t.slug: i for i, t in enumerate(themes)}
    members: list[set[str]] = [set() for _ in themes]
    counts: list[dict[str, int]] = [{} for _ in themes]
    for entry in digest.entries:
        for place in entry.themes:
            i = index.get(place.theme_slug)
            if i is None:
                continue
            members[i].add(entry.paper.key)
            for kw in entry.keywords:
                counts[i][kw.key] = counts[i].get(kw.key, 0) + 1
    frequent = [
        {k for k, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:top_keywords]}
        for c in counts
    ]
    edges = []
    for a, b in combinations(range(len(themes)), 2):
        weight = len(members[a] & members[b]) + len(frequent[a] & frequent[b])
        if weight:
            edges.append(Edge(a, b, weight))
    edges.sort(key=lambda e: (-e.weight, e.a, e.b))
    return sorted(edges[:limit], key=lambda e: (e.a, e.b))

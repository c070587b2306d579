"""Pictures drawn at build time as static SVG text: no script, no image files, no network.

Every chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` it is labelled by, and the page
around it repeats its content as text (the themes list, the rising table), since assistive
technology does not enter an image. Colours are classes styled by ``digest.css`` from Material's
CSS variables, falling back to ``currentColor``, so the pictures follow the light and dark
schemes. Text comes from keywords and theme names: it is escaped with numeric character
references, which are valid XML and inert as Markdown, so a chart may sit in a raw HTML block
or inline in a Markdown table alike. Coordinates are rounded so the output is reproducible.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from markupsafe import Markup

from digest.model import Digest
from digest.writers.escape import markdown_text

#: Longest labels drawn, by chart; the full text stays in the tooltip and in the page's text.
BAR_LABEL = 38
MAP_LABEL = 28
#: Most edges the theme map draws: the strongest, so a large digest stays readable.
MAX_EDGES = 60


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, and the page it links to."""

    label: str
    value: int
    href: str


@dataclass(frozen=True)
class Node:
    """One node of a map: a label, a size (papers), and the page it links to."""

    label: str
    size: int
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


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


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


def bar_chart(bars: Sequence[Bar], ident: str, title: str) -> Markup:
    """Return a horizontal bar chart, one linked row per bar, largest value full width."""
    label_w, bar_w, row = 250, 330, 24
    width, height = label_w + bar_w + 60, max(row * len(bars), row)
    top = max((b.value for b in bars), default=0) or 1
    rows = []
    for i, bar in enumerate(bars):
        y = i * row
        length = max(bar_w * bar.value / top, 1.0)
        rows.append(
            f'<a href="{_attr(bar.href)}"><title>{_text(bar.label)}: {bar.value}</title>'
            f'<text class="dg-label" x="0" y="{y + 16}" fill="currentColor">'
            f"{_text(_short(bar.label, BAR_LABEL))}</text>"
            f'<rect class="dg-bar" x="{label_w}" y="{y + 4}" width="{_num(length)}" '
            f'height="{row - 8}" rx="2" fill="currentColor"/>'
            f'<text class="dg-value" x="{_num(label_w + length + 6)}" y="{y + 16}" '
            f'fill="currentColor">{bar.value}</text></a>'
        )
    described = "; ".join(f"{b.label}: {b.value}" for b in bars) or "no data"
    return _svg(ident, width, height, title, described, "".join(rows))


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


def circle_map(nodes: Sequence[Node], edges: Sequence[Edge], ident: str, title: str) -> Markup:
    """Return nodes on a circle (in the given order, clockwise from the top), edges as chords.

    A node's area follows its size, an edge's width and opacity its weight; labels sit outside
    the circle, anchored away from it, so the layout depends only on the input order.
    """
    # Room for a MAP_LABEL label (about 185 units at 12px) beyond the circle on either side.
    width, height, radius = 760, 440, 170
    cx, cy = width / 2, height / 2
    places = []
    for i in range(len(nodes)):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(nodes), 1)
        places.append((angle, cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    heaviest = max((e.weight for e in edges), default=0) or 1
    parts = []
    for edge in edges:
        (_, x1, y1), (_, x2, y2) = places[edge.a], places[edge.b]
        share = edge.weight / heaviest
        parts.append(
            f'<line class="dg-edge" x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" '
            f'y2="{_num(y2)}" stroke="currentColor" stroke-width="{_num(1 + 5 * share)}" '
            f'stroke-opacity="{0.15 + 0.5 * share:.2f}"><title>'
            f"{_text(nodes[edge.a].label)} and {_text(nodes[edge.b].label)}: {edge.weight}"
            f"</title></line>"
        )
    largest = max((n.size for n in nodes), default=0) or 1
    for node, (angle, x, y) in zip(nodes, places, strict=True):
        r = 4 + 10 * math.sqrt(node.size / largest)
        lx, ly = cx + (radius + r + 6) * math.cos(angle), cy + (radius + r + 6) * math.sin(angle)
        anchor = "middle" if abs(math.cos(angle)) < 0.2 else "start" if lx > cx else "end"
        parts.append(
            f'<a href="{_attr(node.href)}"><title>{_text(node.label)}: {node.size} papers</title>'
            f'<circle class="dg-node" cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" '
            f'fill="currentColor"/>'
            f'<text class="dg-label" x="{_num(lx)}" y="{_num(ly + 4)}" text-anchor="{anchor}" '
            f'fill="currentColor">{_text(_short(node.label, MAP_LABEL))}</text></a>'
        )
    pairs = "; ".join(f"{nodes[e.a].label} and {nodes[e.b].label} ({e.weight})" for e in edges[:10])
    desc = f"{len(nodes)} themes on a circle; the strongest links: {pairs or 'none'}."
    return _svg(ident, width, height, title, desc, "".join(parts))


def theme_edges(digest: Digest, top_keywords: int = 15, limit: int = MAX_EDGES) -> list[Edge]:
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

"""What the issue pages, the home page and the issues archive show of each issue.

An issue's papers are grouped by primary theme (:meth:`digest.model.Digest.issue_themes`): the
home page links a few papers of each group, an issue page shows each group's cards, folding all
but the first few. :class:`digest.writers.pages.PageWriter` renders them.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from digest.model import Digest, Entry, Issue, Theme
from digest.writers.cards import CardMaker, Link
from digest.writers.paging import ISSUE_PART, UP, paper_anchor, part_path

#: Cards of a theme an issue page shows before it folds the others.
ISSUE_SHOWN = 3


@dataclass(frozen=True)
class IssueGroup:
    """One theme's papers in an issue: links for the home page, cards for the issue page."""

    theme: Link
    papers: tuple[Link, ...]
    #: The cards shown, then the others folded in one raw HTML block ("" if none).
    cards: tuple[Markup, ...]
    folded: Markup
    #: The group's heading id on the issue page, and its link from elsewhere.
    anchor: Markup
    href: Markup
    #: Papers of the group not listed in ``papers`` (the home page lists a few).
    more: int = 0


def fold(theme: Theme, cards: Sequence[Markup]) -> tuple[tuple[Markup, ...], Markup]:
    """Show an issue's first :data:`ISSUE_SHOWN` cards of a theme; fold the rest away.

    A day of 200 papers is a page of 200 cards otherwise; folded, a reader scans every theme's
    best few and opens the rest where it interests them (tests/test_browser.py measures it).
    """
    shown, rest = tuple(cards[:ISSUE_SHOWN]), cards[ISSUE_SHOWN:]
    if not rest:
        return shown, Markup("")
    label = f"{len(rest)} more {'paper' if len(rest) == 1 else 'papers'} on {theme.name}"
    folded = (
        Markup('<details class="dg-fold"><summary>')
        + label
        + Markup("</summary>\n")
        + Markup("\n").join(rest)
        + Markup("\n</details>")
    )
    return shown, folded


def card_groups(
    cards: CardMaker, issue: Issue, run: Sequence[tuple[Theme, Entry]]
) -> list[IssueGroup]:
    """The groups of cards on one part of an issue page (``run``: its papers, by theme).

    A group is headed by :meth:`Issue.heading`; one cut by a part's end is headed on both
    parts, each with its own cards.
    """
    made = iter(cards.cards([cards.facts(e, UP, True, announced=True) for _, e in run]))
    return [
        IssueGroup(
            Link(issue.heading(theme), Markup(f"../themes/{theme.slug}.md")),
            (),
            *fold(theme, [next(made) for _ in pairs]),
            Markup(f"t-{theme.slug}"),
            Markup(""),
        )
        for theme, pairs in itertools.groupby(run, key=lambda te: te[0])
    ]


def run_links(
    page_of: Mapping[str, str], issue: Issue, run: Sequence[tuple[Theme, Entry]]
) -> list[IssueGroup]:
    """The groups of one part of an older issue page: links to the papers' cards, no cards.

    The cards stay on the theme pages; an issue page past ``issue_card_days`` keeps its parts
    and headings but lists titles, which is what a year of issues can afford (bench/scale.py).
    """
    return [
        IssueGroup(
            Link(issue.heading(theme), Markup(f"../themes/{theme.slug}.md")),
            tuple(Link(e.paper.title, card_href(page_of, e.paper.key, "../")) for _, e in pairs),
            (),
            Markup(""),
            Markup(f"t-{theme.slug}"),
            Markup(""),
        )
        for theme, pairs in itertools.groupby(run, key=lambda te: te[0])
    ]


def card_href(page_of: Mapping[str, str], key: str, up: str) -> Markup:
    """The Markdown link to a paper's card on its theme page, from a page ``up`` deep."""
    return Markup(f"{up}{page_of[key]}#{paper_anchor(key)}")


def link_groups(
    digest: Digest,
    page_of: Mapping[str, str],
    issue: Issue,
    depth: int,
    limit: int | None = None,
) -> list[IssueGroup]:
    """Group an issue's papers by primary theme (see :meth:`Digest.issue_themes`) as links.

    ``page_of`` gives each paper's theme page; ``limit`` bounds the links of each group (the
    home page); ``more`` counts the rest.
    """
    up = "../" * depth
    groups = []
    position = 0
    for theme, found in digest.issue_themes(issue):
        links = tuple(
            Link(e.paper.title, card_href(page_of, e.paper.key, up)) for e in found[:limit]
        )
        anchor = Markup(f"t-{theme.slug}")
        # The group's heading is on the part that holds its first card.
        part = part_path(f"issues/{issue.slug}.md", position // ISSUE_PART + 1)
        position += len(found)
        groups.append(
            IssueGroup(
                Link(issue.heading(theme), Markup(f"{up}themes/{theme.slug}.md")),
                links,
                (),
                Markup(""),
                anchor,
                Markup(f"{up}{part}#{anchor}"),
                len(found) - len(links),
            )
        )
    return groups


def archive(issues: Sequence[Issue]) -> list[tuple[str, list[tuple[Issue, Markup]]]]:
    """Return the issues grouped by month, in the order given (newest first)."""
    months: dict[str, list[tuple[Issue, Markup]]] = {}
    for issue in issues:
        month = issue.date.strftime("%B %Y")
        months.setdefault(month, []).append((issue, Markup(f"{issue.slug}.md")))
    return list(months.items())

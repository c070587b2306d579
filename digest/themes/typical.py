"""A theme's most typical papers first, and the headings of a theme's papers in a daily issue.

Both read whether papers carry a phrase of a name (:func:`digest.themes.naming.hits`): the top
of a theme page should show what its name says, and an issue's heading should be true of the
issue's papers, not only of the theme's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from digest.model import Entry, Theme
from digest.themes.nameable import Nameable
from digest.themes.naming import Name, hits
from digest.themes.options import display, name_options
from digest.themes.phrases import PhraseTable, count_phrases

#: An issue's group is shown under its theme's name when the name fits this share of it.
ISSUE_FIT = 0.5

#: Issue groups smaller than this are headed only by phrases of their papers' titles.
ISSUE_TITLED_BELOW = 4

#: Candidate phrases tried for an issue group.
ISSUE_CANDIDATES = 12

#: Exclusivity weight when naming one issue group against the whole corpus.
ISSUE_WEIGHT = 1.0

#: An issue of more papers (a cold build's first issue holds every paper) is headed from an
#: evenly spread sample of them: counting the phrases of 100,000 papers at once was the peak
#: of a cold build's memory (bench/scale.py).
ISSUE_SAMPLE = 10_000

#: How much carrying its theme's name lifts a paper towards the top of the theme (in ranks of
#: closeness to the theme's centre, as a share of the theme), and a title carrying it more.
NAME_LIFT = 0.5

TITLE_LIFT = 0.25

#: Of the first HEAD papers of a theme, at least HEAD_CARRIERS carry its name when they can.
HEAD = 3

HEAD_CARRIERS = 2


def typical_first(
    members: Sequence[int], closeness: Sequence[float], table: PhraseTable, name: Name
) -> list[int]:
    """Order a group's papers most typical first: near its centre and carrying its name.

    ``closeness`` (to the group's centre, aligned with ``members``) ranks the papers; carrying
    a phrase of the name lifts a paper by :data:`NAME_LIFT` of the group's ranks (and its title
    by :data:`TITLE_LIFT` more), and at least 2 of the first 3 carry it whenever 2 papers do:
    the top of a theme page shows what its name says.
    """
    if not members:
        return []
    anywhere, titled = hits(table, name)
    index = np.asarray(members, np.int64)
    near = np.asarray(closeness, np.float64).round(9)
    # Rank by closeness (ties to the lower index), as a share: 1 for the closest paper.
    order = np.lexsort((index, -near))
    rank = np.empty(len(index))
    rank[order] = 1.0 - np.arange(len(index)) / len(index)
    score = (rank + NAME_LIFT * anywhere[index] + TITLE_LIFT * titled[index]).round(9)
    ranked = [int(index[j]) for j in np.lexsort((index, -near, -score))]
    carriers = [i for i in ranked if anywhere[i]]
    head: list[int] = []
    for _ in range(min(HEAD, len(ranked))):
        short = min(HEAD_CARRIERS, len(carriers)) - sum(bool(anywhere[i]) for i in head)
        pool = carriers if short >= HEAD - len(head) else ranked
        head.append(next(i for i in pool if i not in head))
    chosen = set(head)
    return head + [i for i in ranked if i not in chosen]


class IssueHeadings:
    """Headings of the theme groups of daily issues, all from one corpus's phrase table."""

    def __init__(self, table: PhraseTable) -> None:
        self.table = table
        self.nameable = Nameable(table)

    def heading(self, members: Sequence[int], theme: Name) -> str:
        """Return the heading of one theme's papers in one issue (one day's papers).

        The theme's name when it fits at least :data:`ISSUE_FIT` of them; otherwise a name
        chosen for these papers alone, by the value names are chosen by, with the whole corpus
        as the background (one or two phrases most of them share; a phrase one paper of
        several carries never heads them). The theme's name when nothing fits more of them.
        """
        table = self.table
        if not members:
            return theme.text
        index = np.asarray(members, np.int64)
        anywhere, _ = hits(table, theme)
        theme_fit = float(anywhere[index].mean()) if theme.phrases else 0.0
        if theme_fit >= ISSUE_FIT:
            return theme.text
        member = np.zeros(table.n_docs, bool)
        member[index] = True
        inside = np.zeros(len(table.df), np.int64)
        inside_title = np.zeros(len(table.df), np.int64)
        for phrase, count, in_title in table.phrase_counts(index):
            inside[phrase], inside_title[phrase] = count, in_title
        if len(index) < ISSUE_TITLED_BELOW:
            # Too few papers to tell a topic from a turn of phrase: only what a title says.
            inside[inside_title == 0] = 0
        least = 1 if len(index) == 1 else 2
        options = name_options(
            table,
            member,
            inside,
            inside_title,
            len(index),
            self.nameable,
            True,
            least,
            ISSUE_CANDIDATES,
        )
        if not options.phrases:
            return theme.text
        values = options.values(len(index), ISSUE_WEIGHT)
        fits = options.inside / len(index)
        best = int(np.lexsort((np.arange(len(values)), -values, fits < ISSUE_FIT))[0])
        if fits[best] <= theme_fit:
            return theme.text
        return display(self.nameable, options.phrases[best])


def issue_headings(
    titles: Sequence[str], abstracts: Sequence[str], groups: Sequence[tuple[Sequence[int], Name]]
) -> list[str]:
    """Head each theme's papers in one daily issue (``groups``: member indices into the
    issue's ``titles``, and the theme's name).

    The issue's own papers are the corpus: a heading is true of most of the group's papers and
    rare among the issue's others, and it is a pure function of the issue's papers and their
    themes, so a published issue keeps its headings until a regrouping. Two groups never share
    a heading: the second keeps its theme's name.
    """
    if len(titles) > ISSUE_SAMPLE:
        # Every step-th paper, and enough of each group's that one paper never heads several.
        sample = set(range(0, len(titles), math.ceil(len(titles) / ISSUE_SAMPLE)))
        sample.update(m for members, _ in groups for m in members[:ISSUE_TITLED_BELOW])
        table = count_phrases(titles, abstracts, only=sorted(sample))
        groups = [([m for m in members if m in sample], name) for members, name in groups]
    else:
        table = count_phrases(titles, abstracts)
    headings = IssueHeadings(table)
    found: list[str] = []
    for members, name in groups:
        heading = headings.heading(members, name)
        if heading != name.text and heading in found:
            heading = name.text
        found.append(heading)
    return found


def issue_theme_headings(
    entries: Sequence[Entry], themes: Sequence[Theme]
) -> tuple[tuple[str, str], ...]:
    """Return ``(theme slug, heading)`` for the themes of one issue's ``entries`` whose heading
    there is not the theme's name (see :func:`issue_headings`), by slug."""
    by_slug = {t.slug: t for t in themes}
    ordered = sorted(entries, key=lambda e: e.paper.key)
    members: dict[str, list[int]] = {}
    for i, entry in enumerate(ordered):
        members.setdefault(entry.themes[0].theme_slug, []).append(i)
    named = [
        (slug, found)
        for slug, found in members.items()
        if slug in by_slug and not by_slug[slug].is_other and by_slug[slug].keywords
    ]
    # The issue page's order: most papers first.
    named.sort(key=lambda sf: (-len(sf[1]), sf[0]))
    groups = [(found, Name(by_slug[slug].name, by_slug[slug].keywords)) for slug, found in named]
    titles = [e.paper.title for e in ordered]
    abstracts = [e.paper.abstract for e in ordered]
    found = issue_headings(titles, abstracts, groups) if groups else []
    pairs = zip(named, groups, found, strict=True)
    return tuple(sorted((slug, h) for (slug, _), (_, n), h in pairs if h != n.text))

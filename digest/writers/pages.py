"""Markdown pages from the Jinja2 templates in ``site_templates/``.

Templates print untrusted text with a plain ``{{ value }}``: the environment's ``finalize``
escapes every string for Markdown (see :mod:`digest.writers.escape`), so forgetting a filter
cannot inject markup. Values the writer builds itself (paths, anchors, validated URLs) are
passed as ``Markup`` and printed as they are. Every page is rendered on every build; MkDocs
then keeps the HTML of pages whose Markdown did not change (:mod:`digest.site`).

What a page shows is made next door: :mod:`.issue_pages` (an issue's groups, the archive),
:mod:`.keyword_pages` (the keyword index), :mod:`.listing_rows` (rising topics, feeds) and
:mod:`.cards` (each paper's card); this module renders them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from digest.model import Digest, Entry, Issue, Theme
from digest.state import Cache
from digest.writers import charts, issue_pages, keyword_pages, listing_rows
from digest.writers.cards import CardMaker, Link
from digest.writers.escape import markdown_text
from digest.writers.feeds import FeedSpec
from digest.writers.foryou_page import for_you_context
from digest.writers.paging import (
    FOR_YOU_PAGE,
    ISSUE_PART,
    SEARCH_PAGE,
    THEME_PART,
    UP,
    chunks,
    keyword_initial,
    keyword_parts,
    part_path,
    theme_feed,
)
from digest.writers.template_errors import template_failure

#: Papers per theme listed on the home page; the issue page lists them all.
HOME_PAPERS = 10


def _finalize(value: object) -> object:
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return _escaped(value)


@lru_cache(maxsize=1 << 16)
def _escaped(value: str) -> Markup:
    # Titles and keywords are printed many times (a title once per keyword in the index).
    return markdown_text(value)


def environment(templates: Path) -> Environment:
    """Return the page environment: strict about undefined names, escaping by default."""
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        undefined=StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@dataclass(frozen=True)
class ThemeRow:
    """A theme as listed on the home and themes pages, with its page and feed."""

    theme: Theme
    href: Markup
    feed: Markup


class PageWriter:
    """Render every Markdown page of a digest into a docs folder.

    ``feeds`` are the site's feeds (:func:`digest.writers.feeds.feed_specs`), for the feeds
    page; without them it lists none.
    """

    def __init__(
        self,
        templates: Path,
        digest: Digest,
        feeds: Sequence[FeedSpec] = (),
        card_days: int = 0,
        cache: Cache | None = None,
    ) -> None:
        self.env = environment(templates)
        #: Issues first seen before this day list links to cards, not cards (None: no issue).
        latest = digest.issues[0].date if digest.issues and card_days else None
        self.cards_since = latest - timedelta(days=card_days) if latest else None
        self.templates = templates
        self.digest = digest
        self.feeds = tuple(feeds)
        #: The keyword index's pages and their initials, and the page listing each keyword.
        self.keyword_parts = keyword_parts(digest.keyword_index)
        part_of = {i: path for path, initials in self.keyword_parts.items() for i in initials}
        keyword_page = {k.key: part_of[keyword_initial(k.text)] for k in digest.keyword_index}
        self.cards = CardMaker(templates, digest, keyword_page, cache)
        self.keyword_slug = self.cards.keyword_slug
        self.keyword_page = keyword_page
        self.page_of = self.cards.page_of

    def render(
        self, template: str, front: dict[str, object] | None = None, **context: object
    ) -> str:
        """Render ``template``; ``front`` becomes YAML front matter, dumped safely."""
        try:
            body = self.env.get_template(template).render(digest=self.digest, **context)
        except TemplateError as exc:
            raise template_failure(exc, self.templates, template, "page") from exc
        if not front:
            return body
        # safe_dump quotes whatever YAML could misread; MkDocs silently drops bad front matter.
        return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=True) + "---\n" + body

    def pages(self) -> dict[str, str]:
        """Return every page as ``{path relative to docs: Markdown}``."""
        return dict(self.iter_pages())

    def iter_pages(self) -> Iterator[tuple[str, str]]:
        """Yield every page as (path relative to docs, Markdown), one theme or issue at a time.

        A writer that saves each page as it comes never holds the whole site's Markdown
        (hundreds of MB for 20,000 papers) in memory at once.
        """
        yield from self.site_pages()
        yield from self.paper_pages()

    def site_pages(self) -> Iterator[tuple[str, str]]:
        """Yield the site's own pages: home, themes, keywords, issues archive, rising, feeds."""
        d = self.digest
        themes = [
            ThemeRow(t, Markup(f"themes/{t.slug}.md"), Markup(theme_feed(t.slug))) for t in d.themes
        ]
        latest = d.issues[0] if d.issues else None
        pages = {
            "index.md": self.render(
                "index.md.j2",
                themes=themes,
                issue=latest,
                issue_href=Markup(f"issues/{latest.slug}.md") if latest else None,
                issue_groups=self._home_groups(latest),
            ),
            "themes/index.md": self._themes_page(),
            **self._keyword_pages(),
            "issues/index.md": self.render(
                "archive.md.j2", months=issue_pages.archive(self.digest.issues)
            ),
            "rising.md": self.render("rising.md.j2", rows=self._rising_rows()),
            SEARCH_PAGE: self.render("search.md.j2"),
            "feeds.md": self.render(
                "feeds.md.j2", groups=listing_rows.feed_rows(self.digest, self.feeds)
            ),
        }
        if d.liked:
            pages[FOR_YOU_PAGE] = self.render(
                "for-you.md.j2", None, **for_you_context(d, self.page_of)
            )
        yield from pages.items()

    def paper_pages(self) -> Iterator[tuple[str, str]]:
        """Yield the pages of cards: each theme's and each issue's parts."""
        for theme in self.digest.themes:
            parts = chunks(theme.paper_keys, THEME_PART)
            for at in range(len(parts)):
                yield self._theme_page(theme, parts, at)
        for issue in self.digest.issues:
            found = [(t, e) for t, entries in self.digest.issue_themes(issue) for e in entries]
            runs = chunks(found, ISSUE_PART)
            for at in range(len(runs)):
                yield self._issue_page(issue, runs, at)

    def _issue_page(
        self, issue: Issue, runs: Sequence[Sequence[tuple[Theme, Entry]]], at: int
    ) -> tuple[str, str]:
        """Part ``at`` of an issue's pages: its cards by theme, ISSUE_PART cards a part."""
        first = f"issues/{issue.slug}.md"
        index = at + 1
        if self.cards_since is not None and issue.date < self.cards_since:
            groups = issue_pages.run_links(self.page_of, issue, runs[at])
        else:
            groups = issue_pages.card_groups(self.cards, issue, runs[at])
        text = self.render(
            "issue.md.j2",
            issue=issue,
            groups=groups,
            parts=self._part_links(first, len(runs), index),
        )
        return part_path(first, index), text

    def _part_links(self, first: str, count: int, current: int) -> list[Link]:
        """Links between the parts of a page, seen from part ``current`` (none for one part).

        Part 1 lists every part; a later part links to part 1 and its neighbours only, so a
        new part changes part 1 and the one before it, not every part of a long theme.
        """
        if count == 1:
            return []
        shown = (
            range(1, count + 1) if current == 1 else sorted({1, current - 1, current, current + 1})
        )
        # Parts are siblings in one folder: links between them are file names.
        name = first.rsplit("/", 1)[-1]
        return [
            Link(str(i), Markup(part_path(name, i)) if i != current else Markup(""))
            for i in shown
            if i <= count
        ]

    def _themes_page(self) -> str:
        """The themes page: sizes as bars, links between themes as a map, then the list."""
        d = self.digest
        rows = [
            ThemeRow(t, Markup(f"{t.slug}.md"), Markup(f"../{theme_feed(t.slug)}"))
            for t in d.themes
        ]
        # Raw HTML is not rewritten by MkDocs: the pictures link to the built URLs of
        # use_directory_urls (themes/<slug>/), seen from the themes page (themes/).
        sizes = charts.bar_list(
            [charts.Bar(t.name, len(t.paper_keys), f"{t.slug}/") for t in d.themes],
            "Papers per theme",
        )
        theme_map = charts.neighbour_list(d) if len(d.themes) > 1 else None
        return self.render("themes.md.j2", themes=rows, sizes=sizes, theme_map=theme_map)

    def _theme_page(self, theme: Theme, parts: Sequence[Sequence[str]], at: int) -> tuple[str, str]:
        """Part ``at`` of a theme's pages: its cards in theme order, THEME_PART cards a part."""
        # Front matter holds the site-relative path (for the head link); the page links up.
        feed = theme_feed(theme.slug)
        first = f"themes/{theme.slug}.md"
        index = at + 1
        path = part_path(first, index)
        entries = [self.digest.by_key[k] for k in parts[at]]
        text = self.render(
            "theme.md.j2",
            front={"feed": feed},
            theme=theme,
            cards=self.cards.cards([self.cards.facts(e, UP, False) for e in entries]),
            feed=Markup(f"../{feed}"),
            parts=self._part_links(first, len(parts), index),
        )
        return path, text

    def _keyword_pages(self) -> dict[str, str]:
        """The keyword index, on one page or a page per initial (:mod:`.keyword_pages`)."""
        groups = dict(keyword_pages.keyword_groups(self.digest, self.page_of))
        return {
            path: self.render(
                "keywords.md.j2",
                groups=[(i, groups[i]) for i in initials],
                parts=keyword_pages.part_links(self.keyword_parts, path),
            )
            for path, initials in self.keyword_parts.items()
        }

    def _home_groups(self, issue: Issue | None) -> list[issue_pages.IssueGroup]:
        """The latest issue's groups on the home page: a few links of each theme."""
        if issue is None:
            return []
        return issue_pages.link_groups(self.digest, self.page_of, issue, 0, limit=HOME_PAPERS)

    def _rising_rows(self) -> list[listing_rows.RisingRow]:
        """The rising topics, each linked to its keyword where the index lists it."""
        return listing_rows.rising_rows(
            self.digest, self.page_of, self.keyword_slug, self.keyword_page
        )

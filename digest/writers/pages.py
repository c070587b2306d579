"""Markdown pages from the Jinja2 templates in ``site_templates/``.

Templates print untrusted text with a plain ``{{ value }}``: the environment's ``finalize``
escapes every string for Markdown (see :mod:`digest.writers.escape`), so forgetting a filter
cannot inject markup. Values the writer builds itself (paths, anchors, validated URLs) are
passed as ``Markup`` and printed as they are. Every page is rendered on every build; MkDocs
then keeps the HTML of pages whose Markdown did not change (:mod:`digest.site`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from digest.model import Digest, Entry, Issue, Theme
from digest.writers import charts
from digest.writers.cards import CardMaker, Link
from digest.writers.escape import markdown_text, safe_href
from digest.writers.feeds import FeedSpec
from digest.writers.foryou_page import for_you_context
from digest.writers.paging import (
    FOR_YOU_PAGE,
    ISSUE_PART,
    KEYWORD_INDEX,
    OPML_PATH,
    THEME_PART,
    absolute,
    chunks,
    keyword_initial,
    keyword_parts,
    page_url,
    paper_anchor,
    part_path,
    theme_feed,
)
from digest.writers.template_errors import template_failure

#: Papers per theme listed on the home page; the issue page lists them all.
HOME_PAPERS = 10
#: Cards of a theme an issue page shows before it folds the others.
ISSUE_SHOWN = 3
#: How far theme and issue pages (``themes/<slug>/``) are from the site's root.
UP = "../../"
#: Newest papers named next to a rising topic.
RISING_PAPERS = 3
_FEED_FORMATS = {"rss": "RSS 2.0", "atom": "Atom 1.0", "json": "JSON Feed 1.1"}


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


@dataclass(frozen=True)
class RisingRow:
    """One rising topic: its keyword, trend picture, counts and newest papers."""

    text: str
    href: Markup | None
    spark: Markup
    recent: int
    baseline: int
    recent_share: Markup
    baseline_share: Markup
    papers: tuple[Link, ...]


@dataclass(frozen=True)
class FeedRow:
    """One feed of the feeds page: its title, format, link and absolute URL."""

    title: str
    format: str
    href: Markup
    url: Markup


@dataclass(frozen=True)
class KeywordRow:
    """One keyword of the keyword index page."""

    anchor: Markup
    text: str
    papers: tuple[Link, ...]


class PageWriter:
    """Render every Markdown page of a digest into a docs folder.

    ``feeds`` are the site's feeds (:func:`digest.writers.feeds.feed_specs`), for the feeds
    page; without them it lists none.
    """

    def __init__(self, templates: Path, digest: Digest, feeds: Sequence[FeedSpec] = ()) -> None:
        self.env = environment(templates)
        self.templates = templates
        self.digest = digest
        self.feeds = tuple(feeds)
        #: The keyword index's pages and their initials, and the page listing each keyword.
        self.keyword_parts = keyword_parts(digest.keyword_index)
        part_of = {i: path for path, initials in self.keyword_parts.items() for i in initials}
        keyword_page = {k.key: part_of[keyword_initial(k.text)] for k in digest.keyword_index}
        self.cards = CardMaker(templates, digest, keyword_page)
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
                issue_groups=self._issue_groups(latest, 0, limit=HOME_PAPERS) if latest else [],
            ),
            "themes/index.md": self._themes_page(),
            **self._keyword_pages(),
            "issues/index.md": self.render("archive.md.j2", months=self._archive()),
            "rising.md": self.render("rising.md.j2", rows=self._rising_rows()),
            "search.md": self.render("search.md.j2"),
            "feeds.md": self.render("feeds.md.j2", groups=self._feed_rows()),
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
        index, run = at + 1, runs[at]
        # A group cut by a part's end is headed on both parts, each with its own cards.
        groups = [
            IssueGroup(
                Link(theme.name, Markup(f"../themes/{theme.slug}.md")),
                (),
                *fold(theme, [self.cards.card(e, UP, True) for _, e in pairs]),
                Markup(f"t-{theme.slug}"),
                Markup(""),
            )
            for theme, pairs in itertools.groupby(run, key=lambda te: te[0])
        ]
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

    def _rising_rows(self) -> list[RisingRow]:
        rows: list[RisingRow] = []
        for topic in self.digest.rising:
            slug = self.keyword_slug.get(topic.key)
            papers = tuple(
                Link(
                    self.digest.by_key[k].paper.title,
                    Markup(f"{self.page_of[k]}#{paper_anchor(k)}"),
                )
                for k in topic.paper_keys[:RISING_PAPERS]
                if k in self.digest.by_key
            )
            rows.append(
                RisingRow(
                    text=topic.text,
                    href=Markup(f"{self.keyword_page[topic.key]}#{slug}") if slug else None,
                    spark=charts.sparkline(
                        topic.series, f"rise-{slug or len(rows)}", f"Trend of {topic.text}"
                    ),
                    recent=topic.recent,
                    baseline=topic.baseline,
                    recent_share=Markup(f"{topic.recent_share:.1%}"),
                    baseline_share=Markup(f"{topic.baseline_share:.1%}"),
                    papers=papers,
                )
            )
        return rows

    def _feed_rows(self) -> dict[str, list[FeedRow]]:
        """Every feed, absolute and copyable: the site's own, each theme's, any other."""
        groups: dict[str, list[FeedRow]] = {"site": [], "themes": [], "other": []}
        for spec in self.feeds:
            url = safe_href(absolute(self.digest.site_url, spec.path))
            if url is None:
                continue
            # "Digest: theme" reads as just "theme" under a heading that names the digest.
            title = spec.title.removeprefix(f"{self.digest.title}: ")
            row = FeedRow(title, _FEED_FORMATS.get(spec.kind, spec.kind), Markup(spec.path), url)
            group = (
                "site"
                if not spec.page
                else "themes"
                if spec.page.startswith("themes/")
                else "other"
            )
            groups[group].append(row)
        opml = safe_href(absolute(self.digest.site_url, OPML_PATH))
        groups["opml"] = [FeedRow("Every feed", "OPML", Markup(OPML_PATH), opml)] if opml else []
        return groups

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
            cards=[self.cards.card(e, UP, False) for e in entries],
            feed=Markup(f"../{feed}"),
            parts=self._part_links(first, len(parts), index),
        )
        return path, text

    def _issue_groups(self, issue: Issue, depth: int, limit: int | None = None) -> list[IssueGroup]:
        """Group an issue's papers by primary theme (see :meth:`Digest.issue_themes`).

        ``limit`` bounds the links of each group (the home page); ``more`` counts the rest.
        """
        up = "../" * depth
        groups = []
        position = 0
        for theme, found in self.digest.issue_themes(issue):
            links = tuple(
                Link(
                    e.paper.title,
                    Markup(f"{up}{self.page_of[e.paper.key]}#{paper_anchor(e.paper.key)}"),
                )
                for e in found[:limit]
            )
            anchor = Markup(f"t-{theme.slug}")
            # The group's heading is on the part that holds its first card.
            part = part_path(f"issues/{issue.slug}.md", position // ISSUE_PART + 1)
            position += len(found)
            groups.append(
                IssueGroup(
                    Link(theme.name, Markup(f"{up}themes/{theme.slug}.md")),
                    links,
                    (),
                    Markup(""),
                    anchor,
                    Markup(f"{up}{part}#{anchor}"),
                    len(found) - len(links),
                )
            )
        return groups

    def _archive(self) -> list[tuple[str, list[tuple[Issue, Markup]]]]:
        """Return the issues grouped by month, newest first."""
        months: dict[str, list[tuple[Issue, Markup]]] = {}
        for issue in self.digest.issues:
            month = issue.date.strftime("%B %Y")
            months.setdefault(month, []).append((issue, Markup(f"{issue.slug}.md")))
        return list(months.items())

    def _keyword_pages(self) -> dict[str, str]:
        """The keyword index, on one page or a page per initial (see
        :func:`paging.keyword_parts`), each linking the others.

        Every keyword lists its papers' titles: searching them again would only repeat the
        theme pages, so the index stays out of the search index (as issues do).
        """
        groups = dict(self._keyword_groups())
        letters = [(path, initials) for path, initials in self.keyword_parts.items() if initials]
        pages = {}
        for path, initials in self.keyword_parts.items():
            # Parts are siblings: links between them are file names (the current one none).
            parts = [
                Link(
                    mine[0] if len(mine) == 1 and mine[0] != "#" else "Other",
                    Markup(other if other != path else ""),
                )
                for other, mine in letters
            ]
            pages[path] = self.render(
                "keywords.md.j2",
                groups=[(i, groups[i]) for i in initials],
                parts=parts if len(self.keyword_parts) > 1 else [],
            )
        return pages

    def _keyword_groups(self) -> list[tuple[str, list[KeywordRow]]]:
        """Group the keyword index by initial letter; each keyword lists its papers' cards.

        The template writes each group as one raw HTML block, which Python-Markdown passes
        through instead of parsing tens of thousands of inline links (about 6 times faster on
        a 10,000-paper index). MkDocs does not rewrite links in raw HTML, so each link is the
        card's built URL (``use_directory_urls``) seen from the keyword page's own URL.
        """
        # Every part's URL is as deep as the first's (``keywords/``, ``keywords.a/``).
        up = "../" * page_url(KEYWORD_INDEX).count("/")
        groups: dict[str, list[KeywordRow]] = {}
        #: A paper is listed once per keyword: its link is made once.
        links: dict[str, Link] = {}
        for kw in self.digest.keyword_index:
            initial = keyword_initial(kw.text)
            papers = []
            for key in kw.paper_keys:
                link = links.get(key)
                if link is None:
                    href = Markup(f"{up}{page_url(self.page_of[key])}#{paper_anchor(key)}")
                    link = links[key] = Link(self.digest.by_key[key].paper.title, href)
                papers.append(link)
            row = KeywordRow(Markup(kw.slug), kw.text, tuple(papers))
            groups.setdefault(initial, []).append(row)
        return sorted(groups.items(), key=lambda g: (g[0] == "#", g[0]))

"""Markdown pages from the Jinja2 templates in ``site_templates/``.

Templates print untrusted text with a plain ``{{ value }}``: the environment's ``finalize``
escapes every string for Markdown (see :mod:`digest.writers.escape`), so forgetting a filter
cannot inject markup. Values the writer builds itself (paths, anchors, validated URLs) are
passed as ``Markup`` and printed as they are.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from digest import __version__
from digest.links import arxiv_abs, arxiv_pdf, arxiv_title_search, hf_paper
from digest.model import Digest, Entry, Issue, Theme
from digest.sources.hf_daily import SOURCE as HF_SOURCE
from digest.writers import charts
from digest.writers.abstracts import INDEXED_KEYWORDS, author_line, shown_abstract
from digest.writers.escape import markdown_text, safe_href
from digest.writers.paging import (
    ISSUE_PART,
    KEYWORD_INDEX,
    THEME_PART,
    chunks,
    keyword_initial,
    keyword_parts,
    page_url,
    paper_anchor,
    part_path,
    theme_pages,
)
from digest.writers.template_errors import template_failure

if TYPE_CHECKING:  # feeds imports this module: the spec type only, at type-checking time
    from digest.writers.feeds import FeedSpec

#: Papers per theme listed on the home page; the issue page lists them all.
HOME_PAPERS = 10
#: Newest papers named next to a rising topic.
RISING_PAPERS = 3
#: Front matter of pages left out of the search index (Material's ``search.exclude``).
NOT_SEARCHED: dict[str, object] = {"search": {"exclude": True}}
_FEED_FORMATS = {"rss": "RSS 2.0", "atom": "Atom 1.0", "json": "JSON Feed 1.1"}


def theme_feed(slug: str) -> str:
    """Return the site-relative path of a theme's RSS feed."""
    return f"feeds/themes/{slug}.xml"


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
    env.globals["indexed_keywords"] = INDEXED_KEYWORDS
    return env


@dataclass(frozen=True)
class PreviousDocs:
    """The published docs folder and what each of its theme and issue pages was written from
    (:attr:`PageWriter.inputs` of the build that wrote it)."""

    docs: Path
    inputs: Mapping[str, str]


def _writer_stamp(templates: Path, digest: Digest) -> str:
    """Hash what every page depends on besides its papers: the templates, digest's code (links,
    slugs, escaping...) and the digest-wide values a template may print (title, description,
    URL). A theme or issue template that printed anything else of the whole digest (its date,
    its counts) would be reused stale: the bundled ones do not.
    """
    h = hashlib.sha256(f"digest {__version__}\n".encode())
    h.update(repr((digest.title, digest.description, digest.site_url)).encode())
    code = Path(__file__).parent.parent
    for root, pattern in ((templates, "*"), (code, "*.py")):
        for path in sorted(p for p in root.rglob(pattern) if p.is_file()):
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Link:
    label: str
    href: Markup


@dataclass(frozen=True)
class Card:
    """What a template shows of one paper; only ``Markup`` fields are trusted."""

    anchor: Markup
    title: str
    authors: str
    date: str
    #: The whole abstract as Markdown: escaped text, inline TeX kept as math.
    abstract: Markup
    #: The same as HTML, for the folded abstract (a raw HTML <details>); empty when not folded.
    abstract_html: Markup
    #: The opening of a long abstract (folded below it); None when it is shown whole. Search
    #: indexes ``teaser`` only; ``teaser_more`` continues it on the page.
    teaser: Markup | None
    teaser_more: Markup
    keywords: tuple[Link, ...]
    links: tuple[Link, ...]
    theme: Link
    because: tuple[str, ...]
    upvotes: int | None


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
    cards: tuple[Card, ...]
    #: The group's heading id on the issue page, and its link from elsewhere.
    anchor: Markup
    href: Markup
    #: Papers of the group not listed in ``papers`` (the home page lists a few).
    more: int = 0


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


def paper_links(entry: Entry) -> tuple[Link, ...]:
    """arXiv abstract and PDF where the id is known, else an arXiv title search; then the
    Hugging Face page of a paper that came from there, the project and the code."""
    paper = entry.paper
    raw: list[tuple[str, str]] = []
    if paper.arxiv_id:
        raw += [("arXiv", arxiv_abs(paper.arxiv_id)), ("PDF", arxiv_pdf(paper.arxiv_id))]
        if HF_SOURCE in paper.sources or paper.upvotes is not None:
            raw.append(("Hugging Face", hf_paper(paper.arxiv_id)))
    else:
        raw.append(("Search arXiv", arxiv_title_search(paper.title)))
    if paper.project_url:
        raw.append(("Project", paper.project_url))
    raw += [("Code", url) for url in paper.code_urls]
    links = []
    for label, url in raw:
        href = safe_href(url)
        if href is not None:
            links.append(Link(label, href))
    return tuple(links)


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
        previous: PreviousDocs | None = None,
    ) -> None:
        self.env = environment(templates)
        self.templates = templates
        self.digest = digest
        self.feeds = tuple(feeds)
        self.theme_of = {t.slug: t for t in digest.themes}
        self.keyword_slug = {k.key: k.slug for k in digest.keyword_index}
        #: The keyword index's pages and their initials, and the page listing each keyword.
        self.keyword_parts = keyword_parts(digest.keyword_index)
        part_of = {i: path for path, initials in self.keyword_parts.items() for i in initials}
        self.keyword_page = {k.key: part_of[keyword_initial(k.text)] for k in digest.keyword_index}
        #: The theme page part holding each paper's card: where every link to a paper goes.
        self.page_of = theme_pages(digest)
        self.previous = previous
        #: What each theme and issue page was written from (see :meth:`_reused`), by path.
        self.inputs: dict[str, str] = {}
        self.reused = 0
        self._stamp = _writer_stamp(templates, digest)
        self._printed: dict[str, str] = {}

    def card(self, entry: Entry, depth: int) -> Card:
        up = "../" * depth
        primary = entry.themes[0]
        theme = self.theme_of[primary.theme_slug]
        paper = entry.paper
        keywords = tuple(
            Link(k.text, Markup(f"{up}{self.keyword_page[k.key]}#{self.keyword_slug[k.key]}"))
            for k in entry.keywords
        )
        shown = shown_abstract(paper.abstract)
        return Card(
            anchor=paper_anchor(paper.key),
            title=paper.title,
            authors=author_line([a.name for a in paper.authors]),
            date=entry.listed.date().isoformat(),
            abstract=shown.whole,
            abstract_html=shown.whole_html,
            teaser=shown.teaser,
            teaser_more=shown.teaser_more,
            keywords=keywords,
            links=paper_links(entry),
            theme=Link(
                theme.name, Markup(f"{up}{self.page_of[paper.key]}#{paper_anchor(paper.key)}")
            ),
            because=primary.because,
            upvotes=paper.upvotes,
        )

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
            "feeds.md": self.render("feeds.md.j2", groups=self._feed_rows()),
        }
        yield from pages.items()

    def paper_pages(self) -> Iterator[tuple[str, str]]:
        """Yield the pages of cards: each theme's and each issue's parts."""
        for page in self.paper_page_makers():
            yield page()

    def paper_page_makers(self) -> list[Callable[[], tuple[str, str]]]:
        """Return what makes each page of cards, as (path, Markdown), one call per page.

        Pages are independent of each other: two processes can share them out (see
        :func:`digest.pipeline.write_docs`).
        """
        makers: list[Callable[[], tuple[str, str]]] = []
        for theme in self.digest.themes:
            keys = chunks(theme.paper_keys, THEME_PART)
            makers += [partial(self._theme_page, theme, keys, i) for i in range(len(keys))]
        for issue in self.digest.issues:
            found = [(t, e) for t, entries in self.digest.issue_themes(issue) for e in entries]
            runs = chunks(found, ISSUE_PART)
            makers += [partial(self._issue_page, issue, runs, i) for i in range(len(runs))]
        return makers

    def _issue_page(
        self, issue: Issue, runs: Sequence[Sequence[tuple[Theme, Entry]]], at: int
    ) -> tuple[str, str]:
        """Part ``at`` of an issue's pages: its cards by theme, ISSUE_PART cards a part."""
        first = f"issues/{issue.slug}.md"
        index, run = at + 1, runs[at]
        path = part_path(first, index)
        themes = tuple((t.slug, t.name) for t, _ in run)
        head = (issue.date, len(issue.paper_keys), index, len(runs), themes)
        text = self._reused(path, head, [e for _, e in run])
        if text is None:
            # A group cut by a part's end is headed on both parts, each with its own cards.
            groups = [
                IssueGroup(
                    Link(theme.name, Markup(f"../themes/{theme.slug}.md")),
                    (),
                    tuple(self.card(e, 1) for _, e in pairs),
                    Markup(f"t-{theme.slug}"),
                    Markup(""),
                )
                for theme, pairs in itertools.groupby(run, key=lambda te: te[0])
            ]
            text = self.render(
                "issue.md.j2",
                front=NOT_SEARCHED,
                issue=issue,
                groups=groups,
                parts=self._part_links(first, len(runs), index),
            )
        return path, text

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
        # Raw HTML is not rewritten by MkDocs: the charts link to the built URLs of
        # use_directory_urls (themes/<slug>/), seen from the themes page (themes/).
        sizes = charts.bar_chart(
            [charts.Bar(t.name, len(t.paper_keys), f"{t.slug}/") for t in d.themes],
            "theme-sizes",
            "Papers per theme",
        )
        nodes = [charts.Node(t.name, len(t.paper_keys), f"{t.slug}/") for t in d.themes]
        theme_map = (
            charts.circle_map(nodes, charts.theme_edges(d), "theme-map", "How the themes connect")
            if len(nodes) > 1
            else None
        )
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
        from digest.writers.feeds import OPML_PATH, absolute

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
        head = (theme.slug, theme.name, theme.keywords, theme.is_other, index, len(parts))
        text = self._reused(path, head, entries)
        if text is None:
            text = self.render(
                "theme.md.j2",
                front={"feed": feed},
                theme=theme,
                cards=[self.card(e, 1) for e in entries],
                feed=Markup(f"../{feed}"),
                parts=self._part_links(first, len(parts), index),
            )
        return path, text

    def _reused(self, path: str, head: object, entries: Sequence[Entry]) -> str | None:
        """Return the published Markdown of page ``path`` if it was written from the same
        inputs (``head``, the page's own values, and its cards' entries), else None.

        A daily build changes few theme and issue pages; building the cards of the others
        (abstracts folded, math split, links checked) and rendering them was most of a
        10,000-paper build's Jinja time. Every value a card shows comes from its entry, its
        theme's name, its keywords' anchors and the part holding it: all go into the print.
        """
        prints = [self._entry_print(e) for e in entries]
        digest = hashlib.sha256(repr((self._stamp, path, head, prints)).encode("utf-8"))
        inputs = self.inputs[path] = digest.hexdigest()
        if self.previous is None or self.previous.inputs.get(path) != inputs:
            return None
        try:
            text = (self.previous.docs / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        self.reused += 1
        return text

    def _entry_print(self, entry: Entry) -> str:
        key = entry.paper.key
        found = self._printed.get(key)
        if found is None:
            primary = self.theme_of[entry.themes[0].theme_slug]
            anchors = tuple(
                (self.keyword_slug[k.key], self.keyword_page[k.key]) for k in entry.keywords
            )
            found = repr((entry, primary.name, self.page_of[key], anchors))
            self._printed[key] = found
        return found

    def _issue_groups(
        self, issue: Issue, depth: int, cards: bool = False, limit: int | None = None
    ) -> list[IssueGroup]:
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
                    tuple(self.card(e, depth) for e in found) if cards else (),
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
                front=NOT_SEARCHED,
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

"""The digest's data model: frozen, I/O-free records passed from stage to stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

#: Name in ``Paper.sources`` of papers read from Hugging Face.
HF_SOURCE = "huggingface"


@dataclass(frozen=True)
class Author:
    """One author as the source spelled the name."""

    name: str


@dataclass(frozen=True)
class Paper:
    """One paper, keyed by its arXiv id (without version) or by its normalised title.

    Every text field is already normalised (whitespace folded, control characters removed)
    but not escaped: escaping belongs to the writer of each output format.
    """

    key: str
    title: str
    abstract: str
    arxiv_id: str | None = None
    version: int | None = None
    authors: tuple[Author, ...] = ()
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    url: str | None = None
    code_urls: tuple[str, ...] = ()
    project_url: str | None = None
    upvotes: int | None = None
    source_keywords: tuple[str, ...] = ()
    announce_type: str | None = None
    sources: tuple[str, ...] = ()
    #: Place in its input file (a listing's rank), not the file's place among the inputs;
    #: ties between files go to the key. The tie-breaker of last resort.
    order: int = 0


@dataclass(frozen=True)
class Keyword:
    """A keyword of one paper: its canonical form, the text readers see, and YAKE's score.

    YAKE scores are "lower is better"; ``relevance`` turns that into "higher is better" so that
    templates and themes need not know YAKE's convention.
    """

    key: str
    text: str
    score: float

    @property
    def relevance(self) -> float:
        return 1.0 / (1.0 + self.score)


@dataclass(frozen=True)
class Theme:
    """A group of papers under a readable name and a stable slug."""

    slug: str
    name: str
    keywords: tuple[str, ...]
    paper_keys: tuple[str, ...]
    is_other: bool = False


@dataclass(frozen=True)
class Placement:
    """Why a paper sits in a theme: the keywords it shares with the theme."""

    theme_slug: str
    because: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """A paper with everything the writers show next to it."""

    paper: Paper
    keywords: tuple[Keyword, ...]
    themes: tuple[Placement, ...]
    #: When the digest first saw the paper: its issue, and its date in every feed.
    listed: datetime
    #: Keys of the most related papers of the whole history, best first.
    related: tuple[str, ...] = ()
    #: ``related`` as first published: a dated issue page shows what was known that day, so
    #: a later paper entering the list changes the paper's theme page only.
    announced: tuple[str, ...] = ()


@dataclass(frozen=True)
class Issue:
    """The papers first seen on one build date."""

    date: date
    paper_keys: tuple[str, ...]
    #: ``(theme slug, heading)`` where the issue heads a theme's papers otherwise than by the
    #: theme's name: the name fits too few of that day's papers.
    headings: tuple[tuple[str, str], ...] = ()

    @property
    def slug(self) -> str:
        return self.date.isoformat()

    def heading(self, theme: Theme) -> str:
        """Return the heading of ``theme``'s papers in this issue."""
        return dict(self.headings).get(theme.slug, theme.name)


@dataclass(frozen=True)
class KeywordSlug:
    """A keyword of the keyword index with its anchor and papers."""

    key: str
    text: str
    slug: str
    paper_keys: tuple[str, ...]


@dataclass(frozen=True)
class RisingTopic:
    """A keyword whose share of recent papers is well above its share in a baseline window."""

    key: str
    text: str
    #: Papers with the keyword in the recent window, and in the baseline window before it.
    recent: int
    baseline: int
    recent_share: float
    baseline_share: float
    #: How strongly it rises (higher is stronger); topics are listed by it.
    score: float
    #: Papers with the keyword per day over both windows, oldest first (for sparklines).
    series: tuple[int, ...]
    #: The recent papers that carry it, newest first.
    paper_keys: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    """A paper of the latest issue ranked for the reader, and the liked paper it is closest to."""

    key: str
    because: str
    score: float


@dataclass(frozen=True)
class Digest:
    """Everything a build writes, gathered before anything is written."""

    title: str
    description: str
    site_url: str
    built: datetime
    entries: tuple[Entry, ...]
    themes: tuple[Theme, ...]
    #: Who publishes the digest: the feeds' author where papers name none.
    author: str = ""
    keyword_index: tuple[KeywordSlug, ...] = ()
    issues: tuple[Issue, ...] = ()
    rising: tuple[RisingTopic, ...] = ()
    #: "For you": the latest issue's papers ranked for the reader (none without interests).
    for_you: tuple[Recommendation, ...] = ()
    #: The reader's liked papers that the digest holds (keys), and whether interests were set.
    liked: tuple[str, ...] = ()

    @cached_property
    def by_key(self) -> dict[str, Entry]:
        """Entries by paper key, for writers that follow a theme's paper list."""
        return {e.paper.key: e for e in self.entries}

    def issue_themes(self, issue: Issue) -> list[tuple[Theme, list[Entry]]]:
        """An issue's entries grouped by primary theme, in issue order within each theme.

        Themes are ordered by how many of the issue's papers they hold (then by slug; the
        "other" papers last), not by their size on the site: a published issue's papers keep
        their themes until a regrouping, so its page stays as it was while other days' papers
        make some themes grow past others (and a daily build keeps it rather than render it).
        """
        found: dict[str, list[Entry]] = {}
        for key in issue.paper_keys:
            entry = self.by_key[key]
            found.setdefault(entry.themes[0].theme_slug, []).append(entry)
        themes = [t for t in self.themes if t.slug in found]
        themes.sort(key=lambda t: (t.is_other, -len(found[t.slug]), t.slug))
        return [(t, found[t.slug]) for t in themes]

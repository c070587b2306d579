"""Every option of ``digest.toml``: a type, a default and the one line users see.

Sections are frozen dataclasses; :mod:`digest.config` loads them and :mod:`.checks` says what
is wrong with their values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


def option(default: Any, doc: str) -> Any:
    """Declare a config option with its default and the one line users see in errors/docs."""
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata={"doc": doc})
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class KeywordConfig:
    """How keywords are extracted (see digest.text.keywords; the YAKE options apply to
    languages other than English)."""

    language: str = option("en", "text language (two-letter code); others than en use YAKE")
    max_ngram: int = option(3, "longest keyword, in words")
    top: int = option(20, "keywords YAKE returns per paper, before normalisation")
    keep: int = option(10, "most keywords shown per paper (the ranker often shows fewer)")
    dedup_limit: float = option(0.9, "YAKE's similarity limit for near-duplicate candidates")
    dedup_function: str = option("seqm", "YAKE's similarity function: seqm, jaro or levs")
    window_size: int = option(1, "YAKE's co-occurrence window")
    max_chars: int = option(60, "longest keyword kept, in characters")
    workers: int = option(0, "processes extracting keywords (0: one per CPU; 1: in-process)")


@dataclass(frozen=True)
class PinnedTheme:
    """A theme declared by the maintainer, with keyword rules (``[[themes.pinned]]``)."""

    name: str = option("", "the theme's name (required)")
    include: list[str] = option([], "phrases that put a paper in the theme (one is enough)")
    exclude: list[str] = option([], "phrases that keep a paper out of the theme")
    slug: str = option("", "the theme's URL slug (default: from the name)")


@dataclass(frozen=True)
class ThemeConfig:
    """How papers are grouped into themes (see digest.themes)."""

    max_share: float = option(0.2, "largest share of all papers one theme may hold")
    min_size: int = option(3, "fewest papers a theme may hold; smaller groups are merged")
    min_themes: int = option(4, "fewest themes to aim for")
    max_themes: int = option(30, "most themes to aim for")
    name_keywords: int = option(2, "phrases in a theme's name (1 or 2)")
    pinned: list[PinnedTheme] = option([], "pinned themes, which take their papers first")
    regroup_growth: float = option(
        0.25,
        "regroup from scratch once the papers grew by this share since the last regrouping; "
        "in between, new papers join the nearest theme and no published paper moves",
    )


@dataclass(frozen=True)
class RisingConfig:
    """Rising topics (see digest.rising)."""

    recent_days: int = option(7, "days in the recent window, the build day included")
    baseline_days: int = option(28, "days in the baseline window just before the recent one")
    min_support: int = option(3, "fewest recent papers a rising keyword needs")
    min_z: float = option(2.0, "smallest two-proportion z score that counts as rising")
    max_topics: int = option(20, "most rising topics listed")


@dataclass(frozen=True)
class FeedConfig:
    """The site-wide feed."""

    items: int = option(50, "most items in a feed, newest first")


@dataclass(frozen=True)
class FetchConfig:
    """Remote sources for ``digest fetch`` and the inbox it fills (see digest.fetch)."""

    arxiv_queries: list[str] = option([], "arXiv API search queries, e.g. 'all:transformer'")
    arxiv_categories: list[str] = option(
        [], "arXiv categories: alone, the query 'cat:A OR cat:B'; with queries, a filter on each"
    )
    rss_categories: list[str] = option([], "arXiv categories whose daily RSS listing to fetch")
    hf_daily: bool = option(False, "fetch Hugging Face daily papers of today and the day before")
    inbox: str = option("inbox", "folder that keeps fetched answers for digest build")
    max_results: int = option(200, "most papers fetched per arXiv API query (at most 30000)")
    page_size: int = option(100, "papers per arXiv API request (at most 2000)")
    tries: int = option(4, "tries per request before the fetch fails")
    connect_timeout: float = option(10.0, "seconds to wait for a connection")
    read_timeout: float = option(60.0, "seconds to wait for data from a connected server")
    arxiv_api_url: str = option("https://export.arxiv.org/api/query", "arXiv API endpoint")
    arxiv_rss_url: str = option("https://rss.arxiv.org/rss/", "arXiv RSS base URL")
    hf_url: str = option("https://huggingface.co/api/daily_papers", "Hugging Face daily papers API")


@dataclass(frozen=True)
class PublishConfig:
    """Checks a built site must pass before it replaces the published one (see digest.publish)."""

    max_drop: float = option(
        0.5, "largest share of the published site's papers a new site may lose (1: no check)"
    )
    max_issue_drop: float = option(
        1.0, "largest fall of a new issue's papers against the previous issue (1: no check)"
    )


#: The arXiv API serves at most this many results per request and per query.
MAX_PAGE = 2000
MAX_RESULTS = 30000
# Archive (cs, astro-ph, q-bio) and optional subject class (LG, CO, mes-hall): cs.LG, hep-th.
CATEGORY = re.compile(r"^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?$")
#: Values of ``email.smtp_security``.
SMTP_SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class EmailConfig:
    """The email digest: who gets it and the SMTP server that sends it (see digest.mail)."""

    to: list[str] = option([], "recipients' addresses")
    sender: str = option("", "the From address")
    subject: str = option("{title}: {date} ({count} new)", "subject ({title}, {date}, {count})")
    abstract_chars: int = option(300, "longest abstract excerpt per paper, in characters (0: none)")
    papers_per_theme: int = option(
        5, "papers shown per theme; the rest are counted and linked (0: all)"
    )
    smtp_host: str = option("", "SMTP server host name")
    smtp_port: int = option(587, "SMTP server port (587 STARTTLS, 465 SSL, 25 none)")
    smtp_security: str = option("starttls", "starttls, ssl or none (none only without a login)")
    smtp_user_env: str = option("SMTP_USER", "environment variable holding the SMTP user name")
    smtp_password_env: str = option(
        "SMTP_PASSWORD", "environment variable holding the SMTP password"
    )
    smtp_timeout: float = option(30.0, "seconds to wait for the SMTP server")


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know besides its inputs' content."""

    title: str = option("Research digest", "the digest's name, shown on the home page and feeds")
    description: str = option(
        "Recent research papers, grouped into themes by their keywords.",
        "one sentence under the title on the home page and in feeds",
    )
    author: str = option("", "who publishes the digest, the feeds' author (default: the title)")
    inputs: list[str] = option([], "input files (default: the bundled example page)")
    format: str = option("", "input format for every input (default: detect per file)")
    mkdocs_config: str = option("mkdocs.yml", "the MkDocs configuration to build with")
    site_dir: str = option("", "where the site is published (default: mkdocs.yml's site_dir)")
    templates_dir: str = option("", "page templates (default: site_templates/ or the bundled)")
    strict: bool = option(False, "fail the run on any warning")
    state: str = option(
        "state", "folder of what digest keeps: every paper seen, themes as published"
    )
    cache: str = option(".digest-cache", "folder of what digest can rebuild: keywords, vectors")
    store: str = option(
        "",
        "digest 0.1's SQLite store to start the state folder from (default: digest.sqlite)",
    )
    new_state: bool = option(False, "allow starting a new state although a site was built before")
    date: str = option("", "build date YYYY-MM-DD (default: SOURCE_DATE_EPOCH, else today)")
    executor: str = option(
        "", "where keywords are extracted: local processes, or a Dask cluster at dask://HOST:PORT"
    )
    interests: str = option(
        "", "file of papers the reader likes (arXiv ids or URLs, BibTeX, JSON): a For you page"
    )
    issue_card_days: int = option(
        30,
        "issue pages older than this many days list their papers as links to their cards on the "
        "theme pages (0: cards on every issue page)",
    )
    keywords: KeywordConfig = field(default_factory=KeywordConfig)
    themes: ThemeConfig = field(default_factory=ThemeConfig)
    rising: RisingConfig = field(default_factory=RisingConfig)
    feed: FeedConfig = field(default_factory=FeedConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)
    email: EmailConfig = field(default_factory=EmailConfig)

"""Typed, validated configuration: frozen dataclasses, one loader, all problems at once.

digest's own settings live in ``digest.toml`` beside ``mkdocs.yml`` so that ``mkdocs.yml``
stays plain MkDocs. Every option has a type, a default and a one-line description; unknown
keys are errors, and command-line flags override the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from digest.errors import ConfigError


def option(default: Any, doc: str) -> Any:
    """Declare a config option with its default and the one line users see in errors/docs."""
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata={"doc": doc})
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class KeywordConfig:
    """How YAKE extracts keywords (see digest.keywords)."""

    language: str = option("en", "YAKE stop-word language (two-letter code)")
    max_ngram: int = option(3, "longest keyword, in words")
    top: int = option(20, "keywords YAKE returns per paper, before normalisation")
    keep: int = option(8, "keywords kept per paper after folding and subsumption")
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
    name_keywords: int = option(2, "keywords in a theme's name")
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
    inputs: list[str] = option([], "input files (default: the bundled example page)")
    format: str = option("", "input format for every input (default: detect per file)")
    mkdocs_config: str = option("mkdocs.yml", "the MkDocs configuration to build with")
    site_dir: str = option("", "where the site is published (default: mkdocs.yml's site_dir)")
    templates_dir: str = option("", "page templates (default: site_templates/ or the bundled)")
    strict: bool = option(False, "fail the run on any warning")
    store: str = option("digest.sqlite", "the store of every paper seen (SQLite file)")
    new_store: bool = option(False, "allow starting a new store although a site exists")
    date: str = option("", "build date YYYY-MM-DD (default: SOURCE_DATE_EPOCH, else today)")
    keywords: KeywordConfig = field(default_factory=KeywordConfig)
    themes: ThemeConfig = field(default_factory=ThemeConfig)
    rising: RisingConfig = field(default_factory=RisingConfig)
    feed: FeedConfig = field(default_factory=FeedConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)
    email: EmailConfig = field(default_factory=EmailConfig)


def load_config(path: Path | None, overrides: dict[str, Any] | None = None) -> Config:
    """Load ``path`` (TOML; absent means defaults), apply CLI ``overrides``, validate all."""
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"Cannot read config file '{path}': {exc.strerror}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Config file '{path}' is not valid TOML: {exc}") from exc
    problems: list[str] = []
    config: Config = _build(Config, raw, "", problems)
    if overrides:
        config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
    problems.extend(_check(config))
    if problems:
        where = f" in '{path}'" if path else ""
        raise ConfigError(f"Invalid configuration{where}:\n  " + "\n  ".join(problems))
    return config


def _build(cls: type, raw: object, prefix: str, problems: list[str]) -> Any:
    if not isinstance(raw, dict):
        problems.append(f"Config value '{prefix.rstrip('.')}': expected a table")
        return cls()
    hints = get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    for key in sorted(set(raw) - set(known)):
        problems.append(f"Config key '{prefix}{key}': unknown option")
    values: dict[str, Any] = {}
    for name, spec in known.items():
        if name not in raw:
            continue
        hint, value, dotted = hints[name], raw[name], f"{prefix}{name}"
        if is_dataclass(hint):
            values[name] = _build(hint, value, f"{dotted}.", problems)  # type: ignore[arg-type]
        elif get_origin(hint) is list and is_dataclass(get_args(hint)[0]):
            item = get_args(hint)[0]
            if isinstance(value, list):
                values[name] = [
                    _build(item, v, f"{dotted}[{i}].", problems) for i, v in enumerate(value)
                ]
            else:
                problems.append(f"Config value '{dotted}': expected a list of tables")
        elif _type_ok(hint, value):
            values[name] = value
        else:
            problems.append(f"Config value '{dotted}': expected {_describe(hint)}, got {value!r}")
        del spec
    return cls(**values)


def _type_ok(hint: Any, value: object) -> bool:
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint == list[str]:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return False


def _describe(hint: Any) -> str:
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    return names.get(hint, "a list of strings")


def _check(config: Config) -> list[str]:
    """Range checks that types alone cannot express (ROBUSTNESS 25)."""
    from digest.keywords import languages  # keywords imports this module's types

    problems = []
    kw, th = config.keywords, config.themes
    # yake returns every candidate for top <= 0: never what a user meant.
    for dotted, value in (
        ("keywords.top", kw.top),
        ("keywords.keep", kw.keep),
        ("keywords.max_ngram", kw.max_ngram),
        ("keywords.window_size", kw.window_size),
        ("keywords.max_chars", kw.max_chars),
        ("themes.min_size", th.min_size),
        ("themes.min_themes", th.min_themes),
        ("themes.max_themes", th.max_themes),
        ("themes.name_keywords", th.name_keywords),
        ("feed.items", config.feed.items),
        ("rising.recent_days", config.rising.recent_days),
        ("rising.baseline_days", config.rising.baseline_days),
        ("rising.min_support", config.rising.min_support),
        ("rising.max_topics", config.rising.max_topics),
    ):
        if value <= 0:
            problems.append(f"Config value '{dotted}': expected a positive integer, got {value}")
    if kw.workers < 0:
        problems.append(f"Config value 'keywords.workers': expected 0 or more, got {kw.workers}")
    if kw.language not in languages():
        problems.append(
            f"Config value 'keywords.language': unknown language {kw.language!r}; "
            f"YAKE knows {', '.join(languages())}"
        )
    if kw.dedup_function not in ("seqm", "jaro", "levs"):
        problems.append(
            f"Config value 'keywords.dedup_function': expected seqm, jaro or levs, "
            f"got {kw.dedup_function!r}"
        )
    if not 0 < kw.dedup_limit <= 1:
        problems.append(
            f"Config value 'keywords.dedup_limit': expected (0, 1], got {kw.dedup_limit}"
        )
    if not 0 < th.max_share <= 1:
        problems.append(f"Config value 'themes.max_share': expected (0, 1], got {th.max_share}")
    if th.regroup_growth < 0:
        problems.append(
            f"Config value 'themes.regroup_growth': expected 0 or more, got {th.regroup_growth}"
        )
    for index, rule in enumerate(th.pinned):
        where = f"themes.pinned[{index}]"
        if not rule.name.strip():
            problems.append(f"Config value '{where}.name': a pinned theme needs a name")
        if not rule.include:
            problems.append(f"Config value '{where}.include': list at least one phrase")
    if th.min_themes > th.max_themes:
        problems.append("Config value 'themes.min_themes': larger than themes.max_themes")
    problems.extend(_check_fetch(config.fetch))
    problems.extend(_check_publish(config.publish))
    problems.extend(_check_email(config.email))
    return problems


def _check_fetch(fetch: FetchConfig) -> list[str]:
    """Range checks of the [fetch] section: limits arXiv sets, names it knows, usable URLs."""
    from digest.fetch.arxiv import CATEGORY, MAX_PAGE, MAX_RESULTS

    problems = []
    for dotted, value, top in (
        ("fetch.max_results", fetch.max_results, MAX_RESULTS),
        ("fetch.page_size", fetch.page_size, MAX_PAGE),
        ("fetch.tries", fetch.tries, 20),
    ):
        if not 0 < value <= top:
            problems.append(f"Config value '{dotted}': expected 1 to {top}, got {value}")
    for dotted, seconds in (
        ("fetch.connect_timeout", fetch.connect_timeout),
        ("fetch.read_timeout", fetch.read_timeout),
    ):
        if not 0 < seconds <= 600:
            problems.append(f"Config value '{dotted}': expected (0, 600] seconds, got {seconds}")
    for dotted, names in (
        ("fetch.arxiv_categories", fetch.arxiv_categories),
        ("fetch.rss_categories", fetch.rss_categories),
    ):
        problems.extend(
            f"Config value '{dotted}': {name!r} is not an arXiv category like 'cs.LG'"
            for name in names
            if not CATEGORY.fullmatch(name)
        )
    problems.extend(
        "Config value 'fetch.arxiv_queries': an empty query"
        for query in fetch.arxiv_queries
        if not query.strip()
    )
    for dotted, url in (
        ("fetch.arxiv_api_url", fetch.arxiv_api_url),
        ("fetch.arxiv_rss_url", fetch.arxiv_rss_url),
        ("fetch.hf_url", fetch.hf_url),
    ):
        if not url.startswith(("https://", "http://")):
            problems.append(f"Config value '{dotted}': expected an http(s) URL, got {url!r}")
    if not fetch.inbox.strip():
        problems.append("Config value 'fetch.inbox': expected a folder name")
    return problems


def _check_publish(publish: PublishConfig) -> list[str]:
    """The drop limits are shares: 0 allows no drop at all, 1 turns the check off."""
    return [
        f"Config value '{dotted}': expected a share from 0 to 1, got {value}"
        for dotted, value in (
            ("publish.max_drop", publish.max_drop),
            ("publish.max_issue_drop", publish.max_issue_drop),
        )
        if not 0 <= value <= 1
    ]


def _check_email(email: EmailConfig) -> list[str]:
    """Checks of the [email] section that need no server; missing ones are checked on send."""
    problems = [
        f"Config value 'email.{name}': {address!r} is not an email address"
        for name, addresses in (
            ("to", email.to),
            ("sender", [email.sender] if email.sender else []),
        )
        for address in addresses
        if not _ADDRESS.fullmatch(address)
    ]
    if email.smtp_security not in SMTP_SECURITY:
        problems.append(
            f"Config value 'email.smtp_security': expected starttls, ssl or none, "
            f"got {email.smtp_security!r}"
        )
    if not 0 < email.smtp_port < 65536:
        problems.append(
            f"Config value 'email.smtp_port': expected 1 to 65535, got {email.smtp_port}"
        )
    if not 0 < email.smtp_timeout <= 600:
        problems.append(
            "Config value 'email.smtp_timeout': expected (0, 600] seconds, "
            f"got {email.smtp_timeout}"
        )
    for name in ("abstract_chars", "papers_per_theme"):
        if getattr(email, name) < 0:
            problems.append(
                f"Config value 'email.{name}': expected 0 or more, got {getattr(email, name)}"
            )
    for name in ("smtp_user_env", "smtp_password_env"):
        value = getattr(email, name)
        if not value.isidentifier():
            problems.append(
                f"Config value 'email.{name}': expected an environment variable name, got {value!r}"
            )
    try:
        email.subject.format(title="", date="", count=0)
    except (KeyError, IndexError, ValueError) as exc:
        problems.append(
            f"Config value 'email.subject': only {{title}}, {{date}} and {{count}} may be "
            f"filled in ({exc!r})"
        )
    return problems


# One address, no display name or list: enough to catch a typo before the SMTP server does.
_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")


def describe_options() -> list[tuple[str, str, str]]:
    """Return (option, default, description) rows for the README and ``digest config``."""
    rows: list[tuple[str, str, str]] = []

    def walk(cls: type, prefix: str) -> None:
        hints = get_type_hints(cls)
        for f in fields(cls):
            factory = f.default_factory
            if callable(factory) and isinstance(factory, type) and is_dataclass(factory):
                walk(factory, f"{prefix}{f.name}.")
                continue
            default = factory() if callable(factory) else f.default
            rows.append((f"{prefix}{f.name}", repr(default), f.metadata.get("doc", "")))
            hint = hints[f.name]
            if get_origin(hint) is list and is_dataclass(get_args(hint)[0]):
                walk(get_args(hint)[0], f"{prefix}{f.name}[].")

    walk(Config, "")
    return rows

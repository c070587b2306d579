"""Range checks that types alone cannot express: every problem of a config, at once."""

from __future__ import annotations

import re

from digest.config.sections import (
    CATEGORY,
    MAX_PAGE,
    MAX_RESULTS,
    SMTP_SECURITY,
    Config,
    EmailConfig,
    FetchConfig,
    PublishConfig,
)
from digest.text.words import languages


def problems(config: Config) -> list[str]:
    """Return what is wrong with ``config``'s values, one message per problem."""
    problems = _check_positive(config)
    kw, th = config.keywords, config.themes
    if config.executor and not config.executor.startswith("dask://"):
        problems.append(
            f"Config value 'executor': expected dask://HOST:PORT, got {config.executor!r}"
        )
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


def _check_positive(config: Config) -> list[str]:
    """The counts and sizes that must be positive integers."""
    kw, th = config.keywords, config.themes
    problems = []
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
    return problems


def _check_fetch(fetch: FetchConfig) -> list[str]:
    """Range checks of the [fetch] section: limits arXiv sets, names it knows, usable URLs."""
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

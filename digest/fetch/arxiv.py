"""arXiv fetchers: the search API (paged Atom) and the daily RSS listings.

Every page is parsed by the reader that will read it from the inbox, so a page that would fail
the build fails the fetch instead. arXiv's rules apply to both hosts: one request every three
seconds, one connection (https://info.arxiv.org/help/api/tou.html).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence

from digest.diagnostics import log
from digest.errors import FetchError, SourceError
from digest.fetch.http import HttpClient, HttpStatusError, Pace
from digest.fetch.inbox import Answer
from digest.sources.arxiv_atom import AtomPage, QueryError, parse_atom
from digest.sources.arxiv_rss import parse_rss

API_URL = "https://export.arxiv.org/api/query"
RSS_URL = "https://rss.arxiv.org/rss/"
#: arXiv's API and RSS hosts share one budget: a request every three seconds.
PACE = Pace("arxiv", 3.0)
#: Tries of a page that comes back shorter than the paging numbers promise.
SHORT_PAGE_TRIES = 3


def category_query(categories: Sequence[str]) -> str:
    """Return the search query for any of ``categories``: ``cat:cs.LG OR cat:cs.AI``."""
    return " OR ".join(f"cat:{c}" for c in categories)


def search_query(query: str | None, categories: Sequence[str]) -> str:
    """Combine a query and a category filter: ``(all:transformer) AND (cat:cs.LG OR ...)``."""
    if not categories:
        if not query:
            raise ValueError("search_query needs a query or categories")
        return query
    cats = category_query(categories)
    if not query:
        return cats
    return f"({query}) AND ({cats})"


def fetch_query(
    client: HttpClient,
    query: str,
    *,
    max_results: int,
    page_size: int = 100,
    base_url: str = API_URL,
) -> list[Answer]:
    """Fetch up to ``max_results`` newest papers matching ``query``, one Answer per page.

    Raises FetchError naming the query if arXiv rejects it, a page is broken, or a page stays
    shorter than ``totalResults`` promises; zero papers is returned only when arXiv says so.
    """
    answers: list[Answer] = []
    start = 0
    while start < max_results:
        size = min(page_size, max_results - start)
        answer, entries, total = _fetch_page(client, query, start, size, base_url)
        answers.append(answer)
        start += entries
        if entries == 0 or start >= total:
            break
    log.info(
        "arXiv query %r: %d papers in %d page(s)",
        query,
        sum(len(a.papers) for a in answers),
        len(answers),
    )
    return answers


def _fetch_page(
    client: HttpClient, query: str, start: int, size: int, base_url: str
) -> tuple[Answer, int, int]:
    """Fetch one page, trying again while it is shorter than the paging numbers promise.

    Return the answer, its number of entries and the query's total number of results.
    """
    url = _api_url(base_url, query, start, size)
    for attempt in range(1, SHORT_PAGE_TRIES + 1):
        body = _get_atom(client, url, query)
        page, total = _parse_page(body, url, query)
        expected = max(0, min(size, total - start))
        if page.entries >= expected:
            return Answer(url, body, page.papers), page.entries, total
        log.warning(
            "arXiv query %r: page at %d has %d of %d entries (%d results in all); %s",
            query,
            start,
            page.entries,
            expected,
            total,
            "trying again" if attempt < SHORT_PAGE_TRIES else "giving up",
        )
    raise FetchError(
        f"arXiv query {query!r}: the page at {start} stayed short after {SHORT_PAGE_TRIES} "
        f"tries ({page.entries} of {expected} entries; {total} results in all); "
        f"nothing was saved"
    )


def _parse_page(body: bytes, url: str, query: str) -> tuple[AtomPage, int]:
    """Parse one page; return it and its ``totalResults``, or raise FetchError naming the query."""
    try:
        page = parse_atom(body, url)
    except QueryError as exc:
        raise FetchError(f"arXiv query {query!r} is invalid: {exc}") from None
    except SourceError as exc:
        raise FetchError(f"arXiv query {query!r}: {exc}") from None
    if page.total_results is None:
        raise FetchError(
            f"arXiv query {query!r}: the answer of {url} has no opensearch:totalResults"
        )
    return page, page.total_results


def _get_atom(client: HttpClient, url: str, query: str) -> bytes:
    """Return the body of ``url``; arXiv's HTTP 400 error answer becomes a query error."""
    try:
        return client.get(url, expect="xml", pace=PACE)
    except HttpStatusError as exc:
        if exc.status == 400 and exc.body:
            try:
                parse_atom(exc.body, url)
            except QueryError as error:
                raise FetchError(f"arXiv query {query!r} is invalid: {error}") from None
            except SourceError:
                pass
        raise FetchError(f"arXiv query {query!r}: {exc}") from None


def _api_url(base_url: str, query: str, start: int, size: int) -> str:
    params = {
        "search_query": query,
        "start": str(start),
        "max_results": str(size),
        "sortBy": "submittedDate",
        "sortOrder": "descending",
    }
    return f"{base_url}?{urllib.parse.urlencode(params)}"


def fetch_rss(client: HttpClient, category: str, *, base_url: str = RSS_URL) -> Answer:
    """Fetch today's listing of ``category``; an empty listing (weekends) is a normal answer."""
    url = base_url.rstrip("/") + "/" + urllib.parse.quote(category)
    body = client.get(url, expect="xml", pace=PACE)
    try:
        papers = parse_rss(body, url)
    except SourceError as exc:
        raise FetchError(f"arXiv RSS {category}: {exc}") from None
    log.info("arXiv RSS %s: %d papers", category, len(papers))
    return Answer(url, body, papers)

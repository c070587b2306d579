"""The arXiv and Hugging Face fetchers and the inbox, on recorded real answers served locally.

Faults are derived from the real answers: a page cut short, truncated XML, arXiv's real HTTP 400
error answer, an empty listing, a partial Hugging Face day.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fetchserver import (
    API,
    EMPTY_RESULT,
    ERROR_ANSWER,
    HF,
    JSON,
    MAINTENANCE_PAGE,
    RSS,
    RSS_TYPE,
    FakeClock,
    FetchServer,
    Reply,
    arxiv_pages,
    cut_entries,
    file_reply,
    recorded_page,
    serving,
)

from digest.config.sections import CATEGORY, MAX_PAGE, MAX_RESULTS
from digest.errors import FetchError
from digest.fetch import arxiv, hf
from digest.fetch.http import HttpClient, HttpPolicy
from digest.fetch.inbox import Answer, Inbox, InboxFile, api_name, api_prefix, hf_name, rss_name
from digest.sources import read_inputs

DAY = date(2026, 6, 10)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[FetchServer]:
    with serving(clock) as running:
        yield running


@pytest.fixture
def http(clock: FakeClock) -> HttpClient:
    return HttpClient(clock, HttpPolicy(tries=3))


def pages(*starts: int) -> dict[int, Reply | list[Reply]]:
    return {start: file_reply(recorded_page(start)) for start in starts}


# --- queries ------------------------------------------------------------------------------


def test_category_query() -> None:
    assert arxiv.category_query(["cs.LG", "cs.AI"]) == "cat:cs.LG OR cat:cs.AI"
    assert arxiv.search_query(None, ["cs.LG", "cs.AI"]) == "cat:cs.LG OR cat:cs.AI"
    assert arxiv.search_query("all:transformer", []) == "all:transformer"
    assert arxiv.search_query("all:transformer", ["cs.LG"]) == "(all:transformer) AND (cat:cs.LG)"


@pytest.mark.parametrize("name", ["cs.LG", "cs", "astro-ph.CO", "cond-mat.mes-hall", "hep-th"])
def test_category_names_accepted(name: str) -> None:
    assert CATEGORY.fullmatch(name)


@pytest.mark.parametrize("name", ["", "cs LG", "cat:cs.LG", "cs.LG OR", "../etc", "cs.LG/"])
def test_category_names_refused(name: str) -> None:
    assert not CATEGORY.fullmatch(name)


# --- arXiv API ----------------------------------------------------------------------------


def test_paging_asks_newest_first_and_keeps_three_seconds(
    server: FetchServer, http: HttpClient, clock: FakeClock
) -> None:
    server.routes["/api/query"] = arxiv_pages(pages(0, 10, 20))
    answers = arxiv.fetch_query(
        http, "all:testing", max_results=30, page_size=10, base_url=server.url("/api/query")
    )
    assert [len(a.papers) for a in answers] == [10, 10, 10]
    assert len({p.key for a in answers for p in a.papers}) == 30
    assert [a.body for a in answers] == [recorded_page(s).read_bytes() for s in (0, 10, 20)]
    params = [r.params for r in server.requests]
    assert params[1] == {
        "search_query": "all:testing",
        "start": "10",
        "max_results": "10",
        "sortBy": "submittedDate",
        "sortOrder": "descending",
    }
    assert [p["start"] for p in params] == ["0", "10", "20"]
    times = [r.at for r in server.requests]
    assert all(b - a >= 3.0 for a, b in itertools.pairwise(times))
    assert clock.sleeps == [3.0, 3.0]


def test_last_page_is_cut_to_max_results(server: FetchServer, http: HttpClient) -> None:
    route = arxiv_pages({0: file_reply(recorded_page(0)), 10: file_reply(recorded_page(10))})
    server.routes["/api/query"] = route
    # The server answers 10 entries, more than the 5 asked for: more is never short.
    answers = arxiv.fetch_query(
        http, "all:testing", max_results=15, page_size=10, base_url=server.url("/api/query")
    )
    assert [r.params["max_results"] for r in server.requests] == ["10", "5"]
    assert len(answers) == 2


def test_categories_query_one_page(server: FetchServer, http: HttpClient) -> None:
    server.script("/api/query", file_reply(API / "cs-lg-or-cs-ai.xml"))
    query = arxiv.category_query(["cs.LG", "cs.AI"])
    (answer,) = arxiv.fetch_query(http, query, max_results=20, base_url=server.url("/api/query"))
    assert len(answer.papers) == 20
    (seen,) = server.requests
    assert seen.params["search_query"] == "cat:cs.LG OR cat:cs.AI"
    assert seen.params["max_results"] == "20"


def test_real_empty_result_is_no_papers(server: FetchServer, http: HttpClient) -> None:
    server.script("/api/query", file_reply(EMPTY_RESULT))
    (answer,) = arxiv.fetch_query(
        http, "id:0000.0000", max_results=50, base_url=server.url("/api/query")
    )
    assert answer.papers == ()
    assert len(server.requests) == 1


def test_error_answer_is_a_query_error(server: FetchServer, http: HttpClient) -> None:
    server.script("/api/query", file_reply(ERROR_ANSWER, status=400))
    base = server.url("/api/query")
    with pytest.raises(FetchError) as caught:
        arxiv.fetch_query(http, "id:abc", max_results=10, base_url=base)
    url = (
        f"{base}?search_query=id%3Aabc&start=0&max_results=10&sortBy=submittedDate"
        "&sortOrder=descending"
    )
    assert str(caught.value) == (
        f"arXiv query 'id:abc' is invalid: arXiv rejected the query of '{url}': incorrect id "
        "format for abc (https://arxiv.org/api/errors#incorrect_id_format_for_abc)"
    )
    assert len(server.requests) == 1


def test_error_answer_with_200_is_a_query_error(server: FetchServer, http: HttpClient) -> None:
    server.script("/api/query", file_reply(ERROR_ANSWER))
    with pytest.raises(FetchError, match=r"^arXiv query 'id:abc' is invalid: .*incorrect id"):
        arxiv.fetch_query(http, "id:abc", max_results=10, base_url=server.url("/api/query"))


def test_400_without_error_entry(server: FetchServer, http: HttpClient) -> None:
    server.script("/api/query", Reply(400, b"Bad Request", "text/plain"))
    base = server.url("/api/query")
    with pytest.raises(
        FetchError, match=r"^arXiv query 'q': Cannot fetch .* HTTP 400 Bad Request$"
    ):
        arxiv.fetch_query(http, "q", max_results=10, base_url=base)


def test_short_page_mid_paging_is_retried(
    server: FetchServer, http: HttpClient, clock: FakeClock
) -> None:
    short = Reply(body=cut_entries(recorded_page(10).read_bytes(), 4))
    full = file_reply(recorded_page(10))
    server.routes["/api/query"] = arxiv_pages(
        {0: file_reply(recorded_page(0)), 10: [short, full], 20: file_reply(recorded_page(20))}
    )
    answers = arxiv.fetch_query(
        http, "all:testing", max_results=30, page_size=10, base_url=server.url("/api/query")
    )
    assert [len(a.papers) for a in answers] == [10, 10, 10]
    assert [r.params["start"] for r in server.requests] == ["0", "10", "10", "20"]
    assert clock.sleeps == [3.0, 3.0, 3.0]


def test_short_page_that_stays_short_fails(server: FetchServer, http: HttpClient) -> None:
    short = Reply(body=cut_entries(recorded_page(10).read_bytes(), 4))
    server.routes["/api/query"] = arxiv_pages({0: file_reply(recorded_page(0)), 10: short})
    with pytest.raises(FetchError) as caught:
        arxiv.fetch_query(
            http, "all:testing", max_results=30, page_size=10, base_url=server.url("/api/query")
        )
    assert str(caught.value) == (
        "arXiv query 'all:testing': the page at 10 stayed short after 3 tries (4 of 10 "
        "entries; 214881 results in all); nothing was saved"
    )
    assert [r.params["start"] for r in server.requests] == ["0", "10", "10", "10"]


def test_empty_page_mid_paging_fails(server: FetchServer, http: HttpClient) -> None:
    empty = Reply(body=cut_entries(recorded_page(10).read_bytes(), 0))
    server.routes["/api/query"] = arxiv_pages({0: file_reply(recorded_page(0)), 10: empty})
    with pytest.raises(FetchError, match=r"stayed short after 3 tries \(0 of 10 entries"):
        arxiv.fetch_query(
            http, "all:testing", max_results=30, page_size=10, base_url=server.url("/api/query")
        )


def test_truncated_xml_fails_the_whole_fetch(server: FetchServer, http: HttpClient) -> None:
    data = recorded_page(10).read_bytes()
    server.routes["/api/query"] = arxiv_pages(
        {0: file_reply(recorded_page(0)), 10: Reply(body=data[: len(data) // 2])}
    )
    with pytest.raises(FetchError, match=r"^arXiv query 'all:testing': Error reading '.*start=10"):
        arxiv.fetch_query(
            http, "all:testing", max_results=30, page_size=10, base_url=server.url("/api/query")
        )
    assert len(server.requests) == 2


def test_doctype_is_refused(server: FetchServer, http: HttpClient) -> None:
    data = recorded_page(0).read_bytes()
    hostile = data.replace(b"<feed", b'<!DOCTYPE feed [<!ENTITY x "boom">]>\n<feed', 1)
    server.script("/api/query", Reply(body=hostile))
    with pytest.raises(FetchError, match="DOCTYPE"):
        arxiv.fetch_query(http, "all:testing", max_results=10, base_url=server.url("/api/query"))


def test_maintenance_page_fails_after_retries(server: FetchServer, http: HttpClient) -> None:
    server.script("/api/query", Reply(503, MAINTENANCE_PAGE, "text/html"))
    with pytest.raises(FetchError, match=r"HTTP 503 Service Unavailable \(gave up after 3 tries\)"):
        arxiv.fetch_query(http, "all:testing", max_results=10, base_url=server.url("/api/query"))
    assert len(server.requests) == 3


# --- arXiv RSS ----------------------------------------------------------------------------


def test_rss_listing(server: FetchServer, http: HttpClient) -> None:
    server.script("/rss/cs.LG", file_reply(RSS / "arxiv_cs_lg.rss.xml", content_type=RSS_TYPE))
    answer = arxiv.fetch_rss(http, "cs.LG", base_url=server.url("/rss/"))
    assert len(answer.papers) == 3
    assert answer.url == server.url("/rss/cs.LG")


def test_rss_empty_weekend_is_an_ordinary_day(server: FetchServer, http: HttpClient) -> None:
    server.script(
        "/rss/cs", file_reply(RSS / "arxiv_cs_empty_weekend.rss.xml", content_type=RSS_TYPE)
    )
    answer = arxiv.fetch_rss(http, "cs", base_url=server.url("/rss"))
    assert answer.papers == ()
    assert answer.body == (RSS / "arxiv_cs_empty_weekend.rss.xml").read_bytes()


def test_rss_empty_body_is_not_an_empty_day(server: FetchServer, http: HttpClient) -> None:
    server.script("/rss/cs.LG", Reply(body=b"", content_type=RSS_TYPE))
    with pytest.raises(FetchError, match=r"empty answer \(gave up after 3 tries\)"):
        arxiv.fetch_rss(http, "cs.LG", base_url=server.url("/rss/"))


def test_rss_that_is_not_rss_fails(server: FetchServer, http: HttpClient) -> None:
    server.script("/rss/cs.LG", file_reply(recorded_page(0)))
    with pytest.raises(FetchError, match=r"^arXiv RSS cs.LG: .*not an RSS 2.0 feed"):
        arxiv.fetch_rss(http, "cs.LG", base_url=server.url("/rss/"))


def test_rss_shares_arxiv_pacing_with_the_api(
    server: FetchServer, http: HttpClient, clock: FakeClock
) -> None:
    server.script("/rss/cs.LG", file_reply(RSS / "arxiv_cs_lg.rss.xml", content_type=RSS_TYPE))
    server.script("/api/query", file_reply(API / "cs-lg-or-cs-ai.xml"))
    arxiv.fetch_query(http, "cat:cs.LG", max_results=20, base_url=server.url("/api/query"))
    arxiv.fetch_rss(http, "cs.LG", base_url=server.url("/rss/"))
    first, second = server.requests
    assert second.at - first.at == 3.0


# --- Hugging Face ---------------------------------------------------------------------------


def hf_subset(count: int) -> bytes:
    return json.dumps(json.loads(HF.read_bytes())[:count]).encode()


def test_hf_asks_for_the_day_and_the_day_before(server: FetchServer, http: HttpClient) -> None:
    server.script("/api/daily_papers", Reply(body=HF.read_bytes(), content_type=JSON))
    answers = [
        hf.fetch_day(http, d, base_url=server.url("/api/daily_papers"))
        for d in hf.days_to_fetch(DAY)
    ]
    assert [r.params for r in server.requests] == [{"date": "2026-06-09"}, {"date": "2026-06-10"}]
    assert [len(a.papers) for a in answers] == [30, 30]


def test_hf_bad_json_fails(server: FetchServer, http: HttpClient) -> None:
    server.script("/api/daily_papers", Reply(body=HF.read_bytes()[:1000], content_type=JSON))
    with pytest.raises(FetchError, match=r"^Hugging Face daily papers of 2026-06-10: "):
        hf.fetch_day(http, DAY, base_url=server.url("/api/daily_papers"))


def test_hf_empty_list_is_an_answer(server: FetchServer, http: HttpClient) -> None:
    server.script("/api/daily_papers", Reply(body=b"[]", content_type=JSON))
    assert hf.fetch_day(http, DAY, base_url=server.url("/api/daily_papers")).papers == ()


def answer(count: int) -> arxiv.Answer:
    from digest.sources.hf_daily import parse_hf_daily

    body = hf_subset(count)
    return Answer("u", body, parse_hf_daily(body, "u"))


def test_keep_fuller_replaces_a_smaller_stored_answer() -> None:
    assert hf.keep_fuller(answer(30), None, "x")
    assert hf.keep_fuller(answer(30), hf_subset(10), "x")
    assert hf.keep_fuller(answer(10), hf_subset(10), "x")


def test_keep_fuller_keeps_the_stored_answer_of_a_partial_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, "digest"):
        assert not hf.keep_fuller(answer(10), hf_subset(30), "inbox/hf-daily-2026-06-10.json")
    assert caplog.messages == [
        "Kept 'inbox/hf-daily-2026-06-10.json': it holds 20 papers the new answer lacks, "
        "and the new one adds none"
    ]


def test_keep_fuller_warns_when_the_new_answer_drops_papers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    records = json.loads(HF.read_bytes())
    stored = json.dumps(records[:20]).encode()
    from digest.sources.hf_daily import parse_hf_daily

    body = json.dumps(records[5:]).encode()
    new = Answer("u", body, parse_hf_daily(body, "u"))
    assert hf.keep_fuller(new, stored, "x")
    assert caplog.messages == [
        "Replacing 'x': the new answer adds 10 papers but lacks 5 the stored one had"
    ]


# --- inbox ----------------------------------------------------------------------------------


def test_names_are_deterministic_and_distinct() -> None:
    assert api_name("cat:cs.LG OR cat:cs.AI", DAY, 1) == (
        "arxiv-api-cat-cs.LG-OR-cat-cs.AI-5951003501-2026-06-10-p001.xml"
    )
    assert api_name("cat:cs.LG OR cat:cs.AI", DAY, 1) != api_name("cat:cs.LG cat:cs.AI", DAY, 1)
    assert api_prefix("q", DAY) + "-p002.xml" == api_name("q", DAY, 2)
    assert rss_name("cs.LG", DAY).startswith("arxiv-rss-cs.LG-")
    assert rss_name("cs.LG", DAY).endswith("-2026-06-10.xml")
    assert hf_name(DAY) == "hf-daily-2026-06-10.json"
    long = api_name("all:" + "x" * 200, DAY, 1)
    assert len(long) < 100


def test_save_writes_whole_files_and_skips_identical(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    first = inbox.save([InboxFile("b.xml", b"<b/>"), InboxFile("a.xml", b"<a/>")])
    assert first.written == ("a.xml", "b.xml")
    again = inbox.save([InboxFile("a.xml", b"<a/>"), InboxFile("b.xml", b"<b2/>")])
    assert again.written == ("b.xml",)
    assert again.unchanged == ("a.xml",)
    assert sorted(p.name for p in (tmp_path / "inbox").iterdir()) == ["a.xml", "b.xml"]
    assert (tmp_path / "inbox" / "b.xml").read_bytes() == b"<b2/>"
    assert [p.name for p in inbox.files()] == ["a.xml", "b.xml"]


def test_stale_pages_of_a_longer_fetch(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path)
    names = [api_name("q", DAY, n) for n in (1, 2, 3)]
    inbox.save([InboxFile(n, b"<x/>") for n in names])
    inbox.save([InboxFile(api_name("q2", DAY, 1), b"<x/>")])
    assert inbox.stale_pages(api_prefix("q", DAY), names[:1]) == names[1:]


def test_inbox_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "inbox").write_text("not a folder")
    with pytest.raises(FetchError, match="exists and is not a folder"):
        Inbox(tmp_path / "inbox").check()


def test_saved_answers_read_back(server: FetchServer, http: HttpClient, tmp_path: Path) -> None:
    server.routes["/api/query"] = arxiv_pages(pages(0, 10))
    answers = arxiv.fetch_query(
        http, "all:testing", max_results=20, page_size=10, base_url=server.url("/api/query")
    )
    inbox = Inbox(tmp_path)
    inbox.save(
        [InboxFile(api_name("all:testing", DAY, n), a.body) for n, a in enumerate(answers, 1)]
    )
    assert len(read_inputs(inbox.files())) == 20


def test_config_defaults_are_the_real_endpoints() -> None:
    from digest.config import FetchConfig

    defaults = FetchConfig()
    assert defaults.arxiv_api_url == arxiv.API_URL
    assert defaults.arxiv_rss_url == arxiv.RSS_URL
    assert defaults.hf_url == hf.HF_URL
    assert defaults.max_results <= MAX_RESULTS
    assert defaults.page_size <= MAX_PAGE

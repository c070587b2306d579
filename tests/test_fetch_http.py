"""The polite HTTP client against a local server: retries, backoff, Retry-After, pacing, timeouts.

Every wait goes through a fake clock, so the tests never sleep; only the timeout tests spend
real time, a fraction of a second each.
"""

from __future__ import annotations

import gzip
import itertools
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from fetchserver import (
    ATOM,
    JSON,
    MAINTENANCE_PAGE,
    FakeClock,
    FetchServer,
    Reply,
    file_reply,
    recorded_page,
    serving,
)

from digest.errors import FetchError
from digest.fetch.http import USER_AGENT, HttpClient, HttpPolicy, HttpStatusError, Pace

PACE = Pace("test", 3.0)
FEED = recorded_page(0).read_bytes()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[FetchServer]:
    with serving(clock) as running:
        yield running


def client(clock: FakeClock, **policy: float) -> HttpClient:
    return HttpClient(clock, HttpPolicy(**policy))  # type: ignore[arg-type]


def test_ok_answer_with_user_agent_and_no_wait(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=FEED))
    body = client(clock).get(server.url("/feed"), expect="xml", pace=PACE)
    assert body == FEED
    (seen,) = server.requests
    assert seen.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("digest/")
    assert "atom+xml" in seen.headers["Accept"]
    assert clock.sleeps == []


def test_503_then_success_backs_off(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(503, b"busy", "text/plain"), Reply(body=FEED))
    assert client(clock).get(server.url("/feed"), expect="xml", pace=PACE) == FEED
    assert len(server.requests) == 2
    assert clock.sleeps == [5.0]


def test_backoff_doubles_then_fails_naming_url(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(503, b"busy", "text/plain"))
    url = server.url("/feed")
    with pytest.raises(FetchError) as caught:
        client(clock).get(url, expect="xml", pace=PACE)
    assert str(caught.value) == (
        f"Cannot fetch {url}: HTTP 503 Service Unavailable (gave up after 4 tries)"
    )
    assert clock.sleeps == [5.0, 10.0, 20.0]
    assert len(server.requests) == 4


def test_429_honours_retry_after_seconds(server: FetchServer, clock: FakeClock) -> None:
    server.script(
        "/feed", Reply(429, b"slow down", "text/plain", (("Retry-After", "42"),)), Reply(body=FEED)
    )
    assert client(clock).get(server.url("/feed"), expect="xml", pace=PACE) == FEED
    assert clock.sleeps == [42.0]
    first, second = server.requests
    assert second.at - first.at == 42.0


def test_429_honours_retry_after_http_date(server: FetchServer, clock: FakeClock) -> None:
    when = format_datetime(datetime.fromtimestamp(clock.now() + 90, UTC), usegmt=True)
    server.script(
        "/feed", Reply(429, b"", "text/plain", (("Retry-After", when),)), Reply(body=FEED)
    )
    assert client(clock).get(server.url("/feed"), expect="xml", pace=PACE) == FEED
    assert clock.sleeps == [90.0]


def test_retry_after_shorter_than_backoff_keeps_backoff(
    server: FetchServer, clock: FakeClock
) -> None:
    server.script("/feed", Reply(503, b"", "text/plain", (("Retry-After", "1"),)), Reply(body=FEED))
    client(clock).get(server.url("/feed"), expect="xml", pace=PACE)
    assert clock.sleeps == [5.0]


def test_retry_after_beyond_the_limit_fails_at_once(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(429, b"", "text/plain", (("Retry-After", "3600"),)))
    url = server.url("/feed")
    with pytest.raises(FetchError) as caught:
        client(clock).get(url, expect="xml", pace=PACE)
    assert str(caught.value) == (
        f"Cannot fetch {url}: HTTP 429 Too Many Requests; the server asks to wait 3600 s, "
        "more than the 300 s this run waits"
    )
    assert len(server.requests) == 1
    assert clock.sleeps == []


def test_rate_exceeded_body_with_200_is_retried(server: FetchServer, clock: FakeClock) -> None:
    server.script(
        "/feed", Reply(body=b"Rate exceeded.", content_type="text/plain"), Reply(body=FEED)
    )
    assert client(clock).get(server.url("/feed"), expect="xml", pace=PACE) == FEED
    assert len(server.requests) == 2


def test_rate_exceeded_forever_fails(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=b"Rate exceeded.\n", content_type="text/plain"))
    url = server.url("/feed")
    with pytest.raises(FetchError) as caught:
        client(clock, tries=2).get(url, expect="xml", pace=PACE)
    assert str(caught.value) == (
        f"Cannot fetch {url}: rate limited (HTTP 200 'Rate exceeded.') (gave up after 2 tries)"
    )


def test_empty_body_is_a_failure(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=b""))
    url = server.url("/feed")
    with pytest.raises(FetchError) as caught:
        client(clock, tries=3).get(url, expect="xml", pace=PACE)
    assert str(caught.value) == f"Cannot fetch {url}: empty answer (gave up after 3 tries)"
    assert len(server.requests) == 3


def test_whitespace_body_is_empty_too(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=b" \r\n"), Reply(body=FEED))
    assert client(clock).get(server.url("/feed"), expect="xml", pace=PACE) == FEED


def test_html_maintenance_page_is_retried_then_fails(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=MAINTENANCE_PAGE, content_type="text/html"))
    url = server.url("/feed")
    with pytest.raises(FetchError) as caught:
        client(clock, tries=2).get(url, expect="xml", pace=PACE)
    assert str(caught.value) == (
        f"Cannot fetch {url}: an HTML page titled 'arXiv is down for maintenance' instead of "
        "XML (gave up after 2 tries)"
    )


def test_html_page_where_json_expected(server: FetchServer, clock: FakeClock) -> None:
    server.script("/api", Reply(body=MAINTENANCE_PAGE, content_type="text/html"), Reply(body=b"[]"))
    assert client(clock).get(server.url("/api"), expect="json", pace=PACE) == b"[]"
    assert len(server.requests) == 2


def test_xml_where_json_expected_fails(server: FetchServer, clock: FakeClock) -> None:
    server.script("/api", Reply(body=FEED, content_type=JSON))
    url = server.url("/api")
    with pytest.raises(FetchError, match=r"not JSON: the answer starts with b.<\?xml version"):
        client(clock, tries=1).get(url, expect="json", pace=PACE)


def test_plain_text_where_xml_expected_fails(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=b"Internal error", content_type="text/plain"))
    url = server.url("/feed")
    with pytest.raises(FetchError) as caught:
        client(clock, tries=1).get(url, expect="xml", pace=PACE)
    assert str(caught.value) == (
        f"Cannot fetch {url}: not XML: the answer starts with b'Internal error' "
        "(gave up after 1 try)"
    )


def test_404_is_not_retried(server: FetchServer, clock: FakeClock) -> None:
    url = server.url("/missing")
    with pytest.raises(HttpStatusError) as caught:
        client(clock).get(url, expect="xml", pace=PACE)
    assert str(caught.value) == f"Cannot fetch {url}: HTTP 404 Not Found"
    assert caught.value.status == 404
    assert caught.value.body == b"not found"
    assert len(server.requests) == 1


def test_400_keeps_its_body_for_the_caller(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(400, FEED, ATOM))
    with pytest.raises(HttpStatusError) as caught:
        client(clock).get(server.url("/feed"), expect="xml", pace=PACE)
    assert caught.value.body == FEED
    assert len(server.requests) == 1


def test_answer_cut_off_mid_body_is_retried(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=FEED[:500], content_length=len(FEED)), Reply(body=FEED))
    assert client(clock).get(server.url("/feed"), expect="xml", pace=PACE) == FEED
    assert len(server.requests) == 2


def test_answer_cut_off_names_the_problem(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=FEED[:500], content_length=len(FEED)))
    url = server.url("/feed")
    with pytest.raises(FetchError) as caught:
        client(clock, tries=1).get(url, expect="xml", pace=PACE)
    assert str(caught.value) == (
        f"Cannot fetch {url}: the connection closed after 500 of {len(FEED)} bytes "
        "(gave up after 1 try)"
    )


def test_gzip_answers_are_decompressed(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=gzip.compress(FEED), headers=(("Content-Encoding", "gzip"),)))
    assert client(clock).get(server.url("/feed"), expect="xml", pace=PACE) == FEED
    assert server.requests[0].headers["Accept-Encoding"] == "gzip"


def test_truncated_gzip_is_retried(server: FetchServer, clock: FakeClock) -> None:
    packed = gzip.compress(FEED)
    server.script(
        "/feed",
        Reply(body=packed[: len(packed) // 2], headers=(("Content-Encoding", "gzip"),)),
        Reply(body=packed, headers=(("Content-Encoding", "gzip"),)),
    )
    assert client(clock).get(server.url("/feed"), expect="xml", pace=PACE) == FEED
    assert len(server.requests) == 2


def test_too_large_answer_fails_without_retry(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=FEED))
    url = server.url("/feed")
    with pytest.raises(FetchError) as caught:
        client(clock, max_bytes=1000).get(url, expect="xml", pace=PACE)
    assert str(caught.value) == f"Cannot fetch {url}: the answer is larger than 1000 bytes"
    assert len(server.requests) == 1


def test_pacing_keeps_three_seconds_between_requests(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=FEED))
    http = client(clock)
    for _ in range(4):
        http.get(server.url("/feed"), expect="xml", pace=PACE)
        clock.time += 1.25  # the caller's own work between requests counts towards the wait
    times = [r.at for r in server.requests]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps == [3.0, 3.0, 3.0]
    assert clock.sleeps == [1.75, 1.75, 1.75]


def test_pacing_is_per_key(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(body=FEED))
    http = client(clock)
    http.get(server.url("/feed"), expect="xml", pace=PACE)
    http.get(server.url("/feed"), expect="xml", pace=Pace("other", 1.0))
    http.get(server.url("/feed"), expect="xml", pace=PACE)
    start = server.requests[0].at
    assert [r.at - start for r in server.requests] == [0.0, 0.0, 3.0]


def test_retries_are_paced_too(server: FetchServer, clock: FakeClock) -> None:
    server.script("/feed", Reply(503, b"", "text/plain"), Reply(body=FEED))
    http = client(clock, backoff=0.5)
    http.get(server.url("/feed"), expect="xml", pace=PACE)
    first, second = server.requests
    assert second.at - first.at == 3.0
    assert clock.sleeps == [0.5, 2.5]


def test_backwards_clock_never_waits_longer_than_the_interval(
    server: FetchServer, clock: FakeClock
) -> None:
    server.script("/feed", Reply(body=FEED))
    http = client(clock)
    http.get(server.url("/feed"), expect="xml", pace=PACE)
    clock.time -= 3600
    http.get(server.url("/feed"), expect="xml", pace=PACE)
    assert clock.sleeps == [3.0]


def test_read_timeout_is_bounded(server: FetchServer, clock: FakeClock) -> None:
    server.script("/slow", Reply(body=FEED, delay=5.0))
    url = server.url("/slow")
    began = time.monotonic()
    with pytest.raises(FetchError) as caught:
        client(clock, read_timeout=0.1, tries=2).get(url, expect="xml", pace=PACE)
    assert time.monotonic() - began < 1.5
    assert str(caught.value) == f"Cannot fetch {url}: read timed out (gave up after 2 tries)"


def test_slow_answer_then_a_quick_one(server: FetchServer, clock: FakeClock) -> None:
    server.script("/slow", Reply(body=FEED, delay=0.4), Reply(body=FEED))
    began = time.monotonic()
    body = client(clock, read_timeout=0.1).get(server.url("/slow"), expect="xml", pace=PACE)
    assert body == FEED
    assert time.monotonic() - began < 1.5
    assert clock.sleeps == [5.0]


def test_connection_refused_is_retried_then_fails(clock: FakeClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed"
    with pytest.raises(FetchError) as caught:
        client(clock, tries=2).get(url, expect="xml", pace=PACE)
    assert str(caught.value) == (
        f"Cannot fetch {url}: connection failed (Connection refused) (gave up after 2 tries)"
    )
    assert clock.sleeps == [5.0]


def test_recorded_answer_round_trips(server: FetchServer, clock: FakeClock) -> None:
    reply = file_reply(recorded_page(10))
    server.script("/feed", reply)
    assert client(clock).get(server.url("/feed"), expect="xml", pace=PACE) == reply.body


@pytest.mark.parametrize(
    "page",
    [
        MAINTENANCE_PAGE,
        b"\n<HTML><body>Service Unavailable</body></HTML>",
        b'<?xml version="1.0"?>\n<!-- down -->\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">',
    ],
)
def test_html_pages_are_recognised(server: FetchServer, clock: FakeClock, page: bytes) -> None:
    server.script("/feed", Reply(body=page, content_type="text/html"))
    with pytest.raises(FetchError, match=r": an HTML page( titled '[^']+')? instead of XML \("):
        client(clock, tries=1).get(server.url("/feed"), expect="xml", pace=PACE)


def test_html_inside_a_feed_is_not_an_html_page(server: FetchServer, clock: FakeClock) -> None:
    feed = FEED.replace(b"<entry>", b"<!-- <html> --><entry>", 1)
    server.script("/feed", Reply(body=feed))
    assert client(clock).get(server.url("/feed"), expect="xml", pace=PACE) == feed

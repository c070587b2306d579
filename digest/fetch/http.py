"""A polite HTTP client: one request at a time, paced per site, bounded retries and timeouts.

Servers of free research metadata ask for restraint (arXiv: one request every three seconds,
one connection). This client waits its turn per *pace key* (a site, not a host: arXiv's API and
RSS hosts share one), retries with exponential backoff what is worth retrying (5xx, 429, a
``Rate exceeded.`` body, connection trouble, an empty body, an HTML page where XML or JSON was
expected), honours ``Retry-After``, and after a bounded number of tries raises
:class:`~digest.errors.FetchError` naming the URL and the last problem. Time comes from an
injectable :class:`Clock`, so tests check the pacing without sleeping.
"""

from __future__ import annotations

import email.utils
import http.client
import re
import ssl
import threading
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from datetime import UTC
from typing import Any, Literal, Protocol

from digest import __version__
from digest.diagnostics import log
from digest.errors import FetchError

USER_AGENT = f"digest/{__version__} (static research digest generator; Python urllib)"

#: What a caller expects in the body; anything else is a failed try.
Expect = Literal["xml", "json"]

_ACCEPT = {
    "xml": "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9",
    "json": "application/json",
}
# An HTML document: its first tag, after an optional XML declaration and comments, is <html>.
_HTML = re.compile(
    rb"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_CHUNK = 64 * 1024


class Clock(Protocol):
    """Wall-clock time and waiting; tests pass a fake that records sleeps and never sleeps."""

    def now(self) -> float:
        """Return seconds since the epoch."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class Pace:
    """Requests sharing ``key`` are at least ``interval`` seconds apart (start to start)."""

    key: str
    interval: float


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts, retries and limits of one client."""

    #: Seconds to open a connection (TCP and TLS).
    connect_timeout: float = 10.0
    #: Seconds to wait for any data once connected.
    read_timeout: float = 60.0
    #: Seconds a whole body may take to arrive, however slowly it trickles.
    total_timeout: float = 300.0
    #: Tries per URL, the first included.
    tries: int = 4
    #: Wait before the second try; doubled before each further one.
    backoff: float = 5.0
    #: The longest wait between two tries, and the longest Retry-After honoured: a server asking
    #: for more fails the fetch at once rather than hold a scheduled run for hours.
    max_wait: float = 300.0
    #: Largest body accepted, after decompression.
    max_bytes: int = 64 * 1024 * 1024


class HttpStatusError(FetchError):
    """The server answered with a status not worth retrying (4xx other than 429)."""

    def __init__(self, url: str, status: int, reason: str, body: bytes) -> None:
        super().__init__(f"Cannot fetch {url}: HTTP {status} {reason}".rstrip())
        self.url = url
        self.status = status
        self.body = body


class _TryAgain(Exception):
    """One try failed in a way a later try may not: ``reason`` for the log, ``after`` to wait."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after


class HttpClient:
    """Fetch URLs one at a time, politely; see the module docstring for the rules."""

    def __init__(
        self,
        clock: Clock | None = None,
        policy: HttpPolicy | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.policy = policy or HttpPolicy()
        self._last: dict[str, float] = {}
        # One request at a time, even if a caller shares the client between threads.
        self._lock = threading.Lock()
        self._opener = urllib.request.build_opener(
            _HTTPHandler(self.policy.read_timeout), _HTTPSHandler(self.policy.read_timeout)
        )

    def get(self, url: str, *, expect: Expect, pace: Pace) -> bytes:
        """Return the body of ``url``, retrying what is worth it; raise FetchError if it fails."""
        tries = self.policy.tries
        with self._lock:
            for attempt in range(1, tries + 1):
                self._wait_turn(pace)
                try:
                    body = self._request(url, expect)
                    _check_body(body, expect)
                    return body
                except _TryAgain as problem:
                    if attempt == tries:
                        raise FetchError(
                            f"Cannot fetch {url}: {problem.reason} "
                            f"(gave up after {tries} {'try' if tries == 1 else 'tries'})"
                        ) from None
                    delay = self._delay(url, attempt, problem)
                    log.warning(
                        "%s from %s; trying again in %g s (try %d of %d)",
                        problem.reason,
                        url,
                        delay,
                        attempt + 1,
                        tries,
                    )
                    self.clock.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _wait_turn(self, pace: Pace) -> None:
        """Sleep until ``pace.interval`` has passed since the last request with the same key."""
        last = self._last.get(pace.key)
        now = self.clock.now()
        if last is not None:
            # A clock stepped backwards must not turn into a wait longer than the interval.
            wait = min(pace.interval, pace.interval - (now - last))
            if wait > 0:
                self.clock.sleep(wait)
                now = self.clock.now()
        self._last[pace.key] = now

    def _delay(self, url: str, attempt: int, problem: _TryAgain) -> float:
        """Return the wait before the next try: backoff, or longer if the server asked."""
        backoff = min(self.policy.backoff * 2.0 ** (attempt - 1), self.policy.max_wait)
        if problem.after is None:
            return backoff
        if problem.after > self.policy.max_wait:
            raise FetchError(
                f"Cannot fetch {url}: {problem.reason}; the server asks to wait "
                f"{problem.after:g} s, more than the {self.policy.max_wait:g} s this run waits"
            )
        return max(backoff, problem.after)

    def _request(self, url: str, expect: Expect) -> bytes:
        """Make one request; return the body of a 2xx answer, raise _TryAgain or FetchError."""
        request = urllib.request.Request(
            url,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": _ACCEPT[expect],
                "Accept-Encoding": "gzip",
            },
        )
        try:
            with self._opener.open(request, timeout=self.policy.connect_timeout) as response:
                return self._body(response, url)
        except urllib.error.HTTPError as error:
            with error:
                self._raise_for_status(error, url)
        except urllib.error.URLError as error:
            raise _TryAgain(_describe(error.reason, connecting=True)) from None
        except (OSError, http.client.HTTPException) as error:
            raise _TryAgain(_describe(error, connecting=False)) from None
        raise AssertionError("unreachable: an HTTP error always raises")  # pragma: no cover

    def _raise_for_status(self, error: urllib.error.HTTPError, url: str) -> None:
        status, reason = error.code, str(error.reason or "")
        problem = f"HTTP {status} {reason}".rstrip()
        if status == 429 or status >= 500:
            raise _TryAgain(problem, _retry_after(error.headers.get("Retry-After"), self.clock))
        try:
            body = self._body(error, url)
        except (_TryAgain, OSError, http.client.HTTPException):
            body = b""
        raise HttpStatusError(url, status, reason, body)

    def _body(self, response: Any, url: str) -> bytes:
        """Read a whole body within the size and time limits, decompressing gzip."""
        limit = self.policy.max_bytes
        deadline = time.monotonic() + self.policy.total_timeout
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read(_CHUNK):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise FetchError(f"Cannot fetch {url}: the answer is larger than {limit} bytes")
            if time.monotonic() > deadline:
                raise _TryAgain(f"the answer took more than {self.policy.total_timeout:g} s")
        data = b"".join(chunks)
        announced = response.headers.get("Content-Length")
        if announced and announced.strip().isdigit() and int(announced) > size:
            # http.client returns a short body without complaint when the connection drops.
            raise _TryAgain(f"the connection closed after {size} of {int(announced)} bytes")
        if (response.headers.get("Content-Encoding") or "").strip().lower() == "gzip":
            data = _gunzip(data, limit, url)
        if getattr(response, "status", 200) == 200 and data.strip() == b"Rate exceeded.":
            # arXiv's rate limiter answers 200 with this text; it means 429.
            raise _TryAgain("rate limited (HTTP 200 'Rate exceeded.')")
        return data


def _check_body(body: bytes, expect: Expect) -> None:
    """Raise _TryAgain for an empty body or one that is plainly not ``expect``."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise _TryAgain("empty answer")
    if _HTML.match(head):
        title = _TITLE.search(body[:4096])
        named = ""
        if title:
            text = " ".join(title.group(1).decode("utf-8", "replace").split())[:80]
            named = f" titled {text!r}"
        raise _TryAgain(f"an HTML page{named} instead of {expect.upper()}")
    if expect == "xml" and not head.startswith(b"<"):
        raise _TryAgain(f"not XML: the answer starts with {head[:40]!r}")
    if expect == "json" and head[:1] not in (b"[", b"{"):
        raise _TryAgain(f"not JSON: the answer starts with {head[:40]!r}")


def _gunzip(data: bytes, limit: int, url: str) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error:
        raise _TryAgain("a corrupt gzip-compressed answer") from None
    if len(out) > limit:
        raise FetchError(f"Cannot fetch {url}: the answer is larger than {limit} bytes")
    if not decompressor.eof:
        raise _TryAgain("a truncated gzip-compressed answer")
    return out


def _retry_after(value: str | None, clock: Clock) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - clock.now())


def _describe(error: object, *, connecting: bool) -> str:
    """Say what went wrong with the connection, in words a user can act on."""
    if isinstance(error, TimeoutError):
        return "no connection within the connect timeout" if connecting else "read timed out"
    if isinstance(error, http.client.IncompleteRead):
        return f"the connection closed after {len(error.partial)} bytes of a chunked answer"
    if isinstance(error, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(error, ssl.SSLError):
        return f"TLS error ({error.reason or error})"
    if isinstance(error, OSError) and error.strerror:
        return f"connection failed ({error.strerror})"
    return f"connection failed ({error})"


class _TimeoutsMixin:
    """Connect with the connection's timeout, then wait for data with ``read_timeout``."""

    read_timeout: float
    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.sock.settimeout(self.read_timeout)


class _HTTPConnection(_TimeoutsMixin, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_TimeoutsMixin, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, read_timeout: float) -> None:
        super().__init__()
        self.read_timeout = read_timeout

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        def connection(host: str, **kwargs: Any) -> _HTTPConnection:
            conn = _HTTPConnection(host, **kwargs)
            conn.read_timeout = self.read_timeout
            return conn

        return self.do_open(connection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, read_timeout: float) -> None:
        super().__init__(context=ssl.create_default_context())
        self.read_timeout = read_timeout

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        def connection(host: str, **kwargs: Any) -> _HTTPSConnection:
            conn = _HTTPSConnection(host, **kwargs)
            conn.read_timeout = self.read_timeout
            return conn

        # _context is where HTTPSHandler keeps its SSL context; typeshed does not declare it.
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]

"""A local HTTP server for the fetcher tests: recorded real answers, injected faults, no network.

The server listens on 127.0.0.1 on a free port in a background thread (a thread per connection,
so a deliberately slow answer does not hold up the client's next try) and records every request
with the time of the fake clock, so pacing is checked without sleeping. Fault replies (503, 429,
an HTML page, a slow or cut-off answer...) are scripted per path; a scripted list is consumed in
order and its last reply repeats.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DATA = Path(__file__).parent / "data"
API = DATA / "arxiv-api"
API_2026 = API / "arxiv-py-2026"
RSS = DATA / "arxiv-rss"
HF = DATA / "hf-daily-papers" / "daily_papers.json"
ERROR_ANSWER = API_2026 / "id_abc_s0_m100_b79c8dcf6bc3.xml"
EMPTY_RESULT = API_2026 / "id_0000.0000_s0_m100_8b51d9633a68.xml"

ATOM = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"
JSON = "application/json; charset=utf-8"

#: 2026-06-10T12:00:00Z: the fake clock's start, so "today" is 2026-06-10.
START = datetime(2026, 6, 10, 12, tzinfo=UTC).timestamp()

MAINTENANCE_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>arXiv is down for maintenance</title></head>"
    b"<body><h1>We'll be back soon</h1></body></html>\n"
)


class FakeClock:
    """A clock that records sleeps and advances by them instead of sleeping."""

    def __init__(self, start: float = START) -> None:
        self.time = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, seconds
        self.sleeps.append(seconds)
        self.time += seconds


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    content_type: str = ATOM
    headers: tuple[tuple[str, str], ...] = ()
    #: Real seconds to wait before answering (cut short when the server stops).
    delay: float = 0.0
    #: Announce this Content-Length instead of the body's, to cut the answer off.
    content_length: int | None = None


def file_reply(path: Path, status: int = 200, content_type: str = ATOM) -> Reply:
    return Reply(status, path.read_bytes(), content_type)


@dataclass(frozen=True)
class Seen:
    """A request the server received."""

    path: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float


Route = Callable[[Seen], Reply]


@dataclass
class FetchServer:
    """The server's state; use :func:`serving` to run it."""

    clock: FakeClock | None = None
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    base: str = ""
    stop: threading.Event = field(default_factory=threading.Event)

    def script(self, path: str, *replies: Reply) -> None:
        """Answer ``path`` with ``replies`` in order, the last one repeating."""
        queue = list(replies)

        def route(_: Seen) -> Reply:
            return queue.pop(0) if len(queue) > 1 else queue[0]

        self.routes[path] = route

    def url(self, path: str) -> str:
        return self.base + path

    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        state = self.server.state
        parts = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        at = state.clock.now() if state.clock else 0.0
        seen = Seen(parts.path, params, dict(self.headers.items()), at)
        state.requests.append(seen)
        route = state.routes.get(parts.path)
        reply = route(seen) if route else Reply(404, b"not found", "text/plain")
        if reply.delay and state.stop.wait(reply.delay):
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        length = reply.content_length if reply.content_length is not None else len(reply.body)
        self.send_header("Content-Length", str(length))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    state: FetchServer

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that timed out has gone: writing to it fails, as it should.
        pass


@contextmanager
def serving(clock: FakeClock | None = None) -> Iterator[FetchServer]:
    """Run a FetchServer on 127.0.0.1 for the duration of the block."""
    state = FetchServer(clock)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = state
    host, port = server.server_address[:2]
    state.base = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        server.shutdown()
        server.server_close()
        thread.join()


_ENTRY = re.compile(rb"<entry>.*?</entry>\s*", re.DOTALL)


def cut_entries(data: bytes, keep: int) -> bytes:
    """Return an Atom answer with only its first ``keep`` entries (a short page)."""
    entries = _ENTRY.findall(data)
    first = data.index(entries[0])
    last = data.index(entries[-1]) + len(entries[-1])
    return data[:first] + b"".join(entries[:keep]) + data[last:]


def recorded_page(start: int) -> Path:
    """Return the recorded page of ``search_query=testing`` at ``start`` with 10 results."""
    (path,) = API_2026.glob(f"q_testing_s{start}_m10_*.xml")
    return path


def arxiv_pages(pages: dict[int, Reply | list[Reply]]) -> Route:
    """Route the API by its ``start`` parameter; a list is consumed in order, last repeating."""
    queues = {start: list(r) if isinstance(r, list) else [r] for start, r in pages.items()}

    def route(seen: Seen) -> Reply:
        queue = queues.get(int(seen.params.get("start", "0")))
        if queue is None:
            return Reply(500, b"unexpected start", "text/plain")
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return route

"""Robustness cases the first sweep found without a test (tests/README.md lists every case)."""

from __future__ import annotations

import contextlib
import email
import itertools
import json
import logging
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import cast

import lxml.html
import pytest

from digest.cli import main
from digest.config import KeywordConfig
from digest.diagnostics import counting_warnings
from digest.errors import BuildError, FetchError, SourceError
from digest.fetch import arxiv, command
from digest.fetch.http import HttpClient, HttpPolicy
from digest.sources import jsondoc
from digest.sources.base import build_paper
from digest.sources.generic_json import READER as GENERIC
from digest.text.cleaning import MAX_TOKEN_CHARS, clean_for_keywords
from digest.text.keywords import extract
from digest.text.yake_adapter import run_yake
from tests import test_workflow as workflow_tests
from tests.conftest import EPOCH, build_site, make_project, seed_pairs, write_listing
from tests.fetchserver import (
    RSS,
    RSS_TYPE,
    FakeClock,
    Reply,
    Route,
    Seen,
    arxiv_pages,
    file_reply,
    recorded_page,
    serving,
)


def _paper(title: str, abstract: str, order: int = 0):  # type: ignore[no-untyped-def]
    return build_paper(f"paper {order}", title, abstract, order=order, source="test")


def test_case_23_a_huge_token_never_becomes_a_keyword() -> None:
    token = "x" * 100_000
    text = f"Graph neural networks {token} predict molecular properties of graph neural networks."
    assert token not in clean_for_keywords(text)
    assert all(len(w) <= MAX_TOKEN_CHARS for w in clean_for_keywords(text).split())
    [keywords] = extract([_paper("Molecules", text)], KeywordConfig())
    assert keywords, "the rest of the abstract still gives keywords"
    assert all(len(k.text) <= KeywordConfig().max_chars for k in keywords)


def test_case_23_the_keyword_length_cap_is_a_setting() -> None:
    paper = _paper(
        "Extraordinarily overparameterised convolutional transformers",
        "Extraordinarily overparameterised convolutional transformers generalise. "
        "Extraordinarily overparameterised convolutional transformers are studied here.",
    )
    long_ones = [k for k in extract([paper], KeywordConfig())[0] if len(k.text) > 30]
    assert long_ones
    capped = extract([paper], KeywordConfig(max_chars=30))[0]
    assert all(len(k.text) <= 30 for k in capped)


def test_case_23_non_english_text_is_handled() -> None:
    """Text in another script or language gives no crash and no markup; keywords may be few."""
    texts = [
        "Нейронные сети для распознавания изображений показывают высокую точность.",
        "深度学习模型在图像识别任务中取得了很高的准确率。",
        "Les réseaux de neurones profonds reconnaissent les images avec précision.",
    ]
    for index, text in enumerate(texts):
        [keywords] = extract([_paper(text[:20], text, index)], KeywordConfig())
        for kw in keywords:
            assert "<" not in kw.text and "&" not in kw.text
        assert isinstance(run_yake(clean_for_keywords(text), KeywordConfig()), list)


def test_case_29_an_undefined_template_name_fails_the_build(tmp_path: Path) -> None:
    listing = write_listing(tmp_path / "in.txt", seed_pairs()[:8])
    build_site(tmp_path, [listing])
    before = sorted(p.name for p in (tmp_path / "site").iterdir())
    template = tmp_path / "site_templates" / "themes.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n{{ no_such_name }}\n")
    # A BuildError naming the template file and line (the CLI prints it, no traceback).
    with pytest.raises(
        BuildError, match=r"page template '.*themes\.md\.j2', line \d+: .*no_such_name"
    ):
        build_site(tmp_path, [listing], date="2026-01-02")
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == before


# Case 10: very large JSON inputs are streamed ---------------------------------------------

_READ_AND_MEASURE = """
import json, sys
from pathlib import Path
from digest.sources.generic_json import READER

def peak():
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))

# Reset the peak to the present (ru_maxrss would also count the parent's, kept across exec).
Path("/proc/self/clear_refs").write_text("5")
before = peak()
count = sum(1 for _ in READER.read(Path(sys.argv[1])))
print(json.dumps({"count": count, "grown": peak() - before}))
"""


def _write_big_input(path: Path, count: int, *, array: bool) -> int:
    """Write ``count`` valid records of about 20 kB each; a JSON array on one line, or JSONL."""
    words = "graph neural networks learn molecular properties from data with attention".split()
    abstract = " ".join(words[i % len(words)] for i in range(3000))
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[" if array else "")
        for number in range(count):
            record = {
                "title": f"Graph networks, part {number} (é)",
                "abstract": abstract,
                "id": f"2401.{number:05d}",
                "authors": ["A. Smith", "B. Jones"],
                "date": "2024-01-31",
            }
            separator = ", " if array and number else ""
            handle.write(
                separator + json.dumps(record, ensure_ascii=False) + ("" if array else "\n")
            )
        handle.write("]" if array else "")
    return path.stat().st_size


@pytest.mark.parametrize("array", [True, False], ids=["json-array", "jsonl"])
def test_case_10_a_huge_generic_json_file_is_read_in_bounded_memory(
    tmp_path: Path, array: bool
) -> None:
    """A 33 MB file read in a fresh process: its peak memory grows by far less than the file.

    Reading the array whole (bytes, then text) grew the peak by about twice the file's size.
    """
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux's /proc/self/clear_refs to measure one process's peak memory")
    path = tmp_path / ("big.json" if array else "big.jsonl")
    count = 1_500
    size = _write_big_input(path, count, array=array)
    assert size > 30_000_000
    result = subprocess.run(
        [sys.executable, "-c", _READ_AND_MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout)
    assert measured["count"] == count
    assert measured["grown"] < size / 4, f"peak grew by {measured['grown']} reading {size} bytes"


BROKEN_ARRAYS = [
    ('[\n  {"title": "a"},\n  {"title": "b"\n]', "line 4, column 1: invalid JSON (Expecting ','"),
    ('[{"title": "a"},]', "line 1, column 17: invalid JSON (Expecting value)"),
    ('[{"title": "a"}] []', "line 1, column 18: invalid JSON (Extra data)"),
    ('[\n {"x": 1}\n {"x": 2}]', "line 3, column 2: invalid JSON (Expecting ',' delimiter)"),
    ('[{"t": "é日"}, {"t": tru}]', "line 1, column 21: invalid JSON (Expecting value)"),
    ('[{"t": 1.5e}]', "line 1, column 11: invalid JSON (Expecting ',' delimiter)"),
    ('[\n{"t": "open\n}]', "line 2, column 12: invalid JSON (Invalid control character"),
    ('[{"t": 1}, {"t": -Infinity}]', "line 1: -Infinity is not valid JSON"),
    ('[\n\n{"t": 1, "t": 2}]', "line 3: duplicate key 't'"),
]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, jsondoc.CHUNK_BYTES])
def test_case_10_chunk_boundaries_change_no_record_line_or_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Cut anywhere, even inside a number, a UTF-8 character or the BOM, the file reads the same."""
    monkeypatch.setattr(jsondoc, "CHUNK_BYTES", chunk)
    good = tmp_path / "good.json"
    records = [
        {"title": "Caf\u00e9 \u65e5\u672c \U0001f600", "abstract": "An abstract.", "n": 12.5e3},
        {"title": "No abstract", "n": -7},
        {"title": "Third", "abstract": "Text with \\u escapes: \u00e9", "date": "2024-01-31"},
    ]
    good.write_bytes(b"\xef\xbb\xbf" + json.dumps(records, indent=2).encode())
    with counting_warnings() as warnings:
        papers = list(GENERIC.read(good))
    assert [p.title for p in papers] == ["Caf\u00e9 \u65e5\u672c \U0001f600", "Third"]
    assert warnings.messages == [f"Error reading paper 2 in '{good}' (line 7): missing 'abstract'"]
    for number, (text, message) in enumerate(BROKEN_ARRAYS):
        bad = tmp_path / f"bad{number}.json"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(SourceError) as info:
            list(GENERIC.read(bad))
        assert str(info.value).startswith(f"Error reading '{bad}', {message}"), text


def test_case_10_a_non_utf8_byte_fails_with_its_offset_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsondoc, "CHUNK_BYTES", 5)
    path = tmp_path / "p.json"
    path.write_bytes(b'\xef\xbb\xbf[{"title": "caf\xc3\xa9 caf\xe9"}]')
    with pytest.raises(SourceError) as info:
        list(GENERIC.read(path))
    assert str(info.value) == f"'{path}' is not UTF-8: byte offset 24 (0xe9) cannot be decoded"


def test_case_10_a_record_that_never_ends_is_refused_at_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A string left open (a cut export) is refused at the record cap, not read to the end."""
    monkeypatch.setattr(jsondoc, "CHUNK_BYTES", 256)
    monkeypatch.setattr(jsondoc, "MAX_RECORD_CHARS", 4096)
    path = tmp_path / "p.json"
    path.write_text('[\n{"title": "t", "abstract": "a"},\n{"title": "open ' + "x" * 20_000)
    with pytest.raises(SourceError) as info:
        list(GENERIC.read(path))
    assert str(info.value) == (
        f"Error reading '{path}', line 3: a record longer than 4096 characters; "
        "is a string left unterminated?"
    )


# Case 12: one arXiv request at a time ------------------------------------------------------


@pytest.fixture
def _restore_logging() -> Iterator[None]:
    """main() configures the ``digest`` logger; put it back for the other tests' caplog."""
    logger = logging.getLogger("digest")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


class InFlight:
    """Wrap routes to record, in real time, whether a request arrived while another was open.

    A request counts as open from its arrival until its answer is ready to send; the client
    cannot have seen that answer before, so an overlap recorded here is a real one. Each answer
    waits ``delay`` seconds, to give a client that does not wait its turn the time to overlap.
    """

    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.open = 0
        self.overlaps: list[str] = []
        self.spans: list[tuple[float, float]] = []

    def wrap(self, route: Route) -> Route:
        def recording(seen: Seen) -> Reply:
            with self.lock:
                self.open += 1
                if self.open > 1:
                    self.overlaps.append(seen.path)
                began = time.monotonic()
            try:
                time.sleep(self.delay)
                return route(seen)
            finally:
                with self.lock:
                    self.open -= 1
                    self.spans.append((began, time.monotonic()))

        return recording


def test_case_12_digest_fetch_sends_arxiv_requests_one_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _restore_logging: None
) -> None:
    """Two API pages and two RSS listings: never two requests open, never a kept-alive socket."""
    clock = FakeClock()
    monkeypatch.setattr(command, "SystemClock", lambda: clock)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1781092800")
    monkeypatch.chdir(tmp_path)
    watch = InFlight()
    with serving(clock) as server:
        pages = arxiv_pages({0: file_reply(recorded_page(0)), 10: file_reply(recorded_page(10))})
        server.routes["/api/query"] = watch.wrap(pages)
        for category in ("LG", "AI"):
            path = RSS / f"arxiv_cs_{category.lower()}.rss.xml"
            listing = file_reply(path, content_type=RSS_TYPE)
            server.routes[f"/rss/cs.{category}"] = watch.wrap(lambda _, r=listing: r)
        (tmp_path / "digest.toml").write_text(
            "[fetch]\npage_size = 10\n"
            f'arxiv_api_url = "{server.url("/api/query")}"\n'
            f'arxiv_rss_url = "{server.url("/rss/")}"\n',
            encoding="utf-8",
        )
        argv = ["fetch", "--arxiv-query", "all:testing", "--max-results", "20"]
        assert main([*argv, "--arxiv-rss", "cs.LG", "--arxiv-rss", "cs.AI"]) == 0
    assert len(watch.spans) == 4 == len(server.requests)
    assert watch.overlaps == []
    # One request per connection, closed after its answer: no second socket kept open.
    assert all(r.headers.get("Connection") == "close" for r in server.requests)
    times = [r.at for r in server.requests]
    assert [b - a for a, b in itertools.pairwise(times)] == [3.0, 3.0, 3.0]


def test_case_12_one_client_shared_by_threads_still_sends_one_request_at_a_time() -> None:
    """Callers on four threads: the client's lock queues them; each waits its 3 s turn."""
    clock = FakeClock()
    watch = InFlight()
    with serving(clock) as server:
        feed = file_reply(recorded_page(0))
        server.routes["/feed"] = watch.wrap(lambda _: feed)
        client = HttpClient(clock, HttpPolicy(tries=1))
        errors: list[BaseException] = []

        def fetch() -> None:
            try:
                client.get(server.url("/feed"), expect="xml", pace=arxiv.PACE)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=fetch) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert len(watch.spans) == 4
    assert watch.overlaps == []
    spans = sorted(watch.spans)
    assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans))
    times = sorted(r.at for r in server.requests)
    assert [b - a for a, b in itertools.pairwise(times)] == [3.0, 3.0, 3.0]


# Case 19: a connect that hangs is bounded by the connect timeout ---------------------------


@pytest.fixture
def hanging_port() -> Iterator[int]:
    """A local port where connect() hangs: a listening socket whose backlog is full.

    Nothing accepts on it; once the backlog holds a completed connection, Linux drops further
    SYNs, so the next connect() neither succeeds nor is refused, just like a black-holed host.
    """
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port: int = listener.getsockname()[1]
        for _ in range(8):
            filler = stack.enter_context(socket.socket())
            filler.settimeout(0.2)
            try:
                filler.connect(("127.0.0.1", port))
            except TimeoutError:
                break  # this connect hung: so will the client's
            except OSError as exc:  # e.g. tcp_abort_on_overflow: refused, not dropped
                pytest.skip(f"a connect past a full backlog fails at once here ({exc})")
        else:
            pytest.skip("this kernel completes connections past a full backlog; none hangs")
        yield port


def test_case_19_a_hanging_connect_fails_within_the_connect_timeout(hanging_port: int) -> None:
    clock = FakeClock()
    url = f"http://127.0.0.1:{hanging_port}/api/query"
    # The read timeout is long: only the connect timeout can end the tries this soon.
    client = HttpClient(clock, HttpPolicy(connect_timeout=0.5, read_timeout=30, tries=2))
    began = time.monotonic()
    with pytest.raises(FetchError) as caught:
        client.get(url, expect="xml", pace=arxiv.PACE)
    elapsed = time.monotonic() - began
    assert str(caught.value) == (
        f"Cannot fetch {url}: no connection within the connect timeout (gave up after 2 tries)"
    )
    assert 0.9 < elapsed < 5, elapsed  # two tries of 0.5 s; the backoff went to the fake clock
    assert clock.sleeps == [5.0]


def test_case_19_digest_fetch_takes_the_connect_timeout_from_its_config(
    hanging_port: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _restore_logging: None,
) -> None:
    clock = FakeClock()
    monkeypatch.setattr(command, "SystemClock", lambda: clock)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1781092800")
    monkeypatch.chdir(tmp_path)
    base = f"http://127.0.0.1:{hanging_port}/rss/"
    (tmp_path / "digest.toml").write_text(
        f'[fetch]\nconnect_timeout = 0.4\ntries = 2\narxiv_rss_url = "{base}"\n', encoding="utf-8"
    )
    began = time.monotonic()
    assert main(["fetch", "--arxiv-rss", "cs.LG"]) == 1
    assert time.monotonic() - began < 5
    assert capsys.readouterr().err.endswith(
        f"Error: Cannot fetch {base}cs.LG: no connection within the connect timeout "
        "(gave up after 2 tries)\n"
    )
    assert not (tmp_path / "inbox").exists()


# Case 29: the email templates --------------------------------------------------------------

TEMPLATE_TITLES = [
    (
        "Template {{ 7*7 }} injection in paper titles",
        "Graph neural networks learn representations of molecules and their properties.",
    ),
    (
        "Sandboxes {% if true %}leak{% endif %} {{ config }} and {# notes #}",
        "Language models follow instructions written into documents they summarise.",
    ),
]


@pytest.fixture(scope="module")
def template_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built site whose titles hold Jinja2 syntax; returns its project folder."""
    root = tmp_path_factory.mktemp("email-templates")
    listing = write_listing(root / "in.txt", seed_pairs()[:6] + TEMPLATE_TITLES)
    build_site(root, [listing])
    return root


def _dry_run_email(
    root: Path, templates: Path, eml: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, Path]:
    config = eml.parent / "digest.toml"
    config.write_text(
        f'mkdocs_config = "{root / "mkdocs.yml"}"\n'
        f'templates_dir = "{templates}"\n'
        f'state = "{root / "state"}"\n'
        f'cache = "{root / ".digest-cache"}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    monkeypatch.chdir(eml.parent)
    argv = ["--config", str(config), "email", "--dry-run", "--latest", "--eml", str(eml)]
    return main(argv), eml


def test_case_29_template_syntax_in_a_title_stays_literal_in_both_email_parts(
    template_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _restore_logging: None
) -> None:
    templates = template_site / "site_templates"
    code, eml = _dry_run_email(template_site, templates, tmp_path / "issue.eml", monkeypatch)
    assert code == 0
    message = cast(EmailMessage, email.message_from_bytes(eml.read_bytes(), policy=default))
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None and html_part is not None
    text = text_part.get_content()
    shown = lxml.html.fromstring(html_part.get_content()).text_content()
    for title, _ in TEMPLATE_TITLES:
        assert title in text
        assert title in shown
    assert "49" not in text and "49" not in shown


@pytest.mark.parametrize("name", ["issue.txt.j2", "issue.html.j2"])
def test_case_29_an_undefined_name_in_an_email_template_fails_clearly(
    template_site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    _restore_logging: None,
) -> None:
    """StrictUndefined: a misspelt name is an error naming template, line and name; no .eml."""
    templates = tmp_path / "templates"
    shutil.copytree(template_site / "site_templates", templates)
    broken = templates / "email" / name
    lines = broken.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(5, "{{ digest.titel }}{{ no_such_name }}\n")
    broken.write_text("".join(lines), encoding="utf-8")
    (tmp_path / "out").mkdir()
    code, eml = _dry_run_email(template_site, templates, tmp_path / "out" / "x.eml", monkeypatch)
    assert code == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"Error: Cannot render the email template '{broken}', line 6: "
        "'digest.model.Digest object' has no attribute 'titel'"
    )
    assert not eml.exists()
    lines[5] = "{{ no_such_name }}\n"
    broken.write_text("".join(lines), encoding="utf-8")
    assert _dry_run_email(template_site, templates, eml, monkeypatch)[0] == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"Error: Cannot render the email template '{broken}', line 6: 'no_such_name' is undefined"
    )


# Case 40: the keep-alive commit -------------------------------------------------------------


def _epoch(day: str) -> str:
    return str(int(datetime.fromisoformat(f"{day}T06:17:00+00:00").timestamp()))


def test_case_40_a_quiet_month_still_commits_the_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduled job, run in a later month with nothing new, still pushes a commit.

    GitHub disables the schedule of a public repository after 60 days without activity. After
    the first run, every run fetches the same recorded answers, so no paper is new and the state
    stays as it is: only the heartbeat (the month) can make the job commit.
    """
    origin, root = tmp_path / "origin.git", tmp_path / "project"
    git = workflow_tests._git
    pushed: dict[str, str] = {}
    with serving() as server:
        workflow_tests.recorded(server)
        make_project(root)
        # The arXiv API alone: Hugging Face's pacing would add real seconds to every run.
        (root / "digest.toml").write_text(
            "[keywords]\nworkers = 1\n[fetch]\n"
            'arxiv_categories = ["cs.LG", "cs.AI"]\nmax_results = 20\npage_size = 20\n'
            f'tries = 1\narxiv_api_url = "{server.url("/api/query")}"\n',
            encoding="utf-8",
        )
        (root / ".gitignore").write_text("/site/\n/build/\n/inbox/\n/.digest-cache/\n")
        (root / ".github" / "workflows").mkdir(parents=True)
        shutil.copy2(workflow_tests.WORKFLOW, root / ".github" / "workflows")
        git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
        git(root, "init", "--quiet", "--initial-branch=main")
        git(root, "add", ".")
        git(root, "commit", "--quiet", "-m", "fork")
        git(root, "remote", "add", "origin", str(origin))
        git(root, "push", "--quiet", "origin", "main")
        for day in ("2026-06-10", "2026-07-01", "2026-07-20"):
            monkeypatch.setattr(workflow_tests, "EPOCH", _epoch(day))
            run = workflow_tests.run_build_job(root, tmp_path / "runner" / day)
            assert run.failed is None, run.failed and run.failed.stdout + run.failed.stderr
            pushed[day] = git(origin, "rev-parse", "main")
            assert run.outputs["commit"] == pushed[day]
    # The first run of July, three weeks on, commits the heartbeat and nothing else ...
    first, later = pushed["2026-06-10"], pushed["2026-07-01"]
    assert later != first
    assert git(origin, "diff", "--name-only", first, later) == ".github/digest-heartbeat"
    assert git(origin, "show", f"{later}:.github/digest-heartbeat") == "2026-07"
    assert git(origin, "log", "-1", "--format=%an: %s", later) == (
        f"{workflow_tests.BOT}: digest: state of 2026-07-01"
    )
    # ... and a quiet day later in July commits nothing: one push a month, inside the 60 days.
    assert pushed["2026-07-20"] == later

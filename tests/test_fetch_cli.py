"""``digest fetch`` end to end against a local server: what lands in the inbox, and what does not.

A successful fetch writes files that ``digest.sources.read_inputs`` reads back; a failed one
exits 1 and leaves the inbox byte for byte as it was.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fetchserver import (
    API,
    ERROR_ANSWER,
    HF,
    JSON,
    RSS,
    RSS_TYPE,
    FakeClock,
    FetchServer,
    Reply,
    arxiv_pages,
    file_reply,
    recorded_page,
    serving,
)

from digest.cli import main
from digest.fetch import command
from digest.fetch.inbox import api_name, hf_name, rss_name
from digest.sources import read_inputs

DAY = date(2026, 6, 10)
#: 2026-06-10T12:00:00Z, the day the fake clock starts on.
EPOCH = "1781092800"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """main() configures the ``digest`` logger; put it back for the other tests' caplog."""
    logger = logging.getLogger("digest")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(command, "SystemClock", lambda: fake)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return fake


@pytest.fixture
def server(clock: FakeClock) -> Iterator[FetchServer]:
    with serving(clock) as running:
        running.script("/api/query", file_reply(API / "cs-lg-or-cs-ai.xml"))
        for category in ("lg", "ai", "cl"):
            path = RSS / f"arxiv_cs_{category}.rss.xml"
            running.script(f"/rss/cs.{category.upper()}", file_reply(path, content_type=RSS_TYPE))
        running.script("/api/daily_papers", Reply(body=HF.read_bytes(), content_type=JSON))
        yield running


@pytest.fixture
def project(tmp_path: Path, server: FetchServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder whose digest.toml points every source at the local server."""
    write_config(tmp_path, server)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_config(root: Path, server: FetchServer, extra: str = "") -> Path:
    path = root / "digest.toml"
    path.write_text(
        "[fetch]\n"
        f'arxiv_api_url = "{server.url("/api/query")}"\n'
        f'arxiv_rss_url = "{server.url("/rss/")}"\n'
        f'hf_url = "{server.url("/api/daily_papers")}"\n' + extra,
        encoding="utf-8",
    )
    return path


def tree(root: Path) -> dict[str, bytes | None]:
    """Return every file and folder under ``root`` with its bytes (None for a folder)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def inbox_files(root: Path) -> list[Path]:
    return sorted((root / "inbox").iterdir())


def test_categories_fetch_writes_what_build_reads(
    project: Path, server: FetchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["fetch", "--arxiv-category", "cs.LG", "--arxiv-category", "cs.AI"]
    code = main([*argv, "--max-results", "20"])
    out = capsys.readouterr().out
    assert code == 0
    name = api_name("cat:cs.LG OR cat:cs.AI", DAY, 1)
    assert [p.name for p in inbox_files(project)] == [name]
    assert (project / "inbox" / name).read_bytes() == (API / "cs-lg-or-cs-ai.xml").read_bytes()
    assert out == (
        "Fetched 20 distinct papers into inbox/: 1 file(s) written, 0 unchanged, 0 removed.\n"
        "Build the site from them with: digest build inbox/*\n"
    )
    assert len(read_inputs(inbox_files(project))) == 20
    (seen,) = server.requests
    assert seen.params["search_query"] == "cat:cs.LG OR cat:cs.AI"


def test_every_source_at_once(project: Path, server: FetchServer, clock: FakeClock) -> None:
    server.routes["/api/query"] = arxiv_pages(
        {0: file_reply(recorded_page(0)), 10: file_reply(recorded_page(10))}
    )
    write_config(project, server, "page_size = 10\n")
    argv = ["fetch", "--arxiv-query", "all:testing", "--max-results", "20"]
    argv += ["--arxiv-rss", "cs.LG", "--arxiv-rss", "cs.AI", "--hf-date", "2026-06-10"]
    assert main(argv) == 0
    assert [p.name for p in inbox_files(project)] == sorted(
        [
            api_name("all:testing", DAY, 1),
            api_name("all:testing", DAY, 2),
            rss_name("cs.LG", DAY),
            rss_name("cs.AI", DAY),
            hf_name(date(2026, 6, 9)),
            hf_name(DAY),
        ]
    )
    # 20 from the API, 3 + 3 from the listings (one paper in both), 30 from Hugging Face
    # (the same answer served for both days: merged).
    papers = read_inputs(inbox_files(project))
    per_file = [len(read_inputs([p])) for p in inbox_files(project)]
    assert per_file == [10, 10, 3, 3, 30, 30]
    assert len(papers) == len({p.key for p in papers})
    times = [r.at for r in server.requests if r.path != "/api/daily_papers"]
    assert all(b - a >= 3.0 for a, b in itertools.pairwise(times))


def test_arxiv_requests_keep_three_seconds_apart(
    project: Path, server: FetchServer, clock: FakeClock
) -> None:
    argv = ["fetch", "--arxiv-category", "cs.LG", "--arxiv-rss", "cs.LG", "--arxiv-rss", "cs.AI"]
    assert main([*argv, "--max-results", "20"]) == 0
    times = [r.at for r in server.requests]
    assert len(times) == 3
    assert [b - a for a, b in itertools.pairwise(times)] == [3.0, 3.0]
    assert clock.sleeps == [3.0, 3.0]


def test_failed_fetch_exits_1_and_leaves_inbox_identical(
    project: Path, server: FetchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fetch", "--arxiv-rss", "cs.LG", "--hf-date", "2026-06-09"]) == 0
    before = tree(project / "inbox")
    assert len(before) == 3
    server.script("/api/daily_papers", Reply(503, b"", "text/plain"))
    capsys.readouterr()
    code = main(["fetch", "--arxiv-rss", "cs.LG", "--arxiv-rss", "cs.AI", "--hf"])
    err = capsys.readouterr().err
    assert code == 1
    url = server.url("/api/daily_papers?date=2026-06-09")
    assert err.endswith(
        f"Error: Cannot fetch {url}: HTTP 503 Service Unavailable (gave up after 4 tries)\n"
    )
    assert tree(project / "inbox") == before


def test_failed_fetch_in_a_subprocess(project: Path, server: FetchServer) -> None:
    server.script("/api/query", file_reply(ERROR_ANSWER, status=400))
    (project / "inbox").mkdir()
    (project / "inbox" / "kept.xml").write_bytes(b"<kept/>")
    before = tree(project)
    result = subprocess.run(
        [sys.executable, "-m", "digest", "fetch", "--arxiv-query", "id:abc"],
        cwd=project,
        env={k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    url = server.url(
        "/api/query?search_query=id%3Aabc&start=0&max_results=100&sortBy=submittedDate"
        "&sortOrder=descending"
    )
    assert result.stderr.splitlines()[-1] == (
        f"Error: arXiv query 'id:abc' is invalid: arXiv rejected the query of '{url}': "
        "incorrect id format for abc (https://arxiv.org/api/errors#incorrect_id_format_for_abc)"
    )
    assert result.stdout == ""
    assert tree(project) == before


def test_sources_from_the_config_file(project: Path, server: FetchServer) -> None:
    write_config(project, server, 'rss_categories = ["cs.CL"]\nhf_daily = true\n')
    assert main(["fetch"]) == 0
    assert [r.path for r in server.requests] == ["/rss/cs.CL", *["/api/daily_papers"] * 2]
    dates = [r.params["date"] for r in server.requests if r.params]
    assert dates == ["2026-06-09", "2026-06-10"]
    assert len(inbox_files(project)) == 3


def test_source_flags_replace_the_config_sources(project: Path, server: FetchServer) -> None:
    write_config(project, server, 'rss_categories = ["cs.CL"]\nhf_daily = true\n')
    assert main(["fetch", "--arxiv-rss", "cs.AI"]) == 0
    assert [r.path for r in server.requests] == ["/rss/cs.AI"]


def test_inbox_flag_and_config(project: Path, server: FetchServer) -> None:
    write_config(project, server, 'inbox = "incoming"\n')
    assert main(["fetch", "--arxiv-rss", "cs.AI"]) == 0
    assert len(list((project / "incoming").iterdir())) == 1
    assert main(["fetch", "--arxiv-rss", "cs.AI", "--inbox", "other/in"]) == 0
    assert len(list((project / "other" / "in").iterdir())) == 1


def test_rerun_on_the_same_day_changes_nothing(
    project: Path, server: FetchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["fetch", "--arxiv-rss", "cs.LG", "--hf"]
    assert main(argv) == 0
    before = tree(project / "inbox")
    capsys.readouterr()
    assert main(argv) == 0
    assert "0 file(s) written, 3 unchanged, 0 removed" in capsys.readouterr().out
    assert tree(project / "inbox") == before


def test_partial_hf_answer_loses_nothing(project: Path, server: FetchServer) -> None:
    assert main(["fetch", "--hf"]) == 0
    full = (project / "inbox" / hf_name(DAY)).read_bytes()
    partial = json.dumps(json.loads(HF.read_bytes())[:7]).encode()
    server.script("/api/daily_papers", Reply(body=partial, content_type=JSON))
    assert main(["fetch", "--hf"]) == 0
    assert (project / "inbox" / hf_name(DAY)).read_bytes() == full
    assert len(read_inputs(inbox_files(project))) == 30


def test_fewer_pages_on_rerun_removes_stale_pages(project: Path, server: FetchServer) -> None:
    server.routes["/api/query"] = arxiv_pages(
        {s: file_reply(recorded_page(s)) for s in (0, 10, 20)}
    )
    write_config(project, server, "page_size = 10\n")
    assert main(["fetch", "--arxiv-query", "all:testing", "--max-results", "30"]) == 0
    assert len(inbox_files(project)) == 3
    assert main(["fetch", "--arxiv-query", "all:testing", "--max-results", "10"]) == 0
    assert [p.name for p in inbox_files(project)] == [api_name("all:testing", DAY, 1)]


def test_nothing_to_fetch(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch"]) == 1
    assert capsys.readouterr().err == (
        "Error: Nothing to fetch: give --arxiv-query, --arxiv-category, --arxiv-rss, --hf or "
        "--hf-date, or declare sources in the [fetch] section of digest.toml\n"
    )
    assert not (project / "inbox").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--arxiv-category", "cs LG"], "expected an arXiv category like cs.LG, got 'cs LG'"),
        (["--arxiv-rss", "../x"], "expected an arXiv category like cs.LG, got '../x'"),
        (["--hf-date", "June"], "expected a date YYYY-MM-DD, got 'June'"),
        (["--max-results", "0"], "expected a number from 1 to 30000, got '0'"),
        (["--hf", "--hf-date", "2026-06-10"], "argument --hf-date: not allowed with argument --hf"),
    ],
)
def test_misuse_exits_2(
    project: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["fetch", *argv])
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


def test_bad_fetch_config(
    project: Path, server: FetchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(project, server, 'rss_categories = ["cs LG"]\nmax_results = 0\n')
    assert main(["fetch"]) == 1
    assert capsys.readouterr().err == (
        f"Error: Invalid configuration in '{config.name}':\n"
        "  Config value 'fetch.max_results': expected 1 to 30000, got 0\n"
        "  Config value 'fetch.rss_categories': 'cs LG' is not an arXiv category like 'cs.LG'\n"
    )


def test_unknown_fetch_key(project: Path, server: FetchServer) -> None:
    write_config(project, server, "hf_days = 3\n")
    assert main(["fetch", "--hf"]) == 1
    assert not (project / "inbox").exists()


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["fetch", "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "digest fetch --arxiv-category cs.LG --arxiv-category cs.AI" in out
    assert "--arxiv-rss CAT" in out

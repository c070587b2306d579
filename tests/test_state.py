"""The kept state: text a day only appends to, loud failures, the lock, the journal, the cache,
and the one-time conversion of digest 0.1's SQLite store."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.errors import DigestError, StateError
from digest.model import Paper
from digest.sources import read_inputs
from digest.state import journal, kept
from digest.state.kept import open_state
from digest.state.records import StoredPaper, dump_record, load_record
from tests.conftest import DATA, build_site, tree_bytes, write_listing

DAY1 = datetime(2026, 4, 27, tzinfo=UTC)
DAY2 = datetime(2026, 4, 28, tzinfo=UTC)
LABELLED = DATA / "labelled" / "arxiv-cs-2016-head300.jsonl"
LEGACY = DATA / "legacy-store"


def _paper(key: str = "arxiv:2401.01234", version: int = 1, title: str = "A title") -> Paper:
    return Paper(key=key, title=title, abstract="An abstract.", arxiv_id=key[6:], version=version)


def _lines(path: Path, start: int, stop: int) -> Path:
    """A JSON Lines listing of records ``start`` to ``stop`` of the labelled set."""
    lines = LABELLED.read_text(encoding="utf-8").splitlines()[start:stop]
    target = path / f"records-{start}-{stop}.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def test_upsert_keeps_first_seen_and_updates_versions(tmp_path: Path) -> None:
    with open_state(tmp_path, create=True) as state:
        assert state.upsert([_paper()], DAY1).new == ("arxiv:2401.01234",)
        state.commit()
    with open_state(tmp_path, create=False) as state:
        changes = state.upsert([_paper(version=2, title="Revised")], DAY2)
        assert changes.new == () and changes.changed == ("arxiv:2401.01234",)
        # An older version arriving later changes nothing.
        assert state.upsert([_paper(version=1, title="Old")], DAY2).changed == ()
        state.commit()
    with open_state(tmp_path, create=False) as state:
        [stored] = state.stored()
        assert stored.first_seen == DAY1
        assert stored.paper.title == "Revised" and stored.paper.version == 2
    # The new version is a later line, in the month it was seen; nothing was rewritten.
    assert len((tmp_path / "papers" / "2026-04.jsonl").read_text().splitlines()) == 2


def test_a_month_goes_on_in_parts_and_later_parts_hold_newer_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = len(dump_record(StoredPaper(_paper("arxiv:2401.00010"), DAY1))) + 1
    monkeypatch.setattr(kept, "PART_BYTES", 3 * line)
    keys = [f"arxiv:2401.{n:05d}" for n in range(10, 17)]
    with open_state(tmp_path, create=True) as state:
        state.upsert([_paper(k) for k in keys[:4]], DAY1)
        state.commit()
    with open_state(tmp_path, create=False) as state:
        state.upsert([_paper(k) for k in keys[4:]], DAY1)
        # The first paper's new version lands in the last part, after its first record.
        state.upsert([_paper(keys[0], version=2, title="Revised")], DAY1)
        state.commit()
    folder = tmp_path / "papers"
    sizes = {p.name: len(p.read_text().splitlines()) for p in folder.iterdir()}
    assert sizes == {"2026-04.jsonl": 3, "2026-04_2.jsonl": 3, "2026-04_3.jsonl": 2}
    assert all(p.stat().st_size <= 3 * line + 40 for p in folder.iterdir())
    with open_state(tmp_path, create=False) as state:
        stored = {s.paper.key: s.paper for s in state.stored()}
    assert sorted(stored) == keys
    assert stored[keys[0]].title == "Revised"


def test_uncommitted_changes_are_not_written(tmp_path: Path) -> None:
    with open_state(tmp_path, create=True) as state:
        state.commit()
    before = tree_bytes(tmp_path)
    with pytest.raises(RuntimeError), open_state(tmp_path, create=False) as state:
        state.upsert([_paper()], DAY1)
        raise RuntimeError("crash before commit")
    assert tree_bytes(tmp_path) == before


def test_records_are_every_field_of_the_paper_and_read_back_equal() -> None:
    """Real arXiv and Hugging Face records, every field set somewhere, survive a round trip."""
    papers = read_inputs(
        [DATA / "arxiv-api" / "cs-lg-or-cs-ai.xml", DATA / "hf-daily-papers" / "daily_papers.json"]
    )
    for paper in papers:
        line = dump_record(StoredPaper(paper, DAY1))
        assert "\n" not in line
        assert load_record(line) == StoredPaper(paper, DAY1)
    assert any(p.authors for p in papers) and any(p.published for p in papers)
    assert any(p.upvotes is not None for p in papers) and any(p.code_urls for p in papers)


def test_a_build_keeps_little_and_a_day_only_appends(tmp_path: Path) -> None:
    """Day 2 appends its papers' lines and its placements; no kept byte of day 1 changes."""
    day1 = build_site(tmp_path, [_lines(tmp_path, 0, 120)], epoch=None, date="2026-01-05")
    state = tmp_path / "state"
    kept1 = tree_bytes(state)
    papers = kept1["papers/2026-01.jsonl"]
    assert papers.count(b"\n") == 120
    # About 1.2 KB a paper on real arXiv records (the floor is 2.5 KB).
    assert len(papers) / 120 < 2500
    build_site(tmp_path, [_lines(tmp_path, 0, 130)], epoch=None, date="2026-01-06")
    kept2 = tree_bytes(state)
    for name, data in kept1.items():
        assert kept2[name].startswith(data), f"{name} was rewritten"
    assert kept2["papers/2026-01.jsonl"].count(b"\n") == 130
    assert day1.result.themes >= 4


def test_a_build_without_the_cache_writes_the_same_site(tmp_path: Path) -> None:
    """The cache only saves time: a daily build (new papers joining the published themes)
    gives the same site, byte for byte, from the kept state alone."""
    first = tmp_path / "first"
    build_site(first, [_lines(tmp_path, 0, 150)], epoch=None, date="2026-01-05")
    second = tmp_path / "second"
    shutil.copytree(first, second)
    shutil.rmtree(second / ".digest-cache")
    more = _lines(tmp_path, 0, 170)
    build_site(first, [more], epoch=None, date="2026-01-06")
    built = build_site(second, [more], epoch=None, date="2026-01-06")
    assert built.result.new == 20
    assert tree_bytes(second / "site") == tree_bytes(first / "site")
    assert tree_bytes(second / "state") == tree_bytes(first / "state")


def test_a_missing_state_is_refused_next_to_a_published_site(tmp_path: Path) -> None:
    listing = write_listing(tmp_path / "in.txt", [("Graph paper one", "Graph neural networks.")])
    build_site(tmp_path, [listing])
    before = tree_bytes(tmp_path / "site")
    shutil.rmtree(tmp_path / "state")
    with pytest.raises(StateError) as error:
        build_site(tmp_path, [listing])
    assert str(error.value) == (
        "The state folder 'state' is missing, but a site was already built from one. Starting "
        "afresh would announce every paper again as new: restore it (it is kept in the "
        "repository), or pass --new-state to start a new one on purpose"
    )
    assert tree_bytes(tmp_path / "site") == before
    build_site(tmp_path, [listing], new_state=True)


def test_a_damaged_line_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    with open_state(tmp_path, create=True) as state:
        state.upsert([_paper(), _paper("arxiv:2401.00002")], DAY1)
        state.commit()
    month = tmp_path / "papers" / "2026-04.jsonl"
    lines = month.read_text().splitlines()
    month.write_text(lines[0] + "\n" + lines[1][:40] + "\n")
    with pytest.raises(StateError) as error, open_state(tmp_path, create=False):
        pass
    assert str(error.value).startswith(f"'{month}' line 2: not JSON")
    month.write_text(lines[0] + "\n" + lines[1][:40])
    with (
        pytest.raises(StateError, match="ends in a partial line"),
        open_state(tmp_path, create=False),
    ):
        pass


def test_a_state_of_a_newer_format_is_refused(tmp_path: Path) -> None:
    with open_state(tmp_path, create=True) as state:
        state.commit()
    (tmp_path / "digest-state.json").write_text('{"format": 99}\n')
    with pytest.raises(StateError) as error, open_state(tmp_path, create=False):
        pass
    assert str(error.value) == (
        f"The state '{tmp_path}' has format 99, newer than this digest understands (1): "
        "upgrade digest"
    )
    assert issubclass(StateError, DigestError)


def test_a_second_build_is_refused_while_the_state_is_locked(tmp_path: Path) -> None:
    with open_state(tmp_path, create=True) as state:
        state.commit()
    # The lock is a POSIX record lock, held per process: take it from another process.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, time\n"
            f"f = open({str(tmp_path / '.lock')!r}, 'ab')\n"
            "fcntl.lockf(f.fileno(), fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with (
            pytest.raises(StateError, match="is locked by another build"),
            open_state(tmp_path, create=False),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]


def test_a_commit_killed_midway_is_finished_by_the_next_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after half an append: the next open applies the journal again, so the file has
    every line once and no half line."""
    with open_state(tmp_path, create=True) as state:
        state.upsert([_paper()], DAY1)
        state.commit()
    real = journal._append

    def half(path: Path, size: int, data: bytes) -> None:
        with open(path, "ab") as handle:
            handle.truncate(size)
            handle.write(data[: len(data) // 2])
        raise KeyboardInterrupt  # the process dies here

    monkeypatch.setattr(journal, "_append", half)
    with pytest.raises(KeyboardInterrupt), open_state(tmp_path, create=False) as state:
        state.upsert([_paper("arxiv:2401.00002"), _paper("arxiv:2401.00003")], DAY1)
        state.commit()
    monkeypatch.setattr(journal, "_append", real)
    assert (tmp_path / journal.JOURNAL).exists()
    with open_state(tmp_path, create=False) as state:
        keys = [s.paper.key for s in state.stored()]
    assert sorted(keys) == ["arxiv:2401.00002", "arxiv:2401.00003", "arxiv:2401.01234"]
    text = (tmp_path / "papers" / "2026-04.jsonl").read_text()
    assert len(text.splitlines()) == 3 and text.endswith("\n")
    assert not (tmp_path / journal.JOURNAL).exists()


def test_the_journal_is_written_in_pieces_as_one_json_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal is made a piece at a time (a cold build's is hundreds of MB as one text),
    and is the JSON list recover() reads: each file's bytes whole, in order."""
    monkeypatch.setattr(journal, "_PIECE", 3)
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "a.jsonl").write_bytes(b"old\n")
    (tmp_path / "gone.jsonl").write_bytes(b"x\n")
    changes = journal.Changes()
    changes.append("papers/a.jsonl", 'línea "1"\n'.encode())
    changes.append("papers/b.jsonl", b"1234567\n")
    changes.replaces["themes/t.jsonl"] = b""
    changes.deletes.add("gone.jsonl")

    def dead(path: Path, size: int, data: bytes) -> None:
        raise KeyboardInterrupt  # the process dies with the journal written

    monkeypatch.setattr(journal, "_append", dead)
    with pytest.raises(KeyboardInterrupt):
        journal.commit(tmp_path, changes)
    entries = json.loads((tmp_path / journal.JOURNAL).read_bytes())
    assert [
        (e.get("append") or e.get("replace") or e["delete"], e.get("size")) for e in entries
    ] == [
        ("papers/a.jsonl", 4),
        ("papers/b.jsonl", 0),
        ("themes/t.jsonl", None),
        ("gone.jsonl", None),
    ]
    monkeypatch.undo()
    assert journal.recover(tmp_path)
    assert (tmp_path / "papers" / "a.jsonl").read_bytes() == 'old\nlínea "1"\n'.encode()
    assert (tmp_path / "papers" / "b.jsonl").read_bytes() == b"1234567\n"
    assert (tmp_path / "themes" / "t.jsonl").read_bytes() == b""
    assert not (tmp_path / "gone.jsonl").exists()


def test_the_sqlite_store_of_digest_0_1_is_converted_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A store written by digest 0.1 (tests/data/legacy-store/) becomes the state folder:
    no paper is announced again, and every published theme keeps its slug."""
    shutil.copy(LEGACY / "digest.sqlite", tmp_path / "digest.sqlite")
    published = json.loads((LEGACY / "published-digest.json").read_text())
    listing = [LEGACY / "day1.jsonl", LEGACY / "day2.jsonl"]
    with caplog.at_level("INFO", logger="digest"):
        built = build_site(tmp_path, listing, epoch=None, date="2026-01-07")
    assert "Converted the store 'digest.sqlite' (60 papers, " in caplog.text
    assert built.result.new == 0
    exported = json.loads((tmp_path / "site" / "digest.json").read_text())
    listed = {p["id"]: p["listed"] for p in exported["papers"]}
    assert listed == {p["id"]: p["listed"] for p in published["papers"]}
    issues = sorted(p.name for p in (tmp_path / "site" / "issues").iterdir() if p.is_dir())
    assert issues == ["2026-01-05", "2026-01-06"]
    # The first build regroups (new code, new settings); themes whose papers stay together
    # keep their slugs.
    slugs = {t["slug"] for t in exported["themes"]}
    assert len(slugs & {t["slug"] for t in published["themes"]}) >= len(slugs) // 2
    # Read once: the next build says the store is no longer read.
    caplog.clear()
    with caplog.at_level("WARNING", logger="digest"):
        build_site(tmp_path, listing, epoch=None, date="2026-01-07", store="digest.sqlite")
    assert "--store 'digest.sqlite' is not read" in caplog.text

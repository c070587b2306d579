"""The store: first-seen dates, versions, loud failures, the lock, and kill -9 at any point."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.errors import DigestError
from digest.model import Paper
from digest.sources import read_inputs
from digest.store import SCHEMA_VERSION, StoreError, open_store
from tests.conftest import REPO, SEED, build_site, make_project, tree_bytes, write_listing

DAY1 = datetime(2026, 4, 27, tzinfo=UTC)
DAY2 = datetime(2026, 4, 28, tzinfo=UTC)


def _paper(key: str = "arxiv:2401.01234", version: int = 1, title: str = "A title") -> Paper:
    return Paper(key=key, title=title, abstract="An abstract.", arxiv_id=key[6:], version=version)


def test_upsert_keeps_first_seen_and_updates_versions(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with open_store(path, create=True) as store:
        assert store.upsert([_paper()], DAY1).new == ("arxiv:2401.01234",)
        store.commit()
    with open_store(path, create=False) as store:
        changes = store.upsert([_paper(version=2, title="Revised")], DAY2)
        assert changes.new == () and changes.changed == ("arxiv:2401.01234",)
        # An older version arriving later changes nothing.
        assert store.upsert([_paper(version=1, title="Old")], DAY2).changed == ()
        store.commit()
    with open_store(path, create=False) as store:
        [stored] = store.papers()
        assert stored.first_seen == DAY1
        assert stored.paper.title == "Revised" and stored.paper.version == 2


def test_uncommitted_changes_are_rolled_back(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with open_store(path, create=True) as store:
        store.commit()
    with pytest.raises(RuntimeError), open_store(path, create=False) as store:
        store.upsert([_paper()], DAY1)
        raise RuntimeError("crash before commit")
    with open_store(path, create=False) as store:
        assert store.count() == 0


def test_missing_store_is_refused_when_expected(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as error, open_store(tmp_path / "gone.sqlite", create=False):
        pass
    assert str(error.value) == (
        f"The store '{tmp_path / 'gone.sqlite'}' is missing, but a site was already built from "
        "one. Starting afresh would announce every paper again as new: restore the store, or "
        "pass --new-store to start a new one on purpose"
    )


def test_a_build_refuses_to_start_afresh_next_to_an_existing_site(tmp_path: Path) -> None:
    listing = write_listing(
        tmp_path / "in.txt", [("Graph paper one", "Graph neural networks.")] * 1
    )
    build_site(tmp_path, [listing])
    before = tree_bytes(tmp_path / "site")
    (tmp_path / "digest.sqlite").unlink()
    with pytest.raises(StoreError, match="is missing, but a site was already built"):
        build_site(tmp_path, [listing])
    assert tree_bytes(tmp_path / "site") == before
    build_site(tmp_path, [listing], new_store=True)


def test_corrupt_and_foreign_stores_are_loud_errors(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with (
        pytest.raises(StoreError, match="corrupt or not a digest store"),
        open_store(garbage, create=False),
    ):
        pass
    foreign = tmp_path / "foreign.sqlite"
    sqlite3.connect(foreign).execute("CREATE TABLE papers (x)").connection.commit()
    with (
        pytest.raises(StoreError, match="is an SQLite file but not a digest store"),
        open_store(foreign, create=False),
    ):
        pass


def test_a_newer_or_unknown_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with open_store(path, create=True) as store:
        store.commit()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with (
        pytest.raises(StoreError, match=f"schema version {SCHEMA_VERSION + 1}, newer than"),
        open_store(path, create=False),
    ):
        pass
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 0")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="cannot migrate"), open_store(path, create=False):
        pass


def test_a_second_build_is_refused_while_the_store_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with open_store(path, create=True) as store:
        store.commit()
    # The lock is a POSIX record lock, held per process: take it from another process.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            f"f = open({str(path) + '.lock'!r}, 'ab')\n"
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
            pytest.raises(StoreError, match="is locked by another build"),
            open_store(path, create=False),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]
    with open_store(path, create=False) as store:
        assert store.count() == 0


def test_store_errors_are_digest_errors() -> None:
    assert issubclass(StoreError, DigestError)


def _sample(tmp_path: Path, count: int, start: int = 0) -> Path:
    lines = SEED.read_text(encoding="utf-8").splitlines()[2:]
    pairs = [(lines[i], lines[i + 1]) for i in range(0, len(lines), 2)]
    return write_listing(tmp_path / f"papers-{start}.txt", pairs[start : start + count])


def _build_command(root: Path, listing: Path, day: str) -> list[str]:
    return [sys.executable, "-m", "digest", "-q", "build", str(listing), "--date", day]


def test_kill_9_at_random_points_loses_nothing(tmp_path: Path) -> None:
    """ROBUSTNESS 34: kill -9 mid-build leaves the old site or the new one, never a mix."""
    make_project(tmp_path)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO)}
    first = _sample(tmp_path, 30)
    subprocess.run(_build_command(tmp_path, first, "2026-04-27"), cwd=tmp_path, env=env, check=True)
    old_site = tree_bytes(tmp_path / "site")
    second = _sample(tmp_path, 30, start=20)
    rng = random.Random(20240601)
    kills = 0
    for _ in range(6):
        process = subprocess.Popen(
            _build_command(tmp_path, second, "2026-04-28"), cwd=tmp_path, env=env
        )
        time.sleep(rng.uniform(0.2, 4.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        site = tree_bytes(tmp_path / "site")
        with open_store(tmp_path / "digest.sqlite", create=False) as store:
            count = store.count()
            assert store._db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        if count == 30:
            assert site == old_site, "the store is as before, so the site must be too"
        else:
            assert count == 50
            assert site == old_site or "issues/2026-04-28/index.html" in site
        if count == 50 and site != old_site:
            break
    assert kills >= 1, "no build was killed: lengthen the delays"
    subprocess.run(
        _build_command(tmp_path, second, "2026-04-28"), cwd=tmp_path, env=env, check=True
    )
    with open_store(tmp_path / "digest.sqlite", create=False) as store:
        assert store.count() == 50
        dates = {s.first_seen.date().isoformat() for s in store.papers()}
    assert dates == {"2026-04-27", "2026-04-28"}
    final = tree_bytes(tmp_path / "site")
    assert "issues/2026-04-28/index.html" in final
    assert not list(tmp_path.glob(".site.new-*")), "a staging folder was left behind"


def test_a_first_run_is_one_transaction_too(tmp_path: Path) -> None:
    """Creating the store must not commit early: a failed first build leaves it empty."""
    path = tmp_path / "store.sqlite"
    with pytest.raises(RuntimeError), open_store(path, create=True) as store:
        assert store._db.in_transaction
        store.upsert([_paper()], DAY1)
        raise RuntimeError("the first build fails before its commit")
    with open_store(path, create=True) as store:
        assert store.count() == 0


def test_stored_records_are_every_field_of_the_paper_and_read_back_equal(tmp_path: Path) -> None:
    """A paper with every field set (real arXiv and Hugging Face records) is stored as all its
    fields, by name, and read back equal: nothing of a record is lost in the store."""
    data = REPO / "tests" / "data"
    papers = read_inputs(
        [data / "arxiv-api" / "cs-lg-or-cs-ai.xml", data / "hf-daily-papers" / "daily_papers.json"]
    )
    with open_store(tmp_path / "digest.sqlite", create=True) as store:
        store.upsert(papers, DAY1)
        rows = dict(store._db.execute("SELECT key, data FROM papers"))
        for paper in papers:
            record = json.loads(rows[paper.key])
            expected = asdict(paper)
            for name in ("published", "updated"):
                value = getattr(paper, name)
                expected[name] = value.isoformat() if value else None
            assert record == json.loads(json.dumps(expected))
        stored = {s.paper.key: s.paper for s in store.papers()}
    assert stored == {p.key: p for p in papers}
    assert any(p.authors for p in papers) and any(p.published for p in papers)

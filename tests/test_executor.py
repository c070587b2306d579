"""The keyword stage runs on any concurrent.futures Executor: threads, processes, Dask."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from digest.config import KeywordConfig
from digest.keywords import extract_raw
from digest.sources import read_inputs
from digest.workers import LazyProcessPool
from tests.conftest import EPOCH, REPO, SEED, build_site, make_project, seed_pairs, write_listing

SETTINGS = KeywordConfig()


@pytest.fixture(scope="module")
def papers():  # type: ignore[no-untyped-def]
    return read_inputs([SEED])[:40]


@pytest.fixture(scope="module")
def sequential(papers):  # type: ignore[no-untyped-def]
    return extract_raw(papers, SETTINGS, None)


def test_a_process_pool_gives_the_sequential_result(papers, sequential) -> None:  # type: ignore[no-untyped-def]
    with LazyProcessPool(2) as pool:
        assert extract_raw(papers, SETTINGS, pool) == sequential


def test_the_lazy_pool_starts_no_process_without_work() -> None:
    with LazyProcessPool(2) as pool:
        assert pool._pool is None


def test_any_executor_works(papers, sequential) -> None:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(2) as pool:
        assert extract_raw(papers, SETTINGS, pool) == sequential


def test_a_dask_cluster_executor_gives_the_sequential_result(papers, sequential) -> None:  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip(
        "distributed", reason="the optional 'dask' extra is not installed"
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        executor = client.get_executor()
        assert extract_raw(papers, SETTINGS, executor) == sequential


def _mark_preloaded() -> None:
    os.environ["DIGEST_TEST_PRELOADED"] = str(os.getpid())


def _preloaded(_: int) -> tuple[int, str | None]:
    return os.getpid(), os.environ.get("DIGEST_TEST_PRELOADED")


def test_a_started_pool_runs_its_preload_in_each_worker() -> None:
    """Each worker ran ``preload`` as it started, before its first task."""
    with LazyProcessPool(2, _mark_preloaded) as pool:
        pool.start()
        assert pool._pool is not None
        seen = dict(pool.map(_preloaded, range(16)))
    assert "DIGEST_TEST_PRELOADED" not in os.environ
    assert seen and all(mark == str(pid) for pid, mark in seen.items())


def test_a_first_build_starts_its_workers_before_reading_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts: list[bool] = []
    start = LazyProcessPool.start

    def spy(self: LazyProcessPool) -> None:
        starts.append(Path("digest.sqlite").exists())
        start(self)

    monkeypatch.setattr(LazyProcessPool, "start", spy)
    pairs = seed_pairs()
    first = write_listing(tmp_path / "first.txt", pairs[:20])
    site = build_site(tmp_path, [first], keywords={"workers": 2})
    assert starts == [False]  # started once, before the store was created
    assert site.result.new == 20
    # The store exists now: its cache decides what goes to YAKE, and the pool starts lazily.
    second = write_listing(tmp_path / "second.txt", pairs[:40])
    site = build_site(tmp_path, [second], keywords={"workers": 2})
    assert starts == [False] and site.result.new == 20
    # Extraction in process (one worker): no pool to start.
    build_site(tmp_path / "alone", [first], keywords={"workers": 1})
    assert starts == [False]


def test_the_build_process_leaves_yake_to_its_workers(tmp_path: Path) -> None:
    """On a process pool, a cold build's own process never imports yake (its workers do,
    while it reads the settings, inputs and store), and the command line starts without
    MkDocs, numpy or yake."""
    make_project(tmp_path)
    (tmp_path / "digest.toml").write_text("[keywords]\nworkers = 2\n", encoding="utf-8")
    listing = write_listing(tmp_path / "listing.txt", seed_pairs()[:20])
    script = (
        "import json, sys\n"
        "import digest.cli\n"
        "heavy = ('yake', 'mkdocs', 'numpy', 'scipy')\n"
        "at_start = sorted(m for m in heavy if m in sys.modules)\n"
        f"code = digest.cli.main(['-q', 'build', {str(listing)!r}])\n"
        "print(json.dumps([code, at_start, sorted(m for m in heavy if m in sys.modules)]))\n"
    )
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    code, at_start, at_end = json.loads(out.stdout.splitlines()[-1])
    assert code == 0 and (tmp_path / "site" / "index.html").is_file()
    assert at_start == []
    assert "yake" not in at_end and "mkdocs" in at_end

"""The keyword stage runs on any concurrent.futures Executor (a Dask cluster's too: see
tests/test_dask.py), and starts no process it does not need."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from digest import executors
from digest.config import KeywordConfig
from digest.executors import LazyProcessPool, keyword_executor
from digest.sources import read_inputs
from digest.text.keywords import extract
from tests.conftest import EPOCH, REPO, SEED, build_site, make_project, seed_pairs, write_listing

SETTINGS = KeywordConfig()


@pytest.fixture(scope="module")
def papers():  # type: ignore[no-untyped-def]
    return read_inputs([SEED])[:40]


@pytest.fixture(scope="module")
def sequential(papers):  # type: ignore[no-untyped-def]
    return extract(papers, SETTINGS, None)


def test_a_process_pool_gives_the_sequential_result(papers, sequential) -> None:  # type: ignore[no-untyped-def]
    with LazyProcessPool(2) as pool:
        assert extract(papers, SETTINGS, pool) == sequential


def test_the_lazy_pool_starts_no_process_without_work() -> None:
    before = set(multiprocessing.active_children())
    with LazyProcessPool(2) as pool:
        assert set(multiprocessing.active_children()) == before
        assert list(pool.map(abs, [-1, -2])) == [1, 2]
        assert len(set(multiprocessing.active_children()) - before) == 2


def test_any_executor_works(papers, sequential) -> None:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(2) as pool:
        assert extract(papers, SETTINGS, pool) == sequential


def test_where_keywords_are_extracted() -> None:
    """A given executor, else a pool of ``workers`` processes, else in process (one worker)."""
    given = ThreadPoolExecutor(1)
    with keyword_executor(4, "dask://nowhere:1", given) as chosen:
        assert chosen is given
    given.shutdown()
    with keyword_executor(1) as chosen:
        assert chosen is None
    with keyword_executor(2) as chosen:
        assert isinstance(chosen, LazyProcessPool) and chosen.workers == 2
    with keyword_executor(0) as chosen:
        cpus = os.cpu_count() or 1
        assert chosen is None if cpus == 1 else isinstance(chosen, LazyProcessPool)


def test_a_build_whose_keywords_are_all_cached_starts_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pools: list[int] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, *args: object, **kwargs: object) -> None:
            pools.append(1)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(executors, "ProcessPoolExecutor", Counted)
    listing = write_listing(tmp_path / "first.txt", seed_pairs()[:20])
    site = build_site(tmp_path, [listing], keywords={"workers": 2})
    assert site.result.new == 20 and len(pools) == 1
    # Another title: a new build whose papers' keywords are all in the cache.
    site = build_site(tmp_path, [listing], keywords={"workers": 2}, title="Another digest")
    assert site.result.digest is not None and len(pools) == 1


def test_the_build_process_loads_yake_once_for_its_workers(tmp_path: Path) -> None:
    """On a process pool, a cold build's own process imports yake before forking its workers,
    which inherit it (each imported it before: 0.3 s of CPU a worker), and the command line
    starts without MkDocs, numpy or yake."""
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
    assert "yake" in at_end and "mkdocs" in at_end

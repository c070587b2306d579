"""The keyword stage runs on any concurrent.futures Executor: threads, processes, Dask."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from digest.config import KeywordConfig
from digest.keywords import extract_raw
from digest.sources import read_inputs
from digest.workers import LazyProcessPool
from tests.conftest import SEED

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

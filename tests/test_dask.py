"""Keyword extraction on a Dask cluster (``--executor dask://HOST:PORT``), against a real
``LocalCluster`` of two worker processes: the same site as a local build, byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.executors import keyword_executor
from tests.conftest import SEED, Site, build_site, tree_bytes

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a local Dask scheduler with two worker processes."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_a_build_on_a_dask_cluster_writes_the_local_build_s_site(
    scheduler: str, seed_site: Site, tmp_path: Path
) -> None:
    address = "dask://" + scheduler.removeprefix("tcp://")
    built = build_site(tmp_path, [SEED], executor=address, keywords={"workers": 0})
    assert built.result.new == 195
    assert tree_bytes(built.site) == tree_bytes(seed_site.site)


def test_a_bad_executor_address_is_a_clear_error() -> None:
    with pytest.raises(ConfigError) as error, keyword_executor(0, "tcp://nowhere:1"):
        pass
    assert str(error.value) == "executor must be dask://HOST:PORT, got 'tcp://nowhere:1'"

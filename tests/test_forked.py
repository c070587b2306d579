"""Work done in a forked process: the same files as in-process, and its failures raised here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EPOCH, SEED, build_site, project_config, tree_bytes

from digest import pipeline
from digest.errors import BuildError, SourceError
from digest.forked import Forked


def test_the_docs_written_with_a_forked_helper_are_the_same(tmp_path: Path) -> None:
    built = build_site(tmp_path / "seed", [SEED], epoch=EPOCH)
    assert built.result.digest is not None
    config = project_config(tmp_path / "seed")
    trees = []
    for fork in (True, False):
        docs = tmp_path / f"docs-{fork}"
        pipeline.write_docs(built.result.digest, config, docs, fork=fork)
        trees.append(tree_bytes(docs))
    assert trees[0] == trees[1]
    assert "keywords.md" in trees[0] and "digest.json" in trees[0] and "feed.xml" in trees[0]


def _fails() -> None:
    raise SourceError("bad record 7 in 'x.json': no title")


def _unpicklable() -> None:
    class Local(Exception):
        pass

    raise Local("cannot cross a process boundary")


def _disk_full() -> None:
    raise OSError(28, "No space left on device", "/tmp/x")


def _child_pid() -> int:
    return os.getpid()


def test_a_forked_helper_returns_its_result_and_raises_its_errors() -> None:
    if (os.cpu_count() or 1) >= 2:  # One CPU: the work runs here.
        assert Forked(_child_pid).result() != os.getpid()
    assert Forked(_child_pid, fork=False).result() == os.getpid()
    with pytest.raises(SourceError, match="bad record 7"):
        Forked(_fails).result()
    with pytest.raises(BuildError, match="cannot cross a process boundary"):
        Forked(_unpicklable).result()
    with pytest.raises(OSError, match="No space left") as raised:
        Forked(_disk_full).result()
    assert raised.value.errno == 28 and raised.value.filename == "/tmp/x"


def _killed() -> None:
    os.kill(os.getpid(), 9)


def test_a_helper_that_dies_fails_the_build() -> None:
    with pytest.raises(BuildError, match="died"):
        Forked(_killed).result()

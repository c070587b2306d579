"""Work done in a forked process: the same files as in-process, and its failures raised here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EPOCH, SEED, build_site, project_config, tree_bytes

from digest import pipeline
from digest.errors import BuildError, SourceError
from digest.forked import Forked, Tickets


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


@pytest.mark.parametrize("count", [0, 1, 7, 500, Tickets.CAPACITY * 2 + 3])
def test_tickets_hand_each_piece_to_exactly_one_process(count: int) -> None:
    tickets = Tickets(count)
    try:

        def theirs() -> list[int]:
            return list(tickets)

        other = Forked(theirs)
        mine = list(tickets)
        taken = other.result()
    finally:
        tickets.close()
    assert sorted(mine + taken) == list(range(count))
    assert mine == sorted(mine) and taken == sorted(taken)


def test_the_page_inputs_and_reuse_counts_add_up_across_processes(tmp_path: Path) -> None:
    """Pages of cards are shared out between the build and its child: the record of what
    each page was written from covers every page, and reused pages are counted once."""
    built = build_site(tmp_path / "seed", [SEED], epoch=EPOCH)
    assert built.result.digest is not None
    config = project_config(tmp_path / "seed")
    published = tmp_path / "seed" / "build" / "docs"
    records = []
    for fork in (True, False):
        docs = tmp_path / f"docs-{fork}"
        reused = pipeline.write_docs(built.result.digest, config, docs, published, fork=fork)
        records.append((reused, (docs / pipeline.PAGE_INPUTS).read_bytes()))
    pages = sorted(p for p in os.listdir(published / "themes") if p != "index.md")
    issues = sorted(p for p in os.listdir(published / "issues") if p != "index.md")
    assert records[0] == records[1]
    assert records[0][0] == len(pages) + len(issues)

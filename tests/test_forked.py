"""Work done in a forked process: the same files as in-process, and its failures raised here."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from conftest import EPOCH, SEED, build_site, project_config, tree_bytes

from digest import pipeline
from digest.errors import BuildError, SourceError
from digest.forked import Forked, Tickets, share_out
from digest.writers.pages import PageWriter


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


@pytest.mark.parametrize("count", [0, 1, 7, 5000])
def test_tickets_hand_each_piece_to_exactly_one_process(count: int) -> None:
    tickets = Tickets(count)
    other = Forked(lambda: list(tickets))
    mine = list(tickets)
    theirs = other.result()
    assert sorted(mine + theirs) == list(range(count))
    assert mine == sorted(mine) and theirs == sorted(theirs)


def _slow_piece(number: int) -> tuple[int, int]:
    time.sleep(0.02)
    return number, os.getpid()


def test_pieces_are_shared_out_and_every_result_comes_back() -> None:
    started: list[int] = []
    done = share_out(40, _slow_piece, lambda: started.append(os.getpid()))
    assert sorted(done) == list(range(40))
    assert all(number == done[number][0] for number in done)
    pids = {pid for _, pid in done.values()}
    assert len(pids) == 2 and os.getpid() in pids  # both processes took pieces
    assert started == []  # first() ran in the child, not here
    alone = share_out(5, _slow_piece, lambda: started.append(os.getpid()), fork=False)
    assert {pid for _, pid in alone.values()} == {os.getpid()} and started == [os.getpid()]


def test_a_failing_piece_fails_the_whole_share() -> None:
    def piece(number: int) -> int:
        if number == 3:
            raise SourceError("bad record 3")
        return number

    with pytest.raises(SourceError, match="bad record 3"):
        share_out(8, piece, lambda: None)


def test_page_inputs_and_reuse_counts_add_up_when_both_processes_write_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of cards are shared out between the build and its child: the record of what
    each page was written from covers every page, and reused pages are counted once."""
    built = build_site(tmp_path / "seed", [SEED], epoch=EPOCH)
    assert built.result.digest is not None
    config = project_config(tmp_path / "seed")
    published = tmp_path / "seed" / "build" / "docs"
    makers = PageWriter.paper_page_makers
    writers = tmp_path / "writers.txt"

    def slow_makers(self: PageWriter) -> list[Callable[[], tuple[str, str]]]:
        def slow(make: Callable[[], tuple[str, str]]) -> tuple[str, str]:
            time.sleep(0.05)  # so that both processes take pages
            with writers.open("a") as out:
                out.write(f"{os.getpid()}\n")
            return make()

        return [partial(slow, make) for make in makers(self)]

    monkeypatch.setattr(PageWriter, "paper_page_makers", slow_makers)
    records = []
    for fork in (True, False):
        docs = tmp_path / f"docs-{fork}"
        reused = pipeline.write_docs(built.result.digest, config, docs, published, fork=fork)
        records.append((reused, (docs / pipeline.PAGE_INPUTS).read_bytes(), tree_bytes(docs)))
        if fork:
            assert len(set(writers.read_text().split())) == 2
    pages = [p for p in published.glob("*/*.md") if p.name != "index.md"]
    assert records[0] == records[1]
    assert records[0][0] == len(pages)
    assert json.loads(records[0][1]).keys() == {p.relative_to(published).as_posix() for p in pages}

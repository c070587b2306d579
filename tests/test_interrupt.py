"""Ctrl-C at any moment of a build: exit code 130 within 3 seconds, one line saying so, no
traceback from any process, and the site and state as they were."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import DATA, REPO, make_project, tree_bytes

LABELLED = DATA / "labelled" / "arxiv-cs-2016-head300.jsonl"
MESSAGE = "Interrupted: the site and the state are as they were.\n"


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_at_any_moment_exits_130_quietly(tmp_path: Path) -> None:
    make_project(tmp_path)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO)}
    env.pop("SOURCE_DATE_EPOCH", None)
    command = [sys.executable, "-m", "digest", "-q", "build", str(LABELLED), "--date"]
    first = subprocess.run([*command, "2026-01-05"], cwd=tmp_path, env=env, check=False)
    assert first.returncode == 0
    site, state = tree_bytes(tmp_path / "site"), tree_bytes(tmp_path / "state")
    extra = tmp_path / "more.jsonl"
    records = (DATA / "labelled" / "kaggle-snapshot-head.jsonl").read_text().splitlines()
    extra.write_text("\n".join(records[:150]) + "\n", encoding="utf-8")
    # Delays across a build of new papers: keyword workers, grouping, pages, MkDocs, search.
    interrupted_runs = 0
    for delay in (0.4, 1.0, 1.8, 3.0, 5.0):
        process = subprocess.Popen(
            [sys.executable, "-m", "digest", "-q", "build", str(extra), "--date", "2026-01-06"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            # As from a terminal: a run started in the background (nohup, `&` in a script)
            # ignores SIGINT, and its children inherit that, so the build would not see it.
            preexec_fn=_default_sigint,
        )
        time.sleep(delay)
        if process.poll() is not None:
            out, err = process.communicate()  # closes its pipes
            # The build finished first (later delays would not interrupt it either): it must
            # have succeeded, or what stopped it is the failure to show.
            assert process.returncode == 0, (delay, process.returncode, err)
            break
        # As a terminal does: the signal goes to every process of the group.
        os.killpg(process.pid, signal.SIGINT)
        interrupted = time.monotonic()
        out, err = process.communicate(timeout=60)
        took = time.monotonic() - interrupted
        if process.returncode == 0 and tree_bytes(tmp_path / "state") != state:
            break  # The signal came after the build's last step: it finished, as it may.
        interrupted_runs += 1
        assert process.returncode == 130, (delay, err)
        assert took < 3, (delay, took)
        assert err == MESSAGE, (delay, err)
        assert "Traceback" not in out + err
        assert tree_bytes(tmp_path / "site") == site, delay
        assert tree_bytes(tmp_path / "state") == state, delay
    assert interrupted_runs >= 2, "the build finished before most signals: try shorter delays"

"""Faults: kill -9 during builds and fetches, a full disk, a read-only site, two builds at once.

Every fault runs the real command line in a subprocess on a throw-away project, then checks
what a reader of the site, the kept state and the inbox would see. The loops live here as plain
functions returning a :class:`Tally` of problems, so ``bench/faults.py`` runs them with larger
counts; the tests run them small and assert that no problem was found.

A full disk and a read-only site are real mounts when this process may mount (root in a
container that allows it): a tiny tmpfs that fills up, a tmpfs remounted read-only, a read-only
bind mount. Where mounting is refused, the same commands run under a wrapper that injects the
``OSError`` (ENOSPC, EROFS) into Python's file operations under the faulty folder.
``DIGEST_TEST_NO_MOUNT=1`` forces the injection, to check it where mounts work.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import lxml.etree
import pytest
from fetchserver import HF, RSS, RSS_TYPE, FetchServer, Reply, Seen, serving

from digest.fetch.inbox import Inbox, hf_name, rss_name
from digest.sources import read_inputs
from digest.state.kept import open_state
from tests.conftest import REPO, make_project, seed_pairs, tree_bytes, write_listing

#: The day of the base build; loop builds are dated the days after it.
DAY0 = date(2026, 1, 1)
BASE_PAPERS = 5
#: Settings of every project: feeds long enough to hold every paper, so feed and export agree.
PROJECT_TOML = "[feed]\nitems = 1000\n"
LOCKED = "is locked by another build; try again when it ends"


@dataclass
class Tally:
    """What one fault loop did: how often it struck, and every problem it found."""

    name: str
    runs: int = 0
    kills: int = 0
    problems: list[str] = field(default_factory=list)
    #: Facts worth a look that are not losses (temporary files left behind, say).
    notes: list[str] = field(default_factory=list)


# -- running digest --------------------------------------------------------------------------


def env(**extra: str) -> dict[str, str]:
    """The environment of a digest subprocess: this checkout, no inherited build date."""
    base = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "PYTHONHASHSEED")}
    return {**base, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO), **extra}


@dataclass(frozen=True)
class Fault:
    """An OSError to inject under ``under`` (paths containing ``match``), for ``ops``."""

    code: int
    under: Path
    match: str = ""
    ops: str = "open,mkdir,rename"

    def env(self) -> dict[str, str]:
        return {
            "FAULT_ERRNO": errno.errorcode[self.code],
            "FAULT_UNDER": str(self.under),
            "FAULT_MATCH": self.match,
            "FAULT_OPS": self.ops,
        }


# Runs the CLI with an OSError injected into Python's file operations under FAULT_UNDER.
_INJECT = r"""
import builtins, errno, io, os, sys
from digest import atomic
from digest.cli import main

CODE = getattr(errno, os.environ["FAULT_ERRNO"])
UNDER = os.environ["FAULT_UNDER"]
MATCH = os.environ["FAULT_MATCH"]
OPS = os.environ["FAULT_OPS"].split(",")

def hit(path):
    if not isinstance(path, (str, bytes, os.PathLike)):
        return False
    text = os.path.abspath(os.fsdecode(path))
    return (text == UNDER or text.startswith(UNDER + os.sep)) and MATCH in text

def fail(path):
    raise OSError(CODE, os.strerror(CODE), os.fsdecode(path))

real_open, real_os_open = builtins.open, os.open
real_mkdir, real_rename, real_replace = os.mkdir, os.rename, os.replace
real_exchange = atomic._exchange

def guarded_open(file, mode="r", *args, **kwargs):
    if "open" in OPS and any(c in mode for c in "wax+") and hit(file):
        fail(file)
    return real_open(file, mode, *args, **kwargs)

def guarded_os_open(path, flags, *args, **kwargs):
    if "open" in OPS and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and hit(path):
        fail(path)
    return real_os_open(path, flags, *args, **kwargs)

def guarded_mkdir(path, *args, **kwargs):
    if "mkdir" in OPS and hit(path):
        fail(path)
    return real_mkdir(path, *args, **kwargs)

def guarded(real):
    def move(src, dst, *args, **kwargs):
        if "rename" in OPS and (hit(src) or hit(dst)):
            fail(src if hit(src) else dst)
        return real(src, dst, *args, **kwargs)
    return move

def guarded_exchange(a, b):
    if "rename" in OPS and (hit(a) or hit(b)):
        return False
    return real_exchange(a, b)

builtins.open = io.open = guarded_open
os.open, os.mkdir = guarded_os_open, guarded_mkdir
os.rename, os.replace = guarded(real_rename), guarded(real_replace)
atomic._exchange = guarded_exchange
sys.exit(main(sys.argv[1:]))
"""

# Runs the CLI and kills it with SIGKILL on call number N of one function: an exact crash point.
_KILL_AT = r"""
import os, signal, sys
from digest import atomic
from digest.state import journal
from digest.cli import main

name, nth = sys.argv[1], int(sys.argv[2])
owner = atomic if name == "swap_in" else journal
real = getattr(owner, name)
calls = 0

def dying(*args, **kwargs):
    global calls
    calls += 1
    if calls == nth:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)

setattr(owner, name, dying)
sys.exit(main(sys.argv[3:]))
"""


def command(*args: str, fault: Fault | None = None) -> list[str]:
    """Return the command line of ``digest -q ARGS``, under the fault injector if given."""
    if fault is None:
        return [sys.executable, "-m", "digest", "-q", *args]
    return [sys.executable, "-c", _INJECT, "-q", *args]


def run(
    root: Path, args: list[str], fault: Fault | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    """Run digest to the end in ``root``."""
    fault_env = fault.env() if fault else {}
    return subprocess.run(
        command(*args, fault=fault),
        cwd=root,
        env=env(**fault_env, **extra),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )


def start(root: Path, args: list[str], **extra: str) -> subprocess.Popen[str]:
    """Start digest in ``root`` and return at once."""
    return subprocess.Popen(
        command(*args),
        cwd=root,
        env=env(**extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def build_args(listing: Path, day: date, *more: str) -> list[str]:
    return ["build", str(listing), "--date", day.isoformat(), *more]


def must_build(root: Path, args: list[str]) -> None:
    result = run(root, args)
    assert result.returncode == 0, result.stderr


def kill_delay(rng: random.Random, typical: float) -> float:
    """Return when to kill a run that takes ``typical`` seconds.

    Half the kills fall anywhere in the run; half near its end, where its effects (commit,
    swap, inbox writes) are, so that those few milliseconds are hit too; some runs end first.
    """
    if rng.random() < 0.5:
        return rng.uniform(0, typical)
    return typical * rng.uniform(0.8, 1.1)


def adapt(typical: float, delay: float, killed: bool, took: float) -> float:
    """Follow the runs' real length: grow while runs die near their supposed end."""
    if not killed:
        return (typical + took) / 2
    return typical * 1.1 if delay >= 0.8 * typical else typical


def kill_after(process: subprocess.Popen[str], delay: float) -> tuple[bool, str]:
    """SIGKILL ``process`` after ``delay`` seconds unless it ended; return (killed, stderr)."""
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=delay)
    killed = process.poll() is None
    if killed:
        process.send_signal(signal.SIGKILL)
    _, err = process.communicate(timeout=120)
    return killed, err


# -- projects and what a reader sees -------------------------------------------------------------


def chunk(root: Path, number: int, size: int = 3) -> Path:
    """Write listing ``number``: ``size`` seed papers that no other chunk holds."""
    first = BASE_PAPERS + number * size
    pairs = seed_pairs()[first : first + size]
    assert len(pairs) == size, "the seed has too few papers for this many runs"
    return write_listing(root / f"chunk-{number:03d}.txt", pairs)


def keys(listing: Path) -> set[str]:
    return {p.key for p in read_inputs([listing])}


def base_project(root: Path) -> Path:
    """Make a project in ``root`` with a published site of the first seed papers; return root."""
    make_project(root)
    (root / "digest.toml").write_text(PROJECT_TOML, encoding="utf-8")
    base = write_listing(root / "base.txt", seed_pairs()[:BASE_PAPERS])
    must_build(root, build_args(base, DAY0))
    return root


def copy_project(base: Path, root: Path) -> Path:
    shutil.copytree(base, root, symlinks=True, dirs_exist_ok=True)
    return root


def site_papers(site: Path) -> tuple[set[str], list[str]]:
    """Return the papers the published site lists, and every inconsistency found in it."""
    problems: list[str] = []
    try:
        exported = json.loads((site / "digest.json").read_bytes())
        feed = lxml.etree.fromstring((site / "feed.xml").read_bytes())
        home = (site / "index.html").read_text(encoding="utf-8")
    except (OSError, ValueError, lxml.etree.XMLSyntaxError) as exc:
        return set(), [f"the site is unreadable: {exc!r}"]
    ids = [p["id"] for p in exported["papers"]]
    papers = set(ids)
    if len(papers) != len(ids):
        problems.append("digest.json lists a paper twice")
    guids = {g.text.removeprefix("urn:digest:paper:") for g in feed.iter("guid") if g.text}
    if guids != papers:
        problems.append(f"feed.xml and digest.json differ by {sorted(guids ^ papers)}")
    count = re.search(r"It holds (\d+) papers", home)
    if count is None or int(count.group(1)) != len(papers):
        problems.append(f"index.html counts {count and count.group(1)}, digest.json {len(ids)}")
    for day in {p["listed"][:10] for p in exported["papers"]}:
        if not (site / "issues" / day / "index.html").is_file():
            problems.append(f"the issue page of {day} is missing")
    for theme in exported["themes"]:
        if not (site / "themes" / theme["slug"] / "index.html").is_file():
            problems.append(f"the theme page '{theme['slug']}' is missing")
    return papers, problems


def state_papers(root: Path) -> tuple[set[str], dict[str, bytes], list[str]]:
    """Open the kept state as a build would: return its papers, its files and problems."""
    try:
        with open_state(root / "state", create=False) as state:
            found = set(state.papers)
        files = tree_bytes(root / "state")
    except Exception as exc:  # a stale lock, a damaged line: all are findings
        return set(), {}, [f"the state cannot be opened: {exc}"]
    files.pop(".lock", None)
    return found, files, []


def orphans(root: Path, wait: float = 5.0) -> list[int]:
    """Return processes still working in ``root`` ``wait`` seconds on, killing them.

    Keyword workers ask Linux to kill them when their build dies: none may outlive it.
    """
    deadline = time.monotonic() + wait
    while True:
        found = []
        for proc in Path("/proc").iterdir():
            with suppress(OSError, ValueError):
                if os.readlink(proc / "cwd") == str(root.resolve()) and int(proc.name) > 1:
                    found.append(int(proc.name))
        if not found or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for pid in found:
        with suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return found


def leftovers(root: Path) -> list[str]:
    """Return staging and set-aside folders left beside the site and the docs."""
    found = [*root.glob(".site.*"), *(root / "build").glob(".docs.*")]
    return sorted(p.relative_to(root).as_posix() for p in found)


def final_check(root: Path, listing: Path, day: date, committed: set[str], tally: Tally) -> None:
    """Build once more, uninterrupted: it publishes everything ever committed, and cleans up."""
    result = run(root, build_args(listing, day))
    if result.returncode != 0:
        tally.problems.append(f"the build after the faults failed: {result.stderr}")
        return
    stored, _, problems = state_papers(root)
    published, site_problems = site_papers(root / "site")
    tally.problems += problems + site_problems
    if not committed <= stored:
        tally.problems.append(f"lost from the state: {sorted(committed - stored)}")
    if published != stored:
        tally.problems.append(f"the site and the state differ by {sorted(published ^ stored)}")
    if leftovers(root):
        tally.problems.append(f"left behind after a good build: {leftovers(root)}")


# -- kill -9 during builds ---------------------------------------------------------


def kill_builds(root: Path, runs: int, seed: int) -> Tally:
    """Build ``runs`` times, each adding papers, each killed at a random moment (kill_delay)."""
    tally = Tally("kill -9 during build")
    rng = random.Random(seed)
    began = time.monotonic()
    base_project(root)
    typical = time.monotonic() - began
    site, _ = site_papers(root / "site")
    stored, _, _ = state_papers(root)
    committed = set(stored)
    listing = root / "base.txt"
    day = DAY0
    for number in range(runs):
        listing, day = chunk(root, number), DAY0 + timedelta(days=number + 1)
        began, delay = time.monotonic(), kill_delay(rng, typical)
        process = start(root, build_args(listing, day))
        killed, err = kill_after(process, delay)
        tally.runs += 1
        tally.kills += killed
        typical = adapt(typical, delay, killed, time.monotonic() - began)
        if not killed and process.returncode != 0:
            tally.problems.append(f"run {number}: an unkilled build failed: {err}")
        if orphans(root):
            tally.problems.append(f"run {number}: processes outlived the killed build")
        now_site, problems = site_papers(root / "site")
        now_stored, _, state_problems = state_papers(root)
        problems += state_problems
        if not committed <= now_stored:
            problems.append(f"lost from the state: {sorted(committed - now_stored)}")
        if not now_stored <= committed | keys(listing):
            problems.append(f"unknown papers in the state: {sorted(now_stored - committed)}")
        if now_site not in (site, now_stored):
            problems.append("the site is neither the old one nor the committed state's")
        tally.problems += [f"run {number}: {p}" for p in problems]
        site, committed = now_site, committed | now_stored
    final_check(root, listing, day, committed, tally)
    return tally


#: Exact crash points: (what, function, call number).
BOUNDARIES = (
    ("before the state commits", "commit", 1),
    ("with the state's journal written, before its files change", "_append", 1),
    ("after the commit, before any swap", "swap_in", 1),
    ("between the docs and site swaps", "swap_in", 2),
)


def kill_at_boundaries(base: Path, workdir: Path) -> Tally:
    """Kill a build at each boundary between its effects; the next build repairs everything."""
    tally = Tally("kill -9 at each effect boundary")
    for number, (where, name, nth) in enumerate(BOUNDARIES):
        root = copy_project(base, workdir / f"boundary-{number}")
        listing, day = chunk(root, 0), DAY0 + timedelta(days=1)
        before, _ = site_papers(root / "site")
        args = [sys.executable, "-c", _KILL_AT, name, str(nth), "-q", *build_args(listing, day)]
        killed = subprocess.run(args, cwd=root, env=env(), capture_output=True, check=False)
        tally.runs += 1
        tally.kills += killed.returncode == -signal.SIGKILL
        if killed.returncode != -signal.SIGKILL:
            tally.problems.append(f"{where}: not killed ({killed.returncode})")
        site, problems = site_papers(root / "site")
        stored, _, state_problems = state_papers(root)
        if site not in (before, stored):
            problems.append("the site is neither the old one nor the committed state's")
        tally.problems += [f"{where}: {p}" for p in problems + state_problems]
        committed = stored | before
        with_where = Tally(where)
        final_check(root, listing, day, committed | keys(listing), with_where)
        tally.problems += [f"{where}: {p}" for p in with_where.problems]
    return tally


def test_kill_9_at_random_points_of_repeated_builds(tmp_path: Path) -> None:
    """the site is always the old or the new one, whole; nothing is lost."""
    tally = kill_builds(tmp_path, runs=6, seed=20260101)
    assert tally.problems == []
    assert tally.kills >= 1, "no build was killed"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a published site of the first seed papers; tests copy it."""
    return base_project(tmp_path_factory.mktemp("base"))


def test_kill_9_at_each_effect_boundary(base: Path, tmp_path: Path) -> None:
    """Killed between the state's commit and the swap, the next build still publishes.

    A build killed after the state committed but before the site was swapped in leaves the old
    site, which records what it was built from: the next build sees that the state changed and
    publishes the new papers.
    """
    tally = kill_at_boundaries(base, tmp_path)
    assert tally.problems == []
    assert tally.kills == len(BOUNDARIES)


# -- kill -9 during fetches --------------------------------------------------------

FETCH_DAY0 = date(2026, 6, 10)
RSS_BODY = (RSS / "arxiv_cs_lg.rss.xml").read_bytes()


def hf_body(day: date) -> bytes:
    """The Hugging Face answer of ``day``: three recorded papers chosen by the date."""
    papers = json.loads(HF.read_bytes())
    start = (day.toordinal() % 10) * 3
    return json.dumps(papers[start : start + 3]).encode()


def hf_route(seen: Seen) -> Reply:
    day = date.fromisoformat(seen.params["date"])
    return Reply(body=hf_body(day), content_type="application/json; charset=utf-8")


def expected_inbox(days: list[date]) -> dict[str, bytes]:
    """The inbox files that fetches on ``days`` write, by name, with their bytes."""
    files: dict[str, bytes] = {}
    for day in days:
        files[rss_name("cs.LG", day)] = RSS_BODY
        for asked in (day - timedelta(days=1), day):
            files[hf_name(asked)] = hf_body(asked)
    return files


def fetch_project(root: Path, server: FetchServer) -> Path:
    make_project(root)
    (root / "digest.toml").write_text(
        PROJECT_TOML + "[fetch]\n"
        f'arxiv_rss_url = "{server.url("/rss/")}"\n'
        f'hf_url = "{server.url("/api/daily_papers")}"\n',
        encoding="utf-8",
    )
    return root


def epoch(day: date) -> str:
    return str(int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp()))


FETCH = ["fetch", "--arxiv-rss", "cs.LG", "--hf"]


def inbox_problems(inbox: Path, allowed: dict[str, bytes], before: dict[str, bytes]) -> list[str]:
    """Every inbox file is whole and known; every file there before is still there, unchanged."""
    problems = []
    names = {p.name for p in Inbox(inbox).files()}
    now = {name: (inbox / name).read_bytes() for name in names}
    for name, data in sorted(now.items()):
        if name.startswith("."):
            problems.append(f"a temporary file is listed as an answer: {name}")
        elif allowed.get(name) != data:
            problems.append(f"{name} is not a complete answer ({len(data)} bytes)")
        else:
            try:
                read_inputs([inbox / name])
            except Exception as exc:
                problems.append(f"{name} does not read back: {exc}")
    lost = [name for name, data in before.items() if now.get(name) != data]
    if lost:
        problems.append(f"lost or changed: {lost}")
    return problems


def kill_fetches(root: Path, runs: int, seed: int) -> Tally:
    """Fetch ``runs`` times on successive days, each killed at a random moment (kill_delay)."""
    tally = Tally("kill -9 during fetch")
    rng = random.Random(seed)
    with serving() as server:
        server.script("/rss/cs.LG", Reply(body=RSS_BODY, content_type=RSS_TYPE))
        server.routes["/api/daily_papers"] = hf_route
        fetch_project(root, server)
        inbox = root / "inbox"
        began = time.monotonic()
        first = run(root, FETCH, SOURCE_DATE_EPOCH=epoch(FETCH_DAY0))
        typical = time.monotonic() - began
        assert first.returncode == 0, first.stderr
        done, tried = [FETCH_DAY0], [FETCH_DAY0]
        before = tree_bytes(inbox)
        for number in range(runs):
            day = FETCH_DAY0 + timedelta(days=number + 1)
            began, delay = time.monotonic(), kill_delay(rng, typical)
            process = start(root, FETCH, SOURCE_DATE_EPOCH=epoch(day))
            tried.append(day)
            killed, err = kill_after(process, delay)
            tally.runs += 1
            tally.kills += killed
            typical = adapt(typical, delay, killed, time.monotonic() - began)
            if not killed and process.returncode != 0:
                tally.problems.append(f"run {number}: an unkilled fetch failed: {err}")
            elif not killed:
                done.append(day)
            problems = inbox_problems(inbox, expected_inbox(tried), before)
            tally.problems += [f"run {number}: {p}" for p in problems]
            before = {n: b for n, b in tree_bytes(inbox).items() if not n.startswith(".")}
        last = FETCH_DAY0 + timedelta(days=runs + 1)
        again = run(root, FETCH, SOURCE_DATE_EPOCH=epoch(last))
    done.append(last)
    tried.append(last)
    if again.returncode != 0:
        tally.problems.append(f"the fetch after the kills failed: {again.stderr}")
    tally.problems += inbox_problems(inbox, expected_inbox(tried), before)
    temporary = [p.name for p in inbox.iterdir() if p.name.startswith(".")]
    if temporary:
        tally.notes.append(f"{len(temporary)} temporary file(s) of killed fetches left in inbox")
    built = run(root, ["build", "--date", last.isoformat()])
    if built.returncode != 0:
        tally.problems.append(f"the build of the inbox failed: {built.stderr}")
        return tally
    expected = {p.key for p in read_inputs(Inbox(inbox).files())}
    for name in expected_inbox(done):
        if not (inbox / name).is_file():
            tally.problems.append(f"lost: {name}")
    published, problems = site_papers(root / "site")
    tally.problems += problems
    if published != expected:
        tally.problems.append(f"the site and the inbox differ by {sorted(published ^ expected)}")
    return tally


def test_kill_9_at_random_points_of_repeated_fetches(tmp_path: Path) -> None:
    """only whole answers reach the inbox; fetch then build loses nothing."""
    tally = kill_fetches(tmp_path, runs=6, seed=20260610)
    assert tally.problems == []
    assert tally.kills >= 1, "no fetch was killed"


# -- mounts ------------------------------------------------------------------------------------


@functools.cache
def can_mount() -> bool:
    """May this process mount a tmpfs (root in a container that allows it)?

    ``DIGEST_TEST_NO_MOUNT=1`` answers no, to run the injected faults where mounts work too.
    """
    if os.environ.get("DIGEST_TEST_NO_MOUNT") == "1":
        return False
    with tempfile.TemporaryDirectory() as probe:
        tried = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe],
            capture_output=True,
            check=False,
        )
        if tried.returncode != 0:
            return False
        subprocess.run(["umount", probe], check=True)
    return True


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@contextmanager
def mounted(point: Path, *args: str) -> Iterator[Path]:
    """Mount ``args`` on ``point`` for the block; always unmount, lazily if busy."""
    point.mkdir(parents=True, exist_ok=True)
    mount(*args, str(point))
    try:
        yield point
    finally:
        if subprocess.run(["umount", str(point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


def used_kb(path: Path) -> int:
    stat = os.statvfs(path)
    return (stat.f_blocks - stat.f_bfree) * stat.f_frsize // 1024


# -- a full disk -------------------------------------------------------------------

#: Free space left on the tmpfs, in KiB: each margin fails a different write (the state's
#: journal, the theme's assets copied by MkDocs, the pages MkDocs writes).
DISK_MARGINS = (16, 300, 1500)


def disk_full(base: Path, workdir: Path, margin_kb: int) -> Tally:
    """Build with the disk full, then with room again: a clear error, then everything."""
    tally = Tally(f"disk full ({margin_kb} KiB free)", runs=1)
    workdir.mkdir(parents=True, exist_ok=True)
    point = workdir / "disk"
    big = write_listing(workdir / "big.txt", seed_pairs()[BASE_PAPERS : BASE_PAPERS + 20])
    args = build_args(big, DAY0 + timedelta(days=1))
    if not can_mount():
        # Injected: every write into a staging folder fails as on a full disk.
        root = copy_project(base, point)
        # The smallest margin fails the state's commit, the others the staged site.
        if margin_kb == DISK_MARGINS[0]:
            fault = Fault(errno.ENOSPC, root / "state", "", "open")
        else:
            fault = Fault(errno.ENOSPC, root, ".new-", "open")
        _full_build(root, args, fault, tally)
        final_check(root, big, DAY0 + timedelta(days=1), keys(big), tally)
        return tally
    with mounted(point, "-t", "tmpfs", "-o", "size=32m", "tmpfs") as root:
        copy_project(base, root)
        mount("-o", f"remount,size={used_kb(root) + margin_kb}k", str(root))
        _full_build(root, args, None, tally)
        mount("-o", "remount,size=32m", str(root))
        final_check(root, big, DAY0 + timedelta(days=1), keys(big), tally)
    return tally


def _full_build(root: Path, args: list[str], fault: Fault | None, tally: Tally) -> None:
    before = {"site": tree_bytes(root / "site"), "docs": tree_bytes(root / "build" / "docs")}
    stored, mark, _ = state_papers(root)
    result = run(root, args, fault)
    message = result.stderr.splitlines()[-1] if result.stderr else ""
    if result.returncode != 1:
        tally.problems.append(f"exit code {result.returncode}, not 1")
    if "Traceback" in result.stderr or not message.startswith("Error: "):
        tally.problems.append(f"not a clear error: {result.stderr[-2000:]}")
    if "No space left on device" not in message and "disk is full" not in message:
        tally.problems.append(f"the error does not say the disk is full: {message}")
    for name, files in before.items():
        folder = root / "site" if name == "site" else root / "build" / "docs"
        if tree_bytes(folder) != files:
            tally.problems.append(f"the published {name} changed")
    now, now_mark, problems = state_papers(root)
    tally.problems += problems
    if (now, now_mark) != (stored, mark):
        tally.problems.append("the state recorded the failed build")


@pytest.mark.parametrize("margin_kb", DISK_MARGINS)
def test_disk_full_during_a_build(base: Path, tmp_path: Path, margin_kb: int) -> None:
    """A clear error, the site, docs and state as before, then a good build.

    A tiny tmpfs, or where mounting is refused, ENOSPC injected into the staging writes (the
    state's own writes then fail, as they would on a full disk).
    """
    tally = disk_full(base, tmp_path, margin_kb)
    assert tally.problems == []


# -- a read-only site --------------------------------------------------------------


def read_only(base: Path, workdir: Path, where: str) -> Tally:
    """Build into a read-only site folder (``where``: "parent" or "site"), then a writable one.

    "parent": the site lives on its own file system, mounted read-only, so no staging folder
    can be made beside it; made writable again, it stays a file system of its own, so the good
    build publishes across file systems. "site": the site folder itself is a read-only mount,
    so the new site is built and the state committed, but the swap fails.
    """
    tally = Tally(f"read-only {where}", runs=1)
    root = copy_project(base, workdir / "project")
    listing, day = chunk(root, 0), DAY0 + timedelta(days=1)
    public = root / "public"
    public.mkdir()
    site_dir = public / "site" if where == "parent" else root / "site"
    args = build_args(listing, day, "--site-dir", str(site_dir))
    with ExitStack() as mounts:
        fault = None
        if not can_mount():
            fault = Fault(errno.EROFS, public if where == "parent" else site_dir)
        elif where == "parent":
            mounts.enter_context(mounted(public, "-t", "tmpfs", "-o", "size=32m", "tmpfs"))
        else:
            mounts.enter_context(mounted(site_dir, "--bind", str(site_dir)))
            mount("-o", "remount,bind,ro", str(site_dir))
        if where == "parent":
            shutil.move(root / "site", site_dir)
            if fault is None:
                mount("-o", "remount,ro", str(public))
        before = tree_bytes(site_dir)
        stored, mark, _ = state_papers(root)
        result = run(root, args, fault)
        after = tree_bytes(site_dir)
        if where == "parent" and fault is None:
            mount("-o", "remount,rw", str(public))
        elif fault is None:
            mounts.close()
        message = result.stderr.splitlines()[-1] if result.stderr else ""
        if result.returncode != 1 or "Traceback" in result.stderr:
            tally.problems.append(f"exit code {result.returncode}: {result.stderr[-2000:]}")
        expected = (
            "Error: Cannot write the new site: "
            if where == "parent"
            else f"Error: Cannot publish the new site into '{site_dir}': "
        )
        if not message.startswith(expected):
            tally.problems.append(f"not the expected error: {message}")
        if after != before:
            tally.problems.append("the published site changed")
        now, now_mark, problems = state_papers(root)
        tally.problems += problems
        if not stored <= now or (where == "parent" and now_mark != mark):
            tally.problems.append("the state lost papers, or recorded a build that failed early")
        left = leftovers(root) + sorted(p.name for p in public.glob(".site.*"))
        if left:
            tally.problems.append(f"left behind: {left}")
        result = run(root, args)
        if result.returncode != 0:
            tally.problems.append(f"the build into a writable folder failed: {result.stderr}")
        published, problems = site_papers(site_dir)
        tally.problems += problems
        if published != stored | keys(listing):
            tally.problems.append(f"not published: {sorted(stored | keys(listing) - published)}")
    return tally


@pytest.mark.parametrize("where", ["parent", "site"])
def test_read_only_site_folder(base: Path, tmp_path: Path, where: str) -> None:
    """A clear error, nothing lost; then a good build.

    A tmpfs remounted read-only, or a read-only bind mount of the site; where mounting is
    refused, EROFS injected (see the module docstring).
    """
    tally = read_only(base, tmp_path, where)
    assert tally.problems == []


# -- two builds at once, and a killed lock holder ---------------------------------------


def concurrent_builds(base: Path, workdir: Path, rounds: int) -> Tally:
    """Start two builds of different inputs at once: one builds, the other says it is locked."""
    tally = Tally("two builds at once")
    for number in range(rounds):
        root = copy_project(base, workdir / f"concurrent-{number}")
        day = DAY0 + timedelta(days=1)
        listings = [chunk(root, 0, size=10), chunk(root, 1, size=10)]
        stored, _, _ = state_papers(root)
        processes = [start(root, build_args(listing, day)) for listing in listings]
        errors = [p.communicate(timeout=300)[1] for p in processes]
        codes = [p.returncode for p in processes]
        tally.runs += 1
        if sorted(codes) != [0, 1]:
            tally.problems.append(f"round {number}: exit codes {codes}, not one 0 and one 1")
            continue
        winner, err = listings[codes.index(0)], errors[codes.index(1)]
        if err != f"Error: The state 'state' {LOCKED}\n":
            tally.problems.append(f"round {number}: the loser said {err!r}")
        now, _, problems = state_papers(root)
        published, site_problems = site_papers(root / "site")
        tally.problems += [f"round {number}: {p}" for p in problems + site_problems]
        if now != stored | keys(winner) or published != now:
            tally.problems.append(f"round {number}: the state or site holds the loser's papers")
        if leftovers(root):
            tally.problems.append(f"round {number}: left behind: {leftovers(root)}")
    return tally


def lock_holder(lock: Path) -> int | None:
    """Return the pid holding a POSIX lock on ``lock`` (from /proc/locks), if any."""
    inode = lock.stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if len(parts) > 5 and parts[1] == "POSIX" and parts[5].endswith(f":{inode}"):
            return int(parts[4])
    return None


def killed_lock_holder(base: Path, workdir: Path, rounds: int, seed: int) -> Tally:
    """Kill a build while it holds the state's lock: the next build is not blocked."""
    tally = Tally("kill -9 of the lock holder")
    rng = random.Random(seed)
    root = copy_project(base, workdir / "holder")
    lock = root / "state" / ".lock"
    committed, _, _ = state_papers(root)
    listing, day = root / "base.txt", DAY0
    for number in range(rounds):
        listing, day = chunk(root, number), DAY0 + timedelta(days=number + 1)
        process = start(root, build_args(listing, day))
        deadline = time.monotonic() + 60
        while lock_holder(lock) != process.pid and process.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.5))
        killed, _ = kill_after(process, 0)
        tally.runs += 1
        tally.kills += killed
        if orphans(root):
            tally.problems.append(f"round {number}: processes outlived the killed build")
        holder = lock_holder(lock)
        if holder is not None:
            tally.problems.append(f"round {number}: pid {holder} still holds the lock")
        now, _, problems = state_papers(root)
        tally.problems += [f"round {number}: {p}" for p in problems]
        committed |= now
    final_check(root, listing, day, committed, tally)
    return tally


def test_two_builds_at_once(base: Path, tmp_path: Path) -> None:
    """One builds, the other exits 1 saying the state is locked; one swap."""
    tally = concurrent_builds(base, tmp_path, rounds=1)
    assert tally.problems == []


def test_a_killed_build_does_not_leave_the_state_locked(base: Path, tmp_path: Path) -> None:
    """the lock dies with the process; the next build runs and publishes."""
    tally = killed_lock_holder(base, tmp_path, rounds=2, seed=39)
    assert tally.problems == []
    assert tally.kills == 2


def test_the_state_on_a_read_only_file_system_is_a_clear_error(base: Path, tmp_path: Path) -> None:
    """A state that cannot be written is an error, not a traceback."""
    root = copy_project(base, tmp_path / "project")
    listing = chunk(root, 0)
    lock = root / "state" / ".lock"
    lock.unlink()
    if can_mount():
        with mounted(root, "--bind", str(root)):
            mount("-o", "remount,bind,ro", str(root))
            result = run(root, build_args(listing, DAY0 + timedelta(days=1)))
    else:
        fault = Fault(errno.EROFS, lock)
        result = run(root, build_args(listing, DAY0 + timedelta(days=1)), fault)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: Cannot open the state's lock file 'state/.lock': Read-only file system\n"
    )

"""The GitHub Actions workflow: its shape, and its build job's shell steps run here for real.

The ``run:`` steps of the build job are executed in order, as the runner would (``bash
--noprofile --norc -eo pipefail``, ``GITHUB_ENV`` carried from step to step), in a temporary
project that is a git clone of a local bare "origin", with ``digest fetch`` pointed at a local
server that answers with recorded responses. Only the install step is skipped: the test's
environment already has digest installed, which is all that step does. ``uses:`` steps (checkout,
setup-python, the Pages upload and deploy) are GitHub's and are checked for their settings only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, make_project, tree_bytes
from fetchserver import API, HF, JSON, FetchServer, Reply, file_reply, serving

WORKFLOW = REPO / ".github" / "workflows" / "digest.yml"
#: 2026-06-10T12:00:00Z: the day the recorded answers were fetched.
EPOCH = "1781092800"
DAY = "2026-06-10"
#: Steps the test does not run, by id: installing needs the network and is already done here.
SKIPPED = {"install"}
BOT = "github-actions[bot]"
SHA = re.compile(r"[^@\s]+@[0-9a-f]{40}$")


def workflow() -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


# -- shape ------------------------------------------------------------------------------------
def test_triggers_schedule_off_the_hour_and_by_hand() -> None:
    on = workflow()["on"]
    (schedule,) = on["schedule"]
    minute, hour, *_ = schedule["cron"].split()
    assert minute.isdigit() and int(minute) not in (0, 30), "busy minutes drop scheduled runs"
    assert hour.isdigit()
    assert "workflow_dispatch" in on


def test_pages_concurrency_never_cancels_a_deployment() -> None:
    assert workflow()["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_permissions_are_least_privilege() -> None:
    wf = workflow()
    assert wf["permissions"] == {}
    jobs = wf["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "write"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["email"]["permissions"] == {"contents": "read"}


def test_actions_pinned_by_sha_without_persisted_credentials() -> None:
    steps = [s for job in workflow()["jobs"].values() for s in job["steps"]]
    uses = [s for s in steps if "uses" in s]
    assert {s["uses"].split("@")[0] for s in uses} == {
        "actions/checkout",
        "actions/setup-python",
        "actions/cache/restore",
        "actions/cache/save",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    }
    for step in uses:
        assert SHA.match(step["uses"]), step["uses"]
        if step["uses"].startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_failure_deploys_nothing_and_email_follows_the_deployment() -> None:
    jobs = workflow()["jobs"]
    assert jobs["deploy"]["needs"] == "build"
    assert jobs["email"]["needs"] == ["build", "deploy"]
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    steps = [s for job in jobs.values() for s in job["steps"]]
    for item in [*jobs.values(), *steps]:
        assert not re.search(r"always\(\)|failure\(\)|cancelled\(\)", str(item.get("if", "")))
        assert "continue-on-error" not in item
    # The state lives in the repository, never in a cache that GitHub evicts: the cache holds
    # only what a build can make again (keywords, vectors, the last site).
    env = wf_env = workflow()["env"]
    for step in steps:
        if step.get("uses", "").startswith("actions/cache/"):
            paths = _expand(step["with"]["path"], env).split()
            assert set(paths) <= {wf_env["DIGEST_CACHE"], wf_env["DIGEST_SITE"]}, paths
    build = [s.get("uses", "") for s in jobs["build"]["steps"]]
    assert build[-1].startswith("actions/upload-pages-artifact@"), "upload after the commit"


@pytest.mark.parametrize(
    "command",
    [
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        ["zizmor", "--offline", "--persona=auditor", str(WORKFLOW.parent)],
    ],
    ids=["check-jsonschema", "zizmor"],
)
def test_workflow_linters(command: list[str]) -> None:
    """The same checks .ci/run makes (installed by the ``ci`` extra); skipped where absent."""
    tool = shutil.which(command[0], path=_bin_path())
    if tool is None:
        pytest.skip(f"{command[0]} is not installed (pip install -e '.[ci]')")
    result = subprocess.run([tool, *command[1:]], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# -- the build job, run locally --------------------------------------------------------------
@dataclass
class Run:
    """What running the build job's steps did."""

    ran: list[str]
    skipped: list[str]
    failed: subprocess.CompletedProcess[str] | None
    outputs: dict[str, str]


def _bin_path() -> str:
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def _expand(value: object, env: dict[str, str]) -> str:
    """Evaluate the few expressions the build job's step settings may use."""

    def one(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if expression == "github.token":
            return "test-token"
        if expression.startswith("env."):
            return env[expression[4:]]
        raise AssertionError(f"the build job's steps must stay runnable here: {expression}")

    return re.sub(r"\$\{\{(.*?)\}\}", one, str(value))


def _read_pairs(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return dict(pairs)


def run_build_job(project: Path, runner: Path) -> Run:
    """Run the build job's ``run:`` steps in ``project`` until one fails, as the runner does."""
    wf = workflow()
    job = wf["jobs"]["build"]
    runner.mkdir(parents=True, exist_ok=True)
    github_env, github_output = runner / "env", runner / "output"
    github_env.write_text("")
    github_output.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GIT_"))}
    env.update(
        PATH=_bin_path(),
        CI="true",
        GITHUB_ACTIONS="true",
        GITHUB_ENV=str(github_env),
        GITHUB_OUTPUT=str(github_output),
        GITHUB_REF_NAME="main",
        GITHUB_REPOSITORY="someone/digest",
        GITHUB_SERVER_URL="https://github.com",
        GITHUB_WORKSPACE=str(project),
        SOURCE_DATE_EPOCH=EPOCH,
    )
    env.update({k: _expand(v, env) for k, v in {**wf["env"], **job.get("env", {})}.items()})
    shell = wf["defaults"]["run"]["shell"]
    assert shell == "bash"
    run = Run([], [], None, {})
    for number, step in enumerate(job["steps"]):
        if "run" not in step:
            continue
        name = step.get("name", step.get("id", str(number)))
        if step.get("id") in SKIPPED:
            run.skipped.append(step["id"])
            continue
        script = runner / f"step-{number}.sh"
        script.write_text(step["run"], encoding="utf-8")
        step_env = {**env, **{k: _expand(v, env) for k, v in step.get("env", {}).items()}}
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=project,
            env=step_env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        run.ran.append(name)
        if result.returncode != 0:
            run.failed = result
            break
        env.update(_read_pairs(github_env))
    run.outputs = _read_pairs(github_output)
    return run


def _git(cwd: Path, *args: str) -> str:
    identity = ["-c", "user.name=Owner", "-c", "user.email=owner@example.org"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def write_toml(project: Path, server: FetchServer) -> None:
    (project / "digest.toml").write_text(
        'title = "Workflow digest"\n'
        "[keywords]\nworkers = 1\n"
        "[fetch]\n"
        'arxiv_categories = ["cs.LG", "cs.AI"]\n'
        "hf_daily = true\n"
        "max_results = 20\npage_size = 20\n"
        # One try: a failing server fails the fetch at once instead of backing off for minutes.
        "tries = 1\n"
        f'arxiv_api_url = "{server.url("/api/query")}"\n'
        f'hf_url = "{server.url("/api/daily_papers")}"\n',
        encoding="utf-8",
    )


def recorded(server: FetchServer) -> None:
    server.routes.clear()
    server.script("/api/query", file_reply(API / "cs-lg-or-cs-ai.xml"))
    server.script("/api/daily_papers", Reply(body=HF.read_bytes(), content_type=JSON))


@dataclass(frozen=True)
class Project:
    root: Path
    origin: Path
    run: Run


@pytest.fixture(scope="module")
def server() -> Iterator[FetchServer]:
    with serving() as running:
        recorded(running)
        yield running


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, server: FetchServer) -> Project:
    """A fork with digest.toml and mkdocs.yml, after one successful run of the build job."""
    base = tmp_path_factory.mktemp("workflow")
    origin, root = base / "origin.git", base / "project"
    make_project(root)
    write_toml(root, server)
    (root / ".gitignore").write_text("/site/\n/build/\n/inbox/\n/.digest-cache/\n")
    (root / ".github" / "workflows").mkdir(parents=True)
    shutil.copy2(WORKFLOW, root / ".github" / "workflows" / WORKFLOW.name)
    _git(base, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    _git(root, "init", "--quiet", "--initial-branch=main")
    _git(root, "add", ".")
    _git(root, "commit", "--quiet", "-m", "fork")
    _git(root, "remote", "add", "origin", str(origin))
    _git(root, "push", "--quiet", "origin", "main")
    return Project(root, origin, run_build_job(root, base / "runner"))


def test_build_job_fetches_builds_and_commits_the_state(published: Project) -> None:
    run = published.run
    assert run.failed is None, run.failed and run.failed.stdout + run.failed.stderr
    assert run.skipped == sorted(SKIPPED)
    assert run.ran == [
        "Date the run",
        "Check the state",
        "Fetch new papers",
        "Build the site",
        "Commit the state",
    ]
    site = published.root / "site"
    assert (site / "index.html").is_file() and (site / "feed.xml").is_file()
    assert (site / f"issues/{DAY}/index.html").is_file()
    # The Pages upload takes the folder the build published.
    upload = workflow()["jobs"]["build"]["steps"][-1]
    assert _expand(upload["with"]["path"], workflow()["env"]) == "site"
    # The state and the heartbeat were pushed by the bot, and the job says which commit; the
    # state's lock and the cache were not.
    head = _git(published.origin, "log", "-1", "--format=%an%n%s%n%H", "main").splitlines()
    assert head[:2] == [BOT, f"digest: state of {DAY}"]
    assert run.outputs == {"date": DAY, "commit": head[2]}
    files = set(_git(published.origin, "ls-tree", "-r", "--name-only", "main").splitlines())
    kept = {f"state/{name}" for name in tree_bytes(published.root / "state")} - {"state/.lock"}
    assert kept | {".github/digest-heartbeat"} <= files
    assert "state/.lock" not in files and not any(f.startswith(".digest-cache") for f in files)
    assert _git(published.origin, "show", "main:.github/digest-heartbeat") == DAY[:7]
    papers = _git(published.origin, "show", f"main:state/papers/{DAY[:7]}.jsonl")
    assert papers == (published.root / "state" / "papers" / f"{DAY[:7]}.jsonl").read_text().strip()


def _copy(published: Project, to: Path) -> Project:
    """Clone the state of ``published`` (project and origin) into ``to``."""
    shutil.copytree(published.root.parent / "origin.git", to / "origin.git")
    shutil.copytree(published.root, to / "project")
    _git(to / "project", "remote", "set-url", "origin", str(to / "origin.git"))
    return Project(to / "project", to / "origin.git", published.run)


def test_failed_fetch_fails_the_job_and_changes_nothing(
    published: Project, server: FetchServer, tmp_path: Path
) -> None:
    project = _copy(published, tmp_path)
    before = tree_bytes(project.root / "site"), tree_bytes(project.root / "state")
    head = _git(project.origin, "rev-parse", "main")
    for path in ("/api/query", "/api/daily_papers"):
        server.script(path, Reply(503, b"Service Unavailable", "text/plain"))
    try:
        run = run_build_job(project.root, tmp_path / "runner")
    finally:
        recorded(server)
    assert run.failed is not None and run.failed.returncode == 1
    assert run.ran[-1] == "Fetch new papers"
    assert run.failed.stderr.startswith("Error: ")
    assert "503" in run.failed.stderr
    # Nothing was built, committed or pushed; the job stops, so nothing is uploaded either.
    assert tree_bytes(project.root / "site") == before[0]
    assert tree_bytes(project.root / "state") == before[1]
    assert _git(project.origin, "rev-parse", "main") == head
    assert "commit" not in run.outputs


def test_missing_state_after_publishing_fails_the_job(published: Project, tmp_path: Path) -> None:
    project = _copy(published, tmp_path)
    shutil.rmtree(project.root / "state")
    run = run_build_job(project.root, tmp_path / "runner")
    assert run.failed is not None
    assert run.ran[-1] == "Check the state"
    assert "state/ is missing but this repository has published before" in run.failed.stdout


def test_a_rerun_with_nothing_new_commits_nothing(published: Project, tmp_path: Path) -> None:
    project = _copy(published, tmp_path)
    head = _git(project.origin, "rev-parse", "main")
    run = run_build_job(project.root, tmp_path / "runner")
    assert run.failed is None, run.failed and run.failed.stdout + run.failed.stderr
    assert _git(project.origin, "rev-parse", "main") == head
    assert run.outputs["commit"] == head

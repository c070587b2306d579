"""End to end: the real command line on the real seed, in throw-away working folders."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import lxml.html
import pytest

from digest.writers.paging import paper_anchor
from tests.conftest import (
    EPOCH,
    SEED,
    SITE_URL,
    build_site,
    make_project,
    seed_pairs,
    tree_bytes,
    write_listing,
)

DIGEST = Path(sys.executable).with_name("digest")


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "PYTHONHASHSEED")}
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=cli_env(**env), capture_output=True, text=True, stdin=subprocess.DEVNULL
    )


@pytest.fixture(scope="module")
def cli_builds(tmp_path_factory) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    """The seed built twice at once: ``python -m digest build`` (bundled example) and the script."""
    assert DIGEST.is_file(), "the digest script is not installed beside this Python"
    commands = {
        "module": [sys.executable, "-m", "digest", "build"],
        "script": [str(DIGEST), "build", str(SEED)],
    }
    running = {}
    for name, args in commands.items():
        cwd = tmp_path_factory.mktemp(f"cli-{name}")
        process = subprocess.Popen(
            args,
            cwd=cwd,
            env=cli_env(SOURCE_DATE_EPOCH=str(EPOCH)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        running[name] = (cwd, process, args)
    done = {}
    for name, (cwd, process, args) in running.items():
        out, err = process.communicate()
        done[name] = (cwd, subprocess.CompletedProcess(args, process.returncode, out, err))
    return done


def test_build_exits_0_and_says_where_the_site_is(cli_builds):
    for name, (cwd, result) in cli_builds.items():
        assert result.returncode == 0, (name, result.stderr)
        exported = json.loads((cwd / "site" / "digest.json").read_bytes())
        themes = len(exported["themes"])
        assert result.stdout == (
            f"Built 195 papers (195 new, 0 updated) in {themes} themes into site/ (1 warning).\n"
            "View it with: digest serve  (http://127.0.0.1:8000/digest/)\n"
        ), name
        # The bundled mkdocs.yml's site_url is a placeholder: the one warning says to set it.
        warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
        assert warnings == [
            "WARNING: Set site_url in a mkdocs.yml in this folder to the address the site is "
            "published at: feeds and links say 'https://example.org/digest/', a placeholder"
        ], name
        assert "Error" not in result.stderr


def test_build_writes_only_into_the_working_folder(cli_builds):
    for cwd, _ in cli_builds.values():
        names = {p.name for p in cwd.iterdir()}
        assert {"site", "build"} <= names
        assert not [n for n in names if ".new-" in n or ".old" in n]


def test_site_has_home_theme_pages_feed_and_export(cli_builds):
    cwd, _ = cli_builds["module"]
    site = cwd / "site"
    for required in ("index.html", "feed.xml", "digest.json", "sitemap.xml", "404.html"):
        assert (site / required).is_file(), required
    exported = json.loads((site / "digest.json").read_bytes())
    assert len(exported["papers"]) == 195
    assert len({p["id"] for p in exported["papers"]}) == 195
    pages = {}
    for theme in exported["themes"]:
        page = site / "themes" / theme["slug"] / "index.html"
        assert page.is_file(), theme["slug"]
        tree = lxml.html.parse(str(page)).getroot()
        pages[theme["slug"]] = {a.get("id") for a in tree.iter("article")}
        assert (cwd / "build" / "docs" / "themes" / f"{theme['slug']}.md").is_file()
    members = {t["slug"]: set(t["papers"]) for t in exported["themes"]}
    for paper in exported["papers"]:
        primary = paper["themes"][0]
        assert paper["id"] in members[primary], paper["title"]
        assert paper_anchor(paper["id"]) in pages[primary], paper["title"]


def test_two_builds_with_one_source_date_epoch_are_byte_identical(cli_builds):
    (first, _), (second, _) = cli_builds["module"], cli_builds["script"]
    a, b = tree_bytes(first / "site"), tree_bytes(second / "site")
    assert {"sitemap.xml.gz", "pagefind/buckets.json", "feed.xml", "digest.json"} <= set(a)
    assert sorted(a) == sorted(b)
    differ = [name for name in a if a[name] != b[name]]
    assert differ == []
    assert tree_bytes(first / "build" / "docs") == tree_bytes(second / "build" / "docs")


def _strict_project(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    listing = write_listing(tmp_path / "good.txt", seed_pairs()[:8])
    built = build_site(tmp_path, [listing])
    return built.site, tree_bytes(tmp_path)


def test_strict_fails_on_a_warning_and_leaves_everything_as_it_was(tmp_path):
    site, before = _strict_project(tmp_path)
    pairs = seed_pairs()[:8]
    pairs[1] = ("Layer Collaboration\x07 in the Forward-Forward Algorithm", pairs[1][1])
    bad = write_listing(tmp_path / "bad.txt", pairs)
    before[bad.name] = bad.read_bytes()
    result = run([sys.executable, "-m", "digest", "build", "--strict", bad.name], tmp_path)
    warning = (
        "'bad.txt', line 5 (paper 2): removed 1 control or non-character code point(s) from 'title'"
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"WARNING: {warning}\n" in result.stderr
    assert result.stderr.endswith(
        f"Error: 1 warning with --strict; the site is unchanged. First: {warning}\n"
    )
    assert tree_bytes(tmp_path) == before
    assert (site / "index.html").is_file()


def test_without_strict_the_same_warning_builds(tmp_path):
    make_project(tmp_path)
    pairs = seed_pairs()[:8]
    pairs[1] = ("Layer Collaboration\x07 in the Forward-Forward Algorithm", pairs[1][1])
    bad = write_listing(tmp_path / "bad.txt", pairs)
    result = run(
        [sys.executable, "-m", "digest", "build", bad.name], tmp_path, SOURCE_DATE_EPOCH=str(EPOCH)
    )
    assert result.returncode == 0, result.stderr
    assert "(1 warning)" in result.stdout


def test_a_bad_input_is_an_error_with_exit_1(tmp_path):
    make_project(tmp_path)
    (tmp_path / "odd.txt").write_text("Header\nHeader\nA title\n", encoding="utf-8")
    result = run([sys.executable, "-m", "digest", "build", "odd.txt"], tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: Error reading 'odd.txt', line 3: title 'A title' has no abstract line "
        "(the file has an odd number of title and abstract lines)\n"
    )
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "usage: digest"),
        (["build", "--no-such-flag"], "error: unrecognized arguments: --no-such-flag"),
        (["no-such-command"], "error: argument COMMAND: invalid choice: 'no-such-command'"),
        (["serve", "--port", "eighty"], "error: argument --port: invalid int value: 'eighty'"),
    ],
    ids=["no-command", "unknown-flag", "unknown-command", "bad-port"],
)
def test_misuse_exits_2(tmp_path, args, message):
    result = run([sys.executable, "-m", "digest", *args], tmp_path)
    assert result.returncode == 2
    assert message in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []


def test_help_and_version(tmp_path):
    result = run([str(DIGEST), "--help"], tmp_path)
    assert result.returncode == 0
    assert "build" in result.stdout and "serve" in result.stdout
    for command in ("build", "serve"):
        helped = run([str(DIGEST), command, "--help"], tmp_path)
        assert helped.returncode == 0 and helped.stdout.startswith(f"usage: digest {command}")
    version = run([str(DIGEST), "--version"], tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("digest ")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_serves_the_built_site(cli_builds):
    cwd, _ = cli_builds["module"]
    site = cwd / "site"
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "digest", "serve", "--site-dir", str(site), "--port", str(port)],
        cwd=cwd,
        env=cli_env(PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        # The line is printed once the socket is bound: reading it is the readiness signal.
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line == f"Serving '{site}' at http://127.0.0.1:{port}/digest/ (Ctrl-C to stop)\n"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        # The site is served at site_url's path; the server's root redirects there.
        with opener.open(f"http://127.0.0.1:{port}/", timeout=30) as response:
            assert response.status == 200
            assert response.url == f"http://127.0.0.1:{port}/digest/"
            assert response.read() == (site / "index.html").read_bytes()
        with opener.open(f"http://127.0.0.1:{port}/digest/feed.xml", timeout=30) as response:
            assert response.read() == (site / "feed.xml").read_bytes()
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_serve_without_a_site_is_an_error(tmp_path):
    result = run([sys.executable, "-m", "digest", "serve", "--site-dir", "nowhere"], tmp_path)
    assert result.returncode == 1
    assert (
        result.stderr == f"Error: No site at '{tmp_path / 'nowhere'}': run 'digest build' first\n"
    )


def test_process_pool_and_in_process_builds_agree(cli_builds, seed_site):
    # The CLI extracts keywords in a process pool; the in-process seed build does not. The CLI
    # build has the bundled mkdocs.yml's placeholder site_url, the seed build the tests' own.
    cwd, _ = cli_builds["module"]
    placeholder = b"https://example.org/digest/"
    docs = {
        k: v.replace(placeholder, SITE_URL.encode())
        for k, v in tree_bytes(cwd / "build" / "docs").items()
    }
    assert docs == tree_bytes(seed_site.docs)


def test_the_summary_names_the_site_to_serve_and_quiet_silences_it(tmp_path):
    make_project(tmp_path)
    listing = write_listing(tmp_path / "in.txt", seed_pairs()[:12])
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "NO_MKDOCS_2_WARNING": "1"}
    other = tmp_path / "elsewhere"
    args = [sys.executable, "-m", "digest", "build", str(listing), "--site-dir", str(other)]
    loud = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert loud.returncode == 0, loud.stderr
    assert f"View it with: digest serve --site-dir {other}  (" in loud.stdout
    quiet = subprocess.run([*args[:3], "-q", *args[3:]], cwd=tmp_path, env=env,
                           capture_output=True, text=True)  # fmt: skip
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_a_thousand_bad_records_say_so_in_a_few_lines(tmp_path):
    """Repeated warnings are summarised: the first five, then one line with the count."""
    make_project(tmp_path)
    good = [{"id": f"good-{i}", "title": t, "abstract": a} for i, (t, a) in enumerate(seed_pairs())]
    bad = [{"id": f"bad-{i:04}", "abstract": "An abstract without its title."} for i in range(1000)]
    lines = [json.dumps(r) for r in good[:20] + bad]
    (tmp_path / "papers.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(
        [sys.executable, "-m", "digest", "build", "papers.jsonl"],
        tmp_path,
        SOURCE_DATE_EPOCH=str(EPOCH),
    )
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) <= 10, warnings
    assert sum("'papers.jsonl'" in w for w in warnings) == 5, warnings
    assert "... and 995 more warnings like it" in result.stderr
    assert "(1,000 warnings)" in result.stdout or "(1000 warnings)" in result.stdout, result.stdout

"""Rendering on two cores: a forked helper renders about half of the pages.

The oracle is the one-process render of the same docs: the split render must write the same
bytes (pages, search index, sitemap, manifest), report every MkDocs warning of the helper's
pages (so ``--strict`` still fails), check anchors between pages the two processes rendered,
and fail cleanly, leaving no process behind, when the helper fails.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import EPOCH, make_project, tree_bytes

from digest.errors import BuildError
from digest.site import read_settings, render
from digest.site.split import split

NEVER = 10**12


def _docs(root: Path, pages: dict[str, str]) -> Path:
    docs = root / "docs"
    for name, text in pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    return docs


def _render(root: Path, docs: Path, out: str, split_bytes: int) -> tuple[dict[str, bytes], int]:
    settings = read_settings(str(make_project(root)))
    report = render(settings, docs, root / out, EPOCH, split_bytes=split_bytes)
    return tree_bytes(root / out), report.in_helper


def test_a_split_render_of_the_seed_writes_what_one_process_writes(
    tmp_path: Path, seed_site: object
) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(seed_site.docs, docs)  # type: ignore[attr-defined]
    one, helped = _render(tmp_path, docs, "one", NEVER)
    assert helped == 0
    two, helped = _render(tmp_path, docs, "two", 0)
    assert helped >= 5, "the helper rendered (almost) nothing"
    assert one.keys() == two.keys()
    differ = [name for name in one if one[name] != two[name]]
    assert not differ, f"split and one-process renders differ in {differ[:5]}"


def test_pages_are_shared_evenly_by_size() -> None:
    sizes = {"a.md": 100, "b.md": 60, "c.md": 50, "d.md": 10}
    mine, theirs = split(sizes, handicap=0.0)
    assert mine | theirs == set(sizes) and not mine & theirs
    assert sum(sizes[s] for s in mine) == sum(sizes[s] for s in theirs) == 110
    # The build starts behind by its handicap: the helper takes the largest page.
    mine, theirs = split(sizes, handicap=0.5)
    assert "a.md" in theirs


# Large enough to be split, so that A and B are rendered by different processes.
_PAGE = "# {title}\n\n" + "Some words about nothing in particular. " * 200 + "\n\n{link}\n"


def _linked_pages(link_a: str, link_b: str) -> dict[str, str]:
    """The navigation's pages (small), and two large theme pages, A and B."""
    nav = ("index", "themes/index", "issues/index", "keywords", "rising", "feeds")
    pages = {f"{name}.md": f"# {name.title()}\n\nA short page.\n" for name in nav}
    pages["themes/a.md"] = _PAGE.format(title="Page A", link=link_a) + "\n## Known anchor\n"
    pages["themes/b.md"] = _PAGE.format(title="Page B", link=link_b) + "\n## Other anchor\n"
    return pages


def test_anchors_between_the_processes_are_checked_under_strict(tmp_path: Path) -> None:
    pages = _linked_pages("[to b](b.md#missing-in-b)", "[to a](a.md#missing-in-a)")
    docs = _docs(tmp_path, pages)
    for split_bytes in (NEVER, 0):
        with pytest.raises(BuildError, match="strict") as failure:
            _render(tmp_path, docs, f"site-{split_bytes}", split_bytes)
        assert "Aborted with 2 warnings" in str(failure.value)


def test_good_anchors_between_the_processes_pass(tmp_path: Path) -> None:
    pages = _linked_pages("[to b](b.md#other-anchor)", "[to a](a.md#known-anchor)")
    docs = _docs(tmp_path, pages)
    _, helped = _render(tmp_path, docs, "site", 0)
    assert helped >= 1


def test_a_warning_in_the_helpers_pages_fails_a_strict_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pages = _linked_pages("[gone](nowhere.md)", "[gone too](neither.md)")
    docs = _docs(tmp_path, pages)
    with pytest.raises(BuildError, match="strict"):
        _render(tmp_path, docs, "site", 0)
    # Both pages' warnings are reported, whichever process rendered them.
    assert "nowhere.md" in caplog.text and "neither.md" in caplog.text


_FAIL_IN_HELPER = """
import json
import os

def on_page_markdown(markdown, page, **kwargs):
    if os.getpid() != int(os.environ["DIGEST_TEST_BUILD_PID"]):
        with open(os.environ["DIGEST_TEST_HELPER_PID"], "w") as handle:
            handle.write(str(os.getpid()))
        raise RuntimeError("helper broke on " + page.file.src_uri)
    return markdown
"""


def _with_hooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: str) -> None:
    """Give the project MkDocs ``hooks`` that tell the build from its helper by process id."""
    config = make_project(tmp_path)
    (tmp_path / "hooks.py").write_text(hooks, encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + "hooks:\n  - hooks.py\n")
    monkeypatch.setenv("DIGEST_TEST_BUILD_PID", str(os.getpid()))


def test_a_failing_helper_fails_the_build_and_leaves_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_hooks(tmp_path, monkeypatch, _FAIL_IN_HELPER)
    monkeypatch.setenv("DIGEST_TEST_HELPER_PID", str(tmp_path / "helper.pid"))
    docs = _docs(tmp_path, _linked_pages("", ""))
    with pytest.raises(BuildError, match="helper broke on"):
        _render(tmp_path, docs, "site", 0)
    helper = int((tmp_path / "helper.pid").read_text())
    with pytest.raises(ProcessLookupError):  # Ended and reaped: not even a zombie.
        os.kill(helper, 0)
    # Rendered in one process, the same docs build.
    _, helped = _render(tmp_path, docs, "one", NEVER)
    assert helped == 0


def test_a_helper_warning_is_printed_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from digest.cli import _logging

    docs = _docs(tmp_path, _linked_pages("[gone](nowhere.md)", "[gone too](neither.md)"))
    with _logging(0), pytest.raises(BuildError, match="strict"):
        _render(tmp_path, docs, "site", 0)
    lines = capsys.readouterr().err.splitlines()
    for target in ("nowhere.md", "neither.md"):
        assert sum(target in line for line in lines) == 1, lines


_PLAIN_MKDOCS = """site_name: Plain
site_url: https://example.org/
theme: mkdocs
plugins:
  - search
nav:
  - Home: index.md
not_in_nav: |
  /themes/*.md
"""


def test_mkdocs_own_search_index_lists_the_helpers_pages(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(_PLAIN_MKDOCS, encoding="utf-8")
    pages = _linked_pages("", "")
    docs = _docs(tmp_path, {k: v for k, v in pages.items() if "/" not in k or "themes/" in k})
    settings = read_settings(str(tmp_path / "mkdocs.yml"))
    locations = []
    for name, split_bytes in (("one", NEVER), ("two", 0)):
        report = render(settings, docs, tmp_path / name, EPOCH, split_bytes=split_bytes)
        assert report.in_helper == (0 if split_bytes else report.in_helper)
        index = json.loads((tmp_path / name / "search" / "search_index.json").read_bytes())
        locations.append([doc["location"] for doc in index["docs"]])
    assert locations[0] == locations[1]
    assert any(loc.startswith("themes/a/") for loc in locations[1])
    assert any(loc.startswith("themes/b/") for loc in locations[1])


_KILLED_IN_HELPER = """
import os, signal

def on_page_markdown(markdown, page, **kwargs):
    if os.getpid() != int(os.environ["DIGEST_TEST_BUILD_PID"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return markdown
"""


def test_a_helper_killed_mid_render_fails_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_hooks(tmp_path, monkeypatch, _KILLED_IN_HELPER)
    docs = _docs(tmp_path, _linked_pages("", ""))
    with pytest.raises(BuildError, match="helper process"):
        _render(tmp_path, docs, "site", 0)

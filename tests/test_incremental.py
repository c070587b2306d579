"""A rebuild that would write the same site stops early; any change to what shapes it rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.text import keywords as keywords_module
from tests.conftest import build_site, seed_pairs, tree_bytes, write_listing


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    listing = write_listing(tmp_path / "in.txt", seed_pairs()[:15])
    build_site(tmp_path, [listing], epoch=None, date="2026-04-27", keywords={"workers": 1})
    return tmp_path, listing


def _no_yake(*args: object) -> None:
    raise AssertionError("YAKE ran")


def test_nothing_new_publishes_nothing(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root, listing = project
    before = tree_bytes(root / "site")
    inode = (root / "site").stat().st_ino
    monkeypatch.setattr(keywords_module, "run_yake", _no_yake)
    site = build_site(root, [listing], epoch=None, date="2026-04-28", keywords={"workers": 1})
    assert site.result.digest is None
    assert (site.result.new, site.result.papers) == (0, 15)
    assert (root / "site").stat().st_ino == inode, "the published folder was not replaced"
    assert tree_bytes(root / "site") == before


def test_a_changed_template_rebuilds(project) -> None:  # type: ignore[no-untyped-def]
    root, listing = project
    template = root / "site_templates" / "themes.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\nA new closing line.\n")
    site = build_site(root, [listing], epoch=None, date="2026-04-28", keywords={"workers": 1})
    assert site.result.digest is not None
    assert b"A new closing line." in (root / "site" / "themes" / "index.html").read_bytes()


def test_a_changed_setting_or_a_lost_site_rebuilds(project) -> None:  # type: ignore[no-untyped-def]
    root, listing = project
    changed = build_site(
        root, [listing], epoch=None, date="2026-04-28", title="Another digest",
        keywords={"workers": 1},
    )  # fmt: skip
    assert changed.result.digest is not None
    (root / "site" / "digest.json").unlink()
    # The site lost its export: the build publishes the site again from the state.
    again = build_site(
        root, [listing], epoch=None, date="2026-04-28", title="Another digest",
        keywords={"workers": 1},
    )  # fmt: skip
    assert again.result.digest is not None
    assert (root / "site" / "digest.json").is_file()


def test_new_papers_rebuild(project) -> None:  # type: ignore[no-untyped-def]
    root, _ = project
    more = write_listing(root / "more.txt", seed_pairs()[15:18])
    site = build_site(root, [more], epoch=None, date="2026-04-28", keywords={"workers": 1})
    assert site.result.digest is not None and site.result.new == 3

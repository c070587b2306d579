"""Between regroupings a daily build extracts and places only its new papers.

The published papers' keywords and placements are carried in the store (``entries``), with
the vector space and theme centres of the last full grouping (``blobs``, ``meta``); new papers
are projected into that space and join the nearest theme. The oracles: the full grouping must
never run on such a day, published papers must keep what they had, the email's
``current_digest`` must see exactly the built digest, and a store without carried entries (an
older store, or one whose entries were lost) must build in full and carry from then on.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import DATA, EPOCH, SEED, build_site, project_config, tree_bytes, write_listing

from digest import pipeline, themes
from digest.config import PinnedTheme
from digest.store import SCHEMA_VERSION, open_store

GOLDEN = DATA / "golden-input.txt"
DAY = 86_400


def _no_full_grouping(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the full grouping ran on a day that should only add papers")

    monkeypatch.setattr(themes, "group", refuse)


def test_a_daily_build_places_only_its_new_papers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build_site(tmp_path, [SEED], epoch=EPOCH)
    assert first.result.digest is not None
    before = first.result.digest.by_key
    _no_full_grouping(monkeypatch)
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.digest is not None and second.result.new > 0
    after = second.result.digest.by_key
    for key, entry in before.items():
        assert after[key].keywords == entry.keywords, "a published paper's keywords changed"
        assert after[key].themes == entry.themes, "a published paper changed themes"
    new = [after[k] for k in after if k not in before]
    assert new and all(e.themes for e in new)
    slugs = {t.slug for t in second.result.digest.themes}
    assert all(p.theme_slug in slugs for e in new for p in e.themes)
    # Every theme lists its published papers first, in their published order.
    old_order = {t.slug: t.paper_keys for t in first.result.digest.themes}
    for theme in second.result.digest.themes:
        published = old_order.get(theme.slug, ())
        assert theme.paper_keys[: len(published)] == published


def test_the_email_sees_the_digest_the_build_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(tmp_path, [SEED], epoch=EPOCH)
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.digest is not None
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + DAY))
    _no_full_grouping(monkeypatch)
    seen = pipeline.current_digest(project_config(tmp_path))
    built = second.result.digest
    assert seen.entries == built.entries
    assert seen.themes == built.themes
    assert seen.keyword_index == built.keyword_index


def _json(path: Path, records: list[tuple[str, str, str]]) -> Path:
    rows = [{"id": i, "title": t, "abstract": a} for i, t, a in records]
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def test_a_new_version_keeps_its_theme_and_gets_new_keywords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = "Sparse attention for long sequences"
    v1 = [("2401.01234v1", title, "We study sparse attention for long sequence models.")]
    build_site(tmp_path, [SEED, _json(tmp_path / "a.json", v1)], epoch=EPOCH)
    _no_full_grouping(monkeypatch)
    first = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert first.result.digest is not None
    was = first.result.digest.by_key["arxiv:2401.01234"]
    v2 = [("2401.01234v2", title, "We now study optimal transport between persistence diagrams.")]
    second = build_site(tmp_path, [_json(tmp_path / "b.json", v2)], epoch=EPOCH + 2 * DAY)
    assert second.result.digest is not None and second.result.changed == 1
    now = second.result.digest.by_key["arxiv:2401.01234"]
    assert now.themes[0].theme_slug == was.themes[0].theme_slug
    assert {k.key for k in now.keywords} != {k.key for k in was.keywords}
    assert any("transport" in k.key for k in now.keywords)


def test_a_store_without_carried_entries_builds_in_full_then_carries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(tmp_path, [SEED], epoch=EPOCH)
    # As a store of schema 1 was: no entries, no space.
    with sqlite3.connect(tmp_path / "digest.sqlite") as db:
        db.execute("DROP TABLE entries")
        db.execute("DROP TABLE blobs")
        db.execute("PRAGMA user_version = 1")
    calls = []
    real_group = themes.group

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real_group(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(themes, "group", counted)
    extra = write_listing(tmp_path / "x.txt", [("Graph neural nets", "We study graphs.")])
    second = build_site(tmp_path, [extra], epoch=EPOCH + DAY)
    assert second.result.new == 1 and calls == [1], "the migrated store was not grouped in full"
    with open_store(tmp_path / "digest.sqlite", create=False) as store:
        assert len(store.entries()) == second.result.papers
        assert store.get_blob("space")
    with sqlite3.connect(tmp_path / "digest.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    build_site(tmp_path, [GOLDEN], epoch=EPOCH + 2 * DAY)
    assert calls == [1], "the next daily build grouped in full again"


def test_pinned_themes_group_in_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = {"pinned": [PinnedTheme(name="Optimal transport", include=["optimal transport"])]}
    build_site(tmp_path, [SEED], epoch=EPOCH, themes=pinned)
    calls = []
    real_group = themes.group
    monkeypatch.setattr(themes, "group", lambda *a, **k: calls.append(1) or real_group(*a, **k))
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY, themes=pinned)
    assert calls == [1] and second.result.digest is not None
    assert second.result.digest.themes[0].name == "Optimal transport"


def test_carried_entries_round_trip(tmp_path: Path) -> None:
    built = build_site(tmp_path, [SEED], epoch=EPOCH)
    assert built.result.digest is not None
    with open_store(tmp_path / "digest.sqlite", create=False) as store:
        carried = store.entries()
    for entry in built.result.digest.entries:
        assert carried[entry.paper.key] == (entry.keywords, entry.themes)
    # A damaged row is not carried: that paper is placed again, the build does not fail.
    with sqlite3.connect(tmp_path / "digest.sqlite") as db:
        key = built.result.digest.entries[0].paper.key
        db.execute("UPDATE entries SET data = '{broken' WHERE key = ?", (key,))
    with open_store(tmp_path / "digest.sqlite", create=False) as store:
        assert key not in store.entries()


def _reused_pages(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many pages each later build's write_docs reused."""
    counted: list[int] = []
    real = pipeline.write_docs

    def spy(*args: object, **kwargs: object) -> int:
        counted.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return counted[-1]

    monkeypatch.setattr(pipeline, "write_docs", spy)
    return counted


def test_pages_written_from_the_same_inputs_are_reused_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The oracle is the build that renders every page: reusing must write the same docs."""
    reused_root, full_root = tmp_path / "reused", tmp_path / "full"
    for root in (reused_root, full_root):
        build_site(root, [SEED], epoch=EPOCH)
    (full_root / "build" / "docs" / pipeline.PAGE_INPUTS).unlink()
    counted = _reused_pages(monkeypatch)
    reused = build_site(reused_root, [GOLDEN], epoch=EPOCH + DAY)
    full = build_site(full_root, [GOLDEN], epoch=EPOCH + DAY)
    assert reused.result.new == full.result.new > 0
    assert counted[0] > 0 and counted[1] == 0, counted
    reused_docs, full_docs = tree_bytes(reused.docs), tree_bytes(full.docs)
    assert reused_docs == full_docs
    # Some pages were indeed copied: the first day's issue and the quiet themes.
    inputs = json.loads(reused_docs[pipeline.PAGE_INPUTS])
    assert any(k.startswith("issues/") for k in inputs)


def test_a_changed_card_template_renders_every_page_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(tmp_path, [SEED], epoch=EPOCH)
    card = tmp_path / "site_templates" / "_card.md.j2"
    card.write_text(card.read_text(encoding="utf-8") + "\n<!-- card v2 -->\n", encoding="utf-8")
    counted = _reused_pages(monkeypatch)
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert counted == [0]
    issue = (second.docs / "issues" / "2023-11-14.md").read_text(encoding="utf-8")
    assert "card v2" in issue


def test_a_changed_keyword_setting_tidies_every_paper_again(tmp_path: Path) -> None:
    """Tidying's settings (``keep``, ``max_chars``) shape published papers' keywords too."""
    first = build_site(tmp_path, [SEED], epoch=EPOCH)
    assert first.result.digest is not None
    assert max(len(e.keywords) for e in first.result.digest.entries) > 3
    second = build_site(tmp_path, [SEED], epoch=EPOCH + DAY, keywords={"keep": 3})
    assert second.result.digest is not None
    assert max(len(e.keywords) for e in second.result.digest.entries) == 3

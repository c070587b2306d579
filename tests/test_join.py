"""Between regroupings a daily build places only its new papers; published ones stay put.

The kept state holds each published paper's themes; new papers are projected into the vector
space of the last regrouping (a cache, fitted again when lost) and join the nearest theme. The
oracles: the full grouping must never run on such a day, published papers keep their themes,
and the email's ``current_digest`` sees exactly the built digest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA, EPOCH, SEED, Site, build_site, project_config, seeded

from digest import build, gather
from digest.config import PinnedTheme

GOLDEN = DATA / "golden-input.txt"
DAY = 86_400


def _no_full_grouping(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the full grouping ran on a day that should only add papers")

    monkeypatch.setattr(gather, "group", refuse)


def test_a_daily_build_places_only_its_new_papers(
    seed_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = seeded(seed_site, tmp_path)
    assert first.result.digest is not None
    before = first.result.digest.by_key
    _no_full_grouping(monkeypatch)
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.digest is not None and second.result.new > 0
    after = second.result.digest.by_key
    for key, entry in before.items():
        assert [k.key for k in after[key].keywords] == [k.key for k in entry.keywords]
        slugs = [p.theme_slug for p in entry.themes]
        assert [p.theme_slug for p in after[key].themes] == slugs, "a paper changed themes"
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
    seed_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(seed_site, tmp_path)
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.digest is not None
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + DAY))
    _no_full_grouping(monkeypatch)
    seen = build.current_digest(project_config(tmp_path))
    built = second.result.digest
    assert seen.entries == built.entries
    assert seen.themes == built.themes
    assert seen.keyword_index == built.keyword_index


def _json(path: Path, records: list[tuple[str, str, str]]) -> Path:
    rows = [{"id": i, "title": t, "abstract": a} for i, t, a in records]
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def test_a_new_version_keeps_its_theme_and_gets_new_keywords(
    seed_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = "Sparse attention for long sequences"
    v1 = [("2401.01234v1", title, "We study sparse attention for long sequence models.")]
    seeded(seed_site, tmp_path)
    _no_full_grouping(monkeypatch)
    first = build_site(tmp_path, [_json(tmp_path / "a.json", v1)], epoch=EPOCH + DAY)
    assert first.result.digest is not None
    was = first.result.digest.by_key["arxiv:2401.01234"]
    v2 = [("2401.01234v2", title, "We now study optimal transport between persistence diagrams.")]
    second = build_site(tmp_path, [_json(tmp_path / "b.json", v2)], epoch=EPOCH + 2 * DAY)
    assert second.result.digest is not None and second.result.changed == 1
    now = second.result.digest.by_key["arxiv:2401.01234"]
    assert now.themes[0].theme_slug == was.themes[0].theme_slug
    assert {k.key for k in now.keywords} != {k.key for k in was.keywords}
    assert any("transport" in k.key for k in now.keywords)


def test_new_papers_join_pinned_themes_without_a_regrouping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pinned = {"pinned": [PinnedTheme(name="Optimal transport", include=["optimal transport"])]}
    first = build_site(tmp_path, [SEED], epoch=EPOCH, themes=pinned)
    assert first.result.digest is not None
    members = first.result.digest.themes[0].paper_keys
    _no_full_grouping(monkeypatch)
    extra = _json(
        tmp_path / "ot.json",
        [("2402.00001", "Faster optimal transport", "We compute optimal transport maps fast.")],
    )
    second = build_site(tmp_path, [extra], epoch=EPOCH + DAY, themes=pinned)
    assert second.result.digest is not None
    theme = second.result.digest.themes[0]
    assert theme.name == "Optimal transport"
    assert theme.paper_keys == (*members, "arxiv:2402.00001")


def test_a_changed_keyword_setting_tidies_every_paper_again(
    seed_site: Site, tmp_path: Path
) -> None:
    """Tidying's settings (``keep``, ``max_chars``) shape published papers' keywords too."""
    first = seeded(seed_site, tmp_path)
    assert first.result.digest is not None
    assert max(len(e.keywords) for e in first.result.digest.entries) > 3
    second = build_site(tmp_path, [SEED], epoch=EPOCH + DAY, keywords={"keep": 3})
    assert second.result.digest is not None
    assert max(len(e.keywords) for e in second.result.digest.entries) == 3

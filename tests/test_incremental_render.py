"""Incremental rendering: pages whose Markdown did not change are kept from the published site.

The oracle is the full render: a daily build that keeps pages must write exactly the bytes a
build rendering every page writes (the same Markdown, search index, sitemap and manifest), and
must never write through to the published site while it works. Sticky themes (new papers join
the nearest published theme until a regrouping is due) are what make most pages unchanged.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import DATA, EPOCH, SEED, build_site, make_project, tree_bytes, write_listing

from digest import publish
from digest.errors import BuildError
from digest.site import MANIFEST

GOLDEN = DATA / "golden-input.txt"
DAY = 86_400


def _seed_then_more(root: Path, *, forget_manifest: bool) -> dict[str, bytes]:
    build_site(root, [SEED], epoch=EPOCH)
    if forget_manifest:
        (root / "site" / MANIFEST).unlink()
    second = build_site(root, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.new > 0
    if forget_manifest:
        assert second.result.kept == 0
    else:
        assert second.result.kept > 0, "nothing was kept: the incremental path never ran"
    return tree_bytes(root / "site")


def test_a_build_that_keeps_pages_writes_what_a_full_render_writes(tmp_path: Path) -> None:
    kept = _seed_then_more(tmp_path / "kept", forget_manifest=False)
    full = _seed_then_more(tmp_path / "full", forget_manifest=True)
    assert kept.keys() == full.keys()
    differ = [name for name in kept if kept[name] != full[name]]
    assert not differ, f"incremental and full renders differ in {differ[:5]}"
    # The search index lists the kept pages too (carried over from the published index).
    index = json.loads(kept["search/search_index.json"])
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    manifest = json.loads(kept[MANIFEST])
    assert manifest["pages"] and "themes/" in locations


def test_new_papers_join_published_themes_and_older_pages_are_kept(tmp_path: Path) -> None:
    first = build_site(tmp_path, [SEED], epoch=EPOCH)
    assert first.result.digest is not None
    placed = {key: entry.themes[0].theme_slug for key, entry in first.result.digest.by_key.items()}
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.digest is not None
    moved = [
        key
        for key, slug in placed.items()
        if second.result.digest.by_key[key].themes[0].theme_slug != slug
    ]
    assert moved == [], "a published paper changed theme without a regrouping"
    # The first day's issue lists only published papers, none moved: its page is kept.
    assert second.result.kept >= 1


def test_a_regrouping_is_due_once_the_papers_grew_enough(tmp_path: Path) -> None:
    pairs = [
        (f"Sparse attention study {i}", f"We study sparse attention method {i}.") for i in range(8)
    ]
    more = write_listing(tmp_path / "more.txt", pairs)
    root = tmp_path / "p"
    build_site(root, [SEED], epoch=EPOCH)
    assert _grouped(root) == 195
    # 195 papers, then 3 more: under the default 25% growth, no regrouping.
    build_site(root, [GOLDEN], epoch=EPOCH + DAY)
    assert _grouped(root) == 195
    # With no growth allowed, the next build regroups from scratch, and records it.
    build_site(root, [more], epoch=EPOCH + 2 * DAY, themes={"regroup_growth": 0.0})
    assert _grouped(root) == 206


def _grouped(root: Path) -> int:
    """Papers at the last regrouping from scratch, as the store records it."""
    with sqlite3.connect(root / "digest.sqlite") as db:
        (value,) = db.execute("SELECT value FROM meta WHERE key = 'grouped'").fetchone()
    return int(json.loads(value)["papers"])


def test_a_changed_theme_template_renders_every_page(tmp_path: Path) -> None:
    build_site(tmp_path, [SEED], epoch=EPOCH)
    main = tmp_path / "site_templates" / "theme" / "main.html"
    main.write_text(main.read_text(encoding="utf-8") + "\n{# changed #}\n", encoding="utf-8")
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.kept == 0 and second.result.rendered > 0


def test_a_failed_build_leaves_the_published_files_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(tmp_path, [SEED], epoch=EPOCH)
    before = tree_bytes(tmp_path / "site")

    def refuse(*args: object, **kwargs: object) -> None:
        raise BuildError("refused by the test after rendering")

    monkeypatch.setattr(publish, "verify", refuse)
    with pytest.raises(BuildError, match="refused by the test"):
        build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert tree_bytes(tmp_path / "site") == before
    assert not list(tmp_path.glob(".site.new-*"))


def test_a_damaged_manifest_means_a_full_render(tmp_path: Path) -> None:
    make_project(tmp_path)
    build_site(tmp_path, [SEED], epoch=EPOCH)
    (tmp_path / "site" / MANIFEST).write_text("{not json", encoding="utf-8")
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.kept == 0
    json.loads((tmp_path / "site" / MANIFEST).read_text(encoding="utf-8"))
    shutil.rmtree(tmp_path / "site" / "search")
    third = build_site(tmp_path, [SEED, GOLDEN], epoch=EPOCH + 2 * DAY, themes={"min_size": 4})
    assert third.result.kept == 0


def test_published_keyword_forms_are_kept_until_a_regrouping(tmp_path: Path) -> None:
    first = build_site(tmp_path, [SEED], epoch=EPOCH)
    assert first.result.digest is not None
    keyword = first.result.digest.keyword_index[0]
    with sqlite3.connect(tmp_path / "digest.sqlite") as db:
        (value,) = db.execute("SELECT value FROM meta WHERE key = 'keyword_forms'").fetchone()
        forms = json.loads(value)
        assert forms[keyword.key] == keyword.text
        # As if an earlier build had published another form of this keyword.
        forms[keyword.key] = "Published Form"
        db.execute("UPDATE meta SET value = ? WHERE key = 'keyword_forms'", (json.dumps(forms),))
        # Without carried entries the build extracts every paper's keywords again (the
        # carried path keeps published keywords as they are: tests/test_carry_forward.py).
        db.execute("DELETE FROM entries")
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.digest is not None
    shown = {k.key: k.text for k in second.result.digest.keyword_index}
    assert shown[keyword.key] == "Published Form"
    # A regrouping chooses every form afresh: the most common one in the corpus again.
    third = build_site(tmp_path, [GOLDEN], epoch=EPOCH + 2 * DAY, themes={"regroup_growth": 0})
    assert third.result.digest is not None
    assert {k.key: k.text for k in third.result.digest.keyword_index}[keyword.key] == keyword.text


def _generic(root: Path) -> list[str]:
    with sqlite3.connect(root / "digest.sqlite") as db:
        (value,) = db.execute("SELECT value FROM meta WHERE key = 'generic_words'").fetchone()
    return list(json.loads(value))


def test_the_corpus_generic_words_are_counted_at_a_regrouping_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from digest import pipeline
    from digest.keywords import keyword_text
    from digest.normalise import corpus_generic_words
    from digest.sources import read_inputs

    build_site(tmp_path, [SEED], epoch=EPOCH)
    texts = [keyword_text(p) for p in read_inputs([SEED])]
    recorded = _generic(tmp_path)
    assert recorded == sorted(corpus_generic_words(texts)) and recorded

    def recount(texts: object) -> frozenset[str]:
        raise AssertionError("generic words recounted between regroupings")

    monkeypatch.setattr(pipeline, "corpus_generic_words", recount)
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.new > 0 and _generic(tmp_path) == recorded
    # A regrouping counts them again, over every stored paper.
    monkeypatch.setattr(pipeline, "corpus_generic_words", lambda texts: frozenset({"zzz"}))
    build_site(tmp_path, [GOLDEN], epoch=EPOCH + 2 * DAY, themes={"regroup_growth": 0.0})
    assert _generic(tmp_path) == ["zzz"]

"""Incremental rendering: pages whose Markdown did not change are kept from the published site.

The oracle is the full render: a daily build that keeps pages must write exactly the bytes a
build rendering every page writes (the same Markdown, search index, sitemap and manifest), and
must never write through to the published site while it works. New papers joining the nearest
published theme until a regrouping is due are what make most pages unchanged.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import (
    DATA,
    EPOCH,
    SEED,
    Site,
    build_site,
    make_project,
    seed_pairs,
    seeded,
    tree_bytes,
    write_listing,
)

from digest.errors import BuildError
from digest.publish import stage
from digest.site import MANIFEST
from digest.state import Cache
from digest.writers.cards import CardMaker

GOLDEN = DATA / "golden-input.txt"
DAY = 86_400


def _seed_then_more(seed_site: Site, root: Path, *, forget_manifest: bool) -> dict[str, bytes]:
    seeded(seed_site, root)
    if forget_manifest:
        (root / "site" / MANIFEST).unlink()
    second = build_site(root, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.new > 0
    if forget_manifest:
        assert second.result.kept == 0
    else:
        assert second.result.kept > 0, "nothing was kept: the incremental path never ran"
    return tree_bytes(root / "site")


def test_a_build_that_keeps_pages_writes_what_a_full_render_writes(
    seed_site: Site, tmp_path: Path
) -> None:
    kept = _seed_then_more(seed_site, tmp_path / "kept", forget_manifest=False)
    full = _seed_then_more(seed_site, tmp_path / "full", forget_manifest=True)
    assert kept.keys() == full.keys()
    differ = [name for name in kept if kept[name] != full[name]]
    assert not differ, f"incremental and full renders differ in {differ[:5]}"
    manifest = json.loads(kept[MANIFEST])
    assert manifest["pages"] and "pagefind/buckets.json" in kept


def test_a_page_is_never_kept_stale(tmp_path: Path) -> None:
    """A template that prints a digest-wide value: every page it makes says the new value.

    Pages are kept by what they are made of (their Markdown), never by a record of what might
    have changed: the day-2 build must not keep a theme page that says "150 papers".
    """
    make_project(tmp_path)
    template = tmp_path / "site_templates" / "theme.md.j2"
    text = template.read_text(encoding="utf-8")
    heading = "# {{ theme.name }}\n"
    assert heading in text
    template.write_text(
        text.replace(heading, heading + "\nDigest size: {{ digest.entries|length }} papers.\n"),
        encoding="utf-8",
    )
    labelled = (DATA / "labelled" / "arxiv-cs-2016-head300.jsonl").read_text().splitlines()
    for count, day in ((150, "2026-01-05"), (160, "2026-01-06")):
        listing = tmp_path / f"first-{count}.jsonl"
        listing.write_text("\n".join(labelled[:count]) + "\n", encoding="utf-8")
        built = build_site(tmp_path, [listing], epoch=None, date=day)
    assert built.result.kept > 0
    pages = sorted((tmp_path / "site" / "themes").glob("*/index.html"))
    assert len(pages) >= 5
    for page in pages:
        assert "Digest size: 160 papers." in page.read_text(encoding="utf-8"), page


def test_new_papers_join_published_themes_and_older_pages_are_kept(
    seed_site: Site, tmp_path: Path
) -> None:
    first = seeded(seed_site, tmp_path)
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


def _chips(docs: Path) -> dict[str, str]:
    """Each card's keyword chips on the theme pages, by card anchor."""
    found = {}
    for page in sorted((docs / "themes").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for anchor, chips in re.findall(
            r'<article class="dg-card" id="([^"]+)">.*?(<p class="dg-card__chips">.*?</p>)',
            text,
            flags=re.S,
        ):
            found[anchor] = chips
    return found


def test_a_later_paper_sharing_a_keyword_never_changes_an_older_card(
    seed_site: Site, tmp_path: Path
) -> None:
    """A chip links to the keyword index once its keyword is shared as of the card's day: new
    papers that share it later leave published cards (and so their pages) as they were."""
    first = seeded(seed_site, tmp_path)
    before = _chips(first.docs)
    # Second looks at three of the first day's papers: their keywords, shared at last.
    again = [(f"{title} Revisited", abstract) for title, abstract in seed_pairs()[5:8]]
    later = write_listing(tmp_path / "later.txt", again)
    second = build_site(tmp_path, [later], epoch=EPOCH + DAY)
    after = _chips(second.docs)
    assert before and all(after[anchor] == chips for anchor, chips in before.items())
    digest = second.result.digest
    assert digest is not None
    first_day = {e.paper.key for e in digest.entries if e.listed.date() == digest.issues[-1].date}
    newly_shared = [
        kw for kw in digest.keyword_index if sum(key in first_day for key in kw.paper_keys) == 1
    ]
    assert newly_shared, "the second day shares no keyword with the first: test data too small"


def test_a_regrouping_is_due_once_the_papers_grew_enough(seed_site: Site, tmp_path: Path) -> None:
    pairs = [
        (f"Sparse attention study {i}", f"We study sparse attention method {i}.") for i in range(8)
    ]
    more = write_listing(tmp_path / "more.txt", pairs)
    root = tmp_path / "p"
    seeded(seed_site, root)
    assert _grouped(root) == 195
    # 195 papers, then 3 more: under the default 25% growth, no regrouping.
    build_site(root, [GOLDEN], epoch=EPOCH + DAY)
    assert _grouped(root) == 195
    # With no growth allowed, the next build regroups from scratch, and records it.
    build_site(root, [more], epoch=EPOCH + 2 * DAY, themes={"regroup_growth": 0.0})
    assert _grouped(root) == 206


def _grouped(root: Path) -> int:
    """Papers at the last regrouping from scratch, as the kept state records it."""
    [grouping] = (root / "state" / "themes").glob("*.jsonl")
    header = json.loads(grouping.read_text(encoding="utf-8").splitlines()[0])
    return int(header["grouping"]["papers"])


def test_a_changed_theme_template_renders_every_page(seed_site: Site, tmp_path: Path) -> None:
    seeded(seed_site, tmp_path)
    main = tmp_path / "site_templates" / "theme" / "main.html"
    main.write_text(main.read_text(encoding="utf-8") + "\n{# changed #}\n", encoding="utf-8")
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.kept == 0 and second.result.rendered > 0


def test_cached_cards_follow_the_card_template_and_what_they_show(
    seed_site: Site, tmp_path: Path
) -> None:
    """Cards come from the cache by a hash of what they show and of the card template: an
    edited template or a changed paper never gets yesterday's card."""
    first = seeded(seed_site, tmp_path)
    digest = first.result.digest
    assert digest is not None
    templates = tmp_path / "site_templates"
    cache = Cache(tmp_path / ".digest-cache")
    try:
        maker = CardMaker(templates, digest, {}, cache)
        entry = digest.entries[0]
        before = maker.cards([maker.facts(entry, "../../", False)])
        assert maker.cards([maker.facts(entry, "../../", False)]) == before
        assert cache.rendered([maker._key(maker.facts(entry, "../../", False))])
        revised = replace(entry, paper=replace(entry.paper, abstract="A revised abstract."))
        assert "A revised abstract" in maker.cards([maker.facts(revised, "../../", False)])[0]
    finally:
        cache.close()
    card = templates / "_card.html.j2"
    card.write_text(
        card.read_text(encoding="utf-8").replace("<article ", "<article data-x=1 "),
        encoding="utf-8",
    )
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    cards = [
        text
        for page in sorted(second.docs.rglob("*.md"))
        for text in re.findall(r"<article [^>]*>", page.read_text(encoding="utf-8"))
    ]
    assert len(cards) > 300 and all("data-x=1" in text for text in cards)


def test_a_failed_build_leaves_the_published_files_untouched(
    seed_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(seed_site, tmp_path)
    before = tree_bytes(tmp_path / "site")

    def refuse(*args: object, **kwargs: object) -> None:
        raise BuildError("refused by the test after rendering")

    monkeypatch.setattr(stage, "verify", refuse)
    with pytest.raises(BuildError, match="refused by the test"):
        build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert tree_bytes(tmp_path / "site") == before
    assert not list(tmp_path.glob(".site.new-*"))


def test_a_damaged_manifest_means_a_full_render(seed_site: Site, tmp_path: Path) -> None:
    seeded(seed_site, tmp_path)
    (tmp_path / "site" / MANIFEST).write_text("{not json", encoding="utf-8")
    second = build_site(tmp_path, [GOLDEN], epoch=EPOCH + DAY)
    assert second.result.kept == 0
    json.loads((tmp_path / "site" / MANIFEST).read_text(encoding="utf-8"))
    # A lost search bundle is only indexed again.
    shutil.rmtree(tmp_path / "site" / "pagefind")
    build_site(tmp_path, [SEED, GOLDEN], epoch=EPOCH + 2 * DAY, themes={"min_size": 4})
    assert (tmp_path / "site" / "pagefind" / "buckets.json").is_file()

"""Older issue pages list their papers as links to the cards on the theme pages
(``issue_card_days``), so a year of issues does not hold every card twice."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import DATA, EPOCH, SEED, build_site

DAY = 86_400
GOLDEN = DATA / "golden-input.txt"


def _issue_pages(site: Path) -> dict[str, str]:
    """Each issue's HTML by date, its parts joined."""
    found: dict[str, str] = {}
    for page in sorted((site / "issues").glob("*/index.html")):
        day = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(\.part\d+)?", page.parent.name)
        if day:
            found[day[1]] = found.get(day[1], "") + page.read_text(encoding="utf-8")
    return found


def test_an_issue_past_the_card_days_links_every_paper_to_its_card(tmp_path: Path) -> None:
    build_site(tmp_path, [GOLDEN], epoch=EPOCH)
    later = build_site(tmp_path, [SEED], epoch=EPOCH + 40 * DAY, issue_card_days=30)
    digest = later.result.digest
    assert digest is not None
    old, new = digest.issues[-1], digest.issues[0]
    pages = _issue_pages(later.site)
    assert 'class="dg-card"' in pages[new.slug]
    assert 'class="dg-card"' not in pages[old.slug]
    links = re.findall(r'href="\.\./\.\./(themes/[^"#]+)#(p-[^"]+)"', pages[old.slug])
    anchors = {anchor for _, anchor in links}
    assert len(anchors) == len(old.paper_keys)
    for path, anchor in links:
        card = (later.site / path / "index.html").read_text(encoding="utf-8")
        assert f'<article class="dg-card" id="{anchor}"' in card
    # Titles are untrusted text (the golden input has hostile ones): shown, never run.
    assert "Robust Attention for Hostile Inputs" in pages[old.slug]
    assert "<script>alert" not in pages[old.slug] and "onclick=" not in pages[old.slug]


def test_zero_card_days_keeps_cards_on_every_issue_page(tmp_path: Path) -> None:
    build_site(tmp_path, [SEED], epoch=EPOCH, issue_card_days=0)
    later = build_site(tmp_path, [GOLDEN], epoch=EPOCH + 400 * DAY, issue_card_days=0)
    pages = _issue_pages(later.site)
    assert len(pages) == 2 and all('class="dg-card"' in html for html in pages.values())

"""Older issue pages list their papers as links to the cards on the theme pages
(``issue_card_days``), so a year of issues does not hold every card twice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import DATA, EPOCH, Site, build_site, seed_pairs, write_listing

from digest.writers.docs import write_docs

DAY = 86_400
GOLDEN = DATA / "golden-input.txt"


@pytest.fixture(scope="module")
def month_later(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The golden papers (hostile titles among them), then three more 40 days later."""
    root = tmp_path_factory.mktemp("retention")
    build_site(root, [GOLDEN], epoch=EPOCH)
    later = write_listing(root / "later.txt", seed_pairs()[100:103])
    return build_site(root, [later], epoch=EPOCH + 40 * DAY, issue_card_days=30)


def _issue_pages(site: Path) -> dict[str, str]:
    """Each issue's HTML by date, its parts joined."""
    found: dict[str, str] = {}
    for page in sorted((site / "issues").glob("*/index.html")):
        day = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(\.part\d+)?", page.parent.name)
        if day:
            found[day[1]] = found.get(day[1], "") + page.read_text(encoding="utf-8")
    return found


def test_an_issue_past_the_card_days_links_every_paper_to_its_card(month_later: Site) -> None:
    digest = month_later.result.digest
    assert digest is not None
    old, new = digest.issues[-1], digest.issues[0]
    pages = _issue_pages(month_later.site)
    assert 'class="dg-card"' in pages[new.slug]
    assert 'class="dg-card"' not in pages[old.slug]
    links = re.findall(r'href="\.\./\.\./(themes/[^"#]+)#(p-[^"]+)"', pages[old.slug])
    assert len({anchor for _, anchor in links}) == len(old.paper_keys)
    for path, anchor in links:
        card = (month_later.site / path / "index.html").read_text(encoding="utf-8")
        assert f'<article class="dg-card" id="{anchor}"' in card
    # Titles are untrusted text: shown, never run.
    assert "Robust Attention for Hostile Inputs" in pages[old.slug]
    assert "<script>alert" not in pages[old.slug] and "onclick=" not in pages[old.slug]


@pytest.mark.parametrize(("days", "cards"), [(0, True), (40, True), (39, False), (30, False)])
def test_card_days_decide_which_issue_pages_show_cards(
    month_later: Site, tmp_path: Path, days: int, cards: bool
) -> None:
    digest = month_later.result.digest
    assert digest is not None
    write_docs(digest, month_later.root / "site_templates", 50, tmp_path, days)
    old = (tmp_path / "issues" / f"{digest.issues[-1].slug}.md").read_text(encoding="utf-8")
    assert ('class="dg-card"' in old) is cards

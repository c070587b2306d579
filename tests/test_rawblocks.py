"""Cards and keyword groups skip Markdown (digest.site.rawblocks) and come out as they went in.

The oracle is plain MkDocs: the same docs folder rendered by ``mkdocs build`` with the same
mkdocs.yml, no digest plugin, gives every page the same bytes. Links to a card's anchor are
still checked, and a block the templates misplace is a clear error, never a lost card.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import EPOCH, Site, tree_bytes
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from digest.errors import BuildError
from digest.site import read_settings, render
from digest.site.rawblocks import is_digest_block, page_chunks


def _html(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree_bytes(root).items() if k.endswith(".html")}


def _docs_copy(seed_site: Site, into: Path) -> Path:
    shutil.copytree(seed_site.docs, into)
    return into


def _plain(seed_site: Site, docs: Path, site: Path) -> dict[str, bytes]:
    """Render ``docs`` with plain MkDocs (no digest plugin); return its pages' HTML."""
    config = load_config(str(seed_site.root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site))
    mkdocs_build(config)
    return _html(site)


def test_pages_are_what_plain_mkdocs_renders(
    seed_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    docs = _docs_copy(seed_site, tmp_path / "docs")
    ours, theirs = _html(seed_site.site), _plain(seed_site, docs, tmp_path / "plain")
    assert ours.keys() == theirs.keys()
    differ = [name for name in ours if ours[name] != theirs[name]]
    assert not differ, f"digest's render differs from plain MkDocs in {differ[:5]}"
    # And the plugin took every card and keyword group the templates wrote (else this test
    # would pass with the plugin doing nothing).
    pages = [p.read_text("utf-8") for p in docs.rglob("*.md")]
    written = sum(
        t.count('<article class="dg-card"') + t.count('<div class="dg-keywords">') for t in pages
    )
    taken = sum(
        c.count('<article class="dg-card"') + c.count('<div class="dg-keywords">')
        for t in pages
        for c in page_chunks(t)
        if is_digest_block(c)
    )
    assert written > 100 and taken == written


def _render(seed_site: Site, docs: Path, site: Path) -> None:
    settings = read_settings(str(seed_site.root / "mkdocs.yml"))
    render(settings, docs, site, EPOCH)


def _a_card(docs: Path) -> tuple[str, str]:
    """A theme page and the anchor of a card on it."""
    page = sorted((docs / "themes").glob("*.md"))[1]
    anchor = re.search(r'<article class="dg-card" id="([^"]+)"', page.read_text("utf-8"))
    assert anchor is not None
    return f"themes/{page.name}", anchor.group(1)


def test_links_to_a_card_anchor_are_still_checked(
    seed_site: Site, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    docs = _docs_copy(seed_site, tmp_path / "docs")
    page, anchor = _a_card(docs)
    feeds = docs / "feeds.md"
    text = feeds.read_text("utf-8")
    feeds.write_text(text + f"\n[A card]({page}#{anchor})\n", encoding="utf-8")
    _render(seed_site, docs, tmp_path / "site")  # MkDocs knows the anchor: no warning
    feeds.write_text(text + f"\n[No card]({page}#{anchor}-gone)\n", encoding="utf-8")
    with pytest.raises(BuildError, match="strict mode"):
        _render(seed_site, docs, tmp_path / "site-2")
    assert f"does not contain an anchor '#{anchor}-gone'" in caplog.text


def test_a_card_that_markdown_would_not_keep_as_a_block_is_an_error(
    seed_site: Site, tmp_path: Path
) -> None:
    docs = _docs_copy(seed_site, tmp_path / "docs")
    page, _ = _a_card(docs)
    path = docs / page
    text = path.read_text("utf-8")
    start = text.index('<article class="dg-card"')
    end = text.index("</article>", start) + len("</article>")
    # A card between blank lines, but inside a fenced block: Markdown makes it code.
    path.write_text(f"{text[:start]}```\n\n{text[start:end]}\n\n```{text[end:]}", encoding="utf-8")
    with pytest.raises(BuildError, match=re.escape(page)):
        _render(seed_site, docs, tmp_path / "site")


def test_cards_markdown_would_rewrite_go_through_markdown(
    seed_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An indented card, and cards holding a tab or a line of spaces (which Python-Markdown
    rewrites before it parses), are left to Markdown: the page is still plain MkDocs'."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    docs = _docs_copy(seed_site, tmp_path / "docs")
    page, anchor = _a_card(docs)
    path = docs / page
    text = path.read_text("utf-8")
    starts = [m.start() + 2 for m in re.finditer('\n\n<article class="dg-card"', text)]
    assert len(starts) >= 4
    third, fourth = (text.index("\n", at) for at in starts[2:4])
    # From the end, so the earlier positions hold: a line of spaces in the fourth card, a tab
    # in the third, the second card indented.
    text = text[:fourth] + "\n   " + text[fourth:]
    text = text[:third] + "\t" + text[third:]
    text = text[: starts[1]] + " " + text[starts[1] :]
    path.write_text(text, encoding="utf-8")
    _render(seed_site, docs, tmp_path / "site")
    built = page.removesuffix(".md") + "/index.html"
    ours = (tmp_path / "site" / built).read_bytes()
    assert ours == _plain(seed_site, docs, tmp_path / "plain")[built]
    assert f'<article class="dg-card" id="{anchor}">'.encode() in ours

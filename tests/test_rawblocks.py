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


def _html(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree_bytes(root).items() if k.endswith(".html")}


def _docs_copy(seed_site: Site, into: Path) -> Path:
    shutil.copytree(seed_site.docs, into)
    return into


def test_pages_are_what_plain_mkdocs_renders(
    seed_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    docs = _docs_copy(seed_site, tmp_path / "docs")
    plain = tmp_path / "plain"
    config = load_config(
        str(seed_site.root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(plain)
    )
    mkdocs_build(config)
    ours, theirs = _html(seed_site.site), _html(plain)
    assert ours.keys() == theirs.keys()
    differ = [name for name in ours if ours[name] != theirs[name]]
    assert not differ, f"digest's render differs from plain MkDocs in {differ[:5]}"
    cards = sum(page.count(b'<article class="dg-card"') for page in ours.values())
    assert cards > 100, "the seed's pages should be full of cards"


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


def test_a_card_indented_by_a_template_goes_through_markdown(
    seed_site: Site, tmp_path: Path
) -> None:
    docs = _docs_copy(seed_site, tmp_path / "docs")
    page, anchor = _a_card(docs)
    path = docs / page
    text = path.read_text("utf-8")
    path.write_text(text.replace("\n<article ", "\n <article "), encoding="utf-8")
    _render(seed_site, docs, tmp_path / "site")
    html = (tmp_path / "site" / page.removesuffix(".md") / "index.html").read_text("utf-8")
    assert f'<article class="dg-card" id="{anchor}">' in html

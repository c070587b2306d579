"""Hand digest's own HTML blocks (paper cards, keyword groups) past Markdown untouched.

A page of cards is nearly all raw HTML. Python-Markdown and MkDocs each run the whole of it
through Python's ``html.parser`` (one to find where each block ends, one to collect its ids
for anchor checks): on a daily build of 100 papers on a 10,000-paper digest, that was 12.8 s of
30 s, for HTML that digest wrote and escaped itself and that comes out byte for byte as it went
in (bench/versus.py; tests/test_rawblocks.py). This plugin takes those blocks out before
Markdown runs, leaving a placeholder paragraph, records their ids for MkDocs' anchor checks
(``Page.present_anchor_ids``) and puts them back into the page's finished HTML.

MkDocs converts every page before it writes any, so blocks put back into ``page.content``
would all be in memory at once, the whole site's cards. They are put back as each page is
written instead, read again from its Markdown file (a hash makes sure they are the blocks that
were taken out).

Only whole blocks the templates write at the start of a line, between blank lines, are taken:
``<article class="dg-card"`` .. ``</article>`` (site_templates/_card.html.j2) and
``<div class="dg-keywords">`` .. ``</div>`` (site_templates/keywords.md.j2). Anything else,
such as a block a maintainer adds to a template, goes through Markdown as before.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from digest.errors import BuildError

#: How digest's blocks open and close: each alone between blank lines, with none inside.
_OPEN_CLOSE = (
    ('<article class="dg-card"', "\n</article>"),
    ('<div class="dg-keywords">', "\n</div>"),
)
#: Ids in digest's blocks: attributes are written with double quotes, values escaped.
_ID = re.compile(r'\sid="([^"]*)"')


@dataclass(frozen=True)
class _Held:
    """What a page's blocks were replaced by, and a hash to know them again."""

    token: str
    count: int
    sha: str
    ids: frozenset[str]


def _chunks(markdown: str) -> list[str]:
    """The page's text between blank lines: a block of digest's is one whole chunk."""
    return markdown.rstrip("\n").split("\n\n")


def _is_block(chunk: str) -> bool:
    return any(chunk.startswith(o) and chunk.endswith(c) for o, c in _OPEN_CLOSE)


def _blocks(markdown: str) -> list[str]:
    return [chunk for chunk in _chunks(markdown) if _is_block(chunk)]


def _sha(blocks: list[str]) -> str:
    return hashlib.sha256("\0".join(blocks).encode("utf-8")).hexdigest()


class RawBlocks(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Take digest's HTML blocks out of each page's Markdown, and put them back in its HTML."""

    def __init__(self) -> None:
        super().__init__()
        self._held: dict[str, _Held] = {}

    # First of the page's Markdown events: the blocks are taken from the file's own text.
    @event_priority(100)
    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        blocks = _blocks(markdown)
        if not blocks:
            return markdown
        # A token no text on the page can hold: it is a hash of that very text.
        token = "dgraw" + hashlib.sha256(markdown.encode("utf-8")).hexdigest()[:24] + "n"
        ids = frozenset(i for block in blocks for i in _ID.findall(block))
        self._held[page.file.src_uri] = _Held(token, len(blocks), _sha(blocks), ids)
        numbers = iter(range(len(blocks)))
        chunks = _chunks(markdown)
        return "\n\n".join(f"{token}{next(numbers)}" if _is_block(c) else c for c in chunks)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        held = self._held.get(page.file.src_uri)
        if held is None:
            return html
        page.present_anchor_ids = (page.present_anchor_ids or set()) | held.ids
        placeholder = re.compile(rf"<p>{held.token}(\d+)</p>")
        if sorted(int(n) for n in placeholder.findall(html)) != list(range(held.count)):
            raise BuildError(
                f"'{page.file.src_uri}': HTML blocks of cards or keywords did not come out of "
                "Markdown as paragraphs of their own; keep them at the start of a line, between "
                "blank lines, in the templates"
            )
        # As Python-Markdown writes a raw block: a blank line after it unless it ends the
        # page (the same bytes as without this plugin: tests/test_rawblocks.py).
        return placeholder.sub(lambda m: m.group(0) + ("\n" if m.end() < len(html) else ""), html)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        held = self._held.pop(page.file.src_uri, None)
        if held is None:
            return output
        assert page.file.abs_src_path is not None
        blocks = _blocks(Path(page.file.abs_src_path).read_text(encoding="utf-8-sig"))
        if _sha(blocks) != held.sha:
            raise BuildError(f"'{page.file.src_uri}' changed while MkDocs rendered it")
        return re.sub(rf"<p>{held.token}(\d+)</p>", lambda m: blocks[int(m.group(1))], output)

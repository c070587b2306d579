"""Hand digest's own HTML blocks (paper cards, keyword groups) past Markdown untouched.

A page of cards is nearly all raw HTML. Python-Markdown and MkDocs each run the whole of it
through Python's ``html.parser`` (one to find where each block ends, one to collect its ids
for anchor checks): on a daily build of 100 papers on a 10,000-paper digest, that was 12.8 s of
30 s, for HTML that digest wrote and escaped itself and that comes out byte for byte as it went
in (bench/versus.py; tests/test_rawblocks.py). This plugin takes those blocks out before
Markdown runs, leaving a placeholder paragraph, puts them back into the HTML and records their
ids for MkDocs' anchor checks (``Page.present_anchor_ids``).

Only whole blocks the templates write at the start of a line, between blank lines, are taken:
``<article class="dg-card"`` .. ``</article>`` (site_templates/_card.html.j2) and
``<div class="dg-keywords">`` .. ``</div>`` (site_templates/keywords.md.j2). Anything else,
such as a block a maintainer adds to a template, goes through Markdown as before.
"""

from __future__ import annotations

import hashlib
import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from digest.errors import BuildError

#: A card or a keyword group, alone between blank lines (or the page's ends).
_BLOCK = re.compile(
    r'(?:\A|(?<=\n\n))(?:<article class="dg-card"[^\n]*>\n.*?\n</article>'
    r'|<div class="dg-keywords">\n.*?\n</div>)(?=\n\n|\n?\Z)',
    re.DOTALL,
)
#: Ids in digest's blocks: attributes are written with double quotes, values escaped.
_ID = re.compile(r'\sid="([^"]*)"')


class RawBlocks(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Take digest's HTML blocks out of each page's Markdown, and put them back in its HTML."""

    def __init__(self) -> None:
        super().__init__()
        self._held: dict[str, tuple[str, list[str]]] = {}

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        blocks: list[str] = []
        # A token no text on the page can hold: it is a hash of that very text.
        token = "dgraw" + hashlib.sha256(markdown.encode("utf-8")).hexdigest()[:24] + "n"

        def hold(match: re.Match[str]) -> str:
            blocks.append(match.group(0))
            return f"{token}{len(blocks) - 1}"

        text = _BLOCK.sub(hold, markdown)
        if blocks:
            self._held[page.file.src_uri] = (token, blocks)
        return text

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        held = self._held.pop(page.file.src_uri, None)
        if held is None:
            return html
        token, blocks = held
        placed: set[int] = set()
        ids = page.present_anchor_ids if page.present_anchor_ids is not None else set()

        def put(match: re.Match[str]) -> str:
            number = int(match.group(1))
            placed.add(number)
            ids.update(_ID.findall(blocks[number]))
            # As Python-Markdown writes a raw block: a blank line after it, unless it ends
            # the page (the same bytes as without this plugin: tests/test_rawblocks.py).
            return blocks[number] + ("\n" if match.end() < len(html) else "")

        html = re.sub(rf"<p>{token}(\d+)</p>", put, html)
        if len(placed) != len(blocks):
            raise BuildError(
                f"'{page.file.src_uri}': {len(blocks) - len(placed)} HTML block(s) of cards or "
                "keywords did not come out of Markdown as paragraphs of their own; keep them "
                "at the start of a line, between blank lines, in the templates"
            )
        page.present_anchor_ids = ids
        return html

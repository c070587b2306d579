"""Hand digest's own HTML blocks (paper cards, keyword groups) past Markdown untouched.

A page of cards is nearly all raw HTML. Python-Markdown and MkDocs each run the whole of it
through Python's ``html.parser`` (one to find where each block ends, one to collect its ids
for anchor checks): 12.8 s of 30 s in a profile of bench/versus.py's daily build (100 papers
on 10,000), for HTML that digest wrote and escaped itself and that comes out byte for byte as
it went in (tests/test_rawblocks.py). This plugin takes those blocks out before
Markdown runs, leaving a placeholder paragraph, records their ids for MkDocs' anchor checks
(``Page.present_anchor_ids``) and puts them back into the page's finished HTML.

MkDocs converts every page before it writes any, so blocks put back into ``page.content``
would all be in memory at once, the whole site's cards. They are put back as each page is
written instead, read again from its Markdown file (a hash makes sure they are the blocks that
were taken out).

Only whole blocks the templates write at the start of a line, between blank lines, are taken:
``<article class="dg-card"`` .. ``</article>`` (site_templates/_card.html.j2),
``<div class="dg-keywords">`` .. ``</div>`` (site_templates/keywords.md.j2) and an issue's
folded cards, ``<details class="dg-fold">`` .. ``</details>`` (digest/writers/issue_pages.py).
Anything else, such as a block a maintainer adds to a template, goes through Markdown as before.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from digest.errors import BuildError

#: How digest's blocks open and close: each alone between blank lines, with none inside.
_OPEN_CLOSE = (
    ('<article class="dg-card"', "\n</article>"),
    ('<div class="dg-keywords">', "\n</div>"),
    ('<details class="dg-fold">', "\n</details>"),
)
#: What Python-Markdown rewrites before it parses (tabs, STX/ETX, CR, lines of spaces): a
#: chunk holding any of them goes through Markdown, so the output is what Markdown makes.
_REWRITTEN = ("\t", "\r", "\x02", "\x03")
_SPACES_LINE = re.compile(r"\n[ ]+(?:\n|$)")
#: Ids in digest's blocks: attributes are written with double quotes, values escaped.
_ID = re.compile(r'\sid="([^"]*)"')


@dataclass(frozen=True)
class _Held:
    """What a page's blocks were replaced by, and a hash to know them again."""

    token: str
    count: int
    sha: str
    ids: frozenset[str]

    @property
    def placeholder(self) -> re.Pattern[str]:
        """A block's placeholder paragraph in the page's HTML, with the block's number."""
        return re.compile(rf"<p>{self.token}(\d+)</p>")


def page_chunks(markdown: str) -> list[str]:
    """The page's text between blank lines: a block of digest's is one whole chunk."""
    return markdown.rstrip("\n").split("\n\n")


def is_digest_block(chunk: str) -> bool:
    """Is ``chunk`` one of digest's blocks, which Markdown would pass through unchanged?"""
    if not any(chunk.startswith(o) and chunk.endswith(c) for o, c in _OPEN_CLOSE):
        return False
    # Substring tests first: a regular expression over every card cost more than it saved.
    if any(mark in chunk for mark in _REWRITTEN):
        return False
    return "\n " not in chunk or _SPACES_LINE.search(chunk) is None


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
        chunks = page_chunks(markdown)
        taken = [is_digest_block(chunk) for chunk in chunks]
        blocks = [chunk for chunk, take in zip(chunks, taken, strict=True) if take]
        if not blocks:
            return markdown
        # A token no text on the page can hold: it is a hash of that very text.
        token = "dgraw" + hashlib.sha256(markdown.encode("utf-8")).hexdigest()[:24] + "n"
        ids = frozenset(i for block in blocks for i in _ID.findall(block))
        self._held[page.file.src_uri] = _Held(token, len(blocks), _sha(blocks), ids)
        numbers = iter(range(len(blocks)))
        texts = (
            f"{token}{next(numbers)}" if take else c for c, take in zip(chunks, taken, strict=True)
        )
        return "\n\n".join(texts)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        held = self._held.get(page.file.src_uri)
        if held is None:
            return html
        page.present_anchor_ids = (page.present_anchor_ids or set()) | held.ids
        if sorted(int(n) for n in held.placeholder.findall(html)) != list(range(held.count)):
            raise BuildError(
                f"'{page.file.src_uri}': HTML blocks of cards or keywords did not come out of "
                "Markdown as paragraphs of their own; keep them at the start of a line, between "
                "blank lines, in the templates"
            )
        # As Python-Markdown writes a raw block: a blank line after it unless it ends the
        # page (the same bytes as without this plugin: tests/test_rawblocks.py).
        return held.placeholder.sub(
            lambda m: m.group(0) + ("\n" if m.end() < len(html) else ""), html
        )

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        held = self._held.pop(page.file.src_uri, None)
        if held is None:
            return output
        # The page's Markdown as MkDocs read it (its file, front matter taken off).
        markdown, _ = get_data(page.file.content_string)
        blocks = [chunk for chunk in page_chunks(markdown) if is_digest_block(chunk)]
        if _sha(blocks) != held.sha:
            raise BuildError(f"'{page.file.src_uri}' changed while MkDocs rendered it")
        output, placed = held.placeholder.subn(lambda m: blocks[int(m.group(1))], output)
        if placed != held.count:
            raise BuildError(
                f"'{page.file.src_uri}': the theme's page template showed {placed} of its "
                f"{held.count} cards or keyword groups; it must print the page's content once"
            )
        return output

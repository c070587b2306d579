"""Render a site's pages on two cores: MkDocs converts pages one after another in one process.

Converting Markdown and filling the theme's template are most of a build's MkDocs time, and
each page's conversion is independent of the others'. :class:`SplitPages` forks the build once
MkDocs knows every file and the navigation: the forked helper renders about half of the pages
to be written, the build the other half plus everything written once (theme assets, 404 page,
sitemap, search index). The helper hands back what the build needs from its pages (search
entries, anchors, links, warnings) and exits without writing anything else; the site is the
same bytes as a one-process build (tests/test_split_render.py).

Each page is written by exactly one process. Pages in the navigation whose title comes from
their own heading are converted by both processes (their titles appear in every page's
navigation) and written by one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import traceback
from collections.abc import Callable, Collection, Mapping
from typing import IO, Any

import jinja2
import markdown
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation

from digest.errors import BuildError
from digest.forked import collect, fork_child, stop

#: Least Markdown to write (bytes) for which a second process pays off: forking and the
#: helper's share of MkDocs' fixed costs take about 50 ms.
MIN_SPLIT_BYTES = 150_000
#: The build also copies the theme, renders the 404 page and sitemap and writes the search
#: index: it takes this share of the pages' bytes less than the helper.
BUILD_HANDICAP = 0.1

_log = logging.getLogger("mkdocs.structure.pages")


def _never() -> bool:
    return False


def _always() -> bool:
    return True


def _skip(file: File) -> None:
    """Make MkDocs' dirty mode pass over ``file`` in this process (neither read nor written)."""
    file.is_modified = _never  # type: ignore[method-assign]


def split(sizes: Mapping[str, int], handicap: float = BUILD_HANDICAP) -> tuple[set[str], set[str]]:
    """Share pages between the build and its helper by size, largest first, evenly.

    Returns (the build's pages, the helper's pages); the build starts ``handicap`` of the total
    behind for the work only it does.
    """
    mine: set[str] = set()
    theirs: set[str] = set()
    load = [handicap * sum(sizes.values()), 0.0]
    for src in sorted(sizes, key=lambda s: (-sizes[s], s)):
        side = 0 if load[0] <= load[1] else 1
        (mine if side == 0 else theirs).add(src)
        load[side] += sizes[src]
    return mine, theirs


class _Capture(logging.Handler):
    """In the helper: keep warnings to hand to the build, which logs (and counts) them."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


class SplitPages(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Fork the build after the navigation is known; see the module docstring.

    Runs in MkDocs' dirty mode: a page is converted and written where its file says it is
    modified, and :func:`_skip` makes a file unmodified in the process that leaves it alone.
    """

    def __init__(
        self, min_bytes: int = MIN_SPLIT_BYTES, meanwhile: Callable[[], object] | None = None
    ) -> None:
        super().__init__()
        self.min_bytes = min_bytes
        #: The build's own work to do while the helper finishes (then set to None).
        self.meanwhile = meanwhile
        self.helper: int | None = None
        self.is_helper = False
        #: How many pages the helper rendered and handed back.
        self.helped = 0
        self.mine: set[str] = set()
        self.theirs: set[str] = set()
        #: Pages converted here for their titles only, written by the other process.
        self.title_only: list[File] = []
        #: Navigation pages converted by both processes (see on_nav).
        self.titled: set[str] = set()
        self.files: Files | None = None
        self.capture: _Capture | None = None
        self.channel: IO[bytes] | None = None
        self.env: jinja2.Environment | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Keep the theme's template environment, to compile templates once before the fork.
        get_env = config.theme.get_env

        def kept_env() -> jinja2.Environment:
            self.env = get_env()
            return self.env

        config.theme.get_env = kept_env  # type: ignore[method-assign]
        return config

    @event_priority(-100)  # After every plugin that changes the navigation.
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.files = files
        pages = files.documentation_pages(inclusion=InclusionLevel.is_included)
        todo = [f for f in pages if f.is_modified()]
        # Navigation pages titled by their own heading: every page's navigation shows it.
        titled = {p.file.src_uri for p in nav.pages if "title" not in vars(p)}
        sizes = {f.src_uri: os.path.getsize(f.abs_src_path or "") for f in todo}
        if sum(sizes.values()) >= self.min_bytes and len(todo) >= 2 and hasattr(os, "fork"):
            self.mine, self.theirs = split(sizes)
            self.titled = titled
            self._warm_up(config, nav, files)
            self._fork(config)
        own = self.theirs if self.is_helper else self.mine if self.helper else set(sizes)
        for file in pages:
            if file.src_uri in own:
                file.is_modified = _always  # type: ignore[method-assign]
            elif file.src_uri in titled:
                # Converted for its title; written by the other process, or kept as published.
                self.title_only.append(file)
                file.is_modified = _always  # type: ignore[method-assign]
            else:
                _skip(file)
        return nav

    def _warm_up(self, config: MkDocsConfig, nav: Navigation, files: Files) -> None:
        """Load Markdown's extensions and compile the theme's templates once, here, rather
        than in each process after the fork (about a tenth of a second each)."""
        extensions = config.markdown_extensions
        md = markdown.Markdown(extensions=extensions, extension_configs=config.mdx_configs)
        md.convert("# Warm\n\nSome *text*, `code`, $x$ and a [link](#warm).\n")
        if self.env is not None:
            from mkdocs.commands.build import get_context

            context = get_context(nav, files, config, base_url="/")
            with contextlib.suppress(Exception):  # Only a warm-up: MkDocs reports real errors.
                self.env.get_template("main.html").render(context)

    def _fork(self, config: MkDocsConfig) -> None:
        # Closed by _wait (the build) or left to os._exit (the helper).
        self.channel = tempfile.TemporaryFile()  # noqa: SIM115
        pid = fork_child()  # The helper is deaf to Ctrl-C: it cannot unwind into the build's code.
        self.is_helper = pid == 0
        if self.is_helper:
            self._become_helper(config)
        else:
            self.helper = pid

    def _become_helper(self, config: MkDocsConfig) -> None:
        self.capture = _Capture()
        # Everything the helper logs reaches the build (which prints and counts it) once.
        logging.getLogger().handlers = [self.capture]
        for name in ("mkdocs", "markdown", "MARKDOWN"):
            logging.getLogger(name).handlers = []
            logging.getLogger(name).propagate = True
        # Written once, by the build: theme assets, 404 page, sitemap, extra templates.
        assert self.files is not None
        for file in self.files:
            if not file.is_documentation_page():
                _skip(file)
        config.theme.static_templates.clear()
        config.extra_templates.clear()

    @event_priority(100)
    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        # Titles are known now; the other process writes these pages and checks their links.
        for file in self.title_only:
            _skip(file)
            if file.page is not None:
                file.page.links_to_anchors = None
        return env

    @event_priority(200)  # Before any plugin's post-build work, the search index's included.
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.is_helper:
            self._hand_back(config)
        elif self.helper is not None:
            self._take_back(config)

    def on_build_error(self, *, error: Exception) -> None:
        if self.is_helper:
            self.leave_helper(error)

    def _hand_back(self, config: MkDocsConfig) -> None:
        assert self.files is not None and self.channel is not None and self.capture is not None
        index = search_index(config)
        pages = [self.files.get_file_from_path(src) for src in sorted(self.theirs)]
        result = {
            "search": entries(index) if index is not None else None,
            "anchors": {
                f.src_uri: sorted(f.page.present_anchor_ids or ())
                for f in pages
                if f is not None and f.page is not None
            },
            "links": {
                f.src_uri: {
                    target.src_uri: anchors
                    for target, anchors in (f.page.links_to_anchors or {}).items()
                }
                for f in pages
                if f is not None and f.page is not None
            },
            "warnings": self.capture.records,
        }
        self.channel.write(json.dumps(result).encode("utf-8"))
        self.channel.flush()
        os._exit(0)

    def leave_helper(self, error: BaseException | None = None) -> None:
        """End the helper process: its work is done, or failed with ``error``."""
        if not self.is_helper:
            return
        try:
            if self.channel is not None:
                problem = "".join(traceback.format_exception_only(error)) if error else "exited"
                self.channel.write(json.dumps({"error": problem.strip()}).encode("utf-8"))
                self.channel.flush()
        finally:
            os._exit(1)

    def _take_back(self, config: MkDocsConfig) -> None:
        if self.meanwhile is not None:
            work, self.meanwhile = self.meanwhile, None
            work()
        result = self._wait()
        self.helped = len(self.theirs)
        for name, level, message in result["warnings"]:
            logging.getLogger(name).log(level, "%s", message)
        assert self.files is not None
        theirs = {src: self.files.get_file_from_path(src) for src in self.theirs}
        for src, anchors in result["anchors"].items():
            file = theirs.get(src)
            if file is not None and file.page is not None:
                file.page.present_anchor_ids = set(anchors)
        level = config.validation.links.anchors
        # Each process checked the links between pages it converted: check the rest.
        self._check_links_into(self.theirs - self.titled, self._my_links(), level)
        self._check_links_into(self.mine - self.titled, result["links"], level)
        index = search_index(config)
        if index is not None and result["search"] is not None:
            # In the order of a one-process build: the pages' order.
            found = by_page(entries(index) + result["search"])
            set_entries(
                index,
                [
                    entry
                    for file in self.files.documentation_pages(inclusion=InclusionLevel.is_included)
                    if file.page is not None
                    for entry in found.get(file.page.url, ())
                ],
            )

    def _my_links(self) -> dict[str, dict[str, dict[str, str]]]:
        assert self.files is not None
        links = {}
        for src in self.mine:
            file = self.files.get_file_from_path(src)
            if file is not None and file.page is not None and file.page.links_to_anchors:
                links[src] = {t.src_uri: a for t, a in file.page.links_to_anchors.items()}
        return links

    def _check_links_into(
        self,
        targets: Collection[str],
        links: Mapping[str, Mapping[str, Mapping[str, str]]],
        level: int,
    ) -> None:
        """Check the anchors of links into ``targets``, which the other process rendered, as
        MkDocs checks links between pages of one process (same message, same level)."""
        assert self.files is not None
        for src in sorted(links):
            for target, anchors in links[src].items():
                if target not in targets or target == src:
                    continue
                file = self.files.get_file_from_path(target)
                present = file.page.present_anchor_ids if file and file.page else None
                if present is None:
                    continue
                for anchor, original in anchors.items():
                    if anchor not in present:
                        _log.log(
                            level,
                            f"Doc file '{src}' contains a link '{original}', but the doc "
                            f"'{target}' does not contain an anchor '#{anchor}'.",
                        )

    def _wait(self) -> dict[str, Any]:
        assert self.helper is not None and self.channel is not None
        code, data = collect(self.helper, self.channel)
        self.helper = None
        try:
            result = json.loads(data) if data else {}
        except ValueError:
            result = {}
        if code != 0 or "error" in result or not result:
            problem = result.get("error") or f"status {code}"
            raise BuildError(f"MkDocs failed to render pages in its helper process: {problem}")
        return result

    def abandon(self) -> None:
        """Stop the helper if the build failed before taking its pages back."""
        if self.helper is not None:
            stop(self.helper)
            self.helper = None
        if self.channel is not None and not self.is_helper:
            self.channel.close()


def by_page(entries: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Group search entries by the page they belong to (their location without the anchor)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        grouped.setdefault(str(entry["location"]).split("#", 1)[0], []).append(entry)
    return grouped


def search_index(config: MkDocsConfig) -> Any:
    """Return the search plugin's index (Material's or MkDocs'), or None without search."""
    for plugin in config.plugins.values():
        index = getattr(plugin, "search_index", None)
        if index is not None and _entries_name(index) is not None:
            return index
    return None


def _entries_name(index: Any) -> str | None:
    # Material's index keeps its entries in ``entries``, MkDocs' own in ``_entries``.
    for name in ("entries", "_entries"):
        if isinstance(getattr(index, name, None), list):
            return name
    return None


def entries(index: Any) -> list[dict[str, Any]]:
    """Return a search index's entries (see :func:`search_index`)."""
    return list(getattr(index, _entries_name(index) or "entries"))


def set_entries(index: Any, value: list[dict[str, Any]]) -> None:
    """Replace a search index's entries (see :func:`search_index`)."""
    setattr(index, _entries_name(index) or "entries", value)

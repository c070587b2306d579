"""The only package that drives MkDocs: load its config, build a docs folder into a site.

MkDocs renders every page on every build. A daily build of a large digest changes a few pages
and leaves most alone (older issues, quiet themes), so :func:`render` keeps the published HTML of
every page whose Markdown, links and rendering setup are unchanged: the built site records, in
:data:`MANIFEST`, a hash of the Markdown each page came from. Kept pages are hard-linked into
the new site and MkDocs (in its "dirty" mode) skips them, so an incremental build writes the
same bytes as a full one (tests/test_incremental_render.py).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.config import load_config as mkdocs_load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils.yaml import yaml_load

from digest import __version__
from digest.diagnostics import log
from digest.errors import BuildError, ConfigError
from digest.site.rawblocks import RawBlocks

#: In every built site: for each page, the hash of its Markdown and the pages it links to.
MANIFEST = ".digest-pages.json"
#: Packages whose output is in the HTML: a new version re-renders every page.
_RENDERERS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions")
#: Markdown link targets of the pages digest writes: ``](path.md#anchor)``.
_LINK = re.compile(r"\]\(([^)\s#]+)")

_PACKAGE = Path(__file__).resolve().parent.parent
BUNDLE = _PACKAGE / "bundle"


@dataclass(frozen=True)
class SiteSettings:
    """What digest needs to know from mkdocs.yml: where things go and the public URL."""

    config_file: Path
    #: True when no mkdocs.yml was found and digest's bundled default is used.
    bundled: bool
    docs_dir: Path
    site_dir: Path
    site_url: str
    site_name: str


def find_config(name: str) -> tuple[Path, bool]:
    """Return the MkDocs config to use and whether it is the bundled default."""
    path = Path(name)
    if path.is_file():
        return path, False
    if name != "mkdocs.yml":
        raise ConfigError(f"MkDocs config file '{name}' does not exist")
    for candidate in (BUNDLE / "mkdocs.yml", _PACKAGE.parent / "mkdocs.yml"):
        if candidate.is_file():
            return candidate, True
    raise ConfigError("No mkdocs.yml here and no bundled default: reinstall digest")


def read_settings(config_name: str, site_dir: str = "") -> SiteSettings:
    """Read docs_dir, site_dir and site_url; a missing site_url is a configuration error.

    With the bundled config, the docs and site folders go under the current directory, never
    into the installed package.
    """
    config_file, bundled = find_config(config_name)
    with config_file.open("rb") as handle:
        raw = yaml_load(handle) or {}
    # MkDocs refuses a docs_dir that does not exist yet; digest creates it, so check it later.
    with tempfile.TemporaryDirectory() as placeholder:
        config = _load(config_file, docs_dir=placeholder)
    base = Path.cwd() if bundled else config_file.parent
    docs = base / ("build/docs" if bundled else raw.get("docs_dir", "docs"))
    site = (
        Path(site_dir) if site_dir else base / ("site" if bundled else raw.get("site_dir", "site"))
    )
    url = config["site_url"]
    if not url:
        raise ConfigError(
            f"'{config_file}' has no site_url: feeds need absolute links, so set site_url "
            "to the address the site is published at"
        )
    name = config["site_name"]
    return SiteSettings(config_file, bundled, docs.absolute(), site.absolute(), url, name)


#: Domains reserved for examples (RFC 2606): a site_url there was never set by its owner.
_PLACEHOLDER_DOMAINS = ("example.org", "example.com", "example.net")


def is_placeholder_url(url: str) -> bool:
    """Is ``url`` on a domain reserved for examples, as the bundled mkdocs.yml's is?"""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host.endswith(".example") or host == "example":
        return True
    return any(host == d or host.endswith("." + d) for d in _PLACEHOLDER_DOMAINS)


def warn_placeholder_url(settings: SiteSettings) -> None:
    """Warn (once a build) that feeds, the sitemap and emails will point at a placeholder."""
    if is_placeholder_url(settings.site_url):
        where = "a mkdocs.yml in this folder" if settings.bundled else f"'{settings.config_file}'"
        log.warning(
            "Set site_url in %s to the address the site is published at: feeds and links "
            "say '%s', a placeholder",
            where,
            settings.site_url,
        )


def _load(config_file: Path, **overrides: Any) -> MkDocsConfig:
    try:
        with _quiet_mkdocs():
            return mkdocs_load_config(str(config_file), **overrides)
    except (ConfigurationError, Abort) as exc:
        raise ConfigError(f"Invalid MkDocs config '{config_file}': {exc}") from exc


@dataclass(frozen=True)
class RenderReport:
    """How many pages MkDocs rendered, and how many were kept from the published site."""

    rendered: int
    kept: int


def render(
    settings: SiteSettings,
    docs_dir: Path,
    site_dir: Path,
    epoch: int,
    published: Path | None = None,
    inputs: str = "",
) -> RenderReport:
    """Build ``docs_dir`` into ``site_dir`` with ``--strict``, dated ``epoch`` (not the clock).

    With ``published`` (the live site), pages unchanged since it was built are kept from it
    instead of rendered again. ``site_dir`` must be a new empty folder: kept pages are hard
    links to the published files, which nothing here ever writes to. ``inputs`` (a hash of
    what the build was made from) is recorded in the manifest (see :func:`built_from`).
    """
    with _source_date_epoch(epoch):
        config = _load(
            settings.config_file, docs_dir=str(docs_dir), site_dir=str(site_dir), strict=True
        )
        _nav_for_you(config, docs_dir)
        stamp = _render_stamp(config)
        files = sorted(
            p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*") if p.is_file()
        )
        known = _published_pages(published, stamp) if published else {}
        pages = _page_records(docs_dir, [f for f in files if f.endswith(".md")], known)
        keep = _keepable(known, pages, set(files))
        keeper = _KeepPages(published, keep) if published and keep else None
        if keeper is not None:
            config.plugins["digest/keep-pages"] = keeper
        config.plugins["digest/raw-blocks"] = RawBlocks()
        config.plugins["digest/release-markdown"] = _ReleaseMarkdown()
        from mkdocs.commands.build import build as mkdocs_build

        try:
            with _quiet_mkdocs():
                # Dirty mode: a page is rendered where its file says it is modified, which
                # keeping decides (site_dir is new, so nothing else differs).
                mkdocs_build(config, dirty=True)
        except (Abort, MkDocsException) as exc:
            raise BuildError(f"MkDocs failed to build the site: {exc}") from exc
    kept = keeper.kept if keeper else set()
    records = {src: (keep[src] if src in kept else record) for src, record in pages.items()}
    manifest = {
        "stamp": stamp,
        "inputs": inputs,
        "pages": {k: records[k].as_json() for k in sorted(records)},
    }
    (site_dir / MANIFEST).write_text(
        json.dumps(manifest, sort_keys=True, separators=(",", ":")), encoding="utf-8"
    )
    return RenderReport(len(pages) - len(kept), len(kept))


#: The "For you" page, listed in the nav after the first entry when digest wrote it.
FOR_YOU = ("For you", "for-you.md")


def _nav_for_you(config: MkDocsConfig, docs_dir: Path) -> None:
    """List the "For you" page in an explicit nav that lacks it, when the build wrote it.

    It exists only for a reader with interests, so mkdocs.yml cannot list it (MkDocs fails on
    a nav entry without its page); the stamp hashes the nav, so adding it renders every page.
    """
    nav = config.nav
    title, page = FOR_YOU
    if not nav or not (docs_dir / page).is_file() or page in repr(nav):
        return
    config["nav"] = [nav[0], {title: page}, *nav[1:]]


def built_from(site_dir: Path) -> str | None:
    """Return the inputs hash the site at ``site_dir`` was built from (None if unknown)."""
    try:
        found = json.loads((site_dir / MANIFEST).read_bytes()).get("inputs")
    except (OSError, ValueError, AttributeError):
        return None
    return found if isinstance(found, str) and found else None


@dataclass(frozen=True)
class _PageRecord:
    """What a page's HTML was rendered from: its Markdown's hash and the pages it links to."""

    sha: str
    links: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"sha": self.sha, "links": list(self.links)}


def _page_records(
    docs_dir: Path, sources: list[str], known: Mapping[str, _PageRecord]
) -> dict[str, _PageRecord]:
    """Hash each Markdown page ``sources`` of ``docs_dir`` and list the files it links to.

    A page with the hash of its ``known`` record (the published one) has its links.
    """
    records = {}
    for src in sources:
        data = (docs_dir / src).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if src in known and known[src].sha == sha:
            records[src] = known[src]
            continue
        here = posixpath.dirname(src)
        links = set()
        for target in _LINK.findall(data.decode("utf-8", "replace")):
            if ":" not in target and not target.startswith("/"):
                links.add(posixpath.normpath(posixpath.join(here, target)))
        records[src] = _PageRecord(sha, tuple(sorted(links)))
    return records


def _render_stamp(config: MkDocsConfig) -> str:
    """Hash what every page's HTML depends on besides its Markdown: config, theme, versions."""
    h = hashlib.sha256(f"digest {__version__}\n".encode())
    for name in _RENDERERS:
        try:
            h.update(f"{name} {importlib.metadata.version(name)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{name} -\n".encode())
    h.update(Path(config.config_file_path).read_bytes())
    h.update(repr(config.nav).encode())
    h.update(str(config.site_url).encode())
    custom = config.theme.custom_dir
    if custom:
        root = Path(custom)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _published_pages(published: Path, stamp: str) -> dict[str, _PageRecord]:
    """Return the published site's page records, if it was rendered with the same stamp."""
    try:
        manifest = json.loads((published / MANIFEST).read_bytes())
        if manifest.get("stamp") != stamp:
            return {}
        return {
            src: _PageRecord(str(r["sha"]), tuple(str(x) for x in r["links"]))
            for src, r in manifest["pages"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _keepable(
    old: Mapping[str, _PageRecord], pages: Mapping[str, _PageRecord], files: set[str]
) -> dict[str, _PageRecord]:
    """Return the pages whose published HTML a build may keep.

    A page is kept when it was rendered from the same Markdown and every file it links to
    (``files``: all of the new docs) still exists.
    """
    return {
        src: old[src]
        for src, record in pages.items()
        if src in old
        and old[src].sha == record.sha
        and all(target in files for target in record.links)
    }


class _KeepPages(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Put kept pages' published HTML into the new site, where MkDocs' dirty mode skips them."""

    def __init__(self, published: Path, keep: Mapping[str, _PageRecord]) -> None:
        super().__init__()
        self.published = published
        self.keep = keep
        self.kept: set[str] = set()

    @event_priority(-100)  # After any plugin that adds or removes files.
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        for file in files.documentation_pages():
            if file.src_uri not in self.keep:
                continue
            old = self.published / file.dest_uri
            if not old.is_file():
                continue
            dest = Path(file.abs_dest_path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(old, dest)
            except OSError:
                shutil.copy2(old, dest)
            # MkDocs' dirty mode skips a page whose output is newer than its source: this one.
            assert file.abs_src_path is not None
            os.utime(file.abs_src_path, (0, 0))
            self.kept.add(file.src_uri)
        return files


class _ReleaseMarkdown(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Drop each page's Markdown once it is HTML: MkDocs converts every page before it writes
    any, and holding all the Markdown besides all the HTML was a third of a 20,000-paper
    build's peak memory (bench/scale.py)."""

    @event_priority(-100)  # After every plugin that reads the Markdown.
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Not None: MkDocs reads a page without Markdown as untitled (Page.title).
        page.markdown = ""
        return html


@contextmanager
def _source_date_epoch(epoch: int) -> Iterator[None]:
    # MkDocs dates the sitemap from SOURCE_DATE_EPOCH, else the clock.
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _not_dirty_warning(record: logging.LogRecord) -> bool:
    # MkDocs warns that a dirty build may have stale navigation; ours keeps only pages whose
    # every input is unchanged, and the warning would fail the build under --strict.
    return "'dirty' build" not in record.getMessage()


@contextmanager
def _quiet_mkdocs() -> Iterator[None]:
    """Keep MkDocs' INFO chatter out of digest's output; its warnings still show."""
    logger = logging.getLogger("mkdocs")
    build_logger = logging.getLogger("mkdocs.commands.build")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    build_logger.addFilter(_not_dirty_warning)
    try:
        yield
    finally:
        logger.setLevel(level)
        build_logger.removeFilter(_not_dirty_warning)

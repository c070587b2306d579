"""The only module that drives MkDocs: load its config, build a docs folder into a site."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config as mkdocs_load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException
from mkdocs.utils.yaml import yaml_load

from digest.errors import BuildError, ConfigError

BUNDLE = Path(__file__).parent / "bundle"


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
    for candidate in (BUNDLE / "mkdocs.yml", Path(__file__).parent.parent / "mkdocs.yml"):
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


def _load(config_file: Path, **overrides: Any) -> MkDocsConfig:
    try:
        with _quiet_mkdocs():
            return mkdocs_load_config(str(config_file), **overrides)
    except (ConfigurationError, Abort) as exc:
        raise ConfigError(f"Invalid MkDocs config '{config_file}': {exc}") from exc


def render(settings: SiteSettings, docs_dir: Path, site_dir: Path, epoch: int) -> None:
    """Build ``docs_dir`` into ``site_dir`` with ``--strict``, dated ``epoch`` (not the clock)."""
    with _source_date_epoch(epoch):
        config = _load(
            settings.config_file, docs_dir=str(docs_dir), site_dir=str(site_dir), strict=True
        )
        try:
            with _quiet_mkdocs():
                mkdocs_build(config)
        except (Abort, MkDocsException) as exc:
            raise BuildError(f"MkDocs failed to build the site: {exc}") from exc


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


@contextmanager
def _quiet_mkdocs() -> Iterator[None]:
    """Keep MkDocs' INFO chatter out of digest's output; its warnings still show."""
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)

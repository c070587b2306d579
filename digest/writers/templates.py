"""Where the page templates are: a small module, as a build reads it before deciding to write
anything (its fingerprint hashes the templates) and the email command reads it too."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from digest.errors import BuildError


def templates_dir(configured: str) -> Path:
    """Return the page templates: the configured folder, ./site_templates, or the bundled."""
    if configured:
        return Path(configured)
    package = Path(str(files("digest")))
    for candidate in (
        Path("site_templates"),
        package / "bundle" / "site_templates",
        package.parent / "site_templates",
    ):
        if (candidate / "theme.md.j2").is_file():
            return candidate
    raise BuildError("No page templates found: reinstall digest or set templates_dir")

"""Say where a Jinja2 template failed: jinja2's errors are no DigestError.

StrictUndefined makes a misspelt name in a customised template fail; without this, the failure
would end ``digest build`` or ``digest email`` in a traceback instead of a message naming the
template file and line.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

from jinja2 import TemplateError

from digest.errors import BuildError


def template_failure(exc: TemplateError, templates: Path, name: str, kind: str) -> BuildError:
    """Return the BuildError for ``exc``, raised rendering template ``name`` of ``templates``."""
    where = _template_line(exc, templates) or f"'{templates / name}'"
    return BuildError(f"Cannot render the {kind} template {where}: {exc}")


def _template_line(exc: TemplateError, templates: Path) -> str | None:
    """Return "'file', line N" of the innermost template frame of ``exc``, if there is one.

    jinja2 rewrites tracebacks so that template code shows as frames of the template's file.
    """
    folder = os.path.normpath(templates)
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if os.path.dirname(os.path.normpath(frame.filename)) == folder and frame.lineno:
            return f"'{frame.filename}', line {frame.lineno}"
    return None

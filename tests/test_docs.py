"""README shows every command's help and every option, generated from the code itself.

After changing a flag or an option, regenerate with ``python tests/test_docs.py`` and review.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from pathlib import Path

from digest.cli import main
from digest.config import describe_options

README = Path(__file__).resolve().parent.parent / "README.md"


def _help(command: str | None) -> str:
    out = io.StringIO()
    args = [command, "--help"] if command else ["--help"]
    # argparse wraps help to the terminal's width: fix it so the README does not depend on it.
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            main(args)
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    text = out.getvalue().rstrip()
    name = f"digest {command}" if command else "digest"
    return f"```text\n$ {name} --help\n{text}\n```"


def _options() -> str:
    rows = [f"| `{o}` | `{d}` | {doc} |" for o, d, doc in describe_options()]
    return "\n".join(["| option | default | meaning |", "|---|---|---|", *rows])


def sections() -> dict[str, str]:
    blocks = {f"help:{c or 'main'}": _help(c) for c in (None, "build", "serve", "fetch", "email")}
    blocks["options-table"] = _options()
    return blocks


def render(text: str) -> str:
    for name, body in sections().items():
        pattern = re.compile(rf"(<!-- {name} -->\n).*?(<!-- /{name} -->)", re.DOTALL)
        text = pattern.sub(lambda m, b=body: f"{m.group(1)}{b}\n{m.group(2)}", text)
    return text


def test_readme_shows_current_help_and_options() -> None:
    text = README.read_text(encoding="utf-8")
    for name in sections():
        assert f"<!-- {name} -->" in text, name
    assert render(text) == text, "README is out of date: run python tests/test_docs.py"


if __name__ == "__main__":
    sys.path.insert(0, str(README.parent))
    README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")

"""Vendor KaTeX into the theme, so that built sites render math with no network access.

Run after changing VERSION (needs npm, which fetches from the npm registry and checks the
package's integrity); commit the result:

    python tools/vendor_katex.py

It keeps what a browser needs: katex.min.js, katex.min.css with its fonts reduced to WOFF2
(every browser that runs Material reads it), and KaTeX's licence. MkDocs copies the theme's
``assets/`` into every site; nothing is fetched when a site is built.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "0.19.1"
TARGET = Path(__file__).resolve().parent.parent / "site_templates" / "theme" / "assets" / "katex"
# Each @font-face lists woff2, woff and ttf; only the woff2 files are shipped.
_OTHER_FONTS = re.compile(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"katex@{VERSION}", "--pack-destination", tmp, "--silent"],
            check=True,
        )
        (tarball,) = Path(tmp).glob("katex-*.tgz")
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        dist = Path(tmp) / "package" / "dist"
        shutil.rmtree(TARGET, ignore_errors=True)
        (TARGET / "fonts").mkdir(parents=True)
        css = (dist / "katex.min.css").read_text(encoding="utf-8")
        (TARGET / "katex.min.css").write_text(_OTHER_FONTS.sub("", css), encoding="utf-8")
        shutil.copy(dist / "katex.min.js", TARGET / "katex.min.js")
        shutil.copy(Path(tmp) / "package" / "LICENSE", TARGET / "LICENSE")
        for font in sorted((dist / "fonts").glob("*.woff2")):
            shutil.copy(font, TARGET / "fonts" / font.name)
    (TARGET / "VERSION").write_text(VERSION + "\n", encoding="utf-8")
    print(f"KaTeX {VERSION} vendored into {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

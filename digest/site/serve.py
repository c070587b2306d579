"""``digest serve``: a local static server for the built site (for previewing, not hosting).

The site is served at the path of its ``site_url`` (``/digest/`` for
``https://example.org/digest/``), as a static host would: the 404 page links to the site's
assets by that path, and so does nothing else break that works once published.
"""

from __future__ import annotations

import functools
import http.server
from pathlib import Path
from typing import Any

from digest.errors import BuildError

NOT_FOUND = "404.html"


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serve the site under ``base``; answer a missing page with the site's own 404 page."""

    def __init__(self, *args: Any, base: str, **kwargs: Any) -> None:
        self.base = base
        super().__init__(*args, **kwargs)

    def translate_path(self, path: str) -> str:
        # Outside the site's path nothing is served (so the 404 page answers).
        if not path.startswith(self.base):
            return str(Path(self.directory) / ".missing")
        return super().translate_path("/" + path.removeprefix(self.base))

    def do_GET(self) -> None:
        if self.path in ("/", ""):
            self.send_response(302)
            self.send_header("Location", self.base)
            self.end_headers()
            return
        super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / NOT_FOUND
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve(site_dir: Path, bind: str, port: int, base: str = "/") -> None:
    """Serve ``site_dir`` at ``http://bind:port{base}`` until interrupted."""
    if not (site_dir / "index.html").is_file():
        raise BuildError(f"No site at '{site_dir}': run 'digest build' first")
    base = "/" + base.strip("/") + "/" if base.strip("/") else "/"
    handler = functools.partial(_SiteHandler, directory=str(site_dir), base=base)
    with http.server.ThreadingHTTPServer((bind, port), handler) as server:
        print(f"Serving '{site_dir}' at http://{bind}:{port}{base} (Ctrl-C to stop)")
        server.serve_forever()

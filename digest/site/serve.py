"""``digest serve``: a local static server for the built site (for previewing, not hosting)."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

from digest.errors import BuildError


def serve(site_dir: Path, bind: str, port: int) -> None:
    """Serve ``site_dir`` until interrupted."""
    if not (site_dir / "index.html").is_file():
        raise BuildError(f"No site at '{site_dir}': run 'digest build' first")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    with http.server.ThreadingHTTPServer((bind, port), handler) as server:
        print(f"Serving '{site_dir}' at http://{bind}:{port}/ (Ctrl-C to stop)")
        server.serve_forever()

"""Read back the records of a built site's search index, as the search page's Pagefind gets them.

digest indexes one record per paper and per theme with Pagefind (digest/site/search.py), in
buckets listed in ``pagefind/buckets.json``. Pagefind keeps each record's text and metadata in a
``fragment/*.pf_fragment`` file of its bucket: gzip around ``pagefind_dcd`` and a JSON object
(``url``, ``content``, ``meta``: ``title``, ``kind``, ``href``, ``date``). pagefind-bin is pinned
in pyproject.toml, so this format only changes with a deliberate upgrade.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


def buckets(site: Path) -> list[str]:
    """Return the names of the site's search buckets, as the search page loads them."""
    listing = json.loads((site / "pagefind" / "buckets.json").read_bytes())
    names = listing["buckets"]
    assert names == sorted(names) and set(names) == set(listing["hashes"])
    return [str(n) for n in names]


def search_records(site: Path) -> dict[str, list[dict[str, Any]]]:
    """Return every record of the site's search index by bucket, in file name order."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name in buckets(site):
        records = []
        for path in sorted((site / "pagefind" / name / "fragment").glob("*.pf_fragment")):
            data = gzip.decompress(path.read_bytes())
            assert data.startswith(SIGNATURE), path
            records.append(json.loads(data[len(SIGNATURE) :]))
        found[name] = records
    return found

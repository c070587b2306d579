"""What a build keeps (:mod:`.kept`, plain text in the repository) and what it caches
(:mod:`.cache`, a folder it can lose), and the one-time conversion of digest 0.1's store."""

from __future__ import annotations

from pathlib import Path

from digest.errors import StateError
from digest.state.cache import Cache
from digest.state.kept import KeptGrouping, State, Upsert, open_state
from digest.state.legacy import read_store
from digest.state.records import StoredPaper

__all__ = [
    "Cache",
    "KeptGrouping",
    "State",
    "StoredPaper",
    "Upsert",
    "convert_store",
    "open_state",
]

#: The grouping settings recorded for a converted store: never today's, so the first build
#: regroups (keeping every published theme's slug and name where its papers stay together).
CONVERTED = "converted-from-digest-0.1"


def convert_store(store: Path, root: Path) -> str:
    """Start the state folder ``root`` from digest 0.1's SQLite ``store``; return what was done.

    Papers keep their first-seen dates (so no paper is announced again) and the published
    themes their slugs and names.
    """
    if not store.is_file():
        raise StateError(f"There is no store '{store}' to convert")
    legacy = read_store(store)
    with open_state(root, create=True) as state:
        if state.papers:
            raise StateError(f"The state folder '{root}' is not empty: not converting '{store}'")
        for stored in legacy.papers:
            state.upsert([stored.paper], stored.first_seen)
        if legacy.themes and legacy.papers:
            placed = {k: v for k, v in legacy.placed.items() if k in state.papers}
            for theme in legacy.themes:
                for key in theme.paper_keys:
                    placed.setdefault(key, (theme.slug,))
            date = max(s.first_seen for s in legacy.papers).date().isoformat()
            themes = [t for t in legacy.themes if all(k in placed for k in t.paper_keys)]
            state.regrouped(date, len(legacy.papers), CONVERTED, themes, placed)
        state.commit()
    return (
        f"Converted the store '{store}' ({len(legacy.papers)} papers, {len(legacy.themes)} "
        f"themes) into the state folder '{root}', which digest keeps from now on: commit it, "
        f"and delete '{store}' once you no longer need it"
    )

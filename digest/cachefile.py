"""Build caches kept between Pelican builds (plugins' pickles), in one place.

Several plugins keep a pickle in CACHE_PATH; each must survive a missing, truncated or
foreign file (a cache is only ever an optimisation) and must never leave half a file behind
when a build is killed — so they all load and save through these two functions.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from digest.store import write_atomic

_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError, KeyError)


def load_cache(path: Path) -> dict[str, Any]:
    """The cached mapping, or ``{}`` when there is none or it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = pickle.load(handle)
    except _UNREADABLE:
        return {}
    return data if isinstance(data, dict) else {}


def save_cache(path: Path, data: dict[str, Any], protocol: int = pickle.DEFAULT_PROTOCOL) -> None:
    """Write the mapping atomically (temporary file + rename, the folder made if missing)."""
    write_atomic(path, pickle.dumps(data, protocol=protocol))

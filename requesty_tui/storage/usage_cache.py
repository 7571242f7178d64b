"""The last account figures fetched (spend per day, the month's spend), for when the network
is gone: the account screen and ``usage`` show them with their time instead of nothing.

One small JSON file in the cache folder; entries are named by a hash of the management host
and the key (never the key itself), the period and the grouping.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from requesty_tui.storage import paths
from requesty_tui.storage.atomic import write_atomic

MAX_ENTRIES = 24
"""Entries kept (2 periods x 3 groupings for a few keys): the file stays a few KB."""


def entry_name(host: str, key: str, days: int, group_by: str) -> str:
    digest = hashlib.sha256(f"{host}\0{key}".encode()).hexdigest()[:16]
    return f"{digest}:{days}:{group_by}"


def _path() -> Path:
    return paths.cache_dir() / "usage.json"


def _read() -> dict[str, Any]:
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load(name: str) -> dict[str, Any] | None:
    """What was saved under ``name`` (``fetched_at``, ``today``, ``payload``, ``spend``)."""
    entry = _read().get(name)
    return entry if isinstance(entry, dict) else None


def save(name: str, entry: dict[str, Any]) -> None:
    """Keep ``entry`` under ``name`` (the oldest entries go beyond :data:`MAX_ENTRIES`);
    OSError when the cache folder cannot be written (the caller may ignore it)."""
    data = _read()
    data.pop(name, None)
    data[name] = entry
    while len(data) > MAX_ENTRIES:
        data.pop(next(iter(data)))
    write_atomic(_path(), json.dumps(data))

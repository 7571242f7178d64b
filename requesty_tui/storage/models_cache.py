"""The router's model list cached on disk, so the picker opens at once and works offline.

One file per base URL: someone who switches between two servers keeps both lists.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from requesty_tui.core.domain import ModelInfo
from requesty_tui.storage import paths
from requesty_tui.storage.atomic import write_atomic


@dataclass(frozen=True, slots=True)
class CachedModels:
    models: list[ModelInfo]
    fetched_at: float
    """Unix time of the fetch."""
    base_url: str


def _cache_file(base_url: str) -> Path:
    digest = hashlib.sha256(base_url.encode("utf-8")).hexdigest()[:16]
    return paths.cache_dir() / "models" / f"{digest}.json"


def load_cached_models(base_url: str) -> CachedModels | None:
    """The cached list for this base URL, or None (missing, damaged, other router)."""
    try:
        with open(_cache_file(base_url), encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("base_url") != base_url:
            return None
        models = [
            ModelInfo.from_api(m)
            for m in data["models"]
            if isinstance(m, dict) and isinstance(m.get("id"), str)
        ]
        return CachedModels(models, float(data["fetched_at"]), base_url)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_models(base_url: str, models: list[ModelInfo]) -> None:
    payload = {
        "base_url": base_url,
        "fetched_at": time.time(),
        "models": [m.to_api() for m in models],
    }
    write_atomic(_cache_file(base_url), json.dumps(payload))

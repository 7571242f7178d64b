"""The router's model list cached on disk, so the picker opens at once and works offline.

One file per base URL: someone who switches between two servers keeps both lists. An entry is
written in the shape of the router's list (only what was said), so the file stays readable by
every version; it is read back strictly, as what this module wrote (the lenient reading of the
router's own list is the client's).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from requesty_tui.core.models import ModelInfo
from requesty_tui.storage import paths
from requesty_tui.storage.atomic import write_atomic


@dataclass(frozen=True, slots=True)
class CachedModels:
    models: list[ModelInfo]
    fetched_at: float
    """Unix time of the fetch."""
    base_url: str


_TEXTS = ("name", "description")
_COUNTS = ("context_window", "max_output_tokens")
_PRICES = ("input_price", "output_price", "cached_price")
_FLAGS = ("supports_reasoning", "supports_vision", "supports_caching", "supports_tool_calling")


def entry(model: ModelInfo) -> dict[str, Any]:
    """A model as the router lists it: what is known, capabilities when the list said them."""
    out: dict[str, Any] = {"id": model.id}
    for key in (*_TEXTS, *_COUNTS, *_PRICES):
        value = getattr(model, key)
        if value is not None:
            out[key] = value
    for key in _FLAGS:
        if model.capabilities_known or getattr(model, key):
            out[key] = getattr(model, key)
    if model.kind is not None:
        out["type"] = model.kind
    return out


def from_entry(data: dict[str, Any]) -> ModelInfo:
    """The inverse of :func:`entry`; a value of the wrong type (a hand edit) is not said."""

    def text(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) and value else None

    def number(key: str) -> float | None:
        value = data.get(key)
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )

    def count(key: str) -> int | None:
        value = number(key)
        return int(value) if value is not None and value.is_integer() and value > 0 else None

    return ModelInfo(
        id=str(data["id"]),
        name=text("name"),
        description=text("description"),
        context_window=count("context_window"),
        max_output_tokens=count("max_output_tokens"),
        input_price=number("input_price"),
        output_price=number("output_price"),
        cached_price=number("cached_price"),
        supports_reasoning=data.get("supports_reasoning") is True,
        supports_vision=data.get("supports_vision") is True,
        supports_caching=data.get("supports_caching") is True,
        supports_tool_calling=data.get("supports_tool_calling") is True,
        capabilities_known=any(isinstance(data.get(key), bool) for key in _FLAGS),
        kind=text("type"),
    )


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
            from_entry(m)
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
        "models": [entry(m) for m in models],
    }
    write_atomic(_cache_file(base_url), json.dumps(payload))

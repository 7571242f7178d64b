"""Where files live. XDG variables win (tests point them at temp dirs); platformdirs otherwise."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "requesty-tui"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    if value and os.path.isabs(value):
        return Path(value) / APP_NAME
    import platformdirs

    return Path(getattr(platformdirs, fallback)(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", "user_config_dir")


def data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", "user_data_dir")


def cache_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", "user_cache_dir")


def config_file() -> Path:
    return config_dir() / "config.toml"


def sessions_dir() -> Path:
    return data_dir() / "sessions"


def state_file() -> Path:
    """Small things remembered between runs (last model, draft)."""
    return data_dir() / "state.toml"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path

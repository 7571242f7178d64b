"""Settings from their sources: defaults ← ``config.toml`` ← environment ← command line.

The rules for each value are :mod:`requesty_tui.core.settings`'; this module reads the file
and the environment, and writes the one setting the app remembers by itself (the theme).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from requesty_tui.core.settings import REGIONS, ConfigError, Settings, validate
from requesty_tui.storage import paths


def read_config_file(path: Path) -> dict[str, Any]:
    """The validated contents of ``config.toml`` (empty when the file does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return validate(data, str(path))


def load_settings(
    cli: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Merge the four layers; later layers win."""
    env = os.environ if environ is None else environ
    path = config_path or paths.config_file()
    merged: dict[str, Any] = read_config_file(path)
    if "base_url" in merged:
        merged["base_url_from"] = f"base_url in {path}"
    warnings = [key_file_warning(path)] if "api_key" in merged else []
    if "api_key" in merged:
        merged["api_key_from"] = f"api_key in {path}"
    env_map = {
        "REQUESTY_API_KEY": "api_key",
        "REQUESTY_BASE_URL": "base_url",
        "REQUESTY_MODEL": "model",
        "REQUESTY_REGION": "region",
        "REQUESTY_MANAGE_URL": "manage_url",
    }
    for var, key in env_map.items():
        if env.get(var):
            value = env[var].strip()
            merged.update(validate({key: value}, var))
            if key == "base_url":
                merged["base_url_from"] = var
            if key == "api_key":
                merged["api_key_from"] = var
    for key, value in (cli or {}).items():
        if value is not None:
            option = f"--{key.replace('_', '-')}"
            merged.update(validate({key: value}, option))
            if key == "base_url":
                merged["base_url_from"] = option
    if "base_url" not in merged:
        merged["base_url"] = REGIONS[merged.get("region", "global")][0]
    return Settings(**merged, warnings=tuple(w for w in warnings if w))


def key_file_warning(path: Path) -> str | None:
    """A config file holding the key must be readable by its owner only."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & 0o077:
        return (
            f"{path} holds your API key and other users can read it "
            f"(mode {mode & 0o777:o}). Fix: chmod 600 {path}"
        )
    return None


def remember_setting(key: str, value: str, path: Path | None = None) -> None:
    """Set one top-level string setting in ``config.toml``, keeping the rest of the file
    (comments included) as the user wrote it."""
    from requesty_tui.storage.config_edit import set_top_level

    set_top_level(path or paths.config_file(), key, value)

"""Settings: defaults ← ``config.toml`` ← environment ← command line.

A frozen dataclass with a docstring per field; a bad file is a :class:`ConfigError` that names
the file, the key and the problem (with the nearest valid key for a typo).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from requesty_tui import paths

DEFAULT_BASE_URL = "https://router.requesty.ai/v1"
DEFAULT_MODEL = "openai/gpt-4o-mini"

REGIONS: dict[str, tuple[str, str]] = {
    "global": (DEFAULT_BASE_URL, "https://api-v2.requesty.ai"),
    # The EU management host is not documented; this follows the router's naming. Set
    # ``manage_url`` if it differs.
    "eu": ("https://router.eu.requesty.ai/v1", "https://api-v2.eu.requesty.ai"),
}
"""region -> (router base URL, management API host)."""

REASONING_EFFORTS = ("none", "min", "low", "medium", "high", "max")


class ConfigError(Exception):
    """A setting is wrong; the message says where and how to fix it."""

    exit_code = 3


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app can be told. Field docstrings double as documentation."""

    api_key: str | None = field(default=None, repr=False)
    """The Requesty API key (REQUESTY_API_KEY). Never written to session files."""
    region: str = "global"
    """global | eu (REQUESTY_REGION): picks the router and management hosts."""
    base_url: str = DEFAULT_BASE_URL
    """Any OpenAI-compatible endpoint (REQUESTY_BASE_URL); defaults to the region's router."""
    manage_url: str | None = None
    """The management API host (spend); defaults to the region's, or to the base URL's host
    when the base URL is not a Requesty router (a proxy or a local test server)."""
    model: str | None = None
    """The model of a new chat; None means the last one used, else the built-in default."""
    stall_timeout: float = 60.0
    """Seconds without a byte from the server before a request is given up."""
    connect_timeout: float = 10.0
    """Seconds to establish a connection."""
    max_attempts: int = 4
    """Attempts for a request answered 429/5xx before its first token."""
    retry_base_delay: float = 1.0
    """First backoff delay in seconds (doubled each attempt, with jitter)."""
    theme: str = "requesty-dark"
    """The colour theme."""
    clipboard: str = "auto"
    """auto | system | osc52."""
    keys: Mapping[str, str] = field(default_factory=dict)
    """Binding id → keys, fed to App.set_keymap."""
    system_prompt: str | None = None
    """The system prompt of a new chat (each chat can change its own)."""
    reasoning_effort: str | None = None
    """none|min|low|medium|high|max or a token budget ("10000"); sent to reasoning models only."""
    temperature: float | None = None
    max_tokens: int | None = None
    tags: tuple[str, ...] = ()
    """Request metadata: the router's dashboard groups requests by tag."""
    user_id: str | None = None
    auto_cache: bool | None = None
    """Provider prompt caching (the router's ``auto_cache``); None leaves the router's default."""
    warnings: tuple[str, ...] = field(default=(), compare=False)
    """Problems worth telling the user that do not stop the app (a key file others can read)."""

    @property
    def manage_host(self) -> str:
        """Where ``/v1/manage/...`` lives for this configuration."""
        if self.manage_url:
            return self.manage_url
        for router, manage in REGIONS.values():
            if self.base_url == router:
                return manage
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def with_overrides(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


_TYPES: dict[str, tuple[type, ...]] = {
    "api_key": (str,),
    "base_url": (str,),
    "model": (str,),
    "stall_timeout": (int, float),
    "connect_timeout": (int, float),
    "max_attempts": (int,),
    "retry_base_delay": (int, float),
    "theme": (str,),
    "clipboard": (str,),
    "keys": (dict,),
    "region": (str,),
    "manage_url": (str,),
    "system_prompt": (str,),
    "reasoning_effort": (str,),
    "temperature": (int, float),
    "max_tokens": (int,),
    "tags": (list,),
    "user_id": (str,),
    "auto_cache": (bool,),
}
_CHOICES = {"clipboard": ("auto", "system", "osc52"), "region": tuple(REGIONS)}


def check_reasoning_effort(value: str, where: str) -> str:
    """A named effort or a positive token budget, as the router takes it."""
    value = value.strip().lower()
    if value in REASONING_EFFORTS or (value.isdigit() and int(value) > 0):
        return value
    raise ConfigError(
        f"{where}: reasoning effort {value!r} must be one of {', '.join(REASONING_EFFORTS)} "
        "or a token budget such as 10000"
    )


def _check_url(url: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{where}: base URL {url!r} needs a scheme and a host, "
            "e.g. https://router.requesty.ai/v1"
        )
    return url.rstrip("/")


def _validate(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    known = {f.name for f in fields(Settings)}
    out: dict[str, Any] = {}
    value: Any
    for key, value in raw.items():
        if key not in known:
            near = difflib.get_close_matches(key, sorted(known), n=1)
            valid = ", ".join(sorted(known))
            tip = f"; did you mean {near[0]!r}?" if near else f"; valid keys: {valid}"
            raise ConfigError(f"{where}: unknown key {key!r}{tip}")
        types = _TYPES[key]
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            want = " or ".join(t.__name__ for t in types)
            raise ConfigError(f"{where}: {key} must be a {want}, not {type(value).__name__}")
        if key in _CHOICES and value not in _CHOICES[key]:
            raise ConfigError(f"{where}: {key} must be one of {', '.join(_CHOICES[key])}")
        number = value if isinstance(value, int | float) else None
        positive = key in ("stall_timeout", "connect_timeout", "retry_base_delay")
        if positive and number is not None and number <= 0:
            raise ConfigError(f"{where}: {key} must be greater than 0")
        if key == "max_attempts" and number is not None and number < 1:
            raise ConfigError(f"{where}: max_attempts must be at least 1")
        if isinstance(value, dict) and not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(f"{where}: every entry of [keys] must be a string of keys")
        if key in ("base_url", "manage_url") and isinstance(value, str):
            value = _check_url(value, where)
        if key == "reasoning_effort":
            value = check_reasoning_effort(value, where)
        if key == "tags":
            if not all(isinstance(tag, str) and tag.strip() for tag in value):
                raise ConfigError(f"{where}: tags must be a list of non-empty strings")
            value = tuple(tag.strip() for tag in value)
        if key == "temperature" and not 0 <= value <= 2:
            raise ConfigError(f"{where}: temperature must be between 0 and 2")
        if key == "max_tokens" and value < 1:
            raise ConfigError(f"{where}: max_tokens must be at least 1")
        integer = key in ("max_attempts", "max_tokens")
        out[key] = float(number) if number is not None and not integer else value
    return out


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
    return _validate(data, str(path))


def load_settings(
    cli: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Merge the four layers; later layers win."""
    env = os.environ if environ is None else environ
    path = config_path or paths.config_file()
    merged: dict[str, Any] = read_config_file(path)
    warnings = [key_file_warning(path)] if "api_key" in merged else []
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
            merged.update(_validate({key: value}, var))
    for key, value in (cli or {}).items():
        if value is not None:
            merged.update(_validate({key: value}, f"--{key.replace('_', '-')}"))
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
    import json
    import re

    from requesty_tui.atomic import write_atomic

    path = path or paths.config_file()
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        lines = []
    line = f"{key} = {json.dumps(value)}\n"
    pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
    for n, existing in enumerate(lines):
        if existing.lstrip().startswith("["):
            break  # only top-level keys, before the first table
        if pattern.match(existing):
            lines[n] = line
            break
    else:
        lines.insert(0, line)
    write_atomic(path, "".join(lines))

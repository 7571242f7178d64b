"""Settings: what the app can be told, and the rules every value must follow.

A frozen dataclass with a docstring per field; a bad value is a :class:`ConfigError` that names
where it came from, the key and the problem (with the nearest valid key for a typo). Reading
``config.toml`` and the environment is :mod:`requesty_tui.storage.settings_file`'s job.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from requesty_tui.core import options

DEFAULT_BASE_URL = "https://router.requesty.ai/v1"
DEFAULT_MODEL = "openai/gpt-4o-mini"

REGIONS: dict[str, tuple[str, str]] = {
    "global": (DEFAULT_BASE_URL, "https://api-v2.requesty.ai"),
    # The EU management host is not documented; this follows the router's naming. Set
    # ``manage_url`` if it differs.
    "eu": ("https://router.eu.requesty.ai/v1", "https://api-v2.eu.requesty.ai"),
}
"""region -> (router base URL, management API host)."""


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
    title_model: str | None = None
    """A model to ask for each new conversation's title after its first reply (off when unset:
    it costs money)."""
    max_attachment_mb: float = 10.0
    """The largest file that can be attached, in MB (2**20 bytes)."""
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
    "max_attachment_mb": (int, float),
    "title_model": (str,),
}
_CHOICES = {"clipboard": ("auto", "system", "osc52"), "region": tuple(REGIONS)}


_OPTION_RULES: dict[str, Callable[[object], object]] = {
    "reasoning_effort": options.parse_reasoning_effort,
    "temperature": options.parse_temperature,
    "max_tokens": options.parse_max_tokens,
    "tags": lambda value: tuple(options.parse_tags(value)),
}
"""The new chat's defaults follow the same rules as a chat's own settings."""


def _check_url(url: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{where}: base URL {url!r} needs a scheme and a host, "
            "e.g. https://router.requesty.ai/v1"
        )
    return url.rstrip("/")


def validate(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
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
        positive = key in (
            "stall_timeout",
            "connect_timeout",
            "retry_base_delay",
            "max_attachment_mb",
        )
        if positive and number is not None and number <= 0:
            raise ConfigError(f"{where}: {key} must be greater than 0")
        if key == "max_attempts" and number is not None and number < 1:
            raise ConfigError(f"{where}: max_attempts must be at least 1")
        if isinstance(value, dict) and not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(f"{where}: every entry of [keys] must be a string of keys")
        if key in ("base_url", "manage_url") and isinstance(value, str):
            value = _check_url(value, where)
        if key in _OPTION_RULES:
            try:
                out[key] = _OPTION_RULES[key](value)
            except options.OptionError as exc:
                raise ConfigError(f"{where}: {exc}") from None
            continue
        integer = key == "max_attempts"
        out[key] = float(number) if number is not None and not integer else value
    return out

"""Settings: what the app can be told, and the rules every value must follow.

A frozen dataclass with a docstring per field; a bad value is a :class:`ConfigError` that names
where it came from, the key and the problem (with the nearest valid key for a typo). Reading
``config.toml`` and the environment is :mod:`requesty_tui.storage.settings_file`'s job.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from requesty_tui.core import options
from requesty_tui.core.model_overrides import ModelOverride, OverrideError, a_type, parse_override

if TYPE_CHECKING:
    from requesty_tui.core.tools import McpServerConfig

DEFAULT_BASE_URL = "https://router.requesty.ai/v1"
DEFAULT_MODEL = "openai/gpt-4o-mini"

REGIONS: dict[str, tuple[str, str]] = {
    "global": (DEFAULT_BASE_URL, "https://api-v2.requesty.ai"),
    # The EU management host is not documented; this follows the router's naming. Set
    # ``manage_url`` if it differs.
    "eu": ("https://router.eu.requesty.ai/v1", "https://api-v2.eu.requesty.ai"),
}
"""region -> (router base URL, management API host)."""

FEEDBACK_URL = "https://api.requesty.ai"
"""Requesty's documented feedback host (``POST /feedback/{id}``)."""

DASHBOARD_URL = "https://app.requesty.ai/api-keys"
"""Where Requesty's keys are made."""


class ConfigError(Exception):
    """A setting is wrong; the message says where and how to fix it."""

    exit_code = 3


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app can be told. Field docstrings double as documentation."""

    api_key: str | None = field(default=None, repr=False)
    """The Requesty API key (REQUESTY_API_KEY). Never written to session files."""
    api_key_from: str = ""
    """Where the key came from ("REQUESTY_API_KEY", "api_key in FILE"), so the key set-up
    can say which one is in use; "" when there is none (or it was set in code)."""
    region: str = "global"
    """global | eu (REQUESTY_REGION): picks the router and management hosts."""
    base_url: str = DEFAULT_BASE_URL
    """Any OpenAI-compatible endpoint (REQUESTY_BASE_URL); defaults to the region's router."""
    base_url_from: str = ""
    """Where ``base_url`` was set ("REQUESTY_BASE_URL", "--base-url", "base_url in FILE"), so
    advice about the address names it; "" for the region's built-in router."""
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
    notify: str = "auto"
    """auto | bell | osc9 | osc777 | off: how a reply that ended while the terminal window
    had no focus is told (auto: OSC 9 where the terminal shows it, else a bell)."""
    notify_after: float = 5.0
    """Seconds a reply must take before its end is notified (a quick one is seen anyway)."""
    images: str = "auto"
    """auto | kitty | off: image attachments drawn in the message (kitty graphics protocol with
    Unicode placeholders; auto: in kitty and Ghostty, not inside tmux), else their chip."""
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
    mcp: tuple[McpServerConfig, ...] = ()
    """The MCP servers (``[mcp.NAME]`` tables) whose tools models may call, with the user's
    consent."""
    tool_timeout: float = 60.0
    """Seconds a tool call may take before it is given up (a server's ``timeout`` wins)."""
    max_tool_rounds: int = 10
    """Requests in one turn that may answer tool results before the turn is stopped."""
    max_tool_output: int = 100 * 1024
    """Bytes of a tool's output given to the model and shown; the rest is cut (both are told)."""
    models: tuple[ModelOverride, ...] = ()
    """``[models."ID"]`` tables: what a model can do, its window and prices, for servers whose
    list does not say (LiteLLM, LLMock); they win over the list."""
    feedback_url: str | None = None
    """Where ratings of replies go (``POST {feedback_url}/feedback/{id}``); defaults to
    Requesty's documented host for a Requesty router, else the base URL's host (the key is
    never sent to a host the user did not choose)."""
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

    @property
    def is_requesty(self) -> bool:
        """The base URL is one of Requesty's routers (a host under requesty.ai)."""
        host = urlsplit(self.base_url).hostname or ""
        return host == "requesty.ai" or host.endswith(".requesty.ai")

    @property
    def feedback_host(self) -> str:
        """Where ``/feedback/{id}`` lives for this configuration."""
        if self.feedback_url:
            return self.feedback_url
        if self.is_requesty:
            return FEEDBACK_URL
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
    "notify": (str,),
    "notify_after": (int, float),
    "images": (str,),
    "keys": (dict,),
    "region": (str,),
    "manage_url": (str,),
    "feedback_url": (str,),
    "system_prompt": (str,),
    "reasoning_effort": (str,),
    "temperature": (int, float),
    "max_tokens": (int,),
    "tags": (list,),
    "user_id": (str,),
    "auto_cache": (bool,),
    "max_attachment_mb": (int, float),
    "title_model": (str,),
    "mcp": (dict,),
    "tool_timeout": (int, float),
    "max_tool_rounds": (int,),
    "max_tool_output": (int,),
    "models": (dict,),
}
_CHOICES = {
    "clipboard": ("auto", "system", "osc52"),
    "region": tuple(REGIONS),
    "notify": ("auto", "bell", "osc9", "osc777", "off"),
    "images": ("auto", "kitty", "off"),
}


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


def _want(types: tuple[type, ...]) -> str:
    """What a key takes, in words: "a whole number", "a number", "true or false"."""
    if float in types:
        return "a number"
    return " or ".join(a_type(t()) for t in types)


def validate(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    known = set(_TYPES)
    out: dict[str, Any] = {}
    value: Any
    for key, value in raw.items():
        if key not in known:
            near = difflib.get_close_matches(key, sorted(known), n=1)
            valid = ", ".join(sorted(known))
            tip = f"; did you mean {near[0]!r}?" if near else f"; valid keys: {valid}"
            raise ConfigError(f"{where}: unknown key {key!r}{tip}")
        types = _TYPES[key]
        if key == "models" and not isinstance(value, dict):
            raise ConfigError(f'{where}: models must be tables: [models."ID"] with vision = …')
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            raise ConfigError(f"{where}: {key} must be {_want(types)}, not {a_type(value)}")
        if key in _CHOICES and value not in _CHOICES[key]:
            raise ConfigError(f"{where}: {key} must be one of {', '.join(_CHOICES[key])}")
        number = value if isinstance(value, int | float) else None
        positive = key in (
            "stall_timeout",
            "connect_timeout",
            "retry_base_delay",
            "max_attachment_mb",
            "tool_timeout",
        )
        if positive and number is not None and number <= 0:
            raise ConfigError(f"{where}: {key} must be greater than 0")
        if key == "notify_after" and number is not None and number < 0:
            raise ConfigError(f"{where}: {key} must be 0 or more seconds")
        at_least_one = ("max_attempts", "max_tool_rounds", "max_tool_output")
        if key in at_least_one and number is not None and number < 1:
            raise ConfigError(f"{where}: {key} must be at least 1")
        if key == "mcp" and isinstance(value, dict):
            out[key] = tuple(
                _mcp_server(name, table, f"{where}: [mcp.{name}]") for name, table in value.items()
            )
            continue
        if key == "models" and isinstance(value, dict):
            out[key] = tuple(_model_table(name, table, where) for name, table in value.items())
            continue
        if isinstance(value, dict) and not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(f"{where}: every entry of [keys] must be a string of keys")
        if key in ("base_url", "manage_url", "feedback_url") and isinstance(value, str):
            value = _check_url(value, where)
        if key in _OPTION_RULES:
            try:
                out[key] = _OPTION_RULES[key](value)
            except options.OptionError as exc:
                raise ConfigError(f"{where}: {exc}") from None
            continue
        integer = key in at_least_one
        out[key] = float(number) if number is not None and not integer else value
    return out


def _model_table(pattern: str, table: object, where: str) -> ModelOverride:
    try:
        return parse_override(pattern, table)
    except OverrideError as exc:
        raise ConfigError(f"{where}: [models.{json.dumps(pattern)}]: {exc}") from None


_MCP_KEYS = ("command", "url", "env", "headers", "auto_approve", "timeout")


def _mcp_server(name: str, table: object, where: str) -> McpServerConfig:
    """One ``[mcp.NAME]`` table: a command (stdio) or a URL (streamable HTTP)."""
    import shlex

    from requesty_tui.core.tools import McpServerConfig

    if not isinstance(table, dict):
        raise ConfigError(f'{where} must be a table with command = [...] or url = "..."')
    for key in table:
        if key not in _MCP_KEYS:
            near = difflib.get_close_matches(key, _MCP_KEYS, n=1)
            tip = (
                f"; did you mean {near[0]!r}?" if near else f"; valid keys: {', '.join(_MCP_KEYS)}"
            )
            raise ConfigError(f"{where}: unknown key {key!r}{tip}")
    command, url = table.get("command"), table.get("url")
    if (command is None) == (url is None):
        raise ConfigError(f'{where} needs either command = ["program", "arg", ...] or url')
    argv: tuple[str, ...] = ()
    if command is not None:
        if isinstance(command, str):
            command = shlex.split(command)
        if (
            not isinstance(command, list)
            or not command
            or not all(isinstance(part, str) and part for part in command)
        ):
            raise ConfigError(f"{where}: command must be a list of strings (the program first)")
        argv = tuple(command)
    if url is not None:
        if not isinstance(url, str):
            raise ConfigError(f"{where}: url must be a string")
        url = _check_url(url, where)
    mappings: dict[str, dict[str, str]] = {}
    for key in ("env", "headers"):
        raw = table.get(key, {})
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise ConfigError(
                f'{where}: {key} must be a table of strings, e.g. {{ NAME = "value" }}'
            )
        mappings[key] = dict(raw)
    if mappings["headers"] and url is None:
        raise ConfigError(f"{where}: headers are for a url server; a command server takes env")
    approve = table.get("auto_approve", [])
    if isinstance(approve, str):
        approve = [approve]
    if not isinstance(approve, list) or not all(isinstance(t, str) and t for t in approve):
        raise ConfigError(f'{where}: auto_approve must be a list of tool names (or ["*"])')
    timeout = table.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
    ):
        raise ConfigError(f"{where}: timeout must be a number of seconds greater than 0")
    return McpServerConfig(
        name=name,
        command=argv,
        url=url,
        env=mappings["env"],
        headers=mappings["headers"],
        auto_approve=tuple(approve),
        timeout=float(timeout) if timeout is not None else None,
    )

"""The per-conversation settings (generation settings and request metadata): the one place
for their rules, used by ``config.toml`` (defaults), the palette's editors and session files.

Each palette entry says how to show the current value and how to read what the user typed (an
empty answer clears the setting). Tested without a UI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from requesty_tui.core.domain import Conversation, RequestOptions

T = TypeVar("T")


class OptionError(ValueError):
    """A value breaks the rule; the message says what is valid."""


@dataclass(frozen=True, slots=True)
class ChatOption:
    key: str
    title: str
    """The palette command."""
    help: str
    show: Callable[[Conversation], str]
    apply: Callable[[Conversation, str], None]
    """Set from the typed text ("" clears); raises :class:`OptionError`."""
    multiline: bool = False
    """Edited in a multi-line editor (Enter adds a line) instead of a one-line box."""


REASONING_EFFORTS = ("none", "min", "low", "medium", "high", "max")


# -- the rules for each value, wherever it comes from (config.toml, the palette, a session file)


def parse_reasoning_effort(value: object) -> str:
    """A named effort or a positive token budget, as the router takes it."""
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    if text in REASONING_EFFORTS or (text.isdigit() and int(text) > 0):
        return text
    raise OptionError(
        f"reasoning effort {value!r} must be one of {', '.join(REASONING_EFFORTS)} "
        "or a token budget such as 10000"
    )


def parse_temperature(value: object) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise OptionError(f"temperature {value!r} is not a number (0 to 2)") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OptionError("temperature must be a number from 0 to 2")
    if not 0 <= value <= 2:
        raise OptionError("temperature must be between 0 and 2")
    return float(value)


def parse_max_tokens(value: object) -> int:
    if isinstance(value, str):
        digits = value.strip().replace(",", "").replace("_", "")
        value = int(digits) if digits.isdigit() else -1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OptionError("max tokens must be a whole number of at least 1")
    return value


def parse_tags(value: object) -> list[str]:
    """A list of strings, or one string of comma-separated tags."""
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    if isinstance(value, list | tuple) and all(isinstance(t, str) and t.strip() for t in value):
        return [t.strip() for t in value]
    raise OptionError("tags must be a list of non-empty strings")


def parse_auto_cache(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "default"):
        return None
    if text in ("on", "true", "yes", "1"):
        return True
    if text in ("off", "false", "no", "0"):
        return False
    raise OptionError("auto cache is on, off or default")


def options_from(data: dict[str, object]) -> RequestOptions:
    """Lenient, for session files: a hand-edited value that breaks a rule is dropped."""

    def get(key: str, parse: Callable[[object], T]) -> T | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        try:
            return parse(value)
        except OptionError:
            return None

    def text(value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise OptionError("not text")
        return value.strip()

    return RequestOptions(
        reasoning_effort=get("reasoning_effort", parse_reasoning_effort),
        temperature=get("temperature", parse_temperature),
        max_tokens=get("max_tokens", parse_max_tokens),
        tags=get("tags", lambda v: parse_tags(v) if isinstance(v, list) else []) or [],
        trace_id=get("trace_id", text),
        user_id=get("user_id", text),
        auto_cache=get("auto_cache", lambda v: v if isinstance(v, bool) else None),
        tools=get("tools", lambda v: v if isinstance(v, bool) else None),
    )


# -- the palette's editors: "" clears a setting


def _optional(parse: Callable[[object], T]) -> Callable[[str], T | None]:
    def read(text: str) -> T | None:
        return parse(text) if text.strip() else None

    return read


def _set_system(conv: Conversation, text: str) -> None:
    conv.system = text.strip("\n") if text.strip() else None


def _set_effort(conv: Conversation, text: str) -> None:
    conv.options.reasoning_effort = _optional(parse_reasoning_effort)(text)


def _set_temperature(conv: Conversation, text: str) -> None:
    conv.options.temperature = _optional(parse_temperature)(text)


def _set_max_tokens(conv: Conversation, text: str) -> None:
    conv.options.max_tokens = _optional(parse_max_tokens)(text)


def _set_tags(conv: Conversation, text: str) -> None:
    conv.options.tags = parse_tags(text)


def _set_trace(conv: Conversation, text: str) -> None:
    conv.options.trace_id = text.strip() or None


def _set_user(conv: Conversation, text: str) -> None:
    conv.options.user_id = text.strip() or None


def _set_auto_cache(conv: Conversation, text: str) -> None:
    conv.options.auto_cache = parse_auto_cache(text)


def _auto_cache_text(conv: Conversation) -> str:
    value = conv.options.auto_cache
    return "" if value is None else ("on" if value else "off")


OPTIONS: tuple[ChatOption, ...] = (
    ChatOption(
        "system",
        "chat: system prompt",
        "Instructions sent before every message of this conversation",
        lambda c: c.system or "",
        _set_system,
        multiline=True,
    ),
    ChatOption(
        "reasoning_effort",
        "chat: reasoning effort",
        "none|min|low|medium|high|max or a token budget; sent to reasoning models only",
        lambda c: c.options.reasoning_effort or "",
        _set_effort,
    ),
    ChatOption(
        "temperature",
        "chat: temperature",
        "0 to 2; empty: the model's default",
        lambda c: "" if c.options.temperature is None else f"{c.options.temperature:g}",
        _set_temperature,
    ),
    ChatOption(
        "max_tokens",
        "chat: max tokens",
        "Longest reply in tokens; empty: the model's default",
        lambda c: "" if c.options.max_tokens is None else str(c.options.max_tokens),
        _set_max_tokens,
    ),
    ChatOption(
        "tags",
        "chat: tags",
        "Comma-separated request tags (Requesty dashboard)",
        lambda c: ", ".join(c.options.tags),
        _set_tags,
    ),
    ChatOption(
        "trace_id",
        "chat: trace id",
        "Groups requests in the dashboard; empty: this conversation's id",
        lambda c: c.options.trace_id or "",
        _set_trace,
    ),
    ChatOption(
        "user_id",
        "chat: user id",
        "The end user these requests are for (Requesty dashboard)",
        lambda c: c.options.user_id or "",
        _set_user,
    ),
    ChatOption(
        "auto_cache",
        "chat: auto cache",
        "Provider prompt caching: on, off or default",
        _auto_cache_text,
        _set_auto_cache,
    ),
)

BY_KEY = {option.key: option for option in OPTIONS}


def summary(conv: Conversation) -> list[str]:
    """Short labels of what is set, for the top bar."""
    opts = conv.options
    out = []
    if conv.system:
        out.append("system prompt")
    if opts.reasoning_effort:
        out.append(f"effort {opts.reasoning_effort}")
    if opts.temperature is not None:
        out.append(f"temp {opts.temperature:g}")
    if opts.max_tokens is not None:
        out.append(f"max {opts.max_tokens:,} tok")
    if opts.tags:
        out.append("tags " + ",".join(opts.tags))
    if opts.auto_cache is not None:
        out.append(f"cache {'on' if opts.auto_cache else 'off'}")
    if opts.tools is False:
        out.append("tools off")
    return out

"""The per-conversation settings the palette can change: one table, one editor.

Each entry says how to show the current value and how to read what the user typed (an empty
answer clears the setting). Parsing lives here, not in the screen, so it is tested without a UI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from requesty_tui.core.domain import Conversation
from requesty_tui.core.settings import ConfigError, check_reasoning_effort


class OptionError(ValueError):
    """What the user typed is not a valid value; the message says what is."""


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


def _set_system(conv: Conversation, text: str) -> None:
    conv.system = text.strip("\n") if text.strip() else None


def _set_effort(conv: Conversation, text: str) -> None:
    if not text:
        conv.options.reasoning_effort = None
        return
    try:
        conv.options.reasoning_effort = check_reasoning_effort(text, "reasoning effort")
    except ConfigError as exc:
        raise OptionError(str(exc)) from None


def _set_temperature(conv: Conversation, text: str) -> None:
    if not text:
        conv.options.temperature = None
        return
    try:
        value = float(text)
    except ValueError:
        raise OptionError(f"Temperature {text!r} is not a number (0 to 2).") from None
    if not 0 <= value <= 2:
        raise OptionError("Temperature must be between 0 and 2.")
    conv.options.temperature = value


def _set_max_tokens(conv: Conversation, text: str) -> None:
    if not text:
        conv.options.max_tokens = None
        return
    if not text.replace(",", "").replace("_", "").isdigit() or int(text.replace(",", "")) < 1:
        raise OptionError(f"Max tokens {text!r} must be a whole number of at least 1.")
    conv.options.max_tokens = int(text.replace(",", "").replace("_", ""))


def _set_tags(conv: Conversation, text: str) -> None:
    conv.options.tags = [t.strip() for t in text.split(",") if t.strip()]


def _set_trace(conv: Conversation, text: str) -> None:
    conv.options.trace_id = text or None


def _set_user(conv: Conversation, text: str) -> None:
    conv.options.user_id = text or None


def _set_auto_cache(conv: Conversation, text: str) -> None:
    value = text.lower()
    if value in ("", "default"):
        conv.options.auto_cache = None
    elif value in ("on", "true", "yes", "1"):
        conv.options.auto_cache = True
    elif value in ("off", "false", "no", "0"):
        conv.options.auto_cache = False
    else:
        raise OptionError("Auto cache is on, off or default.")


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
    return out

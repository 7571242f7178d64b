"""Tools (MCP servers) as plain data: what is configured, what a server offers, what a call
returned, and the rules that need no I/O (function names, argument parsing, cutting output).

The SDK lives in :mod:`requesty_tui.tools`; the loop that asks, runs and answers lives in
:mod:`requesty_tui.chat.tool_loop`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ToolStatus = Literal["ok", "error", "declined", "cancelled"]
"""How a call ended: it ran (``ok``/``error``: the server said the tool failed, or it could
not be run), the user said no, or the turn was stopped before it ran."""


@dataclass(frozen=True, slots=True)
class McpServerConfig:
    """One ``[mcp.NAME]`` table of ``config.toml``: a command (stdio) or a URL (streamable
    HTTP). ``env`` and ``headers`` may hold secrets: they are never written to session files
    or logs, and kept out of ``repr``."""

    name: str
    command: tuple[str, ...] = ()
    url: str | None = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    auto_approve: tuple[str, ...] = ()
    """Tools of this server that run without asking (``["*"]``: all of them)."""
    timeout: float | None = None
    """Seconds a call may take (None: the ``tool_timeout`` setting)."""

    def auto_approves(self, tool: str) -> bool:
        return "*" in self.auto_approve or tool in self.auto_approve


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool a running server offers."""

    server: str
    name: str
    """The tool's name on its server."""
    description: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """The JSON Schema of its arguments."""
    function: str = ""
    """The name the model sees (see :func:`assign_function_names`); "" until assigned."""

    def to_api(self) -> dict[str, Any]:
        """One entry of the request's ``tools``."""
        parameters = dict(self.parameters) or {"type": "object", "properties": {}}
        return {
            "type": "function",
            "function": {
                "name": self.function or self.name,
                "description": self.description[:1024],
                "parameters": parameters,
            },
        }


@dataclass(frozen=True, slots=True)
class ToolOutput:
    """What a call gave back, as text for the user and the model."""

    text: str
    is_error: bool = False


@dataclass(slots=True)
class ToolCall:
    """A call a model asked for, as it streamed (``arguments`` is the model's raw JSON text)."""

    id: str
    name: str
    """The function name the model used."""
    arguments: str = ""
    server: str | None = None
    """The server whose tool it named (None: no such tool)."""
    tool: str | None = None
    """The tool's name on that server."""

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }

    @property
    def label(self) -> str:
        """``files › read_file`` (or the model's name for a tool nobody offers)."""
        if self.server and self.tool:
            return f"{self.server} › {self.tool}"
        return self.name or "(no name)"


_FUNCTION_NAME = re.compile(r"[^A-Za-z0-9_-]")
FUNCTION_NAME_LIMIT = 64
"""OpenAI's limit for a function name (``^[a-zA-Z0-9_-]{1,64}$``); other providers' are alike."""


def assign_function_names(specs: list[ToolSpec]) -> list[ToolSpec]:
    """Give each tool the name the model sees: its own, when no other server has one by that
    name and it is a valid function name; else ``server__tool``, cleaned and kept unique."""
    import dataclasses

    counts: dict[str, int] = {}
    for spec in specs:
        counts[spec.name] = counts.get(spec.name, 0) + 1
    taken: set[str] = set()
    out = []
    for spec in specs:
        plain = spec.name if counts[spec.name] == 1 else f"{spec.server}__{spec.name}"
        name = _FUNCTION_NAME.sub("_", plain)[:FUNCTION_NAME_LIMIT] or "tool"
        base, n = name, 2
        while name in taken:
            suffix = f"_{n}"
            name = base[: FUNCTION_NAME_LIMIT - len(suffix)] + suffix
            n += 1
        taken.add(name)
        out.append(dataclasses.replace(spec, function=name))
    return out


class ArgumentsError(ValueError):
    """The model's arguments are not a JSON object; the message says why (for both)."""


def parse_arguments(raw: str) -> dict[str, Any]:
    """The model's arguments text as an object ("" is no arguments)."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ArgumentsError(f"the arguments are not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise ArgumentsError(f"the arguments must be a JSON object, not {type(value).__name__}")
    return value


def pretty_arguments(raw: str) -> str:
    """The arguments as indented JSON for the screen (as sent when they are not JSON)."""
    try:
        value = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return raw
    return json.dumps(value, indent=2, ensure_ascii=False)


def cut_output(text: str, limit: int) -> tuple[str, bool]:
    """At most ``limit`` bytes of UTF-8 (whole characters), and whether it was cut; a cut text
    ends with a line saying so, which the model reads too."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text, False
    kept = data[:limit].decode("utf-8", errors="ignore")
    note = (
        f"\n\n[output cut: {len(data):,} bytes, the first {len(kept.encode('utf-8')):,} shown "
        f"(max_tool_output)]"
    )
    return kept + note, True

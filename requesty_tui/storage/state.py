"""Small things remembered between runs: the last model used, per server the starred and the
recently used models.

Kept apart from ``config.toml`` (which is the user's to edit) in the data folder. A damaged
state file is ignored, never fatal: it holds nothing that cannot be lost.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field

import tomli_w

from requesty_tui.storage import paths
from requesty_tui.storage.atomic import write_atomic


@dataclass(slots=True)
class AppState:
    last_model: str | None = None
    tool_failures: list[str] = field(default_factory=list)
    """MCP servers (name and command) whose failure to start was told: the next start of the
    app does not tell it again (the status bar says it)."""
    starred: dict[str, list[str]] = field(default_factory=dict)
    """Per base URL: the models starred in the picker, in the order starred."""
    recent: dict[str, list[str]] = field(default_factory=dict)
    """Per base URL: the models (or policies) last sent to, newest first."""


def load_state() -> AppState:
    try:
        data = tomllib.loads(paths.state_file().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return AppState()
    model = data.get("last_model")
    failures = data.get("tool_failures")
    return AppState(
        last_model=model if isinstance(model, str) and model else None,
        tool_failures=[f for f in failures if isinstance(f, str)]
        if isinstance(failures, list)
        else [],
        starred=_per_server(data, "starred"),
        recent=_per_server(data, "recent"),
    )


def _per_server(data: dict[str, object], key: str) -> dict[str, list[str]]:
    """``[servers."URL"] key = [...]``; anything else is dropped (nothing here is precious)."""
    servers = data.get("servers")
    out: dict[str, list[str]] = {}
    if isinstance(servers, dict):
        for url, table in servers.items():
            values = table.get(key) if isinstance(table, dict) else None
            if isinstance(values, list):
                out[url] = [v for v in values if isinstance(v, str) and v]
    return out


def save_state(state: AppState) -> None:
    data: dict[str, object] = {"last_model": state.last_model} if state.last_model else {}
    if state.tool_failures:
        data["tool_failures"] = list(state.tool_failures)
    servers: dict[str, dict[str, list[str]]] = {}
    for key, lists in (("starred", state.starred), ("recent", state.recent)):
        for url, models in lists.items():
            if models:
                servers.setdefault(url, {})[key] = list(models)
    if servers:
        data["servers"] = servers
    write_atomic(paths.state_file(), tomli_w.dumps(data))

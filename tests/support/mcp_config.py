"""``config.toml`` with MCP servers, for tests of what the app reads from it."""

from __future__ import annotations

from requesty_tui.core.tools import McpServerConfig


def write_config(*servers: McpServerConfig, broken: bool = False) -> None:
    """``config.toml`` with these servers' tables (``broken``: not TOML at all)."""
    import json

    from requesty_tui.storage import paths

    lines = []
    for config in servers:
        lines.append(f"[mcp.{config.name}]")
        lines.append(f"command = {json.dumps(list(config.command))}")
        if config.auto_approve:
            lines.append(f"auto_approve = {json.dumps(list(config.auto_approve))}")
        if config.timeout is not None:
            lines.append(f"timeout = {config.timeout}")
    text = "\n".join(lines) + ("\n[mcp.oops\n" if broken else "\n")
    paths.config_file().parent.mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text(text)

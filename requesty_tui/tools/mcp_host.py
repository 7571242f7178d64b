"""MCP servers as tools: start them, list their tools, call them, stop them.

Each server lives in its own long-lived task (:mod:`requesty_tui.tools.server`, which says why);
where it is in its life is :mod:`requesty_tui.tools.server_state`'s. This module is the host:
the configured servers together, and the one way to call their tools.

Nothing here raises for a server's problem. A start that fails is a :class:`ServerFailure`; a
call that fails is a :class:`ToolOutput` with ``is_error`` and one paragraph saying why.
Cancelling a call (the user pressed Esc) raises ``CancelledError`` as usual; the SDK tells the
server, and the session stays usable.

stdio servers run through our own small transport (:mod:`requesty_tui.tools.stdio`, which
says why); streamable HTTP through the SDK's. What a tool's result becomes as text is
:mod:`requesty_tui.tools.content`'s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from requesty_tui.core.tools import McpServerConfig, ToolOutput, ToolSpec
from requesty_tui.tools.content import output_text
from requesty_tui.tools.server import CLOSE_TIMEOUT, McpServer
from requesty_tui.tools.server_state import Phase
from requesty_tui.tools.stdio import child_environment

START_TIMEOUT = 60.0
"""Seconds a server has to start, shake hands and list its tools. The SDK gives its
``server/discover`` probe 10 s (``DISCOVER_TIMEOUT_SECONDS``) before falling back to the legacy
``initialize``, so a slow legacy server needs more than that; the test server (Python + the SDK)
is ready in about 1 s on a 2-core machine, but an ``npx``/``uvx`` server's first run downloads
its package first (tens of seconds on a slow line). Nothing waits for it but the tools."""


@dataclass(frozen=True, slots=True)
class ServerFailure:
    """A server that did not start, and why, in one line a user can read."""

    server: str
    message: str


__all__ = ["ServerFailure", "ToolHost", "child_environment", "output_text"]


class ToolHost:
    """The configured MCP servers, each in its own task, and the one way to call their tools."""

    def __init__(
        self, servers: Sequence[McpServerConfig], log_dir: Path, call_timeout: float = 60.0
    ) -> None:
        self.call_timeout = call_timeout
        self._servers: dict[str, McpServer] = {}
        self._duplicates: list[str] = []
        for config in servers:
            if config.name in self._servers:
                self._duplicates.append(config.name)
            else:
                self._servers[config.name] = McpServer(config, log_dir, START_TIMEOUT)
        self._closed = False

    async def start(self) -> list[ServerFailure]:
        """Start every server not yet started, concurrently; return when each is up (its
        tools listed) or has failed. One server's failure does not touch the others."""
        fresh = [s for s in self._servers.values() if s.state.phase is Phase.NEW]
        for server in fresh:
            server.launch()
        await asyncio.gather(*(server.wait_ready() for server in fresh))
        failures = [
            ServerFailure(name, f"{name}: configured more than once; the first one is used")
            for name in self._duplicates
        ]
        self._duplicates = []
        failures += [ServerFailure(s.name, s.failure) for s in fresh if not s.running]
        return failures

    @property
    def tools(self) -> list[ToolSpec]:
        """Every tool of every running server, in server then tool order (``function`` unset)."""
        return [spec for s in self._servers.values() if s.running for spec in s.specs]

    @property
    def running(self) -> list[str]:
        return [s.name for s in self._servers.values() if s.running]

    def config(self, server: str) -> McpServerConfig | None:
        entry = self._servers.get(server)
        return entry.config if entry is not None else None

    async def call(
        self,
        server: str,
        tool: str,
        arguments: dict[str, Any],
        timeout: float | None = None,
    ) -> ToolOutput:
        """Run one tool. Never raises for a server's problem (see the module's docstring);
        ``CancelledError`` propagates."""
        entry = self._servers.get(server)
        if entry is None:
            return ToolOutput(f"There is no MCP server named {server}.", is_error=True)
        if not self._closed and entry.state.needs_start:
            restarted = await entry.restart()
            if not entry.running and restarted:
                return ToolOutput(
                    f"The MCP server {server} had stopped and could not be started again: "
                    f"{entry.failure}",
                    is_error=True,
                )
        if not entry.running:
            reason = entry.failure or ("it stopped" if entry.state.lost else "it was never started")
            return ToolOutput(f"The MCP server {server} is not running ({reason}).", is_error=True)
        if all(spec.name != tool for spec in entry.specs):
            return ToolOutput(f"The MCP server {server} has no tool named {tool}.", is_error=True)
        limit = timeout if timeout is not None else entry.config.timeout
        return await entry.call(tool, arguments, limit if limit is not None else self.call_timeout)

    async def close(self) -> None:
        """Stop every server (stdio processes are asked, then signalled); returns within
        CLOSE_TIMEOUT whatever the servers do."""
        self._closed = True
        servers = list(self._servers.values())
        for server in servers:
            server.stop()
        ended = await asyncio.gather(*(s.wait_ended(CLOSE_TIMEOUT) for s in servers))
        for server, done in zip(servers, ended, strict=True):
            if not done:
                server.cancel()

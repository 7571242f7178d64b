"""The configured MCP servers as one box of tools: starting them, what is offered to which
model, which calls run unasked, and running one call.

The SDK is imported only when a server is configured (:mod:`requesty_tui.tools.mcp_host`, on
:meth:`Toolbox.start`), so a start-up without servers does not pay for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from requesty_tui.core.domain import Conversation, ModelInfo
from requesty_tui.core.formatting import plural
from requesty_tui.core.model_overrides import declare
from requesty_tui.core.settings import Settings
from requesty_tui.core.tools import ToolCall, ToolOutput, ToolSpec, assign_function_names

if TYPE_CHECKING:
    from requesty_tui.tools.mcp_host import ServerFailure, ToolHost

ToolsState = Literal["none", "starting", "ready"]

TOOL_SETTINGS = ("mcp", "tool_timeout", "max_tool_rounds", "max_tool_output")
"""What ``tools: restart servers`` reads from ``config.toml`` again."""


@dataclass(eq=False)
class Toolbox:
    """Belongs to the app (one set of server processes for every conversation)."""

    settings: Settings
    state: ToolsState = "none"
    specs: list[ToolSpec] = field(default_factory=list)
    """Every tool of every running server, with the names the models see."""
    failures: list[ServerFailure] = field(default_factory=list)
    allowed: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    """Conversation id → the (server, tool) pairs the user said "always" to in it."""
    offered_size: int = 0
    """Characters of every tool's definition, as sent (measured once, after the start)."""
    _host: ToolHost | None = None
    _started: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def __post_init__(self) -> None:
        if self.settings.mcp:
            self.state = "starting"
        else:
            self._started.set()

    async def started(self) -> None:
        """Until the start under way has ended (each server up or failed: the host bounds
        each start by its START_TIMEOUT)."""
        await self._started.wait()

    @property
    def configured(self) -> bool:
        return bool(self.settings.mcp)

    async def start(self) -> list[ServerFailure]:
        """Start every server (each failure is returned once; the others still work)."""
        if self._host is not None:
            return []
        if not self.settings.mcp:  # none left in config.toml after a restart
            self.state = "none"
            self._started.set()
            return []
        import importlib

        from requesty_tui.storage import paths

        # The SDK (pydantic models, anyio, httpx) takes 0.75-0.9 s to import here: in a thread,
        # so that the screen and the keyboard stay live meanwhile.
        try:
            module = await asyncio.to_thread(importlib.import_module, "requesty_tui.tools.mcp_host")
            self._host = module.ToolHost(
                self.settings.mcp,
                paths.cache_dir() / "mcp",
                call_timeout=self.settings.tool_timeout,
            )
            self.failures = await self._host.start()
            self.specs = assign_function_names(self._host.tools)
        finally:  # a message waiting for the tools goes, whatever happened
            self.offered_size = 0
            self.state = "ready"
            self._started.set()
        return self.failures

    def reread(self) -> None:
        """The tools' settings from ``config.toml`` again (``[mcp.*]``, ``tool_timeout``, …):
        a fixed command or a new ``timeout`` without restarting the app. Raises
        :class:`ConfigError` for a file that is broken (the running servers stay)."""
        from dataclasses import replace

        from requesty_tui.storage import paths
        from requesty_tui.storage.settings_file import read_config_file

        data = read_config_file(paths.config_file())
        fresh = Settings(**{key: data[key] for key in TOOL_SETTINGS if key in data})
        self.settings = replace(self.settings, **{k: getattr(fresh, k) for k in TOOL_SETTINGS})

    async def restart(self) -> list[ServerFailure]:
        """Stop every server and start them again (a server that failed, a changed script)."""
        await self.close()
        self._host = None
        self.specs, self.failures, self.state = [], [], "starting"
        self._started.clear()
        return await self.start()

    async def close(self) -> None:
        if self._host is not None:
            await self._host.close()

    # -- what is offered -----------------------------------------------------------------------

    def wanted(self, conversation: Conversation) -> bool:
        """The conversation uses tools (``chat: tools``; on by default when servers exist)."""
        return self.configured and conversation.options.tools is not False

    def offers(self, conversation: Conversation, model: ModelInfo | None) -> bool:
        return self.wanted(conversation) and model is not None and model.supports_tool_calling

    def offered(self, conversation: Conversation, model: ModelInfo | None) -> list[dict[str, Any]]:
        """The request's ``tools``: only to a model that says it calls tools."""
        return [spec.to_api() for spec in self.specs] if self.offers(conversation, model) else []

    def offered_chars(self, conversation: Conversation, model: ModelInfo | None) -> int:
        """Characters the tools add to every request to ``model`` (for the context meter, on
        every key: the definitions are measured once)."""
        if not self.offers(conversation, model):
            return 0
        if not self.offered_size:
            import json

            self.offered_size = len(json.dumps([spec.to_api() for spec in self.specs]))
        return self.offered_size

    def _refusal(self, model: ModelInfo | None) -> Literal["unknown", "cannot"] | None:
        """Why the list's (or config.toml's) word on ``model`` keeps the tools from it (None:
        it calls tools)."""
        if model is not None and model.supports_tool_calling:
            return None
        return "unknown" if model is None or not model.capabilities_known else "cannot"

    def label(
        self, conversation: Conversation, model: ModelInfo | None, comparing: bool = False
    ) -> str | None:
        """The status bar's word on tools, short enough for 80 columns beside the meter and
        the total (None: no servers configured)."""
        if not self.configured:
            return None
        if conversation.options.tools is False:
            return "tools off (chat: tools)"
        if comparing:
            return "no tools when comparing"
        if self.state == "starting":
            return "tools: starting…"
        if not self.specs:
            return "tools: none (no server started)"
        refusal = self._refusal(model)
        if refusal is not None:
            why = "model support unknown" if refusal == "unknown" else "model can't call them"
            return f"no tools: {why}"
        servers = len({spec.server for spec in self.specs})
        failed = f", {len(self.failures)} failed" if self.failures else ""
        return f"tools: {len(self.specs)} from {plural(servers, 'server')}{failed}"

    def untold(self, told: Iterable[str]) -> tuple[list[ServerFailure], list[str]]:
        """The failures of this start not told at an earlier one (the same server with the
        same command or URL: a toast at every start of the app said nothing new), and what
        to remember for the next start (a server that starts again is forgotten)."""

        def key(name: str) -> str:
            config = next((c for c in self.settings.mcp if c.name == name), None)
            target = (" ".join(config.command) or config.url or "") if config else ""
            return f"{name} {target}"

        known = set(told)
        new = [f for f in self.failures if key(f.server) not in known]
        return new, sorted({key(f.server) for f in self.failures})

    def not_offered(self, conversation: Conversation, model: ModelInfo | None) -> str | None:
        """Why a model is not offered the tools, in a sentence (None: it is, or there are no
        tools to offer)."""
        refusal = self._refusal(model)
        if not self.wanted(conversation) or not self.specs or refusal is None:
            return None
        name = model.id if model is not None else conversation.model
        if refusal == "unknown":
            return (f"tools not offered: the model list does not say whether {name} calls tools "
                    f"(if it does: {declare(name, 'tools')})")  # fmt: skip
        return f"tools not offered: {name} does not call tools"

    # -- one call ------------------------------------------------------------------------------

    def resolve(self, call: ToolCall) -> ToolSpec | None:
        """The tool a call names (its server and tool are written on the call)."""
        for spec in self.specs:
            if spec.function == call.name:
                call.server, call.tool = spec.server, spec.name
                return spec
        return None

    def runs_unasked(self, conversation: Conversation, spec: ToolSpec) -> bool:
        config = self._host.config(spec.server) if self._host is not None else None
        if config is not None and config.auto_approves(spec.name):
            return True
        return (spec.server, spec.name) in self.allowed.get(conversation.id, set())

    def allow_always(self, conversation: Conversation, spec: ToolSpec) -> None:
        self.allowed.setdefault(conversation.id, set()).add((spec.server, spec.name))

    def allowed_in(self, conversation: Conversation) -> list[str]:
        """What the user said "always" to in this conversation, as ``server › tool``."""
        return [
            f"{server} › {tool}" for server, tool in sorted(self.allowed.get(conversation.id, ()))
        ]

    def allowed_label(self, conversation: Conversation) -> str | None:
        """The status bar's word on it (None: nothing is): it must be seen to be taken back."""
        allowed = self.allowed_in(conversation)
        if not allowed:
            return None
        if len(allowed) == 1:
            return f"{allowed[0]} always allowed"
        return f"{len(allowed)} tools always allowed"

    def revoke(self, conversation: Conversation) -> list[str]:
        """Every call asks again in this conversation; what was allowed."""
        allowed = self.allowed_in(conversation)
        self.allowed.pop(conversation.id, None)
        return allowed

    async def call(self, spec: ToolSpec, arguments: dict[str, Any]) -> ToolOutput:
        if self._host is None:
            return ToolOutput(f"The {spec.server} server is not running.", is_error=True)
        output: ToolOutput = await self._host.call(spec.server, spec.name, arguments)
        return output

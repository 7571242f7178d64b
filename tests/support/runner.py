"""The reply runner's tests' shared parts: one event loop per test module with the local
router, the app's shared connection and a real MCP server (``tests/support/mcp_server.py``,
started once: the SDK takes ~1 s), and an observer that records what it is told (it stands
in for the UI; the thing under test is the runner)."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from requesty_tui.chat.connection import Connection
from requesty_tui.chat.runner import ReplyObserver, ReplyRunner
from requesty_tui.chat.tool_loop import Decision
from requesty_tui.chat.toolbox import Toolbox
from requesty_tui.chat.turn import Turn, start_turn
from requesty_tui.client.events import StreamEvent, TextDelta
from requesty_tui.core.domain import Conversation, Message, ModelInfo
from requesty_tui.core.settings import Settings
from requesty_tui.core.tools import McpServerConfig, ToolCall, ToolSpec
from requesty_tui.testing.router import RouterServer

SERVER = Path(__file__).resolve().parents[1] / "support" / "mcp_server.py"
LIMIT = 3
"""``max_tool_rounds`` of the shared toolbox (the property test scripts up to 4 rounds)."""
T = TypeVar("T")


def tool_model(model: str) -> ModelInfo:
    """What the model list says of any model here: it calls tools."""
    return ModelInfo(model, supports_tool_calling=True, capabilities_known=True)


@dataclasses.dataclass
class Env:
    """One event loop for the module: the MCP server starts once (the SDK takes ~1 s)."""

    loop: asyncio.Runner
    router: RouterServer
    settings: Settings
    connection: Connection
    toolbox: Toolbox
    models: Iterator[int] = dataclasses.field(default_factory=itertools.count)

    def run(self, coro: Awaitable[T]) -> T:
        async def wrapped() -> T:
            return await coro

        return self.loop.run(wrapped())

    def new_model(self) -> str:
        """A model id of its own: its replies are queued for it alone, so a request of an
        earlier, cancelled example can never take them."""
        return f"test/m{next(self.models)}"


def start_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """For a module-scoped fixture: ``yield from start_env(tmp_path_factory)``."""
    with pytest.MonkeyPatch.context() as patch:
        home = tmp_path_factory.mktemp("xdg")
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            patch.setenv(var, str(home / var.lower()))
        router = RouterServer().start()
        config = McpServerConfig("t", command=(sys.executable, str(SERVER)), auto_approve=("echo",))
        base = Settings(api_key="test-key-123", base_url=router.base_url, stall_timeout=2.0,
                        connect_timeout=2.0, retry_base_delay=0.05)  # fmt: skip
        tool_settings = dataclasses.replace(base, mcp=(config,), max_tool_rounds=LIMIT)
        loop = asyncio.Runner()
        toolbox = Toolbox(tool_settings)
        assert loop.run(toolbox.start()) == []
        connection = Connection(base)
        try:
            yield Env(loop, router, base, connection, toolbox)
        finally:
            loop.run(toolbox.close())
            loop.run(connection.aclose())
            loop.close()
            router.stop()


class Told(ReplyObserver):
    """Records what the runner tells a front end, in order; answers questions from a list."""

    def __init__(self, decisions: list[Decision] | None = None) -> None:
        self.told: list[tuple[str, Any]] = []
        self.decisions = list(decisions or [])
        self.on_point: Callable[[str], None] = lambda _what: None

    def _tell(self, what: str, detail: Any = None) -> None:
        self.told.append((what, detail))
        self.on_point(what)

    def names(self) -> list[str]:
        return [what for what, _ in self.told if what != "event"]

    def text(self) -> str:
        return "".join(e.text for w, e in self.told if w == "event" and isinstance(e, TextDelta))

    def event(self, turn: Turn, event: StreamEvent) -> None:
        self._tell("event", event)

    def waiting_for_tools(self, waiting: bool) -> None:
        self._tell("waiting_for_tools", waiting)

    def save(self) -> None:
        self._tell("save")

    async def round_ended(self, turn: Turn) -> None:
        self._tell("round_ended", [c.name for c in turn.answer.tool_calls])

    async def ask(self, call: ToolCall, spec: ToolSpec) -> Decision:
        self._tell("ask", call.name)
        return self.decisions.pop(0) if self.decisions else "once"

    def tool_running(self, call: ToolCall) -> None:
        self._tell("tool_running", call.name)

    def tool_answered(self, call: ToolCall, result: Message) -> None:
        self._tell("tool_answered", (call.id, result.tool_status))

    async def new_round(self, turn: Turn) -> None:
        self._tell("new_round", turn)


def call(name: str, arguments: str, call_id: str) -> dict[str, str]:
    return {"id": call_id, "name": name, "arguments": arguments}


def make_runner(
    env: Env, text: str, model: str, told: Told, *, tools: bool = True, **more: Any
) -> tuple[Conversation, ReplyRunner]:
    conversation = Conversation(id=f"c-{model}", model=model)
    turn = start_turn(conversation, text, model)
    runner = ReplyRunner(
        conversation, turn, env.connection.ready, models=tool_model,
        toolbox=env.toolbox if tools else None, observer=told, **more,
    )  # fmt: skip
    return conversation, runner


def bodies(env: Env, model: str) -> list[dict[str, Any]]:
    return [r["body"] for r in env.router.chat_requests() if r["body"]["model"] == model]

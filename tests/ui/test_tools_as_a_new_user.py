"""Tools as a new user met them (issue 23): what "always" allowed and taking it back, the first
message while the servers start, restarting them after config.toml changed, a call of a tool
that was never offered, the notifications of a failing server, and ``tools: list``."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot

from requesty_tui.core.settings import Settings
from requesty_tui.core.tools import McpServerConfig
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.widgets.status_line import StatusLine
from requesty_tui.ui.widgets.tool_call import ToolCallBlock
from tests.support.ui import chat_screen, send, wait_for

pytestmark = pytest.mark.timeout(60)

SERVER = Path(__file__).resolve().parents[1] / "support" / "mcp_server.py"


def server(name: str = "t", *args: str, **config: object) -> McpServerConfig:
    return McpServerConfig(name, command=(sys.executable, str(SERVER), *args), **config)  # type: ignore[arg-type]


def with_tools(settings: Settings, *servers: McpServerConfig) -> Settings:
    return dataclasses.replace(settings, mcp=servers or (server(),))


def call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, str]:
    return {"id": call_id, "name": name, "arguments": arguments}


def shown(widget: object) -> str:
    render = widget.render()  # type: ignore[attr-defined]
    return str(getattr(render, "plain", render))


def status(screen: ChatScreen) -> str:
    return shown(screen.query_one(StatusLine))


async def ready(pilot: Pilot[object]) -> ChatScreen:
    screen = chat_screen(pilot.app)
    toolbox = screen.services.toolbox
    await wait_for(pilot, lambda: screen.services.catalogue.models, what="the model list")
    await wait_for(pilot, lambda: toolbox.state == "ready", what="the MCP servers", timeout=20)
    return screen


async def test_a_call_of_tools_never_offered_says_so(
    router: RouterServer, settings: Settings
) -> None:
    """No tools configured, yet the model answers with a call: it was not stopped."""
    router.queue(Reply(text="", tool_calls=[call("read_file", '{"path": "/etc/hosts"}')]))
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = chat_screen(app)
        await send(pilot, "read my hosts file")
        await wait_for(pilot, lambda: screen.query(ToolCallBlock) and not screen.streaming,
                       what="the reply with its call")  # fmt: skip
        await wait_for(pilot, lambda: screen.saver.idle, what="the save")
        block = screen.query_one(ToolCallBlock)
        header = shown(block.header)
        assert "no tools were offered to this model" in header, header
        assert "stopped" not in header
        conversation_id = screen.conversation.id
    conversation = SessionStore().load(conversation_id)
    app = RequestyApp(settings, conversation=conversation)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = chat_screen(app)
        await wait_for(pilot, lambda: screen.query(ToolCallBlock), what="the call on resume")
        header = shown(screen.query_one(ToolCallBlock).header)
        # Whether tools were offered is not saved (a kill -9 as it asked looks the same).
        assert "not run (never answered)" in header and "stopped" not in header, header

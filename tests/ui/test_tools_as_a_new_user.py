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
from tests.support.mcp_config import write_config
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


async def answer(pilot: Pilot[object], screen: ChatScreen, decision: str) -> None:
    """The call asks: answer it the deliberate way (ctrl+g, the choice, Enter)."""
    from tests.ui.test_tools import answer as answer_with_keys
    from tests.ui.test_tools import asking

    await wait_for(pilot, lambda: asking(screen) is not None, what="a tool call asking")
    await answer_with_keys(pilot, screen, decision)


async def test_always_allowed_is_shown_and_can_be_taken_back(
    router: RouterServer, settings: Settings
) -> None:
    from requesty_tui.ui.screens.dialogs import TextViewer
    from tests.support.ui import run_command

    router.queue(
        Reply(text="", tool_calls=[call("echo", '{"text": "one"}')]),
        Reply(text="ok"),
        Reply(text="", tool_calls=[call("echo", '{"text": "two"}', "call_2")]),
        Reply(text="fine"),
    )  # fmt: skip
    app = RequestyApp(with_tools(settings))
    # 80x24: the status bar drops pieces to fit, and this one must never be dropped.
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert "always allowed" not in status(screen)
        await send(pilot, "first")
        await answer(pilot, screen, "always")
        await wait_for(pilot, lambda: not screen.streaming, what="the first turn")
        await wait_for(pilot, lambda: "t › echo always allowed" in status(screen),
                       what="the status bar to say what is allowed")  # fmt: skip
        await run_command(pilot, "tools: list")
        await wait_for(pilot, lambda: isinstance(app.screen, TextViewer), what="the list")
        await wait_for(pilot, lambda: app.screen.query("#viewer-body Static"), what="its text")
        listing = shown(app.screen.query_one("#viewer-body Static"))
        assert "Always allowed in this conversation: t › echo" in listing
        assert "• echo: Return the text as given. (always allowed here)" in listing
        await pilot.press("escape")
        await run_command(pilot, "tools: revoke always-allow")
        await wait_for(pilot, lambda: "always allowed" not in status(screen),
                       what="the status bar to drop it")  # fmt: skip
        # The next call asks again.
        await send(pilot, "second")
        await answer(pilot, screen, "once")
        await wait_for(pilot, lambda: not screen.streaming, what="the second turn")
        assert len(router.chat_requests()) == 4


async def test_tools_list_indents_a_wrapped_description(
    router: RouterServer, settings: Settings
) -> None:
    from requesty_tui.ui.screens.dialogs import TextViewer
    from tests.support.ui import run_command

    app = RequestyApp(with_tools(settings))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await run_command(pilot, "tools: list")
        await wait_for(pilot, lambda: isinstance(app.screen, TextViewer), what="the list")
        await wait_for(pilot, lambda: app.screen.query("#viewer-body Static"), what="its text")
        await pilot.pause()
        body = app.screen.query_one("#viewer-body Static")
        lines = [body.render_line(y).text.rstrip() for y in range(body.size.height)]
        first = next(n for n, line in enumerate(lines) if "• described:" in line)
        start = lines[first].index("A [bold red]")
        entry = [lines[first]]
        for line in lines[first + 1 :]:
            if not line.strip() or "•" in line:
                break
            entry.append(line)
        assert len(entry) > 1, "the description is longer than the line: it wraps"
        for line in entry[1:]:
            assert line[:start].strip() == "", f"under the description: {entry}"
        assert " ".join(" ".join(entry).split()).endswith("␛]0;title␇ in it.")


async def test_the_first_message_waits_for_the_servers(
    router: RouterServer, settings: Settings
) -> None:
    """Sent while the servers start: it waits for them (the reply's header says so; Esc still
    stops), then goes with their tools."""
    router.queue(Reply(text="", tool_calls=[call("echo", '{"text": "hi"}')]), Reply(text="ok"))
    slow = server("t", "--start-delay", "4", auto_approve=("echo",))
    app = RequestyApp(with_tools(settings, slow))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = chat_screen(app)
        toolbox = screen.services.toolbox
        await wait_for(pilot, lambda: screen.services.catalogue.models, what="the model list")
        assert toolbox.state == "starting"
        await send(pilot, "stop before it goes")
        reply = screen.query("AssistantMessage").last()
        await wait_for(pilot, lambda: "waiting for the tools to start" in shown(reply.header),
                       what="the header to say why it waits")  # fmt: skip
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="Esc to stop the wait")
        assert router.chat_requests() == [], "nothing was sent"
        prompt = screen.query_one("PromptInput")
        assert prompt.text == "stop before it goes"  # type: ignore[attr-defined]
        prompt.clear()  # type: ignore[attr-defined]
        assert toolbox.state == "starting", "the servers are still starting"
        await send(pilot, "echo hi")
        await wait_for(pilot, lambda: not screen.streaming and len(router.chat_requests()) == 2,
                       what="the turn, once the servers are up", timeout=30)  # fmt: skip
        first = router.chat_requests()[0]["body"]
        assert {t["function"]["name"] for t in first.get("tools", [])} >= {"echo"}
        assert "hi" in shown(screen.query_one(ToolCallBlock).output)


async def test_restarting_the_servers_reads_config_toml_again(
    router: RouterServer, settings: Settings
) -> None:
    from tests.support.ui import run_command

    first = server("t", "--only", "slow", auto_approve=("slow",))
    write_config(first)
    router.queue(Reply(text="", tool_calls=[call("slow", '{"seconds": 30}')]), Reply(text="ok"))
    app = RequestyApp(with_tools(settings, first))
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        screen = await ready(pilot)
        toolbox = screen.services.toolbox
        assert [s.name for s in toolbox.specs] == ["slow"]
        # A fixed command and a new timeout: no need to restart the app.
        write_config(server("t", "--only", "slow,add", auto_approve=("slow",), timeout=1.0))
        await run_command(pilot, "tools: restart servers")
        await wait_for(pilot, lambda: toolbox.state == "ready" and len(toolbox.specs) == 2,
                       what="the servers of the new config", timeout=20)  # fmt: skip
        assert "tools: 2 from 1 server" in status(screen)
        await send(pilot, "sleep")
        await wait_for(pilot, lambda: not screen.streaming, what="the call to time out", timeout=20)
        output = shown(screen.query_one(ToolCallBlock).output)
        assert "did not answer within 1 s" in output, output
        # A broken file is said as at start; the running servers are kept.
        write_config(broken=True)
        before = len(app._notifications)
        await run_command(pilot, "tools: restart servers")
        await wait_for(pilot, lambda: len(app._notifications) > before, what="the error")
        said = list(app._notifications)[-1].message
        assert "config.toml" in said and "not valid TOML" in said, said
        assert toolbox.state == "ready" and len(toolbox.specs) == 2
        assert "tools: 2 from 1 server" in status(screen)


async def test_a_failing_server_is_told_once_then_the_status_bar_says_it(
    router: RouterServer, settings: Settings
) -> None:
    """Told at the first start; at the next starts of the app the status bar says it (the
    same server, the same command). Toasts leave the input box and the status bar readable."""
    from textual.widgets._toast import Toast

    from requesty_tui.ui.widgets.prompt_input import PromptInput

    broken = server("db", "--fail-start", "cannot open /var/db.sqlite")
    configured = with_tools(settings, broken, server())
    for start in (1, 2):
        app = RequestyApp(configured)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            screen = await ready(pilot)
            await pilot.pause()
            said = [n.message for n in app._notifications if "cannot open" in n.message]
            assert len(said) == (1 if start == 1 else 0), (start, said)
            assert "1 failed" in status(screen), status(screen)
            if start == 1:
                await wait_for(pilot, lambda s=screen: s.query(Toast), what="the toast")
                covered = [
                    screen.query_one(PromptInput).region,
                    screen.query_one(StatusLine).region,
                ]
                for toast in screen.query(Toast):
                    assert not any(toast.region.overlaps(r) for r in covered), toast.region
    # Another command: told again.
    app = RequestyApp(with_tools(settings, server("db", "--fail-start", "still broken"), server()))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        assert [n.message for n in app._notifications if "still broken" in n.message]

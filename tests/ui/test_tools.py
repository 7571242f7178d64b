"""Tools in the chat, against a real MCP server over stdio (``tests/support/mcp_server.py``) and
the local router scripted to call them: approve, always, decline, Esc during a call, a
crashing and a hanging server, markup in a result, failures as results, resume."""

from __future__ import annotations

import dataclasses
import json
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
from requesty_tui.ui.widgets.message import AssistantMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from requesty_tui.ui.widgets.status_line import StatusLine
from requesty_tui.ui.widgets.tool_call import ToolCallBlock
from tests.support.ui import chat_screen, send, type_text, wait_for

pytestmark = pytest.mark.timeout(60)

SERVER = Path(__file__).resolve().parents[1] / "support" / "mcp_server.py"


def server(name: str = "t", *args: str, **config: object) -> McpServerConfig:
    return McpServerConfig(name, command=(sys.executable, str(SERVER), *args), **config)  # type: ignore[arg-type]


def with_tools(settings: Settings, *servers: McpServerConfig, **more: object) -> Settings:
    return dataclasses.replace(settings, mcp=servers or (server(),), **more)  # type: ignore[arg-type]


def call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, str]:
    return {"id": call_id, "name": name, "arguments": arguments}


async def ready(pilot: Pilot[object]) -> ChatScreen:
    """The model list (it says which models call tools) and the servers are there."""
    screen = chat_screen(pilot.app)
    toolbox = screen.services.toolbox
    await wait_for(pilot, lambda: screen.services.catalogue.models, what="the model list")
    await wait_for(pilot, lambda: toolbox.state == "ready", what="the MCP servers", timeout=20)
    return screen


def blocks(screen: ChatScreen) -> list[ToolCallBlock]:
    return list(screen.query(ToolCallBlock))


def asking(screen: ChatScreen) -> ToolCallBlock | None:
    return next((b for b in blocks(screen) if b.asking), None)


async def wait_asked(pilot: Pilot[object], screen: ChatScreen) -> ToolCallBlock:
    """A call asks; the input box keeps the focus (the question never takes it)."""
    await wait_for(pilot, lambda: asking(screen) is not None, what="a tool call asking")
    block = asking(screen)
    assert block is not None
    await pilot.pause()
    assert screen.focused is screen.query_one(PromptInput), "the question took the focus"
    return block


async def answer(pilot: Pilot[object], screen: ChatScreen, decision: str) -> None:
    """The deliberate act: ctrl+g to the question, right to the choice, Enter."""
    block = asking(screen)
    assert block is not None
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: screen.focused is block, what="ctrl+g to the question")
    await wait_for(pilot, lambda: "left/right choose · Enter answers" in shown(block.question),
                   what="the question saying how, now that it has the focus")  # fmt: skip
    steps = ["once", "always", "decline"].index(decision)
    await pilot.press(*["right"] * steps, "enter")


async def answer_turn(
    pilot: Pilot[object], screen: ChatScreen, text: str, decision: str
) -> ToolCallBlock:
    """Send ``text``, answer its call's question (``decision``), wait for the turn's end."""
    await send(pilot, text)
    block = await wait_asked(pilot, screen)
    await answer(pilot, screen, decision)
    await wait_for(pilot, lambda: not screen.streaming, what="the turn to end")
    return block


def shown(widget: object) -> str:
    render = widget.render()  # type: ignore[attr-defined]
    return str(getattr(render, "plain", render))


def tool_messages(body: dict[str, object]) -> list[dict[str, object]]:
    return [m for m in body["messages"] if m["role"] == "tool"]  # type: ignore[attr-defined,index]


async def test_an_approved_call_runs_and_the_model_goes_on(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(
        Reply(text="Let me echo that.", tool_calls=[call("echo", '{"text": "hello tools"}')],
              usage={"prompt_tokens": 30, "completion_tokens": 10, "cost": 0.001}),
        Reply(text="The tool echoed hello.", usage={"prompt_tokens": 50,
              "completion_tokens": 5, "cost": 0.002}),
    )  # fmt: skip
    app = RequestyApp(with_tools(settings))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await ready(pilot)
        status = shown(screen.query_one(StatusLine))
        count = len(screen.services.toolbox.specs)
        assert count >= 9 and f"tools: {count} from 1 server" in status
        await send(pilot, "please echo")
        block = await wait_asked(pilot, screen)
        assert shown(block.header) == "⚙ t › echo · waiting for you"
        assert '"text": "hello tools"' in shown(block.arguments)
        assert shown(block.question) == (
            "Run this tool?  ctrl+g goes here, then Enter answers · Esc stops the turn"
        )
        assert [shown(c).strip() for c in block.choices] == [
            "Run once", "Always allow in this chat", "Decline"]  # fmt: skip
        first = router.chat_requests()[0]["body"]
        names = {t["function"]["name"] for t in first["tools"]}
        assert {"echo", "add", "slow", "crash"} <= names and first["tool_choice"] == "auto"
        assert len(router.chat_requests()) == 1, "nothing runs before the user says so"
        await answer(pilot, screen, "once")
        await wait_for(pilot, lambda: not screen.streaming, what="the turn to end")
        assert "hello tools" in shown(block.output) and "done" in shown(block.header)
        second = router.chat_requests()[1]["body"]
        assistant = second["messages"][-2]
        assert assistant["tool_calls"][0]["function"] == {
            "name": "echo", "arguments": '{"text": "hello tools"}'}  # fmt: skip
        assert tool_messages(second) == [
            {"role": "tool", "tool_call_id": "call_1", "content": "hello tools"}]  # fmt: skip
        replies = list(screen.query(AssistantMessage))
        assert len(replies) == 2 and replies[-1].text == "The tool echoed hello."
        assert "2 requests" in shown(replies[-1].header)
        assert "$0.003" in shown(replies[-1].header), "cost sums over the whole turn"
        assert screen.focused is screen.query_one(PromptInput)
        await wait_for(pilot, lambda: screen.saver.idle)
        conversation_id = screen.conversation.id
    text = SessionStore().path_for(conversation_id).read_text()
    assert text.startswith("format = 4") and 'role = "tool"' in text
    assert "[[messages.tool_calls]]" in text

    # Resumed: the call and its result are where they were.
    conversation = SessionStore().load(conversation_id)
    app = RequestyApp(with_tools(settings), conversation=conversation)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = chat_screen(app)
        await wait_for(pilot, lambda: blocks(screen), what="the call on resume")
        [block] = blocks(screen)
        assert "t › echo · done" in shown(block.header)
        assert "hello tools" in shown(block.output)
        assert [r.text for r in screen.query(AssistantMessage)] == [
            "Let me echo that.", "The tool echoed hello."]  # fmt: skip


async def test_always_then_decline(router: RouterServer, settings: Settings) -> None:
    router.queue(
        Reply(text="", tool_calls=[call("echo", '{"text": "one"}')]),
        Reply(text="ok"),
        Reply(text="", tool_calls=[call("echo", '{"text": "two"}', "call_2"),
                                   call("add", '{"a": 2, "b": 3}', "call_3")]),
        Reply(text="fine"),
    )  # fmt: skip
    app = RequestyApp(with_tools(settings))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await ready(pilot)
        await answer_turn(pilot, screen, "first", "always")
        await send(pilot, "second")
        block = await wait_asked(pilot, screen)
        assert "t › add" in shown(block.header), "echo is always allowed now: add asks"
        echo_block = next(b for b in blocks(screen) if b.call.id == "call_2")
        assert "two" in shown(echo_block.output)
        await answer(pilot, screen, "decline")
        await wait_for(pilot, lambda: not screen.streaming, what="the second turn")
        assert "declined" in shown(block.header)
        results = tool_messages(router.chat_requests()[-1]["body"])
        assert results[-2]["content"] == "two"
        assert results[-1] == {"role": "tool", "tool_call_id": "call_3",
                               "content": "The user declined to run this tool call."}  # fmt: skip


async def test_esc_during_a_call_stops_the_turn_and_typing_goes_on(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text="", tool_calls=[call("slow", '{"seconds": 30}')]))
    app = RequestyApp(with_tools(settings))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "take your time")
        block = await wait_asked(pilot, screen)
        await answer(pilot, screen, "once")
        await wait_for(pilot, lambda: "running" in shown(block.header), what="the call to run")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, timeout=5, what="Esc to stop it")
        assert "stopped" in shown(block.header)
        result = screen.conversation.messages[-1]
        assert result.role == "tool" and result.tool_status == "cancelled"
        assert result.content.startswith("Stopped while it ran"), "it had started: not 'not run'"
        assert len(router.chat_requests()) == 1, "a stopped turn does not ask the model again"
        await type_text(pilot, "still here")
        assert screen.query_one(PromptInput).text == "still here"


async def test_esc_while_asked_stops_the_turn(router: RouterServer, settings: Settings) -> None:
    router.queue(Reply(text="", tool_calls=[call("echo", '{"text": "x"}')]))
    app = RequestyApp(with_tools(settings))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "hi")
        block = await wait_asked(pilot, screen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="the turn to stop")
        assert "stopped" in shown(block.header) and not block.asking
        assert screen.conversation.messages[-1].tool_status == "cancelled"


async def test_a_crashing_and_a_hanging_server_are_results(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(
        Reply(text="", tool_calls=[call("crash", "{}")]),
        Reply(text="It crashed."),
        Reply(text="", tool_calls=[call("slow", '{"seconds": 30}', "call_2")]),
        Reply(text="It hung."),
    )  # fmt: skip
    hanging = server("h", "--only", "slow", auto_approve=("slow",), timeout=1.0)
    crashing = server("c", "--only", "crash", auto_approve=("crash",))
    app = RequestyApp(with_tools(settings, crashing, hanging))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "crash it")
        await wait_for(pilot, lambda: not screen.streaming, timeout=15, what="the crash")
        [block] = blocks(screen)
        assert "failed" in shown(block.header)
        assert "crashing on purpose" in shown(block.output)
        crashed = tool_messages(router.chat_requests()[1]["body"])[0]["content"]
        assert str(crashed).startswith("Error:")
        await send(pilot, "hang it")
        await wait_for(pilot, lambda: len(blocks(screen)) == 2 and "running" in
                       shown(blocks(screen)[-1].header), what="the hanging call")  # fmt: skip
        await type_text(pilot, "typing while it hangs")
        assert screen.query_one(PromptInput).text == "typing while it hangs"
        await wait_for(pilot, lambda: not screen.streaming, timeout=15, what="the timeout")
        hung = blocks(screen)[-1]
        assert "failed" in shown(hung.header) and "1 s" in shown(hung.output)
        assert screen.query(AssistantMessage).last().text == "It hung."


async def test_model_mistakes_are_results_without_asking(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(
        Reply(text="", tool_calls=[call("no_such_tool", "{}"),
                                   call("echo", '{"text": "unclosed', "call_2")]),
        Reply(text="Sorry."),
    )  # fmt: skip
    app = RequestyApp(with_tools(settings))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "do it wrong")
        await wait_for(pilot, lambda: not screen.streaming, what="the turn")
        unknown, broken = blocks(screen)
        assert "no_such_tool" in shown(unknown.header) and "failed" in shown(unknown.header)
        assert "no tool named 'no_such_tool'" in shown(unknown.output)
        assert "not valid JSON" in shown(broken.output)
        results = tool_messages(router.chat_requests()[1]["body"])
        assert [r["tool_call_id"] for r in results] == ["call_1", "call_2"]
        assert "available: echo" in str(results[0]["content"])


async def test_a_result_is_data_folded_and_cut(router: RouterServer, settings: Settings) -> None:
    router.queue(
        Reply(text="", tool_calls=[call("markup", "{}"), call("lines", '{"n": 40}', "call_2"),
                                   call("big", '{"kb": 8}', "call_3"),
                                   call("echo", json.dumps({"text": "z" * 3000}), "call_4")]),
        Reply(text="Read them."),
    )  # fmt: skip
    servers = server(auto_approve=("markup", "lines", "big", "echo"))
    app = RequestyApp(with_tools(settings, servers, max_tool_output=4096))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "show me")
        await wait_for(pilot, lambda: not screen.streaming, what="the turn")
        markup, lines, big, one_line = blocks(screen)
        text = shown(markup.output)
        assert "[bold red]not markup[/]" in text and "\x1b" not in text and "\x07" not in text
        folded = shown(lines.output)
        assert "line 4" in folded and "line 5\n" not in folded and "36 more lines" in folded
        lines.focus()
        await pilot.press("enter")
        assert "line 40" in shown(lines.output)
        assert "output cut" in shown(big.header) and "cut at max_tool_output" in shown(big.output)
        # One 3,000-character line (a JSON answer, a file passed as a string) folds too.
        assert len(shown(one_line.output)) < 400 and "the whole text · Enter opens" in shown(
            one_line.output)  # fmt: skip
        assert len(shown(one_line.arguments)) < 400
        one_line.focus()
        await pilot.press("enter")
        assert "z" * 3000 in shown(one_line.output)
        sent = tool_messages(router.chat_requests()[1]["body"])[2]["content"]
        assert "[output cut:" in str(sent) and len(str(sent).encode()) < 4096 + 200


async def test_rounds_are_limited(router: RouterServer, settings: Settings) -> None:
    router.queue(*[Reply(text="", tool_calls=[call("echo", f'{{"text": "{n}"}}', f"c{n}")])
                   for n in range(3)])  # fmt: skip
    app = RequestyApp(with_tools(settings, server(auto_approve=("echo",)), max_tool_rounds=2))
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        screen = await ready(pilot)
        await send(pilot, "loop forever")
        await wait_for(pilot, lambda: not screen.streaming, what="the turn")
        assert len(router.chat_requests()) == 2
        notices = [shown(n) for n in screen.query("Notice")]
        assert any("Stopped after 2 rounds of tool calls (max_tool_rounds)" in n for n in notices)


async def test_a_server_that_fails_to_start_is_one_notification(
    router: RouterServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTY_API_KEY", settings.api_key or "")
    broken = server("db", "--fail-start", "cannot open /var/db.sqlite")
    probe = server("t", env={"PROBE_SECRET": "hunter2-env"})
    router.queue(Reply(text="", tool_calls=[call("env_probe", '{"name": "REQUESTY_API_KEY"}'),
                                           call("env_probe", '{"name": "PROBE_SECRET"}', "c2")]),
                 Reply(text="checked"))  # fmt: skip
    app = RequestyApp(with_tools(settings, broken, probe))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await ready(pilot)
        said = [n.message for n in app._notifications if "db" in n.message]
        assert len(said) == 1 and "cannot open /var/db.sqlite" in said[0]
        count = len(screen.services.toolbox.specs)
        assert f"tools: {count} from 1 server" in shown(screen.query_one(StatusLine))
        await answer_turn(pilot, screen, "probe", "always")
        key, secret = blocks(screen)
        assert shown(key.output).splitlines()[-1] == "unset", "the key never reaches a server"
        assert shown(secret.output).splitlines()[-1] == "set"
        await wait_for(pilot, lambda: screen.saver.idle)
        conversation_id = screen.conversation.id
    text = SessionStore().path_for(conversation_id).read_text()
    assert "hunter2-env" not in text and (settings.api_key or "x") not in text


async def test_tools_list_and_off_per_conversation(
    router: RouterServer, settings: Settings
) -> None:
    from requesty_tui.ui.screens import chat_commands
    from requesty_tui.ui.screens.dialogs import TextViewer

    app = RequestyApp(with_tools(settings))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        chat_commands.list_tools(screen)
        await wait_for(pilot, lambda: isinstance(app.screen, TextViewer)
                       and app.screen.query("#viewer-body Static"), what="the list")  # fmt: skip
        listing = shown(app.screen.query_one("#viewer-body Static"))
        assert "• echo: Return the text as given." in listing
        # A server's description is data: its markup shows as typed, its escapes as symbols.
        assert "• described: A [bold red]description[/] with ␛[31mescapes␛[0m" in listing
        assert "\x1b" not in listing and "\x07" not in listing
        await pilot.press("escape")
        chat_commands.toggle_tools(screen)
        await pilot.pause()
        assert "tools off (chat: tools)" in shown(screen.query_one(StatusLine))
        await send(pilot, "no tools now")
        await wait_for(pilot, lambda: not screen.streaming, what="the reply")
        assert "tools" not in router.chat_requests()[-1]["body"]
        screen.conversation.model = "google/gemini-2.5-flash"
        chat_commands.toggle_tools(screen)
        await send(pilot, "this model does not call tools")
        await wait_for(pilot, lambda: not screen.streaming, what="the reply")
        assert "tools" not in router.chat_requests()[-1]["body"]
        assert "no tools: model can't call them" in shown(
            screen.query_one(StatusLine))  # fmt: skip


async def test_regenerating_a_tool_turn_asks_again(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(
        Reply(text="", tool_calls=[call("echo", '{"text": "a"}')]),
        Reply(text="First answer."),
        Reply(text="", tool_calls=[call("echo", '{"text": "b"}', "call_2")]),
        Reply(text="Second answer."),
    )  # fmt: skip
    app = RequestyApp(with_tools(settings))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await ready(pilot)
        await answer_turn(pilot, screen, "echo please", "once")
        await pilot.press("ctrl+r")
        block = await wait_asked(pilot, screen)
        assert block.call.id == "call_2", "a regeneration asks again"
        again = router.chat_requests()[2]["body"]["messages"]
        assert again[-1] == {"role": "user", "content": "echo please"}, "from the prompt"
        await answer(pilot, screen, "once")
        await wait_for(pilot, lambda: not screen.streaming, what="the second turn")
        assert screen.query(AssistantMessage).last().text == "Second answer."
        conversation = screen.conversation
        prompt = next(m for m in conversation.messages if m.role == "user")
        firsts = conversation.tree().children[prompt.id]
        assert len(firsts) == 2 and all(m.tool_calls for m in firsts)


async def test_keys_typed_for_the_input_never_answer_a_question(
    router: RouterServer, settings: Settings
) -> None:
    """Someone typing their next message while the reply streams: the question comes, the
    keys stay in the input box (an "a" of "and" once allowed a tool for the whole chat)."""
    router.queue(
        Reply(text="Thinking about it for a while.", chunk_chars=2, delay=0.03,
              tool_calls=[call("echo", '{"text": "hi"}')]),
        Reply(text="ok"),
    )  # fmt: skip
    app = RequestyApp(with_tools(settings))
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        screen = await ready(pilot)
        await send(pilot, "go")
        await type_text(pilot, "so yes and another thing")
        await wait_for(pilot, lambda: asking(screen) is not None, what="the question")
        block = asking(screen)
        assert block is not None
        await type_text(pilot, " n y")
        box = screen.query_one(PromptInput)
        assert box.text == "so yes and another thing n y", "every key is in the input"
        assert screen.focused is box and block.asking
        assert not screen.services.toolbox.allowed and len(router.chat_requests()) == 1
        assert any("ctrl+g goes to it" in n.message for n in app._notifications)
        await pilot.press("enter")  # issue 27: queued while a call asks, not sent
        queued = screen.session.drafts.queue.items
        assert box.text == "" and queued == ["so yes and another thing n y"]
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: screen.focused is block, what="ctrl+g to the question")
        await type_text(pilot, " y")  # an old habit: y is text, and goes to the input box
        assert box.text == " y" and screen.focused is box
        assert block.asking and len(router.chat_requests()) == 1
        await answer(pilot, screen, "once")
        await wait_for(pilot, lambda: len(router.chat_requests()) == 3, what="the queued one")
        assert "hi" in shown(block.output) and box.text == " y"
        last = router.chat_requests()[2]["body"]["messages"][-1]
        assert last == {"role": "user", "content": "so yes and another thing n y"}


async def test_a_question_never_takes_the_focus_and_typing_never_answers_it(
    router: RouterServer, settings: Settings
) -> None:
    """Issue 23: the input box is empty when the question comes; the next message typed a
    moment later ("also, what about…") once answered it with its "a": always allowed. Now
    the text lands in the input box whenever it is typed; a click on a choice answers."""
    router.queue(
        Reply(text="", tool_calls=[call("echo", '{"text": "x"}')]),
        Reply(text="declined, fine"),
    )  # fmt: skip
    app = RequestyApp(with_tools(settings))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "echo x")
        block = await wait_asked(pilot, screen)
        box = screen.query_one(PromptInput)
        await type_text(pilot, "also, what about the other file?")
        assert box.text == "also, what about the other file?" and screen.focused is box
        assert block.asking and not screen.services.toolbox.allowed
        assert len(router.chat_requests()) == 1, "nothing ran"
        # Focused (a click, tab, ctrl+g), typing still goes to the input box.
        block.focus()
        await pilot.pause()
        await type_text(pilot, " yes")
        assert box.text.endswith("file? yes") and block.asking
        await pilot.click(block.choices[2])
        await wait_for(pilot, lambda: not screen.streaming, what="the turn")
        assert "declined" in shown(block.header) and not screen.services.toolbox.allowed
        assert box.text == "also, what about the other file? yes"


async def test_a_signal_mid_call_and_esc_mid_arguments_leave_the_truth(
    router: RouterServer, settings: Settings
) -> None:
    long_arguments = json.dumps({"text": "x" * 80})
    router.queue(
        Reply(text="", tool_calls=[call("slow", '{"seconds": 30}'), call("add", '{"a": 1}', "c2")]),
        Reply(text="", chunk_chars=1, delay=0.05, tool_calls=[call("echo", long_arguments, "c3")]),
    )
    app = RequestyApp(with_tools(settings))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "slowly")
        block = await wait_asked(pilot, screen)
        await answer(pilot, screen, "once")
        await wait_for(pilot, lambda: "running" in shown(block.header), what="the call to run")
        screen.save_now_for_exit()  # what SIGTERM and SIGHUP do before the process ends
        saved = SessionStore().load(screen.conversation.id)
        results = [m for m in saved.messages if m.role == "tool"]
        assert [(r.tool_call_id, r.tool_status) for r in results] == [
            ("call_1", "cancelled"), ("c2", "cancelled")]  # fmt: skip
        assert results[0].content.startswith("Stopped while it ran")
        assert results[1].content.startswith("Not run")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="the stop")
        assert len([m for m in screen.conversation.messages if m.role == "tool"]) == 2

        await send(pilot, "again")
        await wait_for(pilot, lambda: any(b.call.id == "c3" for b in blocks(screen)),
                       what="a call streaming in")  # fmt: skip
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="the stop")
        streamed = next(b for b in blocks(screen) if b.call.id == "c3")
        assert shown(streamed.header) == "⚙ t › echo · not run (the reply was stopped)"
        sent = router.chat_requests()[-1]["body"]["messages"]
        assert [m["role"] for m in sent][-4:] == ["assistant", "tool", "tool", "user"]


async def test_restarting_the_servers_from_the_palette(
    router: RouterServer, settings: Settings
) -> None:
    """After a failed start (a first npx download, a server fixed meanwhile): no need to
    restart the app."""
    from tests.support.mcp_config import write_config
    from tests.support.ui import run_command

    broken = server("db", "--fail-start", "cannot open /var/db.sqlite")
    router.queue(Reply(text="", tool_calls=[call("echo", '{"text": "after"}')]), Reply(text="ok"))
    write_config(broken, server(auto_approve=("echo",)))  # a restart reads it again
    app = RequestyApp(with_tools(settings, broken, server(auto_approve=("echo",))))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await ready(pilot)
        toolbox = screen.services.toolbox
        before = list(toolbox.specs)
        assert len(toolbox.failures) == 1
        await run_command(pilot, "tools: restart servers")
        await wait_for(pilot, lambda: toolbox.state == "starting", what="the restart")
        await wait_for(pilot, lambda: toolbox.state == "ready", what="the servers", timeout=20)
        said = [n.message for n in app._notifications if "cannot open /var/db.sqlite" in n.message]
        assert len(said) == 2, "each start says once what failed"
        assert [s.name for s in toolbox.specs] == [s.name for s in before]
        await send(pilot, "after the restart")
        await wait_for(pilot, lambda: not screen.streaming, what="the turn")
        assert "after" in shown(blocks(screen)[-1].output)

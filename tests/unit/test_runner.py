"""The reply runner's rules without a screen, against the local router and a real MCP server:
a stream ends in an outcome, tool rounds ask through the observer, ``max_tool_rounds`` stops a
turn, an error or a missing file ends it, quitting mid-call records the truth, a title is
asked aside. Esc at any point: ``test_runner_property.py``."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from requesty_tui.chat import runner as runner_module
from requesty_tui.chat.runner import ReplyRunner
from requesty_tui.chat.titles import ask_title
from requesty_tui.chat.tool_loop import STOPPED_RUNNING
from requesty_tui.chat.toolbox import Toolbox
from requesty_tui.chat.turn import Turn, start_turn
from requesty_tui.core.domain import Attachment, Conversation, Message
from requesty_tui.core.tools import McpServerConfig
from requesty_tui.testing.router import Reply
from tests.support.runner import (
    LIMIT,
    SERVER,
    Env,
    Told,
    bodies,
    call,
    make_runner,
    start_env,
    tool_model,
)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from start_env(tmp_path_factory)


# -- a stream ---------------------------------------------------------------------------------


def test_a_stream_ends_in_a_kept_reply(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every event is shown as it comes; what streamed is saved on the way (a kill -9 loses
    at most SAVE_EVERY); the outcome keeps the reply."""
    monkeypatch.setattr(runner_module, "SAVE_EVERY", 0.0)
    model = env.new_model()
    env.router.queue_for(model, Reply(text="Hello there, friend.", chunk_chars=4))
    told = Told()
    conversation, runner = make_runner(env, "hi", model, told)
    held: list[bool] = []
    told.on_point = lambda _what: held.append(conversation.holds(runner.turn.answer))
    outcome = env.run(runner.run())
    assert outcome.kept and outcome.finish_reason == "stop" and outcome.give_back is None
    assert told.text() == "Hello there, friend."
    saves = [i for i, (what, _) in enumerate(told.told) if what == "save"]
    assert saves and held[saves[0]] and saves[0] < len(told.told) - 1, "saved mid-stream"
    assert [m.role for m in conversation.messages] == ["user", "assistant"]
    assert conversation.messages[-1].content == "Hello there, friend."
    assert runner.outcome is outcome and not runner.rounds
    assert bodies(env, model)[0]["messages"][-1] == {"role": "user", "content": "hi"}


def test_an_error_before_anything_gives_the_prompt_back(env: Env) -> None:
    model = env.new_model()
    env.router.queue_for(model, Reply(status=400, error_message="Bad request body"))
    conversation, runner = make_runner(env, "my question", model, Told())
    outcome = env.run(runner.run())
    assert not outcome.kept and outcome.finish_reason == "error"
    assert outcome.give_back == "my question" and conversation.messages == []
    assert runner.turn.error is not None and "Bad request body" in str(runner.turn.error)
    assert any("Bad request body" in n for n in outcome.notices)


def test_a_missing_attachment_is_an_error_not_a_crash(env: Env) -> None:
    model = env.new_model()
    told = Told()
    _conversation, runner = make_runner(env, "see the file", model, told)
    gone = Attachment(name="notes.txt", sha256="0" * 64, size=5, kind="text", mime="text/plain")
    runner.turn.prompt.attachments = [gone]
    outcome = env.run(runner.run())
    assert outcome.give_back == "see the file" and outcome.notices[0].startswith("Not sent:")
    assert bodies(env, model) == [], "nothing was sent"


def test_a_prebuilt_request_is_sent_as_it_is_and_since_keeps_later_requests_short(
    env: Env,
) -> None:
    """A comparison's request (built with the others') goes as it is; ``since`` (the recent
    turns that fit) cuts every request of the turn, the tool rounds' too."""
    model = env.new_model()
    env.router.queue_for(
        model,
        Reply(text="", tool_calls=[call("echo", '{"text": "x"}', "c1")]),
        Reply(text="Done."),
    )
    conversation = Conversation(id="c-since", model=model)
    old = [Message(role="user", content="old question"), Message(role="assistant", content="a")]
    conversation.messages.extend(old)
    turn = start_turn(conversation, "new question", model)
    runner = ReplyRunner(conversation, turn, env.connection.ready, models=tool_model,
                         toolbox=env.toolbox, since=turn.prompt, observer=Told())  # fmt: skip
    assert env.run(runner.run()).kept
    for body in bodies(env, model):
        assert "old question" not in json.dumps(body["messages"])
    assert len(bodies(env, model)) == 2

    model = env.new_model()
    env.router.queue_for(model, Reply(text="As built."))
    from requesty_tui.chat.request import build_request

    request = build_request(conversation, None, model, [turn.prompt])
    other = Turn(conversation, turn.prompt, model, prompt_is_new=False)
    runner = ReplyRunner(conversation, other, env.connection.ready, request=request)
    assert env.run(runner.run()).kept
    sent = bodies(env, model)
    assert len(sent) == 1 and "tools" not in sent[0] and len(sent[0]["messages"]) == 1


# -- tool rounds -----------------------------------------------------------------------------


def test_tool_rounds_ask_through_the_observer(env: Env) -> None:
    """An auto-approved tool runs unasked; another asks (declined here, then allowed once);
    each round ends, its results go back in a new request, the last answer ends the turn."""
    model = env.new_model()
    env.router.queue_for(
        model,
        Reply(text="Let me.", tool_calls=[call("echo", '{"text": "hi"}', "c1"),
                                          call("add", '{"a": 1, "b": 2}', "c2")]),
        Reply(text="", tool_calls=[call("add", '{"a": 2, "b": 5}', "c3")]),
        Reply(text="All done."),
    )  # fmt: skip
    told = Told(["decline", "once"])
    conversation, runner = make_runner(env, "use tools", model, told)
    outcome = env.run(runner.run())
    assert outcome.kept and outcome.finish_reason == "stop" and len(runner.rounds) == 2
    assert [n for n in told.names() if n != "save"] == [
        "round_ended", "tool_running", "tool_answered", "ask", "tool_answered", "new_round",
        "round_ended", "ask", "tool_running", "tool_answered", "new_round",
    ]  # fmt: skip
    results = [m for m in conversation.messages if m.role == "tool"]
    assert [(m.tool_call_id, m.tool_status, m.content) for m in results] == [
        ("c1", "ok", "hi"), ("c2", "declined", results[1].content), ("c3", "ok", "7")]  # fmt: skip
    sent = bodies(env, model)
    assert [m["role"] for m in sent[1]["messages"]] == ["user", "assistant", "tool", "tool"]
    assert sent[2]["messages"][-1] == {"role": "tool", "tool_call_id": "c3", "content": "7"}
    assert conversation.messages[-1].content == "All done."
    assert conversation.messages[0].tool_calls == [] and conversation.messages[1].tool_calls


def test_max_tool_rounds_stops_the_turn(env: Env) -> None:
    model = env.new_model()
    env.router.queue_for(model, *[
        Reply(text="", tool_calls=[call("echo", f'{{"text": "{n}"}}', f"c{n}")])
        for n in range(LIMIT + 1)
    ])  # fmt: skip
    conversation, runner = make_runner(env, "loop", model, Told())
    outcome = env.run(runner.run())
    assert runner.limited and len(runner.rounds) == LIMIT
    assert len(bodies(env, model)) == LIMIT, "the last results were not sent"
    assert outcome.kept and outcome.finish_reason == "tool_calls"
    assert runner.notices == [
        f"Stopped after {LIMIT} rounds of tool calls (max_tool_rounds): the last results were "
        "not sent to the model. Send a message to let it go on."
    ]
    assert sum(m.role == "tool" for m in conversation.messages) == LIMIT


def test_a_request_waits_for_the_servers_that_are_starting(env: Env) -> None:
    """Sent while the servers start, the request waits (the observer is told, so a front
    end can say so) and then goes with their tools."""
    slow = McpServerConfig("s", command=(sys.executable, str(SERVER), "--start-delay", "1"))
    toolbox = Toolbox(dataclasses.replace(env.settings, mcp=(slow,)))
    model = env.new_model()
    env.router.queue_for(model, Reply(text="ok"))
    told = Told()

    async def go() -> None:
        starting = asyncio.ensure_future(toolbox.start())
        try:
            conversation = Conversation(id="c-wait", model=model)
            turn = start_turn(conversation, "hi", model)
            runner = ReplyRunner(conversation, turn, env.connection.ready, models=tool_model,
                                 toolbox=toolbox, observer=told)  # fmt: skip
            assert toolbox.state == "starting"
            assert (await runner.run()).kept
        finally:
            await starting
            await toolbox.close()

    env.run(go())
    assert told.names()[:2] == ["waiting_for_tools", "waiting_for_tools"]
    assert [d for w, d in told.told[:2]] == [True, False]
    assert {t["function"]["name"] for t in bodies(env, model)[0]["tools"]} >= {"echo", "add"}


def test_quitting_while_a_tool_runs_records_it_as_stopped(env: Env) -> None:
    """The exit hooks call ``record_for_exit`` synchronously (a signal): the running call's
    result says it was stopped while it ran, the next one that it never ran."""
    model = env.new_model()
    env.router.queue_for(model, Reply(text="", tool_calls=[
        call("slow", '{"seconds": 30}', "c1"), call("echo", '{"text": "x"}', "c2")]))  # fmt: skip
    told = Told(["once"])
    conversation, runner = make_runner(env, "slowly", model, told)
    task: asyncio.Future[Any] | None = None

    def point(what: str) -> None:
        if what == "tool_running" and task is not None:
            runner.record_for_exit()  # SIGTERM's exit hook, then the worker is cancelled
            task.cancel()

    told.on_point = point

    async def go() -> None:
        nonlocal task
        task = asyncio.ensure_future(runner.run())
        with pytest.raises(asyncio.CancelledError):
            await task

    env.run(go())
    results = {m.tool_call_id: m for m in conversation.messages if m.role == "tool"}
    assert results["c1"].content == STOPPED_RUNNING and results["c1"].tool_status == "cancelled"
    assert results["c2"].tool_status == "cancelled"
    assert len(results) == 2, "each call answered once, not again by the cancellation"


def test_a_title_is_asked_aside_from_the_conversation(env: Env) -> None:
    model = env.new_model()
    env.router.queue_for(model, Reply(text="Title: Quokka Facts."))
    conversation = Conversation(id="c-title", model="x/y")
    conversation.messages.extend(
        [Message(role="user", content="quokkas?"), Message(role="assistant", content="Cute.")]
    )
    answer = env.run(ask_title(conversation, model, env.connection.ready))
    assert answer is not None and answer.title == "Quokka Facts" and answer.error is None
    assert conversation.title == "Quokka Facts" and conversation.title_by == "model"
    assert conversation.title_usage is not None and len(conversation.messages) == 2

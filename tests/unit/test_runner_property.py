"""Esc at any point of any turn leaves a conversation that says what happened: a property test
of the reply runner over random turns (tool rounds with every kind of call, the user's
decisions, an answer or an error at the end, quitting or not), stopped at a random moment,
against the local router and a real MCP server."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requesty_tui.chat.runner import ReplyRunner
from requesty_tui.chat.tool_loop import Decision
from requesty_tui.chat.turn import start_turn
from requesty_tui.client.router import RouterClient
from requesty_tui.core.domain import Conversation
from requesty_tui.testing.router import Reply
from tests.support.runner import LIMIT, Env, Told, bodies, call, start_env, tool_model

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from start_env(tmp_path_factory)


CALLS = {
    "echo": ("echo", '{"text": "e"}'),
    "add": ("add", '{"a": 1, "b": 2}'),
    "unknown": ("nope", "{}"),
    "bad": ("add", "not json"),
}
rounds = st.lists(
    st.tuples(st.sampled_from(["", "Let me see. "]),
              st.lists(st.sampled_from(sorted(CALLS)), min_size=1, max_size=2)),
    max_size=LIMIT + 1,
)  # fmt: skip
endings = st.sampled_from(["answer", "error_before", "error_mid"])
decisions = st.lists(st.sampled_from(["once", "always", "decline"]), max_size=8)
stops = st.one_of(
    st.none(),
    st.integers(0, 45),  # the n-th thing that happens (connecting, an event, a save, …)
    st.tuples(st.sampled_from(["connect", "round_ended", "ask", "tool_running",
                               "tool_answered", "new_round", "save"]), st.integers(0, 2)),
)  # fmt: skip
"""Where Esc is pressed: never, at the n-th point, or at the n-th time one thing happens (a
request connects, the observer is told one thing), so that the moments before anything
arrived and the tool phase are hit as often as the streams."""


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rounds, endings, decisions, stops, st.booleans())
def test_any_turn_stopped_at_any_point_leaves_the_truth(
    env: Env,
    script: list[tuple[str, list[str]]],
    ending: str,
    answers: list[Decision],
    cancel_at: int | tuple[str, int] | None,
    exiting: bool,
) -> None:
    model = env.new_model()
    replies = [
        Reply(text=text, chunk_chars=4, tool_calls=[
            call(*CALLS[kind], f"c{r}_{i}") for i, kind in enumerate(kinds)])
        for r, (text, kinds) in enumerate(script)
    ]  # fmt: skip
    replies.append(
        {
            "answer": Reply(text="Done, thanks.", chunk_chars=4),
            "error_before": Reply(status=400, error_message="Refused"),
            "error_mid": Reply(text="Partial answer", chunk_chars=4, error_chunk_after=2),
        }[ending]
    )
    env.router.queue_for(model, *replies)
    told = Told(answers)
    happened: list[str] = []
    task: asyncio.Future[Any] | None = None

    def point(what: str) -> None:
        happened.append(what)
        if isinstance(cancel_at, tuple):
            kind, nth = cancel_at
            hit = what == kind and happened.count(kind) == nth + 1
        else:
            hit = len(happened) - 1 == cancel_at
        if hit and task is not None:
            task.cancel()  # Esc, pressed at this moment

    async def connect() -> RouterClient:
        point("connect")
        return await env.connection.ready()

    told.on_point = point
    conversation = Conversation(id=f"c-{model}", model=model)
    turn = start_turn(conversation, "the prompt", model)
    runner = ReplyRunner(conversation, turn, connect, models=tool_model, toolbox=env.toolbox,
                         observer=told, exiting=lambda: exiting)  # fmt: skip

    async def go() -> None:
        nonlocal task
        task = asyncio.ensure_future(runner.run())
        with contextlib.suppress(asyncio.CancelledError):
            await task

    env.run(go())
    outcome = runner.outcome
    assert outcome is not None and outcome is runner.turn.ended, "an outcome, whatever happened"
    messages = conversation.messages
    replies_kept = [m for m in messages if m.role == "assistant"]
    results = [m for m in messages if m.role == "tool"]

    # Every call of a reply that ended calling tools has exactly one result; a reply cut
    # short (stopped, failed) never ran its calls.
    for reply in replies_kept:
        at = next(i for i, m in enumerate(messages) if m is reply)
        after = list(itertools.takewhile(lambda m: m.role == "tool", messages[at + 1 :]))
        ids = [m.tool_call_id or "" for m in after]
        if reply.finish_reason == "tool_calls":
            assert sorted(ids) == sorted(c.id for c in reply.tool_calls), "one result each"
        else:
            assert ids == [], "a reply cut short never ran its calls"
    assert len(results) == sum(1 for w, _ in told.told if w == "tool_answered"), "each told"
    stopped = outcome.finish_reason == "cancelled"
    for result in results:
        if result.tool_status == "cancelled":
            assert cancel_at is not None
    # Only a tool that does not run unasked is asked about, and an approved add adds.
    asked = [d for w, d in told.told if w == "ask"]
    assert set(asked) <= {"add"}
    for result in results:
        name = next(c.name for m in replies_kept for c in m.tool_calls
                    if c.id == result.tool_call_id)  # fmt: skip
        if result.tool_status == "ok":
            assert result.content == {"echo": "e", "add": "3"}[name]
        if name == "nope":
            assert result.tool_status in ("error", "cancelled")

    # The prompt: given back only when nothing at all came (and the app is not quitting).
    if replies_kept:
        assert messages[0] is turn.prompt and outcome.give_back is None
    elif stopped and exiting:
        assert messages == [turn.prompt] and outcome.give_back is None
    else:
        assert messages == [] and outcome.give_back == "the prompt"

    # Every request sent answers each call it carries (providers refuse anything else).
    for body in bodies(env, model):
        sent = body["messages"]
        for i, message in enumerate(sent):
            if message["role"] == "assistant" and message.get("tool_calls"):
                ids = [c["id"] for c in message["tool_calls"]]
                following = [m["tool_call_id"] for m in sent[i + 1 : i + 1 + len(ids)]]
                assert following == ids
    assert len(runner.rounds) <= LIMIT
    if runner.limited:
        assert len(runner.rounds) == LIMIT and "max_tool_rounds" in runner.notices[0]
    if cancel_at is None:
        tool_rounds = min(len(script), LIMIT)
        assert len(runner.rounds) == tool_rounds
        assert len(bodies(env, model)) == (tool_rounds + (len(script) < LIMIT))
        if ending == "answer" and len(script) < LIMIT:
            assert outcome.kept and messages[-1].content == "Done, thanks."

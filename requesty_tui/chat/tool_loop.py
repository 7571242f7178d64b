"""Answering a reply's tool calls, one by one, with the user in control: a call runs only when
its tool runs unasked (``auto_approve``, or "always" earlier in the conversation) or the user
says yes. Every call gets a ``tool`` message, whatever happened (ran, failed, declined,
stopped), written into the conversation at once, so that the file and the next request stay
consistent and nothing the user saw is lost.

Failures are results: an unknown tool, arguments that are not JSON, a server that fails or
times out: the model reads what happened, the turn goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

from requesty_tui.chat.toolbox import Toolbox
from requesty_tui.core.domain import Conversation, Message, Usage
from requesty_tui.core.tools import (
    ArgumentsError,
    ToolCall,
    ToolSpec,
    ToolStatus,
    cut_output,
    parse_arguments,
)

Decision = Literal["once", "always", "decline"]
Ask = Callable[[ToolCall, ToolSpec], Awaitable[Decision]]
"""Asks the user about one call (Esc cancels the task instead of answering)."""

DECLINED = "The user declined to run this tool call."
STOPPED = "Not run: the user stopped the turn before this tool call ran."
STOPPED_RUNNING = (
    "Stopped while it ran: the user stopped the turn; the tool may have done part of its work, "
    "and its result is unknown."
)


class ToolEvents(Protocol):
    """Told as calls are answered (the reply runner passes it on to its front end)."""

    def running(self, call: ToolCall) -> None:
        """The call has been approved and runs now."""

    def answered(self, call: ToolCall, result: Message) -> None:
        """The call's result is in the conversation."""


async def answer_calls(
    conversation: Conversation,
    reply: Message,
    toolbox: Toolbox,
    ask: Ask,
    events: ToolEvents,
) -> list[Message]:
    """One ``tool`` message per call of ``reply``, in order, each added to the conversation as
    it is known. Cancelled (Esc): the calls not answered yet are recorded as stopped, then the
    cancellation goes on."""
    results: list[Message] = []
    running: ToolCall | None = None

    def record(call: ToolCall, text: str, status: ToolStatus, truncated: bool = False) -> None:
        result = _result(conversation, reply, call, text, status, truncated)
        results.append(result)
        events.answered(call, result)

    try:
        for call in list(reply.tool_calls):
            spec = toolbox.resolve(call)
            if spec is None:
                names = ", ".join(s.function for s in toolbox.specs) or "none"
                record(call, f"Error: there is no tool named {call.name!r} (available: {names}).",
                       "error")  # fmt: skip
                continue
            try:
                arguments = parse_arguments(call.arguments)
            except ArgumentsError as exc:
                record(call, f"Error: not run, {exc}. Send the arguments as a JSON object.",
                       "error")  # fmt: skip
                continue
            if not toolbox.runs_unasked(conversation, spec):
                decision = await ask(call, spec)
                if decision == "decline":
                    record(call, DECLINED, "declined")
                    continue
                if decision == "always":
                    toolbox.allow_always(conversation, spec)
            running = call
            events.running(call)
            output = await toolbox.call(spec, arguments)
            running = None
            text, cut = cut_output(output.text, toolbox.settings.max_tool_output)
            if output.is_error and not text.startswith("Error"):
                text = f"Error: {text}"
            record(call, text, "error" if output.is_error else "ok", cut)
    except asyncio.CancelledError:
        for call, result in record_unanswered(conversation, reply, running):
            results.append(result)
            events.answered(call, result)
        raise
    return results


def _result(
    conversation: Conversation,
    reply: Message,
    call: ToolCall,
    text: str,
    status: ToolStatus,
    truncated: bool = False,
) -> Message:
    """The ``tool`` message answering ``call``, added after the results before it (each is
    saved with the next save: the file always says what happened)."""
    earlier = list(conversation.results_of(reply).values())  # in the order they were written
    under = earlier[-1] if earlier else reply
    result = Message(
        role="tool",
        content=text,
        tool_call_id=call.id,
        tool_status=status,
        tool_truncated=truncated,
    )
    conversation.add(result, under=under)
    return result


def record_unanswered(
    conversation: Conversation, reply: Message, running: ToolCall | None = None
) -> list[tuple[ToolCall, Message]]:
    """The turn was stopped (Esc, quitting, a signal) while ``reply``'s calls were answered:
    each call still without a result gets one saying so, ``running`` that it was stopped
    while it ran. Synchronous: the exit path calls it when the loop may never run again."""
    answered = conversation.results_of(reply)
    out = []
    for call in reply.tool_calls:
        if call.id not in answered:
            text = STOPPED_RUNNING if call is running else STOPPED
            out.append((call, _result(conversation, reply, call, text, "cancelled")))
    return out


def turn_usage(conversation: Conversation, reply: Message) -> tuple[int, Usage | None]:
    """(requests, summed Usage) of the turn that ends with ``reply``: every reply since the
    prompt, for a turn whose tools took several requests."""
    path = conversation.path()
    index = next((i for i in range(len(path) - 1, -1, -1) if path[i] is reply), None)
    if index is None:
        return 1, reply.usage
    total: Usage | None = None
    requests = 0
    for message in reversed(path[: index + 1]):
        if message.role == "user":
            break
        if message.role == "assistant":
            requests += 1
            if message.usage is not None:
                total = message.usage if total is None else total.plus(message.usage)
    return requests, total

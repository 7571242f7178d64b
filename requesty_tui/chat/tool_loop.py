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
from typing import Literal

from requesty_tui.chat.toolbox import Toolbox
from requesty_tui.core.domain import Conversation, Message, Usage
from requesty_tui.core.tools import ArgumentsError, ToolCall, ToolSpec, cut_output, parse_arguments

Decision = Literal["once", "always", "decline"]
Ask = Callable[[ToolCall, ToolSpec], Awaitable[Decision]]
"""Asks the user about one call (Esc cancels the task instead of answering)."""

DECLINED = "The user declined to run this tool call."
STOPPED = "Not run: the user stopped the turn before this tool call ran."


class ToolEvents:
    """What the screen (or ``ask``) shows as calls are answered; the default shows nothing."""

    def running(self, call: ToolCall) -> None:
        """The call has been approved and runs now."""

    def answered(self, call: ToolCall, result: Message) -> None:
        """The call's result is in the conversation."""


async def answer_calls(
    conversation: Conversation,
    reply: Message,
    toolbox: Toolbox,
    ask: Ask,
    events: ToolEvents | None = None,
) -> list[Message]:
    """One ``tool`` message per call of ``reply``, in order, each added to the conversation as
    it is known. Cancelled (Esc): the calls not answered yet are recorded as stopped, then the
    cancellation goes on."""
    events = events or ToolEvents()
    results: list[Message] = []
    previous = reply
    waiting = list(reply.tool_calls)

    def record(call: ToolCall, text: str, status: str, truncated: bool = False) -> None:
        nonlocal previous
        result = Message(
            role="tool",
            content=text,
            model=None,
            tool_call_id=call.id,
            tool_status=status,  # type: ignore[arg-type]
            tool_truncated=truncated,
        )
        conversation.add(result, under=previous)
        previous = result
        results.append(result)
        waiting.remove(call)
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
            events.running(call)
            output = await toolbox.call(spec, arguments)
            text, cut = cut_output(output.text, toolbox.settings.max_tool_output)
            if output.is_error and not text.startswith("Error"):
                text = f"Error: {text}"
            record(call, text, "error" if output.is_error else "ok", cut)
    except asyncio.CancelledError:
        for call in list(waiting):
            toolbox.resolve(call)
            record(call, STOPPED, "cancelled")
        raise
    return results


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

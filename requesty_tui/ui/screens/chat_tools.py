"""The chat screen's part of tools: between two requests of a turn, each call is shown, asked
about (ctrl+g goes to its block, Enter answers; Esc stops the turn) and answered; then the
model is asked again, in a new reply box. The rules are
:mod:`requesty_tui.chat.tool_loop`'s; this is the screen.

The palette's ``tools: …`` commands are :mod:`requesty_tui.ui.screens.chat_commands`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from requesty_tui.chat.tool_loop import Decision, ToolEvents, answer_calls
from requesty_tui.chat.turn import Turn
from requesty_tui.core.domain import Message
from requesty_tui.core.formatting import plural
from requesty_tui.core.tools import ToolCall, ToolSpec
from requesty_tui.ui.key_names import label_for
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.message import AssistantMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat_reply import ReplyRun


class _BlockEvents(ToolEvents):
    """Shows each call's progress in its block, and saves each result at once."""

    def __init__(self, run: ReplyRun) -> None:
        self.run = run
        self.reply = run.reply

    def running(self, call: ToolCall) -> None:
        self.run.running = call
        self.run.screen.refresh_bars()  # "… always allowed", when that was the answer
        block = self.reply.tool_blocks.get(call.id)
        if block is not None:
            block.set_state("running…")

    def answered(self, call: ToolCall, result: Message) -> None:
        self.run.running = None
        block = self.reply.tool_blocks.get(call.id)
        if block is not None:
            block.show_result(result)
        self.run.screen.save()


async def next_round(run: ReplyRun) -> bool:
    """Answer the calls of the reply that just ended, then prepare the next request of the
    turn (a new reply box); False when the turn may not take another (``max_tool_rounds``)."""
    screen, turn, reply = run.screen, run.turn, run.reply
    answer = turn.answer
    reply.finish(answer.finish_reason or "tool_calls", answer.usage, answer.skipped_chunks)
    reply.message = answer
    screen.save()

    async def ask(call: ToolCall, _spec: ToolSpec) -> Decision:
        block = reply.tool_blocks.get(call.id) or reply.show_call(call)
        box = screen.query_one(PromptInput)
        # The question never takes the focus: what is typed is the next message, however soon
        # after the question it comes (issue 23: "also…" a second later always-allowed a tool).
        if box.text:
            go = label_for(screen.services.settings.keys, "chat.answer_tool", "ctrl+g")
            screen.notify(f"{call.label} waits for your answer: {go} goes to it, Enter answers.",
                          title="Tool call", timeout=8, markup=False)  # fmt: skip
        try:
            screen.call_after_refresh(screen.refresh_bindings)  # ctrl+g in the key bar
            return await block.ask()
        finally:
            if screen.focused is block or screen.focused is None:
                box.focus()
            screen.refresh_bindings()

    toolbox = screen.services.toolbox
    for call in answer.tool_calls:  # every block names its server before the first question
        toolbox.resolve(call)
        reply.show_call(call)
    results = await answer_calls(screen.conversation, answer, toolbox, ask, _BlockEvents(run))
    run.rounds.append(turn)
    limit = toolbox.settings.max_tool_rounds
    if len(run.rounds) >= limit:
        run.notices.append(
            f"Stopped after {plural(limit, 'round')} of tool calls (max_tool_rounds): the last "
            "results were not sent to the model. Send a message to let it go on."
        )
        return False
    last = results[-1] if results else answer
    run.turn = Turn(
        screen.conversation,
        turn.prompt,
        turn.model,
        turn.prices,
        prompt_is_new=False,
        before=last,
        under=last,
    )
    run.reply = AssistantMessage(turn.model, code_style=screen.context.theming.code_style())
    run.request = None
    await screen.query_one(ConversationView).add(run.reply)
    return True

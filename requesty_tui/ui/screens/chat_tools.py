"""The chat screen's part of tools: between two requests of a turn, each call is shown and
asked about (ctrl+g goes to its block, Enter answers; Esc stops the turn). The rounds are the
runner's (:mod:`requesty_tui.chat.runner`), the rules :mod:`requesty_tui.chat.tool_loop`'s;
this is the screen.

The palette's ``tools: …`` commands are :mod:`requesty_tui.ui.screens.chat_commands`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from requesty_tui.ui.key_names import label_for

if TYPE_CHECKING:
    from requesty_tui.chat.tool_loop import Decision
    from requesty_tui.chat.turn import Turn
    from requesty_tui.core.tools import ToolCall
    from requesty_tui.ui.screens.chat_reply import PaneRun


def show_round_end(run: PaneRun, turn: Turn) -> None:
    """The reply that called the tools ends in its box; each call's block names its server."""
    reply, answer = run.reply, turn.answer
    reply.finish(answer.finish_reason or "tool_calls", answer.usage, answer.skipped_chunks)
    reply.message = answer
    for call in answer.tool_calls:
        reply.show_call(call)


async def ask_user(run: PaneRun, call: ToolCall) -> Decision:
    """The call's block asks; the answer is the block's (ctrl+g goes to it, Enter answers)."""
    reply, box = run.reply, run.host.prompt
    screen = box.screen
    block = reply.tool_blocks.get(call.id) or reply.show_call(call)
    # The question never takes the focus: what is typed is the next message, however soon
    # after the question it comes (issue 23: "also…" a second later always-allowed a tool).
    if box.text:
        go = label_for(run.host.services.settings.keys, "chat.answer_tool", "ctrl+g")
        screen.notify(f"{call.label} waits for your answer: {go} goes to it, Enter answers.",
                      title="Tool call", timeout=8, markup=False)  # fmt: skip
    from requesty_tui.ui.notify import notify_reply

    host = run.host  # issue 27: told when the window is elsewhere
    waits = f"{call.label} waits for your answer"
    notify_reply(screen.app, host.services.settings, run, host.session.conversation.title, waits)
    try:
        screen.call_after_refresh(screen.refresh_bindings)  # ctrl+g in the key bar
        return await block.ask()
    finally:
        if screen.focused is block or screen.focused is None:
            box.focus()
        screen.refresh_bindings()

"""The chat screen's part of tools: between two requests of a turn, each call is shown, asked
about (ctrl+g goes to its block, Enter answers; Esc stops the turn) and answered; then the
model is asked again, in a new reply box. The rules are
:mod:`requesty_tui.chat.tool_loop`'s; this is the screen.

Also the palette's ``tools: list`` and ``chat: tools``.
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
    from requesty_tui.ui.screens.chat import ChatScreen
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


# -- the palette ---------------------------------------------------------------------------------


def list_tools(chat: ChatScreen) -> None:
    """Every tool with its server and description, as text (a description is data)."""
    from requesty_tui.ui.screens.dialogs import TextViewer

    toolbox = chat.services.toolbox
    if not toolbox.configured:
        chat.notify("No MCP servers are configured: add [mcp.NAME] tables to config.toml.",
                    severity="warning", markup=False)  # fmt: skip
        return
    lines: list[str] = []
    if toolbox.state == "starting":
        lines.append("The servers are still starting.")
    for failure in toolbox.failures:
        lines.append(f"✗ {failure.message}")
    known = chat.services.catalogue.info(chat.model)
    reason = toolbox.not_offered(chat.conversation, known)
    if reason:
        lines.append(reason[:1].upper() + reason[1:] + ".")
    allowed = toolbox.allowed_in(chat.conversation)
    if allowed:
        lines.append(f"Always allowed in this conversation: {', '.join(allowed)} "
                     "(tools: revoke always-allow takes it back).")  # fmt: skip
    server = None
    for spec in toolbox.specs:
        if spec.server != server:
            server = spec.server
            config = toolbox.settings.mcp
            approve = next((c.auto_approve for c in config if c.name == server), ())
            unasked = f"  (runs unasked: {', '.join(approve)})" if approve else ""
            lines.append(f"\n{server}{unasked}")
        name = spec.name if spec.function == spec.name else f"{spec.name} (as {spec.function})"
        description = " ".join(spec.description.split())
        if f"{spec.server} › {spec.name}" in allowed:
            description = f"{description} (always allowed here)".lstrip()
        lines.append(f"  • {name}: {description}" if description else f"  • {name}")
    title = f"Tools: {plural(len(toolbox.specs), 'tool')}"
    chat.app.push_screen(TextViewer(title, "\n".join(lines).strip("\n")))


def restart_servers(chat: ChatScreen) -> None:
    """``tools: restart servers``: after a failed start (a first ``npx`` download, a server
    fixed meanwhile) without restarting the app."""
    chat.context.restart_tools()


def revoke_always(chat: ChatScreen) -> None:
    """``tools: revoke always-allow``: every call asks again in this conversation."""
    revoked = chat.services.toolbox.revoke(chat.conversation)
    if revoked:
        chat.notify(f"These ask again before they run: {', '.join(revoked)}.", markup=False)
    chat.refresh_bars()


def toggle_tools(chat: ChatScreen) -> None:
    """``chat: tools``: offer the tools in this conversation, or not."""
    options = chat.conversation.options
    options.tools = options.tools is False  # None (the default) is on
    state = "on" if options.tools else "off"
    chat.notify(f"Tools {state} for this conversation.", markup=False)
    chat.save()
    chat.refresh_bars()

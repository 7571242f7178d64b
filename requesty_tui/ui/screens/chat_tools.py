"""The chat screen's part of tools: between two requests of a turn, each call is shown and
asked about (ctrl+g goes to its block, Enter answers; Esc stops the turn). The rounds are the
runner's (:mod:`requesty_tui.chat.runner`), the rules :mod:`requesty_tui.chat.tool_loop`'s;
this is the screen.

Also the palette's ``tools: list`` and ``chat: tools``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from requesty_tui.core.formatting import plural
from requesty_tui.ui.key_names import label_for

if TYPE_CHECKING:
    from requesty_tui.chat.tool_loop import Decision
    from requesty_tui.chat.turn import Turn
    from requesty_tui.core.tools import ToolCall
    from requesty_tui.ui.screens.chat import ChatScreen
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
    reply, box = run.reply, run.box
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
    notify_reply(screen.app, host.services.settings, run, host.conversation.title, waits)
    try:
        screen.call_after_refresh(screen.refresh_bindings)  # ctrl+g in the key bar
        return await block.ask()
    finally:
        if screen.focused is block or screen.focused is None:
            box.focus()
        screen.refresh_bindings()


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

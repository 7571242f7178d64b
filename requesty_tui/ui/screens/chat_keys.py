"""Where keys go on the chat screen.

One rule for typing: a printable key (or a paste) while the focus is on something in the
conversation (a message, a compare column, a tool call, a thinking block) or on an attachment
chip moves the focus to the input box and lands there, as in every chat app. So no printable
key is a command there: the commands of a focused message use keys typing cannot produce
(Enter, arrows, ctrl+…), and reading a reply before typing the next message costs nothing
(issue 23: "great, thanks" typed on a focused reply sent a paid regeneration with its "r").
The App calls :meth:`ChatKeys.route_typing` before it forwards a key, in its one queue, so a
burst of keys stays in order while the focus moves.

Also the pane's scrolling from the input box (PgUp/PgDn, ctrl+home/ctrl+end), ctrl+y on
whatever has the focus, and ctrl+g to a tool call's question.
"""

from __future__ import annotations

from typing import cast

from textual import events
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget

from requesty_tui.ui.messages import RateReply
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.prompt_input import PromptInput

TYPING_AREAS = frozenset({"conversation", "attachments", "queued"})
"""Ids of the parts whose focused widgets pass typing on to the input box."""


class ChatKeys(Screen[None]):
    """The chat screen's key routing (its base class)."""

    BINDINGS = [
        # Priority: the input box would move its cursor a page (TextArea's own pageup).
        Binding("pageup", "scroll_pane('page_up')", "Scroll up", show=False, priority=True,
                id="chat.page_up"),
        Binding("pagedown", "scroll_pane('page_down')", "Scroll down", show=False,
                priority=True, id="chat.page_down"),
        Binding("ctrl+home", "scroll_pane('top')", "Scroll to the top", show=False,
                priority=True, id="chat.top"),
        Binding("ctrl+end", "scroll_pane('bottom')", "Scroll to the end", show=False,
                priority=True, id="chat.bottom"),
    ]  # fmt: skip

    streaming: reactive[bool] = reactive(False, bindings=True)
    """A reply is streaming (Esc stops it, ctrl+g goes to a tool call's question; the key bar
    shows them)."""

    def route_typing(self, event: events.Key | events.Paste) -> None:
        """Called by the App for every key and paste, before Textual forwards it to the focused
        widget: text typed on a message goes to the input box (the focus moves there now, so
        this key and the next ones all go to it, in order)."""
        if isinstance(event, events.Key) and not event.is_printable:
            return
        focused = self.focused
        if isinstance(focused, PromptInput) or not self.is_current:
            return
        if focused is not None and not _in_typing_area(focused):
            return
        self.set_focus(self.query_one(PromptInput))

    def on_rate_reply(self, event: RateReply) -> None:
        """shift+up / shift+down on a reply (keys typing cannot produce): rate it."""
        from requesty_tui.ui.screens.chat_feedback import FeedbackHost, rate_reply

        rate_reply(cast(FeedbackHost, self), event.message, event.rating)

    def asking(self) -> Widget | None:
        """The tool call waiting for the user's answer, if any (ctrl+g goes to it)."""
        if not self.streaming:
            return None
        return next((b for b in self.query("ToolCallBlock") if getattr(b, "asking", False)), None)

    def action_answer_tool(self) -> None:
        block = self.asking()
        if block is not None:
            block.focus()
            block.scroll_visible()

    async def action_scroll_pane(self, where: str) -> None:
        """Scroll the conversation wherever the focus is (the input box keeps it)."""
        pane = self.query_one(ConversationView)
        if where == "page_up":
            pane.scroll_page_up(animate=False)
        elif where == "page_down":
            pane.scroll_page_down(animate=False)
        elif where == "top":
            await pane.show_first()  # the first message, however far up
        else:
            await pane.show_last()  # the end, and stay there as replies grow

    def action_copy(self) -> None:
        """ctrl+y: copy what has the focus (a message, a tool's result), else the last reply."""
        focused = self.focused
        copy = getattr(focused, "action_copy", None)
        mine = focused is not None and not isinstance(focused, PromptInput) and callable(copy)
        if mine and focused.check_action("copy", ()) is not False:  # type: ignore[union-attr]
            copy()  # type: ignore[misc]
            return
        from requesty_tui.ui.widgets.message import AssistantMessage

        replies = self.query(AssistantMessage)
        if not replies:
            self.notify("Nothing to copy yet.", severity="warning")
            return
        replies.last().action_copy()


def _in_typing_area(widget: Widget) -> bool:
    return any(node.id in TYPING_AREAS for node in widget.ancestors_with_self)

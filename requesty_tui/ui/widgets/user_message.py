"""What the user sent, as a widget: the text as typed, the files sent with it, its versions.

The text is data: it goes into a ``Content`` object, never through Textual markup.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from requesty_tui.core.domain import Message
from requesty_tui.core.formatting import size_label
from requesty_tui.core.markdown_blocks import make_safe
from requesty_tui.ui.messages import CopyRequest, EditMessage, ShowAlternative
from requesty_tui.ui.widgets.highlight import HIGHLIGHT
from requesty_tui.ui.widgets.message_labels import USER_TITLE, arrow_step, switcher, user_title

if TYPE_CHECKING:
    from textual.selection import Selection
    from textual.visual import Visual

    from requesty_tui.ui.widgets.picture import Picture


class UserMessage(Static, can_focus=True):
    """What the user sent (plain text, shown as typed).

    No printable key is a command here: typed text goes to the input box (the screen routes
    it), so reading a message before typing the next one never runs anything.

    | key | action |
    | --- | --- |
    | enter | edit it (the new version goes beside the old one) |
    | left / right | the previous / next version |
    | ctrl+y | copy this message |
    """

    HELP_TITLE = "Your message"
    alternatives: tuple[int, int]
    """(n, of): this prompt is version n of ``of`` (``of`` 1: no alternatives)."""
    BINDINGS = [
        Binding("ctrl+y", "copy", "Copy", id="message.copy"),
        Binding("enter", "edit", "Edit", id="message.edit"),
        Binding("left", "alternative(-1)", "‹ Previous", id="message.previous"),
        Binding("right", "alternative(1)", "Next ›", id="message.next"),
    ]
    DEFAULT_CSS = """
    UserMessage {
        margin: 1 0 0 0;
        padding: 0 1;
        border: round $chat-user 60%;
        border-title-color: $chat-user;
        height: auto;
        &.-not-sent {
            border: round $error 60%;
            color: $text-muted;
        }
        &:focus {
            border: round $accent;
        }
    }
    """

    def action_copy(self) -> None:
        self.post_message(CopyRequest(self.message.content, "your message"))

    def action_edit(self) -> None:
        self.post_message(EditMessage(self.message))

    def action_alternative(self, step: int) -> None:
        self.post_message(ShowAlternative(self.message, step))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.alternatives[1] > 1 if action == "alternative" else True

    def set_alternatives(self, n: int, of: int) -> None:
        """This prompt is version ``n`` of ``of``: the title shows ‹n/of› (clickable)."""
        if (n, of) != self.alternatives:
            self.alternatives = (n, of)
            self.border_title = user_title(self.alternatives, self.message.attachments)
            self.refresh_bindings()

    def on_click(self, event: events.Click) -> None:
        step = arrow_step(event, f"{USER_TITLE} ", switcher(*self.alternatives))
        if step:
            event.stop()
            self.action_alternative(step)

    def __init__(self, message: Message) -> None:
        content = Content(make_safe(message.content))
        if message.attachments:
            files = " · ".join(
                f"📎 {make_safe(a.name)} ({size_label(a.size)}, {a.kind})"
                for a in message.attachments
            )
            content = content + Content("\n") + Content.styled(files, "dim")
        super().__init__(content, markup=False)
        self._plain = content
        self._pictures: tuple[Picture, ...] = ()
        if any(a.kind == "image" for a in message.attachments):
            from requesty_tui.ui.widgets.picture import pictures  # not at start-up

            with contextlib.suppress(RuntimeError):  # no app running (NoActiveAppError)
                self._pictures = pictures(self.app, message.attachments)
            if self._pictures:
                self.update(self._shown(content))
        self.message = message
        self.alternatives = (1, 1)
        self.border_title = user_title(self.alternatives, message.attachments)

    def _shown(self, content: Content) -> Content | Visual:
        """The text, and under it the pictures of its images where the terminal draws them."""
        if not self._pictures:
            return content
        from requesty_tui.ui.widgets.picture import Pictured

        return Pictured(content, self._pictures)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract(str(self._plain)), "\n"

    def highlight(self, pattern: re.Pattern[str] | None) -> None:
        """Mark these words in the text (None: no more)."""
        content = self._plain
        # The same size: no layout (a find marks on every key).
        marked = content.highlight_regex(pattern, style=HIGHLIGHT) if pattern else content
        self.update(self._shown(marked), layout=False)

    def mark_not_sent(self, reason: str, label: str = "not answered") -> None:
        """The request got no reply (``label`` says how it ended; ``reason`` in full in the
        tooltip): the text went back to the input box."""
        self.add_class("-not-sent")
        self.border_subtitle = f"{label} — the text is back in the input"
        self.tooltip = reason

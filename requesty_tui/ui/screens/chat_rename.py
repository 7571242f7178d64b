"""Renaming the open conversation from the chat (f4, ``chat: rename``, or a click on its title
in the top bar): the title a rename gives is the user's and is never replaced by a model's."""

from __future__ import annotations

from typing import cast

from textual.binding import Binding
from textual.screen import Screen

from requesty_tui.ui.screens.chat_bars import top_title
from requesty_tui.ui.screens.chat_host import ChatParts


class RenameKeys(Screen[None]):
    """The chat screen's rename key (a base of the chat screen)."""

    BINDINGS = [Binding("f4", "rename", "Rename", id="chat.rename", show=False)]

    def action_rename(self) -> None:
        chat = cast(ChatParts, self)
        conversation = chat.session.conversation

        def done(title: str | None) -> None:
            if title is None or title == conversation.title:
                return
            conversation.title, conversation.title_by = title, "user"
            if conversation.messages:
                chat.session.save()  # a new chat is saved with its first message, title and all
            chat.refresh_bars()

        from requesty_tui.ui.screens.dialogs import TextPrompt

        self.app.push_screen(TextPrompt("Rename conversation", conversation.title), done)

    def title_clicked(self, x: int) -> bool:
        """A click at cell ``x`` of the top bar: on the title, rename (True); else False."""
        title = top_title(cast(ChatParts, self).session.conversation)
        if 1 <= x < 1 + title.cell_len:
            self.action_rename()
            return True
        return False

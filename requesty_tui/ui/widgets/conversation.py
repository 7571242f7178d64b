"""The scrolling conversation pane."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widget import Widget


class ConversationView(VerticalScroll, can_focus=False):
    """Holds the message widgets and sticks to the bottom while the user has not scrolled up."""

    async def add(self, widget: Widget) -> Widget:
        await self.mount(widget)
        self.anchor()
        return widget

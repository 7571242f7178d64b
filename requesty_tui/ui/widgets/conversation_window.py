"""The pane's windowing: which messages are mounted, and putting away those far off screen.

The base of :class:`~requesty_tui.ui.widgets.conversation.ConversationView`: it keeps the
messages not mounted (those behind the "earlier messages" marker at the top and those in the
gap behind a "more messages" marker further down) and puts widgets away while the user scrolls
far up or down, so that memory stays bounded however far one scrolls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rich.text import Text
from textual import events
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from requesty_tui.core.domain import Message
from requesty_tui.ui.widgets.notice import Notice

WINDOW = 24
"""Messages mounted at a time when opening a long conversation."""

LIVE_LIMIT = WINDOW + 8
"""Mounted messages in a live chat before the oldest are put away (behind the marker): a
200-reply session otherwise kept every widget, and each reply got slower (soak benchmark).
Each mounted reply costs about 0.35 MB (its rendered lines and Textual's caches of them), so
the limit is kept close to the window: 8 messages are put away every 4 replies."""

SCROLL_LIMIT = LIVE_LIMIT + WINDOW
"""Mounted messages while the user reads far up before those far off screen are put away
again (behind a marker): scrolling from the end to the top of 1,000 messages kept all 1,000
widgets, at about 0.35 MB each (see LIVE_LIMIT)."""

FAR = 2
"""Screens off the viewport a message must be before it is put away while scrolling: a page
key or two never meets a marker where a message was."""


def releasable(widget: Widget) -> bool:
    """A complete message (not a reply still streaming, nor a comparison) or a notice: what
    may be put away behind a marker and rebuilt from its message."""
    return isinstance(getattr(widget, "message", None), Message) or isinstance(widget, Notice)


def messages_of(widgets: Sequence[Widget]) -> list[Message]:
    """The messages the widgets show (notices have none)."""
    return [m for w in widgets if isinstance(m := getattr(w, "message", None), Message)]


class EarlierMarker(Static):
    """ "▲ 970 earlier messages": click (or scroll to the top) to show more."""

    def on_click(self, event: events.Click) -> None:
        event.stop()
        parent = self.parent
        if isinstance(parent, WindowedPane):
            parent.run_worker(parent.show_earlier(), exclusive=True, group="earlier")


class LaterMarker(Static):
    """ "▼ 770 more messages": between a stretch far up (a message found, ctrl+home, or what
    the user scrolled back to) and the end of the pane; click (or scroll to it) to show the
    next ones."""

    def on_click(self, event: events.Click) -> None:
        event.stop()
        parent = self.parent
        if isinstance(parent, WindowedPane):
            parent.run_worker(parent.show_later(), exclusive=True, group="later")


class WindowedPane(VerticalScroll, can_focus=False):
    """The state of the windowing and the putting away; the pane itself says when."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._hidden: list[Message] = []
        self._make: Callable[[Message], Widget] | None = None
        self._marker: EarlierMarker | None = None
        self._loading = False
        self._pattern: re.Pattern[str] | None = None
        self._gap: list[Message] = []
        """Messages between a stretch opened far up (a found message) and the end of the pane,
        not mounted: behind :attr:`_gap_marker`."""
        self._gap_marker: LaterMarker | None = None

    @property
    def hidden_count(self) -> int:
        """Earlier messages not mounted yet."""
        return len(self._hidden)

    async def show_earlier(self) -> None:
        """Mount the previous window (the pane's)."""
        raise NotImplementedError

    async def show_later(self, count: int = WINDOW) -> None:
        """Mount the next ``count`` messages of the gap (the pane's)."""
        raise NotImplementedError

    def _update_gap_marker(self) -> None:
        if self._gap_marker is not None:
            n = len(self._gap)
            self._gap_marker.update(
                Text(
                    f"▼ {n:,} more message{'s' if n != 1 else ''} — "
                    "scroll down or click to show them",
                    style="dim",
                )
            )

    def message_widgets(self) -> list[Widget]:
        """The mounted widgets that show a message, top to bottom."""
        return [w for w in self.children if isinstance(getattr(w, "message", None), Message)]

    def _update_marker(self) -> None:
        if self._marker is not None:
            n = len(self._hidden)
            self._marker.update(
                Text(
                    f"▲ {n:,} earlier message{'s' if n != 1 else ''} — "
                    "scroll up or click to show them",
                    style="dim",
                )
            )

    async def _ensure_marker(self) -> None:
        if self._marker is None and self._hidden:
            self._marker = EarlierMarker(id="earlier")
            await self.mount(self._marker, before=0)
        self._update_marker()

    def _stretch(self) -> list[Widget]:
        """The widgets scrolling may put away: those above the gap (without one, all but the
        last window: never the end, where a reply may be streaming)."""
        shown = [w for w in self.children if w is not self._marker]
        if self._gap_marker is not None:
            return shown[: shown.index(self._gap_marker)]
        return shown[: max(0, len(shown) - WINDOW)]

    async def _release_below(self, coming: int) -> None:
        """Too many mounted (``coming`` more on the way): those far below the viewport go
        into the gap (created just above the last window if there is none)."""
        if len(self.message_widgets()) + coming <= SCROLL_LIMIT:
            return
        limit = self.scroll_y + (FAR + 1) * self.size.height
        out: list[Widget] = []
        for widget in reversed(self._stretch()):
            region = widget.virtual_region
            if not releasable(widget) or not region.height or region.y < limit:
                break
            out.append(widget)
        if not out:
            return
        out.reverse()
        self._gap = [*messages_of(out), *self._gap]
        if self._gap_marker is None:
            self._gap_marker = LaterMarker(id="later")
            await self.mount(self._gap_marker, after=out[-1])
        self._update_gap_marker()
        await self.remove_children(out)

    async def _release_above(self) -> None:
        """Too many mounted while scrolling down toward the gap: those far above the viewport
        go behind the earlier-messages marker, the view kept still."""
        if len(self.message_widgets()) <= SCROLL_LIMIT:
            return
        limit = self.scroll_y - FAR * self.size.height
        stretch = self._stretch()
        out: list[Widget] = []
        for widget in stretch:
            region = widget.virtual_region
            if not releasable(widget) or not region.height or region.bottom > limit:
                break
            out.append(widget)
        if not out or len(out) == len(stretch):
            return
        stays = stretch[len(out)]
        offset = stays.virtual_region.y - self.scroll_y
        self._hidden.extend(messages_of(out))
        await self.remove_children(out)
        await self._ensure_marker()
        self.call_after_refresh(self._keep_place, stays, offset)

    def _keep_place(self, widget: Widget, offset: float) -> None:
        """Scroll so that ``widget`` is where it was (widgets came or went above it)."""
        if widget.parent is self:
            self.scroll_to(y=widget.virtual_region.y - offset, animate=False)

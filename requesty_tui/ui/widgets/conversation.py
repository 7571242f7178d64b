"""The scrolling conversation pane, windowed: a long history mounts only its latest turns.

Mounting and rendering every message of a 1,000-message conversation would take many seconds;
the pane shows the last :data:`WINDOW` messages and brings earlier ones in, a window at a time,
when the user scrolls to the top (or clicks the marker). Every message stays reachable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from textual.widget import Widget

from requesty_tui.core.domain import Message
from requesty_tui.ui.widgets.conversation_window import (
    LIVE_LIMIT,
    SCROLL_LIMIT,
    WINDOW,
    EarlierMarker,
    LaterMarker,
    WindowedPane,
    messages_of,
    releasable,
)
from requesty_tui.ui.widgets.markdown_view import MarkdownView

__all__ = [
    "LIVE_LIMIT", "SCROLL_LIMIT", "WINDOW", "ConversationView", "EarlierMarker", "LaterMarker",
]  # fmt: skip


JUMP_WINDOW = 6
"""Messages mounted from one found far up (the rest up to the pane's end wait behind a
marker): enough to fill a screen below it; mounting each costs a few ms, and going to a match
800 messages up has 200 ms (benchmarks/find_in_chat.py)."""

PREPARE_EVERY = 0.1
"""Seconds between rendering one more mounted message that has not been drawn yet, after a
resume or a switch of branch. A 4 KB reply with code takes 15-40 ms to render; drawn on
demand, the reply above a short alternative made switching take 160 ms (long_session --tree);
prepared in idle moments, key presses wait at most one such render."""


def with_widgets(messages: Sequence[Message]) -> list[Message]:
    """The messages that have a widget of their own: a tool's result is shown in the reply
    that called it."""
    return [m for m in messages if m.role in ("user", "assistant")]


def _highlight(widget: Widget, pattern: re.Pattern[str] | None) -> None:
    mark = getattr(widget, "highlight", None)
    if callable(mark):
        mark(pattern)


class ConversationView(WindowedPane):
    """Holds the message widgets and sticks to the bottom while the user has not scrolled up."""

    async def clear(self) -> None:
        """Nothing shown and nothing behind the marker (another conversation takes the pane)."""
        self._hidden, self._marker = [], None
        self._gap, self._gap_marker = [], None
        await self.remove_children()

    async def add(self, widget: Widget) -> Widget:
        await self.mount(widget)
        self.anchor()
        return widget

    async def show_history(
        self, messages: Sequence[Message], make: Callable[[Message], Widget]
    ) -> None:
        """Mount the last window of ``messages``; keep the rest for :meth:`show_earlier`."""
        messages = with_widgets(messages)
        self._make = make
        self._gap, self._gap_marker = [], None
        self._hidden = list(messages[:-WINDOW]) if len(messages) > WINDOW else []
        shown = messages[-WINDOW:]
        widgets = self._build(shown, make)
        if self._hidden:
            self._marker = EarlierMarker(id="earlier")
            self._update_marker()
            widgets.insert(0, self._marker)
        await self.mount_all(widgets)
        self.anchor()
        self.prepare_soon()

    def prepare_soon(self) -> None:
        """Render the mounted messages not drawn yet, nearest the end first, one at a time in
        idle moments (scrolling up or switching to a shorter branch then shows them at once)."""
        # After the next frame: what changed on screen is drawn first.
        self.call_after_refresh(self.set_timer, PREPARE_EVERY, self._prepare_one, name="prepare")

    def _prepare_one(self) -> None:
        waiting = [view for view in self.query(MarkdownView) if view.lazy]
        if waiting:
            waiting[-1].prepare()
            if len(waiting) > 1:
                self.prepare_soon()

    async def follow_branch(self, path: Sequence[Message]) -> None:
        """Show another branch (an alternative was chosen, a branch deleted): the widgets of
        the messages both branches share stay as they are; from the first difference on, the
        widgets (notices too) are replaced by the new branch's."""
        make = self._make
        if make is None:
            return
        await self.close_gap()
        path = with_widgets(path)
        hidden = self._hidden
        if len(hidden) > len(path) or any(a is not b for a, b in zip(hidden, path, strict=False)):
            # The difference is behind the marker: show the new branch from scratch.
            await self.remove_children()
            self._marker, self._hidden = None, []
            await self.show_history(path, make)
            return
        index = len(hidden)
        mounted = [w for w in self.children if w is not self._marker]
        stale_from = len(mounted)
        for n, widget in enumerate(mounted):
            message = getattr(widget, "message", None)
            if not isinstance(message, Message):
                continue  # a notice, or a reply still streaming: it stays with what it follows
            if index < len(path) and message is path[index]:
                index += 1
            else:
                stale_from = n
                break
        if stale_from < len(mounted):
            await self.remove_children(mounted[stale_from:])
        if len(path) - index > WINDOW:
            # A long branch below: its end is what is shown, as when a conversation is opened.
            await self.remove_children()
            self._marker, self._hidden = None, []
            await self.show_history(path, make)
            return
        fresh = self._build(path[index:], make)
        if fresh:
            await self.mount_all(fresh)
        self.anchor()
        self.prepare_soon()

    def _build(
        self, messages: Sequence[Message], make: Callable[[Message], Widget]
    ) -> list[Widget]:
        widgets = [make(m) for m in messages]
        if self._pattern is not None:
            for widget in widgets:
                _highlight(widget, self._pattern)
        return widgets

    def highlight(self, pattern: re.Pattern[str] | None) -> None:
        """Mark these words in every message, shown now or later (None: no more)."""
        self._pattern = pattern
        for widget in self.message_widgets():
            _highlight(widget, pattern)

    async def reveal(self, message: Message, count: int = JUMP_WINDOW) -> Widget | None:
        """The widget of ``message``, mounted if it was not (with everything after it: the
        pane stays one stretch of the branch); None if it has none. A message far behind the
        marker is mounted with the few after it (``count`` with it), and the rest up to what is
        mounted stays behind a "more messages" marker: mounting 800 messages took seconds."""
        if any(m is message for m in self._gap):
            await self._reveal_in_gap(message)
        at = next((n for n, m in enumerate(self._hidden) if m is message), None)
        if at is not None and self._make is not None and self._marker is not None:
            if len(self._hidden) - at > count:
                await self.close_gap()  # one gap at a time: the new one is further up
                await self._open_gap(at, count)
            else:
                batch, self._hidden = self._hidden[at:], self._hidden[:at]
                await self.mount_all(self._build(batch, self._make), after=self._marker)
            if not self._hidden:
                await self._marker.remove()
                self._marker = None
            else:
                self._update_marker()
        return next(
            (w for w in self.message_widgets() if getattr(w, "message", None) is message), None
        )

    async def _open_gap(self, at: int, count: int) -> None:
        """Mount ``_hidden[at]`` and the few after it; the rest waits in the gap."""
        assert self._make is not None and self._marker is not None
        batch = self._hidden[at : at + count]
        self._gap = self._hidden[at + count :]
        self._hidden = self._hidden[:at]
        self._gap_marker = LaterMarker(id="later")
        self._update_gap_marker()
        widgets = [*self._build(batch, self._make), self._gap_marker]
        await self.mount_all(widgets, after=self._marker)

    async def _reveal_in_gap(self, message: Message) -> None:
        """A message in the gap: near its top, the gap gives way down to it; else the stretch
        above the gap goes behind the marker and the message is found again from there."""
        at = next(n for n, m in enumerate(self._gap) if m is message)
        if at < WINDOW:
            await self.show_later(at + JUMP_WINDOW)
        else:
            await self.close_gap()

    async def show_later(self, count: int = WINDOW) -> None:
        """Mount the first ``count`` messages of the gap (below the stretch shown above it)."""
        marker = self._gap_marker
        if marker is None or self._make is None:
            return
        batch, self._gap = self._gap[:count], self._gap[count:]
        await self.mount_all(self._build(batch, self._make), before=marker)
        if not self._gap:
            self._gap_marker = None
            await marker.remove()
        else:
            self._update_gap_marker()

    async def close_gap(self) -> None:
        """No gap any more: the stretch above it and the gap's messages go behind the
        earlier-messages marker (in order), the end of the pane stays as it is."""
        marker = self._gap_marker
        if marker is None:
            return
        above: list[Widget] = []
        for widget in self.children:
            if widget is marker:
                break
            if widget is not self._marker:
                above.append(widget)
        kept = [m for w in above if isinstance(m := getattr(w, "message", None), Message)]
        self._hidden = [*self._hidden, *kept, *self._gap]
        self._gap, self._gap_marker = [], None
        await self.remove_children([*above, marker])
        if self._marker is None and self._hidden:
            self._marker = EarlierMarker(id="earlier")
            await self.mount(self._marker, before=0)
        self._update_marker()

    def set_factory(self, make: Callable[[Message], Widget]) -> None:
        """How to rebuild a message widget when the user scrolls back to it."""
        self._make = make

    async def trim(self) -> None:
        """Put the oldest message widgets away (they stay reachable) while the user reads the
        end; never while they have scrolled up to read older ones."""
        if self._make is None or self._loading or self.scroll_y < self.max_scroll_y - 1:
            return
        await self.close_gap()
        if len(self.children) - (self._marker is not None) > LIVE_LIMIT:
            await self._fold_top(lambda _w: True)
        self.anchor()

    async def _fold_top(self, may: Callable[[Widget], bool]) -> None:
        """Put away the widgets above the last window (from the top, while ``may`` allows)."""
        shown = [w for w in self.children if w is not self._marker]
        old: list[Widget] = []
        for widget in shown[: max(0, len(shown) - WINDOW)]:
            if not may(widget):
                break
            old.append(widget)
        self._hidden.extend(messages_of(old))
        await self.remove_children(old)
        await self._ensure_marker()

    async def show_first(self) -> None:
        """ctrl+home: the first message with a window after it, the rest up to the last window
        in the gap between (mounting every message on the way took seconds)."""
        if self._hidden:
            await self.reveal(self._hidden[0], WINDOW)
        marker = self._gap_marker
        if marker is not None:
            below = list(self.children)[list(self.children).index(marker) + 1 :]
            out: list[Widget] = []
            for widget in below[: max(0, len(below) - WINDOW)]:
                if not releasable(widget):
                    break
                out.append(widget)
            self._gap.extend(messages_of(out))
            await self.remove_children(out)
            self._update_gap_marker()
        self.scroll_home(animate=False, immediate=True)

    async def show_last(self) -> None:
        """ctrl+end: the end, the gap folded back and only the last window left mounted."""
        await self.close_gap()
        await self._fold_top(releasable)
        self.anchor()

    async def _scroll_later(self) -> None:
        """The user scrolled down to the gap: the next window comes in, the top goes."""
        if self._loading:
            return
        self._loading = True
        try:
            await self.show_later()
            await self._release_above()
        finally:
            self._loading = False

    async def show_earlier(self) -> None:
        """Mount the previous window above the first shown message, keeping the view still."""
        if not self._hidden or self._make is None or self._loading or self._marker is None:
            return
        self._loading = True
        settling = False
        try:
            batch, self._hidden = self._hidden[-WINDOW:], self._hidden[:-WINDOW]
            widgets = self._build(batch, self._make)
            await self._release_below(len(batch))
            shown = [w for w in self.children if w is not self._marker]
            stays = shown[0] if shown else None
            offset = stays.virtual_region.y - self.scroll_y if stays is not None else 0
            await self.mount_all(widgets, after=self._marker)
            if not self._hidden:
                await self._marker.remove()
                self._marker = None
            else:
                self._update_marker()
            if stays is not None:
                # Loading until the view is back in its place (after the layout): until then
                # it shows the top of the new window, and a page key there skipped a window
                # (seen once in a full run under load).
                self.call_after_refresh(self._loaded_in_place, stays, offset)
                settling = True
        finally:
            if not settling:
                self._loading = False

    def _loaded_in_place(self, widget: Widget, offset: float) -> None:
        self._loading = False
        self._keep_place(widget, offset)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 0 < old and self._hidden and not self._loading:
            self.run_worker(self.show_earlier(), exclusive=True, group="earlier")
        gap = self._gap_marker
        if (
            gap is not None
            and new > old
            and not self._loading
            and gap.virtual_region.height
            and gap.virtual_region.y < new + self.size.height
        ):
            self.run_worker(self._scroll_later(), group="later")

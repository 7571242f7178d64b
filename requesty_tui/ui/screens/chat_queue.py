"""The chat screen's queue: Enter while a reply streams (or a tool call asks) queues the message,
shown dimmed above the input box; once the reply ended well the first queued message is sent;
a reply that failed or was stopped gives them all back into the input box. The rules are
:mod:`requesty_tui.chat.queue`'s; the queue itself lives in the draft keeper, so it is on disk
with the draft (a crash or ``kill -9`` brings it back into the input box).

Hooks on the screen: Enter while streaming (:meth:`QueueControl.add`), each run's end
(:meth:`ended`, before the prompt of a failed send goes back: the box then reads prompt,
queued messages, what was typed since), the run settled (:meth:`settled`: the next one goes
once the reply's widgets are final), up in the empty box (:meth:`take_back`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from textual.screen import Screen

from requesty_tui.chat.queue import MAX_QUEUED, ended_well, into_box
from requesty_tui.core.formatting import plural
from requesty_tui.ui.screens.chat_send import SendHost
from requesty_tui.ui.widgets.prompt_input import PromptInput
from requesty_tui.ui.widgets.queued_bar import QueuedBar

if TYPE_CHECKING:
    from requesty_tui.chat.queue import SendQueue
    from requesty_tui.ui.screens.chat_reply import ReplyRun


class QueueHost(SendHost, Protocol):
    """What the queue needs of the chat screen: what a send needs (Enter goes through
    :func:`.chat_send.submitted`, which queues while a reply streams)."""


class QueueControl:
    def __init__(self, host: QueueHost, screen: Screen[None]) -> None:
        self.host = host
        self.screen = screen
        self.bar: QueuedBar | None = None
        self.went_well = False
        """Some run of the reply on screen ended well (a comparison: any column)."""
        self.send_when_settled = False

    @property
    def queue(self) -> SendQueue:
        return self.host.session.drafts.queue

    @property
    def box(self) -> PromptInput:
        return self.screen.query_one(PromptInput)

    async def submit(self, text: str) -> None:
        """Enter: queued while a reply streams (a tool call asking too: its question keeps its
        keys), else sent once the model's window can take it (the fit dialog asks if not)."""
        from requesty_tui.ui.screens import chat_send

        await chat_send.submitted(self.host, text)

    async def add(self, text: str) -> None:
        """Enter while a reply streams: the message waits (or, the queue full, goes back)."""
        if not self.queue.add(text):
            self.box.restore(text)
            full = f"{MAX_QUEUED} messages already wait for this reply: this one stays here."
            self.screen.notify(full, severity="warning", markup=False)
            return
        await self._changed()

    def ended(self, run: ReplyRun, last: bool) -> None:
        """A run ended (``last``: nothing streams any more). Failed or stopped: the queue goes
        back into the input box now, before a failed prompt is given back above it."""
        self.went_well = self.went_well or ended_well(run.runner.outcome)
        if not last:
            return
        went_well, self.went_well = self.went_well, False
        if not self.queue:
            return
        if went_well:
            self.send_when_settled = True
            return
        count = len(self.queue)
        box = self.box
        box.load_text(into_box(self.queue.give_back(), box.text))
        box.move_cursor(box.document.end)
        self.screen.call_later(self._changed)
        back = f"{plural(count, 'queued message')} not sent (the reply did not end well): back "
        self.screen.notify(back + "in the input box.", severity="warning", markup=False)

    def settled(self) -> None:
        """A run's widgets are final: the next queued message may go."""
        if self.send_when_settled and not self.host.session.streaming:
            self.send_when_settled = False
            self.screen.call_later(self.send_next)

    async def send_next(self) -> None:
        text = self.queue.next()
        if text is None or self.host.session.streaming:
            if text is not None:
                self.queue.items.insert(0, text)
            return
        await self._changed()
        await self.submit(text)
        if not self.host.session.streaming and self.queue:
            # Not sent after all (refused files, the fit dialog): the rest is not left waiting
            # for a reply that never comes.
            box = self.box
            box.load_text(into_box(box.text, self.queue.give_back()))
            await self._changed()

    def take_back(self, index: int = -1) -> bool:
        """Up in the empty box (the newest), or enter on one: back into the input box."""
        text = self.queue.take(index)
        if text is None:
            return False
        box = self.box
        box.load_text(into_box(box.text, text))
        box.move_cursor(box.document.end)
        box.focus()
        self.screen.call_later(self._changed)
        return True

    async def chosen(self, event: QueuedBar.Chosen) -> None:
        if event.remove:
            self.queue.take(event.index)
            await self._changed()
            if not self.queue:
                self.box.focus()
        else:
            self.take_back(event.index)

    async def _changed(self) -> None:
        """Shown anew and on disk now (the draft holds the queue)."""
        if self.bar is None:
            self.bar = QueuedBar(id="queued")
            await self.screen.mount(self.bar, before="#attachments")
        await self.bar.show(list(self.queue.items))
        self.host.session.drafts.dirty = True
        self.host.save_draft(force=True)

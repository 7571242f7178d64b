"""The chat screen's queue events and what a paste brings (a base of the chat screen): light,
so that start-up does not import the queue itself (:mod:`.chat_queue`) before it is used."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat_queue import QueueControl, QueueHost
    from requesty_tui.ui.screens.chat_reply import ReplyRun
    from requesty_tui.ui.widgets.prompt_input import PromptInput
    from requesty_tui.ui.widgets.queued_bar import QueuedBar


class QueueEvents(Screen[None]):
    """The chat screen's queue and what a paste brings (a path: a file to attach; nothing: the
    clipboard's image): a base of the chat screen, which is a :class:`QueueHost`."""

    @cached_property
    def queue(self) -> QueueControl:
        """Messages sent while a reply streams (built on first use)."""
        from requesty_tui.ui.screens.chat_queue import QueueControl  # on first use: start-up

        return QueueControl(cast("QueueHost", self), self)

    def run_over(self, run: ReplyRun) -> None:
        """A run ended: the queue hears of it (a failed reply gives it back, before the
        prompt of a failed send), and the last one rings when the window is elsewhere."""
        from requesty_tui.ui.notify import notify_reply

        host = cast("QueueHost", self)
        last = not host.session.streaming
        self.queue.ended(run, last=last)
        if last:
            title = host.session.conversation.title
            notify_reply(self.app, host.services.settings, run, title)

    async def on_queued_bar_chosen(self, event: QueuedBar.Chosen) -> None:
        await self.queue.chosen(event)

    def on_prompt_input_path_pasted(self, event: PromptInput.PathPasted) -> None:
        cast("QueueHost", self).attach.offer(event.path, event.text)

    def on_prompt_input_clipboard_paste(self, event: PromptInput.ClipboardPaste) -> None:
        from requesty_tui.ui.clipboard_image import paste_from_clipboard

        host = cast("QueueHost", self)
        self.run_worker(paste_from_clipboard(host.attach, event.input, event.empty_paste))

"""The chat screen's find keys (a base of the chat screen): light, so that start-up does not
import the find itself (:mod:`.chat_find`), which comes with the first ``ctrl+f``."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, cast

from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat_find import FindControl, FindHost
    from requesty_tui.ui.widgets.find_bar import FindBar


class FindKeys(Screen[None]):
    """The chat screen's find keys and what the bar asks (a base of the chat screen, which
    is a :class:`FindHost`)."""

    BINDINGS = [
        # Priority: the input box would keep ctrl+f (a text area's word key in some versions).
        Binding("ctrl+f", "find", "Find", id="chat.find", priority=True, show=False),
        Binding("f3", "find_step(1)", "Next match", id="chat.find_next", show=False),
        Binding("shift+f3", "find_step(-1)", "Previous match", id="chat.find_previous",
                show=False),
    ]  # fmt: skip

    @cached_property
    def finder(self) -> FindControl:
        from requesty_tui.ui.screens.chat_find import FindControl  # on first use: start-up

        return FindControl(cast("FindHost", self))

    async def action_find(self) -> None:
        await self.finder.open()

    async def action_find_step(self, step: int) -> None:
        if self.finder.bar is None:
            await self.finder.open()
        else:
            await self.finder.step(step)

    def on_find_bar_changed(self, event: FindBar.Changed) -> None:
        self.finder.search(event.query)

    async def on_find_bar_step(self, event: FindBar.Step) -> None:
        await self.finder.step(event.step)

    async def on_find_bar_closed(self, _event: FindBar.Closed) -> None:
        await self.finder.close()

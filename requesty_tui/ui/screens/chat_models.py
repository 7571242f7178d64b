"""Switching among the starred and recent models from the chat (ctrl+up / ctrl+down), without
opening the picker, and recording each model a message is sent to (the recents).

The list is :meth:`requesty_tui.chat.favourites.Favourites.cycle`; the top bar shows the model
chosen, as a pick in the picker would.
"""

from __future__ import annotations

import contextlib
from typing import Protocol, cast

from textual.binding import Binding
from textual.screen import Screen

from requesty_tui.ui.key_names import label_for
from requesty_tui.ui.screens.chat_host import ChatParts


class ModelHost(ChatParts, Protocol):
    def set_model(self, model: str | None) -> None:
        """The next message goes to ``model``, as a pick in the picker would."""


class ModelKeys(Screen[None]):
    """The chat screen's model keys (a base of the chat screen, which is a
    :class:`ModelHost`)."""

    BINDINGS = [
        # Priority: wherever the focus is in the chat (a focused message has no use for them).
        Binding("ctrl+up", "model_step(-1)", "Previous model", id="chat.model_previous",
                priority=True, show=False),
        Binding("ctrl+down", "model_step(1)", "Next model", id="chat.model_next",
                priority=True, show=False),
    ]  # fmt: skip

    def action_model_step(self, step: int) -> None:
        chat = cast(ModelHost, self)
        if chat.context.compare_models:
            self.notify("Comparing models: ctrl+p → chat: compare off first.", severity="warning")
            return
        favourites = chat.services.favourites
        model = favourites.step(chat.session.model, step)
        if model is None:
            keys = chat.services.settings.keys
            pick = label_for(keys, "chat.model", "f2")
            self.notify(
                f"No other starred or recent model yet: star some in the picker ({pick}, then "
                "ctrl+s); the models you send to are added by themselves.",
                severity="warning",
                markup=False,
            )
            return
        chat.set_model(model)
        models = favourites.cycle()
        where = f" ({models.index(model) + 1}/{len(models)})" if model in models else ""
        self.notify(f"Model: {model}{where}", timeout=2, markup=False)

    def note_sent(self, model: str) -> None:
        """A message goes to ``model``: first in the recents (a state file that cannot be
        written only loses that)."""
        with contextlib.suppress(OSError):
            cast(ChatParts, self).services.favourites.used(model)

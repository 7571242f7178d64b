"""The chat's model: picked (F2, a click on the top bar, the palette), remembered for the next
start, and checked against the server's model list when it arrives."""

from __future__ import annotations

import sys

from requesty_tui.ui.screens.chat_host import ChatParts

_PICKER = "requesty_tui.ui.screens.model_picker"
"""Imported when a picker first opens (8 ms of start-up otherwise)."""


def pick_model(host: ChatParts) -> None:
    """The picker; its answer goes to :func:`set_model`."""
    from requesty_tui.ui.screens.model_picker import ModelPicker

    catalogue = host.services.catalogue
    favourites = host.services.favourites
    picker = ModelPicker(catalogue.models, host.session.model, catalogue.detail, favourites)
    host.app.push_screen(picker, lambda model: set_model(host, model))


def set_model(host: ChatParts, model: str | None) -> None:
    """The next message goes to ``model`` (None: the picker was closed), remembered for the
    next start."""
    if model:
        host.session.conversation.model = model
        try:
            host.services.remember_model(model)
        except OSError as exc:
            host.notify(f"Could not save the last model: {exc}", severity="warning", markup=False)
        host.refresh_bars()
    host.prompt.focus()


def models_changed(host: ChatParts, is_current: bool) -> None:
    """The model list changed (fetched, refreshed): a chat model it does not know is said (on
    the screen in front); an open picker shows the new list."""
    catalogue = host.services.catalogue
    model = host.session.model
    if is_current and catalogue.unknown(model) and not catalogue.status:
        host.notify(
            f"{model} is not in this server's model list. F2 picks another "
            "(any id can be typed there).",
            severity="warning",
            timeout=10,
            markup=False,
        )
    picker = sys.modules.get(_PICKER)  # not imported: no picker was ever open
    if picker is not None and isinstance(host.app.screen, picker.ModelList):
        host.app.screen.set_models(catalogue.models, catalogue.detail)
    host.refresh_bars()

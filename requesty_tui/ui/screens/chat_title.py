"""The chat screen asks a model for the conversation's title: in the background after the first
reply when ``title_model`` is set, or on demand (``chat: title from model``) with the chat's
model. The request and the rules are :mod:`requesty_tui.chat.titles`'s; this says what came."""

from __future__ import annotations

from requesty_tui.chat.titles import ask_title, needs_title
from requesty_tui.core.formatting import format_cost
from requesty_tui.ui.messages import TitleWanted
from requesty_tui.ui.screens.chat_host import ChatParts


def title_soon(host: ChatParts) -> None:
    """After a reply: the first one, with ``title_model`` set, asks for a title."""
    model = host.services.settings.title_model
    if model and needs_title(host.session.conversation):
        host.post_message(TitleWanted(model))


def title_on_demand(host: ChatParts) -> None:
    conversation = host.session.conversation
    if conversation.title_by == "user":
        host.notify(
            "You named this conversation; rename it in the browser (ctrl+o, ctrl+r) to change it.",
            severity="warning",
        )
        return
    if not conversation.messages:
        host.notify("There is nothing to make a title from yet.", severity="warning")
        return
    host.post_message(TitleWanted(host.session.model, said=True))


async def show_title(host: ChatParts, model: str, *, said: bool = False) -> None:
    """Ask for the title, in the screen's ``title`` worker; say what came (``said``: also that
    none did)."""
    services = host.services
    answer = await ask_title(
        host.session.conversation, model, services.connection.ready, services.catalogue.info
    )
    if answer is None:
        return
    if answer.error is not None:
        host.notify(f"No title from {model}: {answer.error}", severity="warning", markup=False)
        return
    host.session.save()
    host.refresh_bars()
    host.context.refresh_spend()
    usage, title = answer.usage, answer.title
    cost = format_cost(usage.shown_cost) if usage is not None else ""
    if title is not None:
        host.notify(f"Title: {title}" + (f" ({cost})" if cost else ""), markup=False)
    elif said:
        host.notify(f"{model} gave no title.", severity="warning", markup=False)

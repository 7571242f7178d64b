"""The chat screen asks a model for the conversation's title: in the background after the first
reply when ``title_model`` is set, or on demand (``chat: title from model``) with the chat's
model. The rules are :mod:`requesty_tui.chat.titles`'s."""

from __future__ import annotations

from requesty_tui.chat.titles import clean_title, needs_title, title_request
from requesty_tui.client.errors import RouterError
from requesty_tui.client.events import TextDelta, UsageReport
from requesty_tui.core.domain import Usage
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


async def ask_title(host: ChatParts, model: str, *, said: bool = False) -> None:
    """The title request, in the screen's ``title`` worker."""
    conversation = host.session.conversation
    request = title_request(conversation, model)
    if request is None:
        return
    parts: list[str] = []
    usage: Usage | None = None
    try:
        client = await host.services.connection.ready()
        async for event in client.stream_chat(request):
            if isinstance(event, TextDelta):
                parts.append(event.text)
            elif isinstance(event, UsageReport):
                usage = event.usage.with_estimate(host.services.catalogue.info(model))
    except RouterError as exc:
        host.notify(f"No title from {model}: {exc}", severity="warning", markup=False)
        return
    if usage is not None:
        before = conversation.title_usage
        conversation.title_usage = usage if before is None else before.plus(usage)
    title = clean_title("".join(parts))
    if title is not None and conversation.title_by != "user":  # renamed meanwhile: kept
        conversation.title = title
        conversation.title_by = "model"
    host.session.save()
    host.refresh_bars()
    host.context.refresh_spend()
    cost = format_cost(usage.shown_cost) if usage is not None else ""
    if title is not None:
        host.notify(f"Title: {title}" + (f" ({cost})" if cost else ""), markup=False)
    elif said:
        host.notify(f"{model} gave no title.", severity="warning", markup=False)

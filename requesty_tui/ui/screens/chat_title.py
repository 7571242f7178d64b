"""The chat screen asks a model for the conversation's title: in the background after the first
reply when ``title_model`` is set, or on demand (``chat: title from model``) with the chat's
model. The rules are :mod:`requesty_tui.chat.titles`'s."""

from __future__ import annotations

from typing import TYPE_CHECKING

from requesty_tui.chat.titles import clean_title, needs_title, title_request
from requesty_tui.client.errors import RouterError
from requesty_tui.client.events import TextDelta, UsageReport
from requesty_tui.core.domain import Usage
from requesty_tui.core.formatting import format_cost

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat import ChatScreen


def title_soon(screen: ChatScreen) -> None:
    """After a reply: the first one, with ``title_model`` set, asks for a title."""
    model = screen.services.settings.title_model
    if model and needs_title(screen.conversation):
        screen.run_worker(
            ask_title(screen, model), group="title", exclusive=True, exit_on_error=False
        )


def title_on_demand(screen: ChatScreen) -> None:
    if screen.conversation.title_by == "user":
        screen.notify(
            "You named this conversation; rename it in the browser (ctrl+o, ctrl+r) to change it.",
            severity="warning",
        )
        return
    if not screen.conversation.messages:
        screen.notify("There is nothing to make a title from yet.", severity="warning")
        return
    screen.run_worker(
        ask_title(screen, screen.model, said=True), group="title", exclusive=True,
        exit_on_error=False,
    )  # fmt: skip


async def ask_title(screen: ChatScreen, model: str, *, said: bool = False) -> None:
    conversation = screen.conversation
    request = title_request(conversation, model)
    if request is None:
        return
    parts: list[str] = []
    usage: Usage | None = None
    try:
        client = await screen.services.connection.ready()
        async for event in client.stream_chat(request):
            if isinstance(event, TextDelta):
                parts.append(event.text)
            elif isinstance(event, UsageReport):
                usage = event.usage.with_estimate(screen.services.catalogue.info(model))
    except RouterError as exc:
        screen.notify(f"No title from {model}: {exc}", severity="warning", markup=False)
        return
    if usage is not None:
        before = conversation.title_usage
        conversation.title_usage = usage if before is None else before.plus(usage)
    title = clean_title("".join(parts))
    if title is not None and conversation.title_by != "user":  # renamed meanwhile: kept
        conversation.title = title
        conversation.title_by = "model"
    screen.save()
    screen.refresh_bars()
    screen.context.refresh_spend()
    cost = format_cost(usage.shown_cost) if usage is not None else ""
    if title is not None:
        screen.notify(f"Title: {title}" + (f" ({cost})" if cost else ""), markup=False)
    elif said:
        screen.notify(f"{model} gave no title.", severity="warning", markup=False)

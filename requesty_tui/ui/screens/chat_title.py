"""The chat screen asks a model for the conversation's title: in the background after the first
reply when ``title_model`` is set, or on demand (``chat: title from model``) with the chat's
model. The request and the rules are :mod:`requesty_tui.chat.titles`'s; this says what came."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from requesty_tui.chat.titles import ask_title, needs_title
from requesty_tui.core.formatting import format_cost

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.worker import Worker

    from requesty_tui.chat.services import Services
    from requesty_tui.core.domain import Conversation
    from requesty_tui.ui.context import UiContext


class TitleHost(Protocol):
    """What a title needs of the screen it is asked from (the chat screen is one)."""

    @property
    def conversation(self) -> Conversation: ...

    @property
    def services(self) -> Services: ...

    @property
    def context(self) -> UiContext: ...

    @property
    def model(self) -> str:
        """The model the next message goes to."""

    def save(self) -> None: ...

    def refresh_bars(self) -> None: ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...

    def run_worker(
        self,
        work: Coroutine[Any, Any, None],
        name: str | None = "",
        group: str = "default",
        description: str = "",
        exit_on_error: bool = True,
        start: bool = True,
        exclusive: bool = False,
        thread: bool = False,
    ) -> Worker[None]: ...


def title_soon(screen: TitleHost) -> None:
    """After a reply: the first one, with ``title_model`` set, asks for a title."""
    model = screen.services.settings.title_model
    if model and needs_title(screen.conversation):
        screen.run_worker(
            show_title(screen, model), group="title", exclusive=True, exit_on_error=False
        )


def title_on_demand(screen: TitleHost) -> None:
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
        show_title(screen, screen.model, said=True), group="title", exclusive=True,
        exit_on_error=False,
    )  # fmt: skip


async def show_title(screen: TitleHost, model: str, *, said: bool = False) -> None:
    """Ask for the title; say what came (``said``: also that none did)."""
    services = screen.services
    answer = await ask_title(
        screen.conversation, model, services.connection.ready, services.catalogue.info
    )
    if answer is None:
        return
    if answer.error is not None:
        screen.notify(f"No title from {model}: {answer.error}", severity="warning", markup=False)
        return
    screen.save()
    screen.refresh_bars()
    screen.context.refresh_spend()
    usage, title = answer.usage, answer.title
    cost = format_cost(usage.shown_cost) if usage is not None else ""
    if title is not None:
        screen.notify(f"Title: {title}" + (f" ({cost})" if cost else ""), markup=False)
    elif said:
        screen.notify(f"{model} gave no title.", severity="warning", markup=False)

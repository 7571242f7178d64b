"""Rating a reply from the chat: ``shift+up`` / ``shift+down`` on a focused reply (binding ids
``reply.good`` / ``reply.bad``), or ``chat: rate reply…`` with a comment. The rating shows in
the reply's header and is saved with the conversation; sending happens in a worker."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from requesty_tui.chat.feedback import rate
from requesty_tui.core.domain import Message, Rating
from requesty_tui.ui.screens.chat_host import ChatParts
from requesty_tui.ui.widgets.message import AssistantMessage

if TYPE_CHECKING:
    from textual.worker import Worker


class FeedbackHost(ChatParts, Protocol):
    """A rating is sent in the screen's ``feedback`` worker."""

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


def rate_reply(
    chat: FeedbackHost, message: Message, rating: str, comment: str | None = None
) -> None:
    """Rate ``message`` now (the header says so at once) and send it in a worker."""
    if rating not in ("good", "bad"):
        return
    value: Rating = "good" if rating == "good" else "bad"

    async def send() -> None:
        problem = await rate(chat.services.connection, message, value, comment)
        _show(chat, message)
        chat.session.save()
        if problem is not None:
            chat.notify(problem, severity="warning", markup=False)

    message.rating, message.rating_sent = value, False
    _show(chat, message)
    chat.run_worker(send(), group="feedback", exclusive=True, exit_on_error=False)


def _show(chat: ChatParts, message: Message) -> None:
    for widget in chat.pane.query(AssistantMessage):
        if widget.message is message:
            widget.refresh_rating()


def rate_from_palette(chat: FeedbackHost) -> None:
    """``chat: rate reply…``: the focused reply (else the last), good or bad, a comment."""
    from requesty_tui.ui.screens.dialogs import Choice, TextPrompt

    focused = chat.focused
    if isinstance(focused, AssistantMessage) and focused.message is not None:
        target: Message | None = focused.message
    else:
        path = chat.session.conversation.path()
        target = next((m for m in reversed(path) if m.role == "assistant"), None)
    if target is None:
        chat.notify("There is no reply to rate yet.", severity="warning")
        return
    reply = target

    def commented(rating: str, comment: str | None) -> None:
        if comment is not None:
            rate_reply(chat, reply, rating, comment)

    def chosen(rating: str | None) -> None:
        if rating is None:
            return
        prompt = TextPrompt(
            "A comment for the router (optional)",
            reply.rating_comment,
            hint="Sent with the rating; empty: none.",
            allow_empty=True,
        )
        chat.app.push_screen(prompt, lambda comment: commented(rating, comment))

    question = "Rate this reply (sent to the router's feedback for it; again replaces it)"
    answers = [("good", "▲ Good"), ("bad", "▼ Bad")]
    chat.app.push_screen(Choice(question, answers), chosen)

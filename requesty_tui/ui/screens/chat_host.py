"""What the chat screen's helpers may ask of it, as a type (none of them imports the screen).

A helper is given the screen typed as one of these: the chat's state is the
:class:`~requesty_tui.chat.session.ChatSession`, its widgets are typed references, the rest is
Textual's basics of a screen. Each helper's own protocol adds the few steps it waits for
(awaited: a redraw must be over before the next widget goes in); effects it only announces
travel as messages (:mod:`requesty_tui.ui.messages`), which the screen routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message
    from textual.notifications import SeverityLevel
    from textual.widget import Widget

    from requesty_tui.chat.services import Services
    from requesty_tui.chat.session import ChatSession
    from requesty_tui.ui.context import UiContext
    from requesty_tui.ui.widgets.conversation import ConversationView
    from requesty_tui.ui.widgets.prompt_input import PromptInput


class ChatParts(Protocol):
    """The chat screen as every helper sees it."""

    @property
    def session(self) -> ChatSession[Any]:
        """The conversation and what belongs to it."""

    @property
    def services(self) -> Services: ...

    @property
    def context(self) -> UiContext: ...

    @property
    def pane(self) -> ConversationView:
        """The conversation on screen."""

    @property
    def prompt(self) -> PromptInput:
        """The input box."""

    @property
    def app(self) -> App[Any]: ...

    @property
    def focused(self) -> Widget | None: ...

    def notify(
        self,
        message: str,
        *,
        title: str = ...,
        severity: SeverityLevel = ...,
        timeout: float | None = ...,
        markup: bool = ...,
    ) -> None: ...

    def post_message(self, message: Message) -> bool:
        """Announce an effect; the screen routes it."""

    def refresh_bindings(self) -> None: ...

    def refresh_bars(self) -> None:
        """The top bar and the status line say the conversation's state again."""

    def save_draft(self, force: bool = False) -> None:
        """What the input box holds is the conversation's draft (a failure is said)."""

"""Messages widgets post upwards instead of reaching for the App."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from requesty_tui.core.domain import Conversation
from requesty_tui.core.domain import Message as ChatMessage


@dataclass
class CopyRequest(Message):
    """Copy this text (described as ``what`` in the notice); the App knows how."""

    text: str
    what: str


@dataclass
class ShowAlternative(Message):
    """Show the alternative ``step`` places away from this message (‹ -1, › +1)."""

    message: ChatMessage
    step: int


@dataclass
class EditMessage(Message):
    """Edit this prompt: a new version of it goes beside it."""

    message: ChatMessage


@dataclass
class RegenerateReply(Message):
    """Ask again for this reply: the new one goes beside it."""

    message: ChatMessage


@dataclass
class RateReply(Message):
    """Rate this reply: a thumbs up ("good") or down ("bad"), sent to the router."""

    message: ChatMessage
    rating: str


# -- between the chat screen's helpers: each announces, the screen routes ------------------------


@dataclass
class OpenConversation(Message):
    """Show this conversation in place of the one on screen (a fork)."""

    conversation: Conversation


@dataclass
class SendText(Message):
    """Send this text (``keep``: only these earlier messages go with it, the recent turns that
    fit the model's context window)."""

    text: str
    keep: list[ChatMessage] | None = None


class PickModel(Message):
    """Open the model picker for the chat's model."""


@dataclass
class TitleWanted(Message):
    """Ask ``model`` for the conversation's title, in the background (``said``: asked for,
    so a failure to give one is said too)."""

    model: str
    said: bool = False

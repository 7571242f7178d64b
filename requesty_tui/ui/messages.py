"""Messages widgets post upwards instead of reaching for the App."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

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

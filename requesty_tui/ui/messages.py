"""Messages widgets post upwards instead of reaching for the App."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class CopyRequest(Message):
    """Copy this text (described as ``what`` in the notice); the App knows how."""

    text: str
    what: str

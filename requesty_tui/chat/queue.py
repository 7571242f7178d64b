"""Messages typed while a reply streams: queued, and sent one by one once it ended well.

Enter while a reply streams (or a tool call waits for an answer) does not refuse the text: it
waits here, in order, up to :data:`MAX_QUEUED`. When the reply ends well the first goes out
(the next one waits for that reply in turn); when it fails or is stopped none is sent and all
go back into the input box, so nothing typed is lost. The queue is part of the draft on disk
(:func:`draft_text`), so a crash or ``kill -9`` brings the queued messages back into the input
box at the next start. No Textual here: the rules are unit-tested
(``tests/unit/test_send_queue.py``); the screen's part is ``ui/screens/chat_queue.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from requesty_tui.chat.turn import Outcome

MAX_QUEUED = 5
"""Messages that may wait at once: "a few"; a sixth is refused with the reason."""

SEPARATOR = "\n\n"
"""Between the queued messages (and what is typed) when they go back into the input box."""


@dataclass
class SendQueue:
    """The messages waiting for the reply on screen to end, oldest first."""

    items: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, text: str) -> bool:
        """Queue ``text`` (blank text is not a message); False when the queue is full."""
        if not text.strip() or len(self.items) >= MAX_QUEUED:
            return False
        self.items.append(text)
        return True

    def next(self) -> str | None:
        """The oldest message, taken out to be sent (None: nothing waits)."""
        return self.items.pop(0) if self.items else None

    def take(self, index: int = -1) -> str | None:
        """One message taken back (default: the newest), e.g. to edit it in the input box."""
        if not self.items or not -len(self.items) <= index < len(self.items):
            return None
        return self.items.pop(index)

    def give_back(self) -> str:
        """All of them, in order, for the input box; the queue is empty after."""
        text = SEPARATOR.join(self.items)
        self.items.clear()
        return text


def draft_text(queued: list[str], typed: str) -> str:
    """What the draft file holds: the queued messages, then what is typed. Read back at the
    next start, it is text in the input box like any draft (an older version reads it too)."""
    return SEPARATOR.join(t for t in (*queued, typed) if t.strip())


def into_box(queued: str, typed: str) -> str:
    """The queue given back before what was typed since (the order it was written in)."""
    return SEPARATOR.join(t for t in (queued, typed) if t.strip())


def ended_well(outcome: Outcome | None) -> bool:
    """The reply finished (also at the limit of tool rounds, or cut at max tokens): the next
    message may follow it. Stopped, failed, filtered, or nothing came: the queue is not sent."""
    if outcome is None or not outcome.kept:
        return False
    return outcome.finish_reason not in ("cancelled", "error", "content_filter")

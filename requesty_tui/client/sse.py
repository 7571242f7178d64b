"""An incremental server-sent-events parser (WHATWG HTML, "event stream interpretation").

Fed text in arbitrary pieces (a TCP read may split a line, a CRLF or a UTF-8 character
anywhere); yields complete events. Pure Python, no I/O, so it is tested byte by byte.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

MAX_LINE_CHARS = 16 * 1024 * 1024
"""A longer line is a broken or hostile server, not a reply: refuse it instead of eating RAM."""


class SSEError(ValueError):
    """The byte stream cannot be an event stream (for example a line over the size limit)."""


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event. ``data`` lines are joined with ``\\n`` as the spec says."""

    data: str
    event: str = "message"
    id: str | None = None


class SSEParser:
    """Turns a stream of bytes into :class:`SSEEvent` objects.

    Invalid UTF-8 becomes U+FFFD rather than an exception: one bad byte must not lose a reply.
    """

    def __init__(self, max_line_chars: int = MAX_LINE_CHARS) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending: list[str] = []
        self._pending_len = 0
        self._skip_lf = False
        self._data: list[str] = []
        self._event = ""
        self._last_id: str | None = None
        self._max = max_line_chars
        self._first = True

    def feed_bytes(self, chunk: bytes) -> list[SSEEvent]:
        return self.feed(self._decoder.decode(chunk))

    def feed(self, text: str) -> list[SSEEvent]:
        """Add text; return the events it completed."""
        if self._first and text:
            self._first = False
            if text.startswith("\ufeff"):
                text = text[1:]
        events: list[SSEEvent] = []
        if not self._skip_lf and "\n" not in text and "\r" not in text:
            # Most reads of a long line: just remember it (no quadratic re-joining).
            self._hold(text)
            return events
        buf = "".join(self._pending) + text
        self._pending, self._pending_len = [], 0
        start = 0
        length = len(buf)
        while start < length:
            if self._skip_lf:
                self._skip_lf = False
                if buf[start] == "\n":
                    start += 1
                    continue
            cr = buf.find("\r", start)
            lf = buf.find("\n", start)
            if cr == -1 and lf == -1:
                break
            if cr == -1 or (lf != -1 and lf < cr):
                end, nxt = lf, lf + 1
            else:
                end, nxt = cr, cr + 1
                if nxt < length:
                    if buf[nxt] == "\n":
                        nxt += 1
                else:
                    self._skip_lf = True
            self._line(buf[start:end], events)
            start = nxt
        self._hold(buf[start:])
        return events

    def _hold(self, rest: str) -> None:
        if rest:
            self._pending.append(rest)
            self._pending_len += len(rest)
            if self._pending_len > self._max:
                raise SSEError(f"an event-stream line exceeded {self._max:,} characters")

    def close(self) -> list[SSEEvent]:
        """End of stream. Per the spec an unterminated event is discarded."""
        self._decoder.decode(b"", final=True)
        self._pending, self._pending_len = [], 0
        return []

    def _line(self, line: str, events: list[SSEEvent]) -> None:
        if not line:
            if self._data:
                events.append(
                    SSEEvent("\n".join(self._data), self._event or "message", self._last_id)
                )
            self._data = []
            self._event = ""
            return
        if line[0] == ":":
            return  # comment / keep-alive
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._last_id = value
        # "retry" and unknown fields are ignored.

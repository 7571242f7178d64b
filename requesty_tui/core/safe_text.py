"""Text from outside (the model, a session file, a server) made safe to draw.

Control characters become visible symbols and CR is dropped, so nothing that reaches the
terminal can be an escape sequence (colours, OSC 52 clipboard writes, title changes, cursor
movement, bell). Used wherever such text is shown: replies, titles, errors, listings.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\U0010eeee]")
"""Control characters, and kitty's image placeholder (U+10EEEE: text must not draw a picture)."""


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ... ␟, e.g. ESC becomes ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def make_safe(text: str) -> str:
    """Model text as data: control characters become visible symbols, CR is dropped.

    Nothing that reaches the terminal can then be an escape sequence (colours, OSC 52,
    title changes, cursor movement, bell).
    """
    if "\r" in text:
        text = text.replace("\r", "")
    return _CONTROL.sub(_visible, text)


def one_line(text: str, limit: int = 400) -> str:
    """A server's words for a one-line message: control characters dropped (a newline or tab
    folds into a space), whitespace folded, length capped."""
    text = " ".join(_CONTROL.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

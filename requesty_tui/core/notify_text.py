"""A desktop notification through the terminal: which escape sequence, and its text made safe.

The text comes from a model (the reply's first words, a title it gave): it must never become
an escape sequence of its own, so every control character (C0, DEL, C1: ESC, BEL, ST among
them) is dropped and ``;`` (the field separator of OSC 777, and of ConEmu's ``OSC 9;n;``
commands that Windows Terminal reads) becomes ``,``. No Textual here: the rules are
unit-tested (``tests/unit/test_notify_text.py``); writing the bytes is ``ui/notify.py``'s.
"""

from __future__ import annotations

from collections.abc import Mapping

from requesty_tui.core.safe_text import one_line

SETTINGS = ("auto", "bell", "osc9", "osc777", "off")
"""``notify`` in config.toml."""

BELL = "\a"
ST = "\x1b\\"
"""String terminator (kitty's OSC 99 wants it; BEL ends the others)."""

WORDS = 12
"""Words of the reply in the notification: enough to recognise it, short enough to show whole."""

LIMIT = 160
"""Characters of the whole text (desktop notifications cut around 200)."""


def clean(text: str, limit: int = LIMIT) -> str:
    """One line with no control character and no ``;``, at most ``limit`` characters."""
    return one_line(text, limit).replace(";", ",")


def notice_text(title: str, reply: str) -> str:
    """The conversation's title and the first words of the reply."""
    words = reply.split()
    start = " ".join(words[:WORDS]) + (" …" if len(words) > WORDS else "")
    head = clean(title, 60) or "requesty-tui"
    return clean(f"{head}: {start}" if start.strip() else head)


def method_for(setting: str, environ: Mapping[str, str]) -> str:
    """``bell``, ``osc9``, ``osc99`` (kitty), ``osc777`` or ``off``. ``auto``: OSC 9 where the
    terminal says who it is and that one shows it (iTerm2, WezTerm, Ghostty, Windows
    Terminal), OSC 99 in kitty, else a bell (which every terminal has)."""
    if setting != "auto":
        return setting
    program = environ.get("TERM_PROGRAM", "")
    if environ.get("TERM") == "xterm-kitty" or environ.get("KITTY_WINDOW_ID"):
        return "osc99"
    if (
        program in ("iTerm.app", "WezTerm", "ghostty")
        or environ.get("LC_TERMINAL") == "iTerm2"
        or environ.get("WEZTERM_PANE")
        or environ.get("GHOSTTY_RESOURCES_DIR")
        or environ.get("WT_SESSION")
    ):
        return "osc9"
    return "bell"


def sequence(method: str, text: str, *, tmux: bool = False) -> str:
    """What to write to the terminal (``""`` for ``off``). ``text`` is cleaned again here:
    nothing unclean can reach the terminal whoever calls this. Inside tmux an OSC goes
    through tmux's passthrough (``allow-passthrough on``), each ESC doubled."""
    text = clean(text)
    if method == "off":
        return ""
    if method == "osc9":
        osc = f"\x1b]9;{text}{BELL}"
    elif method == "osc99":
        osc = f"\x1b]99;;{text}{ST}"
    elif method == "osc777":
        title, _, body = text.partition(": ")
        osc = f"\x1b]777;notify;{title};{body}{BELL}"
    else:
        return BELL
    if tmux:
        return "\x1bPtmux;" + osc.replace("\x1b", "\x1b\x1b") + ST
    return osc

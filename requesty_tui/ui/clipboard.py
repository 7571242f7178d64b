"""Copy text: the system clipboard where there is one, the terminal's (OSC 52) otherwise.

pyperclip works on a desktop (xclip/xsel/wl-copy, pbcopy, Windows). Over SSH, in tmux or in a
container there is no system clipboard, but most terminals accept OSC 52 (Textual's
``App.copy_to_clipboard``), which cannot be confirmed. When neither can work, or the text is
too big for OSC 52, the text is saved to a file and the user is told where.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from requesty_tui.storage import paths
from requesty_tui.storage.atomic import write_atomic

OSC52_LIMIT = 500_000
"""Bytes; tmux silently dropped a 1 MB OSC 52 payload in our tests, 500 KB arrived."""


class _CopyTarget(Protocol):
    def copy_to_clipboard(self, text: str) -> None: ...


@dataclass(frozen=True, slots=True)
class CopyResult:
    route: str
    """"system", "terminal", "file" (saved instead) or "none"."""
    message: str
    saved_to: Path | None = None


def _system_copy(text: str) -> str | None:
    """Copy with pyperclip; the reason it could not, or None on success."""
    try:
        import pyperclip
    except ImportError:  # pragma: no cover - a dependency
        return "pyperclip is not installed"
    try:
        # Detect every time: DISPLAY / WAYLAND_DISPLAY may differ from when we started.
        copy, _paste = pyperclip.determine_clipboard()
        copy(text)
    except Exception as exc:  # pyperclip raises PyperclipException and OS errors alike
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return first
    return None


def save_clip(text: str) -> Path:
    path = paths.data_dir() / "clips" / time.strftime("%Y%m%d-%H%M%S.txt")
    write_atomic(path, text)
    return path


def copy_text(target: _CopyTarget, text: str, what: str, mode: str = "auto") -> CopyResult:
    """Copy ``text`` (described as ``what`` in the message) by ``mode``: auto|system|osc52,
    or browser (served: textual-serve's xterm.js turns OSC 52 into the browser's clipboard;
    the system clipboard would be the server's)."""
    if mode == "browser":
        target.copy_to_clipboard(text)
        return CopyResult("terminal", f"Copied {what} to the browser's clipboard.")
    size = len(text.encode("utf-8"))
    problem = None
    if mode in ("auto", "system"):
        problem = _system_copy(text)
        if problem is None:
            target.copy_to_clipboard(text)  # the in-app clipboard too (ctrl+v in the input)
            return CopyResult("system", f"Copied {what} to the system clipboard.")
    if mode in ("auto", "osc52") and size <= OSC52_LIMIT:
        target.copy_to_clipboard(text)
        return CopyResult(
            "terminal",
            f"Copied {what} through the terminal (OSC 52; in tmux: set -g set-clipboard on).",
        )
    why = problem or "too big for the terminal clipboard"
    try:
        path = save_clip(text)
    except OSError as exc:
        return CopyResult("none", f"Could not copy {what}: {why}; saving it failed too ({exc}).")
    return CopyResult("file", f"Could not copy {what} ({why}). Saved it to {path}", path)

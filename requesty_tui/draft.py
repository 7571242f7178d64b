"""The text in the input box, kept on disk so that quitting (or a crash) never loses it.

Plain text in the data folder, written atomically a moment after typing stops and when the app
exits; read back into the input box at the next start. An empty box removes the file.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from requesty_tui import paths
from requesty_tui.atomic import write_atomic


def draft_file() -> Path:
    return paths.data_dir() / "draft.txt"


def load_draft() -> str:
    """The saved draft, or "" (missing or unreadable: a draft is never worth a crash)."""
    try:
        return draft_file().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def save_draft(text: str) -> None:
    """Raises OSError (full disk, read-only folder): the caller says so."""
    if text.strip():
        write_atomic(draft_file(), text)
    else:
        with contextlib.suppress(FileNotFoundError):
            draft_file().unlink()

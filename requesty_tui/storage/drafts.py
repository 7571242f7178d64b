"""The text in the input box, kept on disk so that quitting (or a crash) never loses it.

A draft belongs to its conversation: ``drafts/<id>.txt`` in the data folder for a saved one,
``draft.txt`` for the new chat that has no message yet (it comes back in the next new chat,
after a crash too). Plain text, written atomically a moment after typing stops and when the
app exits; read back into the input box when that conversation is shown again. An empty box
removes the file.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from requesty_tui.storage import paths
from requesty_tui.storage.atomic import write_atomic


def draft_file(conversation_id: str | None = None) -> Path:
    """Where the draft of a conversation lives (None: the new chat's)."""
    if conversation_id is None:
        return paths.data_dir() / "draft.txt"
    return paths.data_dir() / "drafts" / f"{conversation_id}.txt"


def load_draft(conversation_id: str | None = None) -> str:
    """The saved draft, or "" (missing or unreadable: a draft is never worth a crash)."""
    try:
        return draft_file(conversation_id).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def save_draft(text: str, conversation_id: str | None = None) -> None:
    """Raises OSError (full disk, read-only folder): the caller says so."""
    if text.strip():
        write_atomic(draft_file(conversation_id), text)
    else:
        discard_draft(conversation_id)


def discard_draft(conversation_id: str | None = None) -> None:
    with contextlib.suppress(FileNotFoundError):
        draft_file(conversation_id).unlink()

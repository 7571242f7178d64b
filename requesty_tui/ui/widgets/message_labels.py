"""What a message's frame says: the title (‹n/of› version switcher, the files sent), the reply's
header line (model, state, requests, usage) and how it ended (its subtitle, the frame's foot).

Pure functions from a message's state to text; the widgets (:mod:`.user_message`,
:mod:`.assistant_message`) put it on screen. Names from a model or a file are made safe here.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events

from requesty_tui.core.domain import Attachment, Usage
from requesty_tui.core.formatting import plural, usage_summary
from requesty_tui.core.markdown_blocks import make_safe

TITLE_AT = 3
"""The cell where a border title starts (after the corner, a line and a space)."""

USER_TITLE = "You"


def switcher(n: int, of: int) -> str:
    """ "‹2/3›" for a message with alternatives, "" without."""
    return f"‹{n}/{of}›" if of > 1 else ""


def arrow_step(event: events.Click, before: str, label: str) -> int:
    """-1 or +1 for a click on the ‹ or › of ``label`` in the border title (after
    ``before``), 0 elsewhere."""
    if event.y != 0 or not label:
        return 0
    start = TITLE_AT + len(before)
    if start <= event.x < start + len(label) // 2:
        return -1
    if start + len(label) // 2 < event.x <= start + len(label):
        return 1
    return 0


def user_title(alternatives: tuple[int, int], files: Sequence[Attachment]) -> str:
    """ "You ‹1/2› · 📎 log.txt, shot.png": the version, then the files sent with it."""
    title = " ".join(t for t in (USER_TITLE, switcher(*alternatives)) if t)
    if files:
        title += " · 📎 " + ", ".join(make_safe(a.name) for a in files)
    return title


def reply_header(model: str, requested: str, state: str, requests: int, usage: Usage | None) -> str:
    """ "model (asked: other) · state · 3 requests · tokens and cost": what is known so far."""
    if model != requested:
        model = f"{model} (asked: {requested})"
    turn = f"{requests} requests" if requests > 1 else ""
    return " · ".join(b for b in (model, state, turn, usage_summary(usage)) if b)


def end_state(finish_reason: str | None, skipped_chunks: int) -> str:
    """How a reply ended, for its header and its foot: stopped, incomplete, cut, or with
    unreadable chunks ("" for a plain stop)."""
    state = _state_label(finish_reason)
    if skipped_chunks:
        missing = f"{plural(skipped_chunks, 'unreadable chunk')}: text may be missing"
        state = f"{state} · {missing}" if state else missing
    return state


def _state_label(finish_reason: str | None) -> str:
    return {
        "cancelled": "stopped",
        "error": "incomplete (error)",
        "length": "cut at the token limit",
        "content_filter": "stopped by the content filter",
        "tool_calls": "called tools",
    }.get(finish_reason or "", "")

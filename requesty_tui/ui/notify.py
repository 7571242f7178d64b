"""Tell the user a reply is done while they are in another window.

When a reply ends (finished, failed) or a tool call starts waiting for an answer, more than
``notify_after`` seconds after it was sent, while the terminal window does not have the focus
(Textual's ``App.app_focus``, from the terminal's focus reporting), the app writes a
notification to the terminal: ``notify = "auto" | "bell" | "osc9" | "osc777" | "off"`` (see
:mod:`requesty_tui.core.notify_text`, which also makes the text safe). Never while the window
has the focus, never twice for one reply.
"""

from __future__ import annotations

import os
import time
import weakref
from typing import TYPE_CHECKING

from requesty_tui.core.notify_text import method_for, notice_text, sequence

if TYPE_CHECKING:
    from textual.app import App

    from requesty_tui.core.settings import Settings
    from requesty_tui.ui.screens.chat_reply import ReplyRun

_told: weakref.WeakSet[object] = weakref.WeakSet()
"""The replies already notified (a run: its tool question, then its end, is one reply)."""


def reply_started(run: ReplyRun) -> float:
    """When the reply's first request was sent (a turn with tools: its first round)."""
    first = run.runner.rounds[0] if run.runner.rounds else run.turn
    return first.started


def notify_reply(app: App[object], settings: Settings, run: ReplyRun, title: str,
                 what: str | None = None) -> bool:  # fmt: skip
    """The reply of ``run`` ended (``what``: something else to say, a question waiting);
    notify if the window is elsewhere and the reply took long enough. True when written."""
    if app.app_focus or run in _told or settings.notify == "off":
        return False
    if time.monotonic() - reply_started(run) <= settings.notify_after:
        return False
    turn = run.turn
    if what is None:
        if turn.error is not None:
            what = f"failed: {turn.error}"
        else:
            what = turn.answer.content or "(no text)"
    method = method_for(settings.notify, os.environ)
    if app.is_web:
        method = "bell"  # the browser's terminal shows no desktop notification
    text = sequence(method, notice_text(title, what), tmux="TMUX" in os.environ)
    driver = getattr(app, "_driver", None)  # the one way Textual writes raw bytes (App.bell)
    if driver is None or not text:
        return False
    _told.add(run)
    driver.write(text)
    return True

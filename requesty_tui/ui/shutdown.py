"""SIGTERM (kill, shutdown) and SIGHUP (terminal closed) quit like ctrl+q: each chat saves its
partial reply (marked cancelled) and its draft, synchronously, before the process ends."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from typing import Any

from textual.app import App

from requesty_tui.ui.context import ExitHooks

SAFETY_NET = 5.0
"""Seconds after which a stuck shutdown ends the process anyway (the files are written)."""


def install_signal_handlers(app: App[Any], exiting: ExitHooks) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, _terminated, app, exiting, sig)


def _terminated(app: App[Any], exiting: ExitHooks, sig: int) -> None:
    """Save first (the exit hooks, now, in this thread); then quit. After SIGHUP the
    terminal is gone, so there is nothing to restore and drawing could block on a pty nobody
    reads: leave at once."""
    exiting.run(now=True)
    code = 128 + sig
    if sig == signal.SIGHUP:
        os._exit(code)
    app.exit(return_code=code)
    net = threading.Timer(SAFETY_NET, os._exit, (code,))
    net.daemon = True  # does not hold a clean exit back
    net.start()

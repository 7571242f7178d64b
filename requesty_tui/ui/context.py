"""What a screen is given by the App: the services, the theming, and the App's announcements."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from requesty_tui.chat.services import Services
from requesty_tui.ui.theming import Theming


class ExitHooks:
    """Called when the app starts to quit: each chat saves itself. ``now`` is True for a
    signal (the process is about to end, so synchronously). Plain callbacks, not a Textual
    signal: once the terminal is gone (SIGHUP) Textual is already closing and would not call
    its subscribers."""

    def __init__(self) -> None:
        self._hooks: list[Callable[[bool], None]] = []

    def add(self, hook: Callable[[bool], None]) -> None:
        self._hooks.append(hook)

    def remove(self, hook: Callable[[bool], None]) -> None:
        if hook in self._hooks:
            self._hooks.remove(hook)

    def run(self, now: bool) -> None:
        for hook in list(self._hooks):
            with contextlib.suppress(Exception):  # one chat's failure must not stop the rest
                hook(now)


@dataclass
class UiContext:
    services: Services
    theming: Theming
    exiting: ExitHooks
    refresh_spend: Callable[[], object]
    """Ask for this key's spend again (after a reply), in the App's worker."""
    attach_first: list[Path] = field(default_factory=list)
    """Files to attach in the first chat (``--attach``), taken once."""
    restart_tools: Callable[[], object] = lambda: None
    """Stop the MCP servers and start them again, in the App's worker."""
    compare_models: list[str] = field(default_factory=list)
    """Compare mode (2-4 models: each prompt goes to all of them), empty when off; kept for a
    new chat until it is turned off; a resumed conversation brings its own (on or off)."""

    def take_attachments(self) -> list[Path]:
        taken, self.attach_first = self.attach_first, []
        return taken

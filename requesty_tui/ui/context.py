"""What a screen is given by the App: the services, the theming, and the App's announcements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.signal import Signal

from requesty_tui.chat.services import Services
from requesty_tui.ui.theming import Theming


@dataclass
class UiContext:
    services: Services
    theming: Theming
    exiting: Signal[bool]
    """Published when the app starts to quit (each chat then saves itself)."""
    refresh_spend: Callable[[], object]
    """Ask for this key's spend again (after a reply), in the App's worker."""

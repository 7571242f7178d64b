"""One frame clock for every streaming text: several replies streaming at once (a comparison)
render on the same tick, so that their repaints land in one screen update instead of one each.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from textual.app import App
from textual.timer import Timer

_CLOCKS: weakref.WeakKeyDictionary[App[object], FrameClock] = weakref.WeakKeyDictionary()


class FrameClock:
    """A repeating timer on the App while anything listens; each tick calls every listener."""

    def __init__(self, app: App[object], period: float) -> None:
        self._app = app
        self._period = period
        self._listeners: list[Callable[[], None]] = []
        self._timer: Timer | None = None

    @classmethod
    def of(cls, app: App[object], period: float) -> FrameClock:
        clock = _CLOCKS.get(app)
        if clock is None:
            clock = _CLOCKS[app] = cls(app, period)
        return clock

    def add(self, listener: Callable[[], None]) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)
        if self._timer is None:
            # A repeating timer, not set_timer: a one-shot Textual timer whose tick comes late
            # (the loop was busy) is skipped and never fires.
            self._timer = self._app.set_interval(self._period, self._tick, name="frame-clock")

    def remove(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)
        if not self._listeners and self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        for listener in list(self._listeners):
            listener()

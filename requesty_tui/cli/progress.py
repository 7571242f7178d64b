"""A one-line progress bar on stderr for long commands (import, export --all): what is done of
the total, the rate, the time left. Drawn only on a terminal, at most 10 times a second."""

from __future__ import annotations

import time
from typing import TextIO

WIDTH = 24
"""Cells of the bar itself; the line stays under 80 columns."""


class Progress:
    def __init__(self, stream: TextIO, what: str, total: int | None = None) -> None:
        self.stream = stream
        self.what = what
        self.total = total
        self.on = _is_terminal(stream)
        self.start = time.monotonic()
        self._drawn = 0.0

    def update(self, done: int, fraction: float | None = None, *, force: bool = False) -> None:
        """``done`` of ``total``; without a total, ``fraction`` (how far through the input)
        stands in and the total is estimated from it."""
        if not self.on:
            return
        now = time.monotonic()
        if not force and now - self._drawn < 0.1:
            return
        self._drawn = now
        self.stream.write("\r" + self.line(done, fraction, now - self.start) + "\x1b[K")
        self.stream.flush()

    def line(self, done: int, fraction: float | None, elapsed: float) -> str:
        total = self.total
        estimated = False
        if total is None and fraction and fraction > 0:
            total, estimated = max(done, round(done / fraction)), True
        share = min(1.0, done / total) if total else (fraction or 0.0)
        filled = int(share * WIDTH)
        bar = "█" * filled + "░" * (WIDTH - filled)
        of = f"/{'~' if estimated else ''}{total:,}" if total else ""
        rate = done / elapsed if elapsed > 0 else 0.0
        left = ""
        if rate > 0 and total and done < total:
            left = f" · {_duration((total - done) / rate)} left"
        return f"{bar} {done:,}{of} {self.what} · {rate:,.0f}/s{left}"

    def finish(self) -> None:
        if self.on:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"

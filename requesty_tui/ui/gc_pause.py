"""No automatic garbage collection while a reply streams.

A full collection walks every tracked object: ~90 ms in a real terminal after 100 replies
(``benchmarks/soak_terminal.py``), about one every five replies, landing in the middle of a
stream and of the keys typed meanwhile. A stream makes little cyclic garbage (a 150 KB reply
left ~2,700 objects for the collector), so collection waits for the reply to end. Textual does
the same during scroll animations (``App.PAUSE_GC_ON_SCROLL``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_streams = 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause automatic collection until the last overlapping ``gc_paused`` block ends."""
    global _streams
    _streams += 1
    gc.disable()
    try:
        yield
    finally:
        _streams -= 1
        if _streams == 0:
            gc.enable()

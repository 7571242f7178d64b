"""No full garbage collection while a reply streams; the young generations still run, less often.

A full collection walks every tracked object: ~90 ms in a real terminal after 100 replies
(``benchmarks/soak_terminal.py``), a stall in the middle of a stream and of the keys typed
meanwhile. Switching the collector off for the whole stream (as this module first did) was
sized on a max-speed stream with few frames; at reading speed every frame leaves cyclic
garbage, and a 2,000-chunk reply at 100 tokens/s grew RSS from 54 to 333 MiB
(``benchmarks/stream_terminal.py``). So only the oldest generation waits: generations 0 and 1,
cheap because they only look at young objects, free each frame's garbage as it is made.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_holds = 0
_saved: tuple[int, int, int] | None = None

NEVER = 2**31 - 1
"""A generation-2 threshold that is never reached: no automatic full collection."""

YOUNG_WHILE_HELD = 3000
"""The youngest generation's threshold meanwhile (Python's default is 700). A stream allocates
fast and nearly all of it dies young: a 10,000-chunk reply at full speed ran 107 young
collections (27 ms of its 0.21 s of CPU) at 700, 22 (6.5 ms, CPU 0.19 s) at 3,000, and no fewer
milliseconds at 10,000 (headless, medians of 3). What waits for a collection is a few
thousand objects at most."""


def hold_full_collections() -> None:
    """Defer automatic full collections until every hold is released (a stream, a long reply's
    rest being rendered: see :func:`gc_paused`)."""
    global _holds, _saved
    if _holds == 0:
        _saved = gc.get_threshold()
        gen0, gen1, _gen2 = _saved
        gc.set_threshold(max(gen0, YOUNG_WHILE_HELD), gen1, NEVER)
    _holds += 1


def release_full_collections() -> None:
    """One hold less; the last one brings full collections back."""
    global _holds, _saved
    _holds -= 1
    if _holds == 0 and _saved is not None:
        gc.set_threshold(*_saved)
        _saved = None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Defer automatic full collections until the last overlapping ``gc_paused`` block ends."""
    hold_full_collections()
    try:
        yield
    finally:
        release_full_collections()


def full_collections_paused() -> bool:
    """True while a stream defers the full collections (tests read it)."""
    return gc.get_threshold()[2] == NEVER


_start_held = False


def hold_until_first_frame() -> None:
    """No automatic collection while the app starts (the CLI calls this before the UI's
    imports): start-up only creates objects that live as long as the app, so each collection
    then walks ~100k objects to free nothing; one took ~15 ms of the chat screen's mount
    (``benchmarks/startup.py``: mount 57 -> 42 ms with none)."""
    global _start_held
    if gc.isenabled():
        gc.disable()
        _start_held = True


def first_frame_drawn(freeze: bool) -> None:
    """The first frame is out: with ``freeze``, what exists now leaves the collector's sight
    for good (``gc.freeze``), then collections run again as usual."""
    global _start_held
    if freeze:
        gc.freeze()
    if _start_held:
        gc.enable()
        _start_held = False

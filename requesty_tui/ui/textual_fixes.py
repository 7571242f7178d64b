"""Work-arounds for Textual bugs that a long chat runs into; each one stands aside once Textual
fixes the bug. :func:`apply_fixes` installs them (the App calls it; importing does nothing).

1. ``StylesCache.get_inner_outer`` (Textual 8.2) is an instance method under
   ``functools.lru_cache``: the cache keys on ``self``, so the last 1,024 ``StylesCache``
   objects stay alive after their widgets are gone, each with every line it rendered. A chat
   that puts old message widgets away leaked that way: 200 replies grew RSS 61 -> 126 MB
   (``benchmarks/soak.py``). Upstream: https://github.com/Textualize/textual/issues/6665.
   The colours are all the cached function needs, so the cache here keys on them alone.
2. ``Strip.divide`` and ``Strip.crop_extend`` cache their result on the strip itself, and when
   nothing is cut that result is the strip: a reference cycle for every line the compositor
   draws whole, which only a garbage collection frees. A reply streaming at 100 tokens/s made
   ~12,000 such objects a second (``gc.DEBUG_SAVEALL`` over 8 s: 96k garbage objects, 39k of
   them the strips' caches; 8.5k with this fix), so memory climbed whenever full collections
   waited. Here an uncut strip is returned without being cached: the same result, no cycle.
3. A container's arrangement answers "where is everything, what is visible" with a
   ``SpatialMap``: a grid of 100x20-cell squares, each placement listed in every square it
   covers. A reply of ~25,000 lines is in ~2,500 squares, and the map is built again at every
   layout of its message and of the pane: ~40 ms a layout while the blocks of a 1 MB reply
   came in, the slowest key echoes of scrolling back through it (py-spy over
   ``benchmarks/big_conversation_terminal.py``). A container with a few dozen children needs
   no grid: here such an arrangement keeps a flat list, and the same answers come from one
   pass over it.
4. An ``Input`` inserts a typed character as its key arrives, but its other keys (backspace,
   the arrows, ``ctrl+w``...) are bindings, run when the key has bubbled back up to the App
   through the screen's queue. While the screen is busy (the browser searching as its filter
   changes), a character typed after a backspace overtook it: in tmux, "gpt-4o", six
   backspaces and "b" gave "g" in one try of three (a bare Textual app with a 30 ms
   ``Input.Changed`` handler: every try). Here an ``Input`` runs its own bindings as their
   keys arrive, in order with the characters, as Textual would have (the focused widget's
   bindings come before its ancestors'; priority bindings were tried before the key came).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from rich.style import Style
from textual._styles_cache import StylesCache
from textual.geometry import Region
from textual.layout import DockArrangeResult, WidgetPlacement
from textual.strip import Strip

_applied = False


def apply_fixes() -> None:
    """Install every work-around (once)."""
    global _applied
    if not _applied:
        _applied = True
        _patch_inner_outer()
        _patch_strip_cycles()
        _patch_flat_arrangements()
        _patch_input_key_order()


def _patch_inner_outer() -> None:
    """Cache ``get_inner_outer`` by colours, not by ``self`` (nothing to do once Textual no
    longer wraps the method in ``lru_cache``; tests/reliability/test_8 checks the leak is gone
    either way)."""
    method: Any = StylesCache.__dict__.get("get_inner_outer")
    original: Callable[..., Any] | None = getattr(method, "__wrapped__", None)
    if original is None or not hasattr(method, "cache_clear"):
        return

    @lru_cache(1024)
    def by_colours(base_background: Any, background: Any) -> Any:
        return original(None, base_background, background)  # ``self`` is not used

    def get_inner_outer(self: StylesCache, base_background: Any, background: Any) -> Any:
        return by_colours(base_background, background)

    method.cache_clear()  # let go of the instances cached so far
    StylesCache.get_inner_outer = get_inner_outer  # type: ignore[assignment,method-assign]


def _patch_strip_cycles() -> None:
    """An uncut strip is its own result: return it without storing it in its own cache.
    (tests/reliability/test_8 counts the garbage a streaming reply leaves.)"""
    divide = Strip.divide
    crop_extend = Strip.crop_extend

    def divide_without_cycle(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
        cell_length = self.cell_length
        kept = [cut for cut in cuts if cut <= cell_length]
        if kept == [cell_length]:
            return [self]
        return divide(self, kept)

    def crop_extend_without_cycle(self: Strip, start: int, end: int, style: Style | None) -> Strip:
        if start == 0 and end == self.cell_length:
            return self
        return crop_extend(self, start, end, style)

    Strip.divide = divide_without_cycle  # type: ignore[method-assign]
    Strip.crop_extend = crop_extend_without_cycle  # type: ignore[method-assign]


FLAT_LIMIT = 200
"""Placements up to which an arrangement is a flat list (a message's few widgets, the mounted
window of a conversation: at most ~60); a pass over 200 regions costs less than one square of
a tall placement's grid."""


class FlatMap:
    """What an arrangement asks of its ``SpatialMap``, from a plain list: the region covered
    (as ``SpatialMap.insert`` counts it: neither fixed nor overlay placements, no offsets)
    and the placements that may be in a region (all of them: the caller culls by overlap)."""

    def __init__(self, placements: list[WidgetPlacement]) -> None:
        self._placements = placements
        total = Region()
        for placement in placements:
            if not placement.fixed and not placement.overlay:
                total = total.union(placement.region.grow(placement.margin))
        self.total_region = total

    def get_values_in_region(self, region: Region) -> list[WidgetPlacement]:
        return list(self._placements)


def _patch_flat_arrangements() -> None:
    """Small arrangements answer from a :class:`FlatMap` (tests/unit/test_textual_fixes.py:
    the same total region and visible placements as Textual's own map)."""
    spatial_map: Any = DockArrangeResult.__dict__.get("spatial_map")
    if not isinstance(spatial_map, property) or spatial_map.fget is None:
        return
    grid = spatial_map.fget

    def flat_or_grid(self: DockArrangeResult) -> Any:
        if self._spatial_map is None and len(self.placements) <= FLAT_LIMIT:
            self._spatial_map = FlatMap(self.placements)  # type: ignore[assignment]
        return grid(self)

    DockArrangeResult.spatial_map = property(flat_or_grid)  # type: ignore[assignment,method-assign]


def _patch_input_key_order() -> None:
    """An ``Input``'s own bindings run in its queue, in order with the characters typed."""
    from textual import events
    from textual.widgets import Input

    typed = Input._on_key

    async def on_key_in_order(self: Input, event: events.Key) -> None:
        if not event.is_printable:
            for binding in self._bindings.key_to_bindings.get(event.key, ()):
                if not binding.priority and await self.app.run_action(binding.action, self):
                    event.stop()
                    event.prevent_default()
                    self._restart_blink()
                    return
        await typed(self, event)

    Input._on_key = on_key_in_order  # type: ignore[method-assign]

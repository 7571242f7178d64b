"""Work-arounds for Textual bugs that a long chat runs into; each one removes itself once
Textual fixes the bug.

``StylesCache.get_inner_outer`` (Textual 8.2) is an instance method under ``functools.lru_cache``:
the cache keys on ``self``, so the last 1,024 ``StylesCache`` objects stay alive after their
widgets are gone, each with every line it rendered (and every strip derived from those lines).
A chat that puts old message widgets away leaked that way: 200 replies grew RSS 61 -> 126 MB
(``benchmarks/soak.py``). Upstream: https://github.com/Textualize/textual/issues/6665.
The colours are all the cached function needs, so the cache here keys on them alone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from textual._styles_cache import StylesCache


def _patch_inner_outer() -> bool:
    """Cache ``get_inner_outer`` by colours, not by ``self``. False if there is nothing to fix."""
    method: Any = StylesCache.__dict__.get("get_inner_outer")
    original: Callable[..., Any] | None = getattr(method, "__wrapped__", None)
    if original is None or not hasattr(method, "cache_info"):
        return False  # not the lru_cache'd method any more: Textual changed it

    @lru_cache(1024)
    def by_colours(base_background: Any, background: Any) -> Any:
        return original(None, base_background, background)  # ``self`` is not used

    def get_inner_outer(self: StylesCache, base_background: Any, background: Any) -> Any:
        return by_colours(base_background, background)

    get_inner_outer.cache_info = by_colours.cache_info  # type: ignore[attr-defined]
    method.cache_clear()  # let go of the instances cached so far
    StylesCache.get_inner_outer = get_inner_outer  # type: ignore[assignment,method-assign]
    return True


INNER_OUTER_PATCHED = _patch_inner_outer()
"""Whether the ``get_inner_outer`` leak was found and fixed (the test checks the leak is gone
either way)."""

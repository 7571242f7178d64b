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


_patch_inner_outer()

"""The HTTP side: talks to the router, yields typed events, raises typed errors.

Never imports Textual (a test checks this). ``RouterClient`` (and with it httpx, ~50 ms) is
imported on first use so that the first frame does not wait for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from requesty_tui.client.errors import RouterError
from requesty_tui.client.events import (
    ChunkSkipped,
    ModelReported,
    ReasoningDelta,
    Retrying,
    StreamEnd,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    UsageReport,
)
from requesty_tui.client.request import ChatRequest, RetryPolicy

if TYPE_CHECKING:
    from requesty_tui.client.router import RouterClient

__all__ = [
    "ChatRequest",
    "ChunkSkipped",
    "ModelReported",
    "ReasoningDelta",
    "RetryPolicy",
    "Retrying",
    "RouterClient",
    "RouterError",
    "StreamEnd",
    "StreamEvent",
    "TextDelta",
    "ToolCallDelta",
    "UsageReport",
]


def __getattr__(name: str) -> Any:
    if name == "RouterClient":
        from requesty_tui.client.router import RouterClient

        return RouterClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The HTTP side: talks to the router, yields typed events, raises typed errors.

Never imports Textual (a test checks this).
"""

from requesty_tui.client.errors import RouterError
from requesty_tui.client.events import (
    ModelReported,
    ReasoningDelta,
    Retrying,
    StreamEnd,
    StreamEvent,
    TextDelta,
    UsageReport,
)
from requesty_tui.client.router import ChatRequest, RetryPolicy, RouterClient

__all__ = [
    "ChatRequest",
    "ModelReported",
    "ReasoningDelta",
    "RetryPolicy",
    "Retrying",
    "RouterClient",
    "RouterError",
    "StreamEnd",
    "StreamEvent",
    "TextDelta",
    "UsageReport",
]

"""What to ask the router for, and how patiently: plain data, no HTTP (cheap to import)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff with jitter for 429/5xx answers that arrive before the first token."""

    max_attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt ``attempt + 1``; ``Retry-After`` wins when given."""
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        backoff = self.base_delay * (2.0 ** (attempt - 1))
        return float(min(self.max_delay, backoff * random.uniform(0.5, 1.5)))


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """What to ask for; turned into the OpenAI-compatible JSON body."""

    model: str
    messages: list[dict[str, Any]]
    """Role and content; a content is a string, or a list of parts (text, ``image_url``)."""
    temperature: float | None = None
    max_tokens: int | None = None
    reasoning_effort: str | None = None
    requesty: dict[str, Any] = field(default_factory=dict)
    tools: list[dict[str, Any]] = field(default_factory=list)
    """``tools`` of the body (function definitions); empty: none offered."""

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": self.messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        if self.reasoning_effort:
            body["reasoning_effort"] = self.reasoning_effort
        if self.requesty:
            body["requesty"] = self.requesty
        if self.tools:
            body["tools"] = self.tools
            body["tool_choice"] = "auto"
        return body

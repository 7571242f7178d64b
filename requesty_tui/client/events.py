"""Typed events yielded by :meth:`RouterClient.stream_chat`.

The UI and the one-shot CLI consume these; neither ever sees HTTP or SSE.
"""

from __future__ import annotations

from dataclasses import dataclass

from requesty_tui.domain import FinishReason, Usage


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the reply's visible text."""

    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A piece of the model's reasoning ("thinking") text."""

    text: str


@dataclass(frozen=True, slots=True)
class ModelReported:
    """The model that is really answering (the chunk's ``model`` field)."""

    model: str


@dataclass(frozen=True, slots=True)
class UsageReport:
    """Token counts and cost; the last one of a stream wins."""

    usage: Usage


@dataclass(frozen=True, slots=True)
class Retrying:
    """The request failed before its first token and will be sent again after ``delay``."""

    attempt: int
    max_attempts: int
    delay: float
    reason: str


@dataclass(frozen=True, slots=True)
class StreamEnd:
    """The stream finished normally."""

    finish_reason: FinishReason


StreamEvent = TextDelta | ReasoningDelta | ModelReported | UsageReport | Retrying | StreamEnd

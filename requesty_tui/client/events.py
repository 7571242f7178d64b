"""Typed events yielded by :meth:`RouterClient.stream_chat`.

The UI and the one-shot CLI consume these; neither ever sees HTTP or SSE.
"""

from __future__ import annotations

from dataclasses import dataclass

from requesty_tui.core.domain import FinishReason, Usage


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
class CompletionId:
    """The completion's ``id`` (the chunks'): what a rating of the reply refers to."""

    id: str


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

    def describe(self, limit: int = 80) -> str:
        """Our words first, then the server's, shortened: a proxy's long message must not push
        "Retrying in …" off a one-line header."""
        reason = self.reason if len(self.reason) <= limit else self.reason[: limit - 1] + "…"
        return (
            f"Retrying in {self.delay:.1f} s (attempt {self.attempt}/{self.max_attempts}): {reason}"
        )


@dataclass(frozen=True, slots=True)
class ChunkSkipped:
    """A line of the event stream could not be read (invalid JSON, not an object): whatever it
    held is missing from the reply, so the user must be told. ``total`` counts them so far."""

    total: int
    reason: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A fragment of a tool call (``delta.tool_calls``): the first of a call carries its ``id``
    and ``name``; the arguments arrive in pieces, to be joined per ``index``."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True, slots=True)
class StreamEnd:
    """The stream finished normally."""

    finish_reason: FinishReason


StreamEvent = (
    TextDelta
    | ReasoningDelta
    | ToolCallDelta
    | ModelReported
    | CompletionId
    | UsageReport
    | Retrying
    | ChunkSkipped
    | StreamEnd
)

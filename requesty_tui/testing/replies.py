"""What the stand-in router answers: the model list and scripted chat replies as the frames of
an event stream. :mod:`requesty_tui.testing.router` serves them (and misbehaves where a
:class:`Reply` says so).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MODELS: list[dict[str, Any]] = [
    {
        "id": "openai/gpt-4o-mini",
        "context_window": 128000,
        "max_output_tokens": 16384,
        "input_price": 1.5e-7,
        "output_price": 6e-7,
        "supports_reasoning": False,
        "supports_tool_calling": True,
        "description": "Small fast model.",
    },
    {
        "id": "anthropic/claude-sonnet-4-5",
        "context_window": 200000,
        "input_price": 3e-6,
        "output_price": 1.5e-5,
        "supports_reasoning": True,
        "supports_vision": True,
        "supports_tool_calling": True,
    },
    {
        "id": "google/gemini-2.5-flash",
        "context_window": 1048576,
        "input_price": 3e-7,
        "output_price": 2.5e-6,
        "supports_reasoning": True,
    },
    {"id": "policy/my-fallback"},
]


@dataclass
class Reply:
    """One scripted answer to a chat request."""

    text: str | None = None
    """The reply text; None echoes the last user message."""
    reasoning: str = ""
    chunk_chars: int = 8
    """Characters per content delta."""
    delay: float = 0.0
    """Seconds to sleep before each chunk."""
    first_delay: float = 0.0
    """Seconds to sleep before the response headers."""
    hold: threading.Event | None = None
    """Send nothing after the headers until this is set (30 s at most): a test makes several
    streams start together, whatever the load on the machine."""
    model: str | None = None
    """The model the chunks report; None reports the requested one."""
    status: int = 200
    error_message: str = "Something went wrong"
    headers: dict[str, str] = field(default_factory=dict)
    usage: dict[str, Any] | None = field(
        default_factory=lambda: {
            "prompt_tokens": 12,
            "completion_tokens": 4,
            "total_tokens": 16,
            "prompt_tokens_details": {"cached_tokens": 0},
            "cost": 0.000096,
        }
    )
    finish_reason: str = "stop"
    send_done: bool = True
    stall_after: int | None = None
    """Stop sending (but keep the connection open) after this many content chunks."""
    cut_after: int | None = None
    """Drop the connection (no terminating chunk) after this many content chunks."""
    error_chunk_after: int | None = None
    """Send a ``data: {"error": ...}`` chunk after this many content chunks, then close."""
    malformed_every: int = 0
    """Insert a line of invalid JSON every N chunks."""
    malformed_at: int | None = None
    """Send this content chunk as invalid JSON (its text is lost), as LLMock's ``malformed``
    fault and a broken proxy do."""
    crlf: bool = False
    raw_body: bytes | None = None
    content_type: str = "text/event-stream"
    drip: float = 0.0
    """Send the body one byte at a time, this many seconds apart (a crawling connection)."""
    tool_calls: list[dict[str, Any]] | None = None
    """Calls to stream after the text: ``{"name", "arguments"}`` (``arguments`` a string,
    sent as is, so it may be invalid JSON; ``id`` optional), each as OpenAI does: a first
    fragment with id and name, then the arguments in pieces of ``chunk_chars``. The reply's
    finish reason is then ``tool_calls`` (unless ``finish_reason`` is set to something else
    than "stop")."""
    interleave: bool = False
    """Send the calls' argument pieces in turns (index 0, 1, 0, 1, …) instead of one call
    after the other."""
    completion_id: str = "c1"
    """The chunks' ``id`` (what a rating of the reply refers to)."""


@dataclass(frozen=True, slots=True)
class Frames:
    """A reply's event stream, built before anything is sent (in ``requesty-api.md``'s shape)."""

    body: list[bytes]
    """Reasoning, text and tool call chunks: what ``stall_after`` and the others count."""
    end: list[bytes]
    """The finish chunk, the usage chunk, ``[DONE]``: what a whole reply ends with."""
    error: bytes
    """A ``data: {"error": ...}`` event, as a provider that fails mid-stream sends."""
    malformed: bytes
    """A line of invalid JSON."""
    keep_alive: bytes


def reply_text(reply: Reply, body: dict[str, Any]) -> str:
    """The reply's text, or an echo: of a tool's result after one, else the last prompt."""
    if reply.text is not None:
        return reply.text
    messages = body.get("messages", [])
    users = [m for m in messages if m.get("role") == "user"]
    if messages and messages[-1].get("role") == "tool":
        return f"The tool said: {str(messages[-1].get('content'))[:200]}"
    return f"You said: {users[-1]['content']}" if users else "Hello!"


def frames(reply: Reply, body: dict[str, Any]) -> Frames:
    """Every frame of ``reply`` to the request ``body``."""
    model = reply.model or str(body.get("model") or "unknown/model")
    text = reply_text(reply, body)
    eol = b"\r\n" if reply.crlf else b"\n"

    def event(payload: dict[str, Any]) -> bytes:
        return b"data: " + json.dumps(payload).encode() + eol + eol

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        return event(
            {
                "id": reply.completion_id,
                "object": "chat.completion.chunk",
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
        )

    step = max(1, reply.chunk_chars)
    pieces = [reply.reasoning[i : i + step] for i in range(0, len(reply.reasoning), step)]
    body_frames = [chunk({"role": "assistant", "reasoning_content": p}) for p in pieces]
    body_frames += [chunk({"content": text[i : i + step]}) for i in range(0, len(text), step)]
    body_frames += _tool_frames(reply, chunk)
    finish = reply.finish_reason
    if reply.tool_calls and finish == "stop":
        finish = "tool_calls"
    end = [chunk({}, finish)]
    if reply.usage is not None:
        end.append(
            event(
                {
                    "id": reply.completion_id,
                    "object": "chat.completion.chunk",
                    "model": model,
                    "choices": [],
                    "usage": reply.usage,
                }
            )
        )
    if reply.send_done:
        end.append(b"data: [DONE]" + eol + eol)
    error = event({"error": {"origin": "provider", "code": 502, "message": reply.error_message}})
    return Frames(
        body_frames, end, error, b"data: {not json" + eol + eol, b": keep-alive" + eol + eol
    )


def _tool_frames(reply: Reply, chunk: Any) -> list[bytes]:
    """The chunks of ``reply.tool_calls``: per call a first fragment (index, id, name), then
    its arguments in pieces."""
    step = max(1, reply.chunk_chars)
    per_call: list[list[bytes]] = []
    for index, call in enumerate(reply.tool_calls or []):
        call_id = call.get("id", f"call_{index}_{int(time.monotonic() * 1000) % 100000}")
        first = {
            "index": index,
            "id": call_id,
            "type": "function",
            "function": {"name": call["name"], "arguments": ""},
        }
        frames = [chunk({"tool_calls": [first]})]
        arguments = str(call.get("arguments", ""))
        for i in range(0, len(arguments), step):
            piece = {"index": index, "function": {"arguments": arguments[i : i + step]}}
            frames.append(chunk({"tool_calls": [piece]}))
        per_call.append(frames)
    if not reply.interleave:
        return [frame for frames in per_call for frame in frames]
    out: list[bytes] = []
    longest = max((len(f) for f in per_call), default=0)
    for n in range(longest):
        out.extend(frames[n] for frames in per_call if n < len(frames))
    return out

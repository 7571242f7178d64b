"""Reading a chat completion's answer into typed events: the event stream (or one JSON
document from a server that ignored ``stream: true``), chunk by chunk. No retries, no HTTP
errors: :mod:`requesty_tui.client.router` does those."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from requesty_tui.client.errors import (
    ProtocolError,
    ProviderStreamError,
    StreamCutError,
    address_hint,
    extract_message,
)
from requesty_tui.client.events import (
    ChunkSkipped,
    CompletionId,
    ModelReported,
    ReasoningDelta,
    StreamEnd,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    UsageReport,
)
from requesty_tui.client.parse import usage_from_api
from requesty_tui.client.sse import SSEError, SSEParser
from requesty_tui.core.domain import FinishReason

_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "max_tokens": "length",
    "content_filter": "content_filter",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
}
ERROR_BODY_LIMIT = 64 * 1024
"""Bytes of an error body read at most (an error page must not eat memory)."""
_CONTENT = frozenset({TextDelta, ReasoningDelta, ToolCallDelta})
"""The events that are the reply's own content (a stream of nothing else was unreadable)."""


async def read_stream(
    resp: httpx.Response, address_from: str | None = None
) -> AsyncIterator[StreamEvent]:
    """``address_from``: where the server's address was set, for advice (see
    :func:`~requesty_tui.client.errors.address_hint`)."""
    ctype = resp.headers.get("content-type", "").lower()
    if "text/event-stream" not in ctype:
        async for event in _read_whole(resp, ctype, address_from):
            yield event
        return
    parser = SSEParser()
    model: str | None = None
    completion_id: str | None = None
    finish: FinishReason | None = None
    done = False
    malformed = 0
    produced = False
    try:
        async for raw in resp.aiter_bytes():
            for sse in parser.feed_bytes(raw):
                data = sse.data
                if data.strip() == "[DONE]":
                    done = True
                    break
                try:
                    chunk = json.loads(data)
                except ValueError:
                    chunk = None
                if not isinstance(chunk, dict):
                    # Whatever the line held is missing from the reply: say so, never
                    # drop text silently (a proxy's malformed chunk took a word away).
                    malformed += 1
                    what = "invalid JSON" if chunk is None else "not a JSON object"
                    yield ChunkSkipped(malformed, what)
                    continue
                chunk_id = chunk.get("id")
                if chunk_id != completion_id and isinstance(chunk_id, str) and chunk_id:
                    completion_id = chunk_id
                    yield CompletionId(chunk_id)
                for event in chunk_events(chunk, model):
                    # Per chunk, so the common case first (a union in isinstance is built
                    # anew at each call): 10,000 chunks at full speed, stream_terminal.py.
                    if type(event) in _CONTENT:
                        produced = True
                    elif isinstance(event, ModelReported):
                        model = event.model
                    elif isinstance(event, StreamEnd):
                        finish = event.finish_reason
                        continue
                    yield event
            if done:
                break
    except SSEError as exc:
        raise ProtocolError(f"The server sent an unusable event stream: {exc}.") from None
    if finish is None and not done:
        skipped = f" ({malformed} malformed lines skipped)" if malformed else ""
        raise StreamCutError(
            f"The connection closed before the reply finished{skipped}.",
            "The partial reply is kept; retry to ask again.",
        )
    if malformed and not produced:
        raise ProtocolError(
            f"The server's event stream had no readable chunk ({malformed} malformed "
            f"line{'s' if malformed != 1 else ''}).",
            address_hint(address_from, "not-api"),
        )
    yield StreamEnd(finish or "stop")


async def _read_whole(
    resp: httpx.Response, ctype: str, address_from: str | None
) -> AsyncIterator[StreamEvent]:
    """A server that ignored ``stream: true`` and answered with one JSON document."""
    text = await read_some(resp, limit=32 * 1024 * 1024)
    try:
        payload = json.loads(text)
    except ValueError:
        what = extract_message(text) or "an empty answer"
        raise ProtocolError(
            f"The server did not answer with an event stream ({ctype or 'no content type'}:"
            f" {what}).",
            address_hint(address_from, "not-api"),
        ) from None
    if not isinstance(payload, dict):
        raise ProtocolError("The server answered with JSON that is not a chat completion.")
    if payload.get("error"):
        raise ProviderStreamError(
            f"The provider failed: {extract_message(text)}.", "Retry, or pick another model."
        )
    finish: FinishReason = "stop"
    if isinstance(payload.get("id"), str) and payload["id"]:
        yield CompletionId(payload["id"])
    if isinstance(payload.get("model"), str):
        yield ModelReported(payload["model"])
    choices = payload.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        message = choices[0].get("message") or {}
        if isinstance(message, dict):
            reasoning = message.get("reasoning_content") or message.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                yield ReasoningDelta(reasoning)
            if isinstance(message.get("content"), str) and message["content"]:
                yield TextDelta(message["content"])
            for event in tool_call_deltas(message.get("tool_calls")):
                yield event
        finish = _FINISH.get(str(choices[0].get("finish_reason")), "stop")
    if isinstance(payload.get("usage"), dict):
        yield UsageReport(usage_from_api(payload["usage"]))
    yield StreamEnd(finish)


async def read_some(resp: httpx.Response, limit: int = ERROR_BODY_LIMIT) -> str:
    """Read at most ``limit`` bytes of a body (an error page must not eat memory)."""
    parts: list[bytes] = []
    size = 0
    async for raw in resp.aiter_bytes():
        parts.append(raw)
        size += len(raw)
        if size >= limit:
            break
    return b"".join(parts).decode("utf-8", errors="replace")


def chunk_events(chunk: dict[str, Any], model: str | None) -> list[StreamEvent]:
    """The events of one ``chat.completion.chunk``."""
    if chunk.get("error"):
        raise ProviderStreamError(
            f"The provider stream failed: {extract_message(json.dumps(chunk))}.",
            "The partial reply is kept; retry, or pick another model.",
        )
    events: list[StreamEvent] = []
    reported = chunk.get("model")
    if isinstance(reported, str) and reported and reported != model:
        events.append(ModelReported(reported))
    choices = chunk.get("choices")
    if isinstance(choices, list):
        for choice in choices:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta")
            if isinstance(delta, dict):
                reasoning = delta.get("reasoning_content")
                if not isinstance(reasoning, str) or not reasoning:
                    reasoning = delta.get("reasoning")
                if isinstance(reasoning, str) and reasoning:
                    events.append(ReasoningDelta(reasoning))
                content = delta.get("content")
                if isinstance(content, str) and content:
                    events.append(TextDelta(content))
                calls = delta.get("tool_calls")
                if calls:  # most chunks have none: no call to make for them
                    events.extend(tool_call_deltas(calls))
            reason = choice.get("finish_reason")
            if isinstance(reason, str) and reason:
                events.append(StreamEnd(_FINISH.get(reason, "stop")))
    usage = chunk.get("usage")
    if isinstance(usage, dict):
        events.append(UsageReport(usage_from_api(usage)))
    return events


def tool_call_deltas(raw: Any) -> list[ToolCallDelta]:
    """``delta.tool_calls`` (or a whole message's ``tool_calls``) as fragments. Lenient: a
    fragment without ``index`` is the call in its position (some servers leave it out), and
    arguments sent as an object (not a string) are written back as JSON."""
    if not isinstance(raw, list):
        return []
    out = []
    for position, item in enumerate(raw):
        if not isinstance(item, dict):
            continue
        index = item.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            index = position
        function = item.get("function")
        function = function if isinstance(function, dict) else {}
        call_id, name = item.get("id"), function.get("name")
        arguments = function.get("arguments")
        if isinstance(arguments, dict | list):
            arguments = json.dumps(arguments)
        out.append(
            ToolCallDelta(
                index,
                call_id if isinstance(call_id, str) and call_id else None,
                name if isinstance(name, str) and name else None,
                arguments if isinstance(arguments, str) else "",
            )
        )
    return out

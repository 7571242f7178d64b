"""The Requesty router client: list models and stream a chat as typed events.

Plain asyncio + httpx; never imports Textual. One instance per app, one connection pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any, NoReturn

import httpx

from requesty_tui import __version__
from requesty_tui.client.errors import (
    ConnectionFailedError,
    ProtocolError,
    ProviderStreamError,
    RouterError,
    StallError,
    StreamCutError,
    error_from_status,
    extract_message,
    missing_key_error,
)
from requesty_tui.client.events import (
    ChunkSkipped,
    ModelReported,
    ReasoningDelta,
    Retrying,
    StreamEnd,
    StreamEvent,
    TextDelta,
    UsageReport,
)
from requesty_tui.client.request import ChatRequest, RetryPolicy
from requesty_tui.client.sse import SSEError, SSEParser
from requesty_tui.core.domain import FinishReason, KeySpend, ModelInfo, Usage

APP_TITLE = "requesty-tui"
APP_URL = "https://github.com/requesty-tui/requesty-tui"
_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "max_tokens": "length",
    "content_filter": "content_filter",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
}
_ERROR_BODY_LIMIT = 64 * 1024


class RouterClient:
    """Talks to ``{base_url}/models`` and ``{base_url}/chat/completions``."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        stall_timeout: float = 60.0,
        connect_timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        app_title: str = APP_TITLE,
        app_url: str = APP_URL,
        manage_url: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.manage_url = (manage_url or "https://api-v2.requesty.ai").rstrip("/")
        self.api_key = api_key or None
        self.stall_timeout = stall_timeout
        self.retry = retry or RetryPolicy()
        self.connect_timeout = connect_timeout
        self._headers = {
            "User-Agent": f"requesty-tui/{__version__}",
            "HTTP-Referer": app_url,
            "X-Title": app_title,
        }
        self._client: httpx.AsyncClient | None = None

    @property
    def _http(self) -> httpx.AsyncClient:
        """Made on first use: building one (TLS context, CA bundle) costs ~0.1 s at start-up."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(
                    connect=self.connect_timeout,
                    read=self.stall_timeout,
                    write=30.0,
                    pool=self.connect_timeout,
                ),
                follow_redirects=False,
                headers=self._headers,
            )
        return self._client

    def prepare(self) -> None:
        """Build the HTTP client and import what its first request loads (anyio's asyncio
        backend): ~0.2 s that the app runs in a thread instead of stalling its UI. Optional."""
        _ = self._http
        with contextlib.suppress(ImportError):
            importlib.import_module("anyio._backends._asyncio")

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> RouterClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def _redact(self, err: RouterError) -> RouterError:
        """Never let the key reach a message, even if a server echoes it back."""
        if self.api_key:
            # The key as a whole token only: a short test key must not mangle the words.
            key = re.compile(rf"(?<![\w-]){re.escape(self.api_key)}(?![\w-])")
            err.message = key.sub("***", err.message)
            err.hint = key.sub("***", err.hint)
        return err

    async def _get(self, url: str) -> httpx.Response:
        """GET with the key; a transport failure becomes a typed error."""
        try:
            return await self._http.get(url, headers=self._auth())
        except httpx.HTTPError as exc:
            self._raise_transport(exc)

    # -- models -----------------------------------------------------------------------------

    async def list_models(self) -> list[ModelInfo]:
        """The router's model list (the org's approved models and policies, with a key)."""
        url = f"{self.base_url}/models"
        resp = await self._get(url)
        if resp.status_code != 200:
            raise self._redact(
                error_from_status(
                    resp.status_code,
                    resp.text,
                    retry_after=resp.headers.get("retry-after"),
                    has_key=self.api_key is not None,
                )
            )
        try:
            payload = resp.json()
        except ValueError:
            raise ProtocolError(
                f"The model list at {url} is not JSON ({extract_message(resp.text)}).",
                "Check REQUESTY_BASE_URL.",
            ) from None
        entries = payload.get("data") if isinstance(payload, dict) else payload
        if not isinstance(entries, list):
            raise ProtocolError(
                f"The model list at {url} has no 'data' list.", "Check REQUESTY_BASE_URL."
            )
        models = []
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"]:
                models.append(ModelInfo.from_api(entry))
        return models

    # -- management -------------------------------------------------------------------------

    async def key_spend(self) -> KeySpend | None:
        """This key's monthly spend and limit; None when the key may not see it (or the server
        has no management API, e.g. another OpenAI-compatible router). Network errors raise."""
        if not self.api_key:
            return None
        resp = await self._get(f"{self.manage_url}/v1/manage/apikey/self")
        if resp.status_code != 200:
            return None
        try:
            payload = resp.json()
        except ValueError:
            return None
        return KeySpend.from_api(payload) if isinstance(payload, dict) else None

    # -- chat -------------------------------------------------------------------------------

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Stream one reply. Retries 429/5xx with backoff, but only before the first token."""
        if not self.api_key:
            raise missing_key_error()
        url = f"{self.base_url}/chat/completions"
        body = request.to_body()
        attempt = 0
        while True:
            attempt += 1
            started = False
            try:
                async with self._http.stream("POST", url, json=body, headers=self._auth()) as resp:
                    if resp.status_code != 200:
                        text = await _read_some(resp)
                        raise error_from_status(
                            resp.status_code,
                            text,
                            model=request.model,
                            retry_after=resp.headers.get("retry-after"),
                            has_key=True,
                        )
                    async for event in self._read_stream(resp):
                        if isinstance(event, TextDelta | ReasoningDelta):
                            started = True
                        yield event
                    return
            except RouterError as err:
                self._redact(err)
                if (
                    err.retryable
                    and not started
                    and attempt < self.retry.max_attempts
                    and (err.status != 424 or attempt == 1)
                ):
                    delay = self.retry.delay(attempt, err.retry_after)
                    yield Retrying(attempt + 1, self.retry.max_attempts, delay, err.message)
                    await asyncio.sleep(delay)
                    continue
                raise
            except httpx.HTTPError as exc:
                self._raise_transport(exc, mid_stream=started)

    async def _read_stream(self, resp: httpx.Response) -> AsyncIterator[StreamEvent]:
        ctype = resp.headers.get("content-type", "").lower()
        if "text/event-stream" not in ctype:
            async for event in self._read_whole(resp, ctype):
                yield event
            return
        parser = SSEParser()
        model: str | None = None
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
                    for event in _chunk_events(chunk, model):
                        if isinstance(event, ModelReported):
                            model = event.model
                        elif isinstance(event, StreamEnd):
                            finish = event.finish_reason
                            continue
                        elif isinstance(event, TextDelta | ReasoningDelta):
                            produced = True
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
                "Check that REQUESTY_BASE_URL points at an OpenAI-compatible /v1 endpoint; retry.",
            )
        yield StreamEnd(finish or "stop")

    async def _read_whole(self, resp: httpx.Response, ctype: str) -> AsyncIterator[StreamEvent]:
        """A server that ignored ``stream: true`` and answered with one JSON document."""
        text = await _read_some(resp, limit=32 * 1024 * 1024)
        try:
            payload = json.loads(text)
        except ValueError:
            what = extract_message(text) or "an empty answer"
            raise ProtocolError(
                f"The server did not answer with an event stream ({ctype or 'no content type'}:"
                f" {what}).",
                "Check that REQUESTY_BASE_URL points at an OpenAI-compatible /v1 endpoint.",
            ) from None
        if not isinstance(payload, dict):
            raise ProtocolError("The server answered with JSON that is not a chat completion.")
        if payload.get("error"):
            raise ProviderStreamError(
                f"The provider failed: {extract_message(text)}.", "Retry, or pick another model."
            )
        finish: FinishReason = "stop"
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
            finish = _FINISH.get(str(choices[0].get("finish_reason")), "stop")
        if isinstance(payload.get("usage"), dict):
            yield UsageReport(Usage.from_api(payload["usage"]))
        yield StreamEnd(finish)

    def _raise_transport(self, exc: httpx.HTTPError, *, mid_stream: bool = False) -> NoReturn:
        host = self.base_url
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            raise ConnectionFailedError(
                f"Timed out connecting to {host}.", "Check your network and REQUESTY_BASE_URL."
            ) from None
        if isinstance(exc, httpx.ReadTimeout):
            what = "in the middle of the reply" if mid_stream else "before answering"
            raise StallError(
                f"The server sent nothing for {self.stall_timeout:g} s {what}; stopped waiting.",
                "Retry; raise stall_timeout in config.toml for slow models.",
            ) from None
        if isinstance(exc, httpx.ConnectError):
            text = " ".join(_causes(exc)).lower()
            if any(
                s in text
                for s in (
                    "name or service",
                    "nodename",
                    "name resolution",
                    "getaddrinfo",
                    "no address",
                    "gaierror",
                )
            ):
                raise ConnectionFailedError(
                    f"Could not resolve the host of {host}.",
                    "Check the address in REQUESTY_BASE_URL and your network.",
                ) from None
            if "refused" in text or "errno 111" in text:
                raise ConnectionFailedError(
                    f"Connection refused by {host}.",
                    "Is the server running? Check REQUESTY_BASE_URL.",
                ) from None
            raise ConnectionFailedError(
                f"Could not connect to {host}: {_plain(exc)}.",
                "Check your network and REQUESTY_BASE_URL.",
            ) from None
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            if mid_stream:
                raise StreamCutError(
                    "The connection dropped in the middle of the reply.",
                    "The partial reply is kept; retry to ask again.",
                ) from None
            raise ConnectionFailedError(
                f"The connection to {host} failed: {_plain(exc)}.", "Retry in a moment."
            ) from None
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            raise ConnectionFailedError(
                f"The base URL {host!r} is not usable: {_plain(exc)}.",
                "Set REQUESTY_BASE_URL to an http:// or https:// address.",
            ) from None
        raise ConnectionFailedError(f"Request to {host} failed: {_plain(exc)}.") from None


def _causes(exc: BaseException) -> list[str]:
    """The messages of an exception and its causes (anyio hides "refused" behind a summary)."""
    out: list[str] = []
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        out.append(f"{type(node).__name__}: {node}")
        for inner in getattr(node, "exceptions", ()):  # ExceptionGroup
            out.extend(_causes(inner))
        node = node.__cause__ or node.__context__
    return out


def _plain(exc: Exception) -> str:
    return str(exc).strip() or type(exc).__name__


async def _read_some(resp: httpx.Response, limit: int = _ERROR_BODY_LIMIT) -> str:
    """Read at most ``limit`` bytes of a body (an error page must not eat memory)."""
    parts: list[bytes] = []
    size = 0
    async for raw in resp.aiter_bytes():
        parts.append(raw)
        size += len(raw)
        if size >= limit:
            break
    return b"".join(parts).decode("utf-8", errors="replace")


def _chunk_events(chunk: dict[str, Any], model: str | None) -> list[StreamEvent]:
    """The events of one ``chat.completion.chunk`` (tool-call fragments are ignored)."""
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
            reason = choice.get("finish_reason")
            if isinstance(reason, str) and reason:
                events.append(StreamEnd(_FINISH.get(reason, "stop")))
    usage = chunk.get("usage")
    if isinstance(usage, dict):
        events.append(UsageReport(Usage.from_api(usage)))
    return events

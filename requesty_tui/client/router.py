"""The Requesty router client: list models and stream a chat as typed events.

Plain asyncio + httpx; never imports Textual. One instance per app, one connection pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import re
from collections.abc import AsyncIterator
from typing import NoReturn

import httpx

from requesty_tui import __version__
from requesty_tui.client.errors import (
    ConnectionFailedError,
    ProtocolError,
    RouterError,
    StallError,
    StreamCutError,
    address_hint,
    error_from_status,
    extract_message,
    missing_key_error,
)
from requesty_tui.client.events import (
    ReasoningDelta,
    Retrying,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
)
from requesty_tui.client.parse import key_spend_from_api, model_from_api
from requesty_tui.client.request import ChatRequest, RetryPolicy
from requesty_tui.client.stream import read_some, read_stream
from requesty_tui.core.models import KeySpend, ModelInfo

APP_TITLE = "requesty-tui"
APP_URL = "https://github.com/requesty-tui/requesty-tui"


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
        address_from: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.address_from = address_from
        """Where ``base_url`` was set, named by advice about it (see ``address_hint``)."""
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

    async def _get(
        self, url: str, params: dict[str, str] | None = None, host: str | None = None
    ) -> httpx.Response:
        """GET with the key; a transport failure becomes a typed error (naming ``host``, the
        router's address unless said)."""
        try:
            return await self._http.get(url, params=params, headers=self._auth())
        except httpx.HTTPError as exc:
            self._raise_transport(exc, host=host)

    async def _post(self, url: str, body: object, host: str | None = None) -> httpx.Response:
        """POST JSON with the key (feedback); never retried."""
        try:
            return await self._http.post(url, json=body, headers=self._auth())
        except httpx.HTTPError as exc:
            self._raise_transport(exc, host=host)

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
                    address_from=self.address_from,
                )
            )
        try:
            payload = resp.json()
        except ValueError:
            raise ProtocolError(
                f"The model list at {url} is not JSON ({extract_message(resp.text)}).",
                address_hint(self.address_from, "not-api"),
            ) from None
        entries = payload.get("data") if isinstance(payload, dict) else payload
        if not isinstance(entries, list):
            raise ProtocolError(
                f"The model list at {url} has no 'data' list.",
                address_hint(self.address_from, "not-api"),
            )
        models = []
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"]:
                models.append(model_from_api(entry))
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
        return key_spend_from_api(payload) if isinstance(payload, dict) else None

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
                        text = await read_some(resp)
                        raise error_from_status(
                            resp.status_code,
                            text,
                            model=request.model,
                            retry_after=resp.headers.get("retry-after"),
                            has_key=True,
                            address_from=self.address_from,
                        )
                    async for event in read_stream(resp, self.address_from):
                        if isinstance(event, TextDelta | ReasoningDelta | ToolCallDelta):
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

    def _raise_transport(
        self, exc: httpx.HTTPError, *, mid_stream: bool = False, host: str | None = None
    ) -> NoReturn:
        host = host or self.base_url
        source = self.address_from
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            raise ConnectionFailedError(
                f"Timed out connecting to {host}.", address_hint(source, "unreachable")
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
                    address_hint(source, "resolve"),
                ) from None
            if "refused" in text or "errno 111" in text:
                raise ConnectionFailedError(
                    f"Connection refused by {host}.",
                    address_hint(source, "refused"),
                ) from None
            raise ConnectionFailedError(
                f"Could not connect to {host}: {_plain(exc)}.",
                address_hint(source, "unreachable"),
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
                address_hint(source, "unusable"),
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

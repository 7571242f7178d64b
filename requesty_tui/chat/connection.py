"""The app's one HTTP client, made in a thread the first time something needs it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from requesty_tui.client.factory import client_for
from requesty_tui.core.settings import Settings

if TYPE_CHECKING:
    from requesty_tui.client.router import RouterClient


class Connection:
    """Shared by every request (one connection pool); closed when the app ends."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: RouterClient | None = None
        self._making: asyncio.Future[RouterClient] | None = None

    async def ready(self) -> RouterClient:
        """The client. Importing httpx and building its TLS context stalled the UI for ~150 ms
        right after the first frame (keys typed then waited), so it is built in a thread."""
        if self._client is not None:
            return self._client
        if self._making is None:
            self._making = asyncio.ensure_future(asyncio.to_thread(self._make))
        making = self._making
        try:
            self._client = await asyncio.shield(making)
        finally:
            # Let go of the task: it holds the context of whoever asked first (a reply's
            # worker, and through it the reply's widgets, which then outlived the reply).
            if making.done() and self._making is making:
                self._making = None
        return self._client

    def _make(self) -> RouterClient:
        client = client_for(self.settings)
        client.prepare()
        return client

    async def reset(self, settings: Settings) -> None:
        """Use these settings from now on (a new key): the next request builds a new client."""
        old, self._client, self._making = self._client, None, None
        self.settings = settings
        if old is not None:
            await old.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

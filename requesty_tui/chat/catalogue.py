"""The router's model list: the cached copy at once, the live one when it comes, and what to
say when it does not (the key was rejected, the server is offline, it answered an error)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from requesty_tui.chat.connection import Connection
from requesty_tui.client.errors import (
    AuthError,
    ConnectionFailedError,
    RouterError,
    StallError,
)
from requesty_tui.core.domain import ModelInfo
from requesty_tui.storage.models_cache import load_cached_models, save_models


class ModelCatalogue:
    """Models by id and the list's status; listeners hear about every change."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.models: list[ModelInfo] = []
        self._by_id: dict[str, ModelInfo] = {}
        self.status = "loading models…"
        """Short, for the status bar ("" once the live list is in)."""
        self.detail = ""
        """The whole story (the picker shows it): why the list is old or missing."""
        self.live = False
        """The list came from the server in this run (not only from the cache)."""
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def info(self, model_id: str) -> ModelInfo | None:
        """What the list says about a model (None: not in the list, or no list yet)."""
        return self._by_id.get(model_id)

    def unknown(self, model_id: str) -> bool:
        """The server's live list does not have this model (a remembered one, gone)."""
        return self.live and bool(self.models) and model_id not in self._by_id

    async def load(self) -> None:
        """Cached list first (instant, offline), then the live one."""
        base = self.connection.settings.base_url
        cached = load_cached_models(base)
        if cached is not None:
            self._set(cached.models, "")
        try:
            models = await (await self.connection.ready()).list_models()
        except RouterError as exc:
            if isinstance(exc, AuthError):
                why = "the key was rejected"
            elif isinstance(exc, ConnectionFailedError | StallError):
                why = "offline"
            else:
                why = f"the server answered HTTP {exc.status}" if exc.status else "server error"
            if cached is not None:
                age = time.strftime("%Y-%m-%d %H:%M", time.localtime(cached.fetched_at))
                status, detail = f"models from {age} ({why})", f"Model list from {age} ({why})."
            else:
                status, detail = f"no model list ({why})", f"Model list unavailable ({why})."
            self._set(self.models, status, f"{detail} {exc.message}")
            return
        self.live = True
        self._set(models, "")
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            save_models(base, models)

    def _set(self, models: list[ModelInfo], status: str, detail: str = "") -> None:
        self.models = models
        self._by_id = {m.id: m for m in models}
        self.status = status
        self.detail = detail
        for listener in list(self._listeners):
            listener()

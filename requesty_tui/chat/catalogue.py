"""The router's model list: the cached copy at once, the live one when it comes, and what to
say when it does not (the key was rejected, the server is offline, it answered an error).

What ``config.toml`` says of a model (``[models."ID"]``) is applied here, to every list that
comes in and to :meth:`ModelCatalogue.info`, so the picker, the meter, attachments, tools and
the reasoning effort all see the same thing. ``ask`` and ``compare`` read the cached list
through :func:`cached_catalogue`."""

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
from requesty_tui.core.formatting import plural
from requesty_tui.core.model_overrides import apply_overrides, info_for
from requesty_tui.core.settings import Settings
from requesty_tui.storage.models_cache import CachedModels, load_cached_models, save_models


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
        """What the list and ``config.toml`` say about a model (None: neither knows it)."""
        listed = self._by_id.get(model_id)
        if listed is not None:
            return listed
        return info_for(model_id, None, self.connection.settings.models)

    def unknown(self, model_id: str) -> bool:
        """The server's live list does not have this model (a remembered one, gone)."""
        return self.live and bool(self.models) and model_id not in self._by_id

    def load_cached(self) -> CachedModels | None:
        """The list cached on disk for this server, if any (instant, offline)."""
        cached = load_cached_models(self.connection.settings.base_url)
        if cached is not None:
            self._set(cached.models, "")
        return cached

    async def refresh(self) -> str:
        """Fetch the list again (``model: refresh list``) and say what came."""
        await self.load(cached=False)
        if self.detail:
            return self.detail
        base = self.connection.settings.base_url
        return f"Model list: {plural(len(self.models), 'model')} from {base}."

    async def load(self, cached: bool = True) -> None:
        """Cached list first (instant, offline), then the live one."""
        base = self.connection.settings.base_url
        old = self.load_cached() if cached else load_cached_models(base)
        try:
            models = await (await self.connection.ready()).list_models()
        except RouterError as exc:
            if isinstance(exc, AuthError):
                why = "the key was rejected"
            elif isinstance(exc, ConnectionFailedError | StallError):
                why = "offline"
            else:
                why = f"the server answered HTTP {exc.status}" if exc.status else "server error"
            if self.live:
                status, detail = "", f"The model list could not be fetched again ({why})."
            elif old is not None:
                age = time.strftime("%Y-%m-%d %H:%M", time.localtime(old.fetched_at))
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
        models = apply_overrides(models, self.connection.settings.models)
        self.models = models
        self._by_id = {m.id: m for m in models}
        self.status = status
        self.detail = detail
        for listener in list(self._listeners):
            listener()


def cached_catalogue(settings: Settings) -> ModelCatalogue:
    """The cached list with ``config.toml``'s word on each model, for one command line request
    (``ask``, ``compare``): no request for the list itself."""
    catalogue = ModelCatalogue(Connection(settings))
    catalogue.load_cached()
    return catalogue

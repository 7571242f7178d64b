"""The Textual application: start-up wiring only (client, model list, screens)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from requesty_tui.client import RetryPolicy, RouterClient, RouterError
from requesty_tui.config import DEFAULT_MODEL, Settings
from requesty_tui.domain import Conversation, ModelInfo
from requesty_tui.models_cache import load_cached_models, save_models
from requesty_tui.state import load_state, save_state
from requesty_tui.store import SessionError, SessionStore
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.screens.model_picker import ModelPicker
from requesty_tui.ui.screens.session_browser import SessionBrowser


class RequestyApp(App[None]):
    """Full-screen chat with the Requesty router."""

    TITLE = "requesty-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        Binding("ctrl+o", "browse_sessions", "Sessions", id="app.sessions"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        model: str | None = None,
        conversation: Conversation | None = None,
        store: SessionStore | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.store = store or SessionStore()
        self.initial_conversation = conversation
        self.explicit_model = model
        self.state = load_state()
        self.initial_model = model or settings.model or self.state.last_model or DEFAULT_MODEL
        self.models: list[ModelInfo] = []
        self.models_status = "loading models…"
        self.client = RouterClient(
            settings.base_url,
            settings.api_key,
            stall_timeout=settings.stall_timeout,
            connect_timeout=settings.connect_timeout,
            retry=RetryPolicy(
                max_attempts=settings.max_attempts, base_delay=settings.retry_base_delay
            ),
        )

    def on_mount(self) -> None:
        conversation = self.initial_conversation
        if conversation is not None and self.explicit_model:
            conversation.model = self.explicit_model  # --model wins over the session's
        model = conversation.model if conversation else self.initial_model
        self.push_screen(ChatScreen(model, conversation))
        self.load_models()

    async def on_unmount(self) -> None:
        await self.client.aclose()
        self.store.close()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action in the palette, namespaced."""
        chat = screen if isinstance(screen, ChatScreen) else None
        if chat is not None:
            yield SystemCommand(
                "chat: new", "Start a new conversation (ctrl+n)", chat.action_new_chat
            )
            yield SystemCommand(
                "model: pick", "Choose the model for this conversation (f2)", chat.action_pick_model
            )
            if chat.streaming:
                yield SystemCommand(
                    "chat: stop", "Stop the streaming reply (esc)", chat.action_stop
                )
        yield SystemCommand(
            "session: browse",
            "Open, search, rename, delete, export (ctrl+o)",
            self.action_browse_sessions,
        )
        yield from super().get_system_commands(screen)

    # -- sessions ------------------------------------------------------------------------

    def action_browse_sessions(self) -> None:
        if isinstance(self.screen, SessionBrowser):
            return
        self.push_screen(SessionBrowser(self.store), self._resume_chosen)

    async def _resume_chosen(self, session_id: str | None) -> None:
        if session_id:
            await self.resume(session_id)

    async def resume(self, session_id: str) -> None:
        """Show a saved conversation in place of the current one."""
        try:
            conversation = self.store.load(session_id)
        except SessionError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        chat = self.screen
        if isinstance(chat, ChatScreen):
            await chat.stop_reply()
        await self.switch_screen(ChatScreen(conversation.model, conversation))

    # -- models --------------------------------------------------------------------------

    @work(exclusive=True, group="models", exit_on_error=False)
    async def load_models(self) -> None:
        """Cached list first (instant, offline), then the live one."""
        base = self.settings.base_url
        cached = load_cached_models(base)
        if cached is not None:
            self._set_models(cached.models, "")
        try:
            models = await self.client.list_models()
        except RouterError as exc:
            if cached is not None:
                age = time.strftime("%Y-%m-%d %H:%M", time.localtime(cached.fetched_at))
                status = f"model list from {age} (offline: {exc.message})"
            else:
                status = f"model list unavailable: {exc}"
            self._set_models(self.models, status)
            return
        self._set_models(models, "")
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            save_models(base, models)

    def _set_models(self, models: list[ModelInfo], status: str) -> None:
        self.models = models
        self.models_status = status
        screen = self.screen
        if isinstance(screen, ModelPicker):
            screen.set_models(models, status)
        for chat in self.screen_stack:
            if isinstance(chat, ChatScreen) and chat.is_mounted:
                chat.refresh_bars()

    def open_model_picker(self, current: str, callback: Callable[[str | None], None]) -> None:
        self.push_screen(ModelPicker(self.models, current, self.models_status), callback)

    def remember_model(self, model: str) -> None:
        self.state.last_model = model
        try:
            save_state(self.state)
        except OSError as exc:
            self.notify(f"Could not save the last model: {exc}", severity="warning", markup=False)

"""The Textual application: start-up wiring only (client, model list, screens)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.theme import Theme

from requesty_tui.client import RetryPolicy, RouterError
from requesty_tui.client.errors import AuthError, ConnectionFailedError, StallError
from requesty_tui.core import options as chat_options
from requesty_tui.core.domain import Conversation, KeySpend, ModelInfo
from requesty_tui.core.formatting import format_usd, plural
from requesty_tui.core.settings import DEFAULT_MODEL, Settings
from requesty_tui.storage.models_cache import load_cached_models, save_models
from requesty_tui.storage.sessions import SessionError, SessionStore
from requesty_tui.storage.settings_file import remember_setting
from requesty_tui.storage.state import load_state, save_state
from requesty_tui.ui.clipboard import copy_text
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.screens.model_picker import ModelPicker
from requesty_tui.ui.screens.session_browser import SessionBrowser
from requesty_tui.ui.textual_fixes import apply_fixes
from requesty_tui.ui.themes import APP_VARIABLES, DEFAULT_THEME, load_themes
from requesty_tui.ui.widgets.key_help import toggle_key_help
from requesty_tui.ui.widgets.markdown_view import MarkdownView

if TYPE_CHECKING:
    from requesty_tui.client.router import RouterClient


class ThemePicker(Provider):
    """Every registered theme; the App previews the highlighted one."""

    def _commands(self) -> list[tuple[str, str]]:
        current = self.app.theme
        return [
            (name, "current" if name == current else "")
            for name in sorted(self.app.available_themes)
        ]

    async def discover(self) -> Hits:
        for name, help_text in self._commands():
            yield DiscoveryHit(name, self._setter(name), help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    self._setter(name),
                    text=name,
                    help=help_text or None,
                )

    def _setter(self, name: str):  # type: ignore[no-untyped-def]
        def apply() -> None:
            self.app.theme = name

        return apply


class RequestyApp(App[None]):
    """Full-screen chat with the Requesty router."""

    TITLE = "requesty-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        Binding("ctrl+o", "browse_sessions", "Sessions", id="app.sessions"),
        Binding("f1", "toggle_help", "Help", id="app.help"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        model: str | None = None,
        conversation: Conversation | None = None,
        store: SessionStore | None = None,
    ) -> None:
        apply_fixes()
        super().__init__()
        self.settings = settings
        self.store = store or SessionStore()
        self.initial_conversation = conversation
        self.code_themes: dict[str, str] = {}
        if settings.keys:
            self.set_keymap(dict(settings.keys))
        self._previewing_from: str | None = None
        self.explicit_model = model
        self.state = load_state()
        self.initial_model = model or settings.model or self.state.last_model or DEFAULT_MODEL
        self.models: list[ModelInfo] = []
        self._models_by_id: dict[str, ModelInfo] = {}
        self.models_status = "loading models…"
        """Short, for the status bar ("" once the live list is in)."""
        self.models_detail = ""
        """The whole story (the picker shows it): why the list is old or missing."""
        self.models_live = False
        """The list came from the server in this run (not only from the cache)."""
        self.exiting = False
        """Set when quitting: a reply cancelled by the exit keeps its prompt in the file."""
        self.spend: KeySpend | None = None
        """This key's month, from the management API; None when unknown or not permitted."""
        self._spend_refused = False
        self._client_made: asyncio.Future[RouterClient] | None = None

    @functools.cached_property
    def client(self) -> RouterClient:
        """Made on first use, after the first frame (see :meth:`client_ready`)."""
        from requesty_tui.client.router import RouterClient

        settings = self.settings
        return RouterClient(
            settings.base_url,
            settings.api_key,
            stall_timeout=settings.stall_timeout,
            connect_timeout=settings.connect_timeout,
            retry=RetryPolicy(
                max_attempts=settings.max_attempts, base_delay=settings.retry_base_delay
            ),
            manage_url=settings.manage_host,
        )

    async def client_ready(self) -> RouterClient:
        """The client, made in a thread the first time: importing httpx and building its TLS
        context stalled the UI for ~150 ms right after the first frame (keys typed then waited)."""
        if "client" not in self.__dict__:
            if self._client_made is None:
                self._client_made = asyncio.ensure_future(asyncio.to_thread(self._make_client))
            made = self._client_made
            try:
                await asyncio.shield(made)
            finally:
                # Let go of the task: it holds the context of whoever asked first (a reply's
                # worker, and through it the reply's widgets, which then outlived the reply).
                if made.done() and self._client_made is made:
                    self._client_made = None
        return self.client

    def _make_client(self) -> RouterClient:
        client = self.client
        client.prepare()
        return client

    def action_toggle_help(self) -> None:
        """F1: the keys of whatever has focus, and the app's."""
        toggle_key_help(self.screen)

    def copy_out(self, text: str, what: str) -> None:
        """Copy and say how (system clipboard, terminal, or saved to a file)."""
        result = copy_text(self, text, what, self.settings.clipboard)
        ok = result.route in ("system", "terminal")
        self.notify(result.message, severity="information" if ok else "warning", markup=False)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_VARIABLES)

    def _setup_themes(self) -> None:
        """Register the bundled and user themes; report broken files; apply the setting."""
        loaded, problems = load_themes()
        for item in loaded:
            self.register_theme(item.theme)
            self.code_themes[item.theme.name] = item.code_theme
        for problem in problems:
            self.notify(
                str(problem), title="Theme skipped", severity="warning", timeout=10, markup=False
            )
        wanted = self.settings.theme
        if wanted not in self.available_themes:
            self.notify(
                f"Theme {wanted!r} is not known; using {DEFAULT_THEME}. Pick one with "
                "ctrl+p → theme.",
                severity="warning",
                markup=False,
            )
            wanted = DEFAULT_THEME
        self.theme = wanted
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    @property
    def code_theme(self) -> str:
        """The Pygments style for code blocks in the current theme."""
        name = self.current_theme.name
        return self.code_themes.get(name, "monokai" if self.current_theme.dark else "friendly")

    @property
    def code_background(self) -> str | None:
        """The theme's ``chat-code-background``, if it sets one (else the Pygments style's)."""
        return self.current_theme.variables.get("chat-code-background")

    def _theme_changed(self, theme: Theme) -> None:
        for view in self.screen.query(MarkdownView):
            view.set_code_theme(self.code_theme, self.code_background)
        if self._previewing_from is None and theme.name != self.settings.theme:
            self.settings = dataclasses.replace(self.settings, theme=theme.name)
            try:
                remember_setting("theme", theme.name)
            except OSError as exc:
                self.notify(
                    f"Could not save the theme in config.toml: {exc}",
                    severity="warning",
                    markup=False,
                )

    def action_pick_theme(self) -> None:
        """The theme picker: moving through the list previews each theme."""
        self._previewing_from = self.theme
        self.push_screen(CommandPalette(providers=[ThemePicker], placeholder="Theme…"))

    @on(CommandPalette.OptionHighlighted)
    def _preview_theme(self, event: CommandPalette.OptionHighlighted) -> None:
        if self._previewing_from is None:
            return
        option = event.highlighted_event.option
        hit = getattr(option, "hit", None)
        name = str(getattr(hit.text, "plain", hit.text)) if hit is not None else ""
        if name in self.available_themes:
            self.theme = name

    @on(CommandPalette.Closed)
    def _theme_picked(self, event: CommandPalette.Closed) -> None:
        original, self._previewing_from = self._previewing_from, None
        if original is None:
            return
        if not event.option_selected:
            self.theme = original
        else:
            self._theme_changed(self.current_theme)

    def _install_signal_handlers(self) -> None:
        """SIGTERM (kill, shutdown) and SIGHUP (terminal closed) quit like ctrl+q: the partial
        reply is saved, marked cancelled, and the draft is kept."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._terminated, sig)

    def _terminated(self, sig: int) -> None:
        """Save first, synchronously; then quit. After SIGHUP the terminal is gone, so there is
        nothing to restore and drawing could block on a pty nobody reads: leave at once."""
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen) and screen.is_mounted:
                with contextlib.suppress(Exception):
                    screen.save_now_for_exit()
        code = 128 + sig
        if sig == signal.SIGHUP:
            os._exit(code)
        self.exit(return_code=code)
        # A safety net: the files are written; a stuck shutdown must not keep the process.
        net = threading.Timer(5.0, os._exit, (code,))
        net.daemon = True  # does not hold a clean exit back
        net.start()

    def exit(self, *args: Any, **kwargs: Any) -> None:
        """Quit; the input box's text is written first, while the screen still exists."""
        self.exiting = True
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen) and screen.is_mounted:
                screen.save_draft(force=True)
        super().exit(*args, **kwargs)

    def on_mount(self) -> None:
        if not self.is_headless:
            self._install_signal_handlers()
        self._setup_themes()
        for warning in self.settings.warnings:
            self.notify(warning, title="Warning", severity="warning", timeout=15, markup=False)
        if not self.settings.api_key:
            self.notify(
                "No API key is set: export REQUESTY_API_KEY=… (or api_key in config.toml). "
                "Keys are made in the Requesty dashboard.",
                severity="warning",
                timeout=15,
                markup=False,
            )
        conversation = self.initial_conversation
        if conversation is not None and self.explicit_model:
            conversation.model = self.explicit_model  # --model wins over the session's
        model = conversation.model if conversation else self.initial_model
        self.push_screen(ChatScreen(model, conversation))
        self.call_after_refresh(self.load_models)  # after the first frame
        self.call_after_refresh(self.refresh_spend)
        if not self.is_headless:
            self.call_after_refresh(self._freeze_startup_objects)

    @staticmethod
    def _freeze_startup_objects() -> None:
        """Move everything that exists at the first frame (modules, classes, styles: ~100k
        objects that live as long as the app) out of the garbage collector's sight.

        A full collection walks every tracked object: in the tmux soak (200 replies) the 39 full
        collections took a median 123-129 ms each, a visible stall while streaming or typing;
        88-100 ms with them frozen. Not in headless runs: tests create many apps in one process,
        and frozen objects are never collected.
        """
        gc.freeze()

    async def on_unmount(self) -> None:
        if "client" in self.__dict__:
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
            if chat.conversation.messages:
                yield SystemCommand(
                    "chat: export", "Save this conversation as Markdown", chat.action_export
                )
            if chat.streaming:
                yield SystemCommand(
                    "chat: stop", "Stop the streaming reply (esc)", chat.action_stop
                )
            for option in chat_options.OPTIONS:
                current = option.show(chat.conversation)
                yield SystemCommand(
                    option.title,
                    f"{option.help} (now: {current or 'default'})",
                    partial(chat.action_edit_option, option.key),
                )
        yield SystemCommand(
            "account: spend",
            "This API key's spend and limit this month (Requesty management API)",
            self.action_show_spend,
        )
        yield SystemCommand(
            "session: browse",
            "Open, search, rename, delete, export (ctrl+o)",
            self.action_browse_sessions,
        )
        yield SystemCommand(
            "theme: pick", "Preview and choose a colour theme", self.action_pick_theme
        )
        try:
            recent = self.store.search("", refresh=False, limit=20)
        except Exception:  # the palette must open even if the index is unusable
            recent = []
        for row in recent:
            if row.readable:
                yield SystemCommand(
                    f"session: open {row.title or row.id}",
                    f"{row.model} · {plural(row.message_count, 'message')}",
                    partial(self.resume, row.id),
                )
        for command in super().get_system_commands(screen):
            if command.title != "Theme":  # ours previews and remembers
                yield command

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
            chat.save_draft(force=True)  # what is typed stays with the chat it was typed in
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
            models = await (await self.client_ready()).list_models()
        except RouterError as exc:
            if isinstance(exc, AuthError):
                why = "the key was rejected"
            elif isinstance(exc, ConnectionFailedError | StallError):
                why = "offline"
            else:
                why = f"the server answered HTTP {exc.status}" if exc.status else "server error"
            if cached is not None:
                age = time.strftime("%Y-%m-%d %H:%M", time.localtime(cached.fetched_at))
                status = f"models from {age} ({why})"
                detail = f"Model list from {age} ({why}). {exc.message}"
            else:
                status = f"no model list ({why})"
                detail = f"Model list unavailable ({why}). {exc.message}"
            self._set_models(self.models, status, detail)
            return
        self.models_live = True
        self._set_models(models, "")
        chat = self.screen
        if isinstance(chat, ChatScreen) and models and self.model_info(chat.model) is None:
            self.notify(
                f"{chat.model} is not in this server's model list. F2 picks another "
                "(any id can be typed there).",
                severity="warning",
                timeout=10,
                markup=False,
            )
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            save_models(base, models)

    def model_info(self, model_id: str) -> ModelInfo | None:
        """What the model list says about a model (None: not in the list, or no list yet)."""
        return self._models_by_id.get(model_id)

    def _set_models(self, models: list[ModelInfo], status: str, detail: str = "") -> None:
        self.models = models
        self._models_by_id = {m.id: m for m in models}
        self.models_status = status
        self.models_detail = detail
        screen = self.screen
        if isinstance(screen, ModelPicker):
            screen.set_models(models, detail)
        for chat in self.screen_stack:
            if isinstance(chat, ChatScreen) and chat.is_mounted:
                chat.refresh_bars()

    # -- spend ---------------------------------------------------------------------------

    @work(exclusive=True, group="spend", exit_on_error=False)
    async def refresh_spend(self, report: bool = False) -> None:
        """Fetch this key's monthly spend; silent when the key may not see it (and then not
        asked again after every reply: a server without the management API answers 404)."""
        if self._spend_refused and not report:
            return
        try:
            spend = await (await self.client_ready()).key_spend()
        except RouterError as exc:
            if report:
                self.notify(f"Spend unavailable: {exc}", severity="warning", markup=False)
            return
        self.spend = spend
        self._spend_refused = spend is None
        if report:
            self.notify(self._spend_message(), markup=False, timeout=8)
        for chat in self.screen_stack:
            if isinstance(chat, ChatScreen) and chat.is_mounted:
                chat.refresh_bars()

    def spend_label(self) -> str:
        """ "key $12.34 / $50.00 this month" for the status bar ("" when unknown)."""
        spend = self.spend
        if spend is None or spend.monthly_spend is None:
            return ""
        text = f"key {format_usd(spend.monthly_spend)}"
        if spend.monthly_limit:
            text += f" / {format_usd(spend.monthly_limit)}"
        return text + " this month"

    def _spend_message(self) -> str:
        spend = self.spend
        if spend is None or spend.monthly_spend is None:
            return (
                "This key's spend is not available: the key may lack the permission, or "
                f"{self.settings.manage_host} has no Requesty management API."
            )
        name = f" ({spend.name})" if spend.name else ""
        text = f"This key{name} spent {format_usd(spend.monthly_spend)} this month"
        if spend.monthly_limit:
            left = spend.monthly_limit - spend.monthly_spend
            text += f" of its {format_usd(spend.monthly_limit)} limit ({format_usd(left)} left)"
        else:
            text += "; it has no monthly limit"
        return text + "."

    def action_show_spend(self) -> None:
        self.refresh_spend(report=True)

    def open_model_picker(self, current: str, callback: Callable[[str | None], None]) -> None:
        self.push_screen(ModelPicker(self.models, current, self.models_detail), callback)

    def remember_model(self, model: str) -> None:
        self.state.last_model = model
        try:
            save_state(self.state)
        except OSError as exc:
            self.notify(f"Could not save the last model: {exc}", severity="warning", markup=False)

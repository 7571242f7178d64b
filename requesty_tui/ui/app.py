"""The Textual application: it builds the services, hands them to the screens, and does what
is the App's alone (themes, copying, help, the session browser, quitting and signals)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, messages, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen

from requesty_tui.chat.branches import branch_with
from requesty_tui.chat.services import Services
from requesty_tui.core.domain import Conversation
from requesty_tui.core.formatting import plural
from requesty_tui.core.settings import ConfigError, Settings
from requesty_tui.storage.sessions import SessionError, SessionStore
from requesty_tui.ui.clipboard import copy_text
from requesty_tui.ui.context import ExitHooks, UiContext
from requesty_tui.ui.gc_pause import first_frame_drawn
from requesty_tui.ui.messages import CopyRequest
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.screens.chat_session import Found
from requesty_tui.ui.shutdown import install_signal_handlers
from requesty_tui.ui.textual_fixes import apply_fixes
from requesty_tui.ui.themes import APP_VARIABLES
from requesty_tui.ui.theming import Theming
from requesty_tui.ui.widgets.key_help import toggle_key_help

if TYPE_CHECKING:
    from requesty_tui.storage.presets import Preset
    from requesty_tui.ui.screens.session_browser import Chosen


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
        compare: list[str] | None = None,
        attach: list[Path] | None = None,
        preset: Preset | None = None,
    ) -> None:
        apply_fixes()
        super().__init__()
        self.services = Services.build(settings, store)
        self.theming = Theming(self, self.services)
        self.exiting = ExitHooks()
        self._quitting = False
        self.context = UiContext(self.services, self.theming, self.exiting, self.refresh_spend)
        self.context.compare_models = list(compare or [])
        self.context.restart_tools = partial(self.start_tools, True)
        self.context.attach_first = list(attach or [])
        if conversation is not None and model:
            conversation.model = model  # --model wins over the session's
        if conversation is not None and conversation.compare and not compare:
            from requesty_tui.chat.compare import resumed_compare  # only for one that compared

            self.context.compare_models = resumed_compare(conversation)
        self.first_conversation = conversation
        self.first_preset = preset
        """--preset: the first chat takes its settings and asks for its first message."""
        self.first_model = conversation.model if conversation else self.services.first_model(model)
        if settings.keys:
            self.set_keymap(dict(settings.keys))

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def keymap(self) -> Mapping[str, str]:
        """The ``[keys]`` remaps: widgets that name a key in their text name the moved one."""
        return self.settings.keys

    async def on_event(self, event: events.Event) -> None:
        """A key (or a paste) first goes past the screen's ``route_typing``, which may move the
        focus before Textual forwards the key to the focused widget: here, in the App's one
        queue, every key is routed in the order typed (a hop later, keys already queued for
        a message would race those sent to the input box)."""
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            route = getattr(self.screen, "route_typing", None)
            if route is not None:
                route(event)
        await super().on_event(event)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_VARIABLES)

    def on_mount(self) -> None:
        if not self.is_headless:
            install_signal_handlers(self, self.exiting)
        self.theming.setup()
        self.theme_changed_signal.subscribe(self, lambda _theme: self.theming.remember())
        for warning in self.settings.warnings:
            self.notify(warning, title="Warning", severity="warning", timeout=15, markup=False)
        first = ChatScreen(self.context, self.first_model, self.first_conversation)
        self.push_screen(first)
        if not self.settings.api_key:
            self.set_key()  # the set-up, instead of an empty chat
        if self.first_preset is not None:
            from requesty_tui.ui.screens.chat_presets import start_from

            self.call_after_refresh(
                self.run_worker, start_from(first, self.first_preset, new=False)
            )
        self.call_after_refresh(self.load_models)  # after the first frame
        self.call_after_refresh(self.refresh_spend)
        if self.services.has_tools:
            self.call_after_refresh(self.start_tools)
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        """Move everything that exists at the first frame (modules, classes, styles: ~100k
        objects that live as long as the app) out of the garbage collector's sight: the tmux
        soak's full collections took 123-129 ms each, 88-100 ms with them frozen. Not headless:
        tests make many apps in one process, and frozen objects are never collected. Then the
        collections the start held back (``hold_until_first_frame``) run again."""
        first_frame_drawn(freeze=not self.is_headless)

    async def on_unmount(self) -> None:
        if "toolbox" in self.services.__dict__:
            await self.services.toolbox.close()
        await self.services.connection.aclose()
        self.services.store.close()

    # -- background jobs ---------------------------------------------------------------------

    @work(exclusive=True, group="models", exit_on_error=False)
    async def load_models(self) -> None:
        await self.services.catalogue.load()

    @work(exclusive=True, group="models", exit_on_error=False)
    async def refresh_models(self) -> None:
        """``model: refresh list``: fetch the list again and say how many came (or why not)."""
        catalogue = self.services.catalogue
        message = await catalogue.refresh()
        self.notify(message, severity="warning" if catalogue.detail else "information",
                    markup=False)  # fmt: skip

    @work(exclusive=True, group="tools", exit_on_error=False)
    async def start_tools(self, again: bool = False) -> None:
        """The MCP servers, after the first frame (``again``: stopped and started anew): each
        that fails is one notification."""
        toolbox = self.services.toolbox
        if again:
            try:
                toolbox.reread()
            except ConfigError as exc:  # as at start; the running servers stay
                self.notify(str(exc), title="Tools", severity="error", markup=False)
                return
            if isinstance(self.screen, ChatScreen):
                self.screen.refresh_bars()  # "tools: starting…"
        failures = await (toolbox.restart() if again else toolbox.start())
        if again and not failures:
            self.notify(f"Tools: {len(toolbox.specs)} ready.", markup=False)
        for message in self.services.tell_tool_failures(again):  # the status bar says the rest
            self.notify(message, title="Tools", severity="warning", timeout=10, markup=False)
        if isinstance(self.screen, ChatScreen):
            self.screen.refresh_bars()

    @work(exclusive=True, group="spend", exit_on_error=False)
    async def refresh_spend(self, asked: bool = False) -> None:
        message = await self.services.spend.refresh(asked=asked)
        if message is not None:
            self.notify(message, markup=False, timeout=8)

    # -- the key and the account ---------------------------------------------------------------

    def set_key(self) -> None:
        """The key set-up (at a start without a key, ``account: set key``, a refused key)."""
        from requesty_tui.ui.screens.key_setup import KeySetup

        if not isinstance(self.screen, KeySetup):
            self.push_screen(KeySetup(self.services), self._key_set)

    def _key_set(self, in_use: bool | None) -> None:
        if in_use:
            self.load_models()
            self.refresh_spend()
            if isinstance(self.screen, ChatScreen):
                self.screen.refresh_bars()
            return
        if not self.settings.api_key:
            self.notify(
                "No API key is set: sending will fail until one is. ctrl+p → account: set key "
                "(or `requesty-tui login`, or REQUESTY_API_KEY).",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def show_usage(self) -> None:
        """``account: usage``: the key's month and its spend per day."""
        from requesty_tui.ui.screens.account import AccountScreen

        if not isinstance(self.screen, AccountScreen):
            self.push_screen(AccountScreen(self.services))

    # -- what only the App does ----------------------------------------------------------------

    def action_toggle_help(self) -> None:
        """F1: the keys of whatever has focus, and the app's."""
        toggle_key_help(self.screen)

    @on(CopyRequest)
    def _copy(self, request: CopyRequest) -> None:
        """Copy and say how (system clipboard, terminal, or saved to a file); served, to the
        browser's clipboard."""
        mode = "browser" if self.is_web else self.settings.clipboard
        result = copy_text(self, request.text, request.what, mode)
        ok = result.route in ("system", "terminal")
        self.notify(result.message, severity="information" if ok else "warning", markup=False)

    @on(CommandPalette.Closed)
    def _palette_closed(self, event: CommandPalette.Closed) -> None:
        self.theming.closed(event.option_selected)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """What works everywhere (a screen's own commands come from its provider)."""
        yield SystemCommand(
            "account: usage",
            "This key's month: spend against its limit, a chart of spend per day, top models",
            self.show_usage,
        )
        yield SystemCommand(
            "account: set key",
            "Paste an API key: it is checked, then kept in config.toml",
            self.set_key,
        )
        yield SystemCommand(
            "account: spend",
            "This API key's spend and limit this month (Requesty management API)",
            partial(self.refresh_spend, True),
        )
        yield SystemCommand(
            "session: browse",
            "Open, search, rename, delete, export (ctrl+o)",
            self.action_browse_sessions,
        )
        yield SystemCommand(
            "model: refresh list",
            "Fetch the server's model list again and say how many models it has",
            self.refresh_models,
        )
        yield SystemCommand("theme: pick", "Preview and choose a colour theme", self.theming.pick)
        try:
            recent = self.services.store.search("", refresh=False, limit=20)
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

    def action_browse_sessions(self) -> None:
        from requesty_tui.ui.screens.session_browser import SessionBrowser

        if not isinstance(self.screen, SessionBrowser):
            store = self.services.store
            browser = SessionBrowser(
                store, self.delete_session, self.rename_session, self.edit_session
            )
            self.push_screen(browser, self._resume_chosen)

    def rename_session(self, session_id: str, title: str) -> None:
        """Rename a conversation; open, through its chat (whose next save would otherwise
        write the old title back), at once (the browser lists it next)."""
        for chat in self.screen_stack:
            if isinstance(chat, ChatScreen) and chat.conversation.id == session_id:
                chat.conversation.title, chat.conversation.title_by = title, "user"
                report = chat.session.save_now()
                chat.refresh_bars()
                if report.error is not None:
                    raise report.error
                return
        self.services.store.rename(session_id, title)

    def edit_session(self, session_id: str, change: Callable[[Conversation], None]) -> None:
        """Change a conversation (pin, tags); open, through its chat, as a rename is."""
        for chat in self.screen_stack:
            if isinstance(chat, ChatScreen) and chat.conversation.id == session_id:
                change(chat.conversation)
                report = chat.session.save_now()
                if report.error is not None:
                    raise report.error
                return
        self.services.store.update(session_id, change)

    async def delete_session(self, session_id: str) -> None:
        """Delete a conversation; open, it is closed first (a new chat takes its place), and
        the copies an open chat still refers to are kept."""
        chats = [s for s in self.screen_stack if isinstance(s, ChatScreen)]
        for chat in chats:
            if chat.conversation.id == session_id:
                await chat.new_chat(deleted=True)
        held = set().union(*(chat.session.held_attachments() for chat in chats))
        self.services.store.delete(session_id, keep=held)

    async def _resume_chosen(self, chosen: Chosen | None) -> None:
        if chosen is not None:
            await self.resume(chosen.id, list(chosen.words))

    async def resume(self, session_id: str, words: list[str] | None = None) -> None:
        """Show a saved conversation in place of the current one (on the branch that holds
        ``words``, when searched for)."""
        try:
            conversation = self.services.store.load(session_id)
        except SessionError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        hit = branch_with(conversation, words) if words else None
        chat = self.screen
        if isinstance(chat, ChatScreen):
            await chat.stop_reply()
            chat.save_draft(force=True)  # what is typed stays with the chat it was typed in
        from requesty_tui.chat.compare import resumed_compare

        self.context.compare_models[:] = resumed_compare(conversation)  # its mode, on or off
        resumed = ChatScreen(self.context, conversation.model, conversation)
        if hit is not None and words:
            resumed.found = Found(hit, tuple(words))
        await self.switch_screen(resumed)

    # -- quitting ------------------------------------------------------------------------------

    def exit(self, *args: Any, **kwargs: Any) -> None:
        """Quit; each chat saves itself first, while its screen still exists."""
        self._quitting = True
        self.exiting.run(now=False)
        super().exit(*args, **kwargs)

    @on(messages.ExitApp)
    def _quit_asked(self) -> None:
        """A quit that did not come through ``exit``: a browser tab closed (textual-serve
        asks the web driver to quit), or SIGINT to a served app: save as ctrl+q does."""
        if not self._quitting:
            self._quitting = True
            self.exiting.run(now=False)

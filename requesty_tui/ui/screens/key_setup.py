"""The key set-up: what the key is, where to make one, a masked box to paste it, and what will
happen to it. Shown instead of an empty chat when there is no key, and from the palette
(``account: set key``) or a send the router refused for the key.

The key is checked before it is kept (:func:`requesty_tui.chat.account.verify_key`); it is
never drawn (the box is a password box), never put in a notification or a log.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from requesty_tui.chat.services import Services
from requesty_tui.core.settings import DASHBOARD_URL
from requesty_tui.storage import paths
from requesty_tui.ui.widgets.key_bar import KeyBar

ENV_VAR = "REQUESTY_API_KEY"


def in_use(services: Services) -> str:
    """Which key the app uses now, in words (never the key)."""
    settings = services.settings
    if not settings.api_key:
        return "No key is set yet."
    source = settings.api_key_from
    if source == ENV_VAR:
        return f"In use: the key in {ENV_VAR} (the environment wins over config.toml)."
    if source:
        return f"In use: {source}."
    return "In use: a key given at start."


class KeySetup(Screen[bool]):
    """Paste a key; Enter checks and keeps it. Dismissed with True once a key is in use."""

    CSS_PATH = "key_setup.tcss"
    HELP_TITLE = "API key"
    BINDINGS = [
        Binding("escape", "skip", "Skip for now", id="setup.skip"),
        Binding("ctrl+q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.candidate = ""
        """The key being checked (kept off the screen)."""
        self.checking = False

    def compose(self) -> ComposeResult:
        settings = self.services.settings
        server = "Requesty" if settings.is_requesty else settings.base_url
        with Vertical(id="setup"):
            yield Label("Set up your API key", id="setup-title")
            if settings.is_requesty:
                what = (
                    "requesty-tui sends your messages to the Requesty router with your API key. "
                    f"Make one at {DASHBOARD_URL} and paste it here."
                )
            else:
                what = f"Paste the API key of {server} (the server in base_url)."
            yield Static(what, markup=False, classes="line")
            yield Input(password=True, placeholder="paste your key", id="key")
            where = paths.config_file()
            yield Static(
                f"Enter checks it with {server}, then keeps it in {where} (yours alone to "
                f"read). {ENV_VAR} in the environment wins over it.",
                markup=False,
                classes="line muted",
            )
            yield Static(in_use(self.services), markup=False, id="in-use", classes="line muted")
            yield Static("", markup=False, id="verdict", classes="line")
            with Horizontal(id="choices"):
                yield Button("Keep it anyway", id="keep", variant="warning")
                yield Button("Skip for now", id="skip")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#choices").display = False
        self.query_one("#key", Input).focus()

    def _say(self, text: str, kind: str = "") -> None:
        verdict = self.query_one("#verdict", Static)
        verdict.set_classes(f"line {kind}".strip())
        verdict.update(text)

    @on(Input.Submitted, "#key")
    def _submitted(self, event: Input.Submitted) -> None:
        key = "".join(event.value.split())  # a paste may bring a newline or spaces
        if not key:
            self._say("Paste your key first.", "-error")
            return
        if self.checking:
            return
        self.candidate = key
        self.query_one("#choices").display = False
        self._say("Checking the key…")
        self.check(key)

    @work(exclusive=True, group="key-check", exit_on_error=False)
    async def check(self, key: str) -> None:
        from requesty_tui.chat.account import verify_key

        self.checking = True
        try:
            verdict = await verify_key(self.services.settings, key)
        finally:
            self.checking = False
        box = self.query_one("#key", Input)
        if verdict.state == "valid":
            await self.keep(key, verdict.message)
        elif verdict.state == "rejected":
            box.value = ""
            box.focus()
            self._say(f"Rejected: {verdict.message} Paste another key.", "-error")
        else:
            self._say(
                f"{verdict.message} Keep it anyway (the first send checks it), or Enter: "
                "try again.",
                "-warning",
            )
            self.query_one("#choices").display = True

    async def keep(self, key: str, checked: str) -> None:
        """Save the key in ``config.toml`` and use it from now on."""
        from requesty_tui.chat.account import save_key
        from requesty_tui.core.settings import ConfigError

        services = self.services
        env_wins = services.settings.api_key_from == ENV_VAR
        try:
            where = save_key(key)
        except (ConfigError, OSError) as exc:
            said = str(exc).replace(key, "***")
            note = f"{checked} It could not be saved ({said}); it is used until you quit."
            await services.use_key(key, "the key set up in this session")
        else:
            note = f"{checked} Saved in {where}."
            if env_wins:
                note += (
                    f" {ENV_VAR} in your environment wins at the next start: unset it to use "
                    "this key."
                )
            await services.use_key(key, f"api_key in {where}")
        self.candidate = ""
        self.notify(note, title="API key", markup=False, timeout=10)
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    async def _keep_anyway(self) -> None:
        if self.candidate:
            await self.keep(self.candidate, "Not checked (the server could not be reached).")

    @on(Button.Pressed, "#skip")
    def _skip_pressed(self) -> None:
        self.action_skip()

    def action_skip(self) -> None:
        self.workers.cancel_group(self, "key-check")
        self.dismiss(bool(self.services.settings.api_key))

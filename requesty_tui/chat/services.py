"""What the App builds once and hands to every screen: no screen reaches for the App."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from requesty_tui.chat.catalogue import ModelCatalogue
from requesty_tui.chat.connection import Connection
from requesty_tui.chat.spend import SpendTracker
from requesty_tui.core.settings import DEFAULT_MODEL, Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.storage.state import AppState, load_state, save_state

if TYPE_CHECKING:
    from requesty_tui.chat.favourites import Favourites
    from requesty_tui.chat.toolbox import Toolbox


@dataclass
class Services:
    settings: Settings
    store: SessionStore
    connection: Connection
    catalogue: ModelCatalogue
    spend: SpendTracker
    state: AppState = field(default_factory=AppState)

    @property
    def has_tools(self) -> bool:
        """MCP servers are configured (without them nothing of tools is imported)."""
        return bool(self.settings.mcp)

    @cached_property
    def toolbox(self) -> Toolbox:
        from requesty_tui.chat.toolbox import Toolbox

        return Toolbox(self.settings)

    @cached_property
    def favourites(self) -> Favourites:
        """The starred and recent models of this server."""
        from requesty_tui.chat.favourites import Favourites

        return Favourites(self.state, self.settings.base_url, save_state)

    @classmethod
    def build(cls, settings: Settings, store: SessionStore | None = None) -> Services:
        connection = Connection(settings)
        return cls(
            settings,
            store or SessionStore(),
            connection,
            ModelCatalogue(connection),
            SpendTracker(connection),
            load_state(),
        )

    async def use_key(self, key: str, source: str) -> None:
        """Use ``key`` from now on (set up in the app; ``source`` says where it is kept): the
        connection is made anew, the spend is asked again."""
        import dataclasses

        self.settings = dataclasses.replace(self.settings, api_key=key, api_key_from=source)
        await self.connection.reset(self.settings)
        self.spend.refused = False

    def first_model(self, explicit: str | None = None) -> str:
        """The model of a new chat: --model, else config, else the last one used."""
        return explicit or self.settings.model or self.state.last_model or DEFAULT_MODEL

    def tell_tool_failures(self, again: bool) -> list[str]:
        """The tool servers' failures worth a notification: at a start of the app, those not
        told at an earlier one; at a restart the user asked for, all of them."""
        toolbox = self.toolbox
        new, remembered = toolbox.untold(self.state.tool_failures)
        if remembered != self.state.tool_failures:
            self.state.tool_failures = remembered
            with suppress(OSError):  # not told again is a nicety: it is never worth an error
                save_state(self.state)
        return [f.message for f in (toolbox.failures if again else new)]

    def remember_model(self, model: str) -> None:
        """Raises OSError when the state file cannot be written (the caller says so)."""
        self.state.last_model = model
        save_state(self.state)

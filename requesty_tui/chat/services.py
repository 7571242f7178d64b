"""What the App builds once and hands to every screen: no screen reaches for the App."""

from __future__ import annotations

from dataclasses import dataclass, field

from requesty_tui.chat.catalogue import ModelCatalogue
from requesty_tui.chat.connection import Connection
from requesty_tui.chat.spend import SpendTracker
from requesty_tui.core.settings import DEFAULT_MODEL, Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.storage.state import AppState, load_state, save_state


@dataclass
class Services:
    settings: Settings
    store: SessionStore
    connection: Connection
    catalogue: ModelCatalogue
    spend: SpendTracker
    state: AppState = field(default_factory=AppState)

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

    def first_model(self, explicit: str | None = None) -> str:
        """The model of a new chat: --model, else config, else the last one used."""
        return explicit or self.settings.model or self.state.last_model or DEFAULT_MODEL

    def remember_model(self, model: str) -> None:
        """Raises OSError when the state file cannot be written (the caller says so)."""
        self.state.last_model = model
        save_state(self.state)

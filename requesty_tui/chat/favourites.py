"""Starred and recently used models, per server (base URL): the picker's first sections and
what ctrl+up/ctrl+down go through in the chat, without opening the picker.

A router lists hundreds of models, and a daily user goes back to a handful: the stars are
theirs to set, the recents (the last :data:`RECENT` models or policies a message was sent to,
newest first) follow what they do. Both are kept in the state file, apart per server: a model
id means something only on the server that lists it.
"""

from __future__ import annotations

from collections.abc import Callable

from requesty_tui.storage.state import AppState

RECENT = 8
"""Recently used models kept (the picker's second section)."""


class Favourites:
    """The starred and recent models of one server; ``save`` writes the state file (raises
    OSError: the caller says so)."""

    def __init__(self, state: AppState, base_url: str, save: Callable[[AppState], None]) -> None:
        self.state = state
        self.base_url = base_url
        self._save = save

    @property
    def starred(self) -> list[str]:
        return list(self.state.starred.get(self.base_url, []))

    @property
    def recent(self) -> list[str]:
        return list(self.state.recent.get(self.base_url, []))

    def is_starred(self, model: str) -> bool:
        return model in self.state.starred.get(self.base_url, [])

    def toggle_star(self, model: str) -> bool:
        """Star or unstar ``model``; returns whether it is starred now."""
        stars = self.starred
        now = model not in stars
        if now:
            stars.append(model)
        else:
            stars.remove(model)
        self.state.starred[self.base_url] = stars
        self._save(self.state)
        return now

    def used(self, model: str) -> None:
        """A message was sent to ``model``: it goes to the front of the recents."""
        recent = self.recent
        if recent[:1] == [model]:
            return  # nothing changes: no write
        recent = [model, *(m for m in recent if m != model)][:RECENT]
        self.state.recent[self.base_url] = recent
        self._save(self.state)

    def cycle(self) -> list[str]:
        """What ctrl+up/ctrl+down go through: the starred, then the recent not starred."""
        stars = self.starred
        return [*stars, *(m for m in self.recent if m not in stars)]

    def step(self, current: str, step: int) -> str | None:
        """The model ``step`` places from ``current`` in :meth:`cycle` (wrapping); from a model
        not in it, the first (down) or the last (up). None when there is nothing to switch to."""
        models = self.cycle()
        if not models or models == [current]:
            return None
        if current not in models:
            return models[0] if step > 0 else models[-1]
        return models[(models.index(current) + step) % len(models)]

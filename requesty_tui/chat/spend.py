"""This key's spend this month, from Requesty's management API, and how it is said."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from requesty_tui.chat.connection import Connection
from requesty_tui.client.errors import RouterError
from requesty_tui.core.domain import KeySpend
from requesty_tui.core.formatting import format_usd


class SpendTracker:
    """Asked after the first frame and after every reply; listeners hear about every change."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.spend: KeySpend | None = None
        """None when unknown or not permitted."""
        self.refused = False
        """The server would not say (the key may not, or there is no management API): not
        asked again after every reply, only when the user asks."""
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    async def refresh(self, *, asked: bool = False) -> str | None:
        """Fetch the spend (unless refused before, when not ``asked``); return the message to
        show when ``asked``."""
        if self.refused and not asked:
            return None
        try:
            spend = await (await self.connection.ready()).key_spend()
        except RouterError as exc:
            return f"Spend unavailable: {exc}" if asked else None
        self.spend = spend
        self.refused = spend is None
        for listener in list(self._listeners):
            listener()
        return self.message() if asked else None

    def label(self) -> str:
        """ "key $12.34 / $50.00 this month" for the status bar ("" when unknown)."""
        spend = self.spend
        if spend is None or spend.monthly_spend is None:
            return ""
        text = f"key {format_usd(spend.monthly_spend)}"
        if spend.monthly_limit:
            text += f" / {format_usd(spend.monthly_limit)}"
        return text + " this month"

    def message(self) -> str:
        spend = self.spend
        if spend is None or spend.monthly_spend is None:
            return (
                "This key's spend is not available: the key may lack the permission, or "
                f"{self.connection.settings.manage_host} has no Requesty management API."
            )
        name = f" ({spend.name})" if spend.name else ""
        text = f"This key{name} spent {format_usd(spend.monthly_spend)} this month"
        if spend.monthly_limit:
            left = spend.monthly_limit - spend.monthly_spend
            text += f" of its {format_usd(spend.monthly_limit)} limit ({format_usd(left)} left)"
        else:
            text += "; it has no monthly limit"
        return text + "."

"""One way to build a client from the settings (the TUI, ``ask`` and ``models`` all use it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from requesty_tui.client.request import RetryPolicy
from requesty_tui.core.settings import REGIONS, Settings

if TYPE_CHECKING:
    from requesty_tui.client.router import RouterClient


def client_for(settings: Settings) -> RouterClient:
    """The router client the settings describe: base URL, key, timeouts, retries, management
    host. Imports httpx (~50 ms): call it when the client is needed, not at start-up."""
    from requesty_tui.client.router import RouterClient

    return RouterClient(
        settings.base_url,
        settings.api_key,
        stall_timeout=settings.stall_timeout,
        connect_timeout=settings.connect_timeout,
        retry=RetryPolicy(max_attempts=settings.max_attempts, base_delay=settings.retry_base_delay),
        manage_url=settings.manage_host,
        address_from=address_source(settings),
    )


def address_source(settings: Settings) -> str | None:
    """Where the address was set, for advice: "" is a built-in router; None is an address
    whose source was not recorded (settings made in code)."""
    if settings.base_url_from:
        return settings.base_url_from
    return "" if any(settings.base_url == router for router, _ in REGIONS.values()) else None

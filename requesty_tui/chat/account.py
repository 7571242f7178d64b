"""The key and the account without widgets: checking a key, keeping it in ``config.toml``,
and the figures of the account screen and ``usage`` (with the last ones fetched when the
network is gone)."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from requesty_tui.client.errors import ConnectionFailedError, RouterError, StallError
from requesty_tui.client.factory import client_for
from requesty_tui.client.manage import KeyVerdict, check_key, fetch_usage, org_balance, parse_usage
from requesty_tui.core.domain import KeySpend
from requesty_tui.core.settings import Settings
from requesty_tui.core.usage import SpendHistory
from requesty_tui.storage import paths, usage_cache
from requesty_tui.storage.config_edit import remove_top_level, set_top_level

if TYPE_CHECKING:
    from requesty_tui.client.router import RouterClient

log = logging.getLogger(__name__)


async def verify_key(settings: Settings, key: str) -> KeyVerdict:
    """Check ``key`` against the server the settings name (before it is kept)."""
    candidate = dataclasses.replace(settings, api_key=key)
    async with client_for(candidate) as client:
        return await check_key(client, requesty=settings.is_requesty or bool(settings.manage_url))


def save_key(key: str, path: Path | None = None) -> Path:
    """Keep the key as ``api_key`` in ``config.toml`` (folder 0700, file 0600, written
    atomically; the rest of the file as it was). Raises ConfigError or OSError."""
    path = path or paths.config_file()
    set_top_level(path, "api_key", key, private=True)
    return path


def forget_key(path: Path | None = None) -> bool:
    """Take ``api_key`` out of ``config.toml``; False when it was not there."""
    path = path or paths.config_file()
    if not path.exists():
        return False
    return remove_top_level(path, "api_key")


@dataclass(frozen=True, slots=True)
class AccountFigures:
    """What the account screen and ``usage`` show."""

    spend: KeySpend | None = None
    """The month so far and the limit (None: not available)."""
    history: SpendHistory | None = None
    """Spend per day (None: not available, ``problem`` says why)."""
    balance: float | None = None
    """The organisation's balance, when the key may see it."""
    problem: str | None = None
    """Why the history is missing, or that these are the last figures fetched (offline)."""
    stale_since: datetime | None = None
    """Offline: when the figures shown were fetched."""
    exit_code: int = 0
    """For the command line when there is no history: 3 a refused key, 4 otherwise."""


def _offline(exc: RouterError) -> bool:
    return isinstance(exc, ConnectionFailedError | StallError)


async def load_account(
    client: RouterClient, days: int, group_by: str, now: datetime | None = None
) -> AccountFigures:
    """The key's month, its spend per day for the last ``days`` days by ``group_by``, and the
    balance; degraded with a reason (403, 404, offline: the last figures and their time)."""
    now = now or datetime.now(UTC)
    name = usage_cache.entry_name(client.manage_url, client.api_key or "", days, group_by)
    try:
        spend = await client.key_spend()
        payload = await fetch_usage(client, days, group_by, now)
    except RouterError as exc:
        if not _offline(exc):
            spend = await _quietly_spend(client)
            balance = await org_balance(client)
            return AccountFigures(spend, None, balance, str(exc), exit_code=exc.exit_code)
        return _from_cache(name, days, group_by, exc)
    history = parse_usage(payload, days, group_by, now.astimezone(UTC).date(), now)
    try:
        usage_cache.save(
            name,
            {
                "fetched_at": now.isoformat(),
                "today": history.days[-1].day.isoformat(),
                "payload": payload,
                "spend": dataclasses.asdict(spend) if spend is not None else None,
            },
        )
    except OSError as exc:  # the figures are shown anyway
        log.debug("usage cache not written: %s", exc)
    return AccountFigures(spend, history, await org_balance(client))


async def _quietly_spend(client: RouterClient) -> KeySpend | None:
    try:
        return await client.key_spend()
    except RouterError:
        return None


def _from_cache(name: str, days: int, group_by: str, exc: RouterError) -> AccountFigures:
    entry = usage_cache.load(name)
    if entry is None:
        return AccountFigures(
            problem=f"Offline, and nothing fetched before: {exc.message}", exit_code=4
        )
    try:
        fetched = datetime.fromisoformat(str(entry["fetched_at"]))
        today = date.fromisoformat(str(entry["today"]))
        payload = entry["payload"]
        history = parse_usage(payload, days, group_by, today, fetched)
        raw_spend = entry.get("spend")
        spend = KeySpend(**raw_spend) if isinstance(raw_spend, dict) else None
    except (KeyError, ValueError, TypeError):
        return AccountFigures(problem=f"Offline: {exc.message}", exit_code=4)
    when = fetched.astimezone().strftime("%Y-%m-%d %H:%M")
    problem = f"Offline ({exc.message}): the figures fetched at {when}."
    return AccountFigures(spend, history, None, problem, fetched)

"""Requesty's management API and feedback endpoint: checking a key, the key's usage per day,
the organisation's balance, and rating a reply.

The answers are parsed leniently (``requesty-api.md``: decimals arrive as strings, a period
key may be a date or a time, days without use are missing). A refusal is a typed error whose
message says why in one line: a key without permission (403), a server without such an
endpoint (404: LiteLLM, any non-Requesty base URL).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from requesty_tui.client.errors import (
    AuthError,
    RouterError,
    error_from_status,
    extract_message,
)
from requesty_tui.client.parse import opt_float
from requesty_tui.core.usage import (
    GROUPINGS,
    DaySpend,
    GroupSpend,
    SpendHistory,
    period_bounds,
    period_dates,
    rfc3339,
)

if TYPE_CHECKING:
    from requesty_tui.client.router import RouterClient


class Refused(RouterError):
    """The management API would not answer: no permission (403) or no such endpoint (404)."""

    kind = "refused"


# -- the key ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyVerdict:
    """What checking a key found, and the line that says it."""

    state: Literal["valid", "rejected", "unreachable"]
    message: str


async def check_key(client: RouterClient, *, requesty: bool) -> KeyVerdict:
    """Is ``client``'s key live? Requesty's hosts answer ``GET {manage}/v1/auth/check``; any
    other server is asked for its model list with the key (as is Requesty, when the check
    endpoint is not there). The message never holds the key, even if a server echoes it."""
    verdict = await _check(client, requesty)
    if client.api_key and client.api_key in verdict.message:
        return KeyVerdict(verdict.state, verdict.message.replace(client.api_key, "***"))
    return verdict


async def _check(client: RouterClient, requesty: bool) -> KeyVerdict:
    urls = [f"{client.manage_url}/v1/auth/check"] if requesty else []
    urls.append(f"{client.base_url}/models")
    for n, url in enumerate(urls):
        host = url.split("/v1/")[0]
        try:
            resp = await client._get(url, host=host)
        except RouterError as exc:
            return KeyVerdict("unreachable", f"Could not check the key: {exc.message}")
        status = resp.status_code
        if 200 <= status < 300:
            return KeyVerdict("valid", f"{host} accepted the key.")
        if status in (401, 403):
            said = extract_message(resp.text) or f"HTTP {status}"
            return KeyVerdict("rejected", f"{host} refused this key ({status}: {said}).")
        if status == 404 and n + 1 < len(urls):
            continue  # no check endpoint here: the model list tells as well
        said = extract_message(resp.text) or "no message"
        return KeyVerdict(
            "unreachable", f"{host} answered HTTP {status} ({said}); the key was not checked."
        )
    return KeyVerdict("unreachable", "The key could not be checked.")


# -- usage -----------------------------------------------------------------------------------


def _refusal(status: int, body: str, host: str, what: str) -> RouterError:
    said = extract_message(body) or f"HTTP {status}"
    if status == 401:
        return AuthError(f"{host} refused the key for {what} (401: {said}).", status=status)
    if status == 403:
        return Refused(
            f"This key may not see {what} (403: {said}).",
            "A key with the manage permission can; the Requesty dashboard shows it too.",
            status=status,
        )
    if status == 404:
        return Refused(
            f"{host} has no Requesty management API for {what} (404).",
            "Only Requesty's router reports it (set manage_url if yours is elsewhere).",
            status=status,
        )
    return error_from_status(status, body, has_key=True)


async def fetch_usage(
    client: RouterClient, days: int, group_by: str, now: datetime | None = None
) -> dict[str, Any]:
    """The raw answer of ``/v1/manage/apikey/self/usage`` for the last ``days`` days, per day,
    grouped by ``group_by`` (a key of :data:`GROUPINGS`)."""
    start, end = period_bounds(days, now or datetime.now(UTC))
    params = {
        "start": rfc3339(start),
        "end": rfc3339(end),
        "resolution": "day",
        "group_by": GROUPINGS[group_by],
    }
    host = client.manage_url
    resp = await client._get(f"{host}/v1/manage/apikey/self/usage", params, host=host)
    if resp.status_code != 200:
        raise client._redact(_refusal(resp.status_code, resp.text, host, "its usage"))
    try:
        payload = resp.json()
    except ValueError:
        raise Refused(f"{host} answered the usage request with something not JSON.") from None
    if not isinstance(payload, dict):
        raise Refused(f"{host} answered the usage request with JSON that is not an object.")
    return payload


def _num(value: Any) -> float:
    """A decimal that may be a string ("1.25"), a number, or missing (0)."""
    return opt_float(value) or 0.0


def _int(value: Any) -> int:
    return int(_num(value))


def _requests(entry: Mapping[str, Any]) -> int:
    if "total_requests" in entry:
        return _int(entry["total_requests"])
    return sum(_int(v) for k, v in entry.items() if k.endswith("_requests"))


def _group_name(values: Any, field: str) -> str:
    if isinstance(values, dict):
        named = values.get(field)
        if named is None and values:
            named = next(iter(values.values()))
        if isinstance(named, str) and named:
            return named
    return "(none)"


def parse_usage(
    payload: Mapping[str, Any],
    days: int,
    group_by: str,
    today: date,
    fetched_at: datetime | None = None,
) -> SpendHistory:
    """The answer as a day-by-day history ending ``today`` (UTC). A period key is matched on
    its date (``2026-08-07`` or ``2026-08-07T00:00:00Z``); several periods of one day (an
    hourly answer) add up; a day without an entry is a day of zero."""
    usage = payload.get("usage", payload)
    field = GROUPINGS[group_by]
    dates = period_dates(days, today)
    totals: dict[date, list[float]] = {d: [0.0, 0.0] for d in dates}
    groups: dict[date, dict[str, GroupSpend]] = {d: {} for d in dates}
    for period, entry in usage.items() if isinstance(usage, dict) else ():
        try:
            day = date.fromisoformat(str(period)[:10])
        except ValueError:
            continue
        if day not in totals or not isinstance(entry, dict):
            continue
        totals[day][0] += _num(entry.get("spend"))
        totals[day][1] += _requests(entry)
        for item in entry.get("grouped_data") or ():
            if not isinstance(item, dict):
                continue
            share = GroupSpend(
                _group_name(item.get("group_by_values"), field),
                _num(item.get("spend")),
                _requests(item),
                _int(item.get("input_tokens")),
                _int(item.get("output_tokens")),
            )
            known = groups[day].get(share.name)
            groups[day][share.name] = share if known is None else known.plus(share)
    history = []
    for day in dates:
        spend, requests = totals[day]
        shares = sorted(groups[day].values(), key=lambda g: (-g.spend, g.name))
        grouped = sum(g.spend for g in shares)
        if spend > grouped + 1e-9:  # what the groups do not account for
            shares.append(GroupSpend("(other)", spend - grouped))
        history.append(DaySpend(day, max(spend, grouped), int(requests), tuple(shares)))
    return SpendHistory(tuple(history), group_by, fetched_at or datetime.now(UTC))


async def org_balance(client: RouterClient) -> float | None:
    """The organisation's balance (USD), when the key may see it; None otherwise, quietly."""
    host = client.manage_url
    try:
        resp = await client._get(f"{host}/v1/manage/org", host=host)
        payload = resp.json() if resp.status_code == 200 else None
    except (RouterError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("balance") is None:
        return None
    return _num(payload["balance"])


# -- feedback --------------------------------------------------------------------------------


async def send_feedback(
    client: RouterClient, feedback_url: str, completion_id: str, data: Mapping[str, Any]
) -> None:
    """``POST {feedback_url}/feedback/{id}`` with ``{"data": {...}}``; posting again replaces
    the keys sent before. A refusal raises with the server's words."""
    from urllib.parse import quote

    base = feedback_url.rstrip("/")
    url = f"{base}/feedback/{quote(completion_id, safe='')}"
    resp = await client._post(url, {"data": dict(data)}, host=base)
    if not 200 <= resp.status_code < 300:
        said = extract_message(resp.text) or "no message"
        raise client._redact(
            Refused(f"{base} refused the rating (HTTP {resp.status_code}: {said}).")
        )

"""Typed errors with a message a user can act on.

Every failure of the router client ends up as a :class:`RouterError` whose ``message`` is one
line that says what happened and whose ``hint`` says what to do. The HTTP status decides the
class; the body's message is quoted (cleaned of control characters) because the router's own
words ("Provider not allowed for organization") are the most useful thing to show.
"""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from requesty_tui.core.safe_text import one_line


class RouterError(Exception):
    """Base of every client failure. ``str()`` is the message plus the hint."""

    exit_code = 4
    kind = "error"

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class AuthError(RouterError):
    """The key is missing, invalid or revoked (exit code 3: a configuration problem)."""

    exit_code = 3
    kind = "auth"


class PolicyError(RouterError):
    """The organisation's policy blocks this model or provider."""

    kind = "policy"


class BalanceError(RouterError):
    """402: the account has no balance left."""

    kind = "balance"


class SpendLimitError(RouterError):
    """412: the key reached its monthly spend limit."""

    kind = "spend-limit"


class ModelNotFoundError(RouterError):
    """404: the router does not know the model."""

    kind = "model"


class BadRequestError(RouterError):
    """400 and other 4xx the client cannot fix by retrying."""

    kind = "request"


class RateLimitError(RouterError):
    """429: upstream rate limit; retried with backoff."""

    kind = "rate-limit"


class ServerError(RouterError):
    """5xx and 424: the router or the provider failed; retried before the first token."""

    kind = "server"


class ConnectionFailedError(RouterError):
    """No connection: refused, DNS failure, TLS failure, connect timeout."""

    kind = "connection"


class StallError(RouterError):
    """The server stopped sending for longer than the stall timeout."""

    kind = "stall"


class StreamCutError(RouterError):
    """The stream ended without a finish reason: the reply is incomplete."""

    kind = "cut"


class ProviderStreamError(RouterError):
    """The router sent an ``error`` chunk in the middle of the stream."""

    kind = "provider"


class ProtocolError(RouterError):
    """The server does not speak the protocol (HTML page, not an event stream, ...)."""

    kind = "protocol"


KEY_HINT = (
    "Set one: ctrl+p → account: set key in the app, `requesty-tui login` in a shell, or "
    "REQUESTY_API_KEY; keys are made in the Requesty dashboard."
)
REJECTED_KEY_HINT = (
    "Check the key (REQUESTY_API_KEY, or api_key in config.toml) against the Requesty "
    "dashboard; a new one: ctrl+p → account: set key in the app, `requesty-tui login` in a "
    "shell."
)


AddressProblem = Literal["unreachable", "resolve", "refused", "not-api", "redirect", "unusable"]
ADDRESS_SETTINGS = "base_url in config.toml, REQUESTY_BASE_URL or --base-url"
"""Where another server's address can be set."""


def address_hint(source: str | None, problem: AddressProblem) -> str:
    """What to do about the server's address, naming where it was set (someone who never set
    REQUESTY_BASE_URL cannot check it). ``source``: "REQUESTY_BASE_URL", "--base-url",
    "base_url in FILE"; "" for the built-in Requesty router; None when not known."""
    if source == "":
        network = "Check your network (the address is the built-in one, the Requesty router)."
        return {
            "unreachable": network,
            "resolve": network,
            "refused": network,
            "not-api": "The Requesty router answered oddly; retry in a moment (another server: "
            f"set {ADDRESS_SETTINGS}).",
            "redirect": f"Set the final address as {ADDRESS_SETTINGS}.",
            "unusable": f"Set an http:// or https:// address as {ADDRESS_SETTINGS}.",
        }[problem]
    where = source if source is not None else ADDRESS_SETTINGS
    return {
        "unreachable": f"Check your network and the address ({where}).",
        "resolve": f"Check the address ({where}) and your network.",
        "refused": f"Is the server running? Check the address ({where}).",
        "not-api": f"Check that the address ({where}) is an OpenAI-compatible /v1 endpoint.",
        "redirect": f"Point the address ({where}) at the final one.",
        "unusable": f"Set the address ({where}) to an http:// or https:// one.",
    }[problem]


def missing_key_error() -> AuthError:
    return AuthError("No API key is set.", KEY_HINT)


def extract_message(body: str) -> str:
    """The human message from an error body of any of the shapes seen in the wild."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        stripped = body.lstrip()[:200].lower()
        if stripped.startswith("<!doctype html") or stripped.startswith("<html"):
            return "the server answered with an HTML page"
        return one_line(body, 200)
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict):
            for key in ("message", "detail", "error"):
                if isinstance(err.get(key), str) and err[key]:
                    return one_line(err[key])
        if isinstance(err, str):
            return one_line(err)
        if isinstance(data.get("message"), str):
            return one_line(data["message"])
    return one_line(body, 200)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds (either delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from datetime import UTC, datetime

        when = parsedate_to_datetime(value)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError, IndexError):
        return None


def error_from_status(
    status: int,
    body: str,
    *,
    model: str = "",
    retry_after: str | None = None,
    has_key: bool = False,
    address_from: str | None = None,
) -> RouterError:
    """Map an HTTP error answer to the typed error the user should see. ``has_key``: a key was
    sent, so a 401/403 means it was rejected, not that one is missing. ``address_from``: where
    the server's address was set (see :func:`address_hint`)."""
    said = extract_message(body) or f"HTTP {status}"
    lower = said.lower()
    quoted = f"(router: {said})"
    key_hint = REJECTED_KEY_HINT if has_key else KEY_HINT
    if status == 401:
        what = "rejected the API key" if has_key else "needs an API key"
        return AuthError(f"The router {what} {quoted}.", key_hint, status=status)
    if status == 403:
        if any(w in lower for w in ("token", "api key", "apikey", "authoriz", "authentic")):
            return AuthError(
                f"The API key is invalid or revoked {quoted}.", key_hint, status=status
            )
        return PolicyError(
            f"Blocked by your organisation's policy {quoted}.",
            "Pick another model, or ask an admin to allow it in the Requesty dashboard.",
            status=status,
        )
    if status == 402:
        return BalanceError(
            f"Insufficient balance {quoted}.",
            "Top up at https://app.requesty.ai/settings (Requesty dashboard → Settings), "
            "then send again.",
            status=status,
        )
    if status == 404:
        target = f" '{model}'" if model else ""
        return ModelNotFoundError(
            f"Model{target} is not supported {quoted}.",
            "Pick another model: F2 (ctrl+p → model: refresh list fetches the list again), or "
            "`requesty-tui models`.",
            status=status,
        )
    if status == 412:
        return SpendLimitError(
            f"This key reached its monthly spend limit {quoted}.",
            "Raise this key's monthly limit at https://app.requesty.ai (API Keys), or use "
            "another key; ctrl+p → account: spend shows the key's spend and limit.",
            status=status,
        )
    if status == 408:
        return StallError(
            f"The server timed out waiting for the request (HTTP 408) {quoted}.",
            "Retry; raise stall_timeout in config.toml for slow models.",
            status=status,
            retryable=True,
            retry_after=parse_retry_after(retry_after),
        )
    if status == 429:
        return RateLimitError(
            f"Rate limited {quoted}.",
            "Wait a moment and retry.",
            status=status,
            retryable=True,
            retry_after=parse_retry_after(retry_after),
        )
    if status == 424 or status >= 500:
        return ServerError(
            f"The provider failed with HTTP {status} {quoted}.",
            "Retry, or pick another model.",
            status=status,
            retryable=True,
            retry_after=parse_retry_after(retry_after),
        )
    if 300 <= status < 400:
        return ProtocolError(
            f"The server redirected the request (HTTP {status}).",
            address_hint(address_from, "redirect"),
            status=status,
        )
    return BadRequestError(
        f"The router refused the request (HTTP {status}) {quoted}.", status=status
    )

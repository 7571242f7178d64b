"""The router's JSON → the core's plain data: a model list entry, a reply's usage, the key's
spend.

Lenient on purpose: any OpenAI-compatible server may be on the other end (LiteLLM, a proxy),
decimals may arrive as strings, and a field of the wrong type is "not said", never an error.
"""

from __future__ import annotations

from typing import Any

from requesty_tui.core.models import KeySpend, ModelInfo, Usage


def opt_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def opt_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def model_from_api(data: dict[str, Any]) -> ModelInfo:
    """One ``/v1/models`` entry, tolerating nulls and odd types."""
    return ModelInfo(
        id=str(data["id"]),
        name=opt_str(data.get("name")),
        description=opt_str(data.get("description")),
        # LiteLLM and other proxies say max_input_tokens.
        context_window=opt_int(data.get("context_window"))
        or opt_int(data.get("max_input_tokens"))
        or None,
        max_output_tokens=opt_int(data.get("max_output_tokens")) or None,
        input_price=opt_float(data.get("input_price")),
        output_price=opt_float(data.get("output_price")),
        cached_price=opt_float(data.get("cached_price")),
        supports_reasoning=data.get("supports_reasoning") is True,
        supports_vision=data.get("supports_vision") is True,
        supports_caching=data.get("supports_caching") is True,
        supports_tool_calling=data.get("supports_tool_calling") is True,
        capabilities_known=any(
            key.startswith("supports_") and isinstance(data[key], bool) for key in data
        ),
        kind=opt_str(data.get("type")) or opt_str(data.get("mode")),
    )


def usage_from_api(data: dict[str, Any]) -> Usage:
    """A reply's ``usage`` object (Requesty adds ``cost``, in USD)."""
    details = data.get("prompt_tokens_details")
    details = details if isinstance(details, dict) else {}
    return Usage(
        prompt_tokens=opt_int(data.get("prompt_tokens")),
        completion_tokens=opt_int(data.get("completion_tokens")),
        total_tokens=opt_int(data.get("total_tokens")),
        cached_tokens=opt_int(details.get("cached_tokens")),
        caching_tokens=opt_int(details.get("caching_tokens")),
        cost=opt_float(data.get("cost")),
    )


def key_spend_from_api(data: dict[str, Any]) -> KeySpend:
    """The management API's answer for this key; decimals may arrive as JSON strings."""
    return KeySpend(
        monthly_spend=opt_float(data.get("monthly_spend")),
        monthly_limit=opt_float(data.get("monthly_limit")) or None,
        name=opt_str(data.get("name")),
    )

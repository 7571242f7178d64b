"""Read a TOML document fast, exactly as ``tomllib`` reads it.

``tomllib`` is pure Python: an 8 MB session (1,000 messages, two 1 MB replies) took 81-123 ms
to read, more than half of it checking each character of the literal strings the session
writer uses, and opening such a conversation has 0.5 s in all
(``benchmarks/big_conversation_terminal.py``). ``rtoml`` (Rust's ``toml``) reads it in 31 ms.
What it gives back is made the same as ``tomllib``'s: its own time-zone class (which
``copy.deepcopy`` cannot copy) becomes ``datetime.timezone``. A document ``rtoml`` refuses is
read again by ``tomllib``, whose error says where the problem is; without ``rtoml`` (a platform
with no wheel), ``tomllib`` reads everything.
"""

from __future__ import annotations

import tomllib
from datetime import datetime, time, timezone
from types import NoneType
from typing import Any

__all__ = ["loads"]


def loads(text: str) -> dict[str, Any]:
    """The document as ``tomllib.loads`` gives it (raises its ``TOMLDecodeError``)."""
    try:
        import rtoml
    except ImportError:  # pragma: no cover - rtoml is a dependency, with wheels for most
        return tomllib.loads(text)
    try:
        data = rtoml.loads(text)
    except Exception:  # rtoml.TomlParsingError: tomllib says it the way users are told
        return tomllib.loads(text)
    _standard_zones(data)
    return data


def _standard_zones(node: dict[str, Any] | list[Any]) -> None:
    """Every date-time's and time's zone as a ``datetime.timezone``, in place."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        if isinstance(value, dict | list):
            _standard_zones(value)
        elif isinstance(value, datetime | time) and type(value.tzinfo) not in (timezone, NoneType):
            node[key] = value.replace(tzinfo=timezone(value.utcoffset()))  # type: ignore[index,arg-type]

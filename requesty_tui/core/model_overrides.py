"""What ``config.toml`` says of a model: ``[models."ID"]`` or ``[models."PATTERN"]``.

LiteLLM's, LLMock's and OpenAI's model lists say nothing of what a model can do, so without
this such a model never gets images, tools or a reasoning effort, and the meter knows no
window. A table declares it; what it declares wins over the list. The catalogue applies the
tables (:func:`apply_overrides`, :func:`info_for`), so every rule that reads a
:class:`ModelInfo` sees the same thing.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from requesty_tui.core.domain import ModelInfo

FLAGS = {
    "vision": "supports_vision",
    "tools": "supports_tool_calling",
    "reasoning": "supports_reasoning",
    "caching": "supports_caching",
}
"""Key in the table → the :class:`ModelInfo` field it sets."""
SIZES = ("context_window", "max_output_tokens")
PRICES = {
    "input_per_million": "input_price",
    "output_per_million": "output_price",
    "cached_per_million": "cached_price",
}
"""USD per million tokens, as the picker shows them (the list's fields are per token)."""
KEYS = (*FLAGS, *SIZES, *PRICES)


class OverrideError(ValueError):
    """A table is wrong; the message names the key and the problem (the caller adds where)."""


@dataclass(frozen=True, slots=True)
class ModelOverride:
    """One ``[models."…"]`` table: the id or pattern, and what it declares."""

    pattern: str
    """A model id, or a pattern with ``*``, ``?`` or ``[…]`` (``"mock-*"``)."""
    changes: tuple[tuple[str, Any], ...] = ()
    """``ModelInfo`` field → value, only what the table declares."""

    @property
    def is_pattern(self) -> bool:
        return any(char in self.pattern for char in "*?[")

    def matches(self, model_id: str) -> bool:
        if self.is_pattern:
            return fnmatchcase(model_id, self.pattern)
        return model_id == self.pattern

    def apply(self, model: ModelInfo) -> ModelInfo:
        changes = dict(self.changes)
        if not changes:
            return model
        # A flag declared false is a word on what the model cannot do; one declared true
        # leaves the others as unknown as the list left them.
        said_no = any(changes.get(field) is False for field in FLAGS.values())
        if said_no:
            changes["capabilities_known"] = True
        return dataclasses.replace(model, **changes)


def parse_override(pattern: str, table: object) -> ModelOverride:
    """One table from the file; :class:`OverrideError` says what is wrong with it."""
    if not isinstance(table, dict):
        raise OverrideError("must be a table of vision, tools, reasoning, context_window, …")
    changes: list[tuple[str, Any]] = []
    for key, value in table.items():
        if key not in KEYS:
            near = difflib.get_close_matches(key, KEYS, n=1)
            tip = f"did you mean {near[0]!r}?" if near else f"valid keys: {', '.join(KEYS)}"
            raise OverrideError(f"unknown key {key!r}; {tip}")
        if key in FLAGS:
            if not isinstance(value, bool):
                raise OverrideError(f"{key} must be true or false, not {a_type(value)}")
            changes.append((FLAGS[key], value))
        elif key in SIZES:
            if isinstance(value, bool) or not isinstance(value, int):
                raise OverrideError(f"{key} must be a whole number of tokens, not {a_type(value)}")
            if value < 1:
                raise OverrideError(f"{key} must be at least 1")
            changes.append((key, value))
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise OverrideError(f"{key} must be a number (USD), not {a_type(value)}")
            if value < 0:
                raise OverrideError(f"{key} must be 0 or more")
            changes.append((PRICES[key], value / 1e6))
    return ModelOverride(pattern, tuple(changes))


def declare(model_id: str, key: str) -> str:
    """How to tell the app what the list does not say: 'vision = true under [models."x"] in
    config.toml'."""
    return f"{key} = true under [models.{json.dumps(model_id)}] in config.toml"


def a_type(value: object) -> str:
    """A TOML value's type in words: "a string", "a whole number", "true or false"."""
    if isinstance(value, bool):
        return "true or false"
    names = {int: "a whole number", float: "a number", str: "a string", list: "a list",
             dict: "a table"}  # fmt: skip
    return names.get(type(value), f"a {type(value).__name__}")


def _ordered(overrides: Iterable[ModelOverride], model_id: str) -> list[ModelOverride]:
    """The tables for ``model_id``: patterns in file order, then the exact id (which wins)."""
    found = [o for o in overrides if o.matches(model_id)]
    return sorted(found, key=lambda o: not o.is_pattern)


def override(model: ModelInfo, overrides: Iterable[ModelOverride]) -> ModelInfo:
    for table in _ordered(overrides, model.id):
        model = table.apply(model)
    return model


def apply_overrides(models: list[ModelInfo], overrides: Iterable[ModelOverride]) -> list[ModelInfo]:
    """The list as ``config.toml`` corrects it."""
    tables = tuple(overrides)
    return [override(m, tables) for m in models] if tables else models


def info_for(
    model_id: str, listed: ModelInfo | None, overrides: Iterable[ModelOverride]
) -> ModelInfo | None:
    """What is known of ``model_id``: the list's entry as corrected, or, for a model the list
    does not have (or no list yet), what a table says of it alone."""
    tables = _ordered(overrides, model_id)
    if listed is None and not tables:
        return None
    return override(listed or ModelInfo(id=model_id), tables)

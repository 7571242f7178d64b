"""Filter and rank models for the picker: every word typed must appear (in any order)."""

from __future__ import annotations

from requesty_tui.core.domain import ModelInfo
from requesty_tui.core.formatting import per_million


def _haystack(model: ModelInfo) -> str:
    return f"{model.id} {model.name or ''}".lower()


def _short_names(model: ModelInfo) -> tuple[str, ...]:
    """The model's own name: the id without its provider (``claude-sonnet-4-5``), and the
    list's display name."""
    names = [model.id.rsplit("/", 1)[-1].lower()]
    if model.name:
        names.append(model.name.lower())
    return tuple(names)


def _described(model: ModelInfo) -> bool:
    """The list says something of it: prices, capabilities, a window or a description (the
    same model under a bare regional id says nothing)."""
    return bool(
        model.input_price is not None
        or model.capabilities_known
        or model.context_window
        or model.description
    )


def _match(model: ModelInfo, words: list[str]) -> tuple[int, int] | None:
    """(how, where) the words match, lower is better; None if a word is missing. ``how``: 0 the
    name starts with the first word, 1 every word starts a word of the id, 2 only contained.
    ``where``: the words' positions in the name (``anthropic/`` is no worse than ``aws/``)."""
    hay = _haystack(model)
    if not all(word in hay for word in words):
        return None
    names = _short_names(model)
    if any(name.startswith(words[0]) for name in names):
        how = 0
    elif all(_starts_a_word(hay, word) for word in words):
        how = 1
    else:
        how = 2
    name = names[0]
    where = sum(name.find(word) if word in name else len(name) + hay.find(word) for word in words)
    return how, where


def _starts_a_word(hay: str, word: str) -> bool:
    pos = hay.find(word)
    while pos >= 0:
        if pos == 0 or not hay[pos - 1].isalnum():
            return True
        pos = hay.find(word, pos + 1)
    return False


def filter_models(
    models: list[ModelInfo], query: str, *, include_all: bool = True
) -> list[ModelInfo]:
    """Policies first; then an id whose name starts with the words, then one whose words start
    with them, then one that only contains them; within each, a model the list describes before
    a bare id, then by how early the words match. ``claude son`` finds anthropic/claude-sonnet
    before bedrock/claude-sonnet@eu-central-1 (no prices, no capabilities).
    ``include_all=False`` leaves out models that cannot chat (embeddings, images, speech)."""
    words = query.lower().split()
    ranked: list[tuple[int, int, int, int, str, ModelInfo]] = []
    for model in models:
        if not include_all and not model.can_chat:
            continue
        found = _match(model, words) if words else (0, 0)
        if found is None:
            continue
        how, where = found
        described = 0 if _described(model) or not words else 1  # browsing: by id
        policy = 0 if model.is_policy else 1
        ranked.append((policy, how, described, where, model.id, model))
    ranked.sort(key=lambda r: r[:5])
    return [r[-1] for r in ranked]


def describe(model: ModelInfo) -> str:
    """One line of facts: context, max output, $/M in and out, capabilities (the list's, or
    config.toml's)."""
    bits = []
    if model.is_policy:
        bits.append("routing policy")
    if model.context_window:
        bits.append(f"{_tokens(model.context_window)} ctx")
    if model.max_output_tokens:
        bits.append(f"{_tokens(model.max_output_tokens)} out")
    if model.input_price is not None and model.output_price is not None:
        bits.append(f"{per_million(model.input_price)}/{per_million(model.output_price)} per M")
    flags = [
        name
        for name, on in (
            ("reasoning", model.supports_reasoning),
            ("vision", model.supports_vision),
            ("tools", model.supports_tool_calling),
            ("caching", model.supports_caching),
        )
        if on
    ]
    if flags:
        bits.append(", ".join(flags))
    return " · ".join(bits)


def _tokens(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:g}M"
    if n >= 1000:
        return f"{n // 1000}k"
    return str(n)

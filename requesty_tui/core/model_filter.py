"""Filter and rank models for the picker: every word typed must appear (in any order)."""

from __future__ import annotations

from requesty_tui.core.domain import ModelInfo


def _haystack(model: ModelInfo) -> str:
    return f"{model.id} {model.name or ''}".lower()


def filter_models(
    models: list[ModelInfo], query: str, *, include_all: bool = True
) -> list[ModelInfo]:
    """Policies first, then by how early the words match; ``claude son`` finds claude-sonnet.
    ``include_all=False`` leaves out models that cannot chat (embeddings, images, speech)."""
    words = query.lower().split()
    ranked: list[tuple[int, int, str, ModelInfo]] = []
    for model in models:
        if not include_all and not model.can_chat:
            continue
        hay = _haystack(model)
        score = 0
        for word in words:
            pos = hay.find(word)
            if pos < 0:
                break
            score += pos
        else:
            ranked.append((0 if model.is_policy else 1, score if words else 0, model.id, model))
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked]


def describe(model: ModelInfo) -> str:
    """One line of facts: context, max output, $/M in and out, capabilities."""
    bits = []
    if model.is_policy:
        bits.append("routing policy")
    if model.context_window:
        bits.append(f"{_tokens(model.context_window)} ctx")
    if model.max_output_tokens:
        bits.append(f"{_tokens(model.max_output_tokens)} out")
    if model.input_price is not None and model.output_price is not None:
        bits.append(f"${model.input_price * 1e6:.2f}/${model.output_price * 1e6:.2f} per M")
    flags = [
        name
        for name, on in (
            ("reasoning", model.supports_reasoning),
            ("vision", model.supports_vision),
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

"""What goes into the request body, decided in one place (no server needed)."""

from __future__ import annotations

import pytest

from requesty_tui.chat.request import build_request
from requesty_tui.core.domain import Conversation, Message, ModelInfo, RequestOptions, Usage
from requesty_tui.core.options import BY_KEY, OptionError

REASONS = ModelInfo(id="anthropic/claude-sonnet-4-5", supports_reasoning=True)
PLAIN = ModelInfo(id="openai/gpt-4o-mini", input_price=1.5e-7, output_price=6e-7)


def conversation(**options: object) -> Conversation:
    conv = Conversation(id="20261126-000000-abcd", model="m/x", system="Be terse.")
    conv.options = RequestOptions(**options)  # type: ignore[arg-type]
    conv.messages = [Message(role="user", content="hi")]
    return conv


def test_effort_only_for_reasoning_models_and_metadata_always() -> None:
    conv = conversation(reasoning_effort="high", tags=["a"], temperature=0.2, max_tokens=9)
    body = build_request(conv, REASONS).to_body()
    assert body["reasoning_effort"] == "high"
    assert body["requesty"] == {"trace_id": conv.id, "tags": ["a"]}
    assert (body["temperature"], body["max_tokens"]) == (0.2, 9)
    assert body["messages"][0] == {"role": "system", "content": "Be terse."}
    for model in (PLAIN, None, ModelInfo(id="policy/fallback")):
        assert "reasoning_effort" not in build_request(conv, model).to_body()
    assert "temperature" not in build_request(conversation(), PLAIN).to_body()


def test_estimate_only_when_the_router_gave_no_cost() -> None:
    usage = Usage(prompt_tokens=1000, completion_tokens=500, cached_tokens=400)
    cached = ModelInfo(id="x/y", input_price=1e-6, output_price=2e-6, cached_price=1e-7)
    estimated = usage.with_estimate(cached)
    assert estimated.estimated_cost == pytest.approx(600 * 1e-6 + 400 * 1e-7 + 500 * 2e-6)
    assert estimated.shown_cost == (pytest.approx(0.00164), True)
    real = Usage(prompt_tokens=1, completion_tokens=1, cost=0.5).with_estimate(cached)
    assert real.estimated_cost is None and real.shown_cost == (0.5, False)
    assert usage.with_estimate(ModelInfo(id="policy/p")).shown_cost is None


@pytest.mark.parametrize(
    ("key", "typed", "error"),
    [
        ("temperature", "hot", "not a number"),
        ("temperature", "2.5", "between 0 and 2"),
        ("max_tokens", "-3", "at least 1"),
        ("reasoning_effort", "lots", "token budget"),
        ("auto_cache", "maybe", "on, off or default"),
    ],
)
def test_palette_values_are_checked(key: str, typed: str, error: str) -> None:
    conv = conversation(temperature=1.0, max_tokens=5, reasoning_effort="low", auto_cache=True)
    before = RequestOptions(**{f: getattr(conv.options, f) for f in RequestOptions.__slots__})  # type: ignore[attr-defined]
    with pytest.raises(OptionError, match=error):
        BY_KEY[key].apply(conv, typed)
    assert conv.options == before, "a rejected value changes nothing"


def test_palette_values_are_parsed_and_empty_clears() -> None:
    conv = conversation()
    BY_KEY["tags"].apply(conv, " work, tui ,, ")
    BY_KEY["max_tokens"].apply(conv, "4,000")
    # The system prompt is edited as text that may span lines: kept as typed (a literal
    # backslash-n stays one), only blank lines around it dropped.
    BY_KEY["system"].apply(conv, "\nLine one\n  Line two says \\n\n\n")
    assert conv.options.tags == ["work", "tui"] and conv.options.max_tokens == 4000
    assert conv.system == "Line one\n  Line two says \\n"
    assert BY_KEY["system"].show(conv) == conv.system
    BY_KEY["system"].apply(conv, " \n \n")
    assert conv.system is None, "only blanks: back to the default"
    BY_KEY["system"].apply(conv, "x")
    for key in ("tags", "max_tokens", "system"):
        BY_KEY[key].apply(conv, "")
    assert conv.options.tags == [] and conv.options.max_tokens is None and conv.system is None


def test_a_litellm_model_list_is_understood() -> None:
    """LiteLLM's /v1/models (1.108): ``mode`` and ``max_input_tokens``, no capabilities."""
    from requesty_tui.chat.request import reasoning_note
    from requesty_tui.client.parse import model_from_api
    from requesty_tui.storage.models_cache import load_cached_models, save_models

    chat = model_from_api(
        {"id": "openai/gpt-4o-mini", "object": "model", "mode": "chat", "max_input_tokens": 128000}
    )
    embedding = model_from_api({"id": "text-embedding-3-small", "mode": "embedding"})
    assert chat.context_window == 128000 and chat.can_chat
    assert not embedding.can_chat
    save_models("http://litellm/v1", [chat])
    cached = load_cached_models("http://litellm/v1")
    assert cached is not None and cached.models == [chat], "the cache keeps what the list said"
    conv = Conversation(id="c", model=chat.id)
    conv.options.reasoning_effort = "high"
    note = reasoning_note(conv, chat)
    assert note is not None and "does not say" in note, "not 'does not reason': unknown"
    known = model_from_api({"id": "x/y", "supports_reasoning": False})
    assert reasoning_note(conv, known) == "reasoning effort not sent: this model does not reason"


def test_the_model_cache_gives_back_what_the_router_listed() -> None:
    """The picker opens from the cache before the list is fetched: every model reads back as
    the router listed it, and a file written by an earlier version (entries in the router's
    shape) reads the same."""
    import json

    from requesty_tui.client.parse import model_from_api
    from requesty_tui.storage.models_cache import _cache_file, load_cached_models, save_models
    from requesty_tui.testing.router import DEFAULT_MODELS

    listed = [
        *DEFAULT_MODELS,
        {"id": "x/embed", "type": "embedding", "supports_vision": False},
        {"id": "a/b", "max_input_tokens": "8192", "input_price": "1e-6", "name": ""},
        {"id": "c/d", "context_window": 0, "cached_price": 0, "supports_caching": True},
    ]
    models = [model_from_api(entry) for entry in listed]
    save_models("http://router/v1", models)
    cached = load_cached_models("http://router/v1")
    assert cached is not None and cached.models == models
    earlier = {"base_url": "http://old/v1", "fetched_at": 1.0, "models": DEFAULT_MODELS}
    path = _cache_file("http://old/v1")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(earlier))
    cached = load_cached_models("http://old/v1")
    assert cached is not None and cached.models == [model_from_api(e) for e in DEFAULT_MODELS]

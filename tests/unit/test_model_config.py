"""Issue 23, the model list's gaps: what ``config.toml`` says of a model (``[models."ID"]``),
how the picker ranks a typed filter, prices that keep their digits, a meter a lying server
cannot blind, and advice that names where the server address came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from requesty_tui.chat.meter import estimate
from requesty_tui.client import errors as E
from requesty_tui.client.factory import client_for
from requesty_tui.core.domain import Conversation, Message, ModelInfo, Usage
from requesty_tui.core.model_filter import describe, filter_models
from requesty_tui.core.model_overrides import apply_overrides, info_for
from requesty_tui.core.settings import ConfigError
from requesty_tui.storage import paths
from requesty_tui.storage.settings_file import load_settings


def write_config(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- [models."ID"] in config.toml --------------------------------------------------------------


def test_a_models_table_declares_capabilities_window_and_prices() -> None:
    write_config(
        '[models."mock-gpt"]\nvision = true\ntools = true\nreasoning = true\n'
        "context_window = 128000\ninput_per_million = 0.075\noutput_per_million = 0.3\n"
        '[models."mock-*"]\nvision = false\ncontext_window = 8000\n'
    )
    settings = load_settings(environ={})
    listed = [ModelInfo(id="mock-gpt"), ModelInfo(id="mock-small"), ModelInfo(id="other")]
    gpt, small, other = apply_overrides(listed, settings.models)
    assert gpt.supports_vision and gpt.supports_tool_calling and gpt.supports_reasoning
    assert gpt.context_window == 128000, "the exact id wins over the pattern"
    assert gpt.input_price == pytest.approx(0.075e-6) and gpt.output_price == pytest.approx(3e-7)
    assert not small.supports_vision and small.context_window == 8000
    assert other == ModelInfo(id="other")
    # A model the list does not have (or no list yet) is still described by its table.
    typed = info_for("mock-new", None, settings.models)
    assert typed is not None and typed.context_window == 8000
    assert info_for("elsewhere/x", None, settings.models) is None
    # The override wins over what the list says.
    said = ModelInfo(id="mock-gpt", context_window=4096, capabilities_known=True)
    assert apply_overrides([said], settings.models)[0].context_window == 128000
    assert "reasoning, vision, tools" in describe(gpt) and "$0.075/$0.30 per M" in describe(gpt)


def test_a_reasoning_effort_goes_to_a_model_config_says_reasons() -> None:
    from requesty_tui.chat.request import build_request, reasoning_note

    conv = Conversation(id="20261202-000000-rsn", model="mock-gpt")
    conv.options.reasoning_effort = "high"
    conv.messages.append(Message(role="user", content="think"))
    listed = ModelInfo(id="mock-gpt")
    assert build_request(conv, listed).reasoning_effort is None
    assert "does not say this model reasons" in (reasoning_note(conv, listed) or "")
    write_config('[models."mock-gpt"]\nreasoning = true\n')
    info = info_for("mock-gpt", listed, load_settings(environ={}).models)
    assert build_request(conv, info).reasoning_effort == "high"
    assert reasoning_note(conv, info) is None


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('[models."mock-gpt"]\nvisoin = 1\n', ["unknown key 'visoin'", "did you mean 'vision'?"]),
        ('[models."mock-gpt"]\nvision = "yes"\n', ["vision must be true or false, not a string"]),
        ('[models."mock-gpt"]\ncontext_window = 1.5\n', ["context_window must be a whole number"]),
        ('[models."mock-gpt"]\ncontext_window = 0\n', ["context_window must be at least 1"]),
        ('[models."mock-gpt"]\ninput_per_million = -1\n', ["input_per_million must be 0 or more"]),
        ("models = 3\n", ['models must be tables: [models."ID"]']),
    ],
)
def test_a_mistake_in_a_models_table_names_the_file_the_table_and_the_key(
    toml: str, words: list[str]
) -> None:
    path = write_config(toml)
    with pytest.raises(ConfigError) as info:
        load_settings(environ={})
    said = str(info.value)
    assert said.startswith(str(path)), said
    for word in words:
        assert word in said, said
    if "[models" in toml:
        assert '[models."mock-gpt"]' in said, said


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        ('max_attempts = "4"\n', "max_attempts must be a whole number, not a string"),
        ('stall_timeout = "soon"\n', "stall_timeout must be a number, not a string"),
        ('auto_cache = "yes"\n', "auto_cache must be true or false, not a string"),
        ("tags = 3\n", "tags must be a list, not a whole number"),
    ],
)
def test_type_mistakes_are_said_in_plain_words(toml: str, said: str) -> None:
    write_config(toml)
    with pytest.raises(ConfigError) as info:
        load_settings(environ={})
    assert said in str(info.value)
    assert "a int" not in str(info.value) and "a bool" not in str(info.value)


# -- the picker's ranking --------------------------------------------------------------------------


def test_a_described_model_whose_name_starts_with_the_words_ranks_first() -> None:
    models = [
        ModelInfo(id="bedrock/claude-sonnet-4-5@eu-central-1"),
        ModelInfo(
            id="anthropic/claude-sonnet-4-5",
            input_price=3e-6,
            output_price=1.5e-5,
            supports_vision=True,
            capabilities_known=True,
        ),
        ModelInfo(id="x/my-claude-sonnet", description="A fine-tune.", input_price=1e-6),
        ModelInfo(id="policy/claude-sonnet-or-else"),
    ]
    ids = [m.id for m in filter_models(models, "claude son")]
    assert ids[0] == "policy/claude-sonnet-or-else", "routing policies stay first"
    assert ids[1:] == [
        "anthropic/claude-sonnet-4-5",  # starts with the words, described
        "bedrock/claude-sonnet-4-5@eu-central-1",  # starts with the words, a bare id
        "x/my-claude-sonnet",  # only contains them
    ]
    browsed = [m.id for m in filter_models(models, "")]
    assert browsed[1:] == sorted(browsed[1:]), "with nothing typed: by id"


# -- money keeps its digits ----------------------------------------------------------------------


def test_prices_per_million_keep_their_significant_digits() -> None:
    flash = ModelInfo(
        id="g/flash", input_price=0.075e-6, output_price=0.3e-6, cached_price=1.875e-8
    )
    assert "$0.075/$0.30 per M" in describe(flash)
    assert "$3.00/$15.00 per M" in describe(
        ModelInfo(id="a/s", input_price=3e-6, output_price=1.5e-5)
    )
    assert "$0.0375/$1.25 per M" in describe(
        ModelInfo(id="a/t", input_price=0.0375e-6, output_price=1.25e-6)
    )
    from requesty_tui.ui.screens.model_picker import details

    assert "cached input $0.01875 per M" in details(flash).plain


# -- the meter does not trust any count ----------------------------------------------------------


def test_a_server_that_under_reports_prompt_tokens_cannot_hide_an_overflow() -> None:
    model = ModelInfo(id="m/x", context_window=1200)
    conv = Conversation(id="20261202-000000-lie", model="m/x")
    conv.messages.append(Message(role="user", content="q" * 4000))
    conv.messages.append(Message(role="assistant", content="a", usage=Usage(prompt_tokens=1)))
    meter = estimate(conv, "next " * 800, model)
    # 8,000 characters are at least 8000 / 6 tokens whatever the server says.
    assert meter.tokens >= 8000 / 6 and not meter.fits
    assert meter.label().startswith("≈"), "a count out of bounds is not called calibrated"
    # A believable count still calibrates.
    conv.messages[-1].usage = Usage(prompt_tokens=1500)
    assert estimate(conv, "", model).calibrated


# -- advice names where the address came from ----------------------------------------------------


async def test_a_refused_connection_names_where_the_address_came_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_config('base_url = "http://127.0.0.1:9/v1"\napi_key = "k"\n')
    path.chmod(0o600)
    settings = load_settings(environ={})
    assert settings.base_url_from == f"base_url in {path}"
    from requesty_tui.client.request import ChatRequest

    request = ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}])
    async with client_for(settings) as client:
        with pytest.raises(E.ConnectionFailedError) as info:
            async for _ in client.stream_chat(request):
                pass
    assert f"base_url in {path}" in info.value.hint
    assert "REQUESTY_BASE_URL" not in info.value.hint
    env = load_settings(environ={"REQUESTY_BASE_URL": "http://127.0.0.1:9/v1"})
    assert env.base_url_from == "REQUESTY_BASE_URL"
    cli = load_settings(cli={"base_url": "http://127.0.0.1:9/v1"}, environ={})
    assert cli.base_url_from == "--base-url"


def test_advice_about_the_built_in_address_does_not_name_a_variable_never_set() -> None:
    settings = load_settings(environ={})
    assert settings.base_url_from == ""
    for problem in ("unreachable", "resolve", "refused", "not-api", "redirect"):
        hint = E.address_hint(settings.base_url_from, problem)  # type: ignore[arg-type]
        assert "REQUESTY_BASE_URL" not in hint or "set" in hint.lower(), hint
        assert not hint.startswith("Check the address"), hint
    assert "Pick another model" in E.error_from_status(404, "{}", model="x").hint
    assert "refresh the model list" not in E.error_from_status(404, "{}", model="x").hint

"""Presets: parsing with config.toml's rules, broken files reported by file and key, templates,
the shipped examples, saving, and the session file recording the preset."""

from __future__ import annotations

from pathlib import Path

import pytest

from requesty_tui.chat.presets import conversation_from, values_from
from requesty_tui.core.settings import Settings
from requesty_tui.storage.presets import (
    PresetError,
    fill,
    list_presets,
    load_preset,
    parse_preset,
    placeholders,
    presets_dir,
    save_preset,
)
from requesty_tui.storage.session_format import from_toml, to_toml


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def test_a_preset_file_is_read_with_the_options_rules(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "review",
        'description = "Review"\nmodel = "policy/fast"\nsystem_prompt = "Be strict"\n'
        'temperature = 0.2\nmax_tokens = 4000\nreasoning_effort = "HIGH"\ntags = ["a", "b"]\n'
        'user_id = "me"\nauto_cache = true\ntools = false\n'
        'first_message = "Review {project}: {diff} and {project}"\n',
    )
    preset = parse_preset("review", path, path.read_text())
    assert (preset.model, preset.temperature, preset.max_tokens) == ("policy/fast", 0.2, 4000)
    assert preset.reasoning_effort == "high", "the same rule as config.toml's"
    assert preset.tags == ("a", "b") and preset.tools is False and preset.auto_cache is True
    assert preset.placeholders == ["project", "diff"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            'model = "m"\ntemperature = 5\n',
            "key 'temperature': temperature must be between 0 and 2",
        ),
        ('model = "m"\ntemprature = 1\n', "unknown key 'temprature' (did you mean 'temperature'?)"),
        ('description = "no model"\n', "key 'model' is missing"),
        ('model = "m"\nfirst_message = "a {b"\n', "key 'first_message': is not a template"),
        ('model = "m"\nfirst_message = "{1}"\n', "key 'first_message': is not a template"),
        ('model = "m"\ntools = "yes"\n', "key 'tools': must be true or false"),
        ("model = \n", "not valid TOML"),
    ],
)
def test_a_broken_preset_names_its_file_key_and_problem(
    tmp_path: Path, text: str, said: str
) -> None:
    write(tmp_path, "good", 'model = "openai/gpt-4o-mini"\n')
    path = write(tmp_path, "bad", text)
    good, broken = list_presets(tmp_path)
    assert [p.name for p in good] == ["good"], "the others still work"
    [bad] = broken
    assert bad.problem.startswith(f"{path}: ") and said in bad.problem
    with pytest.raises(PresetError, match=r"bad\.toml"):
        load_preset("bad", tmp_path)


def test_an_unknown_preset_lists_those_there_are(tmp_path: Path) -> None:
    write(tmp_path, "one", 'model = "m"\n')
    with pytest.raises(PresetError, match=r"no preset named .two.*there are: one"):
        load_preset("two", tmp_path)


def test_placeholders_are_filled_as_text() -> None:
    template = "Hi {name}, {{literal}} {thing}"
    assert placeholders(template) == ["name", "thing"]
    filled = fill(template, {"name": "{thing} [bold]x[/bold]", "thing": "ok"})
    assert filled == "Hi {thing} [bold]x[/bold], {literal} ok", "values are never re-read"


def test_the_examples_are_copied_on_first_use_and_all_parse() -> None:
    folder = presets_dir()
    assert not folder.exists()
    good, broken = list_presets()
    assert broken == []
    assert {p.name for p in good} == {"code-review", "translate"}
    assert load_preset("code-review").placeholders == ["project", "diff"]
    (folder / "translate.toml").unlink()
    good, _ = list_presets()
    assert [p.name for p in good] == ["code-review"], "deleted examples stay deleted"


def test_save_then_use_and_the_session_file_records_it(tmp_path: Path) -> None:
    settings = Settings(api_key="k", temperature=1.0, system_prompt="default")
    base = conversation_from(settings, parse_preset("x", tmp_path / "x.toml", 'model = "m"\n'))
    base.options.max_tokens = 123
    base.system = "From the chat"
    path = save_preset("mine", values_from(base, "My preset"), tmp_path)
    preset = load_preset("mine", tmp_path)
    assert path.name == "mine.toml" and preset.description == "My preset"
    conv = conversation_from(settings, preset)
    assert conv.model == "m" and conv.system == "From the chat"
    assert conv.options.max_tokens == 123 and conv.options.temperature == 1.0
    assert conv.preset == "mine"
    again = from_toml(to_toml(conv))
    assert again.preset == "mine", "the session file says where the chat came from"
    with pytest.raises(PresetError, match="cannot be a preset name"):
        save_preset("../evil", {"model": "m"}, tmp_path)


def test_pinned_and_labels_round_trip_without_a_new_format() -> None:
    from requesty_tui.core.domain import Conversation

    conv = Conversation(id="c", model="m", pinned=True, labels=["work", "rust"])
    text = to_toml(conv)
    assert "format = 1" in text
    again = from_toml(text)
    assert again.pinned and again.labels == ["work", "rust"]

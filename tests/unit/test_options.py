"""A conversation setting follows one rule wherever it comes from: config.toml (a new chat's
default), the palette's editor, or a hand-edited session file (where a bad value is dropped)."""

from __future__ import annotations

import pytest

from requesty_tui.core.domain import Conversation
from requesty_tui.core.options import BY_KEY, OptionError
from requesty_tui.core.settings import ConfigError, validate
from requesty_tui.storage.session_format import from_toml

CASES = [
    ("temperature", 2.5, "2.5", "between 0 and 2"),
    ("max_tokens", 0, "0", "at least 1"),
    ("reasoning_effort", "lots", "lots", "token budget"),
]


@pytest.mark.parametrize(("key", "in_file", "typed", "words"), CASES)
def test_the_same_rule_in_config_palette_and_session_file(
    key: str, in_file: object, typed: str, words: str
) -> None:
    with pytest.raises(ConfigError, match=words):
        validate({key: in_file}, "config.toml")
    with pytest.raises(OptionError, match=words):
        BY_KEY[key].apply(Conversation(id="c", model="m/x"), typed)
    value = f'"{in_file}"' if isinstance(in_file, str) else in_file
    conv = from_toml(f'format = 1\nid = "c"\nmodel = "m/x"\n{key} = {value}\n')
    assert getattr(conv.options, key) is None, "dropped from a session file, not fatal"

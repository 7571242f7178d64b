"""The compared models in a session file: any format holds them, a bad value is ignored."""

from __future__ import annotations

from requesty_tui.chat.compare import resumed_compare
from requesty_tui.core.domain import Conversation, Message
from requesty_tui.storage.session_format import from_toml, to_toml


def test_a_comparison_stays_format_1_and_round_trips() -> None:
    conv = Conversation(id="c", model="openai/gpt-4o-mini", compare=["x/a", "y/b"])
    conv.messages = [Message(role="user", content="hi")]
    text = to_toml(conv)
    assert "format = 1" in text and 'compare = [\n    "x/a",\n    "y/b",\n]' in text
    assert from_toml(text).compare == ["x/a", "y/b"]
    assert "compare" not in to_toml(Conversation(id="d", model="m")), "only when comparing"


def test_a_hand_edited_set_that_cannot_be_compared_is_not_resumed() -> None:
    base = 'format = 1\nid = "c"\nmodel = "m"\n'
    assert from_toml(base + 'compare = "x/a"\n').compare == []
    assert from_toml(base + "compare = [1, 2]\n").compare == []
    assert resumed_compare(from_toml(base + 'compare = ["x/a"]\n')) == []
    assert resumed_compare(from_toml(base + 'compare = ["x/a", "x/a"]\n')) == []
    assert resumed_compare(from_toml(base + 'compare = ["x/a", "y/b"]\n')) == ["x/a", "y/b"]

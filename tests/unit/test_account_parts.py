"""The parts of issue 26 without a screen: ``config.toml`` edited as text (the rest of the
file byte for byte), the usage answer read leniently, a reply's completion id and rating in
the session file (older files load as before), the completion id from the stream."""

from __future__ import annotations

import stat
import tomllib
from datetime import date
from pathlib import Path

import pytest

from requesty_tui.client.manage import parse_usage
from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import ConfigError
from requesty_tui.storage.config_edit import remove_top_level, set_top_level
from requesty_tui.storage.session_format import from_toml, to_toml
from requesty_tui.storage.settings_file import remember_setting
from requesty_tui.testing.router_account import usage_answer


def test_the_key_goes_in_and_out_and_nothing_else_moves(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir(mode=0o755)
    original = (
        '# top comment\r\ntheme = "paper"  # mine\r\n\r\n# keys below\r\n[keys]\r\n"a" = "b"\r\n'
    )
    path.write_bytes(original.encode())
    set_top_level(path, "api_key", "k-1", private=True)
    assert path.read_bytes().decode() == (
        '# top comment\r\ntheme = "paper"  # mine\r\napi_key = "k-1"\r\n\r\n# keys below\r\n'
        '[keys]\r\n"a" = "b"\r\n'
    ), "after the top-level settings, before the comment of the table, CRLF kept"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    set_top_level(path, "api_key", "k-2")
    assert tomllib.loads(path.read_text())["api_key"] == "k-2"
    assert path.read_bytes().decode().count("api_key") == 1, "replaced in place"
    assert remove_top_level(path, "api_key") is True
    assert path.read_bytes().decode() == original
    assert remove_top_level(path, "api_key") is False


def test_a_setting_is_kept_when_the_file_starts_with_a_table(tmp_path: Path) -> None:
    """remember_setting (the theme) lost the value when the file had a table and no top-level
    setting: it stopped at the table and added nothing."""
    path = tmp_path / "config.toml"
    path.write_text('[keys]\n"chat.model" = "f3"\n')
    remember_setting("theme", "paper", path)
    assert path.read_text() == 'theme = "paper"\n[keys]\n"chat.model" = "f3"\n'


def test_an_edit_that_would_change_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    text = 'system_prompt = """\napi_key = "x"\n"""\n'
    path.write_text(text)
    set_top_level(path, "api_key", "k")  # not inside the string: a line of its own at the top
    assert tomllib.loads(path.read_text()) == {"api_key": "k", "system_prompt": 'api_key = "x"\n'}
    broken = tmp_path / "broken.toml"
    broken.write_text("theme = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        set_top_level(broken, "api_key", "k")
    assert broken.read_text() == "theme = \n"


def test_usage_is_read_leniently() -> None:
    today = date(2026, 8, 7)
    payload = usage_answer(today, date(2026, 8, 1), "model_used")
    assert all(isinstance(v["spend"], str) for v in payload["usage"].values())
    assert any("T" in k for k in payload["usage"]) and any("T" not in k for k in payload["usage"])
    history = parse_usage(payload, 7, "model", today)
    assert [d.day.day for d in history.days] == [1, 2, 3, 4, 5, 6, 7]
    assert history.days[3].spend == 0 and history.days[3].groups == (), "a missing day is zero"
    assert round(history.total, 2) == 8.92 and history.requests == 174
    top = history.top()
    assert [g.name for g in top] == [
        "anthropic/claude-sonnet-4-5",
        "openai/gpt-4o-mini",
        "google/gemini-2.5-flash",
    ]
    assert round(top[0].spend, 2) == 7.15 and top[0].requests == 48
    hourly = {
        "usage": {
            "2026-08-07T01:00:00Z": {"spend": "0.5", "total_requests": 1, "grouped_data": []},
            "2026-08-07T02:00:00Z": {"spend": 0.25, "total_requests": "2"},
            "nonsense": {"spend": "9"},
            "2026-07-01": {"spend": "9"},
        }
    }
    day = parse_usage(hourly, 7, "model", today).days[-1]
    assert (day.spend, day.requests) == (0.75, 3)
    assert [g.name for g in day.groups] == ["(other)"], "what no group accounts for"


def test_a_replys_id_and_rating_are_saved_and_older_files_load() -> None:
    conv = Conversation(id="x", model="m")
    conv.messages = [
        Message(role="user", content="q"),
        Message(role="assistant", content="a", completion_id="gen-1", rating="bad",
                rating_comment="too long"),
    ]  # fmt: skip
    text = to_toml(conv)
    assert "format = 1" in text and 'completion_id = "gen-1"' in text
    assert "rating_sent = false" in text
    back = from_toml(text).messages[1]
    assert (back.completion_id, back.rating, back.rating_comment, back.rating_sent) == (
        "gen-1",
        "bad",
        "too long",
        False,
    )
    old = from_toml(
        'format = 1\nid = "x"\nmodel = "m"\n\n[[messages]]\nrole = "assistant"\ncontent = "a"\n'
    )
    assert old.messages[0].completion_id is None and old.messages[0].rating is None

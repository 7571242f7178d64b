"""The notification a finished reply sends through the terminal: model text never becomes an
escape sequence, and the sequence fits the terminal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from requesty_tui.core.notify_text import clean, method_for, notice_text, sequence

EVIL = "Done\x1b]52;c;ZXZpbA==\x07 \x1b[2J\x9b31m; 4;3\x07\x1b\\ ok"


def test_model_text_loses_every_control_character() -> None:
    text = notice_text("My\x1b]0;title\x07 chat", EVIL)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text)
    assert ";" not in text
    assert text.startswith("My]0,title chat: Done]52,c,ZXZpbA==")


def test_the_title_and_the_first_words() -> None:
    words = " ".join(f"w{n}" for n in range(40))
    assert notice_text("Plans", words) == "Plans: " + " ".join(f"w{n}" for n in range(12)) + " …"
    assert notice_text("", "Hi there") == "requesty-tui: Hi there"
    assert notice_text("Plans", "") == "Plans"


@given(st.text())
def test_no_text_escapes_its_sequence(text: str) -> None:
    for method in ("osc9", "osc99", "osc777"):
        out = sequence(method, notice_text(text, text))
        body = out[out.index(";") + 1 :]
        # The one ESC/BEL of the sequence is its terminator, at the very end.
        assert "\x1b" not in body.removesuffix("\x1b\\").removesuffix("\x07")
        assert "\x07" not in body[:-1]
    assert clean(text) == clean(clean(text))


def test_sequences_per_terminal() -> None:
    assert sequence("osc9", "T: hi") == "\x1b]9;T: hi\x07"
    assert sequence("osc99", "T: hi") == "\x1b]99;;T: hi\x1b\\"
    assert sequence("osc777", "T: hi") == "\x1b]777;notify;T;hi\x07"
    assert sequence("bell", "T: hi") == "\x07"
    assert sequence("off", "T: hi") == ""
    # tmux passes it through when told to (allow-passthrough), each ESC doubled.
    assert sequence("osc9", "T: hi", tmux=True) == "\x1bPtmux;\x1b\x1b]9;T: hi\x07\x1b\\"


def test_auto_picks_what_the_terminal_shows() -> None:
    assert method_for("auto", {"TERM_PROGRAM": "iTerm.app"}) == "osc9"
    assert method_for("auto", {"TERM_PROGRAM": "WezTerm"}) == "osc9"
    assert method_for("auto", {"TERM_PROGRAM": "ghostty"}) == "osc9"
    assert method_for("auto", {"WT_SESSION": "x"}) == "osc9"
    assert method_for("auto", {"TERM": "xterm-kitty"}) == "osc99"
    assert method_for("auto", {"TERM": "xterm-256color"}) == "bell"
    # In tmux the outer terminal is known only by what it left in the environment.
    assert method_for("auto", {"TERM_PROGRAM": "tmux", "TMUX": "/t,1,0"}) == "bell"
    assert method_for("auto", {"TERM_PROGRAM": "tmux", "LC_TERMINAL": "iTerm2"}) == "osc9"
    assert method_for("osc777", {"TERM_PROGRAM": "iTerm.app"}) == "osc777"

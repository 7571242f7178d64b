"""The first minute and rating a reply in a real terminal (tmux), issue 26: a fresh install
with no key opens the key set-up, a pasted key is checked and kept, and the next message is
answered; on a focused reply, typed text ("1+1 = 2", "+1") goes to the input box and rates
nothing, while shift+up sends a thumbs up with the reply's id."""

from __future__ import annotations

import time
from pathlib import Path

from requesty_tui.storage import paths
from requesty_tui.testing.router import Reply, RouterServer
from tests.support.tmux import TmuxSession, terminal_env

KEY = "rq-fresh-key-0123456789"


def test_a_newcomer_pastes_a_key_and_is_chatting(router: RouterServer, xdg: Path) -> None:
    router.account.keys = {KEY}
    env = terminal_env(router)
    del env["REQUESTY_API_KEY"]
    session = TmuxSession([], env, width=80, height=24)
    started = time.monotonic()
    try:
        session.wait_for(lambda s: "Set up your API key" in s, what="the key set-up")
        session.tmux("set-buffer", KEY)
        session.tmux("paste-buffer", "-p", "-t", session.name)  # a bracketed paste
        shown = session.wait_for(lambda s: "•" * len(KEY) in s, what="the masked key")
        assert KEY not in shown, "the key is never drawn in clear"
        session.keys("Enter")
        session.wait_started()  # the chat, its model bar
        session.keys("hello there", "Enter")
        shown = session.wait_for(lambda s: "You said: hello there" in s, what="the reply")
        assert KEY not in shown
        assert time.monotonic() - started < 60, "chatting within a minute"
        assert f'api_key = "{KEY}"' in paths.config_file().read_text()
        assert router.chat_requests()[0]["headers"]["Authorization"] == f"Bearer {KEY}"
        session.keys("C-q")
        session.wait_closed()
    finally:
        session.close()


def in_the_box(screen: str, text: str) -> bool:
    """The input box holds exactly ``text`` (its line: the border, the text, spaces)."""
    return any(line.strip("│ ") == text and line.startswith("│ ") for line in screen.splitlines())


def test_typing_on_a_focused_reply_rates_nothing_and_shift_up_rates_it(
    router: RouterServer, xdg: Path
) -> None:
    router.queue(Reply(text="Two.", completion_id="gen-tmux-1"))
    session = TmuxSession([], terminal_env(router), width=100, height=30)
    try:
        session.wait_started()
        session.keys("what is 1+1?", "Enter")
        session.wait_for(lambda s: "Two." in s and "1 reply" in s, what="the reply")
        session.keys("BTab")  # the reply has the focus
        session.wait_for(lambda s: "Good" in s, what="the reply's keys in the key bar")
        for char in "1+1 = 2":
            session.keys(char, literal=True)
            time.sleep(0.05)
        session.wait_for(lambda s: in_the_box(s, "1+1 = 2"), what="the text in the input box")
        session.keys("C-u")  # clear the line... and type "+1" on the reply again
        session.keys("BTab")
        session.wait_for(lambda s: "Good" in s, what="the reply focused again")
        session.keys("+1", literal=True)
        session.wait_for(lambda s: in_the_box(s, "+1"), what="+1, whole, in the input box")
        assert router.account.feedback == [], "typing sent no rating"
        session.keys("BTab")
        session.wait_for(lambda s: "Good" in s, what="the reply focused")
        session.keys("S-Up")
        session.wait_for(lambda s: "▲ good" in s, what="the rating in the reply's header")
        deadline = time.monotonic() + 10
        while not router.account.feedback and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [f["id"] for f in router.account.feedback] == ["gen-tmux-1"]
        assert router.account.feedback[0]["body"]["data"]["rating"] == "good"
        session.keys("C-q")
        session.wait_closed()
    finally:
        session.close()


def test_the_usage_chart_in_a_real_terminal(router: RouterServer, xdg: Path) -> None:
    """ctrl+p → account: usage at 80x24 and 160x50: the month, a bar per day, the dates, the
    top models, all on screen; d switches to 30 days."""
    for width, height in ((80, 24), (160, 50)):
        session = TmuxSession([], terminal_env(router), width=width, height=height)
        try:
            session.wait_started()
            session.keys("C-p")
            session.wait_for(lambda s: "account:" in s or "Search" in s, what="the palette")
            session.keys("account: usage", literal=True)
            session.wait_for(lambda s: "account: usage" in s, what="the command")
            session.keys("Enter")
            shown = session.wait_for(
                lambda s: "Top models" in s and "█" in s, what=f"the chart at {width}x{height}"
            )
            assert "$12.50 of $50.00 (25 %)" in shown and "$0│" in shown
            assert "anthropic/claude-sonnet-4-5" in shown and "$7.15" in shown
            lines = shown.splitlines()
            assert len(lines) <= height and all(len(line) <= width for line in lines)
            session.keys("d")
            session.wait_for(lambda s: "last 30 days" in s and "Top models" in s, what="30 days")
            session.keys("Escape")
            session.wait_started()
            session.keys("C-q")
            session.wait_closed()
        finally:
            session.close()

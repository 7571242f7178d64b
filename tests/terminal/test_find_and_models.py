"""Find in a conversation and switching among starred/recent models, in a real terminal at 80x24."""

from __future__ import annotations

from pathlib import Path

from requesty_tui.testing.router import RouterServer
from tests.support.tmux import TmuxSession, terminal_env


def seed_long() -> str:
    from requesty_tui.core.domain import Conversation, Message
    from requesty_tui.storage.sessions import SessionStore

    conv = Conversation(id="20261120-100000-find", model="openai/gpt-4o-mini", title="Long")
    for i in range(80):
        conv.messages.append(Message(role="user", content=f"question {i}"))
        text = {2: "the aardvark hides here", 5: "another aardvark, later"}.get(i, f"answer {i}")
        conv.messages.append(Message(role="assistant", content=text, finish_reason="stop"))
    SessionStore().save(conv)
    return conv.id


def test_find_in_a_real_terminal(router: RouterServer, xdg: Path) -> None:
    session_id = seed_long()
    session = TmuxSession(["-r", session_id], terminal_env(router), width=80, height=24)
    try:
        session.wait_for(lambda s: "answer 79" in s, what="the resumed conversation")
        session.keys("C-f")
        session.wait_for(lambda s: "Find" in s, what="the find bar")
        session.keys("aardvark", literal=True)
        session.wait_for(lambda s: "2 matches" in s, what="the count")
        session.keys("Enter")
        # The match far up comes on screen.
        shown = session.wait_for(
            lambda s: "1 / 2" in s and "the aardvark hides here" in s, what="the first match"
        )
        assert "question 79" not in shown
        session.keys("Enter")
        session.wait_for(
            lambda s: "2 / 2" in s and "another aardvark, later" in s, what="the second match"
        )
        session.keys("Escape")
        closed = session.wait_for(lambda s: "/ 2" not in s, what="the bar to close")
        assert "find in this conversation" not in closed
        session.keys("hello", literal=True)
        session.wait_for(lambda s: "│ hello" in s, what="typing goes to the input again")
    finally:
        session.close()


def test_ctrl_up_down_switch_models_in_a_real_terminal(router: RouterServer, xdg: Path) -> None:
    from requesty_tui.storage.state import AppState, save_state

    starred = ["anthropic/claude-sonnet-4-5", "google/gemini-2.5-flash"]
    save_state(AppState(starred={router.base_url: starred}))
    session = TmuxSession([], terminal_env(router), width=80, height=24)
    try:
        session.wait_started()
        session.keys("C-Down")
        session.wait_for(lambda s: "│ anthropic/claude-sonnet-4-5" in s, what="the first star")
        session.keys("C-Down")
        session.wait_for(lambda s: "│ google/gemini-2.5-flash" in s, what="the second star")
        session.keys("C-Up")
        session.wait_for(lambda s: "│ anthropic/claude-sonnet-4-5" in s, what="back up")
    finally:
        session.close()


def test_pin_tag_and_rename_in_a_real_terminal(router: RouterServer, xdg: Path) -> None:
    from tests.support.seeds import seed_sessions

    seed_sessions()  # "Older one", "Newer" (and an unreadable file)
    session = TmuxSession(["-c"], terminal_env(router), width=80, height=24)
    try:
        session.wait_for(lambda s: "prompt of Newer" in s, what="the resumed conversation")
        session.keys("F4")
        session.wait_for(lambda s: "Rename conversation" in s, what="the rename box")
        session.keys("C-u")
        # ctrl+u is the box's binding, run after the key has gone round: text sent before it
        # ran was cleared with the old title ("Y" of "XY" left, 3 times in 12 before this wait)
        session.wait_for(lambda s: "Newer" not in s, what="the old title cleared")
        session.keys("Renamed here", literal=True)
        session.keys("Enter")
        session.wait_for(lambda s: " Renamed here │" in s, what="the new title in the top bar")
        session.keys("C-o")
        session.wait_for(lambda s: "Older one" in s, what="the browser")
        session.keys("Down")  # the unreadable file is listed first, then the newest
        session.keys("Down")
        session.keys("C-s")
        session.wait_for(lambda s: "★ Older one" in s, what="pinned")
        session.keys("C-t")
        session.wait_for(lambda s: "Tags" in s, what="the tags box")
        session.keys("work", literal=True)
        session.keys("Enter")
        session.wait_for(lambda s: "#work" in s, what="the tag shown")
        session.keys("tag:work", literal=True)
        shown = session.wait_for(lambda s: "1 conversation matching" in s, what="filtered")
        assert "Renamed here" not in shown
    finally:
        session.close()

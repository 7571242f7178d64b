"""ctrl+home in a long conversation, in a real terminal at 80x24 (issue 25)."""

from __future__ import annotations

from pathlib import Path

from requesty_tui.testing.router import RouterServer
from tests.support.tmux import TmuxSession, terminal_env


def seed_long() -> str:
    from requesty_tui.core.domain import Conversation, Message
    from requesty_tui.storage.sessions import SessionStore

    conv = Conversation(id="20261120-100000-home", model="openai/gpt-4o-mini", title="Long")
    conv.messages.append(Message(role="user", content="the very first wombat question"))
    conv.messages.append(Message(role="assistant", content="answer 0", finish_reason="stop"))
    for i in range(1, 200):
        conv.messages.append(Message(role="user", content=f"question {i}"))
        conv.messages.append(Message(role="assistant", content=f"answer {i}", finish_reason="stop"))
    SessionStore().save(conv)
    return conv.id


def test_ctrl_home_shows_the_first_message_and_typing_stays_in_the_input(
    router: RouterServer, xdg: Path
) -> None:
    session_id = seed_long()
    session = TmuxSession(["-r", session_id], terminal_env(router), width=80, height=24)
    try:
        session.wait_for(lambda s: "answer 199" in s, what="the resumed conversation")
        session.keys("C-Home")
        shown = session.wait_for(
            lambda s: "the very first wombat question" in s, timeout=10, what="the first message"
        )
        assert "answer 199" not in shown
        session.keys("hello", literal=True)
        session.wait_for(lambda s: "│ hello" in s, what="typing lands in the input")
        session.keys("C-End")
        session.wait_for(lambda s: "answer 199" in s, what="the end again")
    finally:
        session.close()

"""Conversations on disk for tests that start the program on them."""

from __future__ import annotations


def seed_sessions() -> None:
    from requesty_tui.core.domain import Conversation, Message
    from requesty_tui.storage.sessions import SessionStore

    store = SessionStore()
    for cid, title in (("20261120-100000-aaaa", "Older one"), ("20261121-100000-bbbb", "Newer")):
        conv = Conversation(id=cid, model="openai/gpt-4o-mini", title=title)
        conv.messages = [
            Message(role="user", content=f"prompt of {title}"),
            Message(role="assistant", content="**bold** reply", finish_reason="stop"),
        ]
        store.save(conv)
    (store.folder / "20261119-000000-bad0.toml").write_text("format = 99\nid='x'\nmodel='m'\n")

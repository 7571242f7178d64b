"""A chat's state without Textual (``ChatSession``): the conversation, its file, its draft and
what a quit must record, decided in one place. Real files in the isolated XDG folders."""

from __future__ import annotations

from requesty_tui.chat.autosave import SaveReport
from requesty_tui.chat.session import ChatSession
from requesty_tui.core.domain import Attachment, Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.storage.drafts import draft_file, load_draft
from requesty_tui.storage.sessions import SessionStore


class Streaming:
    """A reply under way: at a quit, what arrived goes into the conversation."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def record_for_exit(self) -> None:
        self.conversation.messages.append(
            Message(role="assistant", content="half an answer", finish_reason="cancelled")
        )


def session(conversation: Conversation | None = None) -> ChatSession[Streaming]:
    reports: list[SaveReport] = []
    store = SessionStore()
    return ChatSession(store, Settings(), "m/x", conversation, report=reports.append)


def test_a_quit_by_signal_writes_what_streamed_before_it_returns() -> None:
    chat = session()
    chat.start_turn("a question", lambda _model: None)
    chat.add_run(Streaming(chat.conversation))
    chat.exiting = True
    chat.record_for_exit()  # synchronous: the process may end right after
    saved = SessionStore().load(chat.conversation.id)
    assert [m.content for m in saved.messages] == ["a question", "half an answer"]
    chat.close()


def test_a_new_chat_keeps_the_old_conversation_and_its_draft() -> None:
    chat = session()
    chat.start_turn("first question", lambda _model: None)
    chat.save()
    old = chat.conversation.id
    chat.typed()
    chat.save_draft("half a follow-up")
    carried = chat.replace()
    assert not carried, "what was typed stays with the conversation it was typed in"
    assert chat.conversation.id != old and not chat.conversation.messages
    assert [m.content for m in SessionStore().load(old).messages] == ["first question"]
    assert load_draft(old) == "half a follow-up"
    chat.close()


def test_a_deleted_conversation_is_never_written_again() -> None:
    kept = Conversation(id="20261201-000000-gone", model="m/x")
    kept.messages.append(Message(role="user", content="to be deleted"))
    store = SessionStore()
    store.save(kept)
    chat = session(store.load(kept.id))
    chat.conversation.messages.append(Message(role="assistant", content="late"))
    chat.save()  # waiting, or under way, when the browser deletes the file
    chat.replace(deleted=True)
    store.delete(kept.id, keep=set())
    chat.save_draft("still typing")  # the text typed is the new chat's draft now
    chat.close()
    assert not store.path_for(kept.id).exists(), "the deleted conversation came back"
    assert draft_file(None).read_text(encoding="utf-8") == "still typing"


def test_the_files_a_chat_holds_are_its_messages_and_the_waiting_ones() -> None:
    a = Attachment(name="a.txt", sha256="a" * 64, size=1, kind="text", mime="text/plain")
    b = Attachment(name="b.png", sha256="b" * 64, size=1, kind="image", mime="image/png")
    chat = session()
    chat.start_turn("see the file", lambda _model: None, attachments=[a])
    chat.attachments.append(b)
    assert chat.held_attachments() == {a.sha256, b.sha256}
    chat.replace()
    assert chat.held_attachments() == {b.sha256}, "the files waiting stay for the next message"
    chat.close()

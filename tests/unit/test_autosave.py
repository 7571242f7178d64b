"""Saving off the UI thread: one write at a time, the newest state wins, failures said once and
retried, a synchronous save when the process must end. Real files in tmp_path."""

from __future__ import annotations

import errno
import threading
import time
from pathlib import Path

import pytest

from requesty_tui.chat import autosave
from requesty_tui.chat.autosave import Autosaver, SaveReport
from requesty_tui.core.domain import Conversation, Message
from requesty_tui.storage.sessions import SessionStore


def wait(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


class GatedStore(SessionStore):
    """Writes wait for the test to open the gate; counts them."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, folder / "index.sqlite3")
        self.gate = threading.Event()
        self.gate.set()
        self.writing = threading.Event()
        self.writes: list[int] = []

    def save(self, conv: Conversation):  # type: ignore[no-untyped-def]
        self.writing.set()
        self.gate.wait(10)
        self.writes.append(len(conv.messages))
        return super().save(conv)


def test_the_newest_state_wins_and_waiting_states_are_skipped(tmp_path: Path) -> None:
    store = GatedStore(tmp_path)
    reports: list[SaveReport] = []
    saver = Autosaver(store, reports.append)
    conv = Conversation(id="20261201-000000-save", model="m/x")
    conv.messages.append(Message(role="user", content="0"))
    store.gate.clear()
    saver.request(conv)
    store.writing.wait(5)  # the first write is under way, held at the gate
    for n in range(1, 6):
        conv.messages.append(Message(role="user", content=str(n)))
        saver.request(conv)  # the UI thread goes on: nothing waits for the disk
    assert not saver.idle
    store.gate.set()
    wait(lambda: saver.idle)
    assert store.writes == [1, 6], "the states in between were never written"
    saved = SessionStore(tmp_path, tmp_path / "other.sqlite3").load(conv.id)
    assert [m.content for m in saved.messages] == ["0", "1", "2", "3", "4", "5"]
    conv.messages.append(Message(role="user", content="changed after the snapshot"))
    assert len(saved.messages) == 6
    saver.close()
    assert reports == [], "nothing to say when saving works"


def test_a_failed_save_is_said_once_and_retried_until_it_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(autosave, "RETRY_EVERY", 0.05)
    store = GatedStore(tmp_path)
    failing = [True]
    real_save = SessionStore.save

    def save(self: SessionStore, conv: Conversation):  # type: ignore[no-untyped-def]
        if failing[0]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(self, conv)

    monkeypatch.setattr(SessionStore, "save", save)
    reports: list[SaveReport] = []
    saver = Autosaver(store, reports.append)
    conv = Conversation(id="20261201-000000-fail", model="m/x")
    conv.messages.append(Message(role="user", content="kept"))
    saver.request(conv)
    wait(lambda: reports)
    time.sleep(0.3)  # several retries
    assert len(reports) == 1 and reports[0].error is not None, "said once"
    failing[0] = False
    wait(lambda: len(reports) == 2)
    assert reports[1].recovered and reports[1].path is not None
    assert SessionStore(tmp_path, tmp_path / "o.sqlite3").load(conv.id).messages[0].content == (
        "kept"
    )
    saver.close()


def test_save_now_writes_at_once_after_the_write_under_way(tmp_path: Path) -> None:
    store = GatedStore(tmp_path)
    saver = Autosaver(store, lambda report: None)
    conv = Conversation(id="20261201-000000-sync", model="m/x")
    conv.messages.append(Message(role="user", content="old"))
    store.gate.clear()
    saver.request(conv)
    store.writing.wait(5)
    conv.messages.append(Message(role="assistant", content="newest", finish_reason="cancelled"))
    threading.Timer(0.2, store.gate.set).start()
    saver.save_now(conv)  # e.g. SIGTERM: returns once the newest state is on disk
    saved = SessionStore(tmp_path, tmp_path / "o.sqlite3").load(conv.id)
    assert [m.content for m in saved.messages] == ["old", "newest"]
    saver.close()


def test_an_empty_chat_leaves_no_file_unless_it_came_from_one(tmp_path: Path) -> None:
    store = SessionStore(tmp_path, tmp_path / "index.sqlite3")
    saver = Autosaver(store, lambda report: None)
    conv = Conversation(id="20261201-000000-empt", model="m/x")
    conv.messages.append(Message(role="user", content="failed first send"))
    saver.save_now(conv)
    assert store.path_for(conv.id).exists()
    conv.messages.clear()
    saver.save_now(conv)
    assert not store.path_for(conv.id).exists()
    saver.close()

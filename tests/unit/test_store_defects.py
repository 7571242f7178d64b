"""Saving and exporting as a new user met them (issue 23): results under their own call, a
``touch`` is not an edit, line breaks kept, money spent stays spent."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from requesty_tui.chat import branches
from requesty_tui.core.domain import Conversation, Message, Usage
from requesty_tui.core.tools import ToolCall
from requesty_tui.storage.export import to_markdown
from requesty_tui.storage.session_format import from_toml, to_toml
from requesty_tui.storage.sessions import SessionStore


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions", tmp_path / "index.sqlite3")


def _tool_turn(conv: Conversation, prompt: str, tool: str, output: str) -> None:
    """A prompt, a reply calling ``files › tool`` as ``call_0`` (what many OpenAI-compatible
    servers send in every reply), its result and the answer after it."""
    call = ToolCall(id="call_0", name=tool, arguments="{}", server="files", tool=tool)
    conv.messages += [
        Message(role="user", content=prompt),
        Message(role="assistant", content="", tool_calls=[call], finish_reason="tool_calls"),
        Message(role="tool", content=output, tool_call_id="call_0", tool_status="ok"),
        Message(role="assistant", content=f"done with {tool}", finish_reason="stop"),
    ]


def test_a_result_is_exported_under_the_call_it_answers_when_call_ids_repeat() -> None:
    conv = Conversation(id="20261126-000000-tool", model="m/x", title="Files")
    _tool_turn(conv, "write it", "write_file", "wrote 12 bytes")
    _tool_turn(conv, "read it back", "read_text_file", "hello, file")
    md = to_markdown(conv)
    assert "## Tool result: files › write_file\n\n```\nwrote 12 bytes\n```" in md
    assert "## Tool result: files › read_text_file\n\n```\nhello, file\n```" in md
    assert md.count("Tool result: files › write_file") == 1


def test_a_multi_line_prompt_keeps_its_line_breaks_in_the_export() -> None:
    conv = Conversation(id="20261126-000000-line", model="m/x", title="Lines")
    prompt = "Dear model,\nplease check:\n- one\n\nThanks\n```\nkeep  \nas is\n```"
    conv.messages = [Message(role="user", content=prompt)]
    md = to_markdown(conv)
    # A Markdown renderer joins lines into one paragraph unless the line ends with a hard
    # break (two spaces); code keeps its lines as they are.
    assert "Dear model,  \nplease check:  \n- one\n\nThanks\n```\nkeep  \nas is\n```" in md
    from markdown_it import MarkdownIt

    html = MarkdownIt().render(md)
    assert "Dear model,<br />\nplease check:" in html


def test_touching_the_file_is_not_an_edit(store: SessionStore) -> None:
    """Sync tools, backups and editors touch files: the next save still writes the same file
    (before, every touch forked one more copy)."""
    conv = Conversation(id="20261126-000000-tuch", model="m/x", title="Touched")
    conv.messages = [Message(role="user", content="hi"), Message(role="assistant", content="a")]
    path = store.save(conv).path
    later = time.time() + 5
    os.utime(path, (later, later))
    conv.messages.append(Message(role="user", content="after the touch"))
    result = store.save(conv)
    assert result.forked_from is None and result.path == path
    assert "after the touch" in path.read_text()
    assert [p.name for p in store.folder.glob("*.toml")] == [path.name]
    # Loaded, touched, saved: the same.
    loaded = store.load(conv.id)
    os.utime(path, (later + 5, later + 5))
    loaded.messages.append(Message(role="assistant", content="still one file"))
    assert store.save(loaded).forked_from is None
    # A real change by someone else still makes a copy.
    path.write_text(path.read_text().replace("still one file", "edited elsewhere"))
    loaded.messages.append(Message(role="user", content="mine"))
    assert store.save(loaded).forked_from == conv.id


def _priced(conv: Conversation) -> tuple[Message, Message]:
    first = Message(role="user", content="q1")
    reply = Message(role="assistant", content="a1", usage=Usage(cost=0.25))
    second = Message(role="user", content="q2")
    again = Message(role="assistant", content="a2", usage=Usage(cost=0.5))
    conv.messages = [first, reply, second, again]
    return second, again


def test_deleting_a_message_does_not_take_back_money_spent(store: SessionStore) -> None:
    conv = Conversation(id="20261126-000000-cost", model="m/x", title="Costs")
    second, _ = _priced(conv)
    assert conv.total_cost() == (0.75, False)
    branches.delete(conv, second)
    assert [m.content for m in conv.messages] == ["q1", "a1"]
    assert conv.total_cost() == (0.75, False), "spent is spent"
    store.save(conv)
    text = store.path_for(conv.id).read_text()
    assert "format = 1" in text, "no newer format for a total"
    assert store.load(conv.id).total_cost() == (0.75, False)
    assert store.summaries()[0].cost == pytest.approx(0.75)


def test_a_fork_does_not_count_its_copied_replies_again(store: SessionStore) -> None:
    conv = Conversation(id="20261126-000000-frk1", model="m/x", title="Costs")
    _, last = _priced(conv)
    conv.title_usage = Usage(cost=0.01)
    forked = branches.fork(conv, last)
    assert forked.total_cost() is None, "nothing spent in the fork yet"
    forked.messages.append(Message(role="user", content="q3"))
    forked.messages.append(Message(role="assistant", content="a3", usage=Usage(cost=0.125)))
    assert forked.total_cost() == (0.125, False)
    branches.delete(forked, forked.messages[0])  # copies deleted: nothing spent here
    assert forked.total_cost() == (0.125, False)
    round_trip = from_toml(to_toml(forked))
    assert round_trip.total_cost() == (0.125, False)
    assert conv.total_cost() == (0.76, False), "the original keeps its total"

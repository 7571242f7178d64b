"""``requesty-tui import``: each source's fixture (built here from the documented shapes) comes in
as session files a user can open: titles, times, models, thinking, the tree and the branch the
user last saw; a second import adds only what is new."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from requesty_tui.cli import main
from requesty_tui.core.domain import Conversation
from requesty_tui.storage.attachments import AttachmentStore
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.exports import (
    T0,
    chatgpt_conversation,
    chatgpt_generated,
    chatgpt_node,
    sqlite_db,
    write_json,
    write_zip,
)

MARKUP = "[bold red]not markup[/] <b>nor html</b> **but Markdown**"


def imported(source: str | None = None) -> list[Conversation]:
    store = SessionStore()
    try:
        rows = [r for r in store.search(f"from:{source}" if source else "") if r.readable]
        return sorted((store.load(r.id) for r in rows), key=lambda c: c.created)
    finally:
        store.close()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["import", *args])
    out, err = capsys.readouterr()
    return code, out, err


def chatgpt_tree() -> dict[str, object]:
    """Hidden root and system nodes, custom instructions, a regenerated reply, an edited prompt,
    one turn of thinking + a tool call + its output + the answer, an image, non-ASCII."""
    n = chatgpt_node
    nodes = [
        n("root", None, None),
        n("sys", "root", "system", "You are ChatGPT", hidden=True),
        n(
            "ctx",
            "sys",
            "user",
            "",
            hidden=True,
            metadata={"is_user_system_message": True},
            content={
                "content_type": "user_editable_context",
                "user_profile": "I am Zoë.",
                "user_instructions": "Answer in French.",
            },
        ),
        n("u1", "ctx", "user", f"Héllo — 日本語 {MARKUP}", at=T0 + 10),
        n("a1", "u1", "assistant", "First answer", at=T0 + 20, model="gpt-4o"),
        n("a1b", "u1", "assistant", "Regenerated answer", at=T0 + 30, model="gpt-4o-mini"),
        n(
            "u2",
            "a1b",
            "user",
            "",
            at=T0 + 40,
            content={
                "content_type": "multimodal_text",
                "parts": [
                    {"content_type": "image_asset_pointer", "asset_pointer": "file-service://f1"},
                    "What is in this picture?",
                ],
            },
        ),
        n(
            "t2",
            "u2",
            "assistant",
            "",
            at=T0 + 41,
            model="o3",
            end_turn=False,
            content={
                "content_type": "thoughts",
                "thoughts": [{"summary": "Looking", "content": "A cat?"}],
            },
        ),
        n(
            "c2",
            "t2",
            "assistant",
            "",
            at=T0 + 42,
            model="o3",
            end_turn=False,
            recipient="python",
            content={"content_type": "code", "language": "python", "text": "print('hi')"},
        ),
        n(
            "o2",
            "c2",
            "tool",
            "",
            at=T0 + 43,
            content={"content_type": "execution_output", "text": "hi"},
        ),
        n("a2", "o2", "assistant", "A cat, *surely*.", at=T0 + 44, model="o3"),
        n("u2e", "a1b", "user", "Edited second question", at=T0 + 50),
        n("a2e", "u2e", "assistant", "Answer to the edit", at=T0 + 51, model="gpt-4o"),
    ]
    return chatgpt_conversation("conv-1", "Ünïcode title", nodes, current="a2")


def test_chatgpt_export_keeps_the_tree_and_the_branch_the_user_last_saw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_zip(tmp_path / "export.zip", {"conversations.json": [chatgpt_tree()]})
    code, out, err = run(capsys, str(export))
    assert code == 0, err
    assert "ChatGPT" in out and "1 conversation added" in out
    [conv] = imported("chatgpt")
    assert conv.title == "Ünïcode title" and conv.source_id == "conv-1"
    assert conv.system == "I am Zoë.\n\nAnswer in French.", "custom instructions"
    assert conv.created.timestamp() == T0
    shown = conv.path()
    assert [m.role for m in shown] == ["user", "assistant", "user", "assistant"]
    assert shown[0].content == f"Héllo — 日本語 {MARKUP}", "text comes as it was, markup inert"
    assert shown[1].content == "Regenerated answer" and shown[1].model == "gpt-4o-mini"
    # Thinking, the tool call and its output, and the answer: one reply, in order.
    turn = shown[3]
    assert turn.reasoning == "**Looking**\n\nA cat?" and turn.model == "o3"
    assert (
        turn.content.index("print('hi')")
        < turn.content.index("hi\n")
        < turn.content.index("A cat, *surely*.")
    )
    assert "Tool call: python" in turn.content
    assert "image not imported: file-service://f1" in shown[2].content, "a visible note"
    assert "What is in this picture?" in shown[2].content
    tree = conv.tree()
    assert [m.content for m in tree.siblings(shown[1])] == ["First answer", "Regenerated answer"]
    assert len(tree.siblings(shown[2])) == 2, "the edited prompt is an alternative"
    text = SessionStore().path_for(conv.id).read_text()
    assert "format = 2" in text and 'source = "chatgpt"' in text


def test_a_dangling_current_node_opens_on_the_newest_leaf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conv = chatgpt_tree()
    conv["current_node"] = "gone"
    second = chatgpt_tree()
    second.update(id="conv-2", conversation_id="conv-2", current_node=None)
    export = write_json(tmp_path / "conversations.json", [conv, second])
    assert run(capsys, str(export))[0] == 0
    for got in imported("chatgpt"):
        assert got.path()[-1].content == "Answer to the edit", "made last (T0 + 51)"


def claude_export() -> list[dict[str, object]]:
    def msg(
        uuid: str, parent: str, sender: str, text: str, minute: int, **extra: object
    ) -> dict[str, object]:
        at = f"2024-05-01T10:{minute:02d}:00.000000Z"
        return {
            "uuid": uuid,
            "parent_message_uuid": parent,
            "sender": sender,
            "text": text,
            "created_at": at,
            "updated_at": at,
            "content": [{"type": "text", "text": text}],
            "attachments": [],
            "files": [],
            **extra,
        }

    root = "00000000-0000-4000-8000-000000000000"
    messages = [
        msg(
            "h1",
            root,
            "human",
            "Summarise this file",
            0,
            attachments=[
                {
                    "file_name": "notes.md",
                    "file_type": "text/markdown",
                    "file_size": 20,
                    "extracted_content": "# Notes\nbuy milk 🥛",
                }
            ],
            files=[{"file_name": "photo.png", "file_uuid": "f-1"}],
        ),
        msg("a1", "h1", "assistant", "Old summary", 1),
        # A retry made later than a1 but whose subtree is older than a1's follow-up.
        msg("a1b", "h1", "assistant", "Retry", 2),
        msg("h2", "a1", "human", "Thanks <script>x</script>", 5),
        msg(
            "a2",
            "h2",
            "assistant",
            "",
            6,
            content=[
                {"type": "thinking", "thinking": "They thank me."},
                {"type": "tool_use", "id": "t1", "name": "search", "input": {"q": "milk"}},
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "name": "search",
                    "content": [{"type": "text", "text": "found"}],
                    "is_error": False,
                },
                {"type": "text", "text": "You are welcome."},
            ],
        ),
    ]
    return [
        {
            "uuid": "cl-1",
            "name": "Notes",
            "summary": "",
            "created_at": "2024-05-01T10:00:00Z",
            "updated_at": "2024-05-01T10:06:00Z",
            "account": {"uuid": "acc"},
            "chat_messages": messages,
        }
    ]


def test_claude_export_newest_subtree_thinking_tools_and_attached_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_zip(
        tmp_path / "claude.zip",
        {"conversations.json": claude_export(), "users.json": [], "projects.json": []},
    )
    code, _, err = run(capsys, str(export))
    assert code == 0, err
    [conv] = imported("claude")
    shown = conv.path()
    assert [m.content for m in shown][1] == "Old summary", "the subtree with the newest message"
    assert len(conv.tree().siblings(shown[1])) == 2
    prompt = shown[0]
    [attachment] = prompt.attachments
    assert attachment.name == "notes.md" and attachment.kind == "text"
    assert AttachmentStore().read(attachment).decode() == "# Notes\nbuy milk 🥛"
    assert "file not in the export: photo.png" in prompt.content
    reply = shown[3]
    assert reply.reasoning == "They thank me."
    assert "Tool call: search" in reply.content and '"q": "milk"' in reply.content
    assert "found" in reply.content and reply.content.endswith("You are welcome.")
    assert shown[2].content == "Thanks <script>x</script>"


ELIA = """
CREATE TABLE chat (id INTEGER PRIMARY KEY, model TEXT, title TEXT, started_at DATETIME,
  archived BOOLEAN);
CREATE TABLE message (id INTEGER PRIMARY KEY, chat_id INTEGER, role TEXT, content TEXT,
  timestamp DATETIME, meta JSON, parent_id INTEGER, model TEXT);
CREATE TABLE system_prompt (id INTEGER PRIMARY KEY, title TEXT, prompt TEXT, created_at DATETIME);
"""


def elia_db(path: Path) -> Path:
    return sqlite_db(
        path,
        ELIA,
        {
            "chat": [(1, "gpt-4o", "Élia chat", "2024-02-01 09:00:00.000000", 0)],
            "message": [
                (1, 1, "system", "Be brief.", "2024-02-01 09:00:00", "{}", None, None),
                (2, 1, "user", "Hi ✨", "2024-02-01 09:00:01", "{}", 1, None),
                (3, 1, "assistant", "Hello!", "2024-02-01 09:00:02", "{}", 2, "gpt-4o"),
            ],
        },
    )


def test_elia_database_found_where_elia_keeps_it(
    xdg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = xdg / "xdg_data_home" / "elia"
    folder.mkdir()
    elia_db(folder / "elia.sqlite")
    code, out, err = run(capsys, "--from", "elia")
    assert code == 0, err
    assert str(folder / "elia.sqlite") in out, "it says where it looked"
    [conv] = imported("elia")
    assert conv.title == "Élia chat" and conv.system == "Be brief."
    assert [(m.role, m.content, m.model) for m in conv.messages] == [
        ("user", "Hi ✨", None),
        ("assistant", "Hello!", "gpt-4o"),
    ]
    text = SessionStore().path_for(conv.id).read_text()
    assert "format = 1" in text, "a linear source stays format 1"


def test_oterm_images_come_as_attachments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    db = sqlite_db(
        tmp_path / "store.db",
        """
        CREATE TABLE chat (id INTEGER PRIMARY KEY, name TEXT, model TEXT, system TEXT,
          provider TEXT, parameters TEXT, tools TEXT, thinking BOOLEAN);
        CREATE TABLE message (id INTEGER PRIMARY KEY, chat_id INTEGER, author TEXT, text TEXT,
          images TEXT);
        PRAGMA user_version = 12;""",
        {
            "chat": [(1, "Llama talk", "llama3.2", "You are a llama.", "ollama", "{}", "[]", 0)],
            "message": [
                (1, 1, "user", "Look", json.dumps([base64.b64encode(png).decode()])),
                (2, 1, "assistant", "A tiny image", "[]"),
            ],
        },
    )
    assert run(capsys, str(db))[0] == 0
    [conv] = imported("oterm")
    assert conv.system == "You are a llama." and conv.title == "Llama talk"
    [image] = conv.messages[0].attachments
    assert image.kind == "image" and AttachmentStore().read(image) == png
    assert conv.messages[1].model == "llama3.2"


def llm_db(path: Path) -> Path:
    return sqlite_db(
        path,
        """
        CREATE TABLE conversations (id TEXT PRIMARY KEY, name TEXT, model TEXT);
        CREATE TABLE responses (id TEXT PRIMARY KEY, model TEXT, prompt TEXT, system TEXT,
          prompt_json TEXT, options_json TEXT, response TEXT, response_json TEXT,
          conversation_id TEXT, duration_ms INTEGER, datetime_utc TEXT, input_tokens INTEGER,
          output_tokens INTEGER, token_details TEXT);
        CREATE TABLE threads (id TEXT PRIMARY KEY, name TEXT, tip_message_hash TEXT,
          forked_from TEXT, datetime_utc TEXT);
        CREATE TABLE turns (id TEXT PRIMARY KEY, thread_id TEXT, parent_message_hash TEXT,
          tip_message_hash TEXT, model TEXT, resolved_model TEXT, input_tokens INTEGER,
          output_tokens INTEGER, datetime_utc TEXT);
        CREATE TABLE messages (hash TEXT PRIMARY KEY, parent_hash TEXT, role TEXT);
        CREATE TABLE parts (id INTEGER PRIMARY KEY, message_hash TEXT, position INTEGER,
          type TEXT, tool_name TEXT, text TEXT, payload TEXT);""",
        {
            "conversations": [("old1", "Old chat", "gpt-3.5-turbo")],
            "responses": [
                (
                    "r1",
                    "gpt-3.5-turbo",
                    "2+2?",
                    "Be exact.",
                    None,
                    None,
                    "4",
                    None,
                    "old1",
                    10,
                    "2023-06-01T10:00:00",
                    5,
                    1,
                    None,
                ),
                (
                    "r2",
                    "gpt-3.5-turbo",
                    "and 3+3?",
                    None,
                    None,
                    None,
                    "6",
                    None,
                    "old1",
                    10,
                    "2023-06-01T10:01:00",
                    9,
                    1,
                    None,
                ),
            ],
            "threads": [
                ("th1", "Thread", "m4", None, "2025-01-01T00:00:00"),
                ("th2", "Thread (fork)", "m6", "th1", "2025-01-02T00:00:00"),
            ],
            "turns": [
                ("t1", "th1", None, "m2", "gpt-4.1", "gpt-4.1-2025", 3, 4, "2025-01-01T00:00:00"),
                ("t2", "th1", "m2", "m4", "gpt-4.1", None, 8, 2, "2025-01-01T00:01:00"),
                ("t3", "th2", "m2", "m6", "o4-mini", None, 8, 5, "2025-01-02T00:00:00"),
            ],
            "messages": [
                ("m1", None, "user"),
                ("m2", "m1", "assistant"),
                ("m3", "m2", "user"),
                ("m4", "m3", "assistant"),
                ("m5", "m2", "user"),
                ("m6", "m5", "assistant"),
            ],
            "parts": [
                (1, "m1", 0, "text", None, "Hi", None),
                (2, "m2", 0, "text", None, "Hello", None),
                (3, "m3", 0, "text", None, "Tell a joke", None),
                (4, "m4", 0, "reasoning", None, "Hmm", None),
                (5, "m4", 1, "text", None, "A joke", None),
                (6, "m5", 0, "text", None, "Tell a poem", None),
                (7, "m6", 0, "tool_call", "clock", None, '{"tz": "UTC"}'),
                (8, "m6", 1, "text", None, "A poem", None),
            ],
        },
    )


def test_llm_both_generations_and_forked_threads_as_branches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, str(llm_db(tmp_path / "logs.db")))[0] == 0
    old, thread = imported("llm")
    assert old.title == "Old chat" and old.system == "Be exact."
    assert [m.content for m in old.messages] == ["2+2?", "4", "and 3+3?", "6"]
    assert old.messages[3].usage is not None and old.messages[3].usage.prompt_tokens == 9
    shown = thread.path()
    assert [m.content for m in shown[:2]] == ["Hi", "Hello"]
    assert shown[1].model == "gpt-4.1-2025", "the model that answered"
    prompts = thread.tree().siblings(shown[2])
    assert sorted(m.content for m in prompts) == ["Tell a joke", "Tell a poem"], "the fork"
    fork_reply = next(m for m in thread.messages if "A poem" in m.content)
    assert "Tool call: clock" in fork_reply.content and fork_reply.model == "o4-mini"
    joke = next(m for m in thread.messages if m.content == "A joke")
    assert joke.reasoning == "Hmm"


def test_parllama_folder_both_generations_of_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chats = tmp_path / "parllama" / "chats"
    chats.mkdir(parents=True)
    write_json(
        chats / "a.json",
        {
            "id": "p1",
            "name": "New style",
            "last_updated": "2025-03-01T12:00:00+00:00",
            "llm_config": {"provider": "Ollama", "model_name": "qwen3"},
            "total_cost": 0.5,
            "total_usage": {"input_tokens": 10, "output_tokens": 20, "total_tokens": 30},
            "messages": [
                {"id": "s", "role": "system", "content": "Sys"},
                {"id": "1", "role": "user", "content": "Q"},
                {
                    "id": "2",
                    "role": "assistant",
                    "content": "A",
                    "thinking": "T",
                    "images": ["abc"],
                },
            ],
        },
    )
    write_json(
        chats / "b.json",
        {
            "session_id": "p2",
            "session_name": "Old style",
            "llm_model_name": "llama2",
            "messages": [
                {"message_id": "1", "role": "user", "content": "Old Q"},
                {"message_id": "2", "role": "assistant", "content": "Old A"},
            ],
        },
    )
    assert run(capsys, str(tmp_path / "parllama"))[0] == 0
    titles = {c.title: c for c in imported("parllama")}
    new, old = titles["New style"], titles["Old style"]
    assert new.system == "Sys" and new.messages[1].reasoning == "T"
    assert "image not imported" in new.messages[1].content
    assert new.total_cost() == (0.5, False), "the chat's cost stays visible"
    assert [m.content for m in old.messages] == ["Old Q", "Old A"] and old.model == "llama2"


def test_gptme_logs_with_branches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "logs" / "2025-01-01-happy-otter"
    (folder / "branches").mkdir(parents=True)

    def line(role: str, content: str, second: int, **meta: object) -> str:
        entry: dict[str, object] = {
            "role": role,
            "content": content,
            "timestamp": f"2025-01-01T10:00:{second:02d}",
        }
        if meta:
            entry["metadata"] = meta
        return json.dumps(entry)

    start = [
        line("system", "You are gptme", 0),
        line("user", "ls", 1),
        line("assistant", "```shell\nls\n```", 2, model="claude-3-5", cost=0.01),
        line("system", "a.txt", 3),
    ]
    (folder / "conversation.jsonl").write_text(
        "\n".join([*start, line("user", "cat a.txt", 4)]) + "\n"
    )
    (folder / "branches" / "alt.jsonl").write_text("\n".join([*start, line("user", "rm a.txt", 5)]))
    assert run(capsys, str(tmp_path / "logs"))[0] == 0
    [conv] = imported("gptme")
    assert conv.system == "You are gptme" and conv.title == "2025-01-01-happy-otter"
    shown = conv.path()
    assert shown[-1].content == "cat a.txt", "conversation.jsonl is the branch on screen"
    assert sorted(m.content for m in conv.tree().siblings(shown[-1])) == ["cat a.txt", "rm a.txt"]
    assert shown[1].model == "claude-3-5" and "a.txt" in shown[2].content
    assert len(conv.messages) == 5, "the shared beginning is there once"


def test_a_second_import_adds_only_what_is_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_json(tmp_path / "conversations.json", chatgpt_generated(6, turns=3))
    assert run(capsys, str(export))[0] == 0
    store = SessionStore()
    before = {p.name: p.stat().st_mtime_ns for p in store.folder.glob("*.toml")}
    assert len(before) == 6
    code, out, _ = run(capsys, str(export))
    assert code == 0 and "0 conversations added, 0 updated, 6 already there" in out
    assert {p.name: p.stat().st_mtime_ns for p in store.folder.glob("*.toml")} == before
    # The user went on here in one of them, and in ChatGPT in two (the newer export).
    found = next(c for c in imported("chatgpt") if c.source_id.startswith("c00000"))
    first = store.load(found.id)
    from requesty_tui.core.domain import Message

    first.add(Message(role="user", content="Asked here, after the import"))
    store.save(first)
    newer = write_json(tmp_path / "newer.json", chatgpt_generated(6, turns=3, version=2))
    code, out, _ = run(capsys, "--dry-run", str(newer))
    assert "Dry run" in out and "2 would be updated" in out
    assert len(list(store.folder.glob("*.toml"))) == 6
    code, out, _ = run(capsys, str(newer))
    assert code == 0 and "0 conversations added, 2 updated, 4 already there" in out
    again = {c.source_id: c for c in imported("chatgpt")}
    assert len(again) == 6 and len(list(store.folder.glob("*.toml"))) == 6, "no duplicates"
    updated = again[first.source_id]
    assert updated.id == first.id
    contents = [m.content for m in updated.messages]
    assert "Asked here, after the import" in contents, "what was added here stays"
    assert any(c.startswith("Question 4 of conversation 0") for c in contents), "the new turns"

"""Session files: exact round trips, hand edits, damaged files left alone, no clobbering."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requesty_tui.core.domain import Conversation, Message, Usage
from requesty_tui.storage.export import to_markdown
from requesty_tui.storage.sessions import SessionError, SessionStore


def make_conv(cid: str = "20261126-184012-k3v9", n: int = 2) -> Conversation:
    conv = Conversation(id=cid, model="openai/gpt-4o-mini", title="Rust lifetimes")
    for i in range(n):
        conv.messages.append(Message(role="user", content=f"question {i} about lifetimes"))
        conv.messages.append(
            Message(
                role="assistant",
                content=f"answer {i}\n\n```rust\nfn x() {{}}\n```",
                model="openai/gpt-4o-mini",
                finish_reason="stop",
                usage=Usage(prompt_tokens=12, completion_tokens=340, cost=0.000212),
            )
        )
    return conv


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions", tmp_path / "index.sqlite3")


def test_save_load_round_trip_and_permissions(store: SessionStore) -> None:
    conv = make_conv()
    result = store.save(conv)
    assert result.forked_from is None
    assert stat.S_IMODE(os.stat(result.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.folder).st_mode) == 0o700
    loaded = store.load(conv.id)
    assert loaded.messages == conv.messages
    assert (loaded.title, loaded.model) == (conv.title, conv.model)
    text = result.path.read_text()
    assert 'role = "assistant"' in text and "format = 1" in text
    assert "```rust\nfn x() {}\n```" in text, "multi-line content stays readable"


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300
) | st.sampled_from(
    ['"""', "'''", "\\", "\r\n", "a\rb", "\t", "\x00\x1b[31m", "🎉 é e\u0301", '\\"""\\']
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(texts, min_size=1, max_size=6), texts)
def test_any_string_round_trips(store: SessionStore, contents: list[str], title: str) -> None:
    conv = Conversation(id="20260101-000000-abcd", model="m/x", title=title)
    conv.messages = [
        Message(
            role="user" if i % 2 == 0 else "assistant",
            content=c,
            reasoning=(c or None) if i % 2 else None,
        )
        for i, c in enumerate(contents)
    ]
    store._known.clear()
    store.path_for(conv.id).unlink(missing_ok=True)
    store.save(conv)
    loaded = store.load(conv.id)
    assert loaded.title == title
    assert [m.content for m in loaded.messages] == contents
    assert [m.reasoning for m in loaded.messages] == [
        (c or None) if i % 2 else None for i, c in enumerate(contents)
    ]


def test_one_megabyte_reply_round_trips(store: SessionStore) -> None:
    big = ("x" * 99 + "\n") * 10_000
    conv = make_conv()
    conv.messages[1].content = big
    store.save(conv)
    assert store.load(conv.id).messages[1].content == big


def test_hand_edited_file_is_read_as_edited(store: SessionStore) -> None:
    conv = make_conv()
    path = store.save(conv).path
    text = path.read_text().replace("question 0 about", "question 0 (fixed typo) about")
    text = text.replace(
        'model = "openai/gpt-4o-mini"\ncreated', 'model = "anthropic/x"\ncreated', 1
    )
    text = 'unknown_top = "kept"\n' + text
    path.write_text(text)
    loaded = store.load(conv.id)
    assert loaded.messages[0].content == "question 0 (fixed typo) about lifetimes"
    assert loaded.model == "anthropic/x"
    store.save(loaded)
    assert 'unknown_top = "kept"' in path.read_text(), "unknown keys survive a rewrite"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"this is [not toml", "not valid TOML"),
        (b'format = 5\nid = "x"\nmodel = "m"\n', "newer"),
        (b'format = 1\nmodel = "m"\n', "missing 'id'"),
        (b"", "missing 'format'"),
        (b'format = 1\nid = "x"\nmodel = "\xff\xfe"\n', "not UTF-8"),
    ],
    ids=["invalid", "future", "missing-key", "empty", "non-utf8"],
)
def test_unreadable_files_are_listed_and_untouched(
    store: SessionStore, content: bytes, reason: str
) -> None:
    store.save(make_conv("20261126-000000-good"))
    bad = store.folder / "20261126-000001-bad1.toml"
    bad.write_bytes(content)
    listed = store.summaries()
    broken = [s for s in listed if not s.readable]
    assert len(broken) == 1 and reason in (broken[0].error or "")
    assert broken[0].path == bad
    assert [s.id for s in listed if s.readable] == ["20261126-000000-good"]
    with pytest.raises(SessionError, match=reason):
        store.load("20261126-000001-bad1")
    assert bad.read_bytes() == content, "never rewritten"


def test_concurrent_edit_forks_instead_of_clobbering(store: SessionStore, tmp_path: Path) -> None:
    conv = make_conv()
    path = store.save(conv).path
    other = SessionStore(store.folder, tmp_path / "other.sqlite3")
    theirs = other.load(conv.id)
    theirs.messages.append(Message(role="user", content="from the other window"))
    other.save(theirs)
    conv.messages.append(Message(role="user", content="from this window"))
    result = store.save(conv)
    assert result.forked_from == "20261126-184012-k3v9"
    assert result.path != path
    assert "from the other window" in path.read_text()
    assert "from this window" in result.path.read_text()


def test_list_search_and_changes_behind_its_back(store: SessionStore) -> None:
    a = make_conv("20261126-100000-aaaa")
    a.title = "Rust lifetimes"
    a.messages[0].content = "What does the checker of borrows do?"
    b = make_conv("20261126-110000-bbbb")
    b.title = "Pasta recipes"
    b.messages[0].content = "How long to boil spaghetti carbonara?"
    store.save(a)
    store.save(b)
    listed = store.summaries()
    assert [s.id for s in listed] == [b.id, a.id], "newest first"
    assert listed[0].message_count == 4 and listed[0].cost == pytest.approx(0.000424)
    assert [s.id for s in store.search("carbon")] == [b.id]
    assert [s.id for s in store.search("borrow check")] == [a.id], "prefixes, any order"
    assert store.search("nothing-like-this") == []
    assert [s.id for s in store.search("spaghetti-carbon")] == [b.id], "each part of a word"
    assert store.search("---") == [], "punctuation alone is in no text"
    # Edited, added and deleted by hand while the index exists:
    text = store.path_for(a.id).read_text().replace("question 1", "question about quokkas")
    store.path_for(a.id).write_text(text)
    store.path_for(b.id).unlink()
    assert [s.id for s in store.search("quokkas")] == [a.id]
    assert [s.id for s in store.summaries()] == [a.id]


def test_damaged_index_is_rebuilt(store: SessionStore) -> None:
    store.save(make_conv())
    store.index_path.parent.mkdir(parents=True, exist_ok=True)
    store.index_path.write_bytes(b"garbage" * 100)
    assert len(store.summaries()) == 1


def test_markdown_export(store: SessionStore) -> None:
    conv = make_conv(n=1)
    conv.messages[1].finish_reason = "cancelled"
    conv.messages[1].reasoning = "Think about borrows first."
    md = to_markdown(conv)
    assert md.startswith("# Rust lifetimes\n")
    assert "## You\n\nquestion 0 about lifetimes" in md
    assert (
        "## openai/gpt-4o-mini (stopped)\n\n*12 in · 340 out · $0.000212*\n\n"
        "<details><summary>Thinking</summary>\n\n"
        "Think about borrows first.\n\n</details>\n\n" in md
    ), "each reply's model, tokens and cost"


def test_per_conversation_settings_and_estimates_round_trip() -> None:
    from requesty_tui.core.domain import RequestOptions
    from requesty_tui.storage.session_format import from_toml, to_toml

    conv = Conversation(id="20261126-000000-opts", model="a/b", system="Be terse.")
    conv.options = RequestOptions(
        reasoning_effort="10000",
        temperature=0.5,
        max_tokens=300,
        tags=["work", "tui"],
        trace_id="t-1",
        user_id="ana",
        auto_cache=False,
    )
    conv.messages = [
        Message(role="user", content="hi"),
        Message(
            role="assistant",
            content="yo",
            reasoning="think",
            usage=Usage(prompt_tokens=3, completion_tokens=1, estimated_cost=0.25),
        ),
    ]
    text = to_toml(conv)
    assert 'tags = [\n    "work",\n    "tui",\n]' in text or 'tags = ["work", "tui"]' in text
    back = from_toml(text)
    assert back.options == conv.options
    assert back.messages[1].usage == conv.messages[1].usage
    assert back.messages[1].reasoning == "think"
    # Hand-edited nonsense is dropped, not fatal.
    broken = from_toml(text.replace("temperature = 0.5", 'temperature = "warm"'))
    assert broken.options.temperature is None and broken.options.user_id == "ana"


def test_long_texts_are_literal_strings_that_round_trip_exactly() -> None:
    """Multi-line texts are written as TOML literal strings (fast to read back, no escapes);
    texts a literal string cannot hold fall back to escaped strings."""
    from requesty_tui.storage.session_format import from_toml, to_toml

    texts = [
        "a\nb",
        "\nleading newline",
        "trailing newline\n",
        'back\\slash\n"""quotes',
        "ends with a quote\n'",
        "holds ''' three\n",
        "tab\there\n",
        "escape \x1b[31m\n",
        "emoji 🎉\nx",
        "x\n\n\n",
    ]
    conv = Conversation(id="20261126-000000-lits", model="m/x")
    conv.messages = [Message(role="assistant", content=t, reasoning=t) for t in texts]
    text = to_toml(conv)
    assert "content = '''\na\nb'''" in text and "back\\slash" in text
    back = from_toml(text)
    assert [m.content for m in back.messages] == texts
    assert [m.reasoning for m in back.messages] == texts

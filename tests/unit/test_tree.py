"""Conversations as trees, over random sequences of send, edit, regenerate, switch, fork,
delete, save and load: the same tree, the same branch on screen and the same request body (the
path, nothing else) after a save and a load; a linear chat stays format 1 byte for byte."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from requesty_tui.chat import branches
from requesty_tui.chat.request import build_request
from requesty_tui.chat.turn import start_regeneration, start_turn
from requesty_tui.client.errors import ServerError
from requesty_tui.client.events import StreamEnd, TextDelta
from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.tree import Tree
from requesty_tui.storage.session_format import from_toml, to_toml


def shape(conv: Conversation) -> Any:
    """The tree as nested tuples of what a user sees (ids are not kept in format 1)."""
    tree = Tree(conv.messages)

    def node(message: Message) -> Any:
        kids = tuple(node(k) for k in tree.children.get(message.id, ()))
        return (message.role, message.content, message.finish_reason, kids)

    return tuple(node(m) for m in tree.children.get(None, ()))


def on_screen(conv: Conversation) -> list[tuple[str, str]]:
    return [(m.role, m.content) for m in conv.path()]


def answer(conv: Conversation, turn: Any, text: str, fail: bool) -> None:
    if fail:
        turn.end(error=ServerError("The provider failed with HTTP 500."))
        return
    turn.apply(TextDelta(text))
    turn.apply(StreamEnd("stop"))
    turn.end()


operations = st.lists(
    st.tuples(
        st.sampled_from(
            ["send", "edit", "regenerate", "switch", "fork", "delete", "reload", "fail"]
        ),
        st.integers(0, 30),
        st.sampled_from([-1, 1]),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_random_edits_survive_save_and_load(ops: list[tuple[str, int, int]]) -> None:
    conv = Conversation(id="20261201-000000-tree", model="m/x")
    for n, (op, pick, step) in enumerate(ops):
        path = conv.path()
        users = [m for m in path if m.role == "user"]
        replies = [m for m in path if m.role == "assistant"]
        if op in ("send", "fail") or not path:
            turn = start_turn(conv, f"prompt {n}", "m/x")
            answer(conv, turn, f"reply {n}", fail=op == "fail")
        elif op == "edit" and users:
            original = users[pick % len(users)]
            turn = start_turn(conv, f"edit {n}", "m/x", instead_of=original)
            answer(conv, turn, f"reply {n}", fail=pick % 5 == 0)
            assert all(m.id in Tree(conv.messages).by_id for m in users), "nothing lost"
        elif op == "regenerate" and replies:
            reply = replies[pick % len(replies)]
            prompt = branches.reply_parent(conv, reply)
            assert prompt is not None
            before = len(conv.messages)
            turn = start_regeneration(conv, prompt, "m/x")
            answer(conv, turn, f"again {n}", fail=pick % 5 == 0)
            assert len(conv.messages) in (before, before + 1)
            assert conv.holds(reply), "the old reply stays, as an alternative"
        elif op == "switch":
            branches.switch(conv, path[pick % len(path)], step)
        elif op == "fork":
            at = path[pick % len(path)]
            forked = branches.fork(conv, at)
            assert on_screen(forked) == on_screen(conv)[: path.index(at) + 1]
            assert not Tree(forked.messages).forks()
        elif op == "delete":
            target = path[pick % len(path)]
            gone = branches.delete(conv, target)
            assert gone >= 1 and not conv.holds(target)
        elif op == "reload":
            conv = from_toml(to_toml(conv))
        # The branch on screen is a chain from the start, and it is what would be sent.
        chain = conv.path()
        tree = conv.tree()
        for parent, child in zip([None, *chain], chain, strict=False):
            assert tree.parent(child) is parent
        body = build_request(conv, None).to_body()["messages"]
        assert body == [{"role": m.role, "content": m.content} for m in chain if m.content]
        loaded = from_toml(to_toml(conv))
        assert shape(loaded) == shape(conv)
        assert on_screen(loaded) == on_screen(conv)
        assert build_request(loaded, None).to_body() == build_request(conv, None).to_body()
        assert ("format = 2" in to_toml(conv)) == tree.forks()


def test_a_linear_chat_is_written_exactly_as_format_1() -> None:
    conv = Conversation(id="20261201-000000-line", model="m/x")
    for n in range(3):
        turn = start_turn(conv, f"prompt {n}", "m/x")
        answer(conv, turn, f"reply {n}", fail=False)
    plain = Conversation(id=conv.id, model="m/x", title=conv.title, created=conv.created)
    plain.updated = conv.updated
    plain.messages = [
        Message(role=m.role, content=m.content, created=m.created, model=m.model,
                finish_reason=m.finish_reason)
        for m in conv.messages
    ]  # fmt: skip
    assert to_toml(conv) == to_toml(plain), "no ids, no parents, no leaf"
    assert "format = 1" in to_toml(conv) and "id = " not in to_toml(conv).split("[[messages]]")[1]


def test_regenerating_then_deleting_the_alternative_is_linear_again() -> None:
    conv = Conversation(id="20261201-000000-back", model="m/x")
    answer(conv, start_turn(conv, "question", "m/x"), "first answer", fail=False)
    prompt, first = conv.messages
    answer(conv, start_regeneration(conv, prompt, "m/x"), "second answer", fail=False)
    assert branches.position(conv, conv.path()[-1]) == (2, 2)
    assert "format = 2" in to_toml(conv)
    branches.switch(conv, conv.path()[-1], -1)
    assert conv.path()[-1] is first
    branches.delete(conv, conv.messages[2])
    assert on_screen(conv) == [("user", "question"), ("assistant", "first answer")]
    assert "format = 1" in to_toml(conv)


DAMAGED = """\
format = 2
id = "20261201-000000-hurt"
model = "m/x"
leaf = "{leaf}"

[[messages]]
id = "q1"
role = "user"
content = "question"

[[messages]]
id = "a1"
role = "assistant"
content = "first answer"

[[messages]]
id = "a2"
parent = "{parent}"
role = "assistant"
content = "second answer"

[[messages]]
id = "q2"
parent = "{q2_parent}"
role = "user"
content = "more"
"""


def test_a_hand_edited_leaf_and_a_deleted_branch_are_read_as_written() -> None:
    # Hand edits a user makes on purpose: the branch on screen moved, a branch deleted.
    text = DAMAGED.format(leaf="a1", parent="q1", q2_parent="a2")
    conv = from_toml(text)
    assert on_screen(conv) == [("user", "question"), ("assistant", "first answer")]
    assert conv.problems == []
    without_branch = text.split('[[messages]]\nid = "a2"')[0]
    conv = from_toml(without_branch)
    assert on_screen(conv) == [("user", "question"), ("assistant", "first answer")]
    assert conv.problems == []


def test_damaged_trees_load_as_far_as_they_make_sense() -> None:
    # A parent that does not exist: the message hangs under the one before it.
    conv = from_toml(DAMAGED.format(leaf="q2", parent="gone", q2_parent="a2"))
    assert any("unknown parent 'gone'" in p for p in conv.problems)
    assert on_screen(conv) == [
        ("user", "question"), ("assistant", "first answer"),
        ("assistant", "second answer"), ("user", "more"),
    ]  # fmt: skip
    # A cycle (a2 under q2, q2 under a2): broken, every message still there and reachable.
    conv = from_toml(DAMAGED.format(leaf="q2", parent="q2", q2_parent="a2"))
    assert any("its own ancestor" in p for p in conv.problems)
    assert len(conv.messages) == 4
    assert on_screen(conv)[-1] == ("user", "more")
    for message in conv.messages:
        path = conv.tree().path_to(message)
        assert conv.tree().parent(path[0]) is None, "every message leads back to a start"
    # A leaf that is gone: the newest branch is shown, and the user is told.
    conv = from_toml(DAMAGED.format(leaf="zzz", parent="q1", q2_parent="a2"))
    assert any("'zzz', which is not there" in p for p in conv.problems)
    assert on_screen(conv)[-1] == ("user", "more")
    # Once saved (the user changed something), the file is a sound tree again.
    again = from_toml(to_toml(conv))
    assert again.problems == [] and shape(again) == shape(conv)


def test_export_shows_the_branch_on_screen_and_with_all_branches_every_message() -> None:
    from requesty_tui.storage.export import to_markdown

    conv = Conversation(id="20261201-000000-expo", model="m/x", title="Export")
    answer(conv, start_turn(conv, "question alpha", "m/x"), "answer bravo", fail=False)
    answer(conv, start_regeneration(conv, conv.messages[0], "m/x"), "answer charlie", fail=False)
    answer(conv, start_turn(conv, "follow-up delta", "m/x"), "answer echo", fail=False)
    original = conv.messages[0]
    answer(conv, start_turn(conv, "question foxtrot", "m/x", instead_of=original),
           "answer golf", fail=False)  # fmt: skip
    plain = to_markdown(conv)
    assert "question foxtrot" in plain and "answer golf" in plain
    assert "alpha" not in plain and "charlie" not in plain, "only the branch on screen"
    everything = to_markdown(conv, all_branches=True)
    for message in conv.messages:
        assert message.content in everything, message.content
    assert everything.count("<details>") == everything.count("</details>") == 2

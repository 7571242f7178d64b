"""Find's occurrences: counted per part, each one reachable by its place (issue 28)."""

from __future__ import annotations

from requesty_tui.chat import find
from requesty_tui.core.domain import Conversation, Message


def test_every_occurrence_has_its_place_top_to_bottom() -> None:
    conv = Conversation(id="20261205-000000-find", model="m")
    conv.messages = [
        Message(role="user", content="the cat and the hat"),
        Message(role="assistant", content="no match here", reasoning="the thinking"),
        Message(role="user", content="THE end, the end"),
    ]
    found = find.matches(conv, find.find_pattern("the"))
    assert len(found) == 5  # case-insensitive: "THE" too
    places = [
        (conv.messages.index(m.message), m.part, m.occurrence)
        for m in map(found.__getitem__, range(5))
    ]
    assert places == [(0, "content", 0), (0, "content", 1), (1, "reasoning", 0),
                      (2, "content", 0), (2, "content", 1)]  # fmt: skip
    assert found[-1] == found[4]
    assert found.index_of(found[3]) == 3
    assert found.first(lambda message, _part: message is conv.messages[2]) == 3
    assert found.first(lambda message, _part: message is conv.messages[0], last=True) == 1
    assert len(find.matches(conv, find.find_pattern("The"))) == 0  # a capital: exact case
    assert not find.matches(conv, None)

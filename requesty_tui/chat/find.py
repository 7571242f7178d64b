"""Find in a conversation: every place some text occurs, in the branch on screen and elsewhere.

The text searched is what the messages hold (a reply's Markdown source, its thinking, its tool
calls' arguments and their results), matched literally: a query is never a regular expression,
and it is case-insensitive unless it has a capital letter (as editors' "smart case"). The UI
marks the same pattern where it draws the text (:mod:`requesty_tui.ui.widgets.highlight`).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from requesty_tui.core.domain import Conversation, Message

Part = Literal["content", "reasoning", "arguments", "result"]


@dataclass(frozen=True, slots=True)
class Match:
    """One occurrence: the message whose widget shows it, the part of that widget, which of
    the part's occurrences (0-based), and the tool call for ``arguments`` and ``result``."""

    message: Message
    part: Part
    occurrence: int
    call_id: str = ""


def find_pattern(query: str) -> re.Pattern[str] | None:
    """The query as a literal pattern: case-insensitive unless it has a capital; None when
    there is nothing to look for."""
    if not query.strip():
        return None
    flags = 0 if any(c.isupper() for c in query) else re.IGNORECASE
    return re.compile(re.escape(query), flags)


def _count(pattern: re.Pattern[str], text: str | None) -> int:
    # The pattern is a non-empty literal (find_pattern): no empty match to leave out.
    return len(pattern.findall(text)) if text else 0


def _parts(conversation: Conversation, message: Message) -> Iterator[tuple[Part, str, str]]:
    """A shown message's texts, in the order its widget draws them."""
    if message.reasoning:
        yield "reasoning", "", message.reasoning
    if message.content:
        yield "content", "", message.content
    if message.role == "assistant" and message.tool_calls:
        results = conversation.results_of(message)
        for call in message.tool_calls:
            yield "arguments", call.id, call.arguments
            result = results.get(call.id)
            if result is not None:
                yield "result", call.id, result.content


Group = tuple[Message, Part, str, int]
"""A message's part (and its tool call) and how many occurrences it holds."""


class Matches:
    """Every occurrence in the branch on screen, top to bottom, as a count per part of each
    message; a :class:`Match` is made when one is asked for. A one-letter query in a 2 MB
    conversation has 130,000 occurrences: an object each took 120 ms a key
    (``benchmarks/find_in_chat.py``)."""

    def __init__(self, groups: list[Group]) -> None:
        self.groups = groups
        self._starts = list(itertools.accumulate((g[3] for g in groups), initial=0))

    def __len__(self) -> int:
        return self._starts[-1]

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, index: int) -> Match:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        group = bisect.bisect_right(self._starts, index) - 1
        message, part, call_id, _count = self.groups[group]
        return Match(message, part, index - self._starts[group], call_id)

    def index_of(self, match: Match) -> int | None:
        """Where ``match`` is now (None: gone)."""
        for start, (message, part, call_id, count) in zip(self._starts, self.groups, strict=False):
            if message is match.message and (part, call_id) == (match.part, match.call_id):
                return start + match.occurrence if match.occurrence < count else None
        return None

    def first(self, where: Callable[[Message, Part], bool], last: bool = False) -> int | None:
        """The first (or last) occurrence in a part for which ``where`` holds."""
        pairs = list(zip(self._starts, self.groups, strict=False))
        for start, (message, part, _call, count) in reversed(pairs) if last else pairs:
            if where(message, part):
                return start + count - 1 if last else start
        return None


def matches(conversation: Conversation, pattern: re.Pattern[str] | None) -> Matches:
    """Every occurrence in the branch on screen, top to bottom."""
    if pattern is None:
        return Matches([])
    groups: list[Group] = []
    for message in conversation.path():
        if message.role not in ("user", "assistant"):
            continue  # a tool's result is shown (and found) in the reply that called it
        for part, call_id, text in _parts(conversation, message):
            count = _count(pattern, text)
            if count:
                groups.append((message, part, call_id, count))
    return Matches(groups)


def elsewhere(conversation: Conversation, pattern: re.Pattern[str] | None) -> list[Message]:
    """The messages of other branches that hold the text (each once), oldest first."""
    if pattern is None:
        return []
    shown = {id(m) for m in conversation.path()}
    return [
        m
        for m in conversation.messages
        if id(m) not in shown
        and (_count(pattern, m.content) or _count(pattern, m.reasoning) or _in_calls(pattern, m))
    ]


def count_elsewhere(conversation: Conversation, pattern: re.Pattern[str] | None) -> int:
    """How many occurrences the other branches hold."""
    total = 0
    for m in elsewhere(conversation, pattern):
        assert pattern is not None
        total += _count(pattern, m.content) + _count(pattern, m.reasoning)
        total += sum(_count(pattern, call.arguments) for call in m.tool_calls)
    return total


def _in_calls(pattern: re.Pattern[str], message: Message) -> bool:
    return any(_count(pattern, call.arguments) for call in message.tool_calls)


def show_branch_of(conversation: Conversation, message: Message) -> None:
    """Put the branch holding ``message`` on screen (below it: as last seen)."""
    conversation.show(conversation.tree().descend(message, conversation.branches))

"""A conversation as a tree: edits and regenerated replies are alternatives, siblings under the
same parent; the branch on screen runs from the first message to the conversation's ``leaf``.

The messages stay one list, in the order they were made (the session file's order). A message's
``parent`` says where it hangs: ``None`` is the message before it in the list (so a linear chat
needs no parents at all, in memory or on disk), ``ROOT`` starts the conversation (an edited
first prompt), anything else is a message's id. A parent is always made before its children, so
following parents always ends at a root; a hand-edited file can break that, and
:func:`repair` makes the best of it.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

ROOT = ""
"""A ``parent`` that starts the conversation (any message but the first needs it to)."""


class Node(Protocol):
    """What the tree reads of a message (and :func:`repair` rewrites): the tree knows nothing
    else of it, so it needs no import of the domain, which builds on it."""

    id: str
    parent: str | None


Message = TypeVar("Message", bound=Node)
"""A :class:`~requesty_tui.core.domain.Message`, as far as the tree is concerned."""


_ID_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def random_name(length: int) -> str:
    """``length`` lowercase letters and digits from one read of the system's randomness (a
    linear file's 1,000 messages get their ids as it is read: a read per character took 6 ms
    of opening it). Up to 8: 48 bits for at most 41, all but uniform."""
    number = int.from_bytes(os.urandom(6))
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 36)
        chars.append(_ID_CHARACTERS[digit])
    return "".join(chars)


def new_message_id() -> str:
    """Six lowercase letters and digits: short enough to edit by hand, unique enough in a file."""
    return random_name(6)


class Tree(Generic[Message]):
    """An index of a list of messages: parents, children, paths. Cheap (one pass); built
    when needed, so that code which appends to the list directly stays right."""

    def __init__(self, messages: Sequence[Message]) -> None:
        self.messages = messages
        self.by_id: dict[str, Message] = {}
        self.parent_id: dict[str, str | None] = {}
        self.children: dict[str | None, list[Message]] = defaultdict(list)
        previous: Message | None = None
        for message in messages:
            self.by_id[message.id] = message
            if message.parent is None:
                parent = previous.id if previous is not None else None
            elif message.parent == ROOT:
                parent = None
            else:
                parent = message.parent
            self.parent_id[message.id] = parent
            self.children[parent].append(message)
            previous = message

    def parent(self, message: Message) -> Message | None:
        parent = self.parent_id.get(message.id)
        return self.by_id.get(parent) if parent is not None else None

    def siblings(self, message: Message) -> list[Message]:
        """Its alternatives, itself included, in the order they were made."""
        return self.children[self.parent_id.get(message.id)]

    def path_to(self, message: Message) -> list[Message]:
        """From the first message down to ``message``."""
        path = []
        node: Message | None = message
        seen: set[str] = set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            path.append(node)
            node = self.parent(node)
        path.reverse()
        return path

    def descend(self, message: Message, memory: dict[str, str]) -> Message:
        """The end of the branch below ``message``: at each fork the child last on screen
        (``memory``: parent id → child id), else the newest."""
        node = message
        seen = {node.id}
        while True:
            kids = self.children.get(node.id)
            if not kids:
                return node
            chosen = self.by_id.get(memory.get(node.id, ""))
            node = chosen if chosen is not None and chosen in kids else kids[-1]
            if node.id in seen:
                return node
            seen.add(node.id)

    def alternatives(
        self, message: Message, memory: dict[str, str]
    ) -> list[tuple[Message, list[Message]]]:
        """``message``'s other versions, each with its branch as last seen (from the version
        down, see :meth:`descend`): what an export folds in after it."""
        found = []
        for other in self.siblings(message):
            if other is not message:
                start = len(self.path_to(other)) - 1
                found.append((other, self.path_to(self.descend(other, memory))[start:]))
        return found

    def below(self, message: Message) -> list[Message]:
        """The message and everything that hangs under it."""
        out, todo = [], [message]
        while todo:
            node = todo.pop()
            out.append(node)
            todo.extend(self.children.get(node.id, ()))
        return out

    def forks(self) -> bool:
        """Any message (or the start) with two children or more: the file needs format 2."""
        return any(len(kids) > 1 for kids in self.children.values())


def repair(messages: Sequence[Message], leaf: str | None) -> tuple[str | None, list[str]]:
    """Make a hand-edited tree usable: duplicate ids renamed, unknown parents become "the
    message before", cycles broken, a leaf that is gone replaced by the last message. Returns
    the leaf and what was wrong (for a notice); fixes the messages in place."""
    problems: list[str] = []
    seen: set[str] = set()
    for message in messages:
        if message.id in seen:
            old, message.id = message.id, new_message_id()
            problems.append(f"two messages had the id {old!r}")
        seen.add(message.id)
    for message in messages:
        if message.parent and message.parent not in seen:
            problems.append(f"message {message.id!r} had an unknown parent {message.parent!r}")
            message.parent = None
    # Parents that come earlier in the list cannot make a cycle (each step goes back): only a
    # hand edit that points forward needs the walk up (a linear 1,000-message file has none).
    where = {m.id: n for n, m in enumerate(messages)}
    if any(m.parent and where[m.parent] >= n for n, m in enumerate(messages)):
        tree = Tree(messages)
        for message in messages:
            node: Message | None = message
            visited: set[str] = set()
            while node is not None:
                if node.id in visited:
                    problems.append(f"message {node.id!r} was its own ancestor")
                    node.parent = ROOT
                    tree = Tree(messages)
                    break
                visited.add(node.id)
                node = tree.parent(node)
    if leaf is not None and leaf not in seen:
        problems.append(f"the branch on screen ended at {leaf!r}, which is not there")
        leaf = None
    return leaf, problems

"""What every importer produces: a source's conversation as nodes of a tree (:class:`Imported`),
and the one function that turns it into our :class:`Conversation`.

Each source reads its own shape into :class:`Node` s (its ids and parents as they are); the
ordering, our message ids, the parents we write, the branch on screen and the digest that tells
an unchanged conversation are decided here, once for every source.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from requesty_tui.core.domain import (
    Attachment,
    Conversation,
    Message,
    Usage,
    new_conversation_id,
    utc_now,
)
from requesty_tui.core.tree import ROOT

KINDS = ("chatgpt", "claude", "elia", "oterm", "llm", "parllama", "gptme")
"""What ``import --from`` takes (and what ``from:`` in the browser filters by)."""

LABELS = {
    "chatgpt": "ChatGPT",
    "claude": "Claude.ai",
    "elia": "Elia",
    "oterm": "oterm",
    "llm": "llm",
    "parllama": "PAR LLAMA",
    "gptme": "gptme",
}


class Unreadable(Exception):
    """The whole source cannot be read (a corrupt zip, an unknown format, a locked or
    newer-schema database); the message names the file and the reason."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One conversation (or the rest of a file) that could not be read; the others go on."""

    where: str
    """The file, and the conversation when there is one (``…json: conversation 'abc'``)."""
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(slots=True)
class Node:
    """One message as the source has it."""

    id: str
    parent: str | None
    """The source's id of the message it answers or follows; None: it starts the conversation."""
    role: Literal["user", "assistant", "system"]
    text: str
    created: datetime | None = None
    model: str | None = None
    reasoning: str | None = None
    usage: Usage | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    """Attached files (name, bytes): Claude's extracted text, oterm's images."""


@dataclass(slots=True)
class Imported:
    """A source's conversation, before it is ours."""

    source: str
    source_id: str
    title: str
    nodes: list[Node]
    created: datetime | None = None
    updated: datetime | None = None
    system: str | None = None
    current: str | None = None
    """The source's id of the message the user last saw (the branch on screen); None, or an id
    that is not among the nodes: the newest leaf."""
    model: str | None = None
    """The conversation's model when the source names one apart from the replies."""

    def digest(self) -> str:
        """Changes whenever anything imported would change (a message more, an edit, a title)."""
        h = hashlib.blake2b(digest_size=12)
        head = [self.title, self.system or "", self.current or "", self.model or ""]
        h.update(json.dumps(head).encode())
        for node in self.nodes:
            parts = [node.id, node.parent, node.role, node.text, node.model, node.reasoning]
            files = [(name, hashlib.sha256(data).hexdigest()) for name, data in node.files]
            h.update(json.dumps([*parts, files]).encode())
        return h.hexdigest()


def obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (exports are read leniently)."""
    return value if isinstance(value, dict) else {}


def count(value: Any) -> int | None:
    """A token count, or None for anything that is not an integer."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_time(value: Any) -> datetime | None:
    """Unix seconds (int, float or a numeric string) or ISO 8601; None when it is neither."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(float(value), UTC).replace(microsecond=0)
        if isinstance(value, str) and value:
            try:
                return datetime.fromtimestamp(float(value), UTC).replace(microsecond=0)
            except ValueError:
                pass
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC).replace(microsecond=0)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def note(what: str) -> str:
    """A visible one-line note for something that could not come (an image, audio)."""
    return f"*[{what}]*"


def folded(label: str, body: str, language: str = "") -> str:
    """A tool call or result that has no place of its own here, as text in the message."""
    fence = "```"
    while fence in body:
        fence += "`"
    return f"**{label}**\n\n{fence}{language}\n{body.rstrip()}\n{fence}"


def _is_text(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def message_id(source_id: str, taken: set[str]) -> str:
    """Ours, from the source's: the same message gets the same id at every import (which is
    how a second import finds what the user added since)."""
    base = hashlib.blake2b(source_id.encode(), digest_size=4).hexdigest()
    candidate, n = base, 1
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


def _order(nodes: list[Node]) -> tuple[list[Node], dict[str, str | None]]:
    """Parents before children (depth first; siblings in the order they were made), and each
    node's parent among the nodes (an unknown parent starts the conversation)."""
    by_id = {n.id: n for n in nodes}
    parent_of = {
        n.id: (n.parent if n.parent in by_id and n.parent != n.id else None) for n in nodes
    }
    children: dict[str | None, list[Node]] = defaultdict(list)
    for n in nodes:
        children[parent_of[n.id]].append(n)
    epoch = datetime.min.replace(tzinfo=UTC)
    for kids in children.values():
        kids.sort(key=lambda n: n.created or epoch)  # stable: the source's order on ties
    out: list[Node] = []
    seen: set[str] = set()
    todo = list(reversed(children[None]))
    while todo:
        node = todo.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        out.append(node)
        todo.extend(reversed(children[node.id]))
    # A cycle (a broken export) is not reachable from a root: its nodes start the conversation.
    for node in nodes:
        if node.id not in seen:
            parent_of[node.id] = None
            seen.add(node.id)
            out.append(node)
    return out, parent_of


def newest_leaf(nodes: list[Node], parent_of: dict[str, str | None]) -> Node | None:
    """The leaf made last (the last in the source's order on a tie)."""
    parents = {p for p in parent_of.values() if p is not None}
    leaves = [n for n in nodes if n.id not in parents]
    epoch = datetime.min.replace(tzinfo=UTC)
    best: Node | None = None
    for node in leaves:
        if best is None or (node.created or epoch) >= (best.created or epoch):
            best = node
    return best


def to_conversation(
    item: Imported,
    default_model: str,
    attach: Callable[[str, bytes], Attachment | None] | None = None,
    now: datetime | None = None,
) -> Conversation:
    """Our conversation: the same tree (a list stays a list, written as format 1), the branch
    the user last saw on screen. ``attach(name, text)`` keeps a file's text as an attachment
    (None: the text goes into the message instead)."""
    now = now or utc_now()
    ordered, parent_of = _order(item.nodes)
    taken: set[str] = set()
    ours = {n.id: message_id(n.id, taken) for n in ordered}
    messages: list[Message] = []
    previous: str | None = None
    last_model = None
    for node in ordered:
        parent = parent_of[node.id]
        text = node.text
        attachments = []
        for name, data in node.files:
            kept = attach(name, data) if attach is not None else None
            if kept is not None:
                attachments.append(kept)
            elif attach is None and _is_text(data):
                text = f"{text}\n\n{folded(name, data.decode())}".lstrip()
            else:
                text = f"{text}\n\n{note(f'file not imported: {name}')}".lstrip()
        msg = Message(
            role=node.role,
            content=text,
            created=node.created or item.created or now,
            model=node.model if node.role == "assistant" else None,
            reasoning=node.reasoning or None,
            usage=node.usage,
            attachments=attachments,
            id=ours[node.id],
        )
        if node.model and node.role == "assistant":
            last_model = node.model
        if parent is None:
            msg.parent = ROOT if messages else None
        elif parent != previous:
            msg.parent = ours[parent]
        messages.append(msg)
        previous = node.id
    created = item.created or (messages[0].created if messages else now)
    conv = Conversation(
        id=new_conversation_id(created),
        model=item.model or last_model or default_model,
        title=item.title.strip() or "",
        created=created,
        updated=item.updated or (max(m.created for m in messages) if messages else created),
        system=item.system or None,
        messages=messages,
        source=item.source,
        source_id=item.source_id,
        source_digest=item.digest(),
    )
    if conv.title == "" and messages:
        from requesty_tui.core.domain import make_title

        first = next((m for m in messages if m.role == "user"), messages[0])
        conv.title = make_title(first.content)
    if messages and conv.tree().forks():
        end_node = next((n for n in ordered if n.id == item.current), None)
        if end_node is None:
            end_node = newest_leaf(ordered, parent_of)
        tree = conv.tree()
        end = tree.by_id[ours[end_node.id]] if end_node is not None else messages[-1]
        conv.show(tree.descend(end, {}) if end_node is not None else end)
    elif messages:
        conv.leaf = None
    return conv

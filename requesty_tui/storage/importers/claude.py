"""A Claude.ai conversation (``chat_messages`` linked by ``parent_message_uuid``) as an
:class:`Imported` tree; the branch on screen is the one whose subtree holds the newest message.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from requesty_tui.storage.importers.model import Imported, Node, folded, note, parse_time


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_text(c.get("text")) for c in content if isinstance(c, dict))
    return json.dumps(content, ensure_ascii=False, indent=2) if content is not None else ""


def _content(message: dict[str, Any]) -> tuple[str, str]:
    """(text, thinking) from the typed ``content`` items; the flattened ``text`` without them."""
    items = message.get("content")
    if not isinstance(items, list) or not items:
        return _text(message.get("text")), ""
    texts: list[str] = []
    thinking: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "text":
            texts.append(_text(item.get("text")))
        elif kind == "thinking":
            thinking.append(_text(item.get("thinking")))
        elif kind == "tool_use":
            arguments = json.dumps(item.get("input"), ensure_ascii=False, indent=2)
            texts.append(
                folded(f"Tool call: {_text(item.get('name')) or 'tool'}", arguments, "json")
            )
        elif kind == "tool_result":
            failed = " (failed)" if item.get("is_error") is True else ""
            label = f"Tool result: {_text(item.get('name')) or 'tool'}{failed}"
            texts.append(folded(label, _result_text(item.get("content"))))
        elif kind not in ("token_budget", None):
            texts.append(note(f"{kind} not imported"))
    text = "\n\n".join(t for t in texts if t)
    return text or _text(message.get("text")), "\n\n".join(t for t in thinking if t)


def _newest_branch(nodes: list[Node]) -> str | None:
    """At each fork the child whose subtree holds the newest message (not the newest child)."""
    by_id = {n.id: n for n in nodes}
    children: dict[str | None, list[Node]] = defaultdict(list)
    for node in nodes:
        parent = node.parent if node.parent in by_id else None
        children[parent].append(node)
    epoch = datetime.min.replace(tzinfo=UTC)
    newest: dict[str, datetime] = {}
    # Children after parents in a depth-first order; walked backwards, each subtree is done.
    order: list[Node] = []
    todo = list(children[None])
    seen: set[str] = set()
    while todo:
        node = todo.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        order.append(node)
        todo.extend(children[node.id])
    for node in reversed(order):
        times = [node.created or epoch, *(newest.get(c.id, epoch) for c in children[node.id])]
        newest[node.id] = max(times)
    level = children[None]
    end: str | None = None
    visited: set[str] = set()
    while level:
        best = max(level, key=lambda n: newest.get(n.id, epoch))
        if best.id in visited:
            break
        visited.add(best.id)
        end = best.id
        level = children[best.id]
    return end


def convert(conv: dict[str, Any]) -> Imported:
    """Raises ValueError (with a reason) for a conversation that is not one."""
    source_id = _text(conv.get("uuid"))
    messages = conv.get("chat_messages")
    if not source_id:
        raise ValueError("no uuid")
    if not isinstance(messages, list):
        raise ValueError("no 'chat_messages' list")
    nodes: list[Node] = []
    for n, message in enumerate(messages, 1):
        if not isinstance(message, dict):
            raise ValueError(f"message {n} is not an object")
        text, thinking = _content(message)
        files: list[tuple[str, bytes]] = []
        notes: list[str] = []
        for attachment in message.get("attachments") or []:
            if not isinstance(attachment, dict):
                continue
            name = _text(attachment.get("file_name")) or "attachment"
            body = _text(attachment.get("extracted_content"))
            if body:
                files.append((name, body.encode()))
            else:
                notes.append(note(f"file not in the export: {name}"))
        for item in message.get("files") or []:
            if isinstance(item, dict):
                notes.append(note(f"file not in the export: {_text(item.get('file_name'))}"))
        text = "\n\n".join(t for t in (text, *notes) if t)
        nodes.append(
            Node(
                id=_text(message.get("uuid")) or f"{source_id}#{n}",
                parent=_text(message.get("parent_message_uuid")) or None,
                role="user" if message.get("sender") == "human" else "assistant",
                text=text,
                created=parse_time(message.get("created_at")),
                reasoning=thinking or None,
                files=files,
            )
        )
    # Exports before branching was recorded have no parents at all: a list, in its order.
    if nodes and all(n.parent is None or n.parent not in {m.id for m in nodes} for n in nodes):
        for before, node in pairwise(nodes):
            node.parent = before.id
    return Imported(
        source="claude",
        source_id=source_id,
        title=_text(conv.get("name")),
        nodes=nodes,
        created=parse_time(conv.get("created_at")),
        updated=parse_time(conv.get("updated_at")),
        current=_newest_branch(nodes),
    )

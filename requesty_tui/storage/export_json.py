"""A conversation's whole tree as JSON, in a shape documented in the README (``"format":
"requesty-tui.conversation", "version": 1``): every message with its ``id`` and its ``parent``
spelt out (null: it starts the conversation), and ``branch``, the ids of the branch on screen.
Keys with nothing to say are left out; the README lists them all."""

from __future__ import annotations

import json
from typing import Any

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.tree import Tree
from requesty_tui.storage.session_fields import usage_to_dict

SHAPE = "requesty-tui.conversation"
VERSION = 1


def _message(msg: Message, parent: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": msg.id,
        "parent": parent,
        "role": msg.role,
        "content": msg.content,
        "created": msg.created.isoformat(),
    }
    optional: dict[str, Any] = {
        "model": msg.model,
        "finish_reason": msg.finish_reason,
        "reasoning": msg.reasoning,
        "usage": usage_to_dict(msg.usage) if msg.usage is not None else None,
        "attachments": [
            {"name": a.name, "sha256": a.sha256, "size": a.size, "kind": a.kind, "mime": a.mime}
            for a in msg.attachments
        ],
        "tool_calls": [
            {
                k: v
                for k, v in (
                    ("id", c.id),
                    ("name", c.name),
                    ("arguments", c.arguments),
                    ("server", c.server),
                    ("tool", c.tool),
                )
                if v is not None
            }
            for c in msg.tool_calls
        ],
        "tool_call_id": msg.tool_call_id,
        "tool_status": msg.tool_status,
        "tool_truncated": msg.tool_truncated or None,
        "copied": msg.copied or None,
    }
    out.update({k: v for k, v in optional.items() if v not in (None, [], "")})
    return out


def to_dict(conv: Conversation) -> dict[str, Any]:
    tree = Tree(conv.messages)
    doc: dict[str, Any] = {
        "format": SHAPE,
        "version": VERSION,
        "id": conv.id,
        "title": conv.title,
        "model": conv.model,
        "created": conv.created.isoformat(),
        "updated": conv.updated.isoformat(),
    }
    if conv.system:
        doc["system"] = conv.system
    if conv.source:
        doc["source"] = {"kind": conv.source, "id": conv.source_id}
    if conv.compare:
        doc["compare"] = list(conv.compare)
    total = conv.total_cost()
    if total is not None:
        doc["total_cost"] = {"usd": total[0], "estimated": total[1]}
    doc["branch"] = [m.id for m in conv.path()]
    doc["messages"] = [_message(m, tree.parent_id.get(m.id)) for m in conv.messages]
    return doc


def to_json(conv: Conversation) -> str:
    return json.dumps(to_dict(conv), ensure_ascii=False, indent=2) + "\n"

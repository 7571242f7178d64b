"""A ChatGPT conversation (its ``mapping`` tree) as an :class:`Imported` tree.

Hidden nodes (the empty root, ``system`` messages, anything ``is_visually_hidden_from_
conversation``) are left out and their children hang from the nearest node shown; the nodes of
one visible turn (thinking, a tool call, its output, the answer: until ``end_turn``) become one
reply; the other children of a node are edits and regenerations, our alternatives.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from requesty_tui.storage.importers.model import Imported, Node, folded, note, obj, parse_time

_TURN = ("assistant", "tool")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _part(part: Any) -> str:
    """One of ``parts``: a string, or an object for what is not text."""
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        return ""
    kind = _text(part.get("content_type")) or "attachment"
    if kind == "audio_transcription":
        return _text(part.get("text"))
    if kind == "image_asset_pointer":
        return note(
            f"image not imported: {_text(part.get('asset_pointer')) or 'not in the export'}"
        )
    if "audio" in kind:
        return note("audio not imported")
    return note(f"{kind} not imported")


def _content(message: dict[str, Any]) -> tuple[str, str]:
    """(text, thinking) of one message."""
    content = message.get("content")
    content = content if isinstance(content, dict) else {}
    kind = _text(content.get("content_type"))
    recipient = _text(message.get("recipient")) or "all"
    author = obj(message.get("author"))
    if kind in ("text", "multimodal_text") or (not kind and "parts" in content):
        parts = content.get("parts")
        pieces = [_part(p) for p in parts] if isinstance(parts, list) else []
        text = "\n".join(p for p in pieces if p)
        if author.get("role") == "tool" and text:
            return folded(f"Tool result: {_text(author.get('name')) or 'tool'}", text), ""
        return text, ""
    if kind == "code":
        body = _text(content.get("text"))
        label = f"Tool call: {recipient}" if recipient != "all" else "Code"
        return (folded(label, body, _text(content.get("language"))) if body else ""), ""
    if kind == "execution_output":
        body = _text(content.get("text"))
        return (folded("Output", body) if body else ""), ""
    if kind == "thoughts":
        thoughts = content.get("thoughts")
        items = thoughts if isinstance(thoughts, list) else []
        lines = []
        for item in items:
            if isinstance(item, dict):
                summary, body = _text(item.get("summary")), _text(item.get("content"))
                lines.append(f"**{summary}**\n\n{body}" if summary and body else summary or body)
        return "", "\n\n".join(line for line in lines if line)
    if kind == "reasoning_recap":
        return "", ""  # "Thought for 12s": the thoughts themselves are their own node
    if kind == "user_editable_context":
        return "", ""
    body = _text(content.get("text")) or _text(content.get("result"))
    if body:
        return folded(kind or "content", body), ""
    return (note(f"{kind} not imported") if kind else ""), ""


def _system_prompt(message: dict[str, Any]) -> str:
    """Custom instructions (``is_user_system_message``): what the user told ChatGPT always."""
    content = message.get("content")
    content = content if isinstance(content, dict) else {}
    pieces = [_text(content.get("user_profile")), _text(content.get("user_instructions"))]
    if not any(pieces):
        parts = content.get("parts")
        pieces = [p for p in parts if isinstance(p, str)] if isinstance(parts, list) else []
    return "\n\n".join(p.strip() for p in pieces if p.strip())


def _hidden(message: Any) -> bool:
    if not isinstance(message, dict):
        return True
    author = message.get("author")
    role = author.get("role") if isinstance(author, dict) else None
    meta = message.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    return (
        role not in ("user", "assistant", "tool")
        or meta.get("is_visually_hidden_from_conversation") is True
        or meta.get("is_user_system_message") is True
    )


def _child_count(node: dict[str, Any], nodes: dict[str, Any]) -> int:
    children = node.get("children")
    return sum(1 for c in children if _known(c, nodes)) if isinstance(children, list) else 0


def _known(key: Any, nodes: dict[str, Any]) -> bool:
    return isinstance(key, str) and key in nodes


def convert(conv: dict[str, Any]) -> Imported:
    """Raises ValueError (with a reason) for a conversation that is not one."""
    source_id = _text(conv.get("id")) or _text(conv.get("conversation_id"))
    mapping = conv.get("mapping")
    if not source_id:
        raise ValueError("no id")
    if not isinstance(mapping, dict):
        raise ValueError("no 'mapping' of messages")
    nodes = {k: v for k, v in mapping.items() if isinstance(v, dict)}
    system = ""
    turn_of: dict[str, str | None] = {}
    """Source node id → the id of the turn it is shown in (None: above the first message)."""
    turns: dict[str, Node] = {}
    ended: dict[str, bool] = {}

    def parent_id(node: dict[str, Any]) -> str | None:
        parent = node.get("parent")
        return parent if isinstance(parent, str) and parent in nodes else None

    roots = [k for k, v in nodes.items() if parent_id(v) is None]
    todo = deque(roots)
    seen: set[str] = set()
    while todo:
        key = todo.popleft()
        if key in seen:
            continue
        seen.add(key)
        node = nodes[key]
        message = node.get("message")
        parent = parent_id(node)
        above = turn_of.get(parent) if parent is not None else None
        children = node.get("children")
        todo.extend(c for c in (children if isinstance(children, list) else []) if _known(c, nodes))
        if isinstance(message, dict) and (message.get("metadata") or {}).get(
            "is_user_system_message"
        ):
            system = system or _system_prompt(message)
        if _hidden(message):
            turn_of[key] = above
            continue
        assert isinstance(message, dict)
        text, thinking = _content(message)
        role = message["author"]["role"]
        meta = obj(message.get("metadata"))
        model = _text(meta.get("model_slug")) or None
        if not text and not thinking:
            turn_of[key] = above
            continue
        if (
            role in _TURN
            and above is not None
            and turns[above].role == "assistant"
            and not ended[above]
            and parent is not None
            and _child_count(nodes[parent], nodes) == 1
        ):
            turn = turns[above]  # the same visible turn goes on
            turn.text = "\n\n".join(t for t in (turn.text, text) if t)
            turn.reasoning = "\n\n".join(t for t in (turn.reasoning or "", thinking) if t) or None
            turn.model = model or turn.model
            ended[above] = message.get("end_turn") is True
            turn_of[key] = above
            continue
        turns[key] = Node(
            id=key,
            parent=above,
            role="user" if role == "user" else "assistant",
            text=text,
            created=parse_time(message.get("create_time")),
            model=model if role != "user" else None,
            reasoning=thinking or None,
        )
        ended[key] = role == "user" or message.get("end_turn") is True
        turn_of[key] = key
    current = conv.get("current_node")
    shown = turn_of.get(current) if isinstance(current, str) else None
    return Imported(
        source="chatgpt",
        source_id=source_id,
        title=_text(conv.get("title")),
        nodes=list(turns.values()),
        created=parse_time(conv.get("create_time")),
        updated=parse_time(conv.get("update_time")),
        system=system or None,
        current=shown,
        model=_text(conv.get("default_model_slug")) or None,
    )

"""Conversation ⇄ TOML (session file format 1; see docs/architecture.md).

Readers ignore keys they do not know and keep them on rewrite. Any string round-trips exactly.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import tomli_w

from requesty_tui.core.domain import Attachment, Conversation, Message, Usage
from requesty_tui.core.options import options_from

if TYPE_CHECKING:
    from requesty_tui.core.tools import ToolCall
from requesty_tui.core.tree import repair

FORMAT = 4
"""The newest format this version reads. A conversation is written as format 1 unless it needs
more, so that an older version never misreads it (it refuses a newer format): format 2 when it
has alternatives (ids, parents and the branch on screen: read as format 1, every branch would
be one conversation), format 3 when a message has attachments (read as format 2, they would
silently not be sent), format 4 when a reply called tools (``[[messages.tool_calls]]`` and
``role = "tool"`` results: read as format 3, the calls would be sent without their results).
``compare`` (the models compared) needs none: a version that ignores it only loses the mode."""
_MESSAGE_KEYS = {
    "id",
    "parent",
    "role",
    "content",
    "created",
    "model",
    "finish_reason",
    "reasoning",
    "usage",
    "skipped_chunks",
    "attachments",
    "tool_calls",
    "tool_call_id",
    "status",
    "truncated",
    "copied",
}
_OPTION_KEYS = (
    "reasoning_effort",
    "temperature",
    "max_tokens",
    "tags",
    "trace_id",
    "user_id",
    "auto_cache",
    "tools",
)
_TOP_KEYS = {
    "format",
    "id",
    "title",
    "title_by",
    "title_usage",
    "deleted_usage",
    "model",
    "created",
    "updated",
    "system",
    "messages",
    "leaf",
    "compare",
    *_OPTION_KEYS,
}
_USAGE_KEYS = (
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cached_tokens",
    "caching_tokens",
    "cost",
    "estimated_cost",
)
_ROLES = ("system", "user", "assistant", "tool")
_TOOL_STATUS = ("ok", "error", "declined", "cancelled")
_CALL_KEYS = ("id", "name", "arguments", "server", "tool")
_FINISH = ("stop", "length", "content_filter", "tool_calls", "cancelled", "error")


class SessionFormatError(ValueError):
    """The text is not a session this version can read; the message says why."""


def _dt(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    raise SessionFormatError(f"{where} must be a date-time")


def _usage_to_dict(usage: Usage) -> dict[str, Any]:
    return {k: getattr(usage, k) for k in _USAGE_KEYS if getattr(usage, k) is not None}


def _usage_from_dict(data: Any) -> Usage | None:
    if not isinstance(data, dict):
        return None
    values: dict[str, Any] = {}
    for key in _USAGE_KEYS:
        value = data.get(key)
        if key in ("cost", "estimated_cost"):
            values[key] = float(value) if isinstance(value, int | float) else None
        else:
            values[key] = value if isinstance(value, int) and not isinstance(value, bool) else None
    return Usage(**values)


def to_toml(conv: Conversation) -> str:
    """The file's text. The API key is not part of a Conversation, so it cannot end up here."""
    tree = conv.tree().forks()
    attached = any(m.attachments for m in conv.messages)
    tools = any(m.tool_calls or m.role == "tool" for m in conv.messages)
    fmt2 = tree
    doc: dict[str, Any] = {
        "format": 4 if tools else 3 if attached else 2 if fmt2 else 1,
        "id": conv.id,
        "title": conv.title,
        "model": conv.model,
        "created": conv.created,
        "updated": conv.updated,
    }
    if fmt2:
        end = conv.current()
        doc["leaf"] = end.id if end is not None else ""
    if conv.title_by:
        doc["title_by"] = conv.title_by
    if conv.compare:  # any format: a version that ignores it only loses compare mode
        doc["compare"] = list(conv.compare)
    if conv.system:
        doc["system"] = conv.system
    for key in _OPTION_KEYS:
        value = getattr(conv.options, key)
        if value is not None and value != []:
            doc[key] = value
    for key, value in conv.extra.items():
        doc.setdefault(key, value)
    if conv.title_usage is not None:
        doc["title_usage"] = _usage_to_dict(conv.title_usage)
    if conv.deleted_usage is not None:  # any format: an older version just shows less spent
        doc["deleted_usage"] = _usage_to_dict(conv.deleted_usage)
    # Multi-line strings are what makes the file readable, but a TOML multi-line string cannot
    # keep a CR: such a conversation is written with escaped single-line strings instead.
    has_cr = any("\r" in m.content or "\r" in (m.reasoning or "") for m in conv.messages) or (
        "\r" in conv.title or "\r" in (conv.system or "")
    )
    multiline = not has_cr
    # Each message is written on its own and its text kept: a saved message never changes, so a
    # 200-reply conversation is not serialised again from scratch on every save (the soak
    # benchmark showed saving growing to 70 ms a time). A cached message costs one tuple
    # comparison; only a new or changed one is turned into a table.
    blocks = [_message_toml(msg, multiline, tree) for msg in conv.messages] if _simple(doc) else []
    if not blocks or any(block is None for block in blocks):
        doc["messages"] = [_message_table(msg, tree) for msg in conv.messages]
        return tomli_w.dumps(doc, multiline_strings=multiline)
    head = tomli_w.dumps(doc, multiline_strings=multiline)
    return head + "".join(f"\n{block}" for block in blocks)


def _message_table(msg: Message, tree: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if tree:
        item["id"] = msg.id
        if msg.parent is not None:
            item["parent"] = msg.parent  # "" starts the conversation
    item.update(role=msg.role, content=msg.content, created=msg.created)
    if msg.model:
        item["model"] = msg.model
    if msg.finish_reason:
        item["finish_reason"] = msg.finish_reason
    if msg.reasoning:
        item["reasoning"] = msg.reasoning
    if msg.skipped_chunks:
        item["skipped_chunks"] = msg.skipped_chunks
    if msg.copied:
        item["copied"] = True
    for key, value in msg.extra.items():
        item.setdefault(key, value)
    if msg.usage is not None:
        item["usage"] = _usage_to_dict(msg.usage)
    if msg.role == "tool":
        item["tool_call_id"] = msg.tool_call_id or ""
        if msg.tool_status:
            item["status"] = msg.tool_status
        if msg.tool_truncated:
            item["truncated"] = True
    if msg.attachments:
        item["attachments"] = [
            {"name": a.name, "sha256": a.sha256, "size": a.size, "kind": a.kind, "mime": a.mime}
            for a in msg.attachments
        ]
    if msg.tool_calls:
        item["tool_calls"] = [_call_table(call) for call in msg.tool_calls]
    return item


def _call_table(call: ToolCall) -> dict[str, str]:
    table = {"id": call.id, "name": call.name, "arguments": call.arguments}
    if call.server:
        table["server"] = call.server
    if call.tool:
        table["tool"] = call.tool
    return table


_BLOCK_CACHE: dict[str, tuple[tuple[Any, ...], str | None]] = {}
_BLOCK_CACHE_SIZE = 8192


def _message_toml(msg: Message, multiline: bool, tree: bool = False) -> str | None:
    """One ``[[messages]]`` table, as ``tomli_w`` writes it inside the whole document; None
    when the message has keys this writer does not handle (the whole-document writer does)."""
    key = (
        msg.role,
        msg.content,
        msg.created,
        msg.model,
        msg.finish_reason,
        msg.reasoning,
        msg.usage,
        msg.skipped_chunks,
        repr(msg.extra) if msg.extra else "",
        tuple(msg.attachments),
        tuple((c.id, c.name, c.arguments, c.server, c.tool) for c in msg.tool_calls),
        msg.tool_call_id,
        msg.tool_status,
        msg.tool_truncated,
        msg.copied,
        multiline,
        tree and msg.id,
        tree and msg.parent,
    )
    cached = _BLOCK_CACHE.get(msg.id)
    if cached is not None and cached[0] == key:
        return cached[1]
    item = _message_table(msg, tree)
    # Arrays of flat tables (attachments, tool calls) are written as [[messages.KEY]] entries.
    arrays = {name: item.pop(name) for name in [k for k, v in item.items() if _flat_tables(v)]}
    text: str | None = None
    if _simple(item):
        scalars = {k: v for k, v in item.items() if not isinstance(v, dict)}
        tables = {k: v for k, v in item.items() if isinstance(v, dict)}
        text = "[[messages]]\n"
        for name, value in scalars.items():
            if multiline and isinstance(value, str) and _literal_ok(value):
                # A literal string: no escapes to write or to read back. tomllib reads it with
                # one str.index instead of escape-processing every character (2 MB: 17x faster).
                text += f"{_key(name)} = '''\n{value}'''\n"
            else:
                text += tomli_w.dumps({name: value}, multiline_strings=multiline)
        for name, table in tables.items():
            text += f"\n[messages.{_key(name)}]\n" + tomli_w.dumps(
                table, multiline_strings=multiline
            )
        for name, entries in arrays.items():
            for entry in entries:
                text += f"\n[[messages.{_key(name)}]]\n" + tomli_w.dumps(
                    entry, multiline_strings=multiline
                )
    if len(_BLOCK_CACHE) >= _BLOCK_CACHE_SIZE:
        _BLOCK_CACHE.clear()
    _BLOCK_CACHE[msg.id] = (key, text)
    return text


_NOT_LITERAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]|'''")


def _literal_ok(value: str) -> bool:
    """A multi-line text a TOML multi-line literal string can hold exactly."""
    return "\n" in value and not value.endswith("'") and not _NOT_LITERAL.search(value)


def _key(name: str) -> str:
    """A table name as TOML writes it (bare when it can be)."""
    bare = name and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    return name if bare else tomli_w.dumps({name: 0}).split(" = ", 1)[0]


def _flat_tables(value: Any) -> bool:
    """An array of tables whose values are all scalars (an attachment, a tool call)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(entry, dict) and not any(isinstance(v, dict | list) for v in entry.values())
            for entry in value
        )
    )


def _simple(table: dict[str, Any]) -> bool:
    """No arrays of tables and no tables deeper than one level: the per-message writer's case
    (anything else, e.g. odd hand-added keys, goes through the whole-document writer)."""
    for value in table.values():
        if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
            return False
        if isinstance(value, dict) and any(isinstance(v, dict | list) for v in value.values()):
            return False
    return True


def _attachments(raw: object, where: str) -> list[Attachment]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise SessionFormatError(f"{where}: attachments must be an array of tables")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise SessionFormatError(f"{where}: an attachment is not a table")
        name, digest, size = item.get("name"), item.get("sha256"), item.get("size")
        kind, mime = item.get("kind"), item.get("mime")
        if not (isinstance(name, str) and isinstance(digest, str) and len(digest) == 64):
            raise SessionFormatError(f"{where}: an attachment needs a name and a sha256")
        if kind not in ("text", "image", "pdf"):
            raise SessionFormatError(f"{where}: attachment kind must be text, image or pdf")
        out.append(
            Attachment(
                name=name,
                sha256=digest,
                size=size if isinstance(size, int) and not isinstance(size, bool) else 0,
                kind=kind,
                mime=mime if isinstance(mime, str) else "application/octet-stream",
            )
        )
    return out


def _tool_fields(raw: dict[str, Any], role: str, where: str) -> dict[str, Any]:
    """A reply's ``tool_calls`` and a ``tool`` message's call id, status and cut."""
    from requesty_tui.core.tools import ToolCall

    out: dict[str, Any] = {}
    calls = raw.get("tool_calls")
    if calls is not None:
        if not isinstance(calls, list) or not all(isinstance(c, dict) for c in calls):
            raise SessionFormatError(f"{where}: tool_calls must be an array of tables")
        parsed = []
        for call in calls:
            values = {k: call.get(k) for k in _CALL_KEYS}
            if not isinstance(values["id"], str) or not values["id"]:
                raise SessionFormatError(f"{where}: a tool call needs an id")
            parsed.append(
                ToolCall(
                    id=values["id"],
                    name=values["name"] if isinstance(values["name"], str) else "",
                    arguments=values["arguments"] if isinstance(values["arguments"], str) else "",
                    server=values["server"] if isinstance(values["server"], str) else None,
                    tool=values["tool"] if isinstance(values["tool"], str) else None,
                )
            )
        out["tool_calls"] = parsed
    if role == "tool":
        call_id = raw.get("tool_call_id")
        if not isinstance(call_id, str):
            raise SessionFormatError(f"{where}: a tool result needs a tool_call_id")
        status = raw.get("status")
        out["tool_call_id"] = call_id
        out["tool_status"] = status if status in _TOOL_STATUS else None
        out["tool_truncated"] = raw.get("truncated") is True
    return out


def from_toml(text: str) -> Conversation:
    """Parse and validate; raises :class:`SessionFormatError` with a reason a user can read."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SessionFormatError(f"not valid TOML ({exc})") from None
    fmt = data.get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        raise SessionFormatError("missing 'format' number")
    if fmt > FORMAT:
        raise SessionFormatError(
            f"format {fmt} is newer than this version reads ({FORMAT}); upgrade requesty-tui"
        )
    for key in ("id", "model"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise SessionFormatError(f"missing '{key}'")
    raw_messages = data.get("messages", [])
    if not isinstance(raw_messages, list):
        raise SessionFormatError("'messages' must be an array of tables")
    messages = []
    for n, raw in enumerate(raw_messages, 1):
        where = f"message {n}"
        if not isinstance(raw, dict):
            raise SessionFormatError(f"{where} is not a table")
        role = raw.get("role")
        if role not in _ROLES:
            raise SessionFormatError(f"{where}: role must be user, assistant or system")
        content = raw.get("content", "")
        if not isinstance(content, str):
            raise SessionFormatError(f"{where}: content must be a string")
        finish = raw.get("finish_reason")
        reasoning = raw.get("reasoning")
        model = raw.get("model")
        skipped = raw.get("skipped_chunks")
        if role == "tool" and fmt < 4:
            raise SessionFormatError(f"{where}: role 'tool' needs format 4")
        message_id = raw.get("id") if fmt >= 2 else None
        parent = raw.get("parent") if fmt >= 2 else None
        more: dict[str, Any] = _tool_fields(raw, role, where) if fmt >= 4 else {}
        if isinstance(message_id, str) and message_id:
            more["id"] = message_id
        messages.append(
            Message(
                role=role,
                content=content,
                created=_dt(raw["created"], f"{where}: created")
                if "created" in raw
                else _dt(data.get("updated", datetime.now(UTC)), where),
                model=model if isinstance(model, str) else None,
                finish_reason=finish if finish in _FINISH else None,
                reasoning=reasoning if isinstance(reasoning, str) else None,
                usage=_usage_from_dict(raw.get("usage")),
                skipped_chunks=skipped
                if isinstance(skipped, int) and not isinstance(skipped, bool) and skipped > 0
                else 0,
                extra={k: v for k, v in raw.items() if k not in _MESSAGE_KEYS},
                parent=parent if isinstance(parent, str) else None,
                attachments=_attachments(raw.get("attachments"), where) if fmt >= 3 else [],
                copied=raw.get("copied") is True,
                **more,
            )
        )
    leaf = data.get("leaf") if fmt >= 2 else None
    leaf, problems = repair(messages, leaf if isinstance(leaf, str) and leaf else None)
    title = data.get("title")
    system = data.get("system")
    compare = data.get("compare")
    if not (isinstance(compare, list) and all(isinstance(m, str) and m for m in compare)):
        compare = []
    now = datetime.now(UTC).replace(microsecond=0)
    conv = Conversation(
        id=data["id"],
        model=data["model"],
        title=title if isinstance(title, str) else "",
        created=_dt(data["created"], "created") if "created" in data else now,
        updated=_dt(data["updated"], "updated") if "updated" in data else now,
        system=system if isinstance(system, str) and system else None,
        messages=messages,
        options=options_from(data),
        extra={k: v for k, v in data.items() if k not in _TOP_KEYS},
        problems=problems,
        title_by=data["title_by"] if data.get("title_by") in ("user", "model") else "",
        title_usage=_usage_from_dict(data.get("title_usage")),
        deleted_usage=_usage_from_dict(data.get("deleted_usage")),
        compare=compare,
    )
    end = next((m for m in messages if m.id == leaf), None) if leaf else None
    if end is not None:
        conv.show(end)
    elif messages and conv.tree().forks():
        conv.show(conv.tree().descend(conv.tree().path_to(messages[-1])[0], {}))
    return conv

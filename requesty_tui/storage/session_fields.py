"""Every field of a ``[[messages]]`` table in one place: its key, the format that brought it,
how it is written, how it is read back and what the save cache compares.

The writer, the reader, the per-message cache key and the list of known keys (kept apart from
keys a hand or a newer version added) all come from :data:`FIELDS`, so a new field is one row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from requesty_tui.core.domain import Attachment, Message, Usage


class SessionFormatError(ValueError):
    """The text is not a session this version can read; the message says why."""


Raw = dict[str, Any]
"""One ``[[messages]]`` table as ``tomllib`` read it."""


@dataclass(frozen=True, slots=True)
class Field:
    """One key of a message's table."""

    key: str
    """The key in the file."""
    since: int
    """The format that brought it: a file of an older format never has it (the upgrades drop
    it), and a message that writes it makes the file at least this format."""
    write: Callable[[Message], Any]
    """The value to write, None to leave the key out."""
    read: Callable[[Raw, str], dict[str, Any]]
    """``Message`` keyword arguments from the table (``where`` names the message in errors)."""
    snapshot: Callable[[Message], Any]
    """What the save cache compares (an immutable copy of what ``write`` reads)."""
    tree_only: bool = False
    """Written only when the conversation forks (the ids and parents of format 2)."""


def as_datetime(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    raise SessionFormatError(f"{where} must be a date-time")


USAGE_KEYS = (
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cached_tokens",
    "caching_tokens",
    "cost",
    "estimated_cost",
)


def usage_to_dict(usage: Usage) -> dict[str, Any]:
    return {k: getattr(usage, k) for k in USAGE_KEYS if getattr(usage, k) is not None}


def usage_from_dict(data: Any) -> Usage | None:
    if not isinstance(data, dict):
        return None
    values: dict[str, Any] = {}
    for key in USAGE_KEYS:
        value = data.get(key)
        if key in ("cost", "estimated_cost"):
            values[key] = float(value) if isinstance(value, int | float) else None
        else:
            values[key] = value if isinstance(value, int) and not isinstance(value, bool) else None
    return Usage(**values)


ROLES = ("system", "user", "assistant", "tool")
_FINISH = ("stop", "length", "content_filter", "tool_calls", "cancelled", "error")
_TOOL_STATUS = ("ok", "error", "declined", "cancelled")
_CALL_KEYS = ("id", "name", "arguments", "server", "tool")


def _text(key: str) -> Callable[[Raw, str], dict[str, Any]]:
    """An optional string (anything else reads as absent)."""

    def read(raw: Raw, _where: str) -> dict[str, Any]:
        value = raw.get(key)
        return {key: value} if isinstance(value, str) else {}

    return read


def _read_role(raw: Raw, where: str) -> dict[str, Any]:
    role = raw.get("role")
    if role not in ROLES:
        raise SessionFormatError(f"{where}: role must be user, assistant or system")
    return {"role": role}


def _read_content(raw: Raw, where: str) -> dict[str, Any]:
    content = raw.get("content", "")
    if not isinstance(content, str):
        raise SessionFormatError(f"{where}: content must be a string")
    return {"content": content}


def _read_created(raw: Raw, where: str) -> dict[str, Any]:
    # Absent: the reader fills in the file's ``updated`` (it knows the whole document).
    return {"created": as_datetime(raw["created"], f"{where}: created")} if "created" in raw else {}


def _read_id(raw: Raw, _where: str) -> dict[str, Any]:
    value = raw.get("id")
    return {"id": value} if isinstance(value, str) and value else {}


def _read_finish(raw: Raw, _where: str) -> dict[str, Any]:
    value = raw.get("finish_reason")
    return {"finish_reason": value} if value in _FINISH else {}


def _read_skipped(raw: Raw, _where: str) -> dict[str, Any]:
    value = raw.get("skipped_chunks")
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return {"skipped_chunks": value} if ok else {}


def _read_usage(raw: Raw, _where: str) -> dict[str, Any]:
    usage = usage_from_dict(raw.get("usage"))
    return {"usage": usage} if usage is not None else {}


def _read_copied(raw: Raw, _where: str) -> dict[str, Any]:
    return {"copied": True} if raw.get("copied") is True else {}


def _read_call_id(raw: Raw, where: str) -> dict[str, Any]:
    if raw.get("role") != "tool":
        return {}
    call_id = raw.get("tool_call_id")
    if not isinstance(call_id, str):
        raise SessionFormatError(f"{where}: a tool result needs a tool_call_id")
    return {"tool_call_id": call_id}


def _read_status(raw: Raw, _where: str) -> dict[str, Any]:
    status = raw.get("status")
    return {"tool_status": status} if raw.get("role") == "tool" and status in _TOOL_STATUS else {}


def _read_truncated(raw: Raw, _where: str) -> dict[str, Any]:
    cut = raw.get("role") == "tool" and raw.get("truncated") is True
    return {"tool_truncated": True} if cut else {}


def _read_attachments(raw: Raw, where: str) -> dict[str, Any]:
    items = raw.get("attachments")
    if items is None:
        return {}
    if not isinstance(items, list):
        raise SessionFormatError(f"{where}: attachments must be an array of tables")
    out = []
    for item in items:
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
    return {"attachments": out}


def _write_attachments(msg: Message) -> list[dict[str, Any]] | None:
    if not msg.attachments:
        return None
    return [
        {"name": a.name, "sha256": a.sha256, "size": a.size, "kind": a.kind, "mime": a.mime}
        for a in msg.attachments
    ]


def _read_calls(raw: Raw, where: str) -> dict[str, Any]:
    calls = raw.get("tool_calls")
    if calls is None:
        return {}
    if not isinstance(calls, list) or not all(isinstance(c, dict) for c in calls):
        raise SessionFormatError(f"{where}: tool_calls must be an array of tables")
    from requesty_tui.core.tools import ToolCall  # only for a file with tools (start-up)

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
    return {"tool_calls": parsed}


def _write_calls(msg: Message) -> list[dict[str, str]] | None:
    if not msg.tool_calls:
        return None
    tables = []
    for call in msg.tool_calls:
        table = {"id": call.id, "name": call.name, "arguments": call.arguments}
        if call.server:
            table["server"] = call.server
        if call.tool:
            table["tool"] = call.tool
        tables.append(table)
    return tables


def _same(attr: str) -> Callable[[Message], Any]:
    return lambda msg: getattr(msg, attr)


def _optional(attr: str) -> Callable[[Message], Any]:
    """The attribute when it is set (not None, empty or false)."""
    return lambda msg: getattr(msg, attr) or None


def _read_rating(raw: Raw, _where: str) -> dict[str, Any]:
    value = raw.get("rating")
    return {"rating": value} if value in ("good", "bad") else {}


def _read_sent(raw: Raw, _where: str) -> dict[str, Any]:
    return {"rating_sent": True} if raw.get("rating_sent") is True else {}


def _for_tool(write: Callable[[Message], Any]) -> Callable[[Message], Any]:
    return lambda msg: write(msg) if msg.role == "tool" else None


LEADING: tuple[Field, ...] = (
    Field("id", 2, _same("id"), _read_id, _same("id"), tree_only=True),
    # ``None``: the message before it (left out); ``tree.ROOT`` ("") starts the conversation.
    Field("parent", 2, _same("parent"), _text("parent"), _same("parent"), tree_only=True),
    Field("role", 1, _same("role"), _read_role, _same("role")),
    Field("content", 1, _same("content"), _read_content, _same("content")),
    Field("created", 1, _same("created"), _read_created, _same("created")),
    Field("model", 1, _optional("model"), _text("model"), _same("model")),
    Field("finish_reason", 1, _optional("finish_reason"), _read_finish, _same("finish_reason")),
    Field("reasoning", 1, _optional("reasoning"), _text("reasoning"), _same("reasoning")),
    Field("skipped_chunks", 1, _optional("skipped_chunks"), _read_skipped, _same("skipped_chunks")),
    # A fork's copy: what it cost was spent in the conversation it came from. Format 1: a
    # version that ignores it only counts that money twice.
    Field("copied", 1, lambda m: True if m.copied else None, _read_copied, _same("copied")),
    # A reply's completion id and its rating: format 1, an older version keeps them as
    # unknown keys (the rating is lost to it, never the conversation).
    Field(
        "completion_id",
        1,
        _optional("completion_id"),
        _text("completion_id"),
        _same("completion_id"),
    ),
    Field("rating", 1, _optional("rating"), _read_rating, _same("rating")),
    Field(
        "rating_comment",
        1,
        _optional("rating_comment"),
        _text("rating_comment"),
        _same("rating_comment"),
    ),
    Field(
        "rating_sent",
        1,
        lambda m: (m.rating_sent or False) if m.rating else None,
        _read_sent,
        _same("rating_sent"),
    ),
)
"""Written first, in this order; then the keys this version does not know (``extra``)."""

TRAILING: tuple[Field, ...] = (
    Field(
        "tool_call_id",
        4,
        _for_tool(lambda m: m.tool_call_id or ""),
        _read_call_id,
        _same("tool_call_id"),
    ),
    Field("status", 4, _for_tool(_optional("tool_status")), _read_status, _same("tool_status")),
    Field(
        "truncated",
        4,
        _for_tool(lambda m: True if m.tool_truncated else None),
        _read_truncated,
        _same("tool_truncated"),
    ),
    Field(
        "usage",
        1,
        lambda m: usage_to_dict(m.usage) if m.usage is not None else None,
        _read_usage,
        _same("usage"),
    ),
    Field("attachments", 3, _write_attachments, _read_attachments, lambda m: tuple(m.attachments)),
    Field(
        "tool_calls",
        4,
        _write_calls,
        _read_calls,
        lambda m: tuple((c.id, c.name, c.arguments, c.server, c.tool) for c in m.tool_calls),
    ),
)
"""Written after the unknown keys (scalars before tables, as TOML wants them)."""

FIELDS = LEADING + TRAILING
KNOWN_KEYS = frozenset(f.key for f in FIELDS)
"""Everything else in a message's table is kept as it is (``Message.extra``)."""

_BY_FORMAT = tuple(f for f in FIELDS if f.since > 1 and not f.tree_only)


def needed_format(msg: Message) -> int:
    """The oldest format that holds this message (ids and parents aside: a tree decides)."""
    return max((f.since for f in _BY_FORMAT if f.write(msg) is not None), default=1)


def message_table(msg: Message, tree: bool) -> dict[str, Any]:
    """The message as a TOML table (the key order is the file's)."""
    item: dict[str, Any] = {}
    for field in LEADING:
        if field.tree_only and not tree:
            continue
        value = field.write(msg)
        if value is not None:
            item[field.key] = value
    for key, value in msg.extra.items():
        item.setdefault(key, value)
    for field in TRAILING:
        value = field.write(msg)
        if value is not None:
            item[field.key] = value
    return item


def cache_key(msg: Message, tree: bool) -> tuple[Any, ...]:
    """Equal keys, equal tables: what the per-message text cache compares."""
    return (
        tree,
        *(f.snapshot(msg) if tree or not f.tree_only else None for f in FIELDS),
        repr(msg.extra) if msg.extra else "",
    )


def message_from_table(raw: Raw, where: str, updated: Any) -> Message:
    """A ``[[messages]]`` table of the newest format (see ``session_format.UPGRADES``)."""
    values: dict[str, Any] = {}
    for field in FIELDS:
        values.update(field.read(raw, where))
    values.setdefault("created", as_datetime(updated, where))
    values["extra"] = {k: v for k, v in raw.items() if k not in KNOWN_KEYS}
    return Message(**values)

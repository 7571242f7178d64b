"""Conversation ⇄ TOML (session files; see docs/architecture.md and the README).

Readers ignore keys they do not know and keep them on rewrite. Any string round-trips exactly.
A message's fields are :mod:`requesty_tui.storage.session_fields`'s table; an older format is
brought to the newest by :data:`UPGRADES`, one function per format, before it is read.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import tomli_w

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.options import options_from
from requesty_tui.core.tree import repair
from requesty_tui.storage import toml_reading
from requesty_tui.storage.session_fields import (
    SessionFormatError,
    as_datetime,
    cache_key,
    message_from_table,
    message_table,
    needed_format,
    usage_from_dict,
    usage_to_dict,
)

__all__ = ["FORMAT", "SessionFormatError", "from_toml", "to_toml"]

FORMAT = 4
"""The newest format this version reads. A conversation is written as format 1 unless it needs
more, so that an older version never misreads it (it refuses a newer format): format 2 when it
has alternatives (ids, parents and the branch on screen: read as format 1, every branch would
be one conversation), format 3 when a message has attachments (read as format 2, they would
silently not be sent), format 4 when a reply called tools (``[[messages.tool_calls]]`` and
``role = "tool"`` results: read as format 3, the calls would be sent without their results).
``compare`` (the models compared) needs none: a version that ignores it only loses the mode;
nor do ``preset``, ``pinned`` and ``labels`` (the browser's order and tags)."""
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
_SOURCE_KEYS = ("source", "source_id", "source_digest")
"""An imported conversation's origin, in any format: a version that ignores them only does not
recognise the conversation when the same export is imported again."""
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
    *_SOURCE_KEYS,
    "preset",
    "pinned",
    "labels",
    *_OPTION_KEYS,
}


def to_toml(conv: Conversation) -> str:
    """The file's text. The API key is not part of a Conversation, so it cannot end up here."""
    tree = conv.tree().forks()
    fmt = max((needed_format(m) for m in conv.messages), default=1)
    doc: dict[str, Any] = {
        "format": max(fmt, 2 if tree else 1),
        "id": conv.id,
        "title": conv.title,
        "model": conv.model,
        "created": conv.created,
        "updated": conv.updated,
    }
    if tree:
        end = conv.current()
        doc["leaf"] = end.id if end is not None else ""
    if conv.title_by:
        doc["title_by"] = conv.title_by
    if conv.compare:  # any format: a version that ignores it only loses compare mode
        doc["compare"] = list(conv.compare)
    for key in _SOURCE_KEYS:
        if getattr(conv, key):
            doc[key] = getattr(conv, key)
    if conv.preset:  # these three in any format: a version that ignores them loses little
        doc["preset"] = conv.preset
    if conv.pinned:
        doc["pinned"] = True
    if conv.labels:
        doc["labels"] = list(conv.labels)
    if conv.system:
        doc["system"] = conv.system
    for key in _OPTION_KEYS:
        value = getattr(conv.options, key)
        if value is not None and value != []:
            doc[key] = value
    for key, value in conv.extra.items():
        doc.setdefault(key, value)
    if conv.title_usage is not None:
        doc["title_usage"] = usage_to_dict(conv.title_usage)
    if conv.deleted_usage is not None:  # any format: an older version just shows less spent
        doc["deleted_usage"] = usage_to_dict(conv.deleted_usage)
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
        doc["messages"] = [message_table(msg, tree) for msg in conv.messages]
        return tomli_w.dumps(doc, multiline_strings=multiline)
    head = tomli_w.dumps(doc, multiline_strings=multiline)
    return head + "".join(f"\n{block}" for block in blocks)


_BLOCK_CACHE: dict[str, tuple[tuple[Any, ...], str | None]] = {}
_BLOCK_CACHE_SIZE = 8192


def _message_toml(msg: Message, multiline: bool, tree: bool = False) -> str | None:
    """One ``[[messages]]`` table, as ``tomli_w`` writes it inside the whole document; None
    when the message has keys this writer does not handle (the whole-document writer does)."""
    key = (multiline, *cache_key(msg, tree))
    cached = _BLOCK_CACHE.get(msg.id)
    if cached is not None and cached[0] == key:
        return cached[1]
    item = message_table(msg, tree)
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


def _messages(data: dict[str, Any]) -> list[dict[str, Any]]:
    raw = data.get("messages")
    return [m for m in raw if isinstance(m, dict)] if isinstance(raw, list) else []


def _from_1(data: dict[str, Any]) -> None:
    """Format 1 → 2: a list, not a tree. Ids, parents and a leaf are not part of it (a hand
    may have written them; read as format 2 they could turn the list into branches)."""
    data.pop("leaf", None)
    for message in _messages(data):
        message.pop("id", None)
        message.pop("parent", None)


def _from_2(data: dict[str, Any]) -> None:
    """Format 2 → 3: no attachments before format 3."""
    for message in _messages(data):
        message.pop("attachments", None)


def _from_3(data: dict[str, Any]) -> None:
    """Format 3 → 4: no tools before format 4; a ``tool`` message in an older file is one
    this version cannot place (its call is not there to answer)."""
    for n, message in enumerate(_messages(data), 1):
        if message.get("role") == "tool":
            raise SessionFormatError(f"message {n}: role 'tool' needs format 4")
        for key in ("tool_calls", "tool_call_id", "status", "truncated"):
            message.pop(key, None)


UPGRADES: tuple[Callable[[dict[str, Any]], None], ...] = (_from_1, _from_2, _from_3)
"""``UPGRADES[n - 1]`` brings a document of format ``n`` to ``n + 1`` (in place); a file of
format ``n`` goes through every one from there, so the reader knows only the newest."""
assert len(UPGRADES) == FORMAT - 1


def from_toml(text: str) -> Conversation:
    """Parse and validate; raises :class:`SessionFormatError` with a reason a user can read."""
    try:
        data = toml_reading.loads(text)
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
    for upgrade in UPGRADES[max(fmt, 1) - 1 :]:
        upgrade(data)
    raw_messages = data.get("messages", [])
    if not isinstance(raw_messages, list):
        raise SessionFormatError("'messages' must be an array of tables")
    messages = []
    updated = data.get("updated", datetime.now(UTC))
    for n, raw in enumerate(raw_messages, 1):
        if not isinstance(raw, dict):
            raise SessionFormatError(f"message {n} is not a table")
        messages.append(message_from_table(raw, f"message {n}", updated))
    leaf = data.get("leaf")
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
        created=as_datetime(data["created"], "created") if "created" in data else now,
        updated=as_datetime(data["updated"], "updated") if "updated" in data else now,
        system=system if isinstance(system, str) and system else None,
        messages=messages,
        options=options_from(data),
        extra={k: v for k, v in data.items() if k not in _TOP_KEYS},
        problems=problems,
        title_by=data["title_by"] if data.get("title_by") in ("user", "model") else "",
        title_usage=usage_from_dict(data.get("title_usage")),
        deleted_usage=usage_from_dict(data.get("deleted_usage")),
        compare=compare,
        **{k: data[k] for k in _SOURCE_KEYS if isinstance(data.get(k), str)},
        preset=data["preset"] if isinstance(data.get("preset"), str) else "",
        pinned=data.get("pinned") is True,
        labels=_labels(data.get("labels")),
    )
    end = next((m for m in messages if m.id == leaf), None) if leaf else None
    if end is not None:
        conv.show(end)
    elif messages and conv.tree().forks():
        conv.show(conv.tree().descend(conv.tree().path_to(messages[-1])[0], {}))
    return conv


def _labels(value: object) -> list[str]:
    """The browser's tags, as written by hand too: a list of strings (others dropped)."""
    if not isinstance(value, list):
        return []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]

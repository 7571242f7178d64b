"""Elia and oterm: SQLite databases of linear chats."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from typing import Any, Literal

from requesty_tui.core.domain import utc_now
from requesty_tui.storage.importers.model import Imported, Node, parse_time
from requesty_tui.storage.importers.sources import (
    Item,
    Source,
    columns,
    convert_each,
    open_database,
    query,
    require,
    text_of,
)


class Elia(Source):
    """``chat`` and ``message``: the first ``system`` message is the system prompt."""

    kind = "elia"

    def items(self) -> Iterator[Item]:
        db = open_database(self.path, "Elia")
        try:
            require(
                db,
                self.path,
                "Elia",
                {"chat": {"id", "title"}, "message": {"id", "chat_id", "role", "content"}},
            )
            have = columns(db, "message")
            extra = ", ".join(c for c in ("timestamp", "model", "parent_id") if c in have)
            chat_cols = ", ".join(c for c in ("model", "started_at") if c in columns(db, "chat"))
            chats = query(
                db,
                self.path,
                f"SELECT id, title{', ' if chat_cols else ''}{chat_cols} FROM chat ORDER BY id",
            )
            self.total = len(chats)
            for chat in chats:
                rows = query(
                    db,
                    self.path,
                    f"SELECT id, role, content{', ' if extra else ''}{extra} FROM message "
                    "WHERE chat_id = ? ORDER BY id",
                    (chat["id"],),
                )
                yield from convert_each(
                    iter([(chat, rows)]),
                    self._convert,
                    lambda row: f"{self.path}: chat {row[0]['id']!r}",
                )
        finally:
            db.close()

    def _convert(self, row: tuple[Any, list[Any]]) -> Imported:
        chat, rows = row
        keys = chat.keys()
        nodes: list[Node] = []
        system = None
        for message in rows:
            mkeys = message.keys()
            role = text_of(message["role"])
            text = text_of(message["content"])
            if role == "system":
                if system is None and not nodes:
                    system = text
                    continue
                role = "assistant"
            nodes.append(
                Node(
                    id=str(message["id"]),
                    parent=nodes[-1].id if nodes else None,
                    role="user" if role == "user" else "assistant",
                    text=text,
                    created=parse_time(message["timestamp"]) if "timestamp" in mkeys else None,
                    model=(text_of(message["model"]) or None) if "model" in mkeys else None,
                )
            )
        return Imported(
            source="elia",
            source_id=str(chat["id"]),
            title=text_of(chat["title"]),
            nodes=nodes,
            created=parse_time(chat["started_at"]) if "started_at" in keys else None,
            system=system,
            model=(text_of(chat["model"]) or None) if "model" in keys else None,
        )


class Oterm(Source):
    """``chat`` and ``message``; no times anywhere (the import's time stands in); images are
    base64 in the database, kept as image attachments."""

    kind = "oterm"

    def items(self) -> Iterator[Item]:
        db = open_database(self.path, "oterm")
        try:
            require(
                db,
                self.path,
                "oterm",
                {"chat": {"id", "name", "model"}, "message": {"id", "chat_id", "author", "text"}},
            )
            has_system = "system" in columns(db, "chat")
            has_images = "images" in columns(db, "message")
            chats = query(
                db,
                self.path,
                f"SELECT id, name, model{', system' if has_system else ''} FROM chat ORDER BY id",
            )
            self.total = len(chats)
            now = utc_now()
            for chat in chats:
                rows = query(
                    db,
                    self.path,
                    f"SELECT id, author, text{', images' if has_images else ''} FROM message "
                    "WHERE chat_id = ? ORDER BY id",
                    (chat["id"],),
                )
                yield from convert_each(
                    iter([(chat, rows)]),
                    lambda row: self._convert(row, now),
                    lambda row: f"{self.path}: chat {row[0]['id']!r}",
                )
        finally:
            db.close()

    def _convert(self, row: tuple[Any, list[Any]], now: Any) -> Imported:
        chat, rows = row
        nodes: list[Node] = []
        for message in rows:
            images = _images(message["images"]) if "images" in message else []
            role: Literal["user", "assistant"] = (
                "user" if message["author"] == "user" else "assistant"
            )
            nodes.append(
                Node(
                    id=str(message["id"]),
                    parent=nodes[-1].id if nodes else None,
                    role=role,
                    text=text_of(message["text"]),
                    created=now,
                    model=text_of(chat["model"]) or None,
                    files=images,
                )
            )
        return Imported(
            source="oterm",
            source_id=str(chat["id"]),
            title=text_of(chat["name"]),
            nodes=nodes,
            created=now,
            system=(text_of(chat["system"]) or None) if "system" in chat else None,
            model=text_of(chat["model"]) or None,
        )


def _images(value: Any) -> list[tuple[str, bytes]]:
    """oterm's ``images``: a JSON list of base64 strings."""
    try:
        items = json.loads(value) if isinstance(value, str) and value else []
    except ValueError:
        return []
    out = []
    for n, item in enumerate(items if isinstance(items, list) else [], 1):
        if isinstance(item, str):
            try:
                out.append((f"image-{n}", base64.b64decode(item, validate=False)))
            except (binascii.Error, ValueError):
                continue
    return out

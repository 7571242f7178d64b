"""Simon Willison's ``llm``: ``logs.db``, both generations of its tables.

Old (before 0.32): ``conversations`` and ``responses``, a row a prompt and its reply (linear).
New: ``threads``, ``turns``, ``messages`` (content-addressed, chained by ``parent_hash``) and
``parts``; a thread forked from another shares its beginning, so a thread and its forks are one
conversation whose forks are branches.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from requesty_tui.core.domain import Usage
from requesty_tui.storage.importers.model import Imported, Node, folded, parse_time
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


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Llm(Source):
    kind = "llm"

    def items(self) -> Iterator[Item]:
        db = open_database(self.path, "llm")
        try:
            new = bool(columns(db, "threads"))
            old = bool(columns(db, "responses"))
            if not new and not old:
                require(db, self.path, "llm", {"responses": {"id"}})
            threads: list[Any] = []
            if new:
                require(
                    db,
                    self.path,
                    "llm",
                    {
                        "threads": {"id", "name", "forked_from"},
                        "turns": {"thread_id", "tip_message_hash", "model"},
                        "messages": {"hash", "parent_hash", "role"},
                        "parts": {"message_hash", "position", "type", "text"},
                    },
                )
                threads = query(db, self.path, "SELECT * FROM threads ORDER BY rowid")
            groups = _thread_groups(threads)
            old_ids: list[Any] = []
            if old:
                require(db, self.path, "llm", {"responses": {"id", "prompt", "response"}})
                has_conv = "conversation_id" in columns(db, "responses")
                key = "coalesce(conversation_id, id)" if has_conv else "id"
                done = {str(t["id"]) for t in threads}
                old_ids = [
                    row["key"]
                    for row in query(
                        db, self.path, f"SELECT DISTINCT {key} AS key FROM responses ORDER BY rowid"
                    )
                    if str(row["key"]) not in done
                ]
            self.total = len(groups) + len(old_ids)
            yield from convert_each(
                iter(groups),
                lambda g: self._thread(db, g),
                lambda g: f"{self.path}: thread {g[0]['id']!r}",
            )
            yield from convert_each(
                iter(old_ids),
                lambda c: self._responses(db, c),
                lambda c: f"{self.path}: conversation {c!r}",
            )
        finally:
            db.close()

    def _responses(self, db: sqlite3.Connection, conversation: Any) -> Imported:
        have = columns(db, "responses")
        wanted = (
            "model",
            "system",
            "datetime_utc",
            "input_tokens",
            "output_tokens",
            "resolved_model",
            "reasoning",
        )
        cols = ", ".join(["id", "prompt", "response", *(c for c in wanted if c in have)])
        where = "coalesce(conversation_id, id)" if "conversation_id" in have else "id"
        rows = query(
            db,
            self.path,
            f"SELECT {cols} FROM responses WHERE {where} = ? ORDER BY rowid",
            (conversation,),
        )
        title, model = "", None
        if columns(db, "conversations"):
            found = query(
                db, self.path, "SELECT * FROM conversations WHERE id = ?", (conversation,)
            )
            if found:
                title = text_of(found[0]["name"]) if "name" in found[0] else ""
                model = (text_of(found[0]["model"]) or None) if "model" in found[0] else None
        nodes: list[Node] = []
        system = None
        for row in rows:
            get = row.get
            when = parse_time(get("datetime_utc"))
            system = system or text_of(get("system")) or None
            prompt = Node(
                id=f"{row['id']}/prompt",
                parent=nodes[-1].id if nodes else None,
                role="user",
                text=text_of(row["prompt"]),
                created=when,
            )
            nodes.append(prompt)
            usage = None
            if _int(get("input_tokens")) is not None or _int(get("output_tokens")) is not None:
                usage = Usage(
                    prompt_tokens=_int(get("input_tokens")),
                    completion_tokens=_int(get("output_tokens")),
                )
            nodes.append(
                Node(
                    id=f"{row['id']}/response",
                    parent=prompt.id,
                    role="assistant",
                    text=text_of(row["response"]),
                    created=when,
                    model=text_of(get("resolved_model")) or text_of(get("model")) or None,
                    reasoning=text_of(get("reasoning")) or None,
                    usage=usage,
                )
            )
        return Imported(
            source="llm",
            source_id=f"conversation:{conversation}",
            title=title,
            nodes=nodes,
            system=system,
            model=model,
        )

    def _thread(self, db: sqlite3.Connection, group: list[Any]) -> Imported:
        """A thread and the threads forked from it (and from those): one tree."""
        ids = [t["id"] for t in group]
        marks = ",".join("?" for _ in ids)
        turn_cols = columns(db, "turns")
        turns = query(
            db,
            self.path,
            f"SELECT * FROM turns WHERE thread_id IN ({marks}) ORDER BY rowid",
            tuple(ids),
        )
        by_tip = {t["tip_message_hash"]: t for t in turns}
        when_of: dict[str, Any] = {}
        messages: dict[str, Any] = {}
        tips = [t["tip_message_hash"] for t in group if "tip_message_hash" in t]
        tips += [t["tip_message_hash"] for t in turns]
        for tip in tips:
            node = tip
            while isinstance(node, str) and node not in messages:
                found = query(db, self.path, "SELECT * FROM messages WHERE hash = ?", (node,))
                if not found:
                    break
                messages[node] = found[0]
                node = found[0]["parent_hash"]
        for turn in turns:  # a turn's time for the messages it added
            node = turn["tip_message_hash"]
            stop = turn["parent_message_hash"] if "parent_message_hash" in turn_cols else None
            while (
                isinstance(node, str) and node in messages and node != stop and node not in when_of
            ):
                when_of[node] = turn["datetime_utc"] if "datetime_utc" in turn_cols else None
                node = messages[node]["parent_hash"]
        parts: dict[str, list[Any]] = defaultdict(list)
        if messages:
            keys = list(messages)
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" for _ in chunk)
                sql = f"SELECT * FROM parts WHERE message_hash IN ({marks}) ORDER BY position"
                for part in query(db, self.path, sql, tuple(chunk)):
                    parts[part["message_hash"]].append(part)
        nodes: list[Node] = []
        system = None
        for digest, message in messages.items():
            text, reasoning = _parts(parts[digest])
            role = text_of(message["role"])
            if role == "system" and not text_of(message["parent_hash"]):
                system = system or text
            made_by = by_tip.get(digest, {})
            usage = Usage(
                prompt_tokens=_int(made_by.get("input_tokens")),
                completion_tokens=_int(made_by.get("output_tokens")),
            )
            model = text_of(made_by.get("resolved_model")) or text_of(made_by.get("model")) or None
            nodes.append(
                Node(
                    id=digest,
                    parent=text_of(message["parent_hash"]) or None,
                    role="user" if role == "user" else "assistant",
                    text=text,
                    created=parse_time(when_of.get(digest)),
                    model=model,
                    reasoning=reasoning or None,
                    usage=usage
                    if usage and (usage.prompt_tokens or usage.completion_tokens)
                    else None,
                )
            )
        if system is not None:  # the system message is the conversation's, not a turn
            root = next(n for n in nodes if n.text == system and n.parent is None)
            nodes = [n for n in nodes if n is not root]
            for n in nodes:
                n.parent = None if n.parent == root.id else n.parent
        first = group[0]
        return Imported(
            source="llm",
            source_id=f"thread:{first['id']}",
            title=text_of(first["name"]),
            nodes=nodes,
            system=system,
            created=parse_time(first["datetime_utc"]) if "datetime_utc" in first else None,
        )


def _parts(parts: list[Any]) -> tuple[str, str]:
    texts, reasoning = [], []
    for part in parts:
        kind, text = text_of(part["type"]), text_of(part["text"])
        payload = text_of(part.get("payload"))
        tool = text_of(part.get("tool_name")) or "tool"
        if kind == "reasoning":
            reasoning.append(text)
        elif kind in ("tool_call", "tool_use"):
            texts.append(folded(f"Tool call: {tool}", payload or text, "json"))
        elif kind == "tool_result":
            texts.append(folded(f"Tool result: {tool}", text or payload))
        elif text:
            texts.append(text)
    return "\n\n".join(t for t in texts if t), "\n\n".join(r for r in reasoning if r)


def _thread_groups(threads: list[Any]) -> list[list[Any]]:
    """Threads grouped under the thread they were (at last) forked from, that one first."""
    by_id = {t["id"]: t for t in threads}

    def root(thread: Any) -> Any:
        seen = set()
        while thread["forked_from"] in by_id and thread["id"] not in seen:
            seen.add(thread["id"])
            thread = by_id[thread["forked_from"]]
        return thread["id"]

    groups: dict[Any, list[Any]] = defaultdict(list)
    for thread in threads:
        groups[root(thread)].append(thread)
    return [sorted(g, key=lambda t: t["id"] != key) for key, g in groups.items()]

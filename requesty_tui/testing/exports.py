"""Other clients' histories, generated from their documented shapes (no real user's file):
for the import tests and ``benchmarks/import_chatgpt.py``."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

T0 = 1_700_000_000.0
"""2023-11-14: every generated time counts from here."""


def chatgpt_node(
    node_id: str,
    parent: str | None,
    role: str | None,
    text: str = "",
    *,
    at: float = T0,
    model: str | None = None,
    hidden: bool = False,
    end_turn: bool | None = None,
    content: dict[str, Any] | None = None,
    children: list[str] | None = None,
    recipient: str = "all",
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    message = None
    if role is not None:
        meta: dict[str, Any] = dict(metadata or {})
        if model:
            meta["model_slug"] = model
        if hidden:
            meta["is_visually_hidden_from_conversation"] = True
        message = {
            "id": node_id,
            "author": {"role": role, "name": None, "metadata": {}},
            "create_time": at,
            "update_time": None,
            "content": content or {"content_type": "text", "parts": [text]},
            "status": "finished_successfully",
            "end_turn": end_turn if end_turn is not None else (role == "assistant" or None),
            "weight": 1.0,
            "metadata": meta,
            "recipient": recipient,
        }
    return {"id": node_id, "message": message, "parent": parent, "children": children or []}


def chatgpt_conversation(
    conv_id: str, title: str, nodes: list[dict[str, Any]], current: str | None, at: float = T0
) -> dict[str, Any]:
    """A conversation from its nodes; each node's ``children`` is filled from the parents."""
    mapping = {n["id"]: n for n in nodes}
    for node in nodes:
        parent = node["parent"]
        if parent in mapping and node["id"] not in mapping[parent]["children"]:
            mapping[parent]["children"].append(node["id"])
    return {
        "title": title,
        "create_time": at,
        "update_time": at + 600,
        "mapping": mapping,
        "moderation_results": [],
        "current_node": current,
        "plugin_ids": None,
        "conversation_id": conv_id,
        "id": conv_id,
        "default_model_slug": "gpt-4o",
    }


def chatgpt_generated(
    n: int, turns: int = 14, *, branch_every: int = 3, seed_text: str = "", version: int = 0
) -> list[dict[str, Any]]:
    """``n`` conversations of ``turns`` prompt/reply pairs after a hidden system root; every
    ``branch_every``-th conversation has a regenerated reply and an edited prompt. About
    ``2 * turns + 2`` messages each. ``version`` > 0 adds that many more turns to every
    fifth conversation (a user who went on chatting since the last export)."""
    out = []
    for c in range(n):
        cid = f"c{c:05d}-0000-4000-8000-{c:012d}"
        nodes = [
            chatgpt_node(f"{cid}-root", None, None),
            chatgpt_node(f"{cid}-sys", f"{cid}-root", "system", "", hidden=True),
        ]
        parent, at = f"{cid}-sys", T0 + c * 3600
        extra = version if c % 5 == 0 else 0
        for t in range(turns + extra):
            at += 10
            user = f"{cid}-u{t}"
            text = f"Question {t} of conversation {c}: how does *this* work? {seed_text}"
            nodes.append(chatgpt_node(user, parent, "user", text, at=at))
            reply = f"{cid}-a{t}"
            body = (
                f"Answer {t}. Here is `code`:\n\n```python\nprint({t})\n```\n\n"
                + "Some explanation of the matter at hand, a sentence or two long. " * 3
            )
            nodes.append(chatgpt_node(reply, user, "assistant", body, at=at + 5, model="gpt-4o"))
            if c % branch_every == 0 and t == 1:
                other = "Another answer."
                nodes.append(chatgpt_node(f"{reply}b", user, "assistant", other, at=at + 6))
                nodes[-1]["message"]["metadata"]["model_slug"] = "o3"
            if c % branch_every == 0 and t == 2:
                edit = f"{user}e"
                nodes.append(chatgpt_node(edit, parent, "user", "Edited.", at=at + 7))
                nodes.append(chatgpt_node(f"{edit}r", edit, "assistant", "On the edit.", at=at + 8))
            parent = reply
        out.append(chatgpt_conversation(cid, f"Conversation {c}", nodes, parent, at=T0 + c * 3600))
    return out


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def write_zip(path: Path, files: dict[str, Any]) -> Path:
    """A zip of JSON files (``{name: data}``), as the web exports are."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, json.dumps(data, ensure_ascii=False))
    return path


def sqlite_db(path: Path, schema: str, rows: dict[str, list[tuple[Any, ...]]]) -> Path:
    """A database from its ``CREATE TABLE`` statements and rows per table."""
    db = sqlite3.connect(path)
    db.executescript(schema)
    for table, values in rows.items():
        for row in values:
            marks = ",".join("?" for _ in row)
            db.execute(f"INSERT INTO {table} VALUES ({marks})", row)
    db.commit()
    db.close()
    return path

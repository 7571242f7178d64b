"""Folders of files: PAR LLAMA (``chats/<id>.json``) and gptme (``logs/<name>/conversation.jsonl``,
its forks in ``branches/*.jsonl`` beside it)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from requesty_tui.core.domain import Usage
from requesty_tui.storage.importers.model import (
    Failure,
    Imported,
    Node,
    Unreadable,
    count,
    folded,
    note,
    obj,
    parse_time,
)
from requesty_tui.storage.importers.sources import Item, Source, text_of


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not readable JSON ({exc})") from None


class ParLlama(Source):
    """One JSON file a chat; the older files' keys (``session_id``, ``message_id``) too."""

    kind = "parllama"

    def files(self) -> list[Path]:
        folder = self.path / "chats" if (self.path / "chats").is_dir() else self.path
        try:
            return sorted(p for p in folder.iterdir() if p.suffix == ".json" and p.is_file())
        except OSError as exc:
            raise Unreadable(f"{folder}: cannot list ({exc.strerror or exc})") from None

    def items(self) -> Iterator[Item]:
        files = self.files()
        self.total = len(files)
        for path in files:
            try:
                yield convert_parllama(_read_json(path), path)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                yield Failure(str(path), str(exc) or type(exc).__name__)


def convert_parllama(data: Any, path: Path) -> Imported:
    if not isinstance(data, dict):
        raise ValueError("not a chat object")
    source_id = text_of(data.get("id")) or text_of(data.get("session_id")) or path.stem
    raw = data.get("messages")
    if not isinstance(raw, list):
        raise ValueError("no 'messages' list")
    config = obj(data.get("llm_config"))
    model = text_of(config.get("model_name")) or text_of(data.get("llm_model_name")) or None
    updated = parse_time(data.get("last_updated"))
    nodes: list[Node] = []
    system = None
    for n, message in enumerate(raw, 1):
        if not isinstance(message, dict):
            raise ValueError(f"message {n} is not an object")
        role = text_of(message.get("role"))
        text = text_of(message.get("content"))
        if role == "system" and not nodes and system is None:
            system = text
            continue
        images = message.get("images")
        if isinstance(images, list) and images:
            text = "\n\n".join([text, *(note("image not imported") for _ in images)]).strip()
        calls = message.get("tool_calls")
        if isinstance(calls, list) and calls:
            arguments = json.dumps(calls, ensure_ascii=False, indent=2)
            text = "\n\n".join(t for t in (text, folded("Tool calls", arguments, "json")) if t)
        ident = (
            text_of(message.get("id")) or text_of(message.get("message_id")) or f"{source_id}#{n}"
        )
        nodes.append(
            Node(
                id=ident,
                parent=nodes[-1].id if nodes else None,
                role="user" if role == "user" else "assistant",
                text=text,
                created=updated,
                model=model if role != "user" else None,
                reasoning=text_of(message.get("thinking")) or None,
            )
        )
    usage = obj(data.get("total_usage"))
    cost = _number(data.get("total_cost"))
    replies = [n for n in nodes if n.role == "assistant"]
    if replies and (usage or cost):
        # The chat's totals, on its last reply: what the conversation cost stays visible.
        replies[-1].usage = Usage(
            prompt_tokens=count(usage.get("input_tokens")),
            completion_tokens=count(usage.get("output_tokens")),
            total_tokens=count(usage.get("total_tokens")),
            cost=cost,
        )
    return Imported(
        source="parllama",
        source_id=source_id,
        title=text_of(data.get("name")) or text_of(data.get("session_name")),
        nodes=nodes,
        updated=updated,
        system=system or None,
        model=model,
    )


class Gptme(Source):
    """A folder of conversations, each ``conversation.jsonl`` (the branch the user is on) and
    ``branches/*.jsonl`` (forks that share its beginning: alternatives here). A single
    ``conversation.jsonl`` or its folder works too."""

    kind = "gptme"

    def folders(self) -> list[Path]:
        if self.path.is_file():
            return [self.path.parent]
        if (self.path / "conversation.jsonl").is_file():
            return [self.path]
        try:
            return sorted(p for p in self.path.iterdir() if (p / "conversation.jsonl").is_file())
        except OSError as exc:
            raise Unreadable(f"{self.path}: cannot list ({exc.strerror or exc})") from None

    def items(self) -> Iterator[Item]:
        folders = self.folders()
        self.total = len(folders)
        for folder in folders:
            try:
                yield convert_gptme(folder)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                yield Failure(str(folder / "conversation.jsonl"), str(exc) or type(exc).__name__)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name}: not readable ({exc})") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise ValueError(f"{path.name}: line {n} is not JSON") from None
        if not isinstance(item, dict):
            raise ValueError(f"{path.name}: line {n} is not an object")
        out.append(item)
    return out


def convert_gptme(folder: Path) -> Imported:
    main = _jsonl(folder / "conversation.jsonl")
    branches = (
        sorted((folder / "branches").glob("*.jsonl")) if (folder / "branches").is_dir() else []
    )
    logs = [main] + [_jsonl(p) for p in branches]
    system = None
    if main and main[0].get("role") == "system":
        system = text_of(main[0].get("content"))
    nodes: dict[tuple[Any, ...], Node] = {}
    current = None
    for number, log in enumerate(logs):
        parent: Node | None = None
        start = 1 if system is not None and log and log[0].get("role") == "system" else 0
        for line in log[start:]:
            role = text_of(line.get("role"))
            text = text_of(line.get("content"))
            if role == "system":
                text, role = folded("Output", text), "assistant"  # a tool's output, in gptme
            # Lines the logs share (the same place, the same words) are one message.
            key = (parent.id if parent else None, role, text, text_of(line.get("timestamp")))
            node = nodes.get(key)
            if node is None:
                meta = obj(line.get("metadata"))
                usage_raw = obj(meta.get("usage"))
                usage = None
                if usage_raw or _number(meta.get("cost")) is not None:
                    usage = Usage(
                        prompt_tokens=count(usage_raw.get("input_tokens")),
                        completion_tokens=count(usage_raw.get("output_tokens")),
                        cost=_number(meta.get("cost")),
                    )
                node = Node(
                    id=hashlib.blake2b(repr(key).encode(), digest_size=8).hexdigest(),
                    parent=parent.id if parent else None,
                    role="user" if role == "user" else "assistant",
                    text=text,
                    created=parse_time(line.get("timestamp")),
                    model=text_of(meta.get("model")) or None,
                    usage=usage,
                )
                nodes[key] = node
            parent = node
        if number == 0 and parent is not None:
            current = parent.id
    listed = list(nodes.values())
    return Imported(
        source="gptme",
        source_id=folder.name,
        title=folder.name,
        nodes=listed,
        created=listed[0].created if listed else None,
        system=system,
        current=current,
    )

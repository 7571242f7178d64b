"""The web exports: ChatGPT and Claude.ai (a zip or its ``conversations.json``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from requesty_tui.storage.importers.chatgpt import convert as chatgpt_convert
from requesty_tui.storage.importers.claude import convert as claude_convert
from requesty_tui.storage.importers.jsonstream import JsonArray
from requesty_tui.storage.importers.sources import Item, Source, convert_each


class WebExport(Source):
    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(path)
        self.kind = kind
        self.json = JsonArray(path)

    def fraction(self) -> float | None:
        return self.json.fraction()

    def items(self) -> Iterator[Item]:
        convert = chatgpt_convert if self.kind == "chatgpt" else claude_convert
        id_key = "id" if self.kind == "chatgpt" else "uuid"

        def where(conv: dict[str, Any]) -> str:
            ident = conv.get(id_key) or conv.get("conversation_id")
            title = conv.get("title") if self.kind == "chatgpt" else conv.get("name")
            what = f"conversation {ident!r}" if isinstance(ident, str) else "a conversation"
            if isinstance(title, str) and title:
                what += f" ({title[:60]!r})"
            return f"{self.json.shown}: {what}"

        return convert_each(self.json.items(), convert, where)

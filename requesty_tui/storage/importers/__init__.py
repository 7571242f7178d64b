"""Other clients' chat histories into session files (``requesty-tui import``).

No Textual, no network: each source (:mod:`.web`, :mod:`.databases`, :mod:`.llm`,
:mod:`.folders`) reads its own shape into :class:`.model.Imported` trees, :func:`.model.
to_conversation` makes them ours, and :mod:`.run` writes them (once each, updated when the
source goes on). The shapes: ``import-formats`` in the team notes, summed up in the README.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from requesty_tui.storage.importers.model import KINDS, LABELS, Unreadable
from requesty_tui.storage.importers.sources import Source, columns, is_sqlite, open_database

__all__ = ["KINDS", "LABELS", "Unreadable", "default_path", "open_source"]


def _make(kind: str, path: Path) -> Source:
    if kind in ("chatgpt", "claude"):
        from requesty_tui.storage.importers.web import WebExport

        return WebExport(path, kind)
    if kind in ("elia", "oterm"):
        from requesty_tui.storage.importers.databases import Elia, Oterm

        return Elia(path) if kind == "elia" else Oterm(path)
    if kind == "llm":
        from requesty_tui.storage.importers.llm import Llm

        return Llm(path)
    from requesty_tui.storage.importers.folders import Gptme, ParLlama

    return ParLlama(path) if kind == "parllama" else Gptme(path)


def detect(path: Path) -> str:
    """What ``path`` is; raises :class:`Unreadable` saying what was looked for."""
    if path.is_dir():
        if (path / "conversations.json").is_file():
            return _web_kind(path / "conversations.json")
        if (path / "conversation.jsonl").is_file() or any(
            (p / "conversation.jsonl").is_file() for p in _subfolders(path)
        ):
            return "gptme"
        if (path / "logs").is_dir() and any(
            (p / "conversation.jsonl").is_file() for p in _subfolders(path / "logs")
        ):
            return "gptme"
        folder = path / "chats" if (path / "chats").is_dir() else path
        if any(p.suffix == ".json" for p in _files(folder)):
            return "parllama"
        raise Unreadable(
            f"{path}: a folder that holds no known history (a PAR LLAMA chats/ folder of .json "
            "files, or a gptme logs/ folder of conversation.jsonl files)"
        )
    if not path.exists():
        raise Unreadable(f"{path}: no such file or folder")
    if path.name == "conversation.jsonl":
        return "gptme"
    if is_sqlite(path):
        db = open_database(path, "SQLite")
        try:
            if columns(db, "threads") or columns(db, "responses"):
                return "llm"
            message = columns(db, "message")
            if "author" in message:
                return "oterm"
            if "role" in message:
                return "elia"
        finally:
            db.close()
        raise Unreadable(f"{path}: a SQLite database of no client this version knows")
    return _web_kind(path)


def _web_kind(path: Path) -> str:
    from requesty_tui.storage.importers.jsonstream import JsonArray, web_kind

    kind = web_kind(JsonArray(path))
    if kind is None:
        raise Unreadable(
            f"{path}: not a known export (a ChatGPT or Claude.ai conversations.json or its zip, "
            "an Elia, oterm or llm database, a PAR LLAMA or gptme folder)"
        )
    return kind


def _subfolders(path: Path) -> list[Path]:
    try:
        return [p for p in path.iterdir() if p.is_dir()]
    except OSError:
        return []


def _files(path: Path) -> list[Path]:
    try:
        return [p for p in path.iterdir() if p.is_file()]
    except OSError:
        return []


def open_source(path: Path | None, kind: str | None) -> Source:
    """The source at ``path`` (its kind detected unless given); without a path, where ``kind``
    keeps its data."""
    if path is None:
        if kind is None:
            raise Unreadable("give the export's path, or --from and the tool's name")
        found = default_path(kind)
        if found is None:
            raise Unreadable(f"no {LABELS[kind]} history found where it keeps it: {where(kind)}")
        path = found
    return _make(kind or detect(path), path)


def _candidates(kind: str) -> list[Path]:
    home = Path.home()
    env = os.environ.get
    data = Path(env("XDG_DATA_HOME") or home / ".local" / "share")
    config = Path(env("XDG_CONFIG_HOME") or home / ".config")
    mac = home / "Library" / "Application Support"
    out: list[Path] = []
    if kind == "elia":
        out = [data / "elia" / "elia.sqlite", mac / "elia" / "elia.sqlite"]
    elif kind == "oterm":
        if env("OTERM_DATA_DIR"):
            out.append(Path(env("OTERM_DATA_DIR", "")) / "store.db")
        out += [data / "oterm" / "store.db", mac / "oterm" / "store.db"]
    elif kind == "llm":
        if env("LLM_USER_PATH"):
            out.append(Path(env("LLM_USER_PATH", "")) / "logs.db")
        out += [config / "io.datasette.llm" / "logs.db", mac / "io.datasette.llm" / "logs.db"]
    elif kind == "parllama":
        if env("PARLLAMA_DATA_DIR"):
            out.append(Path(env("PARLLAMA_DATA_DIR", "")) / "chats")
        out += [data / "parllama" / "chats"]
    elif kind == "gptme":
        if env("GPTME_LOGS_HOME"):
            out.append(Path(env("GPTME_LOGS_HOME", "")))
        out += [data / "gptme" / "logs"]
    if sys.platform != "darwin":
        out = [p for p in out if mac not in p.parents]
    return out


def where(kind: str) -> str:
    places = _candidates(kind)
    return ", ".join(str(p) for p in places) or "(it has no default place: give the export's path)"


def default_path(kind: str) -> Path | None:
    """Where ``kind`` keeps its history on this machine, if it is there."""
    return next((p for p in _candidates(kind) if p.exists()), None)

"""A web export's ``conversations.json`` (in its zip or alone), read one conversation at a time.

A ChatGPT export of a few years is hundreds of megabytes of one JSON array: ``ijson`` (a C
parser, imported here only) hands over one conversation at a time, so memory holds one
conversation, not the file. Without ``ijson`` the file is read whole.
"""

from __future__ import annotations

import contextlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from requesty_tui.storage.importers.model import Failure, Unreadable

CONVERSATIONS = "conversations.json"


def _member(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    """The zip's ``conversations.json`` (at its top, or in one folder down)."""
    found = [
        info
        for info in archive.infolist()
        if info.filename.rsplit("/", 1)[-1] == CONVERSATIONS and info.filename.count("/") <= 1
    ]
    if not found:
        raise Unreadable(f"{path}: a zip without {CONVERSATIONS} (not a ChatGPT or Claude export)")
    return min(found, key=lambda info: info.filename.count("/"))


class JsonArray:
    """The conversations of one export, as dicts, with how far through the file the reading
    is (for the progress bar: the count is not known before the end)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = str(path)
        self._raw: IO[bytes] | None = None
        self._size = 1

    def head(self, limit: int = 1 << 20) -> bytes:
        """The first bytes of the JSON (to tell a ChatGPT export from a Claude one)."""
        with self._open() as stream:
            return stream.read(limit)

    @contextlib.contextmanager
    def _open(self) -> Iterator[IO[bytes]]:
        try:
            raw = self.path.open("rb")
        except OSError as exc:
            raise Unreadable(f"{self.path}: cannot read ({exc.strerror or exc})") from None
        with raw:
            self._raw = raw
            self._size = max(1, self.path.stat().st_size)
            if zipfile.is_zipfile(raw):
                raw.seek(0)
                try:
                    archive = zipfile.ZipFile(raw)
                    member = _member(archive, self.path)
                    self.shown = f"{self.path}: {member.filename}"
                    stream: IO[bytes] = archive.open(member)
                except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
                    raise Unreadable(f"{self.path}: a damaged zip ({exc})") from None
                with stream:
                    yield stream
            else:
                raw.seek(0)
                if self.path.suffix.lower() == ".zip":
                    raise Unreadable(f"{self.path}: a damaged zip (no zip directory found)")
                yield raw

    def fraction(self) -> float | None:
        """How much of the file has been read (0-1)."""
        if self._raw is None or self._raw.closed:
            return None
        with contextlib.suppress(OSError, ValueError):
            return min(1.0, self._raw.tell() / self._size)
        return None

    def items(self) -> Iterator[dict[str, Any] | Failure]:
        """Each conversation object; what cannot be read (the end of a truncated file, a
        conversation that is not an object) is a :class:`Failure` and the rest goes on."""
        with self._open() as stream:
            try:
                import ijson
            except ImportError:  # pragma: no cover - a dependency; read whole without it
                yield from self._whole(stream)
                return
            count = 0
            try:
                for item in ijson.items(stream, "item", use_float=True):
                    count += 1
                    if isinstance(item, dict):
                        yield item
                    else:
                        yield Failure(f"{self.shown}: item {count}", "not a conversation object")
            except (
                ijson.JSONError,
                ijson.IncompleteJSONError,
                zipfile.BadZipFile,
                OSError,
                EOFError,
                UnicodeDecodeError,
            ) as exc:
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                if count == 0:
                    raise Unreadable(
                        f"{self.shown}: not a JSON array of conversations ({reason})"
                    ) from None
                yield Failure(
                    self.shown,
                    f"the JSON breaks off after conversation {count} ({reason}): "
                    "the rest of the file is not read",
                )

    def _whole(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | Failure]:
        try:
            data = json.load(stream)
        except (ValueError, OSError) as exc:
            raise Unreadable(f"{self.shown}: not valid JSON ({exc})") from None
        if not isinstance(data, list):
            raise Unreadable(f"{self.shown}: not a JSON array of conversations")
        for n, item in enumerate(data, 1):
            if isinstance(item, dict):
                yield item
            else:
                yield Failure(f"{self.shown}: item {n}", "not a conversation object")


def web_kind(source: JsonArray) -> str | None:
    """``chatgpt`` or ``claude`` from the first conversation's keys; None: neither."""
    head = source.head()
    marks = {"chatgpt": head.find(b'"mapping"'), "claude": head.find(b'"chat_messages"')}
    found = {kind: at for kind, at in marks.items() if at >= 0}
    return min(found, key=lambda kind: found[kind]) if found else None

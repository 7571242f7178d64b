"""Atomic file writes: a crash or a full disk never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from requesty_tui.storage.paths import ensure_private_dir


def _temp_beside(path: Path, text: str, mode: int, fsync: bool) -> str:
    """``text`` in a new temp file in ``path``'s folder (removed again on any error)."""
    folder = ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _sync_folder(folder: Path) -> None:
    """The renames into ``folder`` on disk too (best effort: not every file system can)."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_atomic(path: Path, text: str, mode: int = 0o600) -> None:
    """Write ``text`` to a temp file in the same folder, fsync it, then rename it over ``path``.

    On any error the temp file is removed and the previous ``path`` is left untouched.
    """
    tmp = _temp_beside(path, text, mode, fsync=True)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(path.parent)


class AtomicBatch:
    """Many files written atomically for the price of one sync: each text goes to a temp file
    beside its target, the batch is flushed to disk with one ``os.sync()`` and only then is
    each temp file renamed over its target, so every file is either the old one or the whole
    new one. An fsync per file cost ~9 ms on the 2-core test machine (2,000 imported
    conversations: 37 s of waiting); one sync per batch, well under a second."""

    def __init__(self, size: int = 500, mode: int = 0o600) -> None:
        self.size = size
        self.mode = mode
        self._pending: list[tuple[str, Path]] = []

    def write(self, path: Path, text: str) -> None:
        self._pending.append((_temp_beside(path, text, self.mode, fsync=False), path))

    @property
    def full(self) -> bool:
        return len(self._pending) >= self.size

    def flush(self) -> list[Path]:
        """Sync, then rename every pending file into place (and sync their folders); return
        the files written."""
        if not self._pending:
            return []
        pending, self._pending = self._pending, []
        try:
            os.sync()
            for tmp, path in pending:
                os.replace(tmp, path)
        except BaseException:
            for tmp, _ in pending:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            raise
        for folder in {path.parent for _, path in pending}:
            _sync_folder(folder)
        return [path for _, path in pending]

    def discard(self) -> None:
        """Drop what is not written yet (an interrupted import): no temp file stays."""
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self._pending = []

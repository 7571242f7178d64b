"""Attached files, kept by content: ``$XDG_DATA_HOME/requesty-tui/attachments/<sha256>`` (folder
0700, files 0600, as the sessions). A conversation refers to a copy, so it sends exactly what
was sent even when the original changed or is gone; two conversations attaching the same file
share one copy, and a copy goes when no conversation refers to it any more.

What a file is, is decided by its content, not its name: PNG, JPEG, WebP and GIF by their
signatures, PDF by ``%PDF-``, text by decoding as UTF-8 (no NUL bytes); anything else is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from requesty_tui.core.domain import Attachment, AttachmentKind
from requesty_tui.core.formatting import size_label
from requesty_tui.storage import paths
from requesty_tui.storage.paths import ensure_private_dir

DEFAULT_MAX_BYTES = 10 * 2**20
"""Per file, unless ``max_attachment_mb`` says otherwise."""

_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class AttachmentError(Exception):
    """Why a file cannot be attached, in words for the user."""


def classify(data: bytes) -> tuple[AttachmentKind, str]:
    """(kind, MIME type) by content; raises AttachmentError for anything else."""
    for signature, mime in _IMAGES:
        if data.startswith(signature):
            return "image", mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image", "image/webp"
    if data.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "text", "text/plain"
    raise AttachmentError(
        "it is a binary file of a kind that cannot be sent (text, PNG, JPEG, WebP, GIF and PDF can)"
    )


class AttachmentStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or paths.data_dir() / "attachments"

    def add(self, path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Attachment:
        """Copy a file in (once per content); raises AttachmentError saying why not."""
        shown = path.name or str(path)
        if path.is_dir():
            raise AttachmentError(f"{shown} is a folder; attach the files in it one by one")
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise AttachmentError(f"cannot read {shown}: {exc.strerror or exc}") from None
        if size > max_bytes:
            raise AttachmentError(
                f"{shown} is {size_label(size)}; the limit is {size_label(max_bytes)} a file "
                "(max_attachment_mb in config.toml)"
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise AttachmentError(f"cannot read {shown}: {exc.strerror or exc}") from None
        try:
            return self.add_bytes(shown, data)
        except AttachmentError as exc:
            raise AttachmentError(f"{shown}: {exc}") from None

    def add_bytes(self, name: str, data: bytes) -> Attachment:
        """Keep ``data`` under ``name`` (an imported chat's file); raises AttachmentError for
        a kind that cannot be sent."""
        kind, mime = classify(data)
        digest = hashlib.sha256(data).hexdigest()
        target = self.folder / digest
        if not target.exists():
            ensure_private_dir(self.folder)
            tmp = target.with_name(f".{digest}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        return Attachment(name=name, sha256=digest, size=len(data), kind=kind, mime=mime)

    def read(self, attachment: Attachment) -> bytes:
        """The bytes that were attached; raises AttachmentError if the copy is gone."""
        try:
            return (self.folder / attachment.sha256).read_bytes()
        except OSError:
            raise AttachmentError(
                f"the copy of {attachment.name} is missing from {self.folder}"
            ) from None

    def collect(self, referenced: set[str]) -> int:
        """Delete the copies no conversation refers to; return how many went."""
        gone = 0
        if not self.folder.is_dir():
            return 0
        for entry in self.folder.iterdir():
            if len(entry.name) == 64 and entry.name not in referenced:
                with contextlib.suppress(OSError):
                    entry.unlink()
                    gone += 1
        return gone

"""What an attached file becomes in the request: a text file a fenced block under its name, a
PDF its text page by page (pypdf, a well-kept pure-Python library), an image an ``image_url``
part with a ``data:`` URL for the models that can see. A prompt without attachments stays a
plain string, as every server expects."""

from __future__ import annotations

import base64
import functools
from typing import Any

from requesty_tui.chat.meter import CHARS_PER_TOKEN
from requesty_tui.core.domain import Attachment, Message, ModelInfo
from requesty_tui.core.model_overrides import declare
from requesty_tui.storage.attachments import AttachmentError, AttachmentStore


def api_content(message: Message, store: AttachmentStore) -> str | list[dict[str, Any]]:
    """The ``content`` of a prompt with its attachments; raises AttachmentError (a copy gone,
    an unreadable PDF)."""
    text = message.content
    images: list[dict[str, Any]] = []
    for attachment in message.attachments:
        if attachment.kind == "image":
            data = base64.b64encode(store.read(attachment)).decode("ascii")
            url = f"data:{attachment.mime};base64,{data}"
            images.append({"type": "image_url", "image_url": {"url": url}})
        else:
            text += "\n\n" + _as_text(attachment, store)
    if not images:
        return text
    return [{"type": "text", "text": text}, *images]


def _as_text(attachment: Attachment, store: AttachmentStore) -> str:
    if attachment.kind == "pdf":
        body = pdf_text(attachment.sha256, store.read(attachment))
        return f"{attachment.name} (PDF, its text):\n\n{body}"
    body = store.read(attachment).decode("utf-8")
    fence = "```"
    while fence in body:
        fence += "`"  # a fence the file's own fences cannot close
    return f"{fence}{attachment.name}\n{body}\n{fence}"


@functools.lru_cache(maxsize=32)
def pdf_text(sha256: str, data: bytes) -> str:
    """Each page's text under a ``--- page N of M ---`` marker (cached by content)."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise AttachmentError(f"the PDF could not be read ({exc})") from None
    total = len(pages)
    return "\n\n".join(f"--- page {n} of {total} ---\n{text.strip()}" for n, text in
                       enumerate(pages, 1))  # fmt: skip


def refusal(
    attachments: list[Attachment], model: str, info: ModelInfo | None, models: list[ModelInfo]
) -> str | None:
    """Why these cannot go to ``model`` (None: they can): images only to models that see."""
    images = [a.name for a in attachments if a.kind == "image"]
    if not images or (info is not None and info.supports_vision):
        return None
    seeing = [m.id for m in models if m.supports_vision and m.can_chat][:4]
    which = f" Models that can: {', '.join(seeing)} (F2)." if seeing else ""
    why = "does not say it can see images" if info is not None else "is not in the model list"
    tell = ""
    if info is None or not info.capabilities_known:
        tell = f" If it can: {declare(model, 'vision')}."
    return f"{model} {why}, so {', '.join(images)} cannot be sent to it.{which}{tell}"


def too_big(attachment: Attachment, store: AttachmentStore, info: ModelInfo | None) -> str | None:
    """A text or PDF that would not fit the model's context window on its own."""
    if attachment.kind == "image" or info is None or not info.context_window:
        return None
    tokens = len(_as_text(attachment, store)) / CHARS_PER_TOKEN
    if tokens <= info.context_window:
        return None
    return (
        f"{attachment.name} is about {round(tokens):,} tokens; {info.id}'s context window is "
        f"{info.context_window:,}"
    )

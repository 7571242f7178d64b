"""``requesty-tui ask``: one reply streamed to stdout, notices on stderr."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from requesty_tui.cli.common import EXIT_USAGE, error, read_prompt
from requesty_tui.core.settings import DEFAULT_MODEL, Settings

if TYPE_CHECKING:
    from requesty_tui.core.domain import Attachment


def ask(
    settings: Settings,
    words: list[str],
    system: str | None,
    stdin: TextIO,
    stdout: TextIO,
    files: list[Path] | None = None,
) -> int:
    prompt = read_prompt(words, stdin)
    if not prompt.strip():
        print("requesty-tui: ask needs a prompt (as arguments or on stdin).", file=sys.stderr)
        return EXIT_USAGE
    attachments = []
    if files:
        from requesty_tui.storage.attachments import AttachmentError, AttachmentStore

        store = AttachmentStore()
        for path in files:
            try:
                attachments.append(store.add(path, int(settings.max_attachment_mb * 2**20)))
            except AttachmentError as exc:
                error(f"not sent: {exc}.")
                return EXIT_USAGE
    return asyncio.run(ask_stream(settings, prompt, system, stdout, attachments))


async def ask_stream(
    settings: Settings,
    prompt: str,
    system: str | None,
    out: TextIO,
    attachments: list[Attachment] | None = None,
) -> int:
    from requesty_tui.chat.request import build_request, new_conversation
    from requesty_tui.client import ChunkSkipped, Retrying, RouterError, StreamEnd, TextDelta
    from requesty_tui.client.factory import client_for
    from requesty_tui.core.domain import Message
    from requesty_tui.core.safe_text import make_safe
    from requesty_tui.storage.models_cache import load_cached_models

    # The same body as the TUI: configured defaults; the cached model list (if any) says
    # whether the model takes a reasoning effort (no extra request for one prompt).
    conversation = new_conversation(settings, settings.model or DEFAULT_MODEL)
    if system:
        conversation.system = system
    conversation.messages.append(
        Message(role="user", content=prompt, attachments=list(attachments or []))
    )
    cached = load_cached_models(settings.base_url)
    known = {m.id: m for m in cached.models} if cached else {}
    if attachments:
        from requesty_tui.chat.attachments import refusal

        refused = refusal(
            attachments, conversation.model, known.get(conversation.model), list(known.values())
        )
        if refused is not None:
            error(f"not sent: {refused}")
            return EXIT_USAGE
    request = build_request(conversation, known.get(conversation.model))
    ended_with_newline = True
    skipped: ChunkSkipped | None = None
    safe = make_safe if out.isatty() else (lambda text: text)
    async with client_for(settings) as client:
        try:
            async for event in client.stream_chat(request):
                if isinstance(event, TextDelta):
                    out.write(safe(event.text))
                    out.flush()
                    ended_with_newline = event.text.endswith("\n")
                elif isinstance(event, StreamEnd) and event.finish_reason == "length":
                    print("\nrequesty-tui: the reply was cut at the token limit.", file=sys.stderr)
                elif isinstance(event, Retrying):
                    # A 30 s Retry-After must not look like a hang.
                    print(f"requesty-tui: {make_safe(event.describe())}", file=sys.stderr)
                elif isinstance(event, ChunkSkipped):
                    skipped = event
        except RouterError as exc:
            if not ended_with_newline:
                out.write("\n")
            error(exc)
            return exc.exit_code
    if not ended_with_newline:
        out.write("\n")
    if skipped is not None:
        from requesty_tui.core.formatting import plural

        print(
            f"requesty-tui: {plural(skipped.total, 'chunk')} of the stream could not be read "
            f"({skipped.reason}); the reply above may be missing text.",
            file=sys.stderr,
        )
        return RouterError.exit_code
    return 0

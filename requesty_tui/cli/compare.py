"""``requesty-tui compare "PROMPT" -m A -m B``: the same prompt to several models at once.

The requests run concurrently (one client); stdout gets the replies one after another, each
under a header line (the first streams live, the others are held until their turn, so nothing
interleaves), then a table: model, first token, total time, tokens out, cost. Exit 0 when every
model answered, 4 when any failed (the others are still printed).
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, TextIO

from requesty_tui.chat.runner import ReplyObserver
from requesty_tui.cli.common import EXIT_USAGE, error, read_prompt
from requesty_tui.core.settings import Settings

if TYPE_CHECKING:
    from requesty_tui.chat.compare import Comparison
    from requesty_tui.chat.turn import Turn
    from requesty_tui.client.events import StreamEvent
    from requesty_tui.client.router import RouterClient


def compare(
    settings: Settings,
    words: list[str],
    models: list[str],
    system: str | None,
    stdin: TextIO,
    stdout: TextIO,
) -> int:
    from requesty_tui.chat.compare import check_models

    prompt = read_prompt(words, stdin)
    if not prompt.strip():
        print("requesty-tui: compare needs a prompt (as arguments or on stdin).", file=sys.stderr)
        return EXIT_USAGE
    problem = check_models(models)
    if problem is not None:
        print(f"requesty-tui: compare: {problem}, each with -m MODEL.", file=sys.stderr)
        return EXIT_USAGE
    return asyncio.run(compare_stream(settings, prompt, models, system, stdout))


async def compare_stream(
    settings: Settings, prompt: str, models: list[str], system: str | None, out: TextIO
) -> int:
    from requesty_tui.chat.catalogue import cached_catalogue
    from requesty_tui.chat.compare import start_comparison
    from requesty_tui.chat.request import new_conversation
    from requesty_tui.chat.runner import ReplyRunner
    from requesty_tui.client import RouterError
    from requesty_tui.client.factory import client_for
    from requesty_tui.core.safe_text import make_safe

    conversation = new_conversation(settings, models[0])
    if system:
        conversation.system = system
    catalogue = cached_catalogue(settings)  # with config.toml's [models."ID"] tables
    comparison = start_comparison(conversation, prompt, models, catalogue.info)
    safe = make_safe if out.isatty() else (lambda text: text)
    pieces: list[asyncio.Queue[str | None]] = [asyncio.Queue() for _ in models]
    failures: dict[int, RouterError] = {}

    async def run(index: int, client: RouterClient) -> None:
        async def connect() -> RouterClient:
            return client

        turn, request = comparison.turns[index], comparison.requests[index]
        held = _Held(pieces[index])
        try:
            await ReplyRunner(conversation, turn, connect, request=request, observer=held).run()
            if turn.error is not None:
                failures[index] = turn.error
        finally:
            pieces[index].put_nowait(None)

    async def show() -> None:
        for index, model in enumerate(models):
            if index:
                out.write("\n")
            out.write(f"── {model} " + "─" * max(3, 60 - len(model)) + "\n")
            out.flush()
            ended_with_newline = True
            while (piece := await pieces[index].get()) is not None:
                out.write(safe(piece))
                out.flush()
                ended_with_newline = piece.endswith("\n")
            if not ended_with_newline:
                out.write("\n")
            if index in failures:
                out.write(f"(no complete reply: {safe(str(failures[index]))})\n")
                error(f"{model}: {failures[index]}")
            out.flush()

    async with client_for(settings) as client:
        await asyncio.gather(show(), *(run(i, client) for i in range(len(models))))
    out.write("\n" + summary_table(comparison) + "\n")
    out.flush()
    return RouterError.exit_code if failures else 0


class _Held(ReplyObserver):
    """A reply's text into its queue (printed when its turn comes)."""

    def __init__(self, queue: asyncio.Queue[str | None]) -> None:
        self.queue = queue

    def event(self, turn: Turn, event: StreamEvent) -> None:
        from requesty_tui.client import TextDelta

        if isinstance(event, TextDelta):
            self.queue.put_nowait(event.text)


def summary_table(comparison: Comparison) -> str:
    """Model, first token s, total s, tokens out, cost: one row per model, aligned."""
    from requesty_tui.core.formatting import format_cost

    rows = [("model", "first token", "total", "tokens out", "cost")]
    for turn in comparison.turns:
        usage = turn.answer.usage
        answered = turn.answer.model or turn.model
        name = answered if answered == turn.model else f"{answered} (asked: {turn.model})"
        if turn.error is not None:
            name += " — failed"
        first, total = turn.first_token_s, turn.total_s
        rows.append(
            (
                name,
                f"{first:.2f} s" if first is not None else "–",
                f"{total:.2f} s" if total is not None else "–",
                f"{usage.completion_tokens:,}" if usage and usage.completion_tokens else "–",
                (format_cost(usage.shown_cost) if usage else "") or "–",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)

"""``requesty-tui ask``: one reply streamed to stdout, notices on stderr."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from requesty_tui.chat.runner import ReplyObserver
from requesty_tui.cli.common import EXIT_USAGE, error, read_prompt
from requesty_tui.core.settings import DEFAULT_MODEL, Settings

if TYPE_CHECKING:
    from requesty_tui.chat.tool_loop import Decision
    from requesty_tui.chat.toolbox import Toolbox
    from requesty_tui.chat.turn import Turn
    from requesty_tui.client import ChunkSkipped
    from requesty_tui.client.events import StreamEvent
    from requesty_tui.client.router import RouterClient
    from requesty_tui.core.domain import Attachment, Conversation, Message, ModelInfo
    from requesty_tui.core.tools import ToolCall, ToolSpec
    from requesty_tui.storage.presets import Preset


def ask(
    settings: Settings,
    words: list[str],
    system: str | None,
    stdin: TextIO,
    stdout: TextIO,
    files: list[Path] | None = None,
    tools: bool = False,
    preset: Preset | None = None,
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
    return asyncio.run(
        ask_stream(settings, prompt, system, stdout, attachments, tools=tools, preset=preset)
    )


async def ask_stream(
    settings: Settings,
    prompt: str,
    system: str | None,
    out: TextIO,
    attachments: list[Attachment] | None = None,
    *,
    tools: bool = False,
    preset: Preset | None = None,
) -> int:
    from requesty_tui.chat.catalogue import cached_catalogue
    from requesty_tui.chat.request import new_conversation
    from requesty_tui.chat.runner import ReplyRunner
    from requesty_tui.chat.turn import Turn
    from requesty_tui.client import RouterError
    from requesty_tui.client.factory import client_for
    from requesty_tui.core.domain import Message

    # The same body as the TUI: configured defaults; the cached model list (if any) says
    # whether the model takes a reasoning effort (no extra request for one prompt).
    conversation = new_conversation(settings, settings.model or DEFAULT_MODEL)
    if preset is not None:  # its model and settings; its first message is the TUI's
        from requesty_tui.chat.presets import apply_preset

        apply_preset(conversation, preset)
    if system:
        conversation.system = system
    question = Message(role="user", content=prompt, attachments=list(attachments or []))
    conversation.messages.append(question)
    catalogue = cached_catalogue(settings)  # with config.toml's [models."ID"] tables
    info = catalogue.info(conversation.model)
    if attachments:
        from requesty_tui.chat.attachments import refusal

        refused = refusal(attachments, conversation.model, info, catalogue.models)
        if refused is not None:
            error(f"not sent: {refused}")
            return EXIT_USAGE
    toolbox = await _start_tools(settings, conversation, info) if tools else None
    printer = _Printer(out)
    turn = Turn(conversation, question, conversation.model, prompt_is_new=False)
    try:
        async with client_for(settings) as client:

            async def connect() -> RouterClient:
                return client

            runner = ReplyRunner(
                conversation, turn, connect, models=catalogue.info, toolbox=toolbox,
                observer=printer,
            )  # fmt: skip
            await runner.run()
    finally:
        if toolbox is not None:
            await toolbox.close()
    failure = runner.turn.error
    if failure is not None:
        printer.end_line()
        error(failure)
        return failure.exit_code
    if runner.limited:
        rounds = len(runner.rounds)
        error(f"stopped after {rounds} rounds of tool calls (max_tool_rounds).")
        return RouterError.exit_code
    printer.end_line()
    skipped = printer.skipped
    if skipped is not None:
        from requesty_tui.core.formatting import plural

        print(
            f"requesty-tui: {plural(skipped.total, 'chunk')} of the stream could not be read "
            f"({skipped.reason}); the reply above may be missing text.",
            file=sys.stderr,
        )
        return RouterError.exit_code
    return 0


async def _start_tools(
    settings: Settings, conversation: Conversation, info: ModelInfo | None
) -> Toolbox | None:
    """``--tools``: the configured servers (each failure said on stderr)."""
    from requesty_tui.chat.toolbox import Toolbox
    from requesty_tui.core.safe_text import one_line

    if not settings.mcp:
        error("--tools: no MCP servers are configured ([mcp.NAME] tables in config.toml).")
        return None
    toolbox = Toolbox(settings)
    for failure in await toolbox.start():
        error(f"tools: {one_line(failure.message)}")
    reason = toolbox.not_offered(conversation, info)
    if reason:
        error(reason)
    return toolbox


class _Printer(ReplyObserver):
    """The reply's text on stdout as it streams; what happens around it one line on stderr
    each. ``ask`` cannot ask: only auto-approved tools run, any other call is declined."""

    def __init__(self, out: TextIO) -> None:
        from requesty_tui.core.safe_text import make_safe

        self.out = out
        self.safe = make_safe if out.isatty() else (lambda text: text)
        self.ended_with_newline = True
        self.skipped: ChunkSkipped | None = None

    def end_line(self) -> None:
        if not self.ended_with_newline:
            self.out.write("\n")
            self.ended_with_newline = True

    def event(self, turn: Turn, event: StreamEvent) -> None:
        from requesty_tui.client import ChunkSkipped, Retrying, StreamEnd, TextDelta
        from requesty_tui.core.safe_text import make_safe

        if isinstance(event, TextDelta):
            self.out.write(self.safe(event.text))
            self.out.flush()
            self.ended_with_newline = event.text.endswith("\n")
        elif isinstance(event, StreamEnd) and event.finish_reason == "length":
            print("\nrequesty-tui: the reply was cut at the token limit.", file=sys.stderr)
        elif isinstance(event, Retrying):
            # A 30 s Retry-After must not look like a hang.
            print(f"requesty-tui: {make_safe(event.describe())}", file=sys.stderr)
        elif isinstance(event, ChunkSkipped):
            self.skipped = event

    async def round_ended(self, turn: Turn) -> None:
        self.end_line()

    async def ask(self, call: ToolCall, spec: ToolSpec) -> Decision:
        from requesty_tui.core.safe_text import one_line

        error(
            f"declined {one_line(call.label)}: not in auto_approve of "
            f"[mcp.{one_line(spec.server)}] (ask runs only those)"
        )
        return "decline"

    def tool_running(self, call: ToolCall) -> None:
        from requesty_tui.core.safe_text import one_line

        error(f"running {one_line(call.label)} {one_line(call.arguments, 200)}")

    def tool_answered(self, call: ToolCall, result: Message) -> None:
        from requesty_tui.core.safe_text import one_line

        if result.tool_status == "error":
            error(f"{one_line(call.label)} failed: {one_line(result.content, 300)}")

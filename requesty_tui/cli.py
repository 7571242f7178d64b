"""Command line: the TUI, ``ask`` (one-shot to stdout) and ``models``.

Exit codes: 0 success, 2 usage error, 3 auth/config error, 4 network/server error.
The UI is imported only when the TUI starts, so ``ask`` and ``models`` start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING, TextIO

from requesty_tui import __version__
from requesty_tui.core.settings import DEFAULT_MODEL, ConfigError, Settings
from requesty_tui.storage.settings_file import load_settings

if TYPE_CHECKING:
    from requesty_tui.core.domain import Conversation
    from requesty_tui.storage.sessions import SessionStore

EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 128 + 13
"""What a shell reports for a tool that SIGPIPE ended (``set -o pipefail`` sees the same)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="requesty-tui",
        description="A terminal chat client for the Requesty LLM router.",
        epilog="Key: REQUESTY_API_KEY. Other server: REQUESTY_BASE_URL. "
        "Config: $XDG_CONFIG_HOME/requesty-tui/config.toml.",
    )
    parser.add_argument("--version", action="version", version=f"requesty-tui {__version__}")
    parser.add_argument("--model", "-m", help="model id, e.g. openai/gpt-4o-mini")
    parser.add_argument("--base-url", help="OpenAI-compatible base URL (default: Requesty)")
    parser.add_argument(
        "--resume",
        "-r",
        metavar="ID",
        help="resume a saved conversation ('latest' for the most recent)",
    )
    parser.add_argument(
        "--continue",
        "-c",
        dest="resume",
        action="store_const",
        const="latest",
        help="continue the most recent conversation",
    )
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="stream one reply to stdout (reads stdin when piped)")
    ask.add_argument("prompt", nargs="*", help="the prompt; stdin is appended when piped")
    ask.add_argument("--model", "-m", dest="ask_model", help="model id")
    ask.add_argument("--system", help="system prompt")
    models = sub.add_parser("models", help="list the router's chat models")
    models.add_argument(
        "--all", action="store_true", help="also embedding, image and speech models"
    )
    sessions = sub.add_parser("sessions", help="list saved conversations")
    sessions_sub = sessions.add_subparsers(dest="sessions_command")
    export = sessions_sub.add_parser("export", help="print a conversation as Markdown")
    export.add_argument("id", help="session id, or 'latest'")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do. Python would
        # complain again when it flushes stdout at exit, so point stdout at nothing first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    model = getattr(args, "ask_model", None) or args.model
    try:
        settings = load_settings(cli={"base_url": args.base_url, "model": model})
    except ConfigError as exc:
        _error(exc)
        return exc.exit_code
    for warning in settings.warnings:
        print(f"requesty-tui: warning: {warning}", file=sys.stderr)
    if args.command == "ask":
        return _ask(settings, args.prompt, args.system, sys.stdin, sys.stdout)
    if args.command == "models":
        return _models(settings, sys.stdout, include_all=args.all)
    if args.command == "sessions":
        if args.sessions_command == "export":
            return _export(args.id, sys.stdout)
        return _sessions(sys.stdout)
    from requesty_tui.storage.sessions import SessionStore

    store = SessionStore()
    conversation = None
    if args.resume:
        # The app saves with the store that read the file: a store that never saw it would
        # take the file for one changed elsewhere and save a copy.
        conversation = _load_session(args.resume, store)
        if conversation is None:
            return EXIT_USAGE
    from requesty_tui.ui.app import RequestyApp

    RequestyApp(settings, model=model, conversation=conversation, store=store).run()
    return 0


def _load_session(session_id: str, store: SessionStore | None = None) -> Conversation | None:
    """A saved conversation by id or 'latest'; None, with the reason on stderr, if none."""
    from requesty_tui.storage.sessions import SessionError, SessionStore

    store = store or SessionStore()
    try:
        if session_id == "latest":
            latest = store.latest()
            if latest is None:
                raise SessionError("there are no saved conversations yet")
            session_id = latest.id
        return store.load(session_id)
    except SessionError as exc:
        _error(exc)
        return None
    finally:
        store.close()


def _sessions(out: TextIO) -> int:
    """One aligned line per conversation: id, updated, model, messages, cost, title."""
    from requesty_tui.core.formatting import format_usd, plural
    from requesty_tui.storage.sessions import SessionStore, format_updated

    store = SessionStore()
    try:
        rows = store.summaries()
    finally:
        store.close()
    good = [row for row in rows if row.readable]
    id_width = max((len(row.id) for row in rows), default=0)
    model_width = max((len(row.model) for row in good), default=0)
    count_width = max((len(plural(row.message_count, "msg")) for row in good), default=0)
    cost_width = max((len(format_usd(row.cost)) for row in good if row.cost is not None), default=1)
    for row in rows:
        if row.readable:
            cost = format_usd(row.cost) if row.cost is not None else "-"
            count = plural(row.message_count, "msg")
            out.write(
                f"{row.id:<{id_width}}  {format_updated(row.updated)}  "
                f"{row.model:<{model_width}}  {count:>{count_width}}  "
                f"{cost:>{cost_width}}  {row.title}\n"
            )
        else:
            out.write(f"{row.id:<{id_width}}  UNREADABLE  {row.error}\n")
    return 0


def _export(session_id: str, out: TextIO) -> int:
    from requesty_tui.storage.session_format import to_markdown

    conversation = _load_session(session_id)
    if conversation is None:
        return EXIT_USAGE
    out.write(to_markdown(conversation))
    return 0


def _ask(
    settings: Settings, words: list[str], system: str | None, stdin: TextIO, stdout: TextIO
) -> int:
    prompt = " ".join(words)
    if not stdin.isatty():
        piped = stdin.read()
        prompt = f"{prompt}\n\n{piped}" if prompt and piped.strip() else (prompt or piped)
    if not prompt.strip():
        print("requesty-tui: ask needs a prompt (as arguments or on stdin).", file=sys.stderr)
        return EXIT_USAGE
    return asyncio.run(_ask_async(settings, prompt, system, stdout))


async def _ask_async(settings: Settings, prompt: str, system: str | None, out: TextIO) -> int:
    from requesty_tui.chat.request import build_request, new_conversation
    from requesty_tui.client import (
        ChunkSkipped,
        Retrying,
        RetryPolicy,
        RouterClient,
        RouterError,
        StreamEnd,
        TextDelta,
    )
    from requesty_tui.core.domain import Message
    from requesty_tui.core.safe_text import make_safe
    from requesty_tui.storage.models_cache import load_cached_models

    # The same body as the TUI: configured defaults; the cached model list (if any) says
    # whether the model takes a reasoning effort (no extra request for one prompt).
    conversation = new_conversation(settings, settings.model or DEFAULT_MODEL)
    if system:
        conversation.system = system
    conversation.messages.append(Message(role="user", content=prompt))
    cached = load_cached_models(settings.base_url)
    known = {m.id: m for m in cached.models} if cached else {}
    request = build_request(conversation, known.get(conversation.model))
    ended_with_newline = True
    skipped: ChunkSkipped | None = None
    safe = make_safe if out.isatty() else (lambda text: text)
    async with RouterClient(
        settings.base_url,
        settings.api_key,
        stall_timeout=settings.stall_timeout,
        connect_timeout=settings.connect_timeout,
        retry=RetryPolicy(settings.max_attempts, settings.retry_base_delay),
    ) as client:
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
            _error(exc)
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


def _models(settings: Settings, out: TextIO, *, include_all: bool = False) -> int:
    from requesty_tui.client import RouterClient, RouterError
    from requesty_tui.core.model_filter import describe, filter_models
    from requesty_tui.core.safe_text import make_safe

    async def fetch() -> int:
        async with RouterClient(
            settings.base_url,
            settings.api_key,
            connect_timeout=settings.connect_timeout,
            stall_timeout=settings.stall_timeout,
        ) as client:
            try:
                models = await client.list_models()
            except RouterError as exc:
                _error(exc)
                return exc.exit_code
        shown = filter_models(models, "", include_all=include_all)
        width = max((len(m.id) for m in shown), default=0)
        for model in shown:
            out.write(make_safe(f"{model.id:<{width}}  {describe(model)}".rstrip()) + "\n")
        hidden = len(models) - len(shown)
        if hidden:
            from requesty_tui.core.formatting import plural

            print(
                f"requesty-tui: {plural(hidden, 'model')} that cannot chat (embeddings, images, "
                "speech) not listed; --all lists them.",
                file=sys.stderr,
            )
        return 0

    return asyncio.run(fetch())


def _error(exc: object) -> None:
    """One line on stderr; a server's words in it cannot be escape sequences."""
    from requesty_tui.core.safe_text import make_safe

    print(f"requesty-tui: {make_safe(str(exc))}", file=sys.stderr)

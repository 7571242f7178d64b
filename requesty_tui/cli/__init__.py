"""Command line: the TUI, ``ask`` (one-shot to stdout), ``compare`` (several models at once),
``sessions``, ``models``, the key and account (``login``, ``logout``, ``usage``) and ``serve``
(the TUI in a browser).

Exit codes: 0 success, 2 usage error, 3 auth/config error, 4 network/server error.
The UI is imported only when the TUI starts, so ``ask`` and ``models`` start fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from requesty_tui import __version__
from requesty_tui.cli.common import EXIT_USAGE, error
from requesty_tui.core.settings import DEFAULT_MODEL, ConfigError
from requesty_tui.storage.settings_file import load_settings


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
        help="resume a saved conversation: its id, the start of it, its title, or 'latest'",
    )
    parser.add_argument(
        "--continue",
        "-c",
        dest="resume",
        action="store_const",
        const="latest",
        help="continue the most recent conversation",
    )
    parser.add_argument(
        "--attach",
        "-a",
        metavar="PATH",
        action="append",
        default=[],
        help="attach a file to the first message (repeatable)",
    )
    parser.add_argument(
        "--compare",
        metavar="A,B[,C,D]",
        help="start in compare mode: each message goes to these 2-4 models at once",
    )
    parser.add_argument(
        "--preset", metavar="NAME", help="start a new chat from a preset (presets/NAME.toml)"
    )
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="stream one reply to stdout (reads stdin when piped)")
    ask.add_argument("prompt", nargs="*", help="the prompt; stdin is appended when piped")
    ask.add_argument("--model", "-m", dest="ask_model", help="model id")
    ask.add_argument("--system", help="system prompt")
    ask.add_argument(
        "--attach",
        "-a",
        dest="ask_attach",
        metavar="PATH",
        action="append",
        default=[],
        help="send a file with the prompt (text, image, PDF; repeatable)",
    )
    ask.add_argument(
        "--preset", dest="ask_preset", metavar="NAME", help="a preset's model and settings"
    )
    ask.add_argument(
        "--tools",
        action="store_true",
        help="let the model call the configured MCP servers' tools (auto_approve ones only)",
    )
    compare = sub.add_parser(
        "compare", help="one prompt to 2-4 models at once; replies one after another, a table"
    )
    compare.add_argument("prompt", nargs="*", help="the prompt; stdin is appended when piped")
    compare.add_argument(
        "--model", "-m", dest="compare_models", action="append", default=[], help="a model id"
    )
    compare.add_argument("--system", help="system prompt")
    models = sub.add_parser("models", help="list the router's chat models")
    models.add_argument(
        "--all", action="store_true", help="also embedding, image and speech models"
    )
    login = sub.add_parser(
        "login", help="check an API key and keep it in config.toml (typed hidden, or piped)"
    )
    login.add_argument(
        "--no-check", action="store_true", help="keep the key without checking it first"
    )
    sub.add_parser("logout", help="take the API key out of config.toml")
    usage = sub.add_parser("usage", help="this key's spend per day (Requesty management API)")
    usage.add_argument("--days", type=int, choices=(7, 30), default=7, help="7 or 30 days")
    usage.add_argument(
        "--by", choices=("model", "provider", "app"), default="model", help="group the spend"
    )
    usage.add_argument("--json", action="store_true", help="JSON instead of a table")
    sessions = sub.add_parser("sessions", help="list saved conversations")
    sessions_sub = sessions.add_subparsers(dest="sessions_command")
    export = sessions_sub.add_parser(
        "export", help="a conversation as Markdown, HTML or JSON (--all: every one, to --out)"
    )
    export.add_argument(
        "id", nargs="?", help="session id (or its start, or its title), or 'latest'"
    )
    export.add_argument(
        "--format", "-f", choices=("md", "html", "json"), default="md", help="default: md"
    )
    export.add_argument(
        "--all-branches", action="store_true", help="also every alternative, folded"
    )
    export.add_argument("--all", action="store_true", help="every conversation, one file each")
    export.add_argument("--out", "-o", metavar="PATH", help="a file (or, with --all, a folder)")
    importing = sub.add_parser(
        "import", help="bring in chats from ChatGPT, Claude.ai, Elia, oterm, llm, PAR LLAMA, gptme"
    )
    importing.add_argument(
        "path", nargs="?", help="the export (zip, conversations.json), database or folder"
    )
    importing.add_argument(
        "--from",
        dest="source",
        choices=("chatgpt", "claude", "elia", "oterm", "llm", "parllama", "gptme"),
        help="what PATH is (default: detected); alone, where that tool keeps its history",
    )
    importing.add_argument(
        "--dry-run", action="store_true", help="say what would be imported, write nothing"
    )
    from requesty_tui.cli.serve import add_parser as add_serve

    add_serve(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (``| head``): it has what it wanted, so stop quietly with 0, as
        # head-friendly tools do (141 failed ``set -o pipefail`` scripts that read a little).
        # Python would complain again when it flushes stdout at exit: point it at nothing.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    model = getattr(args, "ask_model", None) or args.model
    try:
        settings = load_settings(cli={"base_url": args.base_url, "model": model})
    except ConfigError as exc:
        error(exc)
        return exc.exit_code
    for warning in settings.warnings:
        print(f"requesty-tui: warning: {warning}", file=sys.stderr)
    preset_name = getattr(args, "ask_preset", None) or args.preset
    preset = None
    if preset_name:
        from requesty_tui.storage.presets import PresetError, load_preset

        try:
            preset = load_preset(preset_name)
        except PresetError as exc:
            error(exc)
            return EXIT_USAGE
        if model:  # -m wins over the preset's model
            preset = dataclasses.replace(preset, model=model)
    if args.command == "ask":
        from requesty_tui.cli.ask import ask

        files = [Path(p) for p in args.ask_attach]
        return ask(
            settings,
            args.prompt,
            args.system,
            sys.stdin,
            sys.stdout,
            files,
            tools=args.tools,
            preset=preset,
        )
    if args.command == "serve":
        from requesty_tui.cli.serve import serve

        return serve(args, model, args.base_url)
    if args.command == "compare":
        from requesty_tui.cli.compare import compare

        models = args.compare_models
        return compare(settings, args.prompt, models, args.system, sys.stdin, sys.stdout)
    if args.command in ("login", "logout", "usage"):
        from requesty_tui.cli import account

        if args.command == "login":
            return account.login(settings, sys.stdin, sys.stdout, check=not args.no_check)
        if args.command == "logout":
            return account.logout(sys.stdout)
        return account.usage(
            settings, sys.stdout, days=args.days, group_by=args.by, as_json=args.json
        )
    from requesty_tui.cli import listings

    if args.command == "models":
        return listings.models(settings, sys.stdout, include_all=args.all)
    if args.command == "sessions":
        if args.sessions_command == "export":
            from requesty_tui.cli.exporting import export

            return export(args, sys.stdout, sys.stderr)
        return listings.sessions(sys.stdout)
    if args.command == "import":
        from requesty_tui.cli.importing import run

        return run(
            args.path,
            args.source,
            dry_run=args.dry_run,
            default_model=settings.model or DEFAULT_MODEL,
            out=sys.stdout,
            err=sys.stderr,
        )
    compare_models: list[str] = []
    if args.compare:
        from requesty_tui.chat.compare import check_models

        compare_models = [m.strip() for m in args.compare.split(",") if m.strip()]
        problem = check_models(compare_models)
        if problem is not None:
            print(f"requesty-tui: --compare: {problem}, as A,B[,C,D].", file=sys.stderr)
            return EXIT_USAGE
    from requesty_tui.ui.gc_pause import hold_until_first_frame

    hold_until_first_frame()  # the app lets the collector run again after its first frame
    from requesty_tui.storage.sessions import SessionStore

    store = SessionStore()
    conversation = None
    if args.resume:
        # The app saves with the store that read the file: a store that never saw it would
        # take the file for one changed elsewhere and save a copy.
        conversation = listings.load_session(args.resume, store)
        if conversation is None:
            return EXIT_USAGE
    from requesty_tui.ui.app import RequestyApp

    app = RequestyApp(
        settings,
        model=model,
        conversation=conversation,
        store=store,
        compare=compare_models,
        attach=[Path(p).expanduser().resolve() for p in args.attach],
        preset=None if conversation is not None else preset,
    )
    app.run()
    return 0

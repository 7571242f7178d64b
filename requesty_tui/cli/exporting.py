"""``sessions export ID --format md|html|json`` and ``sessions export --all --out DIR``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from requesty_tui.cli.common import EXIT_USAGE, error

EXIT_SOME_FAILED = 4


def export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.all:
        if args.id:
            error("sessions export: give an id or --all, not both")
            return EXIT_USAGE
        if not args.out:
            error("sessions export --all: say where with --out DIR")
            return EXIT_USAGE
        return export_all(Path(args.out).expanduser(), args.format, err, out)
    if not args.id:
        error("sessions export: give a session id (or 'latest'), or --all with --out DIR")
        return EXIT_USAGE
    from requesty_tui.cli.listings import load_session
    from requesty_tui.storage.export import render

    conversation = load_session(args.id)
    if conversation is None:
        return EXIT_USAGE
    text = render(conversation, args.format, all_branches=args.all_branches)
    if args.out:
        from requesty_tui.storage.atomic import write_atomic

        target = Path(args.out).expanduser()
        try:
            write_atomic(target, text)
        except OSError as exc:
            error(f"{target}: cannot write ({exc.strerror or exc})")
            return EXIT_USAGE
        out.write(f"{target}\n")
        return 0
    out.write(text)
    return 0


def export_all(folder: Path, fmt: str, err: TextIO, out: TextIO) -> int:
    """One file per conversation (every branch) and an index page, with a progress bar."""
    from requesty_tui.cli.progress import Progress
    from requesty_tui.storage.atomic import write_atomic
    from requesty_tui.storage.export import export_file
    from requesty_tui.storage.session_index import format_updated
    from requesty_tui.storage.sessions import SessionError, SessionStore

    store = SessionStore()
    try:
        rows = [row for row in store.summaries() if row.readable]
        bar = Progress(err, "conversations", total=len(rows))
        index: list[tuple[str, str, str, str]] = []
        failed = 0
        for n, row in enumerate(rows, 1):
            name = f"{row.id}.{fmt}"
            try:
                export_file(store.load(row.id), fmt, folder)
            except (OSError, SessionError) as exc:
                error(exc)
                failed += 1
                continue
            index.append((name, row.title or row.id, format_updated(row.updated), row.model))
            bar.update(n)
        bar.finish()
    finally:
        store.close()
    try:
        if fmt == "html":
            from requesty_tui.storage.export_html import index_page

            write_atomic(folder / "index.html", index_page(index))
        elif fmt == "md":
            lines = [
                f"- [{title}]({name}) — {updated} · {model}"
                for name, title, updated, model in index
            ]
            write_atomic(folder / "index.md", "# Conversations\n\n" + "\n".join(lines) + "\n")
        else:
            entries = [
                {"file": name, "title": title, "updated": updated, "model": model}
                for name, title, updated, model in index
            ]
            text = json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
            write_atomic(folder / f"index.{fmt}", text)
    except OSError as exc:
        error(f"{folder}: cannot write ({exc.strerror or exc})")
        return EXIT_USAGE
    out.write(f"{len(index)} conversations exported to {folder}\n")
    return EXIT_SOME_FAILED if failed else 0

"""``requesty-tui import [PATH] [--from KIND] [--dry-run]``: other clients' histories in.

Exit codes: 0 every conversation came (or was already there), 4 some failed (the others came),
2 nothing readable (no such file, an unknown format, a corrupt zip, a locked database).
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from requesty_tui.cli.common import EXIT_USAGE, error

EXIT_SOME_FAILED = 4
FIRST_FAILURES = 10
"""Failures the summary lists (the count says how many more)."""


def run(
    path: str | None,
    kind: str | None,
    *,
    dry_run: bool,
    default_model: str,
    out: TextIO,
    err: TextIO,
) -> int:
    from requesty_tui.cli.progress import Progress
    from requesty_tui.core.formatting import plural
    from requesty_tui.core.safe_text import make_safe
    from requesty_tui.storage.importers import LABELS, Unreadable, open_source
    from requesty_tui.storage.importers.run import Report, run_import
    from requesty_tui.storage.sessions import SessionStore

    store = SessionStore()
    try:
        source = open_source(Path(path).expanduser() if path else None, kind)
        bar = Progress(err, "conversations")

        def progress(report: Report) -> None:
            bar.total = source.total
            bar.update(report.done + len(report.failures), source.fraction())

        report = run_import(
            source, store, default_model=default_model, dry_run=dry_run, progress=progress
        )
        bar.finish()
    except Unreadable as exc:
        error(exc)
        return EXIT_USAGE
    finally:
        store.close()
    label = LABELS.get(source.kind, source.kind)
    would = "would be " if dry_run else ""
    parts = [
        f"{plural(report.added, 'conversation')} {would}added",
        f"{report.updated:,} {would}updated",
        f"{report.unchanged:,} already there",
    ]
    if report.failures:
        parts.append(f"{len(report.failures)} failed")
    out.write(f"{'Dry run: ' if dry_run else ''}{label} from {make_safe(str(source.path))}: ")
    out.write(", ".join(parts) + f" ({plural(report.messages, 'message')}).\n")
    if (report.added or report.updated) and not dry_run:
        out.write("Open them with ctrl+o (filter: from:" + source.kind + ").\n")
    for failure in report.failures[:FIRST_FAILURES]:
        error(failure)
    more = len(report.failures) - FIRST_FAILURES
    if more > 0:
        error(f"… and {plural(more, 'more failure')}")
    if report.failures:
        return EXIT_SOME_FAILED if report.done else EXIT_USAGE
    return 0

"""Compose in the user's editor: ctrl+e on the input box (and in the system-prompt editor).

The app hands the terminal over (``App.suspend``), runs ``$VISUAL``, else ``$EDITOR``, else
the first of ``nano``/``vi`` found, on a temporary file (``0600``, removed after) holding the
box's text, and puts what the file holds afterwards back in the box (one trailing newline
dropped: editors add it). The command may carry arguments (``code --wait``, ``emacsclient -t``):
it is split as a shell would split it and run without a shell, so nothing in it is expanded.
An editor that is missing or exits non-zero leaves the box as it was, and the notice says why;
an unchanged file changes nothing. Editors that take ``+LINE`` open at the cursor's line.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App
    from textual.widgets import TextArea

FALLBACKS = ("nano", "vi")
"""Tried in order when neither $VISUAL nor $EDITOR is set."""

TAKES_LINE = frozenset(
    {"vi", "vim", "nvim", "view", "ex", "gvim", "nano", "pico", "emacs", "emacsclient",
     "micro", "joe", "jed", "mg", "ne", "kak"}
)  # fmt: skip
"""Editors that open a file at ``+LINE`` given before it."""


class EditorProblem(Exception):
    """Why the editor could not be used; the box is left as it was."""


@dataclass(frozen=True, slots=True)
class Edited:
    text: str | None
    """The new text (None: nothing changed)."""
    problem: str | None = None


def editor_command(environ: Mapping[str, str]) -> list[str]:
    """The editor's command line, from $VISUAL, $EDITOR or the fallbacks."""
    for var in ("VISUAL", "EDITOR"):
        value = environ.get(var, "").strip()
        if not value:
            continue
        try:
            argv = shlex.split(value)
        except ValueError as exc:
            raise EditorProblem(f"${var} ({value}) is not a command line: {exc}") from None
        if argv and shutil.which(argv[0], path=environ.get("PATH")) is None:
            raise EditorProblem(f"${var} names {argv[0]}, which was not found")
        if argv:
            return argv
    for name in FALLBACKS:
        if shutil.which(name, path=environ.get("PATH")):
            return [name]
    raise EditorProblem("no editor found: set $VISUAL or $EDITOR (or install nano or vi)")


def with_file(argv: list[str], path: str, line: int) -> list[str]:
    """The command for ``path``, at ``line`` where the editor takes ``+LINE`` (right after
    the program: ``vi -es -c CMD`` runs CMD where ``+LINE`` put the cursor)."""
    program, *args = argv
    at = [f"+{line}"] if Path(program).name in TAKES_LINE else []
    return [program, *at, *args, path]


def edit(text: str, line: int, hand_over: Callable[[Callable[[], int]], int],
         environ: Mapping[str, str] | None = None) -> Edited:  # fmt: skip
    """Edit ``text`` in the editor; ``hand_over(run)`` runs it with the terminal handed over
    and returns its exit status."""
    env = os.environ if environ is None else environ
    try:
        argv = editor_command(env)
    except EditorProblem as exc:
        return Edited(None, str(exc))
    fd, name = tempfile.mkstemp(prefix="requesty-message-", suffix=".md")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        command = with_file(argv, name, line)

        def run() -> int:
            try:
                return subprocess.run(command, env=dict(env), check=False).returncode
            except OSError as exc:  # never raise here: the terminal must come back
                return -abs(exc.errno or 1)

        status = hand_over(run)
        if status != 0:
            why = "could not be started" if status < 0 else f"exited with status {status}"
            return Edited(None, f"{argv[0]} {why}: the input box is as it was")
        try:
            new = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return Edited(None, f"could not read what the editor saved ({exc})")
    finally:
        Path(name).unlink(missing_ok=True)
    if new.endswith("\n"):
        new = new[:-1]
    return Edited(None if new == text else new)


def hand_over_terminal(app: App[object]) -> Callable[[Callable[[], int]], int]:
    """Run with the terminal handed over (``App.suspend``); a headless app (a test, a
    script) owns no terminal and runs it as is."""
    from textual.app import SuspendNotSupported

    def hand_over(run: Callable[[], int]) -> int:
        if app.is_headless:
            return run()
        try:
            with app.suspend():
                return run()
        except SuspendNotSupported:
            why = "this terminal cannot hand over to an editor (served in a browser?)"
            raise EditorProblem(why) from None
        return -1  # suspend without a driver: the app is not running

    return hand_over


def edit_in_place(area: TextArea) -> None:
    """ctrl+e: the area's text through the editor, back in the area (undoable)."""
    line = area.cursor_location[0] + 1
    try:
        result = edit(area.text, line, hand_over_terminal(area.app))
    except EditorProblem as exc:
        result = Edited(None, str(exc))
    if result.problem is not None:
        area.notify(f"Editor: {result.problem}.", severity="warning", timeout=10, markup=False)
    elif result.text is not None:
        area.replace(result.text, (0, 0), area.document.end)  # ctrl+z brings the old back
        area.move_cursor(area.document.end)
    area.focus()

"""What every command shares: exit codes and the one-line error on stderr."""

from __future__ import annotations

import sys
from typing import TextIO

EXIT_USAGE = 2


def read_prompt(words: list[str], stdin: TextIO) -> str:
    """The prompt from the arguments, with piped stdin appended (or alone)."""
    prompt = " ".join(words)
    if not stdin.isatty():
        piped = stdin.read()
        prompt = f"{prompt}\n\n{piped}" if prompt and piped.strip() else (prompt or piped)
    return prompt


def error(exc: object) -> None:
    """One line on stderr; a server's words in it cannot be escape sequences."""
    from requesty_tui.core.safe_text import make_safe

    print(f"requesty-tui: {make_safe(str(exc))}", file=sys.stderr)

"""The chat screen's shape (issue 24): the conversation's state lives below the UI in a
``ChatSession``; the screen's helpers get what they need, never the screen itself; no module of
the chat screen grows past what one can read in a sitting."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "requesty_tui"
SCREENS = ROOT / "ui" / "screens"

MAX_LINES = 400
"""The project's module size goal (docs/architecture.md)."""


def imported_names(path: Path) -> set[str]:
    """Every module and name ``path`` imports, at any depth (TYPE_CHECKING blocks too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_chat_helper_imports_the_chat_screen() -> None:
    helpers = sorted(SCREENS.glob("chat_*.py"))  # chat_reply and chat_tools too, since the runner
    assert len(helpers) >= 8
    offenders = {
        p.name
        for p in helpers
        if {"requesty_tui.ui.screens.chat", "requesty_tui.ui.screens.chat.ChatScreen"}
        & imported_names(p)
    }
    assert offenders == set(), f"these reach back for the whole screen: {sorted(offenders)}"


def test_the_chat_screen_and_its_helpers_stay_small() -> None:
    modules = [*SCREENS.glob("chat*.py"), ROOT / "chat" / "session.py"]
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in modules}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}

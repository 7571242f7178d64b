"""Layers point down: core and storage never import Textual or the UI, the chat core never
imports Textual, and the CLI's one-shot paths start without Textual. Two checks: the
import-linter contracts in pyproject.toml (every import, also indirect ones), and a fresh
interpreter that imports every module below the UI and looks at sys.modules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_linter_contracts_hold() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command())",
            "--no-cache",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout


_EVERY_MODULE_BELOW_THE_UI = (
    "import importlib, pkgutil\n"
    "import requesty_tui\n"
    "for package in ('core', 'client', 'storage', 'chat'):\n"
    "    module = importlib.import_module(f'requesty_tui.{package}')\n"
    "    for info in pkgutil.walk_packages(module.__path__, module.__name__ + '.'):\n"
    "        importlib.import_module(info.name)\n"
)


def loaded_after(code: str, *names: str) -> list[str]:
    """The modules among ``names`` (a top-level package, or a module's full name) that a
    fresh interpreter has loaded after running ``code``."""
    probe = (
        f"import json, sys\n{code}\n"
        f"names = {names!r}\n"
        "found = [m for m in sys.modules if m in names or m.split('.')[0] in names]\n"
        "print(json.dumps(sorted(found)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    return list(json.loads(out))


def test_nothing_below_the_ui_imports_textual() -> None:
    code = _EVERY_MODULE_BELOW_THE_UI + "import requesty_tui.cli"
    assert loaded_after(code, "textual") == []


def test_the_mcp_sdk_is_imported_only_when_a_server_is_configured() -> None:
    """It takes ~0.8 s to import: an app (and every module of the layers below it) without
    servers never loads it."""
    code = (
        _EVERY_MODULE_BELOW_THE_UI
        + "import requesty_tui.tools, requesty_tui.ui.app, requesty_tui.cli.ask"
    )
    assert loaded_after(code, "mcp", "pydantic") == []


def test_starting_without_servers_imports_nothing_of_tools() -> None:
    """Each dataclass module costs its few milliseconds at start-up (core.tools and the
    toolbox took 10 ms together): without a server configured, none of it is loaded."""
    names = ("requesty_tui.core.tools", "requesty_tui.chat.toolbox",
             "requesty_tui.chat.tool_loop", "requesty_tui.ui.widgets.tool_call")  # fmt: skip
    assert loaded_after("import requesty_tui.ui.app", *names) == []


def test_textual_serve_is_imported_by_serve_only() -> None:
    """textual-serve and aiohttp (~0.2 s) are the ``serve`` command's: the TUI, ``ask`` and
    the argument parser (which knows ``serve``'s options) never load them."""
    code = (
        "import requesty_tui.ui.app, requesty_tui.cli.ask\n"
        "from requesty_tui.cli import _parser\n"
        "_parser().parse_args(['serve', '--port', '0'])"
    )
    assert loaded_after(code, "textual_serve", "aiohttp") == []


def test_what_waits_for_first_use_is_not_imported_at_start() -> None:
    """The reply runner (the first send), find (ctrl+f), the queue (Enter while a reply
    streams), compare and pictures (a message with an image), the session browser, dialogs and
    the model picker (opened), the session files' format and index (the first read or list)
    come when used: at start they cost ~25 ms that nobody waits for."""
    names = ("requesty_tui.chat.runner", "requesty_tui.ui.screens.chat_reply",
             "requesty_tui.ui.screens.chat_find", "requesty_tui.chat.find",
             "requesty_tui.ui.screens.chat_queue", "requesty_tui.chat.compare",
             "requesty_tui.ui.widgets.picture", "requesty_tui.core.kitty_graphics",
             "requesty_tui.ui.screens.session_browser", "requesty_tui.ui.screens.dialogs",
             "requesty_tui.ui.screens.model_picker", "requesty_tui.storage.session_format",
             "requesty_tui.storage.session_fields", "requesty_tui.storage.session_index",
             "requesty_tui.storage.session_filter")  # fmt: skip
    assert loaded_after("import requesty_tui.ui.app", *names) == []

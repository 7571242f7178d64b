"""Promise 6: the key stays secret.

It never appears in session files, exports, the draft, caches, the index, messages on screen,
error output, tracebacks or crash reports, even when a server echoes it back. A key kept in
config.toml makes the app warn while the file is readable by others.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from requesty_tui.core.settings import Settings
from requesty_tui.storage import paths
from requesty_tui.storage.settings_file import load_settings
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from tests.support.ui import chat_screen, rendered_text, send, type_text, wait_for

KEY = "rq-live-7f3a9c2e5b1d4f6a8c0e2b4d6f8a0c2e"
ECHO = f"Invalid authorization token {KEY} for this route"

ERRORS = [
    Reply(status=401, error_message=ECHO),
    Reply(status=403, error_message=ECHO),
    Reply(status=402, error_message=ECHO),
    Reply(status=429, error_message=ECHO, headers={"Retry-After": "0"}),
    Reply(status=500, error_message=ECHO),
    Reply(text="partial", chunk_chars=2, error_chunk_after=2, error_message=ECHO),
    Reply(raw_body=f"<html>{KEY}</html>".encode(), content_type="text/html"),
]


def everything_written(root: Path) -> str:
    """Every byte under the test's XDG folders, decoded loosely."""
    out = []
    for path in root.rglob("*"):
        if path.is_file():
            out.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(out)


async def test_no_error_shows_or_stores_the_key(
    router: RouterServer, settings: Settings, xdg: Path
) -> None:
    router.queue(*ERRORS)
    app = RequestyApp(dataclasses.replace(settings, api_key=KEY, max_attempts=1))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        for n in range(len(ERRORS)):
            await send(pilot, f"try {n}")
            await wait_for(
                pilot, lambda n=n: not screen.streaming and len(router.chat_requests()) > n
            )
            await pilot.pause()
            screen.query_one("PromptInput").clear()  # type: ignore[attr-defined]
        on_screen = [str(n.content) for n in screen.query("Notice")]
        on_screen += [str(n.message) for n in app._notifications]
        on_screen += [rendered_text(r.body) for r in screen.query("AssistantMessage")]
        on_screen += [str(u.tooltip) for u in screen.query("UserMessage")]
        assert len([t for t in on_screen if "***" in t]) >= 6, "the echoed key was masked"
        assert not [t for t in on_screen if KEY in t]
        await pilot.press("ctrl+p")
        await type_text(pilot, "chat: export")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "Choice")  # the format
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Exported" in str(n.message) for n in app._notifications))
        await pilot.press("ctrl+q")
    assert router.chat_requests()[0]["headers"]["Authorization"] == f"Bearer {KEY}"
    written = everything_written(xdg)
    assert "try 0" in written, "the sessions were saved"
    assert KEY not in written


def test_cli_errors_and_crash_reports_never_print_the_key(router: RouterServer) -> None:
    env = {**os.environ, "REQUESTY_API_KEY": KEY, "REQUESTY_BASE_URL": router.base_url}
    paths.config_file().parent.mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text("max_attempts = 1\n")  # each error is the answer
    for reply in ERRORS:
        router.queue(reply)
        done = subprocess.run(
            [sys.executable, "-m", "requesty_tui", "ask", "hi"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0
        assert KEY not in done.stdout + done.stderr, done.stderr
    # A crash (a bug) deep inside the app while a key is loaded: the report has no key.
    crash = (
        "import sys\\n"
        "from requesty_tui.storage.settings_file import load_settings\\n"
        "from requesty_tui.ui.app import RequestyApp\\n"
        "from requesty_tui.ui.screens.chat import ChatScreen\\n"
        "def broken(self):\\n"
        "    api_key = self.services.settings.api_key\\n"
        "    raise RuntimeError('bug while holding ' + str(len(api_key)) + ' chars')\\n"
        "ChatScreen.refresh_bars = broken\\n"
        "RequestyApp(load_settings()).run(headless=True)\\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", crash], env=env, capture_output=True, text=True, timeout=60
    )
    report = done.stdout + done.stderr
    assert "RuntimeError" in report and "bug while holding" in report, report[-2000:]
    assert KEY not in report


def test_a_key_in_a_config_file_others_can_read_is_warned_about() -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'api_key = "{KEY}"\n')
    config.chmod(0o644)
    settings = load_settings(environ={})
    [warning] = settings.warnings
    assert "other users can read it" in warning and f"chmod 600 {config}" in warning
    assert KEY not in warning
    config.chmod(0o600)
    assert load_settings(environ={}).warnings == ()
    config.write_text('theme = "paper"\n')
    config.chmod(0o644)
    assert load_settings(environ={}).warnings == (), "no key in it: nothing to protect"


@pytest.mark.parametrize("mode", [0o644, 0o600])
def test_the_warning_reaches_the_user(router: RouterServer, mode: int) -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'api_key = "{KEY}"\nbase_url = "{router.base_url}"\n')
    config.chmod(mode)
    done = subprocess.run(
        [sys.executable, "-m", "requesty_tui", "ask", "hi"],
        env={k: v for k, v in os.environ.items() if not k.startswith("REQUESTY_")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert ("chmod 600" in done.stderr) is (mode == 0o644)

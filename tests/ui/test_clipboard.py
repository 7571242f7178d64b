"""Copying: exact Markdown source, through a real X clipboard, OSC 52, or a file."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.message import AssistantMessage
from tests.support.ui import send_and_wait

REPLY = "Use **this**:\n\n```python\nprint('hi')  # \"quoted\" \\\\ back\n```\n\nand `that`.\n"


@pytest.fixture
def xvfb(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real X server with xclip, so pyperclip has a system clipboard."""
    if not (shutil.which("Xvfb") and shutil.which("xclip")):
        if os.environ.get("CI"):
            pytest.fail("Xvfb and xclip are missing; .ci/run should have installed them")
        pytest.skip("Xvfb/xclip not installed")
    display = f":{os.getpid() % 400 + 100}"
    proc = subprocess.Popen(
        ["Xvfb", display, "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    env = {**os.environ, "DISPLAY": display}
    while subprocess.run(
        ["xclip", "-selection", "clipboard", "-o"], env=env, capture_output=True
    ).returncode not in (0, 1) or not os.path.exists(f"/tmp/.X11-unix/X{display[1:]}"):
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("Xvfb did not start")
        time.sleep(0.1)
    monkeypatch.setenv("DISPLAY", display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    yield display
    proc.terminate()
    proc.wait(10)


def read_x_clipboard() -> str:
    return subprocess.run(
        ["xclip", "-selection", "clipboard", "-o"],
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout


async def reply_then(
    router: RouterServer, settings: Settings, keys: list[str], focus_reply: bool = False
) -> RequestyApp:
    """Get one reply, then press ``keys`` (with the reply focused, if asked)."""
    router.queue(Reply(text=REPLY))
    app = RequestyApp(settings)
    async with app.run_test(notifications=True) as pilot:
        screen = await send_and_wait(pilot, "code please")
        if focus_reply:
            screen.query_one(AssistantMessage).focus()
        await pilot.press(*keys)
        await pilot.pause()
    return app


async def test_ctrl_y_copies_the_markdown_source_to_the_x_clipboard(
    router: RouterServer, settings: Settings, xvfb: str
) -> None:
    app = await reply_then(router, settings, ["ctrl+y"])
    assert read_x_clipboard() == REPLY
    assert any("system clipboard" in n.message for n in app._notifications)


async def test_code_block_without_fences(
    router: RouterServer, settings: Settings, xvfb: str
) -> None:
    app = await reply_then(router, settings, ["ctrl+k"], focus_reply=True)  # was c
    assert read_x_clipboard() == "print('hi')  # \"quoted\" \\\\ back\n"
    assert any("code block 1 of 1 (python, 1 lines)" in n.message for n in app._notifications)


async def test_without_a_system_clipboard_osc52_is_used(
    router: RouterServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = await reply_then(router, settings, ["ctrl+y"])
    assert app.clipboard == REPLY
    assert any("through the terminal (OSC 52" in n.message for n in app._notifications)


async def test_system_only_without_clipboard_saves_a_file(
    router: RouterServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = await reply_then(router, settings.with_overrides(clipboard="system"), ["ctrl+y"])
    [message] = [n.message for n in app._notifications if "Saved it to" in n.message]
    path = message.split("Saved it to ", 1)[1]
    assert Path(path).read_text(encoding="utf-8") == REPLY

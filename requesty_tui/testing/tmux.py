"""Drive the real program in a real terminal: tmux with send-keys and capture-pane."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable

from requesty_tui.testing.router import RouterServer


def require_tmux() -> str:
    """tmux's path (RuntimeError when it is not installed)."""
    path = shutil.which("tmux")
    if path is None:
        raise RuntimeError("tmux is not installed")
    return path


class TmuxSession:
    """One detached tmux session on a private socket, running ``python -m requesty_tui``."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        width: int = 100,
        height: int = 30,
        cwd: str | None = None,
    ) -> None:
        self._tmux = require_tmux()
        self.socket = f"rqtui-{uuid.uuid4().hex[:8]}"
        self.name = "main"
        env_args: list[str] = []
        for key, value in env.items():
            env_args += ["-e", f"{key}={value}"]
        # exec: the pane's process is the app itself, so a test can signal it.
        command = " ".join(["exec", sys.executable, "-m", "requesty_tui", *args])
        self._run(
            "new-session",
            "-d",
            "-s",
            self.name,
            "-x",
            str(width),
            "-y",
            str(height),
            *(["-c", cwd] if cwd else []),
            *env_args,
            command,
        )

    def _run(self, *args: str) -> str:
        return subprocess.run(
            [self._tmux, "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
            env=_environment_without_size(),
        ).stdout

    def tmux(self, *args: str) -> str:
        """Any tmux command on this session's server (e.g. ``show-buffer``)."""
        return self._run(*args)

    def keys(self, *keys: str, literal: bool = False) -> None:
        self._run("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", self.name)

    def wait_for(
        self, predicate: Callable[[str], bool], timeout: float = 20, what: str = "screen"
    ) -> str:
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if predicate(shown):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{shown}")

    def wait_closed(self, timeout: float = 20) -> None:
        """Wait for the app to exit. Its pane (and with it the session and the tmux server) is
        then gone, so reading the screen to see it empty would race with the exit."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = subprocess.run(
                [self._tmux, "-L", self.socket, "has-session", "-t", self.name],
                capture_output=True,
                timeout=20,
            )
            if done.returncode != 0:
                return
            time.sleep(0.05)
        raise AssertionError(f"the app did not exit; the screen was:\n{self.screen()}")

    def wait_started(self, marker: str = "openai/gpt-4o-mini") -> str:
        """Wait for the chat screen (its model bar) to be on screen."""
        return self.wait_for(lambda s: marker in s, what="the app to start")

    def pid(self) -> int:
        return int(self._run("list-panes", "-t", self.name, "-F", "#{pane_pid}").split()[0])

    def close(self) -> None:
        subprocess.run(
            [self._tmux, "-L", self.socket, "kill-server"], capture_output=True, timeout=20
        )


def _environment_without_size() -> dict[str, str]:
    """This environment without COLUMNS and LINES: the tmux server hands its environment to
    the app, and Textual takes those over the terminal's real size (pytest-textual-snapshot
    sets them to 80x24, so every tmux test ran at 80 columns whatever its width said)."""
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


def terminal_env(router: RouterServer) -> dict[str, str]:
    """The environment of the app under tmux: the local router, this test's XDG folders."""
    env = {
        "REQUESTY_API_KEY": "tmux-key",
        "REQUESTY_BASE_URL": router.base_url,
        "TERM": "xterm-256color",
    }
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[var] = os.environ[var]
    return env

"""The tmux driver for tests: a missing tmux skips, or fails in CI (``.ci/run`` installs it)."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

from requesty_tui.testing import tmux
from requesty_tui.testing.tmux import terminal_env

__all__ = ["TmuxSession", "require_tmux", "terminal_env"]


def require_tmux() -> str:
    path = shutil.which("tmux")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is not installed; .ci/run should have installed it")
        pytest.skip("tmux is not installed")
    return path


class TmuxSession(tmux.TmuxSession):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        require_tmux()
        super().__init__(*args, **kwargs)

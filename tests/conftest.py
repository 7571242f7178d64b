"""Shared fixtures: a real local router, isolated XDG folders, settings pointing at both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import RouterServer


@pytest.fixture
def router() -> Iterator[RouterServer]:
    server = RouterServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config/data/cache folders and no real key."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        folder = tmp_path / var.lower()
        folder.mkdir()
        monkeypatch.setenv(var, str(folder))
    for var in ("REQUESTY_API_KEY", "REQUESTY_BASE_URL", "REQUESTY_MODEL"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


@pytest.fixture
def settings(router: RouterServer) -> Settings:
    return Settings(
        api_key="test-key-123",
        base_url=router.base_url,
        stall_timeout=2.0,
        connect_timeout=2.0,
        retry_base_delay=0.05,
        model="openai/gpt-4o-mini",
    )


_KINDS = ("unit", "ui", "reliability", "terminal", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its kind (its folder) and ``terminal`` when it drives tmux.

    So ``pytest -m unit`` (seconds) or ``pytest -m "not terminal"`` runs the fast part. The
    tmux check reads the names a test uses (``TmuxSession``, ``streaming_in_tmux``), so a new
    tmux test needs no marker to be remembered.
    """
    for item in items:
        kind = item.path.parent.name
        if kind in _KINDS:
            item.add_marker(kind)
        function = getattr(item, "function", None)
        if kind != "terminal" and function is not None and _drives_tmux(function):
            item.add_marker("terminal")


def _drives_tmux(function: object) -> bool:
    code = getattr(function, "__code__", None)
    return code is not None and any("tmux" in name.lower() for name in code.co_names)

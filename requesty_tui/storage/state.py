"""Small things remembered between runs: the last model used.

Kept apart from ``config.toml`` (which is the user's to edit) in the data folder. A damaged
state file is ignored, never fatal: it holds nothing that cannot be lost.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

import tomli_w

from requesty_tui.storage import paths
from requesty_tui.storage.atomic import write_atomic


@dataclass(slots=True)
class AppState:
    last_model: str | None = None


def load_state() -> AppState:
    try:
        data = tomllib.loads(paths.state_file().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return AppState()
    model = data.get("last_model")
    return AppState(last_model=model if isinstance(model, str) and model else None)


def save_state(state: AppState) -> None:
    data = {"last_model": state.last_model} if state.last_model else {}
    write_atomic(paths.state_file(), tomli_w.dumps(data))

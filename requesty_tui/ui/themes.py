"""Theme files → ``textual.theme.Theme``: the bundled ``themes/`` folder and the user's own.

A theme file is TOML whose keys are Theme's fields, plus ``code_theme`` (a Pygments style for
code blocks) and a ``[variables]`` table for our own colours (``chat-user``,
``chat-assistant``, ``chat-reasoning``, ``chat-tool``, ``chat-error``). A broken file is
reported (file and problem) and skipped; it never stops the app.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from requesty_tui.storage import paths

COLOR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
THEME_FIELDS = {f.name for f in dataclasses.fields(Theme)}
APP_VARIABLES = {
    "chat-user": "#4FB8C7",
    "chat-assistant": "#8B7CF6",
    "chat-reasoning": "#8A8F98",
    "chat-tool": "#E0A458",
    "chat-error": "#EF6B73",
}
"""Our CSS variables, with the defaults used when a theme (e.g. a built-in one) lacks them."""
DEFAULT_THEME = "requesty-dark"


@dataclass(frozen=True, slots=True)
class LoadedTheme:
    theme: Theme
    code_theme: str
    path: Path | None


@dataclass(frozen=True, slots=True)
class ThemeProblem:
    path: Path
    problem: str

    def __str__(self) -> str:
        return f"Theme file {self.path}: {self.problem}"


def parse_theme(text: str, path: Path) -> LoadedTheme:
    """One theme from TOML text; raises ValueError with the problem."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML ({exc})") from None
    code_theme = data.pop("code_theme", None)
    data.setdefault("name", path.stem)
    unknown = set(data) - THEME_FIELDS
    if unknown:
        raise ValueError(f"unknown keys {', '.join(sorted(unknown))}")
    if "primary" not in data:
        raise ValueError("'primary' colour is required")
    for key in COLOR_FIELDS:
        if key in data:
            _check_color(key, data[key])
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError("[variables] must be a table")
    for key, value in variables.items():
        if key in APP_VARIABLES or key == "chat-code-background":
            _check_color(key, value)
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ValueError("'dark' must be true or false")
    if code_theme is None:
        code_theme = "monokai" if dark else "friendly"
    if not isinstance(code_theme, str) or not _pygments_style_exists(code_theme):
        raise ValueError(f"code_theme {code_theme!r} is not a Pygments style")
    try:
        theme = Theme(**data)
        theme.to_color_system()  # fails here, not when the theme is applied
    except (TypeError, ValueError, ColorParseError) as exc:
        raise ValueError(str(exc)) from None
    return LoadedTheme(theme, code_theme, path)


def _check_color(key: str, value: object) -> None:
    if not isinstance(value, str):
        raise ValueError(f'{key} must be a colour string like "#268BD2"')
    try:
        Color.parse(value)
    except ColorParseError:
        raise ValueError(f"{key} = {value!r} is not a colour") from None


def _pygments_style_exists(name: str) -> bool:
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    try:
        get_style_by_name(name)
    except ClassNotFound:
        return False
    return True


def bundled_theme_files() -> list[tuple[str, str]]:
    """(file name, text) of the themes shipped in the package (the repo's ``themes/``)."""
    try:
        folder: Any = resources.files("requesty_tui.bundled_themes")
    except ModuleNotFoundError:
        # Running from a source checkout (or an editable install): the repo's themes/ folder.
        folder = Path(__file__).resolve().parents[2] / "themes"
    return sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


def user_themes_dir() -> Path:
    return paths.config_dir() / "themes"


def load_themes() -> tuple[list[LoadedTheme], list[ThemeProblem]]:
    """Bundled themes, then the user's (a user's theme of the same name wins)."""
    loaded: list[LoadedTheme] = []
    problems: list[ThemeProblem] = []
    for name, text in bundled_theme_files():
        try:
            loaded.append(parse_theme(text, Path(name)))
        except ValueError as exc:  # a bug in a shipped file: report, don't crash
            problems.append(ThemeProblem(Path(name), str(exc)))
    folder = user_themes_dir()
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    for path in files:
        try:
            loaded.append(parse_theme(path.read_text(encoding="utf-8"), path))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(ThemeProblem(path, f"cannot read ({exc})"))
        except ValueError as exc:
            problems.append(ThemeProblem(path, str(exc)))
    return loaded, problems

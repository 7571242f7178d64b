"""Colour themes in the app: registering the theme files, picking one with a live preview,
remembering the choice, and the Pygments style that goes with each theme for code blocks."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets import OptionList

from requesty_tui.storage.settings_file import remember_setting
from requesty_tui.ui.themes import DEFAULT_THEME, load_themes

if TYPE_CHECKING:
    from textual.app import App

    from requesty_tui.chat.services import Services

CodeStyle = tuple[str, str | None]
"""(Pygments style, code background or None for the style's own)."""


class Theming:
    """Registers the bundled and user themes on the App and keeps the chosen one in config."""

    def __init__(self, app: App[Any], services: Services) -> None:
        self.app = app
        self.services = services
        self.code_themes: dict[str, str] = {}
        self.previewing = False
        self.original = ""
        """The theme before the picker opened (Esc goes back to it)."""

    def setup(self) -> None:
        """Register every theme, report broken files, apply the setting."""
        app = self.app
        loaded, problems = load_themes()
        for item in loaded:
            app.register_theme(item.theme)
            self.code_themes[item.theme.name] = item.code_theme
        for problem in problems:
            app.notify(
                str(problem), title="Theme skipped", severity="warning", timeout=10, markup=False
            )
        wanted = self.services.settings.theme
        if wanted not in app.available_themes:
            app.notify(
                f"Theme {wanted!r} is not known; using {DEFAULT_THEME}. Pick one with "
                "ctrl+p → theme.",
                severity="warning",
                markup=False,
            )
            wanted = DEFAULT_THEME
        app.theme = wanted

    def code_style(self) -> CodeStyle:
        """The Pygments style for code blocks in the current theme, and its code background."""
        theme = self.app.current_theme
        style = self.code_themes.get(theme.name, "monokai" if theme.dark else "friendly")
        return style, theme.variables.get("chat-code-background")

    def remember(self) -> None:
        """Keep the current theme in config.toml (after a pick, not during a preview)."""
        name = self.app.theme
        settings = self.services.settings
        if self.previewing or name == settings.theme:
            return
        self.services.settings = dataclasses.replace(settings, theme=name)
        try:
            remember_setting("theme", name)
        except OSError as exc:
            self.app.notify(
                f"Could not save the theme in config.toml: {exc}", severity="warning", markup=False
            )

    def pick(self) -> None:
        """The theme picker: moving through the list previews each theme."""
        self.app.push_screen(ThemePalette(self))

    def closed(self, chosen: bool) -> None:
        """The palette closed: keep the chosen theme, or go back to the one before."""
        if not self.previewing:
            return  # another palette
        self.previewing = False
        if chosen:
            self.remember()
        else:
            self.app.theme = self.original


class ThemePicker(Provider):
    """Every registered theme."""

    def _commands(self) -> list[tuple[str, Callable[[], None], str | None]]:
        current = self.app.theme
        return [
            (name, self._setter(name), "current" if name == current else None)
            for name in sorted(self.app.available_themes)
        ]

    def _setter(self, name: str) -> Callable[[], None]:
        def apply() -> None:
            self.app.theme = name

        return apply

    async def discover(self) -> Hits:
        for name, apply, help_text in self._commands():
            yield DiscoveryHit(name, apply, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, apply, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), apply, text=name, help=help_text)


class ThemePalette(CommandPalette):
    """The palette over :class:`ThemePicker` that previews the highlighted theme. Textual posts
    its ``Closed`` to the App, which hands it to :meth:`Theming.closed`."""

    def __init__(self, theming: Theming) -> None:
        super().__init__(providers=[ThemePicker], placeholder="Theme…")
        theming.original = theming.app.theme
        theming.previewing = True

    @on(OptionList.OptionHighlighted)
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        hit = getattr(event.option, "hit", None)
        name = str(getattr(hit.text, "plain", hit.text)) if hit is not None else ""
        if name in self.app.available_themes:
            self.app.theme = name

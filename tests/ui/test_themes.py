"""Theme files: bundled ones ship and load, user ones add or fail politely, the choice sticks."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from textual.pilot import Pilot

from requesty_tui.core.settings import Settings
from requesty_tui.storage import paths
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.themes import bundled_theme_files, load_themes, user_themes_dir
from tests.support.ui import type_text, wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_bundled_themes_load() -> None:
    loaded, problems = load_themes()
    assert problems == []
    names = {t.theme.name: t for t in loaded}
    assert len(names) >= 5 and "high-contrast" in names
    assert any(t.theme.dark for t in loaded) and any(not t.theme.dark for t in loaded)
    for item in loaded:
        assert {"chat-user", "chat-assistant", "chat-reasoning", "chat-error"} <= set(
            item.theme.variables
        ), item.theme.name
    assert names["requesty-light"].code_theme == "friendly"


def test_wheel_ships_the_themes(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("requesty_tui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.rsplit("/", 1)[1] for n in names if n.startswith("requesty_tui/bundled_themes/")}
    assert {name for name, _ in bundled_theme_files()} <= shipped
    assert "requesty_tui/ui/screens/chat.tcss" in names


def write_user_theme(name: str, text: str) -> Path:
    folder = user_themes_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


async def test_user_themes_and_a_broken_one(router: RouterServer, settings: Settings) -> None:
    write_user_theme(
        "mine.toml",
        'name = "mine"\nprimary = "#FF00FF"\nbackground = "#101010"\n'
        '[variables]\nchat-user = "#00FF00"\n',
    )
    bad = write_user_theme("broken.toml", 'primary = "not-a-colour"\n')
    app = RequestyApp(settings)
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()
        assert "mine" in app.available_themes
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1
        assert str(bad) in messages[0] and "'not-a-colour' is not a colour" in messages[0]
        app.theme = "mine"
        await pilot.pause()
        assert app.theme_variables["chat-user"] == "#00FF00"
        assert isinstance(app.screen, ChatScreen), "the app runs on"


async def open_theme_picker(pilot: Pilot[None]) -> None:
    """ctrl+p → theme: pick, as a user opens it."""
    from requesty_tui.ui.theming import ThemePalette

    await pilot.press("ctrl+p")
    await type_text(pilot, "theme: pick")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ThemePalette), what="the picker")


async def test_pick_theme_previews_and_remembers(router: RouterServer, settings: Settings) -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("# my settings\nstall_timeout = 30\n")
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "requesty-dark"
        await open_theme_picker(pilot)
        await type_text(pilot, "paper")
        await wait_for(pilot, lambda: app.theme == "paper", what="the preview")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.theme == "requesty-dark", what="the revert")
        assert "theme" not in config.read_text()
        await open_theme_picker(pilot)
        await type_text(pilot, "nord-night")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "nord-night")
    text = config.read_text()
    assert (
        'theme = "nord-night"' in text and "# my settings" in text and "stall_timeout = 30" in text
    )
    again = RequestyApp(Settings(api_key="k", base_url=router.base_url, theme="nord-night"))
    async with again.run_test() as pilot:
        await pilot.pause()
        assert again.theme == "nord-night"


async def test_unknown_theme_in_config_falls_back(router: RouterServer, settings: Settings) -> None:
    app = RequestyApp(Settings(api_key="k", base_url=router.base_url, theme="nope"))
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()
        assert app.theme == "requesty-dark"
        assert any("'nope' is not known" in n.message for n in app._notifications)


async def test_a_reply_takes_the_new_theme_s_colours(
    router: RouterServer, settings: Settings
) -> None:
    """The reply's text style is cached per line drawn; a theme change must reach it."""
    from requesty_tui.ui.widgets.message import AssistantMessage
    from tests.support.ui import send_and_wait

    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await send_and_wait(pilot, "colours")
        await pilot.pause()
        body = screen.query_one(AssistantMessage).body

        def colours() -> set[object]:
            return {seg.style.color for seg in body.render_line(0) if seg.style}

        dark = colours()
        app.theme = "requesty-light"
        await pilot.pause()
        assert colours() != dark

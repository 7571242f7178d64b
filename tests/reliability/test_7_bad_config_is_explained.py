"""Promise 7: bad configuration is explained, not crashed on.

Each mistake is one line on stderr naming the file (or variable), the key and the fix, with exit
code 3 and no traceback; a bad theme is a notification and the app runs with the default.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest

from requesty_tui.core.settings import Settings
from requesty_tui.storage import paths
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from tests.support.ui import wait_for

CASES = {
    "unknown key": (b"modle = 'x'\n", ["unknown key 'modle'", "did you mean 'model'?"]),
    "wrong type": (b"stall_timeout = 'soon'\n", ["stall_timeout must be a number, not a string"]),
    "not TOML": (b"theme = \n", ["not valid TOML"]),
    "not UTF-8": (b"theme = '\xff'\n", ["cannot read the config file"]),
    "base URL without scheme": (
        b"base_url = 'router.requesty.ai/v1'\n",
        ["needs a scheme and a host", "https://router.requesty.ai/v1"],
    ),
    "bad choice": (b"region = 'mars'\n", ["region must be one of global, eu"]),
    "a folder, not a file": (None, ["cannot read the config file"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_config_mistake_is_one_clear_line(case: str) -> None:
    content, expected = CASES[case]
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        config.mkdir()
    else:
        config.write_bytes(content)
    for command in ([], ["models"]):  # the TUI does not start; the commands say the same
        done = subprocess.run(
            [sys.executable, "-m", "requesty_tui", *command],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 3
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and str(config) in lines[0], done.stderr
        for words in expected:
            assert words in lines[0], lines[0]
        assert "Traceback" not in done.stderr


def test_a_bad_base_url_in_the_environment_is_named() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "requesty_tui", "models"],
        env={**os.environ, "REQUESTY_BASE_URL": "localhost:8080"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    assert "REQUESTY_BASE_URL" in done.stderr and "needs a scheme" in done.stderr


async def test_a_bad_theme_is_a_notification_not_a_crash(
    router: RouterServer, settings: Settings
) -> None:
    themes = paths.config_dir() / "themes"
    themes.mkdir(parents=True)
    (themes / "mine.toml").write_text('name = "mine"\nprimary = "#zzzzzz"\n')
    app = RequestyApp(dataclasses.replace(settings, theme="mine"))
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: len(app._notifications) >= 2, what="the notices")
        said = " ".join(str(n.message) for n in app._notifications)
        assert "mine.toml" in said and "not known" in said
        assert app.theme == "requesty-dark"

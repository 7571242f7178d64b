"""The UI widgets stay small modules with one job each (issue 24: no module over 400 lines), and
splitting them kept Rich's Markdown renderer and Pygments out of the first screen's imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

WIDGETS = Path(__file__).resolve().parents[2] / "requesty_tui" / "ui" / "widgets"

MOST_LINES = 400


def test_no_widget_module_is_over_400_lines() -> None:
    sizes = {path.name: len(path.read_text().splitlines()) for path in WIDGETS.glob("*.py")}
    assert "message.py" in sizes and "markdown_view.py" in sizes
    too_long = {name: lines for name, lines in sizes.items() if lines > MOST_LINES}
    assert too_long == {}


def test_the_first_screen_does_not_load_the_markdown_renderer() -> None:
    """Rich's Markdown, markdown-it and Pygments cost start-up time; they are imported when the
    first message is shown, not by the chat screen's modules."""
    probe = (
        "import json, sys\n"
        "import requesty_tui.ui.app, requesty_tui.ui.screens.chat\n"
        "import requesty_tui.ui.widgets.message, requesty_tui.ui.widgets.markdown_view\n"
        "heavy = ('pygments', 'markdown_it', 'rich.markdown', 'rich.syntax',\n"
        "         'requesty_tui.ui.widgets.markdown_render')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(heavy))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == []

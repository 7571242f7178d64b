"""The client, the store and the CLI's one-shot paths never import Textual."""

from __future__ import annotations

import subprocess
import sys


def test_client_does_not_import_textual() -> None:
    code = (
        "import sys, requesty_tui.client, requesty_tui.config, requesty_tui.domain, "
        "requesty_tui.markdown_blocks, requesty_tui.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"

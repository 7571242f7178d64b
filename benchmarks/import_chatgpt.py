"""A generated ChatGPT export (2,000 conversations, ~60,000 messages, every third with a
regenerated reply and an edited prompt) imported by the installed command, in a temp home.

Prints the export's size, the wall time and peak memory of ``requesty-tui import`` (the whole
program: parsing, session files, the index at the end), and of a second import of the same
export (which must add nothing).

    python benchmarks/import_chatgpt.py [--conversations 2000] [--turns 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import ROOT

from requesty_tui.testing.exports import chatgpt_generated, write_zip


def run(home: Path, export: Path) -> tuple[float, float, str]:
    """(seconds, peak MiB of the child, its summary line)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[var] = str(home / var.lower())
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "requesty_tui", "import", str(export)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak, done.stdout.splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--turns", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        conversations = chatgpt_generated(args.conversations, turns=args.turns)
        export = write_zip(home / "chatgpt-export.zip", {"conversations.json": conversations})
        del conversations
        size = export.stat().st_size / 2**20
        print(f"export: {args.conversations:,} conversations, {size:.1f} MiB zipped")
        seconds, peak, summary = run(home, export)
        print(f"first import: {seconds:.1f} s, peak RSS {peak:.0f} MiB — {summary}")
        seconds, _, summary = run(home, export)
        print(f"second import: {seconds:.1f} s — {summary}")


if __name__ == "__main__":
    main()

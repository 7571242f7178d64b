"""Shared benchmark plumbing: a router in its own process, medians, a headless app."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@contextmanager
def router_process(text: str, chunk_chars: int, delay: float = 0.0) -> Iterator[str]:
    """Serve ``text`` as every reply from a separate process; yield its base URL."""
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as handle:
        handle.write(text)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.router_server",
            "--text-file",
            handle.name,
            "--chunk-chars",
            str(chunk_chars),
            "--delay",
            str(delay),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(10)
        Path(handle.name).unlink(missing_ok=True)


def median(values: list[float]) -> float:
    return statistics.median(values)

"""Shared benchmark plumbing: a router in its own process, medians, a headless app."""

from __future__ import annotations

import argparse
import os
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
            "requesty_tui.testing.router",
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


NO_SERVER = "http://127.0.0.1:9/v1"
"""A server address nothing answers at (a benchmark that opens a conversation sends nothing)."""


def app_env(tmp: str, base_url: str = NO_SERVER, root: Path | None = None) -> dict[str, str]:
    """What the app under tmux runs with: a terminal, a key, the server, its own XDG folders
    in ``tmp`` (this process's too, so that its stores see the same files), and ``root``'s
    code instead of the installed package when given."""
    env = {"TERM": "xterm-256color", "REQUESTY_API_KEY": "bench", "REQUESTY_BASE_URL": base_url}
    for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        env[var] = os.environ[var] = tmp
    if root is not None:
        env["PYTHONPATH"] = str(root)
    return env


def median(values: list[float]) -> float:
    return statistics.median(values)


def proc_cpu(pid: int) -> float:
    """A process's CPU seconds so far (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_cpu_fine(pid: int) -> float:
    """A process's CPU seconds so far, to the nanosecond: the sum of its live threads' run
    time (``schedstat``). ``proc_cpu`` counts in clock ticks (10 ms, 5 % of a 10,000-chunk
    stream's 0.2 s); this misses only threads that have ended (none while a reply streams)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            continue  # the thread ended meanwhile
    return total / 1e9


def proc_status(pid: int, key: str) -> float:
    """A memory figure of a process from /proc (``VmHWM``: its peak, ``VmRSS``: now), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024  # kB -> MiB
    return 0.0


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process (this one by default), in MB."""
    with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def growth(label: str, values: list[float], window: int, unit: str, scale: float = 1.0) -> str:
    """ "label, median of first/last N: a unit -> b unit (+x %)" for a soak's series."""
    first, last = median(values[:window]) * scale, median(values[-window:]) * scale
    return (
        f"  {label}, median of first/last {window}: {first:.0f} {unit} -> {last:.0f} {unit} "
        f"({(last / first - 1) * 100:+.0f} %)"
    )


def trail(values: list[float], step: int, scale: float = 1.0) -> str:
    """The median of every ``step`` values, comma-separated: how a series moved over a run."""
    return ", ".join(
        f"{median(values[i : i + step]) * scale:.0f}" for i in range(0, len(values), step)
    )


def soak_args() -> tuple[int, int]:
    """``--replies N`` (default 200) and the window the soaks compare: the first/last 20."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=200)
    replies = parser.parse_args().replies
    return replies, min(20, replies // 4)

"""Wheel-scrolling to the top of a long conversation in a real terminal (issue 25, point 2).

The conversation a new user tried: 300 messages (~670 KB), three replies of ~200 KB among
them. The program runs in tmux (``--resume``, 120x40); from the end, wheel-up events (SGR mouse
reports, as a terminal sends them) go in at ``--rate`` a second until the first message is on
screen. Reported: how long that took and how many wheel steps, the app's CPU per step, and
its memory before and at the peak (``VmHWM``). The installed package runs (``pip install .``
first); ``--root DIR`` runs a checkout's code instead.

    python benchmarks/wheel_scroll_terminal.py [--runs 3] [--rate 100] [--root DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import app_env, proc_cpu, proc_status

CHILD_BUILD = r"""
from requesty_tui.core.domain import Conversation, Message
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.corpus import markdown_document

text = markdown_document(300 * 1_000, seed=4)
big = markdown_document(200_000, seed=9)
conv = Conversation(id="20261205-120000-wheel", model="openai/gpt-4o-mini", title="Wheel")
chunk = len(text) // 300
for i in range(300):
    role = "user" if i % 2 == 0 else "assistant"
    body = f"FIRST MESSAGE {text[:100]}" if i == 0 else text[i * chunk : (i + 1) * chunk]
    if role == "assistant" and i in (51, 151, 251):
        body = big
    conv.messages.append(Message(role=role, content=body,
                                 finish_reason=None if role == "user" else "stop"))
SessionStore().save(conv)
print(sum(len(m.content) for m in conv.messages))
"""

WHEEL_UP = "\x1b[<64;40;12M"
"""One wheel step up over the conversation, as an xterm-style terminal reports it."""


def one_run(root: Path | None, rate: float) -> dict[str, float]:
    if root is not None:
        sys.path.insert(0, str(root))
    from requesty_tui.testing.tmux import TmuxSession

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        env = app_env(tmp, root=root)
        size = subprocess.run(
            [sys.executable, "-c", CHILD_BUILD], env={**os.environ, **env}, capture_output=True,
            text=True, check=True, cwd=str(root or tmp),
        ).stdout.split()[-1]  # fmt: skip
        term = TmuxSession(["--resume", "20261205-120000-wheel"], env, width=120, height=40,
                           cwd=str(root or tmp))  # fmt: skip
        try:
            term.wait_for(lambda s: "150 replies" in s, timeout=60, what="the chat")
            time.sleep(2.0)  # whatever the open leaves to do
            pid = term.pid()
            cpu0, rss0 = proc_cpu(pid), proc_status(pid, "VmRSS")
            started, steps, gap = time.perf_counter(), 0, 1 / rate
            while "FIRST MESSAGE" not in term.screen():
                for _ in range(10):
                    term.keys(WHEEL_UP, literal=True)
                    steps += 1
                    time.sleep(gap)
                if time.perf_counter() - started > 300:
                    steps = -1
                    break
            took = time.perf_counter() - started
            out = {
                "size_kb": int(size) / 1000,
                "seconds": took,
                "steps": steps,
                "cpu_ms_per_step": (proc_cpu(pid) - cpu0) * 1000 / max(1, steps),
                "rss_before_mb": rss0,
                "peak_mb": proc_status(pid, "VmHWM"),
            }
        finally:
            term.close()
    if root is not None:
        sys.path.remove(str(root))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=100, help="wheel steps a second")
    parser.add_argument("--root", help="a checkout whose code runs (default: the installed one)")
    args = parser.parse_args()
    root = Path(args.root) if args.root else None
    runs = [one_run(root, args.rate) for _ in range(args.runs)]
    med = statistics.median
    print(f"300 messages ({runs[0]['size_kb']:.0f} KB), tmux 120x40, wheel at {args.rate:.0f} "
          f"steps/s, {args.root or 'installed'}, median of {args.runs}:")  # fmt: skip
    for key in ("seconds", "steps", "cpu_ms_per_step", "rss_before_mb", "peak_mb"):
        values = [r[key] for r in runs]
        print(f"  {key}: {med(values):.2f} (runs: {', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()

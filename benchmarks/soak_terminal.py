"""The soak (``soak.py``) in a real terminal: the program under tmux, keys sent with send-keys.

``soak.py`` drives the app headless through Pilot; this checks that a real terminal driver
(colour conversion for the terminal, real output) holds memory the same way. It prints the
app process's RSS over the replies and the time from Enter to the reply on disk (polled, so
only a rough latency).

    python benchmarks/soak_terminal.py [--replies 200]
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from _harness import growth, router_process, rss_mb, soak_args, trail
from soak import REPLY

from requesty_tui.storage.paths import sessions_dir
from requesty_tui.testing.tmux import TmuxSession


def replies_on_disk(sessions: Path) -> int:
    """Finished replies in the (only) session file, 0 while there is none. Counted in the raw
    bytes, not parsed: parsing a growing file every 10 ms would itself slow the app down (the
    machine has two cores) and make the latency look like it grows."""
    files = list(sessions.glob("*.toml"))
    if not files:
        return 0
    try:
        return files[0].read_bytes().count(b'\nfinish_reason = "stop"\n')
    except OSError:
        return 0


def main() -> None:
    replies, window = soak_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"TERM": "xterm-256color", "REQUESTY_API_KEY": "bench"}
        for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
            env[var] = os.environ[var] = tmp
        sessions = sessions_dir()
        with router_process(REPLY, chunk_chars=10, delay=0.0) as base_url:
            env["REQUESTY_BASE_URL"] = base_url
            term = TmuxSession([], env, width=120, height=40)
            pid = 0
            try:
                term.wait_started()
                pid = term.pid()
                latencies, memory = [], []
                for n in range(replies):
                    started = time.perf_counter()
                    term.keys(f"question {n}", literal=True)
                    term.keys("Enter")
                    deadline = time.monotonic() + 60
                    while replies_on_disk(sessions) < n + 1:
                        if time.monotonic() > deadline:
                            raise SystemExit(f"reply {n} never reached the disk:\n{term.screen()}")
                        time.sleep(0.01)
                    latencies.append(time.perf_counter() - started)
                    memory.append(rss_mb(pid))
            finally:
                term.close()
                deadline = time.monotonic() + 10
                while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
                    time.sleep(0.05)  # it saves on SIGHUP: let it finish before the folder goes
    step = max(1, replies // 8)
    print(f"{replies} replies in tmux (120x40), {len(REPLY):,} chars each:")
    print(growth("Enter -> reply on disk", latencies, window, "ms", 1000))
    print(growth("RSS", memory, window, "MB"))
    print(f"  RSS, median of each {step} replies (MB): {trail(memory, step)}")


if __name__ == "__main__":
    main()

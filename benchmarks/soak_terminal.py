"""The soak (``soak.py``) in a real terminal: the program under tmux, keys sent with send-keys.

``soak.py`` drives the app headless through Pilot; this checks that a real terminal driver
(colour conversion for the terminal, real output) holds memory the same way. It prints the
app process's RSS over the replies and the time from Enter to the reply on disk (polled, so
only a rough latency).

``--tools``: every reply first calls a tool (an MCP server over stdio, the tests' SDK server;
allowed for the chat at the first question), as a day with tools goes. ``--compare-every N``:
every Nth turn is a comparison of two models (compare mode turned on in the picker, the second
column picked with Enter, compare mode turned off again from the palette).

    python benchmarks/soak_terminal.py [--replies 200] [--tools] [--compare-every 10]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from _harness import ROOT, app_env, growth, router_process, rss_mb, trail
from soak import REPLY

from requesty_tui.storage.paths import sessions_dir
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.testing.tmux import TmuxSession

SECOND = "anthropic/claude-sonnet-4-5"
"""The other model of a comparison (in the test router's list)."""


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


def until(term: TmuxSession, check: Callable[[str], bool], what: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        screen = term.screen()
        if check(screen):
            return screen
        if time.monotonic() > deadline:
            raise SystemExit(f"never saw {what}:\n{screen}")
        time.sleep(0.01)


def palette(term: TmuxSession, command: str) -> None:
    """Run a palette command by its name."""
    term.keys("C-p")
    until(term, lambda s: "Search for commands" in s, "the palette")
    term.keys(command, literal=True)
    time.sleep(0.3)  # the palette searches as it is typed
    term.keys("Enter")


def compare_turn(term: TmuxSession, router: RouterServer, model: str, n: int) -> None:
    """One turn to two models: compare mode on, both replies, the second picked, mode off."""
    palette(term, "compare models")
    until(term, lambda s: "space chooses" in s, "the models picker")
    for wanted in (model, SECOND):  # both chosen (either may be, already)
        for _ in range(5):
            chosen = until(term, lambda s: "Chosen: " in s, "the chosen models")
            if wanted in chosen.split("Chosen: ", 1)[1].splitlines()[0]:
                break
            term.keys("C-u")  # the filter box emptied
            term.keys(wanted, literal=True)
            # Highlighted: its details are under the list's rule.
            until(term, lambda s, w=wanted: w in s.split("Chosen: ")[0].rsplit("────", 1)[-1],
                  f"{wanted} highlighted")  # fmt: skip
            term.keys("Space")
            time.sleep(0.3)
        else:
            raise SystemExit(f"could not choose {wanted}:\n{term.screen()}")
    term.keys("Enter")
    until(term, lambda s: "compare: " in s, "compare mode")
    router.queue_for(model, Reply(text=REPLY, chunk_chars=10))
    router.queue_for(SECOND, Reply(text=REPLY, chunk_chars=10))
    term.keys(f"question {n}", literal=True)
    term.keys("Enter")
    until(term, lambda s: "Continue with this" in s or "continues with" in s, "both replies")
    time.sleep(0.5)
    term.keys("BTab")  # the last column
    term.keys("Enter")  # continue with it
    until(term, lambda s: "continues with" not in s and "Continue with" not in s, "the pick")
    palette(term, "compare off")
    until(term, lambda s: "compare: " not in s, "compare mode off")


@contextmanager
def serving(tools: bool, compare: bool) -> Iterator[tuple[str, RouterServer | None]]:
    """The router: its own process for plain replies; in this one (replies queued per turn)
    when turns call tools or compare."""
    if not tools and not compare:
        with router_process(REPLY, chunk_chars=10, delay=0.0) as base_url:
            yield base_url, None
        return
    router = RouterServer().start()
    try:
        yield router.base_url, router
    finally:
        router.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--tools", action="store_true", help="every reply calls a tool first")
    parser.add_argument("--compare-every", type=int, default=0, help="every Nth turn compares")
    args = parser.parse_args()
    replies, window = args.replies, min(20, args.replies // 4)
    every = args.compare_every
    model = "openai/gpt-4o-mini"
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        env = app_env(tmp)
        if args.tools:
            config = Path(tmp) / "requesty-tui" / "config.toml"
            config.parent.mkdir(parents=True, exist_ok=True)
            server = ROOT / "tests" / "support" / "mcp_server.py"
            config.write_text(
                f"[mcp.bench]\ncommand = {json.dumps([sys.executable, str(server)])}\n"
            )
        sessions = sessions_dir()
        with serving(args.tools, bool(every)) as (base_url, router):
            env["REQUESTY_BASE_URL"] = base_url
            term = TmuxSession([], env, width=120, height=40)
            pid, expected = 0, 0
            try:
                term.wait_started()
                if args.tools:
                    until(term, lambda s: " from 1 server" in s, "the tools")
                pid = term.pid()
                latencies, memory = [], []
                for n in range(replies):
                    started = time.perf_counter()
                    if router is not None and every and n % every == every - 1:
                        compare_turn(term, router, model, n)
                        expected += 2  # both columns are kept (the other as an alternative)
                    else:
                        if router is not None:
                            if args.tools:
                                call = {"id": f"call_{n}", "name": "echo",
                                        "arguments": json.dumps({"text": f"said {n}"})}  # fmt: skip
                                router.queue(Reply(text="Let me check.", tool_calls=[call]))
                            router.queue(Reply(text=REPLY, chunk_chars=10))
                        term.keys(f"question {n}", literal=True)
                        term.keys("Enter")
                        if args.tools and n == 0:  # allowed for this chat, once
                            until(term, lambda s: "Run this tool?" in s, "the question")
                            while "left/right choose" not in term.screen():
                                term.keys("C-g")
                                time.sleep(0.2)
                            term.keys("Right")  # "Always allow in this chat"
                            term.keys("Enter")
                        expected += 1
                    deadline = time.monotonic() + 60
                    while replies_on_disk(sessions) < expected:
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
    kinds = ", each after a tool call" if args.tools else ""
    kinds += f", every {every}th turn a comparison" if every else ""
    print(f"{replies} turns in tmux (120x40), {len(REPLY):,} chars a reply{kinds}:")
    print(growth("Enter -> reply on disk", latencies, window, "ms", 1000))
    print(growth("RSS", memory, window, "MB"))
    print(f"  RSS, median of each {step} replies (MB): {trail(memory, step)}")


if __name__ == "__main__":
    main()

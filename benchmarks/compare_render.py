"""Four models answering at once, in a real terminal: what the columns cost against the same
four replies streamed one after another, and how fast keys still echo while all four stream.

The installed program runs under tmux against the local test router (every model gets the
same Markdown answer in ~20-character chunks, at a fixed rate or as fast as the socket goes).
"one at a time": four messages, each sent when the previous reply is on disk. "compare":
``--compare A,B,C,D`` and one message. CPU is the app process's (utime + stime, /proc) from the
first Enter to the last reply on disk; key echo is send-keys → the key on screen, polled every
2 ms, a key every 0.5 s while the columns stream (paced cases only). Run ``pip install .``
first: it runs the installed package.

    python benchmarks/compare_render.py [--runs 3] [--case 500@100 10000@0] [--size 160x50]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _harness import ROOT, app_env, median, proc_cpu, router_process
from stream_terminal import CHARS_PER_TOKEN, CHUNK, key_echo_ms

from requesty_tui.testing.corpus import markdown_document
from requesty_tui.testing.tmux import TmuxSession

MODELS = [
    "openai/gpt-4o-mini",
    "anthropic/claude-sonnet-4-5",
    "google/gemini-2.5-flash",
    "policy/my-fallback",
]


def replies_done(sessions: Path) -> int:
    """Finished replies in every session file (one at a time: a chat each)."""
    done = 0
    for path in sessions.glob("*.toml"):
        with contextlib.suppress(OSError):
            done += path.read_bytes().count(b'finish_reason = "stop"')
    return done


def one_run(
    chunks: int, rate: float, size: tuple[int, int], compare: bool
) -> tuple[float, float, list[float]]:
    """(CPU s, wall s, key echoes in ms)."""
    text = markdown_document(chunks * CHUNK)
    delay = CHUNK / CHARS_PER_TOKEN / rate if rate else 0.0
    with tempfile.TemporaryDirectory() as tmp:
        env = app_env(tmp)
        sessions = Path(tmp) / "requesty-tui" / "sessions"
        args = ["--compare", ",".join(MODELS)] if compare else ["--model", MODELS[0]]
        with router_process(text, chunk_chars=CHUNK, delay=delay) as base_url:
            env["REQUESTY_BASE_URL"] = base_url
            term = TmuxSession(args, env, width=size[0], height=size[1], cwd=tmp)
            try:
                term.wait_started()
                time.sleep(1.0)  # the model list and the key's spend arrive after the first frame
                pid = term.pid()
                cpu0, t0 = proc_cpu(pid), time.perf_counter()
                keys_ms: list[float] = []
                typed = 0
                deadline = time.monotonic() + 60 + chunks * max(delay, 0.002) * 8
                for sent in range(1 if compare else len(MODELS)):
                    if sent:  # a new chat each: four 195 KB replies in one overflow the window
                        term.keys("C-n")
                        term.wait_for(lambda s: "replies" not in s.splitlines()[-2], what="new")
                    term.keys("go", "Enter")
                    want = len(MODELS) if compare else sent + 1
                    next_key = time.perf_counter() + 1.0
                    while replies_done(sessions) < want:
                        if time.monotonic() > deadline:
                            raise SystemExit(f"the replies never finished:\n{term.screen()}")
                        if compare and delay and time.perf_counter() >= next_key:
                            typed += 1
                            keys_ms.append(key_echo_ms(term, typed))
                            next_key = time.perf_counter() + 0.5
                        time.sleep(0.01)
                wall = time.perf_counter() - t0
                cpu = proc_cpu(pid) - cpu0
            finally:
                term.close()
                stop = time.monotonic() + 10
                while os.path.exists(f"/proc/{pid}") and time.monotonic() < stop:
                    time.sleep(0.05)
    return cpu, wall, keys_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case", nargs="*", default=["500@100", "10000@0"])
    parser.add_argument("--size", default="160x50", help="terminal COLUMNSxROWS")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    print(f"tmux {width}x{height}, 4 replies, {CHUNK}-character chunks; medians of {args.runs}")
    for case in args.case:
        chunks, rate = (float(n) for n in case.split("@"))
        alone = [one_run(int(chunks), rate, (width, height), False) for _ in range(args.runs)]
        together = [one_run(int(chunks), rate, (width, height), True) for _ in range(args.runs)]
        cpu_alone = median([r[0] for r in alone])
        cpu_together = median([r[0] for r in together])
        speed = f"{rate:.0f} tokens/s" if rate else "full speed"
        line = (
            f"4 x {int(chunks):,} chunks at {speed}: one at a time CPU {cpu_alone:.2f} s "
            f"(runs {', '.join(f'{r[0]:.2f}' for r in alone)}), "
            f"compare CPU {cpu_together:.2f} s "
            f"(runs {', '.join(f'{r[0]:.2f}' for r in together)}) = "
            f"{cpu_together / cpu_alone:.2f} x; wall {median([r[1] for r in alone]):.1f} s "
            f"vs {median([r[1] for r in together]):.1f} s"
        )
        keys = sorted(k for r in together for k in r[2])
        if keys:
            p99 = keys[min(len(keys) - 1, int(len(keys) * 0.99))]
            line += f"; key echo while all stream p50 {statistics.median(keys):.0f} ms"
            line += f" p99 {p99:.0f} ms ({len(keys)} keys)"
        print(line, flush=True)


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    main()

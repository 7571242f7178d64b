"""A reply streaming at the speed people read, in a real terminal: what it costs the app.

The installed program runs under tmux (160x50 by default) against the local test router,
which sends a Markdown answer in ~20-character chunks at a fixed rate (100 tokens/s is 20
chunks/s; 0 is as fast as the socket goes). Figures are the app process's own, from /proc:
CPU (its threads' run time, to the nanosecond) from Enter to the reply on disk (and the tmux
server's, in clock ticks: it draws what we write, and the polling for key echoes is in it),
peak RSS (VmHWM) and RSS at the end,
bytes it wrote (``wchar``: nearly all of it the terminal; the session saves are a few KB), and
the latency of keys typed into the input box while the reply streams (send-keys → the key on
the screen, polled every 2 ms: tmux's own time is in it). It runs the installed package
(``pip install .`` first), from a folder outside the repository.

    python benchmarks/stream_terminal.py [--runs 3] [--case 500@100 2000@100 10000@0]
                                         [--size 160x50] [--py-spy FILE] [--queue]

``--queue``: a second message is typed and sent (queued) just after the first, and the keys are
timed while it waits under the streaming reply. ``--py-spy FILE`` samples the app with py-spy
during the stream (collapsed stacks in FILE) and prints the functions where the most time went.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _harness import ROOT, app_env, median, proc_cpu, proc_cpu_fine, proc_status, router_process

from requesty_tui.testing.corpus import markdown_document
from requesty_tui.testing.tmux import TmuxSession

CHUNK = 20
"""Characters per chunk: about five tokens, as providers send them."""
CHARS_PER_TOKEN = 4


@dataclass
class Run:
    cpu: float
    tmux_cpu: float
    peak_mb: float
    final_mb: float
    written_mb: float
    wall: float
    keys_ms: list[float]


def proc_written(pid: int) -> float:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def key_echo_ms(term: TmuxSession, typed: int) -> float:
    """Type one more Q (no word of the reply has one; ``typed`` counts them, this one too)
    and time it until the screen shows it, polling every 2 ms (5 s at most)."""
    sent = time.perf_counter()
    term.keys("Q")
    while term.screen().count("Q") < typed:
        if time.perf_counter() - sent > 5:
            break
        time.sleep(0.002)
    return (time.perf_counter() - sent) * 1000


def finished(sessions: Path) -> bool:
    files = list(sessions.glob("*.toml"))
    try:
        return bool(files) and b'finish_reason = "stop"' in files[0].read_bytes()
    except OSError:
        return False


def one_run(
    chunks: int,
    tokens_per_s: float,
    size: tuple[int, int],
    profile: str | None = None,
    queue: bool = False,
) -> Run:
    text = markdown_document(chunks * CHUNK)
    delay = CHUNK / CHARS_PER_TOKEN / tokens_per_s if tokens_per_s else 0.0
    with tempfile.TemporaryDirectory() as tmp:
        env = app_env(tmp)
        sessions = Path(tmp) / "requesty-tui" / "sessions"
        with router_process(text, chunk_chars=CHUNK, delay=delay) as base_url:
            env["REQUESTY_BASE_URL"] = base_url
            # From a folder outside the repository: the installed package, not the source tree.
            term = TmuxSession([], env, width=size[0], height=size[1], cwd=tmp)
            try:
                term.wait_started()
                time.sleep(1.0)  # the model list and the key's spend arrive after the first frame
                pid = term.pid()
                server = int(term.tmux("display-message", "-p", "#{pid}").strip())
                spy = None
                if profile:
                    spy = subprocess.Popen(
                        ["py-spy", "record", "--pid", str(pid), "--format", "raw", "--rate",
                         "250", "--nonblocking", "--output", profile],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )  # fmt: skip
                    time.sleep(1.0)
                cpu0, wrote0, t0 = proc_cpu_fine(pid), proc_written(pid), time.perf_counter()
                tmux0 = proc_cpu(server)
                term.keys("go", "Enter")
                if queue:  # the next message, typed and sent while the reply streams
                    term.wait_for(lambda s: "streaming" in s, what="the stream")
                    term.keys("and then the next one", "Enter")
                    term.wait_for(lambda s: "queued" in s, what="the message queued")
                keys_ms: list[float] = []
                typed = 0
                next_key = time.perf_counter() + 1.0
                deadline = time.monotonic() + 30 + chunks * max(delay, 0.002) * 2
                while not finished(sessions):
                    if time.monotonic() > deadline:
                        raise SystemExit(f"the reply never finished:\n{term.screen()}")
                    if delay and time.perf_counter() >= next_key:
                        # A key typed while the reply streams: how long until it is drawn?
                        typed += 1
                        keys_ms.append(key_echo_ms(term, typed))
                        next_key = time.perf_counter() + 0.5
                    time.sleep(0.01)
                wall = time.perf_counter() - t0
                time.sleep(0.5)  # the last frame
                if spy is not None:
                    spy.send_signal(2)
                    spy.wait(30)
                run = Run(
                    cpu=proc_cpu_fine(pid) - cpu0,
                    tmux_cpu=proc_cpu(server) - tmux0,
                    peak_mb=proc_status(pid, "VmHWM"),
                    final_mb=proc_status(pid, "VmRSS"),
                    written_mb=proc_written(pid) - wrote0,
                    wall=wall,
                    keys_ms=keys_ms,
                )
            finally:
                term.close()
                deadline = time.monotonic() + 10
                while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
                    time.sleep(0.05)
    return run


def top_lines(profile: str, count: int = 25) -> list[str]:
    """The functions with the most samples (own time and with callees) in a py-spy raw file."""
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in Path(profile).read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = [f.split(" (")[0] + " " + f.split("/")[-1].rstrip(")") for f in stack.split(";")]
        samples += int(n)
        own[frames[-1]] += int(n)
        for frame in set(frames):
            total[frame] += int(n)
    out = [f"{samples} samples; own time:"]
    out += [f"  {n / samples:6.1%}  {f}" for f, n in own.most_common(count)]
    out.append("with callees:")
    out += [f"  {n / samples:6.1%}  {f}" for f, n in total.most_common(count)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--case",
        nargs="*",
        default=["500@100", "2000@100", "10000@0"],
        help="CHUNKS@TOKENS_PER_SECOND (0: as fast as the socket goes)",
    )
    parser.add_argument("--size", default="160x50", help="terminal COLUMNSxROWS")
    parser.add_argument("--py-spy", dest="profile", help="sample the app into this file")
    parser.add_argument("--queue", action="store_true", help="a message queued meanwhile")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    print(f"tmux {width}x{height}, {CHUNK}-character chunks; medians of {args.runs} runs")
    for case in args.case:
        chunks, rate = case.split("@")
        runs = [
            one_run(int(chunks), float(rate), (width, height), args.profile, args.queue)
            for _ in range(args.runs)
        ]
        keys = sorted(k for r in runs for k in r.keys_ms)
        speed = f"{rate} tokens/s" if float(rate) else "full speed"
        line = (
            f"{int(chunks):>6,} chunks at {speed:>13}: "
            f"CPU {median([r.cpu for r in runs]):.3f} s "
            f"(runs {', '.join(f'{r.cpu:.3f}' for r in runs)}), "
            f"tmux CPU {median([r.tmux_cpu for r in runs]):.2f} s, "
            f"wall {median([r.wall for r in runs]):.1f} s, "
            f"written {median([r.written_mb for r in runs]):.1f} MiB, "
            f"peak RSS {median([r.peak_mb for r in runs]):.0f} MiB, "
            f"final {median([r.final_mb for r in runs]):.0f} MiB"
        )
        if keys:
            p99 = keys[min(len(keys) - 1, int(len(keys) * 0.99))]
            line += f", key echo p50 {statistics.median(keys):.0f} ms p99 {p99:.0f} ms"
        print(line, flush=True)
        if args.profile:
            print("\n".join(top_lines(args.profile)))


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    main()

"""A turn with a tool call, where users meet it: the installed program in tmux at 80x24, an MCP
server over stdio (the tests' SDK server, a Python process like most ``uvx`` servers), a model
that calls it and then answers at reading speed (100 tokens/s).

Measured per run: launch -> the status bar says the tools are there; Enter -> the question is
on screen; the answer (``ctrl+g`` then Enter on "Run once"; ``y`` at 84969b1) -> the call's
block says it is done; the answer -> it has finished; keys typed
while the answer streams, until they are on screen (p50/p99); the app's CPU time.

    python benchmarks/tool_turn.py [--runs 3] [--chunks 300] [--no-tool]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _harness import ROOT, app_env, median, proc_cpu
from stream_terminal import key_echo_ms

from requesty_tui.testing.corpus import markdown_document
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.testing.tmux import TmuxSession

CHUNK = 20
CHARS_PER_TOKEN = 4


def wait(term: TmuxSession, text: str, timeout: float = 60.0) -> float:
    start = time.perf_counter()
    while text not in term.screen():
        if time.perf_counter() - start > timeout:
            raise TimeoutError(f"{text!r} not on screen")
        time.sleep(0.005)
    return time.perf_counter()


def focus_question(term: TmuxSession) -> None:
    """ctrl+g until the question has the keys (the binding is there once the bar shows it)."""
    for _ in range(50):
        term.keys("C-g")
        start = time.perf_counter()
        while time.perf_counter() - start < 0.2:
            if "left/right choose" in term.screen():
                return
            time.sleep(0.005)
    raise TimeoutError("the question never took the keys")


def one_run(chunks: int, size: tuple[int, int], tool: bool = True) -> dict[str, float]:
    router = RouterServer().start()
    answer = markdown_document(chunks * CHUNK).replace("Q", "q") + "\n\nEND-OF-ANSWER"
    delay = CHUNK / CHARS_PER_TOKEN / 100
    call = {"id": "call_1", "name": "echo", "arguments": json.dumps({"text": "tool-said-this"})}
    if tool:
        router.queue(Reply(text="Let me check.", tool_calls=[call]))
    router.queue(Reply(text=answer, chunk_chars=CHUNK, delay=delay))
    server = ROOT / "tests" / "support" / "mcp_server.py"
    try:
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
            env = app_env(tmp, router.base_url)
            config = Path(tmp) / "requesty-tui" / "config.toml"
            config.parent.mkdir(parents=True)
            command = json.dumps([sys.executable, str(server)])
            config.write_text(f"[mcp.bench]\ncommand = {command}\n")
            launched = time.perf_counter()
            term = TmuxSession([], env, width=size[0], height=size[1], cwd=tmp)
            try:
                ready = wait(term, " from 1 server") - launched
                pid = term.pid()
                cpu0 = proc_cpu(pid)
                sent = time.perf_counter()
                term.keys("what did the tool say?", "Enter")
                asked = result = 0.0
                if tool:
                    asked = wait(term, "Run this tool?") - sent
                approved = time.perf_counter()
                if tool:
                    if "ctrl+g goes here" in term.screen():  # the input keeps the keys
                        focus_question(term)
                        term.keys("Enter")  # "Run once", the first choice
                    else:  # before the question became a choice (84969b1): y, once it listens
                        for _ in range(20):
                            term.keys("y")
                            time.sleep(0.1)
                            if "waiting for you" not in term.screen():
                                break
                    result = wait(term, "echo · done", 10) - approved
                echoes = []
                typed = 0
                while "END-OF-ANSWER" not in term.screen():
                    typed += 1
                    echoes.append(key_echo_ms(term, typed))
                    time.sleep(0.2)
                    if time.perf_counter() - approved > 120:
                        raise TimeoutError("the answer did not finish")
                done = time.perf_counter() - approved
                cpu = proc_cpu(pid) - cpu0
                term.keys("C-q")
                term.wait_closed()
            finally:
                term.close()
    finally:
        router.stop()
    echoes.sort()
    return {
        "ready": ready,
        "asked": asked,
        "result": result,
        "done": done,
        "echo_p50": statistics.median(echoes) if echoes else 0.0,
        "echo_p99": echoes[min(len(echoes) - 1, int(len(echoes) * 0.99))] if echoes else 0.0,
        "cpu": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chunks", type=int, default=300)
    parser.add_argument("--size", default="80x24")
    parser.add_argument("--no-tool", action="store_true", help="the same answer, no call before")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    runs = [one_run(args.chunks, (width, height), not args.no_tool) for _ in range(args.runs)]

    def show(key: str, label: str, unit: str = "s", scale: float = 1.0) -> None:
        values = [r[key] * scale for r in runs]
        each = ", ".join(f"{v:.2f}" if unit == "s" else f"{v:.0f}" for v in values)
        value = median(values)
        shown = f"{value:.2f} s" if unit == "s" else f"{value:.0f} {unit}"
        print(f"{label}: median {shown} (runs: {each})")

    before = "with no call before it" if args.no_tool else "after one echo call"
    print(f"{args.size}, an answer of {args.chunks} chunks at 100 tokens/s {before}")
    show("ready", "launch -> 'tools: N from 1 server' on screen")
    show("asked", "Enter -> the question on screen")
    show("result", "y -> the result on screen", "ms", 1000)
    show("done", "y -> the whole answer on screen")
    show("echo_p50", "key echo while the answer streams, p50", "ms")
    show("echo_p99", "key echo while the answer streams, p99", "ms")
    show("cpu", "app CPU from Enter to the end of the answer")


if __name__ == "__main__":
    main()

"""Open and scroll a big conversation in a real terminal (issue 25, where long-time users live).

The conversation of ``long_session.py --huge``: 1,000 messages, twenty replies of ~200 KB and
two of ~1 MB, one of them on the last screen. The program runs in tmux (``--resume``), and
from outside we time:

- launch → the last screen drawn (the last reply's words on the screen); with ``--browser``,
  the app runs already and the time is from Enter on the conversation's row in the browser
  (``ctrl+o``), the other way users open an old conversation;
- key echo while the rest renders: a ``Q`` typed into the input box every 150 ms, timed until
  the screen shows it;
- scrolling back with the keys: ``pgup`` and a ``Q`` in turn, each ``Q`` timed (key echo while
  earlier text comes in);
- ``ctrl+home`` → the first message on screen (mounted with a window after it, the rest
  behind a "more messages" marker), then ``ctrl+end`` → the last screen again;
- the app's CPU seconds and peak memory (``VmHWM``) at the end, against the same 1,000
  messages with short replies (``--short``).

By default the installed package runs (``pip install .`` first), from a folder outside the
repository, as users run it: compiled to bytecode when installed. ``--root DIR`` runs a
checkout's code instead (e.g. a ``git worktree`` of the commit you started from); with
``PYTHONDONTWRITEBYTECODE`` set, as here, a checkout is compiled again at every start (~0.1 s
more). To compare two installed versions, run this script with each one's interpreter::

    python benchmarks/big_conversation_terminal.py [--runs 3] [--size 120x40] [--root DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import ROOT, app_env, proc_cpu, proc_status

CHILD_BUILD = r"""
import os, sys
sys.path.insert(0, os.environ["BENCH"])
import long_session
from requesty_tui.storage.sessions import SessionStore
session_id = long_session.build(1000, huge=os.environ.get("SHORT") != "1")[0]
store = SessionStore()
conv = store.load(session_id)
conv.messages[-1].content = "A short last reply."  # what marks the last screen, both kinds
store.save(conv)
print(conv.messages[0].content.split("\n")[0][:30])
print(session_id)
"""


def echo_ms(term: object, typed: int) -> float:
    """Type one more Q and time it until the screen shows ``typed`` of them (5 s at most)."""
    sent = time.perf_counter()
    term.keys("Q")  # type: ignore[attr-defined]
    while term.screen().count("Q") < typed:  # type: ignore[attr-defined]
        if time.perf_counter() - sent > 5:
            break
        time.sleep(0.002)
    return (time.perf_counter() - sent) * 1000


def one_run(
    root: Path | None, size: tuple[int, int], short: bool, browser: bool = False
) -> dict[str, float | list[float]]:
    if root is not None:
        sys.path.insert(0, str(root))
    from requesty_tui.testing.tmux import TmuxSession

    with tempfile.TemporaryDirectory() as tmp:
        env = app_env(tmp, root=root)
        build_env = {**os.environ, **env, "BENCH": str(ROOT / "benchmarks"),
                     "SHORT": "1" if short else "0"}  # fmt: skip
        first, session_id = subprocess.run(
            [sys.executable, "-c", CHILD_BUILD], env=build_env, capture_output=True,
            text=True, check=True, cwd=str(root or tmp),
        ).stdout.strip().splitlines()[-2:]  # fmt: skip
        started = time.perf_counter()
        args = [] if browser else ["--resume", session_id]
        term = TmuxSession(args, env, width=size[0], height=size[1], cwd=str(root or tmp))
        out: dict[str, float | list[float]] = {}
        try:
            if browser:
                term.wait_started()
                time.sleep(1.0)  # the model list and the key's spend come after the first frame
                term.keys("C-o")
                term.wait_for(lambda s: "Long" in s and "1000" in s.replace(",", ""),
                              what="the conversation's row")  # fmt: skip
                time.sleep(0.5)
                started = time.perf_counter()
                term.keys("Enter")
            term.wait_for(lambda s: "A short last reply." in s, timeout=60, what="last screen")
            out["shown"] = time.perf_counter() - started
            pid = term.pid()
            typed, echoes = 0, []
            for _ in range(20):  # while the rest of the big replies render
                typed += 1
                echoes.append(echo_ms(term, typed))
                time.sleep(0.15)
            out["echo_open"] = echoes
            scroll = []
            for _ in range(40):  # back through the conversation, a page at a time
                term.keys("PageUp")
                time.sleep(0.05)
                typed += 1
                scroll.append(echo_ms(term, typed))
            out["echo_scroll"] = scroll
            home = time.perf_counter()
            term.keys("C-Home")
            first = first.strip()[:20]  # the first message's first words
            try:
                term.wait_for(lambda s: first in s, timeout=30, what="the first message")
                out["home"] = time.perf_counter() - home
            except AssertionError:
                out["home"] = float("nan")  # never got there (said as nan)
            end = time.perf_counter()
            term.keys("C-End")
            try:
                term.wait_for(lambda s: "A short last reply." in s, timeout=30, what="the end")
                out["end"] = time.perf_counter() - end
            except AssertionError:
                out["end"] = float("nan")
            time.sleep(1.0)
            out["cpu"] = proc_cpu(pid)
            out["peak_mb"] = proc_status(pid, "VmHWM")
        finally:
            term.close()
    if root is not None:
        sys.path.remove(str(root))
    return out


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--root", help="a checkout whose code runs (default: the installed one)")
    parser.add_argument("--short", action="store_true", help="the same 1,000 messages, short")
    parser.add_argument("--browser", action="store_true", help="opened from the browser")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    root = Path(args.root) if args.root else None
    runs = [one_run(root, (width, height), args.short, args.browser) for _ in range(args.runs)]
    med = statistics.median
    summary = {
        "shown_s": med(float(r["shown"]) for r in runs),  # type: ignore[arg-type]
        "home_s": med(float(r["home"]) for r in runs),  # type: ignore[arg-type]
        "end_s": med(float(r["end"]) for r in runs),  # type: ignore[arg-type]
        "echo_open_p50_ms": med(med(r["echo_open"]) for r in runs),  # type: ignore[arg-type]
        "echo_open_p99_ms": med(p99(r["echo_open"]) for r in runs),  # type: ignore[arg-type]
        "echo_scroll_p50_ms": med(med(r["echo_scroll"]) for r in runs),  # type: ignore[arg-type]
        "echo_scroll_p99_ms": med(p99(r["echo_scroll"]) for r in runs),  # type: ignore[arg-type]
        "cpu_s": med(float(r["cpu"]) for r in runs),  # type: ignore[arg-type]
        "peak_mb": med(float(r["peak_mb"]) for r in runs),  # type: ignore[arg-type]
    }
    kind = "short replies" if args.short else "twenty 200 KB and two 1 MB replies"
    code = args.root or f"installed ({sys.executable})"
    if args.browser:
        code += ", opened from the browser"
    print(f"1,000 messages ({kind}), tmux {args.size}, {code}, median of {args.runs}:")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()

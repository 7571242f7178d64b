"""Start-up: process exec -> first frame of the chat screen, and the import time of our package.

The frame is timed where the App hands it to the driver (``App._display``): what follows it
(fetching the model list, which imports httpx) no longer counts, as the user already sees it.
What follows is measured on its own: the longest stall of the event loop in the second after
the first frame (a key typed then waits that long).

Each run is a fresh interpreter (headless driver; a real terminal adds only output).

With ``--mcp`` an MCP server is configured (the tests' SDK server over stdio, as a user's
``uvx``/``npx`` server would be): the first frame must not wait for it; the stall is then
measured until its tools are listed (the SDK's import runs in a thread meanwhile), and the
time until then is reported.

    python benchmarks/startup.py [--runs 7] [--mcp]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from _harness import ROOT, median

CHILD = r"""
import time
t0 = time.perf_counter()
import asyncio, sys, json, os
sys.path.insert(0, os.environ["ROOT"])
try:  # what the CLI does before it imports the UI (absent from older commits: A/B)
    from requesty_tui.ui.gc_pause import hold_until_first_frame
    hold_until_first_frame()
except ImportError:
    pass
from requesty_tui.core.settings import Settings
from requesty_tui.ui.app import RequestyApp
imported = time.perf_counter() - t0

class Timed(RequestyApp):
    CSS_PATH = os.path.join(os.environ["ROOT"], "requesty_tui", "ui", "app.tcss")
    frame_at = None

    def _display(self, screen, renderable):
        # The moment the first frame of the chat screen would be written to the terminal.
        chat = type(screen).__name__ == "ChatScreen"
        if self.frame_at is None and renderable is not None and chat:
            self.frame_at, self.frame_perf = time.time(), time.perf_counter()
            self.call_after_refresh(self._done)
        super()._display(screen, renderable)

    def _done(self):
        self.run_worker(self._probe())

    async def _probe(self):
        # From the frame on: whatever ran before this probe started counts as a stall too.
        stall, last, end = 0.0, self.frame_perf, self.frame_perf + 1.0
        toolbox = self.services.toolbox
        tools_at = None
        while last < end or (toolbox.configured and tools_at is None and last < end + 30):
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            stall, last = max(stall, now - last), now
            if tools_at is None and toolbox.state == "ready":
                tools_at = now - self.frame_perf
        data = {"frame_at": self.frame_at, "imported": imported, "stall": stall,
                "tools": tools_at, "count": len(toolbox.specs)}
        print(json.dumps(data), flush=True)
        self.exit()

servers = ()
if os.environ.get("MCP_SERVER"):
    from requesty_tui.core.tools import McpServerConfig
    servers = (McpServerConfig("bench", command=(sys.executable, os.environ["MCP_SERVER"])),)
Timed(Settings(api_key="k", base_url="http://127.0.0.1:9/v1", mcp=servers)).run(headless=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--mcp", action="store_true", help="with an MCP server configured")
    args = parser.parse_args()
    firsts, imports, stalls, tools = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "ROOT": str(ROOT),
            "XDG_DATA_HOME": tmp,
            "XDG_CACHE_HOME": tmp,
            "XDG_CONFIG_HOME": tmp,
        }
        if args.mcp:
            env["MCP_SERVER"] = str(ROOT / "tests" / "support" / "mcp_server.py")
        child = os.path.join(tmp, "child.py")  # a file: Textual resolves CSS_PATH from it
        with open(child, "w", encoding="utf-8") as handle:
            handle.write(CHILD)
        for _ in range(args.runs):
            started = time.time()
            out = subprocess.run(
                [sys.executable, child],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                cwd=tmp,
            ).stdout
            data = json.loads(out.strip().splitlines()[-1])
            firsts.append(data["frame_at"] - started)
            imports.append(data["imported"])
            stalls.append(data["stall"])
            if data.get("tools") is not None:
                tools.append(data["tools"])
    print(
        f"exec -> first frame: median {median(firsts):.3f} s "
        f"(runs: {', '.join(f'{v:.2f}' for v in firsts)})"
    )
    print(f"import of requesty_tui.ui.app (Textual included): median {median(imports):.3f} s")
    if tools:
        print(
            f"first frame -> tools listed: median {median(tools):.2f} s "
            f"(runs: {', '.join(f'{v:.2f}' for v in tools)})"
        )
    window = "until the tools are listed" if args.mcp else "in the second after the first frame"
    print(
        f"longest event-loop stall {window}: median "
        f"{median(stalls) * 1000:.0f} ms (runs: {', '.join(f'{v * 1000:.0f}' for v in stalls)})"
    )


if __name__ == "__main__":
    main()

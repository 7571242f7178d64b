"""``requesty-tui serve`` in a process of its own, and a browser tab's websocket without the
browser: what textual.js sends (keys as ``stdin``), what it receives (drawn on a ``Screen``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

import aiohttp

from requesty_tui.testing.router import RouterServer
from tests.support.screen import Screen

FAKE_KEY = "sk-served-9f8e7d6c5b4a-NEVER-IN-THE-BROWSER"
ROOT = Path(__file__).resolve().parents[2]


class Served:
    """A running ``serve``; ``stop()`` is Ctrl+C."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url
        parts = urlsplit(url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.token = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get(
            "token", ""
        )
        self.output: list[str] = []
        self.reader: threading.Thread | None = None

    @property
    def ws_url(self) -> str:
        return "ws" + self.origin.removeprefix("http") + "/ws"

    def app_pids(self) -> list[int]:
        """The app processes serve started (its children)."""
        pids: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                pids += [int(p) for p in task.read_text().split()]
        return pids

    def stop(self, timeout: float = 30) -> int:
        """Ctrl+C (SIGINT to serve alone: its children are its own business)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise
        finally:
            if self.reader is not None:
                self.reader.join(10)
        return self.process.returncode


def serve_env(router: RouterServer | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["REQUESTY_API_KEY"] = FAKE_KEY
    if router is not None:
        env["REQUESTY_BASE_URL"] = router.base_url
    return env


def start_serve(
    router: RouterServer | None,
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> Served:
    """``serve --port 0 ARGS``, once it has printed its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "requesty_tui", "serve", "--port", "0", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=serve_env(router) | (env or {}),
        cwd=ROOT,
        start_new_session=True,  # its own group: a test's cleanup can end it all by its id
    )
    assert process.stdin is not None and process.stdout is not None
    if stdin is not None:
        process.stdin.write(stdin)
    process.stdin.close()
    output: list[str] = []
    reader = threading.Thread(target=_collect, args=(process.stdout, output), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and reader.is_alive():
        found = re.search(r"Open (https?://\S+)", "".join(output))
        if found:
            served = Served(process, found.group(1))
            served.output, served.reader = output, reader
            return served
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise AssertionError(f"serve printed no URL: {''.join(output)!r}")


def _collect(stream: IO[str], lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


class Tab:
    """A browser tab's websocket: keys in, the screen out."""

    def __init__(self, served: Served, width: int = 110, height: int = 32) -> None:
        self.served = served
        self.screen = Screen(width, height)
        self.texts: list[str] = []
        self.closed = asyncio.Event()
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    async def open(self, origin: str | None = None, token: str | None = None) -> Tab:
        self._session = aiohttp.ClientSession()
        w, h = self.screen.width, self.screen.height
        params = {"width": str(w), "height": str(h)}
        token = self.served.token if token is None else token
        if token:
            params["token"] = token
        try:
            self._ws = await self._session.ws_connect(
                self.served.ws_url,
                params=params,
                headers={"Origin": origin or self.served.origin},
                max_msg_size=0,
            )
        except BaseException:
            await self._session.close()
            raise
        self._reader = asyncio.create_task(self._read())
        await self.send("focus")
        return self

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.screen.feed(message.data)
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.texts.append(message.data)
        self.closed.set()

    async def send(self, kind: str, *data: Any) -> None:
        assert self._ws is not None
        await self._ws.send_str(json.dumps([kind, *data]))

    async def type(self, text: str) -> None:
        await self.send("stdin", text)

    async def wait_for(self, needle: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.screen.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never drawn:\n{self.screen.text()}")
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        """The tab closes."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)
        if self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> Tab:
        return await self.open()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def wait_until_gone(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and not _zombie(pid):
        if time.monotonic() > deadline:
            raise AssertionError(f"process {pid} still runs")
        time.sleep(0.05)


def _zombie(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    return True

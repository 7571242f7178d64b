"""textual-serve's server behind the guard: each websocket runs its own app process.

What it adds to textual-serve: the guard's middleware on every route (``web_guard``), our
page (``web_page``), no directory listing of ``/static``, and the end of every app process it
started: when its tab closes (the app is asked to quit, as ctrl+q, so it saves; then SIGTERM,
whose exit hooks save too; then SIGKILL) and when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import textual_serve
from aiohttp import web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from requesty_tui.cli.web_guard import Guard
from requesty_tui.cli.web_page import page

QUIT_GRACE = 10.0
"""Seconds an app process has to save and exit, after the quit and again after SIGTERM
(a quit with a reply streaming took 0.3-0.6 s in the tests; 10 s covers a slow disk)."""
STATIC = Path(textual_serve.__file__).parent / "static"


class ServedApp(AppService):
    """One tab's app process."""

    async def on_data(self, payload: bytes) -> None:
        """After the tab has gone the app still draws while it saves and exits: its output is
        read and dropped (a full pipe would block it on a write, and it would never end)."""
        with contextlib.suppress(ConnectionError, RuntimeError):
            await super().on_data(payload)

    async def on_meta(self, data: bytes) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await super().on_meta(data)

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def end(self) -> None:
        """Ask the app to quit (it saves what it has, as on ctrl+q); then SIGTERM (the exit
        hooks save synchronously); then SIGKILL. Returns once the process is gone."""
        process = self._process
        with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError):
            await asyncio.wait_for(self.stop(), QUIT_GRACE)
        if process is None:
            return
        for send in (process.terminate, process.kill):
            if process.returncode is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                send()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), QUIT_GRACE)
        await process.wait()


class GuardedServer(Server):
    """textual-serve's ``Server`` with the guard in front and its processes accounted for."""

    def __init__(
        self,
        command: str,
        guard: Guard,
        *,
        title: str,
        on_ready: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(command, guard.host, guard.port, title, guard.public_url)
        self.guard = guard
        self.on_ready = on_ready
        self.apps: set[ServedApp] = set()

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard.middleware])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", STATIC, show_index=False, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGHUP, _graceful_exit)  # the terminal closed
        self.on_ready()

    async def on_shutdown(self, app: web.Application) -> None:
        """Ctrl+C (or SIGTERM, SIGHUP): every app process ends, each saving what it has."""
        await asyncio.gather(*(served.end() for served in list(self.apps)))

    async def handle_index(self, request: web.Request) -> web.Response:
        font_size = to_int(request.query.get("fontsize", "16"), 16)
        return web.Response(
            text=page(self.title, self.websocket_url(request), font_size),
            content_type="text/html",
        )

    def websocket_url(self, request: web.Request) -> str:
        """The address the page was reached by (the guard has checked it), or --public-url's
        when reached through it (a proxy that speaks https)."""
        public = urlsplit(self.public_url)
        if self.guard.public_url and request.host.lower() == public.netloc.lower():
            scheme = "wss" if public.scheme == "https" else "ws"
            return f"{scheme}://{public.netloc}{public.path.rstrip('/')}/ws"
        return f"ws://{request.host}/ws"

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """As textual-serve's, with the app remembered until its process has ended."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        served = ServedApp(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=partial(_close, websocket),
            download_manager=self.download_manager,
        )
        self.apps.add(served)
        try:
            await served.start(width, height)
            await self._process_messages(websocket, served)
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            await served.end()
            self.apps.discard(served)
            with contextlib.suppress(ConnectionError, RuntimeError):
                await websocket.close()
        return websocket


async def _close(websocket: web.WebSocketResponse) -> None:
    """The app has exited: the tab shows "Session ended"."""
    with contextlib.suppress(ConnectionError, RuntimeError):
        await websocket.close()


def _graceful_exit() -> None:
    raise GracefulExit()

"""MCP servers as tools: start them, list their tools, call them, stop them.

Each server lives in its own long-lived task: the SDK's context managers (anyio task groups and
cancel scopes) must be entered and left by one task, and a call may come from any task (a Textual
worker, a CLI's ``asyncio.run``); calls only go through the session that task keeps open.

Nothing here raises for a server's problem. A start that fails is a :class:`ServerFailure`; a
call that fails is a :class:`ToolOutput` with ``is_error`` and one paragraph saying why.
Cancelling a call (the user pressed Esc) raises ``CancelledError`` as usual; the SDK tells the
server, and the session stays usable.

stdio servers run through our own small transport (:mod:`requesty_tui.tools.stdio`, which
says why); streamable HTTP through the SDK's. What a tool's result becomes as text is
:mod:`requesty_tui.tools.content`'s.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Sequence
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import anyio
import httpx2
import mcp.types as types
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from requesty_tui import __version__
from requesty_tui.core.safe_text import one_line
from requesty_tui.core.tools import McpServerConfig, ToolOutput, ToolSpec
from requesty_tui.tools.content import output_text
from requesty_tui.tools.stdio import (
    LaunchError,
    StdioProcess,
    child_environment,
)

START_TIMEOUT = 60.0
"""Seconds a server has to start, shake hands and list its tools. The SDK gives its
``server/discover`` probe 10 s (``DISCOVER_TIMEOUT_SECONDS``) before falling back to the legacy
``initialize``, so a slow legacy server needs more than that; the test server (Python + the SDK)
is ready in about 1 s on a 2-core machine, but an ``npx``/``uvx`` server's first run downloads
its package first (tens of seconds on a slow line). Nothing waits for it but the tools."""


CLOSE_TIMEOUT = 5.0
""":meth:`ToolHost.close` waits at most this long; servers stop concurrently, each within
STOP_GRACE + KILL_GRACE plus reaping."""


CRASH_WAIT = 3.0
"""How long a call that lost its connection waits to learn the exit code (within EXIT_POLL of a
crash) or, when the process lives on, for the server's task to stop it (STOP_GRACE + KILL_GRACE
+ reaping at worst)."""

CALL_GRACE = 2.0
"""Added to a call's timeout as a backstop: the SDK's clock starts once the request is written,
and a server that stops reading its stdin would block that write for ever."""


LIST_PAGES = 100
"""At most this many pages of ``tools/list`` (a paginator that never ends cannot hang a start)."""

_CLIENT_INFO = types.Implementation(name="requesty-tui", version=__version__)
_FILE_NAME = re.compile(r"[^A-Za-z0-9_.-]")

# The SDK logs through `logging`; with no handler configured, Python's last-resort handler
# would print its warnings over the full-screen UI.
for _name in ("mcp", "httpx2"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


@dataclass(frozen=True, slots=True)
class ServerFailure:
    """A server that did not start, and why, in one line a user can read."""

    server: str
    message: str


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _exit_phrase(code: int | None) -> str:
    if code is None:
        return ""
    if code < 0:
        return f"killed by signal {-code}"
    return f"exit {code}"


def _leaf(exc: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups from anyio task groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _describe(exc: BaseException) -> str:
    exc = _leaf(exc)
    if isinstance(exc, MCPError):
        return f"{exc.error.message} (error {exc.error.code})"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _StartError(Exception):
    """A start that failed before any process or connection, with the words to say so."""


__all__ = ["ServerFailure", "ToolHost", "child_environment", "output_text"]


class _Server:
    """One configured server: its task, its session while it is up, and what went wrong."""

    def __init__(self, config: McpServerConfig, log_dir: Path) -> None:
        self.config = config
        self.name = config.name
        self.log_path = (
            log_dir / f"{_FILE_NAME.sub('_', config.name).lstrip('.') or 'server'}.stderr.log"
        )
        self.state: Literal["new", "starting", "running", "failed", "stopped", "closed"] = "new"
        self.client: Client | None = None
        self.specs: list[ToolSpec] = []
        self.failure = ""
        self.starts = 0
        self.restart_lock = asyncio.Lock()
        self._process: StdioProcess | None = None
        """The stdio server's latest run (None for a URL server, or before the first start)."""
        self._http_status = ""
        self._crash_error: BaseException | None = None
        self._start_scope: anyio.CancelScope | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._ended = asyncio.Event()
        self._settled = asyncio.Event()
        """Set once what a crash message needs is known: the exit code, or the task's end."""
        self._wake = asyncio.Event()
        self._stopping = False
        self._died = False
        # Whole values, and the token of a header such as "Bearer <token>"; short ones
        # ("1", "true") would only garble messages.
        values = [*config.env.values(), *config.headers.values()]
        tokens = [word for value in config.headers.values() for word in value.split()]
        secrets = {v for v in values if len(v) >= 4} | {t for t in tokens if len(t) >= 8}
        self._secrets = sorted(secrets, key=len, reverse=True)

    # -- lifecycle ---------------------------------------------------------------------------

    def launch(self) -> None:
        self.state = "starting"
        self.client, self.specs, self.failure, self._process = None, [], "", None
        self._http_status = ""
        self._crash_error = None
        self._ready, self._ended, self._wake = asyncio.Event(), asyncio.Event(), asyncio.Event()
        self._settled = asyncio.Event()
        self._stopping = self._died = False
        self.starts += 1
        self._task = asyncio.create_task(self._run(), name=f"mcp server {self.name}")

    async def wait_ready(self) -> None:
        """Until the server is up or has failed (its task bounds the start by START_TIMEOUT;
        the extra time is for its clean-up)."""
        try:
            await asyncio.wait_for(self._ready.wait(), START_TIMEOUT + CLOSE_TIMEOUT)
        except TimeoutError:
            self.failure = f"{self.name}: did not start within {_seconds(START_TIMEOUT)}"
            self.state = "failed"
            self.stop()

    @property
    def running(self) -> bool:
        """Up and usable: not merely still shutting down after its process died."""
        return self.state == "running" and not self._died and not self._stopping

    async def restart(self) -> bool:
        """Start a server that stopped (a crash) again, or wait for a start under way;
        whether this call started it."""
        async with self.restart_lock:
            if self._died:  # its task may still be stopping what is left of it
                await self.wait_ended(CRASH_WAIT)
            restarted = self.state == "stopped"
            if restarted:
                self.launch()
            await self.wait_ready()
        return restarted

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._start_scope is not None:  # a start under way: end it now, not at its deadline
            self._start_scope.cancel()

    async def wait_ended(self, timeout: float) -> bool:
        task = self._task
        if task is None or task.done():
            return True
        done, _ = await asyncio.wait({task}, timeout=timeout)
        return bool(done)

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    @property
    def died(self) -> bool:
        return self._died

    def _mark_dead(self) -> None:
        self._died = True
        self._wake.set()

    async def _run(self) -> None:
        started = False
        error: BaseException | None = None
        deadline = anyio.CancelScope(deadline=anyio.current_time() + START_TIMEOUT)
        self._start_scope = deadline
        try:
            with deadline:
                async with AsyncExitStack() as stack:
                    client = Client(
                        await self._transport(stack),
                        mode="auto",
                        cache=None,
                        client_info=_CLIENT_INFO,
                    )
                    await stack.enter_async_context(client)
                    specs = await self._list_tools(client)
                    deadline.deadline = math.inf
                    self._start_scope = None
                    started = True
                    if not self._stopping:
                        self.client, self.specs, self.state = client, specs, "running"
                        self._ready.set()
                        await self._wake.wait()
                    self.client = None  # no new calls while it shuts down
        except Exception as exc:
            error = exc
        except BaseException:
            self._end("closed", f"{self.name}: stopped")
            raise
        if self._stopping:
            self._end("closed", f"{self.name}: stopped")
        elif not started:
            self._end("failed", self._start_failure(error, timed_out=deadline.cancelled_caught))
        else:
            self._crash_error = error
            self._end("stopped", self._crash_message())

    def _end(self, state: Literal["failed", "stopped", "closed"], failure: str) -> None:
        self.client = None
        self.state = state
        self.failure = self._scrub(failure)
        self._ready.set()
        self._ended.set()
        self._settled.set()

    async def _transport(self, stack: AsyncExitStack) -> Any:
        if self.config.url:
            http = await stack.enter_async_context(
                httpx2.AsyncClient(
                    headers=dict(self.config.headers),
                    # The SDK's defaults: a response stream may stay open for minutes.
                    timeout=httpx2.Timeout(30.0, read=300.0),
                    event_hooks={"response": [self._record_status]},
                )
            )
            return streamable_http_client(self.config.url, http_client=http)
        if not self.config.command:
            raise _StartError("no command or url is configured")
        self._process = StdioProcess(
            self.config.command,
            self.config.env,
            self.log_path,
            first_run=self.starts <= 1,
            on_dead=self._mark_dead,
            on_exit=lambda _code: self._settled.set(),
            stopping=lambda: self._stopping,
        )
        return self._process.streams()

    @property
    def exit_code(self) -> int | None:
        return self._process.exit_code if self._process is not None else None

    async def _record_status(self, response: httpx2.Response) -> None:
        if response.status_code >= 400 and response.request.method == "POST":
            self._http_status = f"HTTP {response.status_code} {response.reason_phrase}".strip()

    async def _list_tools(self, client: Client) -> list[ToolSpec]:
        if client.server_capabilities.tools is None:
            return []
        specs: list[ToolSpec] = []
        cursor: str | None = None
        for _ in range(LIST_PAGES):
            page = await client.list_tools(cursor=cursor)
            specs.extend(
                ToolSpec(
                    server=self.name,
                    name=tool.name,
                    description=tool.description or "",
                    parameters=dict(tool.input_schema),
                )
                for tool in page.tools
            )
            cursor = page.next_cursor
            if not cursor:
                break
        return specs

    # -- messages ----------------------------------------------------------------------------

    def last_stderr_line(self) -> str:
        """The last non-empty line the server wrote to stderr since it was started."""
        return self._process.last_stderr_line() if self._process is not None else ""

    def _scrub(self, text: str) -> str:
        """Our own messages never repeat a configured env or header value."""
        for secret in self._secrets:
            text = text.replace(secret, "•••")
        return text

    def _start_failure(self, error: BaseException | None, *, timed_out: bool) -> str:
        leaf = _leaf(error) if error is not None else None
        if isinstance(leaf, _StartError | LaunchError):
            return f"{self.name}: could not start: {leaf}"
        last = self.last_stderr_line()
        said = f": {last}" if last else ""
        garbage = self._process.garbage if self._process is not None else ""
        if garbage:
            said += f" (it wrote something that is not MCP to stdout: {garbage})"
        if timed_out:
            return f"{self.name}: did not start within {_seconds(START_TIMEOUT)}{said}"
        if self.exit_code is not None:
            return f"{self.name}: could not start ({_exit_phrase(self.exit_code)}){said}"
        if self.config.url:
            if self._http_status:
                return f"{self.name}: could not connect: the server answered {self._http_status}"
            if isinstance(leaf, httpx2.HTTPError):
                return f"{self.name}: could not connect: {_describe(leaf)}"
        elif isinstance(leaf, OSError):
            return f"{self.name}: could not start: {leaf.strerror or leaf}{said}"
        reason = _describe(leaf) if leaf is not None else "the connection closed"
        return f"{self.name}: the MCP handshake failed: {one_line(reason)}{said}"

    def _crash_message(self, *, during_call: bool = False) -> str:
        when = " during the call" if during_call else ""
        if self.config.url:
            text = f"The connection to the MCP server {self.name} closed{when}"
        else:
            code = f" ({_exit_phrase(self.exit_code)})" if self.exit_code is not None else ""
            text = f"The MCP server {self.name} stopped{when}{code}"
        last = self.last_stderr_line()
        if last:
            text += f"; the last line of its stderr: {last}"
        elif self._crash_error is not None:
            text += f": {one_line(_describe(self._crash_error)).rstrip('.')}"
        return text + "."

    # -- calls -------------------------------------------------------------------------------

    async def call(self, tool: str, arguments: dict[str, Any], timeout: float) -> ToolOutput:
        client, settled = self.client, self._settled  # this run's, should a restart follow
        if client is None:
            return ToolOutput(f"The MCP server {self.name} is not running.", is_error=True)
        timed_out = ToolOutput(
            f"The tool {tool} of the MCP server {self.name} did not answer within "
            f"{_seconds(timeout)}; the call was abandoned.",
            is_error=True,
        )
        try:
            with anyio.fail_after(timeout + CALL_GRACE):
                result = await client.call_tool(tool, arguments, read_timeout_seconds=timeout)
        except MCPError as exc:
            if exc.error.code == types.REQUEST_TIMEOUT:
                return timed_out
            if exc.error.code == types.CONNECTION_CLOSED or self._died:
                return await self._stopped_during_call(tool, settled)
            return self._error(
                f"The MCP server {self.name} could not run {tool}: {one_line(exc.error.message)} "
                f"(error {exc.error.code})."
            )
        except TimeoutError:
            return timed_out
        except Exception as exc:  # a broken answer (ValidationError), an HTTP failure, …
            if self._died:
                return await self._stopped_during_call(tool, settled)
            return self._error(
                f"The call to {tool} on the MCP server {self.name} failed: "
                f"{one_line(_describe(exc)).rstrip('.')}."
            )
        if result.is_error:
            text = output_text(result) or f"The tool {tool} failed without saying why."
            return ToolOutput(text, is_error=True)
        return ToolOutput(output_text(result))

    async def _stopped_during_call(self, tool: str, settled: asyncio.Event) -> ToolOutput:
        if self._stopping:
            return self._error(f"The MCP server {self.name} was stopped before {tool} answered.")
        self._mark_dead()  # the session is gone whatever the process does: stop the task
        with suppress(TimeoutError):
            await asyncio.wait_for(settled.wait(), CRASH_WAIT)
        return self._error(
            self._crash_message(during_call=True) + " It will be started again for the next call."
        )

    def _error(self, text: str) -> ToolOutput:
        return ToolOutput(self._scrub(text), is_error=True)


class ToolHost:
    """The configured MCP servers, each in its own task, and the one way to call their tools."""

    def __init__(
        self, servers: Sequence[McpServerConfig], log_dir: Path, call_timeout: float = 60.0
    ) -> None:
        self.call_timeout = call_timeout
        self._servers: dict[str, _Server] = {}
        self._duplicates: list[str] = []
        for config in servers:
            if config.name in self._servers:
                self._duplicates.append(config.name)
            else:
                self._servers[config.name] = _Server(config, log_dir)
        self._closed = False

    async def start(self) -> list[ServerFailure]:
        """Start every server not yet started, concurrently; return when each is up (its
        tools listed) or has failed. One server's failure does not touch the others."""
        fresh = [s for s in self._servers.values() if s.state == "new"]
        for server in fresh:
            server.launch()
        await asyncio.gather(*(server.wait_ready() for server in fresh))
        failures = [
            ServerFailure(name, f"{name}: configured more than once; the first one is used")
            for name in self._duplicates
        ]
        self._duplicates = []
        failures += [ServerFailure(s.name, s.failure) for s in fresh if not s.running]
        return failures

    @property
    def tools(self) -> list[ToolSpec]:
        """Every tool of every running server, in server then tool order (``function`` unset)."""
        return [spec for s in self._servers.values() if s.running for spec in s.specs]

    @property
    def running(self) -> list[str]:
        return [s.name for s in self._servers.values() if s.running]

    def config(self, server: str) -> McpServerConfig | None:
        entry = self._servers.get(server)
        return entry.config if entry is not None else None

    async def call(
        self,
        server: str,
        tool: str,
        arguments: dict[str, Any],
        timeout: float | None = None,
    ) -> ToolOutput:
        """Run one tool. Never raises for a server's problem (see the module's docstring);
        ``CancelledError`` propagates."""
        entry = self._servers.get(server)
        if entry is None:
            return ToolOutput(f"There is no MCP server named {server}.", is_error=True)
        if not self._closed and (entry.state in ("stopped", "starting") or entry.died):
            restarted = await entry.restart()
            if not entry.running and restarted:
                return ToolOutput(
                    f"The MCP server {server} had stopped and could not be started again: "
                    f"{entry.failure}",
                    is_error=True,
                )
        if not entry.running:
            reason = entry.failure or ("it stopped" if entry.died else "it was never started")
            return ToolOutput(f"The MCP server {server} is not running ({reason}).", is_error=True)
        if all(spec.name != tool for spec in entry.specs):
            return ToolOutput(f"The MCP server {server} has no tool named {tool}.", is_error=True)
        limit = timeout if timeout is not None else entry.config.timeout
        return await entry.call(tool, arguments, limit if limit is not None else self.call_timeout)

    async def close(self) -> None:
        """Stop every server (stdio processes are asked, then signalled); returns within
        CLOSE_TIMEOUT whatever the servers do."""
        self._closed = True
        servers = list(self._servers.values())
        for server in servers:
            server.stop()
        ended = await asyncio.gather(*(s.wait_ended(CLOSE_TIMEOUT) for s in servers))
        for server, done in zip(servers, ended, strict=True):
            if not done:
                server.cancel()

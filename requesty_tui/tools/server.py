"""One configured MCP server: its task, its session while it is up, and its calls.

The server lives in its own long-lived task: the SDK's context managers (anyio task groups and
cancel scopes) must be entered and left by one task, and a call may come from any task (a Textual
worker, a CLI's ``asyncio.run``); calls only go through the session that task keeps open. Where
the server is in its life is :class:`~requesty_tui.tools.server_state.ServerState`'s; this
module sets runs up and tears them down, and words what went wrong.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from contextlib import AsyncExitStack, suppress
from pathlib import Path
from typing import Any

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
from requesty_tui.tools.server_state import Phase, ServerState
from requesty_tui.tools.stdio import LaunchError, StdioProcess

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


class McpServer:
    """One configured server: its task, its session while it is up, and what went wrong."""

    def __init__(self, config: McpServerConfig, log_dir: Path, start_timeout: float) -> None:
        self.config = config
        self.name = config.name
        self.log_path = (
            log_dir / f"{_FILE_NAME.sub('_', config.name).lstrip('.') or 'server'}.stderr.log"
        )
        self.start_timeout = start_timeout
        """Seconds a start has (the host's ``START_TIMEOUT`` when it was made)."""
        self.state = ServerState()
        self.client: Client | None = None
        """The session, while the server is up (no new calls while it shuts down)."""
        self.specs: list[ToolSpec] = []
        self.restart_lock = asyncio.Lock()
        self._process: StdioProcess | None = None
        """The stdio server's latest run (None for a URL server, or before the first start)."""
        self._http_status = ""
        self._crash_error: BaseException | None = None
        self._start_scope: anyio.CancelScope | None = None
        self._task: asyncio.Task[None] | None = None
        # Whole values, and the token of a header such as "Bearer <token>"; short ones
        # ("1", "true") would only garble messages.
        values = [*config.env.values(), *config.headers.values()]
        tokens = [word for value in config.headers.values() for word in value.split()]
        secrets = {v for v in values if len(v) >= 4} | {t for t in tokens if len(t) >= 8}
        self._secrets = sorted(secrets, key=len, reverse=True)

    @property
    def running(self) -> bool:
        return self.state.running

    @property
    def failure(self) -> str:
        return self.state.failure

    # -- lifecycle ---------------------------------------------------------------------------

    def launch(self) -> None:
        self.state.launch()
        self.client, self.specs, self._process = None, [], None
        self._http_status = ""
        self._crash_error = None
        self._task = asyncio.create_task(self._run(), name=f"mcp server {self.name}")

    async def wait_ready(self) -> None:
        """Until the server is up or has failed (its task bounds the start by its timeout;
        the extra time is for its clean-up)."""
        try:
            await asyncio.wait_for(self.state.ready.wait(), self.start_timeout + CLOSE_TIMEOUT)
        except TimeoutError:
            self.state.give_up(f"{self.name}: did not start within {_seconds(self.start_timeout)}")
            self._end_start()

    async def restart(self) -> bool:
        """Start a server that stopped (a crash) again, or wait for a start under way;
        whether this call started it."""
        async with self.restart_lock:
            if self.state.lost:  # its task may still be stopping what is left of it
                await self.wait_ended(CRASH_WAIT)
            restarted = self.state.phase is Phase.CRASHED
            if restarted:
                self.launch()
            await self.wait_ready()
        return restarted

    def stop(self) -> None:
        self.state.stop()
        self._end_start()

    def _end_start(self) -> None:
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

    async def _run(self) -> None:
        started = False
        error: BaseException | None = None
        deadline = anyio.CancelScope(deadline=anyio.current_time() + self.start_timeout)
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
                    if self.state.listed():
                        self.client, self.specs = client, specs
                        await self.state.wake.wait()
                    self.client = None  # no new calls while it shuts down
        except Exception as exc:
            error = exc
        except BaseException:
            self._end(started, None, cancelled=True)
            raise
        self._end(started, error, timed_out=deadline.cancelled_caught)

    def _end(
        self,
        started: bool,
        error: BaseException | None,
        *,
        timed_out: bool = False,
        cancelled: bool = False,
    ) -> None:
        self.client = None
        if started:
            self._crash_error = error

        def say(phase: Phase) -> str:
            if phase is Phase.CLOSED:
                text = f"{self.name}: stopped"
            elif phase is Phase.FAILED:
                text = self._start_failure(error, timed_out=timed_out)
            else:
                text = self._crash_message()
            return self._scrub(text)

        self.state.end(started=started, cancelled=cancelled, say=say)

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
            first_run=self.state.starts <= 1,
            on_dead=self.state.lose,
            on_exit=lambda _code: self.state.exit_known(),
            stopping=lambda: self.state.stopping,
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
            return f"{self.name}: did not start within {_seconds(self.start_timeout)}{said}"
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
        client, settled = self.client, self.state.settled  # this run's, should a restart follow
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
            if exc.error.code == types.CONNECTION_CLOSED or self.state.gone:
                return await self._stopped_during_call(tool, settled)
            return self._error(
                f"The MCP server {self.name} could not run {tool}: {one_line(exc.error.message)} "
                f"(error {exc.error.code})."
            )
        except TimeoutError:
            return timed_out
        except Exception as exc:  # a broken answer (ValidationError), an HTTP failure, …
            if self.state.gone:
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
        if self.state.stopping:
            return self._error(f"The MCP server {self.name} was stopped before {tool} answered.")
        self.state.lose()  # the session is gone whatever the process does: stop the task
        with suppress(TimeoutError):
            await asyncio.wait_for(settled.wait(), CRASH_WAIT)
        return self._error(
            self._crash_message(during_call=True) + " It will be started again for the next call."
        )

    def _error(self, text: str) -> ToolOutput:
        return ToolOutput(self._scrub(text), is_error=True)

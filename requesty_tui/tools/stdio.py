"""A stdio MCP server's process and its pipes, as the two streams the SDK's session reads and
writes.

Ours rather than the SDK's ``stdio_client``: it gives the child exactly the environment we
chose (never a ``REQUESTY_*`` variable), sends its stderr to a log file instead of our
full-screen terminal, learns its exit code, and notices a crash from the process itself even
when a child of the server keeps stdout open. Everything above the byte pipes (JSON-RPC, the
handshake, cancellation, timeouts) is the SDK's; each line is parsed by the SDK's own adapter.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import anyio
import mcp.types as types
from anyio.abc import Process
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.client.stdio import get_default_environment
from mcp.shared.message import SessionMessage

from requesty_tui.core.safe_text import one_line

STOP_GRACE = 1.0
"""Seconds a stdio server has to exit after its stdin closes (the spec's first step) before its
process group gets SIGTERM; the SDK's own stdio server exits on EOF in well under 0.1 s."""

KILL_GRACE = 1.0
"""Seconds between SIGTERM and SIGKILL to the server's process group."""

EXIT_POLL = 0.1
"""How often a stdio server's process is checked: a crash is noticed within this even when a
child of the server keeps the stdout pipe open (so no end-of-file arrives)."""

EOF_GRACE = 0.5
"""After a server's process exits, how long its last output may take to arrive."""

MAX_LINE = 64 * 1024 * 1024
"""The largest message (one stdout line) taken from a stdio server; a server that sends more
without a newline is treated as broken rather than allowed to fill the memory."""

_POSIX = sys.platform != "win32"

Streams = tuple[
    MemoryObjectReceiveStream[SessionMessage | Exception],
    MemoryObjectSendStream[SessionMessage],
]


class LaunchError(Exception):
    """The command cannot be run (not found, not executable); the message says which."""


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The SDK's safe inherited variables, the configured ones over them, and never a
    ``REQUESTY_*`` variable (the API key stays ours whatever the SDK's defaults become)."""
    env = get_default_environment() | dict(extra)
    return {k: v for k, v in env.items() if not k.upper().startswith("REQUESTY_")}


class StdioProcess:
    """One run of a stdio server. ``on_dead`` is called when its pipes or its process end
    (the session is gone); ``stopping`` says whether we are the ones ending it."""

    def __init__(
        self,
        command: tuple[str, ...],
        env: Mapping[str, str],
        log_path: Path,
        *,
        first_run: bool,
        on_dead: Callable[[], None],
        on_exit: Callable[[int], None],
        stopping: Callable[[], bool],
    ) -> None:
        self.command = command
        self.env = child_environment(env)
        self.log_path = log_path
        self.first_run = first_run
        self.on_dead = on_dead
        self.on_exit = on_exit
        self.stopping = stopping
        self.exit_code: int | None = None
        self.garbage = ""
        """What the server wrote to stdout that is not MCP (the last such line), if any."""
        self.log_offset = 0

    def argv(self) -> list[str]:
        program, *args = self.command
        found = shutil.which(program, path=self.env.get("PATH"))
        if found is None:
            if os.sep in program or (os.altsep and os.altsep in program):
                if not os.path.exists(program):
                    raise LaunchError(f"the command was not found: {program}")
                raise LaunchError(f"the command is not executable: {program}")
            raise LaunchError(f"the command was not found on PATH: {program}")
        return [found, *args]

    def _open_log(self) -> int:
        self.log_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        if self.first_run:
            flags |= os.O_TRUNC  # one file per app run; restarts append
        fd = os.open(self.log_path, flags, 0o600)
        self.log_offset = os.fstat(fd).st_size
        return fd

    def _exited(self, code: int) -> None:
        if self.exit_code is None:
            self.exit_code = code
            self.on_exit(code)

    @asynccontextmanager
    async def streams(self) -> AsyncIterator[Streams]:
        """Start the process; yield the session's streams; stop it (bounded) on the way out."""
        argv = self.argv()
        fd = self._open_log()
        try:
            process = await anyio.open_process(
                argv, env=self.env, stderr=fd, start_new_session=_POSIX
            )
        finally:
            os.close(fd)  # the child has its own copy
        # No awaits until the task group is entered, or a cancellation could leak the process.
        read_send, read_recv = anyio.create_memory_object_stream[SessionMessage | Exception](0)
        write_send, write_recv = anyio.create_memory_object_stream[SessionMessage](0)
        reader_done = anyio.Event()

        async def reader() -> None:
            assert process.stdout is not None
            pending: list[bytes] = []
            size = 0
            try:
                async with read_send:
                    async for chunk in process.stdout:
                        while (end := chunk.find(b"\n")) >= 0:
                            pending.append(chunk[:end])
                            line, pending, size = b"".join(pending), [], 0
                            chunk = chunk[end + 1 :]
                            if line.strip():
                                await read_send.send(self._parse(line))
                        pending.append(chunk)
                        size += len(chunk)
                        if size > MAX_LINE:
                            self.garbage = f"a message larger than {MAX_LINE // 2**20} MiB"
                            return
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                pass
            finally:
                reader_done.set()
                self.on_dead()

        async def writer() -> None:
            assert process.stdin is not None
            try:
                async with write_recv:
                    async for message in write_recv:
                        data = message.message.model_dump_json(by_alias=True, exclude_unset=True)
                        await process.stdin.send(data.encode("utf-8") + b"\n")
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                # The pipe broke: end the session now rather than leave a request waiting.
                read_send.close()
                self.on_dead()

        async def watcher() -> None:
            while process.returncode is None:
                await anyio.sleep(EXIT_POLL)
            self._exited(process.returncode)
            with anyio.move_on_after(EOF_GRACE):
                await reader_done.wait()
            read_send.close()  # the session's pending requests get CONNECTION_CLOSED
            self.on_dead()

        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(reader)
                tg.start_soon(writer)
                tg.start_soon(watcher)
                try:
                    yield read_recv, write_send
                finally:
                    # Bounded, and shielded so that a cancelled caller cannot leak the process.
                    with anyio.CancelScope(shield=True):
                        await self._stop(process)
                    tg.cancel_scope.cancel()
        finally:
            for stream in (read_send, read_recv, write_send, write_recv):
                stream.close()

    def _parse(self, line: bytes) -> SessionMessage | Exception:
        try:
            return SessionMessage(types.jsonrpc_message_adapter.validate_json(line, by_name=False))
        except ValueError as exc:
            self.garbage = one_line(line.decode("utf-8", errors="replace"), 200)
            return exc

    async def _stop(self, process: Process) -> None:
        """Close stdin, wait, then signal the whole process group (any helpers the server
        started too), then make sure it is reaped; every step is bounded."""
        assert process.stdin is not None and process.stdout is not None
        with suppress(Exception):
            await process.stdin.aclose()
        await wait_exit(process, STOP_GRACE)
        if process.returncode is not None and not self.stopping():
            self._exited(process.returncode)
        if _POSIX:
            from mcp.os.posix.utilities import terminate_posix_process_tree

            await terminate_posix_process_tree(process, KILL_GRACE)
        elif process.returncode is None:
            with suppress(OSError):
                process.kill()
        await wait_exit(process, KILL_GRACE)
        with suppress(Exception):
            await process.stdout.aclose()
        with anyio.move_on_after(KILL_GRACE), suppress(Exception):
            await process.wait()

    def last_stderr_line(self) -> str:
        """The last non-empty line the server wrote to stderr in this run."""
        try:
            with self.log_path.open("rb") as file:
                size = file.seek(0, os.SEEK_END)
                file.seek(max(self.log_offset, size - 8192))
                tail = file.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        for line in reversed(tail.splitlines()):
            if line.strip():
                return one_line(line, 300)
        return ""


async def wait_exit(process: Process, timeout: float) -> bool:
    """Whether the process exited within ``timeout``, by polling: on asyncio ``wait()`` also
    waits for the pipes to close, which a surviving child of the server can hold open."""
    with anyio.move_on_after(timeout):
        while process.returncode is None:
            await anyio.sleep(0.01)
    return process.returncode is not None

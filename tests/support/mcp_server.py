"""A real MCP server for the tool host's tests, written with the SDK.

Run as a script: ``python tests/support/mcp_server.py [--name N] [--only a,b] [--fail-start MSG]
[--start-delay SECONDS] [--http [--require-header 'Name: value']]``. Over stdio by default;
with ``--http`` it serves streamable HTTP on 127.0.0.1 on a free port and prints its URL as the
first line of stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from mcp.server.mcpserver import Image, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

MARKUP = "[bold red]not markup[/] \x1b[31mred\x1b[0m \x1b]0;title\x07 done"
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def echo(text: str) -> str:
    """Return the text as given."""
    return text


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


async def slow(seconds: float) -> str:
    """Sleep, then say so."""
    say("slow: started")  # tests wait for these lines instead of sleeping
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        say("slow: cancelled")
        raise
    return "slept"


def crash() -> str:
    """Kill the server process at once."""
    say("crashing on purpose")
    os._exit(3)


def fail(message: str) -> str:
    """Raise an error with this message."""
    # ToolError: any other exception reaches the client as "Error executing tool fail" only.
    raise ToolError(message)


def markup() -> str:
    """Return text full of Rich markup and terminal escapes."""
    return MARKUP


def big(kb: int) -> str:
    """Return kb KiB of numbered text lines."""
    size = kb * 1024
    out: list[str] = []
    total = 0
    n = 0
    while total < size:
        n += 1
        line = f"line {n:04d}: " + "x" * 50 + "\n"
        out.append(line)
        total += len(line)
    return "".join(out)[:size]


def lines(n: int) -> str:
    """Return n numbered lines."""
    return "\n".join(f"line {i}" for i in range(1, n + 1))


def env_probe(name: str) -> str:
    """Say whether an environment variable is set in the server."""
    return "set" if name in os.environ else "unset"


def pid() -> int:
    """The server's process id."""
    return os.getpid()


def image() -> Image:
    """Return a 1x1 PNG."""
    return Image(data=PNG_1X1, format="png")


def write_file(path: str, content: str) -> str:
    """Write content to the file at path (as a filesystem server does)."""
    with open(path, "w", encoding="utf-8") as file:
        file.write(content)
    return f"wrote {len(content)} characters to {path}"


def described() -> str:
    """A [bold red]description[/] with \x1b[31mescapes\x1b[0m \x1b]0;title\x07 in it."""
    return "described"


_FUNCTIONS = (echo, add, slow, crash, fail, markup, big, lines, env_probe, pid, image, described)
TOOLS: dict[str, Callable[..., Any]] = {f.__name__: f for f in (*_FUNCTIONS, write_file)}


def build(name: str, only: list[str] | None) -> MCPServer:
    server: MCPServer = MCPServer(name)
    for tool_name, function in TOOLS.items():
        if only is None or tool_name in only:
            server.tool()(function)
    return server


def require_header(app: App, header: str) -> App:
    """Answer 401 to any HTTP request without ``header`` (``Name: value``)."""
    key, _, value = header.partition(":")
    wanted = (key.strip().lower().encode(), value.strip().encode())

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and wanted not in list(scope["headers"]):
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"text/plain")],
                }
            )
            await send({"type": "http.response.body", "body": b"unauthorized"})
            return
        await app(scope, receive, send)

    return guarded


async def serve_http(server: MCPServer, header: str | None) -> None:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app: App = server.streamable_http_app()
    if header:
        app = require_header(app, header)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    print(f"http://127.0.0.1:{port}/mcp", flush=True)
    await uvicorn.Server(config).serve(sockets=[sock])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="test")
    parser.add_argument("--only", default=None)
    parser.add_argument("--fail-start", default=None)
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--require-header", default=None)
    parser.add_argument("--start-delay", type=float, default=0.0)
    args = parser.parse_args()
    if args.start_delay:  # a slow server (an npx one's first run): it answers nothing meanwhile
        import time

        time.sleep(args.start_delay)
    if args.fail_start is not None:
        say(args.fail_start)
        sys.exit(1)
    only = [t.strip() for t in args.only.split(",")] if args.only else None
    server = build(args.name, only)
    if args.http:
        asyncio.run(serve_http(server, args.require_header))
    else:
        server.run()


if __name__ == "__main__":
    main()

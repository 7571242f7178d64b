"""``requesty-tui serve``: the app in a browser, behind a secret.

textual-serve (imported by this command only) runs one app process per browser tab behind a
websocket. Served as it is, anyone who reaches the port, or any page the user visits (through
the websocket), would get an app with the user's key, conversations and MCP tools; so the
server is bound to 127.0.0.1 unless told otherwise with a flag that says what that means, and
``web_guard`` lets nothing through without the secret. The key stays in the app processes:
they read it from the environment or config.toml as in a terminal.
"""

from __future__ import annotations

import argparse
import errno
import getpass
import html
import os
import secrets
import shlex
import socket
import stat
import sys
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING

from requesty_tui.cli.common import EXIT_USAGE

if TYPE_CHECKING:
    from requesty_tui.cli.web_guard import Guard

EXIT_CONFIG = 3
MIN_TOKEN = 16
"""Characters: a --token-file shorter than this is refused (a made one has 43)."""


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = sub.add_parser(
        "serve", help="serve the app to a browser (http://127.0.0.1:8000, behind a secret URL)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port (0: any free one)")
    serve.add_argument("--open", action="store_true", help="open the URL in a browser")
    serve.add_argument(
        "--token-file", metavar="PATH", help="keep the URL's token in this file (mode 0600)"
    )
    serve.add_argument(
        "--password", action="store_true", help="ask for a password on a login page instead"
    )
    serve.add_argument(
        "--public-url", metavar="URL", help="the address browsers use, if not host:port"
    )
    serve.add_argument(
        "--i-understand-remote",
        action="store_true",
        help="allow a --host other than the loopback (read the warning it prints)",
    )


def serve(args: argparse.Namespace, model: str | None, base_url: str | None) -> int:
    """Check, bind, print the URL, serve until Ctrl+C; 2 for a refused use, 3 for a port
    in use or an unusable token file."""
    from requesty_tui.cli.web_guard import LOOPBACK_NAMES, Guard, hash_password

    host: str = args.host
    loopback = host in LOOPBACK_NAMES or host.startswith("127.")
    if not loopback and not args.i_understand_remote:
        _say(
            f"--host {host} lets other machines reach the app; add --i-understand-remote "
            "if that is what you want (an SSH tunnel is safer: see the README's Web section)."
        )
        return EXIT_USAGE
    try:
        sock = _bind(host, args.port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            _say(f"port {args.port} on {host} is in use; pick another with --port.")
        else:
            _say(f"cannot listen on {host}:{args.port}: {exc.strerror or exc}.")
        return EXIT_CONFIG
    port = sock.getsockname()[1]
    guard = Guard(host=host, port=port, public_url=(args.public_url or "").rstrip("/") or None)
    try:
        if args.password:
            guard.password = hash_password(_ask_password())
        else:
            guard.token = _token(args.token_file)
    except (OSError, ValueError) as exc:
        sock.close()
        _say(str(exc))
        return EXIT_CONFIG
    if not loopback:
        _warn_remote(host, port)
    base = guard.public_url or f"http://{_url_host(host)}:{port}"
    url = f"{base}/login" if args.password else f"{base}/?token={guard.token}"
    return _run(sock, guard, _app_command(model, base_url), url, args.open)


def _run(sock: socket.socket, guard: Guard, command: str, url: str, open_it: bool) -> int:
    from aiohttp import web

    from requesty_tui.cli.web_server import GuardedServer

    def ready() -> None:
        where = f"{_url_host(guard.host)}:{guard.port}"
        print(f"requesty-tui serve: listening on {where} (Ctrl+C stops every session)")
        print(f"Open {url}", flush=True)
        if open_it:
            webbrowser.open(_forwarding_file(url, guard.port).as_uri())

    server = GuardedServer(command, guard, title="requesty-tui", on_ready=ready)
    web.run_app(server._make_app(), sock=sock, print=None, access_log=None)
    return 0


def _forwarding_file(url: str, port: int) -> Path:
    """A page (0600) that forwards to ``url``: the browser is given this file, not the URL,
    since a command line can be read by every user of the machine (ps), and the token is
    what keeps them out of 127.0.0.1."""
    from requesty_tui.storage.atomic import write_atomic
    from requesty_tui.storage.paths import data_dir, ensure_private_dir

    file = ensure_private_dir(data_dir() / "serve") / f"open-{port}.html"
    target = html.escape(url, quote=True)
    write_atomic(
        file,
        f'<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={target}">'
        f'<meta name="referrer" content="no-referrer"><a href="{target}">requesty-tui</a>\n',
    )
    return file


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, made here so that a port in use is one line, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _token(path: str | None) -> str:
    """A new random token, or the one kept in ``path`` (made there if missing)."""
    if path is None:
        return secrets.token_urlsafe(32)
    file = Path(path).expanduser()
    if not file.exists():
        token = secrets.token_urlsafe(32)
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(token + "\n")
        return token
    mode = stat.S_IMODE(file.stat().st_mode)
    if mode & 0o077:
        raise ValueError(f"--token-file {file} can be read by others; chmod 600 {file}")
    token = file.read_text(encoding="utf-8").strip()
    if len(token) < MIN_TOKEN:
        raise ValueError(f"--token-file {file}: the token is shorter than {MIN_TOKEN} characters")
    return token


def _ask_password() -> str:
    """Asked at the terminal (twice); a pipe gives it on one line. Never printed."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password for the browser: ")
        if getpass.getpass("Again: ") != password:
            raise ValueError("the two passwords differ")
    if len(password) < 8:
        raise ValueError("the password must have at least 8 characters")
    return password


def _warn_remote(host: str, port: int) -> None:
    _say(
        f"warning: listening on {host}:{port}, reachable from other machines. Anyone who "
        "gets the URL (or the password) runs this app as you: spends your Requesty key, "
        "reads and deletes your conversations, runs your MCP tools. The traffic is plain "
        "HTTP: anyone on the network path can read it, the secret included. Prefer an SSH "
        "tunnel or a private network (Tailscale); see the README's Web section."
    )


def _app_command(model: str | None, base_url: str | None) -> str:
    """The app, as each tab's process runs it (exec: the process textual-serve started is
    the app itself, so ending it ends the app)."""
    words = [sys.executable, "-m", "requesty_tui"]
    if model:
        words += ["--model", model]
    if base_url:
        words += ["--base-url", base_url]
    return "exec " + " ".join(shlex.quote(word) for word in words)


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return socket.gethostname()
    return f"[{host}]" if ":" in host else host


def _say(text: str) -> None:
    print(f"requesty-tui: {text}", file=sys.stderr)

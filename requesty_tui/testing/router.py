"""A local stand-in for the Requesty router: a real HTTP server on 127.0.0.1.

``python -m requesty_tui.testing.router --text-file F`` serves F as every reply (benchmarks run
it in a process of their own).

It speaks the protocol of ``requesty-api.md`` (``GET /v1/models``, streaming
``POST /v1/chat/completions``) and misbehaves on request: each test queues :class:`Reply`
scripts (delay, stall, cut mid-stream, error chunk, malformed lines, any status). With an
empty queue it echoes the last user message. Every request is recorded for assertions.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from requesty_tui.testing.replies import DEFAULT_MODELS, Reply, frames
from requesty_tui.testing.router_account import AccountRouter

__all__ = ["DEFAULT_MODELS", "Reply", "RouterServer"]


class RouterServer:
    """Owns the server thread; ``base_url`` points a client at it."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.model_replies: dict[str, deque[Reply]] = {}
        """Replies for one model (concurrent requests to several models arrive in any order)."""
        self.requests: list[dict[str, Any]] = []
        self.models: list[dict[str, Any]] = list(DEFAULT_MODELS)
        self.models_status = 200
        self.models_delay = 0.0
        self.spend: dict[str, Any] = {
            "name": "test key",
            "monthly_spend": "12.5",  # decimals may arrive as strings
            "monthly_limit": "50",
            "permissions": ["completions"],
        }
        self.spend_status = 200
        self.account = AccountRouter()
        """The key check, usage, the organisation and feedback (``router_account.py``)."""
        self.disconnects = 0
        self.stop_event = threading.Event()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"router": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> RouterServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def queue_for(self, model: str, *replies: Reply) -> None:
        """Replies to requests for ``model`` only, before the shared queue."""
        with self._lock:
            self.model_replies.setdefault(model, deque()).extend(replies)

    def next_reply(self, model: str = "") -> Reply:
        with self._lock:
            own = self.model_replies.get(model)
            if own:
                return own.popleft()
            return self.replies.popleft() if self.replies else Reply()

    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]


class _Handler(BaseHTTPRequestHandler):
    router: RouterServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    """Every chunk leaves at once, as from a real streaming server: with Nagle's algorithm a
    chunk waited for the ACK of the previous one (up to 40 ms of delayed ACK), so a 60-chunk
    reply took 80 ms at zero delay and the benchmarks' latencies jittered with it."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _record(self, body: Any) -> None:
        self.router.requests.append(
            {
                "path": self.path,
                "method": self.command,
                "headers": dict(self.headers),
                "body": body,
                "time": time.monotonic(),
            }
        )

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._record(None)
        if self.router.account.answer_get(self):
            return
        if self.path.rstrip("/").endswith("/models"):
            if self.router.models_delay:
                time.sleep(self.router.models_delay)
            if self.router.models_status != 200:
                self._send_json(
                    self.router.models_status,
                    {"error": {"origin": "router", "message": "models unavailable"}},
                )
                return
            self._send_json(200, {"object": "list", "data": self.router.models})
            return
        if self.path.rstrip("/").endswith("/v1/manage/apikey/self"):
            if self.router.spend_status != 200:
                self._send_json(
                    self.router.spend_status,
                    {"error": {"origin": "router", "message": "Insufficient permissions"}},
                )
                return
            self._send_json(200, self.router.spend)
            return
        self._send_json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        self._record(body)
        if self.router.account.answer_post(self, body):
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        model = str(body.get("model") or "") if isinstance(body, dict) else ""
        reply = self.router.next_reply(model)
        if reply.first_delay:
            self._sleep(reply.first_delay)
        if reply.status != 200:
            self._send_json(
                reply.status,
                {"error": {"origin": "router", "message": reply.error_message}},
                reply.headers,
            )
            return
        try:
            self._stream(reply, body if isinstance(body, dict) else {})
        except (BrokenPipeError, ConnectionResetError):
            self.router.disconnects += 1
        self.close_connection = True

    def _sleep(self, seconds: float) -> None:
        self.router.stop_event.wait(seconds)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self._drip = reply.drip
        if reply.raw_body is not None:
            self._flush([reply.raw_body])
            self.wfile.write(b"0\r\n\r\n")
            return
        script = frames(reply, body)
        self._chunk(script.keep_alive)
        if reply.hold is not None:
            reply.hold.wait(30)
        batch: list[bytes] = []
        for n, frame in enumerate(script.body):
            if n == reply.stall_after:
                self._flush(batch)
                self._sleep(3600)
                return
            if n == reply.cut_after:
                self._flush(batch)
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if n == reply.error_chunk_after:
                batch.append(script.error)
                self._flush(batch)
                self.wfile.write(b"0\r\n\r\n")
                return
            if reply.malformed_every and n % reply.malformed_every == 0:
                batch.append(script.malformed)
            if n == reply.malformed_at:
                frame = frame.replace(b'{"id"', b'{"id', 1)  # the JSON breaks, the text is in it
            batch.append(frame)
            if reply.delay:
                self._flush(batch)
                self._sleep(reply.delay)
            elif len(batch) >= 64:
                self._flush(batch)
        batch.extend(script.end)
        self._flush(batch)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    _drip = 0.0

    def _flush(self, batch: list[bytes]) -> None:
        if batch and self._drip:
            for byte in b"".join(batch):
                if self.router.stop_event.is_set():
                    return
                self._chunk(bytes([byte]))
                self._sleep(self._drip)
            batch.clear()
        elif batch:
            self._chunk(b"".join(batch))
            batch.clear()


def main() -> None:
    """``python -m requesty_tui.testing.router --text-file F --chunk-chars N``: serve F forever.

    Benchmarks run the router in its own process, so that its CPU time is not counted as the
    app's.
    """
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--text-file", required=True)
    parser.add_argument("--chunk-chars", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    with open(args.text_file, encoding="utf-8") as handle:
        text = handle.read()
    server = RouterServer()
    server.next_reply = lambda model="": Reply(  # type: ignore[method-assign]
        text=text, chunk_chars=args.chunk_chars, delay=args.delay
    )
    server.start()
    print(server.base_url, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.stop_event.wait()


if __name__ == "__main__":
    main()

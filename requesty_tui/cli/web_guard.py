"""Who may reach the served app: the secret (a token in the URL, or a password), a cookie, the
Host and the Origin.

An app served to a browser runs as the user, with the user's key, conversations and MCP tools,
so nothing is answered without the secret: a request without the cookie or the token gets a
bare 403 (no page, no static file, no websocket). The cookie is HttpOnly and SameSite=Strict
and named after the port (cookies are not kept apart by port). The websocket also needs an
Origin of the served page: a page on any other site (or port) that the user visits could
otherwise open it with the user's cookie (cross-site websocket hijacking). On a loopback bind
the Host header must name the loopback too, which stops DNS rebinding at the door.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp import web

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
FAILED_LOGIN_DELAY = 1.0
"""Seconds a wrong password waits for its answer: a guesser gets one try a second."""
SECURITY_HEADERS = {
    # Everything comes from this server: textual.js, its CSS, the bundled font (the stock
    # page asked a font CDN, which told it every visit). Inline: the page's small script,
    # style and onclick. Nothing may frame the page (a click could be stolen).
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def hash_password(password: str, salt: bytes | None = None) -> tuple[bytes, bytes]:
    """(salt, scrypt hash): the password itself is not kept."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return salt, digest


def same_secret(given: str, expected: str) -> bool:
    """Constant-time: how long the answer takes says nothing of how much of it was right."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _hostname(host_header: str) -> str:
    """'127.0.0.1:8000' → '127.0.0.1', '[::1]:8000' → '::1'."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


@dataclass
class Guard:
    """The checks for one server: bound to ``host``:``port``, reached at ``public_url``."""

    host: str
    port: int
    token: str | None = None
    password: tuple[bytes, bytes] | None = None
    """(salt, hash) when a login page asks for a password instead of a token."""
    public_url: str | None = None
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """The cookie's value: the same for every browser that showed the secret."""
    _login_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def cookie_name(self) -> str:
        return f"requesty-tui-{self.port}"

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_NAMES or self.host.startswith("127.")

    def origins(self) -> set[str]:
        port = self.port
        if self.loopback:
            names = ["127.0.0.1", "localhost", "[::1]"]
        else:
            names = [f"[{self.host}]" if ":" in self.host else self.host]
        found = {f"http://{name}:{port}" for name in names}
        if self.public_url:
            found.add(origin_of(self.public_url))
        return found

    def host_allowed(self, request: web.Request) -> bool:
        """On a loopback bind only loopback names (and --public-url's) may be asked for."""
        if not self.loopback:
            return True
        name = _hostname(request.host)
        public = urlsplit(self.public_url).hostname if self.public_url else None
        return name in LOOPBACK_NAMES or name.startswith("127.") or name == public

    def origin_allowed(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin", "").lower()
        if not origin:
            return False  # every browser sends one on a websocket
        if origin in self.origins():
            return True
        # Bound to every interface: the page's own origin is the address it was reached by.
        return self.host in WILDCARD_HOSTS and origin == f"{request.scheme}://{request.host}"

    def authenticated(self, request: web.Request) -> bool:
        cookie = request.cookies.get(self.cookie_name)
        if cookie is not None and same_secret(cookie, self.session):
            return True
        token = request.query.get("token")
        return token is not None and self.token is not None and same_secret(token, self.token)

    def set_cookie(self, response: web.StreamResponse) -> None:
        secure = bool(self.public_url and self.public_url.startswith("https:"))
        response.set_cookie(
            self.cookie_name,
            self.session,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=secure,
        )

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.host_allowed(request):
            return forbidden()
        if request.path == "/login" and self.password is not None:
            return secured(await self.login(request))
        if not self.authenticated(request):
            if self.password is not None and request.path == "/":
                return secured(see_other("/login"))
            return forbidden()
        if request.path == "/ws":
            if not self.origin_allowed(request):
                return forbidden()
            return await handler(request)
        if "token" in request.query:
            # The secret leaves the address bar (and the history's next entry): the cookie
            # carries it from here on.
            query = {k: v for k, v in request.query.items() if k != "token"}
            url = request.rel_url.with_query(query) if query else request.rel_url.with_query(None)
            response = see_other(str(url))
            self.set_cookie(response)
            return secured(response)
        return secured(await handler(request))

    async def login(self, request: web.Request) -> web.StreamResponse:
        """The password page: GET shows it, POST checks (from this origin only)."""
        if request.method == "POST":
            form = await request.post()
            given = str(form.get("password", ""))
            assert self.password is not None
            salt, expected = self.password
            same_origin = request.headers.get("Origin", "").lower() in self.origins() | {
                f"{request.scheme}://{request.host}".lower()
            }
            async with self._login_lock:  # one guess at a time, however many connections
                digest = (await asyncio.to_thread(hash_password, given, salt))[1]
                if same_origin and hmac.compare_digest(digest, expected):
                    response = see_other("/")
                    self.set_cookie(response)
                    return response
                await asyncio.sleep(FAILED_LOGIN_DELAY)
            return login_page("Wrong password.", status=403)
        return login_page()


def forbidden() -> web.Response:
    """403 and nothing else: no page, no hint of what is served."""
    return web.Response(status=403, text="403: Forbidden", headers={"Cache-Control": "no-store"})


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def secured(response: web.StreamResponse) -> web.StreamResponse:
    if not response.prepared:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def login_page(problem: str = "", status: int = 200) -> web.Response:
    note = f'<p class="problem">{html.escape(problem)}</p>' if problem else ""
    body = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>requesty-tui</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{background:#0c181f;color:#eee;font-family:sans-serif;display:flex;
justify-content:center;margin-top:20vh}} .problem{{color:#f77}}</style></head>
<body><form method="post" action="/login"><h1>requesty-tui</h1>{note}
<p><label>Password <input type="password" name="password" autofocus
autocomplete="current-password"></label></p><p><button type="submit">Open</button></p>
</form></body></html>"""
    return web.Response(status=status, text=body, content_type="text/html")

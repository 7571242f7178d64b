"""``serve``'s door: nothing without the secret, no websocket from another origin, no remote
bind by accident, and the key never sent to the browser."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import textual_serve

from requesty_tui.testing.router import RouterServer
from tests.support.served import FAKE_KEY, ROOT, Served, Tab, serve_env, start_serve

STATIC = Path(textual_serve.__file__).parent / "static"


@pytest.fixture
def served(router: RouterServer) -> Iterator[Served]:
    server = start_serve(router)
    yield server
    server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # The cookie jar is ours to hand over: a test says which cookie a request carries.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


async def cookie_of(served: Served, http: aiohttp.ClientSession) -> dict[str, str]:
    async with http.get(served.url, allow_redirects=False) as response:
        morsel = next(iter(response.cookies.values()))
        return {morsel.key: morsel.value}


async def status_of_websocket(served: Served, **kwargs: object) -> int:
    try:
        tab = await Tab(served).open(**kwargs)  # type: ignore[arg-type]
    except aiohttp.WSServerHandshakeError as exc:
        return exc.status
    await tab.close()
    return 101


async def test_without_the_secret_nothing_is_served(
    served: Served, http: aiohttp.ClientSession
) -> None:
    for path in ("/", "/?token=wrong", "/static/js/textual.js", "/static/", "/ws", "/login"):
        async with http.get(served.origin + path, allow_redirects=False) as response:
            assert response.status == 403, path
            assert await response.text() == "403: Forbidden", "nothing else"
            assert "Set-Cookie" not in response.headers
    assert await status_of_websocket(served, token="wrong") == 403
    assert await status_of_websocket(served, token="") == 403


async def test_the_token_sets_a_strict_cookie_and_leaves_the_address(
    served: Served, http: aiohttp.ClientSession
) -> None:
    async with http.get(served.url, allow_redirects=False) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/"
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    cookies = await cookie_of(served, http)
    async with http.get(served.origin + "/", cookies=cookies) as response:
        assert response.status == 200
        page = await response.text()
        assert "/static/js/textual.js" in page
        assert "googleapis" not in page, "nothing is fetched from elsewhere"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    async with http.get(served.origin + "/static/js/textual.js", cookies=cookies) as response:
        assert response.status == 200
    async with http.get(served.origin + "/static/", cookies=cookies) as response:
        assert response.status in (403, 404), "no listing of the folder"


async def test_a_websocket_from_another_origin_is_refused(served: Served) -> None:
    port = served.origin.rsplit(":", 1)[1]
    for origin in ("http://evil.example", f"http://evil.example:{port}", "http://127.0.0.1:1"):
        assert await status_of_websocket(served, origin=origin) == 403, origin
    assert await status_of_websocket(served, origin=served.origin) == 101
    localhost = served.origin.replace("127.0.0.1", "localhost")
    assert await status_of_websocket(served, origin=localhost) == 101


async def test_another_host_name_is_refused_even_with_the_cookie(
    served: Served, http: aiohttp.ClientSession
) -> None:
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1."""
    cookies = await cookie_of(served, http)
    port = served.origin.rsplit(":", 1)[1]
    headers = {"Host": f"evil.example:{port}"}
    async with http.get(served.origin + "/", cookies=cookies, headers=headers) as response:
        assert response.status == 403


async def test_the_key_never_reaches_the_browser(
    served: Served, http: aiohttp.ClientSession
) -> None:
    async with http.get(served.url, allow_redirects=False) as response:
        seen = [str(response.headers), await response.text()]
    cookies = await cookie_of(served, http)
    assert FAKE_KEY not in str(cookies)
    files = [p for p in STATIC.rglob("*") if p.is_file()]
    assert files
    for url in ["/", *(f"/static/{p.relative_to(STATIC)}" for p in files)]:
        async with http.get(served.origin + url, cookies=cookies) as response:
            assert response.status == 200, url
            seen += [str(response.headers), (await response.read()).decode("latin-1")]
    async with Tab(served) as tab:
        await tab.wait_for("Quit")
        await tab.type("what is my key?\r")
        await tab.wait_for("what is my key?", timeout=30)
        seen += [tab.screen.received.decode("latin-1"), *tab.texts]
    assert all(FAKE_KEY not in text for text in seen)
    assert all(FAKE_KEY[:12] not in text for text in seen), "not even its start"


def run_serve(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "requesty_tui", "serve", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=serve_env(None),
        cwd=ROOT,
        timeout=60,
    )


def test_a_remote_host_without_the_flag_is_refused_at_start() -> None:
    result = run_serve("--host", "0.0.0.0", "--port", "0")
    assert result.returncode == 2
    assert "--i-understand-remote" in result.stderr and "SSH tunnel" in result.stderr
    assert "http" not in result.stdout, "nothing served, no URL"


def test_a_remote_host_with_the_flag_says_what_a_stranger_could_do() -> None:
    served = start_serve(None, "--host", "0.0.0.0", "--i-understand-remote")
    served.stop()
    said = "".join(served.output)
    assert "warning" in said and "Requesty key" in said and "MCP tools" in said
    assert "SSH" in said and "Tailscale" in said


def test_a_port_in_use_is_one_line_and_exit_3() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_serve("--port", str(port))
    assert result.returncode == 3
    assert result.stderr.strip() == (
        f"requesty-tui: port {port} on 127.0.0.1 is in use; pick another with --port."
    )


def test_the_token_file_must_be_private(tmp_path: Path) -> None:
    kept = tmp_path / "token"
    served = start_serve(None, "--token-file", str(kept))
    served.stop()
    assert os.stat(kept).st_mode & 0o777 == 0o600, "made private"
    assert served.token == kept.read_text().strip()
    again = start_serve(None, "--token-file", str(kept))
    again.stop()
    assert again.token == served.token, "the same URL after a restart"
    kept.chmod(0o644)
    result = run_serve("--port", "0", "--token-file", str(kept))
    assert result.returncode == 3 and f"chmod 600 {kept}" in result.stderr


async def test_a_password_opens_a_login_page_instead(http: aiohttp.ClientSession) -> None:
    served = start_serve(None, "--password", stdin="correct horse battery\n")
    try:
        assert served.url.endswith("/login") and not served.token
        assert "correct horse" not in "".join(served.output), "never printed"
        async with http.get(served.origin + "/", allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"] == "/login"
        async with http.get(served.origin + "/static/js/textual.js") as response:
            assert response.status == 403
        good = {"password": "correct horse battery"}
        origin = {"Origin": served.origin}
        async with http.post(served.url, data={"password": "wrong"}, headers=origin) as response:
            assert response.status == 403 and "Set-Cookie" not in response.headers
        elsewhere = {"Origin": "http://evil.example"}
        async with http.post(served.url, data=good, headers=elsewhere) as response:
            assert response.status == 403, "a login posted from another site"
        async with http.post(
            served.url, data=good, headers=origin, allow_redirects=False
        ) as response:
            assert response.status == 303
            morsel = next(iter(response.cookies.values()))
            assert morsel["httponly"] and morsel["samesite"] == "Strict"
            cookies = {morsel.key: morsel.value}
        async with http.get(served.origin + "/", cookies=cookies) as response:
            assert response.status == 200 and "textual.js" in await response.text()
    finally:
        await asyncio.to_thread(served.stop)


async def test_a_public_url_is_the_one_more_origin_allowed(
    router: RouterServer, http: aiohttp.ClientSession
) -> None:
    """Behind a proxy (https://chat.example.com → 127.0.0.1): its name and origin are let in,
    its cookie is Secure; other names and origins still are not."""
    served = start_serve(router, "--public-url", "https://chat.example.com/")
    try:
        assert served.url.startswith("https://chat.example.com/?token=")
        [local] = re.findall(r"listening on (127\.0\.0\.1:\d+)", "".join(served.output))
        proxied = {"Host": "chat.example.com"}
        async with http.get(
            f"http://{local}/?token={served.token}", headers=proxied, allow_redirects=False
        ) as response:
            assert response.status == 303 and "Secure" in response.headers["Set-Cookie"]
        async with http.get(f"http://{local}/", headers={"Host": "evil.example"}) as response:
            assert response.status == 403
        served.origin = f"http://{local}"  # where the proxy sends the websocket
        assert await status_of_websocket(served, origin="https://chat.example.com") == 101
        assert await status_of_websocket(served, origin="https://evil.example") == 403
    finally:
        await asyncio.to_thread(served.stop)

"""``serve``'s app processes: one per tab, sessions shared through the disk, a closed tab's
app ends and keeps what it received (promise 2), Ctrl+C ends them all."""

from __future__ import annotations

import asyncio
import html
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from tests.support.served import Served, Tab, start_serve, wait_until_gone

WORDS = " ".join(f"w{i:04d}" for i in range(2000))


@pytest.fixture
def served(router: RouterServer) -> Iterator[Served]:
    server = start_serve(router)
    yield server
    server.stop()


async def test_a_tab_closed_mid_reply_ends_its_app_and_the_reply_is_saved_marked(
    router: RouterServer, served: Served
) -> None:
    router.queue(Reply(text=WORDS, chunk_chars=6, delay=0.01))
    tab = await Tab(served).open()
    await tab.wait_for("Quit")
    [pid] = served.app_pids()
    await tab.type("save me")
    await tab.wait_for("save me")
    await tab.type("\r")
    await tab.wait_for("w0040")  # streaming
    await tab.close()
    await asyncio.to_thread(wait_until_gone, pid)
    [summary] = SessionStore().summaries()
    conversation = SessionStore().load(summary.id)
    assert conversation.messages[0].content == "save me"
    reply = conversation.messages[1]
    assert reply.finish_reason == "cancelled", "marked as stopped, as when the terminal closes"
    assert WORDS.startswith(reply.content) and "w0040" in reply.content


async def test_each_tab_has_its_own_app_and_sees_the_others_sessions(
    router: RouterServer, served: Served
) -> None:
    router.queue(Reply(text="A reply for the first tab."))
    async with Tab(served) as first, Tab(served) as second:
        await first.wait_for("Quit")
        await second.wait_for("Quit")
        assert len(set(served.app_pids())) == 2, "one app process per tab"
        await first.type("hello from tab one")
        await first.wait_for("hello from tab one")
        await first.type("\r")
        await first.wait_for("A reply for the first tab.")
        assert "A reply for the first tab." not in second.screen.text()
        await second.type("\x0f")  # ctrl+o: the sessions browser
        await second.wait_for("hello from tab one")


@pytest.mark.parametrize("to", ["serve", "the terminal's process group"])
async def test_ctrl_c_ends_every_app_process_and_keeps_their_replies(
    router: RouterServer, to: str
) -> None:
    """In a terminal Ctrl+C reaches serve and every app it started (one process group);
    sent to serve alone, serve ends them. Either way a reply streaming then is kept, marked."""
    router.queue(Reply(text=WORDS, chunk_chars=6, delay=0.01))
    served = start_serve(router)
    try:
        async with Tab(served) as first, Tab(served) as second:
            await first.wait_for("Quit")
            await second.wait_for("Quit")
            pids = served.app_pids()
            assert len(pids) == 2
            await first.type("save me")
            await first.wait_for("save me")
            await first.type("\r")
            await first.wait_for("w0040")
            if to == "serve":
                code = await asyncio.to_thread(served.stop)
            else:
                os.killpg(served.process.pid, signal.SIGINT)
                code = await asyncio.to_thread(served.process.wait, 30)
    finally:
        if served.process.poll() is None:
            served.stop()
    assert code == 0
    for pid in pids:
        wait_until_gone(pid, timeout=1)
    [summary] = SessionStore().summaries()
    reply = SessionStore().load(summary.id).messages[1]
    assert reply.finish_reason == "cancelled" and "w0040" in reply.content


async def test_a_tab_closed_before_the_first_word_keeps_the_prompt_in_the_file(
    router: RouterServer, served: Served
) -> None:
    """As when the terminal closes: the prompt stays in the conversation (to resend), not
    only in a draft."""
    held = threading.Event()
    router.queue(Reply(text="never seen", hold=held))
    tab = await Tab(served).open()
    await tab.wait_for("Quit")
    [pid] = served.app_pids()
    await tab.type("keep my question")
    await tab.wait_for("keep my question")
    await tab.type("\r")
    await asyncio.to_thread(wait_for_request, router)
    await tab.close()
    await asyncio.to_thread(wait_until_gone, pid)
    held.set()
    [summary] = SessionStore().summaries()
    conversation = SessionStore().load(summary.id)
    assert [m.content for m in conversation.messages] == ["keep my question"]


def wait_for_request(router: RouterServer, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not router.chat_requests():
        assert time.monotonic() < deadline, "the app sent nothing"
        time.sleep(0.05)


async def test_open_opens_the_url_with_its_token(router: RouterServer, tmp_path: Path) -> None:
    """``--open`` hands the user's browser ($BROWSER here: a script that writes down what it
    was given) a private file that forwards to the printed URL: a command line is visible to
    every user of the machine, the token must not be on it."""
    opened = tmp_path / "opened"
    browser = f"sh -c 'echo %s > {opened}'"
    served = start_serve(router, "--open", env={"BROWSER": browser})
    try:
        deadline = time.monotonic() + 30
        while not opened.exists() or not opened.read_text().strip():
            assert time.monotonic() < deadline, "no browser was opened"
            await asyncio.sleep(0.05)
        given = opened.read_text().strip()
        assert served.token not in given
        forward = Path(given.removeprefix("file://"))
        assert forward.stat().st_mode & 0o777 == 0o600
        assert f'url={html.escape(served.url)}"' in forward.read_text()
        jar = aiohttp.CookieJar(unsafe=True)  # keeps cookies of an IP address, as browsers do
        async with aiohttp.ClientSession(cookie_jar=jar) as http, http.get(served.url) as response:
            assert response.status == 200 and "textual.js" in await response.text()
    finally:
        await asyncio.to_thread(served.stop)

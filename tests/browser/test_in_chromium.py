"""The served app in a real browser: chromium opens the printed URL, the app's first screen
comes up, a message typed into xterm.js gets its streamed reply, ctrl+y copies it to the
browser's clipboard. The screen is read from the websocket's frames (xterm.js draws on a
canvas): a script added before the page's own wraps ``WebSocket`` and keeps what arrives."""

from __future__ import annotations

import base64
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from requesty_tui.testing.router import Reply, RouterServer
from tests.support.screen import Screen
from tests.support.served import FAKE_KEY, Served, start_serve
from tests.ui.test_clipboard import xvfb

__all__ = ["xvfb"]  # a fixture: the server's X clipboard, which a served copy must not use

KEEP_FRAMES = """
(() => {
  const Native = window.WebSocket;
  window.__frames = [];
  function Kept(url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    const size = new URL(url).searchParams;
    window.__frames.push({resize: [+size.get("width"), +size.get("height")]});
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") { window.__frames.push({text: event.data}); return; }
      let bytes = "";
      for (const byte of new Uint8Array(event.data)) bytes += String.fromCharCode(byte);
      window.__frames.push({data: btoa(bytes)});
    });
    const send = socket.send.bind(socket);
    socket.send = (message) => {
      try {
        const [kind, body] = JSON.parse(message);
        if (kind === "resize") window.__frames.push({resize: [body.width, body.height]});
      } catch (error) {}
      send(message);
    };
    return socket;
  }
  Kept.prototype = Native.prototype;
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Kept[name] = Native[name];
  window.WebSocket = Kept;
})();
"""
REPLY = "The served reply streams into the browser, word after word."


class BrowserScreen:
    """What the page's terminal shows, from the frames the page received."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.screen = Screen(80, 24)
        self.received: list[str] = []

    def poll(self) -> None:
        for frame in self.driver.execute_script("return window.__frames.splice(0)") or []:
            if "resize" in frame:
                width, height = frame["resize"]
                received = self.screen.received
                self.screen = Screen(width, height)
                self.screen.received = received
            elif "data" in frame:
                self.screen.feed(base64.b64decode(frame["data"]))
            else:
                self.received.append(frame["text"])

    def wait_for(self, needle: str, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.poll()
            if needle in self.screen.text():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never drawn:\n{self.screen.text()}")
            time.sleep(0.05)


@pytest.fixture
def served(router: RouterServer, xvfb: str) -> Iterator[Served]:
    server = start_serve(router)
    yield server
    server.stop()


def test_chat_in_chromium(
    router: RouterServer, served: Served, chromium: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    chromium.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": KEEP_FRAMES})
    chromium.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": served.origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    router.queue(Reply(text=REPLY, chunk_chars=4, delay=0.02))
    chromium.get(served.url)
    assert chromium.current_url == served.origin + "/", "the token left the address bar"
    cookie = chromium.get_cookie(f"requesty-tui-{served.origin.rsplit(':', 1)[1]}")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    screen = BrowserScreen(chromium)
    screen.wait_for("Quit")  # the app's first screen: its key bar
    screen.wait_for("Enter to send")

    terminal = chromium.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
    terminal.send_keys("hello from chromium")
    screen.wait_for("hello from chromium")
    terminal.send_keys(Keys.ENTER)
    screen.wait_for("word after word.")
    [request] = router.chat_requests()
    assert [m["content"] for m in request["body"]["messages"]] == ["hello from chromium"]
    assert request["headers"]["Authorization"] == f"Bearer {FAKE_KEY}", "the app has the key"
    chromium.save_screenshot(str(tmp_path / "chat.png"))

    ActionChains(chromium).key_down(Keys.CONTROL).send_keys("y").key_up(Keys.CONTROL).perform()
    screen.wait_for("browser's clipboard")
    copied = chromium.execute_async_script(
        "const done = arguments[0];"
        "navigator.clipboard.readText().then(done, (error) => done('failed: ' + error));"
    )
    assert copied == REPLY, "the app's OSC 52 reached the browser's clipboard"
    on_server = subprocess.run(
        ["xclip", "-selection", "clipboard", "-o"], capture_output=True, text=True, timeout=10
    ).stdout
    assert REPLY not in on_server, "nothing copied on the server, where the app runs"

    terminal.send_keys(Keys.F2)  # a function key and the palette's ctrl+p reach the app too
    screen.wait_for("Filter models, or type any model id")
    terminal.send_keys(Keys.ESCAPE)
    ActionChains(chromium).key_down(Keys.CONTROL).send_keys("p").key_up(Keys.CONTROL).perform()
    screen.wait_for("account: spend")

    page = chromium.page_source
    assert FAKE_KEY not in page and FAKE_KEY not in screen.screen.received.decode("latin-1")
    assert all(FAKE_KEY not in text for text in screen.received)
    problems = [e for e in chromium.get_log("browser") if e["level"] == "SEVERE"]
    assert not problems, problems  # nothing refused by the page's policy, nothing missing

"""Promise 4: the network can misbehave without freezing the UI.

For each way a server can misbehave, while it happens the input takes keys at once (a frozen
UI would make each press wait), then the user sees a one-line reason, and asking again works.
Retries (429/5xx with backoff and jitter, Retry-After, never after the first token) are tested
at the client level in tests/test_client.py.
"""

from __future__ import annotations

import time

import pytest

from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.message import AssistantMessage, Notice, UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import chat_screen, send, send_and_wait, wait_for

CHUNK = b'data: {"choices":[{"index":0,"delta":{"content":"%s"},"finish_reason":%s}]}\n\n'

CASES = {
    "accepts and never answers": (Reply(first_delay=3600), "sent nothing for 2 s"),
    "headers then stalls": (Reply(stall_after=0), "sent nothing for 2 s"),
    "1 byte a second": (Reply(text="slow", drip=1.0), "stopped before the reply began"),
    "10 MB line": (Reply(raw_body=b"data: " + b"x" * 10_000_000 + b"\n\n"), "malformed line"),
    "invalid UTF-8": (
        Reply(raw_body=CHUNK % (b"ok \xff\xfe bytes", b'"stop"') + b"data: [DONE]\n\n"),
        "ok \ufffd\ufffd bytes",
    ),
    "invalid JSON": (Reply(raw_body=b"data: {not json\n\ndata: {nope\n\n"), "2 malformed lines"),
    "error chunk": (
        Reply(text="partial text here", chunk_chars=4, error_chunk_after=2),
        "provider stream failed",
    ),
    "closes without [DONE]": (Reply(raw_body=CHUNK % (b"half", b"null")), "closed before"),
    "HTML instead of JSON": (
        Reply(raw_body=b"<!DOCTYPE html><html>Sign in</html>", content_type="text/html"),
        "HTML page",
    ),
    "redirect": (Reply(status=302, headers={"Location": "http://elsewhere.example/"}), "redirect"),
}


def what_the_user_sees(screen) -> str:  # type: ignore[no-untyped-def]
    parts = [str(n.content) for n in screen.query(Notice)]
    parts += [
        str(u.border_subtitle or "") + " " + str(u.tooltip or "") for u in screen.query(UserMessage)
    ]
    parts += [r.text for r in screen.query(AssistantMessage)]
    return "\n".join(parts)


@pytest.mark.parametrize("case", list(CASES))
async def test_ui_stays_live_and_explains(
    router: RouterServer, settings: Settings, case: str
) -> None:
    reply, expected = CASES[case]
    router.queue(reply)
    app = RequestyApp(settings)  # stall_timeout 2 s
    async with app.run_test(size=(100, 30)) as pilot:
        screen = chat_screen(app)
        prompt = screen.query_one(PromptInput)
        await send(pilot, "ask")
        slowest = 0.0
        for key in "typing":
            started = time.monotonic()
            await pilot.press(key)
            slowest = max(slowest, time.monotonic() - started)
        assert "typing" in prompt.text, "keys reach the input while the request is out"
        assert slowest < 1.5, f"a key took {slowest:.2f} s: the UI froze"
        if case == "1 byte a second":
            assert screen.streaming
            await pilot.press("escape")  # the user gives up on a crawling server
        await wait_for(pilot, lambda: not screen.streaming, timeout=15, what="the outcome")
        seen = what_the_user_sees(screen)
        assert expected in seen, seen
        for notice in screen.query(Notice):
            assert "\n" not in str(notice.content).strip(), "one line"
        # Asking again works.
        prompt.clear()
        router.queue(Reply(text="fine now"))
        await send_and_wait(pilot, "again")
        await wait_for(pilot, lambda: screen.conversation.messages[-1].content == "fine now")

"""Saving never holds the UI: keys typed while a long conversation is written are echoed at
once (the save of a 10 MB reply took seconds on the UI thread). The timing itself is
benchmarks/save_latency.py's; here the save is held open and typing must still work."""

from __future__ import annotations

import threading

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import chat_screen, send_and_wait, type_text, wait_for


class HeldStore(SessionStore):
    """A store whose writes wait until the test lets them go."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.writing = threading.Event()

    def save(self, conv: Conversation):  # type: ignore[no-untyped-def]
        self.writing.set()
        self.gate.wait(30)
        return super().save(conv)


async def test_typing_goes_on_while_a_10_mb_conversation_is_saved(
    router: RouterServer, settings: Settings
) -> None:
    # A model with no known context window: 10 MB would not fit gpt-4o-mini, and the fit
    # dialog would ask first (tests/ui/test_meter.py).
    conv = Conversation(id="20261201-000000-big0", model="policy/my-fallback", title="Big")
    block = ("a long line of a long reply \x1b with an escape\n" * 20_000)[:1_000_000]
    for n in range(10):
        conv.messages.append(Message(role="user", content=f"question {n}"))
        conv.messages.append(Message(role="assistant", content=block, finish_reason="stop"))
    store = HeldStore()
    app = RequestyApp(settings, conversation=conv, store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = chat_screen(app)
        await send_and_wait(pilot, "one more")
        await wait_for(pilot, store.writing.is_set, what="the save to start")
        await type_text(pilot, "typed while saving")
        assert screen.query_one(PromptInput).text == "typed while saving"
        assert not store.gate.is_set() and not screen.saver.idle, "the save is still held"
        store.gate.set()
        await wait_for(pilot, lambda: screen.saver.idle, what="the save to finish")
    saved = SessionStore().load(conv.id)
    assert len(saved.messages) == 22 and saved.messages[1].content == block

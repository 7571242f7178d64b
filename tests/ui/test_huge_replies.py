"""A conversation with a huge reply opens at once and stays usable (issue 25): the reply's last
screen is drawn first, the rest of it in slices between frames, and keys typed meanwhile land.
How fast they land is measured where users type, in a real terminal (benchmarks/)."""

from __future__ import annotations

import gc

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.testing.corpus import markdown_document
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.gc_pause import full_collections_paused
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.message import AssistantMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import chat_screen, wait_for


def waiting(view: MarkdownView) -> int:
    blocks = view._cache.blocks
    return sum(not blocks.rendered(i) for i in range(len(blocks)))


async def test_a_1_mb_reply_shows_its_end_first_and_typing_goes_on(
    router: RouterServer, settings: Settings
) -> None:
    text = markdown_document(1_000_000, seed=6) + "\n\nTHE LAST LINE OF IT."
    conv = Conversation(id="20261205-150000-huge", model="openai/gpt-4o-mini", title="Huge")
    conv.messages = [
        Message(role="user", content="paste it all back"),
        Message(role="assistant", content=text, finish_reason="stop"),
    ]
    before = gc.get_threshold()
    app = RequestyApp(settings, conversation=conv)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = chat_screen(app)
        await wait_for(pilot, lambda: screen.query(AssistantMessage), what="the reply")
        view = screen.query_one(AssistantMessage).body
        await wait_for(pilot, lambda: not view.lazy, what="the reply drawn")
        # Drawn, and most of it still waits: it was not all rendered before the first frame.
        assert waiting(view) > len(view._cache.blocks) // 2
        # No full collection stalls the keys while the rest renders (45-89 ms each)…
        assert full_collections_paused()
        shown = "\n".join(view.render_line(y).text for y in range(view.line_count()))
        assert "THE LAST LINE OF IT." in shown
        await pilot.press(*"still here")
        await wait_for(pilot, lambda: screen.query_one(PromptInput).text == "still here",
                       what="the keys typed while the rest renders")  # fmt: skip
        await wait_for(pilot, lambda: waiting(view) == 0, timeout=60, what="the rest rendered")
        assert "THE LAST LINE OF IT." in view.render_line(view.line_count() - 1).text
        # …and they run again once it is done, or memory would only grow.
        await wait_for(pilot, lambda: gc.get_threshold() == before, what="collections back")


async def test_leaving_a_huge_reply_while_it_renders_brings_full_collections_back(
    router: RouterServer, settings: Settings
) -> None:
    before = gc.get_threshold()
    conv = Conversation(id="20261205-150000-left", model="openai/gpt-4o-mini", title="Left")
    conv.messages = [
        Message(role="user", content="paste it all back"),
        Message(role="assistant", content=markdown_document(600_000, seed=3), finish_reason="stop"),
    ]
    app = RequestyApp(settings, conversation=conv)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = chat_screen(app)
        await wait_for(pilot, lambda: screen.query(AssistantMessage), what="the reply")
        view = screen.query_one(AssistantMessage).body
        await wait_for(pilot, lambda: not view.lazy and waiting(view) > 0, what="the fill")
        assert full_collections_paused()
        await screen.new_chat()  # the reply's view goes before it is filled
        await wait_for(pilot, lambda: not view.is_attached, what="the reply gone")
        assert waiting(view) > 0, "left before the rest was rendered"
        assert gc.get_threshold() == before

"""``up`` in an empty input starts the same edit as ``chat: edit message`` (issue 23: it brought
the last message back as new text, and Enter sent a duplicate below the reply)."""

from __future__ import annotations

from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.message import UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import send_and_wait, wait_for


async def test_up_in_an_empty_input_edits_the_last_message(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text="answer one"), Reply(text="answer two"))
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await send_and_wait(pilot, "one")
        await wait_for(pilot, lambda: len(screen.conversation.messages) == 2, what="the reply")
        prompt = screen.query_one(PromptInput)
        await pilot.press("up")
        banner = screen.query_one("#edit-banner")
        assert banner.display and "Editing your message 1" in str(banner.content)
        assert prompt.text == "one"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(router.chat_requests()) == 2,
                       what="the new version's reply")  # fmt: skip
        await wait_for(pilot, lambda: len(screen.conversation.messages) == 4, what="recorded")
        # A new version beside the old one, not a duplicate below the reply.
        assert [m["content"] for m in router.chat_requests()[-1]["body"]["messages"]] == ["one"]
        path = screen.conversation.path()
        assert [m.content for m in path] == ["one", "answer two"]
        assert screen.query(UserMessage).first().border_title == "You ‹2/2›"
        assert not banner.display

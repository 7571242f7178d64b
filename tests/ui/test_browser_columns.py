"""The session browser keeps every column on screen (issue 23)."""

from __future__ import annotations

from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp


async def test_a_long_title_gives_way_to_the_cost_in_the_browser(
    router: RouterServer, settings: Settings
) -> None:
    """One long title squeezed the Cost column to ``$0.``: the title is cut, with an ellipsis."""
    from requesty_tui.core.domain import Conversation, Message, Usage
    from requesty_tui.storage.sessions import SessionStore
    from tests.support.ui import open_browser

    for n, title in enumerate(["Short", "A title that goes on " * 12 + "END"]):
        conv = Conversation(id=f"20261126-00000{n}-cost", model="openai/gpt-4o-mini", title=title)
        conv.messages = [
            Message(role="user", content="q"),
            Message(role="assistant", content="a", usage=Usage(cost=0.000212)),
        ]
        SessionStore().save(conv)
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        browser = await open_browser(pilot)
        from textual.widgets import DataTable

        table = browser.query_one(DataTable)
        await pilot.pause()
        lines = [table.render_line(y).text for y in range(table.size.height)]
        rows = [line for line in lines if "gpt-4o-mini" in line]
        assert len(rows) == 2, lines
        for row in rows:
            assert "$0.000212" in row, row
        long_row = next(row for row in rows if "A title" in row)
        assert "…" in long_row and "END" not in long_row


async def test_every_column_is_on_screen_at_80x24(router: RouterServer, settings: Settings) -> None:
    """Tried at 80x24: a 21-character title, shown whole before the table had its size, kept
    the Title column that wide after it was cut, and the cost read ``$0.0``."""
    from textual.widgets import DataTable

    from requesty_tui.core.domain import Conversation, Message, Usage
    from requesty_tui.storage.sessions import SessionStore
    from tests.support.ui import open_browser

    conv = Conversation(id="20261205-143800-cost", model="openai/gpt-4o-mini")
    conv.title = "please write the file"
    conv.messages = [
        Message(role="user", content="please write the file"),
        Message(role="assistant", content="done", usage=Usage(cost=0.00048)),
    ]
    SessionStore().save(conv)
    SessionStore().summaries()  # indexed already: the browser's first rows come before its size
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        browser = await open_browser(pilot)
        table = browser.query_one(DataTable)
        await pilot.pause()
        assert table.virtual_size.width <= table.scrollable_content_region.width, "no scrolling"
        row = next(table.render_line(y).text for y in range(table.size.height)
                   if "gpt-4o-mini" in table.render_line(y).text)  # fmt: skip
        assert "$0.00048" in row, row

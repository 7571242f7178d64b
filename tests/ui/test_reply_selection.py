"""Selecting text in a reply with the mouse (issue 23: it highlighted nothing and copied the
word ``MarkdownView``; in one's own messages it worked)."""

from __future__ import annotations

from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.message import AssistantMessage
from tests.support.ui import send_and_wait, wait_for

REPLY = "The quick brown fox jumps over the **lazy** dog.\n\n- first item\n- second item\n"


async def test_a_drag_over_a_reply_selects_and_copies_its_words(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text=REPLY))
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await send_and_wait(pilot, "tell me")
        body = screen.query_one(AssistantMessage).query_one(MarkdownView)
        await pilot.pause()
        lines = [body.render_line(y).text for y in range(body.size.height)]
        row = next(y for y, line in enumerate(lines) if "quick" in line)
        column = lines[row].index("quick")
        # Down on "quick", drag to the end of "lazy", up.
        await pilot.mouse_down(body, offset=(column, row))
        await pilot.hover(body, offset=(lines[row].index("lazy") + 3, row))
        await pilot.mouse_up(body, offset=(lines[row].index("lazy") + 3, row))
        await pilot.pause()
        assert screen.get_selected_text() == "quick brown fox jumps over the lazy"
        # What is selected is shown so: those cells, and only those, have the selection's
        # background.
        selected = screen.get_component_rich_style("screen--selection").bgcolor
        shown = body.render_line(row)
        marked = "".join(s.text for s in shown if s.style and s.style.bgcolor == selected)
        assert marked == "quick brown fox jumps over the lazy"
        await pilot.press("ctrl+c")
        assert app.clipboard == "quick brown fox jumps over the lazy"

        # Over several lines: the text as shown, line by line.
        last = next(y for y, line in enumerate(lines) if "second" in line)
        await pilot.mouse_down(body, offset=(column, row))
        await pilot.hover(body, offset=(len(lines[last].rstrip()), last))
        await pilot.mouse_up(body, offset=(len(lines[last].rstrip()), last))
        await wait_for(pilot, lambda: "second item" in (screen.get_selected_text() or ""))
        text = screen.get_selected_text() or ""
        assert text.startswith("quick brown fox jumps over the lazy dog.")
        assert "first item" in text and text.rstrip().endswith("second item")
        assert "MarkdownView" not in text

"""Promise 5: model output is data.

Text from the model, a session file or a model description is never interpreted as
Textual/Rich markup and never reaches the terminal as escape sequences: control characters are
shown as visible symbols (ESC as ␛). Model descriptions: tests/test_requesty_native.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.message import AssistantMessage, UserMessage
from tests.support.tmux import TmuxSession, terminal_env
from tests.support.ui import chat_screen, open_browser, rendered_text, send, wait_for

EVIL = (
    "[bold]not bold[/bold] [@click=app.quit]click[/] [link=http://evil.example]link[/link] "
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b]52;c;UFdORUQ=\x07 \x1b[2J\x1b[H bell\x07 "
    "\x1b]8;;http://evil.example\x1b\\osc8\x1b]8;;\x1b\\ \x9b31m c1"
)


async def test_a_reply_full_of_markup_and_escapes_is_shown_as_text(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text=EVIL, model="[red]x[/red]"))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "[b]me[/b]")
        await wait_for(pilot, lambda: not screen.streaming and screen.conversation.messages)
        reply = screen.query_one(AssistantMessage)
        shown = rendered_text(reply.body)
        assert "[bold]not bold[/bold]" in shown
        assert "[@click=app.quit]click[/]" in shown
        assert "[link=http://evil.example]link[/link]" in shown
        assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
        assert "\u241b[31mred" in shown and "bell\u2407" in shown
        segments = [s for y in range(reply.body.line_count()) for s in reply.body.render_line(y)]
        # The only meta a reply's cells carry is where each shows its text (mouse selection):
        # no link, no @click action from the model's text.
        assert not any(
            s.style and (s.style.link or set(s.style.meta) - {"offset"}) for s in segments
        ), "no links"
        assert "[red]x[/red]" in str(reply.header.content)
        assert "[b]me[/b]" in str(screen.query_one(UserMessage).content)
        assert app.is_running, "[@click=app.quit] did nothing"
        # Copying gives the text exactly as the model sent it (it is the user's data).
        assert reply.text == EVIL


async def test_a_session_file_full_of_markup_is_shown_as_text(
    router: RouterServer, settings: Settings
) -> None:
    when = datetime(2026, 11, 26, tzinfo=UTC)
    conv = Conversation(
        id="20261126-000000-evil",
        model="m/x",
        title="[@click=app.quit]T[/] \x1b]0;t\x07",
        created=when,
        updated=when,
    )
    conv.messages = [
        Message(role="user", content="[bold]u[/bold]\x1b[2J", created=when),
        Message(role="assistant", content="[i]a[/i]\x1b]52;c;eA==\x07", created=when),
    ]
    SessionStore().save(conv)
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        browser = await open_browser(pilot)
        row = " ".join(str(c) for c in browser.query_one("DataTable").get_row_at(0))
        assert "[@click=app.quit]T[/]" in row and "\x1b" not in row
        await pilot.press("enter")
        await wait_for(pilot, lambda: chat_screen(app).conversation.id == conv.id)
        screen = chat_screen(app)
        await pilot.pause()
        assert "[bold]u[/bold]\u241b[2J" in str(screen.query_one(UserMessage).content)
        shown = rendered_text(screen.query_one(AssistantMessage).body)
        assert "[i]a[/i]\u241b]52;c;eA==\u2407" in shown


def test_model_text_cannot_touch_the_terminal(router: RouterServer, xdg: Path) -> None:
    """A reply full of escape sequences leaves the title and clipboard alone."""
    evil = (
        "\x1b]0;PWNED-TITLE\x07\x1b]52;c;UFdORUQ=\x07\x1b[2J\x1b[31mred\x1b[0m "
        "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ done"
    )
    router.queue(Reply(text=evil))
    session = TmuxSession([], terminal_env(router))
    try:
        session.tmux("set-option", "-s", "set-clipboard", "on")
        session.wait_started()
        session.keys("hi", "Enter")
        shown = session.wait_for(lambda s: "done" in s, what="the reply")
        assert "␛]0;PWNED-TITLE" in shown, "escape sequences are shown as text"
        title = session.tmux("display-message", "-p", "#{pane_title}")
        assert "PWNED" not in title
        buffers = session.tmux("list-buffers")
        assert "PWNED" not in buffers and "UFdORUQ" not in buffers
    finally:
        session.close()

"""A streamed reply ends up exactly as the same text rendered at once (no lost or doubled
tokens, no blank or raw fences), whatever the deltas."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from requesty_tui.core.settings import Settings
from requesty_tui.testing.corpus import code_document, markdown_document
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.message import AssistantMessage
from tests.support.ui import type_text, wait_for


def segments(view: MarkdownView) -> list[list[tuple[str, object]]]:
    return [
        [(seg.text, seg.style) for seg in view.render_line(y)] for y in range(view.line_count())
    ]


async def render_at_once(text: str, width: int) -> list[list[tuple[str, object]]]:
    class Host(App[None]):
        def compose(self) -> ComposeResult:
            with VerticalScroll():
                view = MarkdownView(text)
                view.styles.width = width
                yield view

    app = Host()
    async with app.run_test(size=(width + 10, 40)) as pilot:
        await pilot.pause()
        view = app.query_one(MarkdownView)
        view.set_code_theme("monokai")
        await pilot.pause()
        return segments(view)


@pytest.mark.parametrize(
    ("text", "chunk"),
    [
        (markdown_document(12_000, seed=3), 7),
        (code_document(6_000) + "\nAfter.\n", 5),
        ("Intro\n\n```python\nx = 1\n", 3),
    ],
    ids=["mixed", "code-fence", "unclosed-fence"],
)
async def test_streamed_equals_rendered_at_once(
    router: RouterServer, settings: Settings, text: str, chunk: int
) -> None:
    router.queue(Reply(text=text, chunk_chars=chunk, delay=0.0005))
    app = RequestyApp(settings.with_overrides(theme="textual-dark"))
    updates = []
    original = MarkdownView._update

    def counted(view: MarkdownView) -> None:
        updates.append(view)
        original(view)

    MarkdownView._update = counted  # type: ignore[method-assign]
    async with app.run_test(size=(100, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "go")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: not screen.streaming and screen.conversation.messages, timeout=60
        )
        await pilot.pause()
        body = screen.query_one(AssistantMessage).body
        assert body.source == text
        MarkdownView._update = original  # type: ignore[method-assign]
        if len(text) > 1000:
            renders = sum(1 for view in updates if view is body)
            assert renders > 1, "it was rendered while streaming, not only at the end"
        streamed = segments(body)
        width = body.size.width
    # The same width, in a bare host app: same lines, same styles.
    at_once = await render_at_once(text, width)
    assert [("".join(t for t, _ in line)) for line in streamed] == [
        "".join(t for t, _ in line) for line in at_once
    ]
    assert streamed == at_once
    shown = "\n".join("".join(t for t, _ in line) for line in streamed)
    assert "```" not in shown


async def test_blocks_a_fast_stream_carried_past_are_rendered_when_drawn(
    router: RouterServer, settings: Settings
) -> None:
    """At full speed only the last screenful is rendered while streaming; the rest is an
    estimate until it is drawn, and then exactly what rendering it all at once gives."""
    text = markdown_document(60_000, seed=5)
    router.queue(Reply(text=text, chunk_chars=10))
    app = RequestyApp(settings.with_overrides(theme="textual-dark"))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "go")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: not screen.streaming and screen.conversation.messages, timeout=60
        )
        await pilot.pause()
        body = screen.query_one(AssistantMessage).body
        blocks = body._blocks
        waiting = [i for i in range(len(blocks)) if not blocks.rendered(i)]
        assert len(waiting) > len(blocks) // 2, "most blocks were never on screen"
        assert blocks.rendered(len(blocks) - 1), "the end of the reply is on screen"
        streamed = segments(body)  # draws every line
        width = body.size.width
    assert streamed == await render_at_once(text, width)

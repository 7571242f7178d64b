"""While a reply streams, only what changed is repainted (issue 13: each delta repainted the
whole pane, 25 KiB of terminal output at 160x50; the figures are benchmarks/stream_terminal.py's).
"""

from __future__ import annotations

from textual.geometry import Region

from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.message import AssistantMessage
from tests.support.ui import chat_screen, rendered_text, send, wait_for

PROSE = " ".join(f"word{i}" for i in range(600))


async def test_a_delta_repaints_the_cells_it_changed_and_growth_is_rare(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text=PROSE, chunk_chars=12, delay=0.02))
    calls: list[tuple[tuple[Region, ...], bool]] = []
    original = MarkdownView.refresh

    def recording(self: MarkdownView, *regions: Region, **kwargs: bool) -> MarkdownView:
        if self.id == "watched":
            calls.append((regions, bool(kwargs.get("layout"))))
        return original(self, *regions, **kwargs)

    MarkdownView.refresh = recording  # type: ignore[method-assign]
    try:
        app = RequestyApp(settings)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = chat_screen(app)
            await send(pilot, "go")
            await wait_for(pilot, lambda: screen.query(AssistantMessage), what="the reply")
            screen.query_one(AssistantMessage).body.id = "watched"
            await wait_for(pilot, lambda: not screen.streaming, timeout=30, what="the end")
            body = screen.query_one(AssistantMessage).body
            lines = body.line_count()
            assert "word599" in rendered_text(body)
    finally:
        MarkdownView.refresh = original  # type: ignore[method-assign]
    partial = [regions for regions, layout in calls if not layout]
    growths = sum(1 for _, layout in calls if layout)
    assert partial, "deltas that fit were repainted in place"
    assert all(regions for regions in partial), "never the whole widget for a delta"
    rows = [r for regions in partial for r in regions]
    assert all(r.height == 1 for r in rows), "one line at a time"
    after_kept_words = [r for r in rows if r.x > 0]
    assert len(after_kept_words) > len(rows) / 2, "most deltas repaint only the words they add"
    assert growths <= lines // 3, f"{growths} layouts for {lines} lines"

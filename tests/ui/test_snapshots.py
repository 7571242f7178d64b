"""What the chat screen looks like, in a dark and a light theme (SVG snapshots): replies with
cost, a folded thinking block, the conversation's settings in the top bar, the key's spend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.pilot import Pilot

from requesty_tui.core.domain import Conversation, Message, Usage
from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import wait_for

WHEN = datetime(2026, 11, 26, 18, 40, tzinfo=UTC)


def conversation() -> Conversation:
    conv = Conversation(
        id="20261126-184000-snap",
        model="anthropic/claude-sonnet-4-5",
        title="Lifetimes",
        created=WHEN,
        updated=WHEN,
    )
    conv.messages = [
        Message(role="user", content="Explain Rust lifetimes in two lines.", created=WHEN),
        Message(
            role="assistant",
            created=WHEN,
            model="anthropic/claude-sonnet-4-5",
            finish_reason="stop",
            usage=Usage(prompt_tokens=14, completion_tokens=52, cost=0.00082),
            reasoning="Two lines: what a lifetime is, and an example.",
            content="## Lifetimes\n\nA lifetime names **how long a borrow is valid**:\n\n"
            "```rust\nfn longest<'a>(x: &'a str, y: &'a str) -> &'a str {\n"
            "    if x.len() > y.len() { x } else { y }\n}\n```\n\n- the compiler checks "
            "them\n- you rarely write them",
        ),
        Message(role="user", content="Thanks! [b]not markup[/b]", created=WHEN),
        Message(
            role="assistant",
            created=WHEN,
            content="You're welcome.",
            finish_reason="cancelled",
            model="anthropic/claude-sonnet-4-5",
        ),
    ]
    conv.options.reasoning_effort = "high"
    conv.options.tags = ["rust"]
    return conv


@pytest.mark.parametrize("theme", ["requesty-dark", "requesty-light"])
def test_chat_screen(snap_compare, router: RouterServer, theme: str) -> None:  # type: ignore[no-untyped-def]
    app = RequestyApp(
        Settings(api_key="k", base_url=router.base_url, theme=theme), conversation=conversation()
    )

    async def settle(pilot: Pilot[None]) -> None:
        await wait_for(
            pilot,
            lambda: app.services.catalogue.models and not app.services.catalogue.status,
            what="models",
        )
        await wait_for(pilot, lambda: app.services.spend.spend is not None, what="the key's spend")
        # A blinking cursor is drawn or not depending on when the shot is taken: under load
        # the shot differed by the cursor alone (1 run in 3). Steady, it is always drawn.
        app.screen.query_one(PromptInput).cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 34), run_before=settle)

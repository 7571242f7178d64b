"""What makes this a Requesty client: reasoning, real cost, spend, metadata, per-chat settings.

Against the local router; assertions are on what the user sees and what the router received.
"""

from __future__ import annotations

import dataclasses
import tomllib

from requesty_tui.core.settings import Settings
from requesty_tui.storage import paths
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.dialogs import TextEditorPrompt, TextPrompt
from requesty_tui.ui.widgets.message import AssistantMessage, ThinkingBlock
from requesty_tui.ui.widgets.status_line import StatusLine
from tests.support.ui import (
    chat_screen,
    rendered_text,
    run_command,
    send_and_wait,
    type_text,
    wait_for,
)

REASONING_MODEL = "anthropic/claude-sonnet-4-5"


def saved(conversation_id: str) -> dict[str, object]:
    path = paths.data_dir() / "sessions" / f"{conversation_id}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


async def palette(pilot, command: str) -> None:  # type: ignore[no-untyped-def]
    await run_command(pilot, command)


async def set_option(pilot, command: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Palette → the option's prompt → select what is there, type the value, Enter."""
    await palette(pilot, command)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TextPrompt), what=command)
    pilot.app.screen.query_one("Input").value = ""
    await type_text(pilot, value)
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, TextPrompt))


async def edit_text_option(pilot, command: str, text: str | None) -> str:  # type: ignore[no-untyped-def]
    """Palette → the option's multi-line editor → replace its text by typing (Enter for a new
    line), ctrl+s; ``None``: Esc. Returns what the editor showed when it opened."""
    await palette(pilot, command)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TextEditorPrompt), what=command)
    editor = pilot.app.screen
    assert isinstance(editor, TextEditorPrompt)
    shown: str = editor.query_one("TextArea").text  # type: ignore[attr-defined]
    if text is None:
        await pilot.press("escape")
    else:
        editor.query_one("TextArea").clear()  # type: ignore[attr-defined]
        await pilot.press(*("enter" if char == "\n" else char for char in text))
        await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, TextEditorPrompt))
    return shown


async def test_reasoning_streams_into_a_thinking_block_that_folds_when_the_answer_starts(
    router: RouterServer, settings: Settings
) -> None:
    thinking = "The user greets me. A short friendly greeting fits best here. " * 4
    router.queue(Reply(reasoning=thinking, text="Hello there!", chunk_chars=12, delay=0.05))
    app = RequestyApp(dataclasses.replace(settings, model=REASONING_MODEL))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = chat_screen(app)
        await type_text(pilot, "Hi")
        await pilot.press("enter")
        reply = screen.query_one(AssistantMessage)
        await wait_for(pilot, lambda: reply.thinking is not None, what="the thinking block")
        block = reply.thinking
        assert block is not None
        await wait_for(pilot, lambda: "greets" in rendered_text(block.body), what="reasoning")
        assert block.expanded and block.body.display, "open while the model thinks"
        assert "thinking" in str(reply.header.content)
        await wait_for(pilot, lambda: not screen.streaming, what="the end of the reply")
        assert "Hello there!" in rendered_text(reply.body)
        assert not block.expanded, "folded once the answer started"
        assert "▸ Thinking · 44 words" in str(block.label.content)
        assert block.body.region.height == 0, "the folded text takes no room"
        block.focus()
        await pilot.press("enter")
        assert block.expanded
        await pilot.pause()
        assert block.body.region.height > 0
        assert "short friendly greeting" in rendered_text(block.body)
        data = saved(screen.conversation.id)
        reply_data = data["messages"][1]  # type: ignore[index]
        assert reply_data["reasoning"] == thinking
        assert reply_data["content"] == "Hello there!"

    # Resumed: the thinking is there, folded.
    conversation = SessionStore().load(screen.conversation.id)
    app = RequestyApp(settings, conversation=conversation)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        block = chat_screen(app).query_one(ThinkingBlock)
        assert not block.expanded
        block.action_toggle_open()
        await pilot.pause()
        assert "friendly greeting" in rendered_text(block.body)


async def test_reasoning_effort_is_sent_only_to_models_that_reason(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)  # starts on openai/gpt-4o-mini: supports_reasoning false
    async with app.run_test(size=(110, 30)) as pilot:
        screen = chat_screen(app)
        await wait_for(pilot, lambda: app.services.catalogue.models, what="the model list")
        await set_option(pilot, "chat: reasoning effort", "high")
        assert screen.conversation.options.reasoning_effort == "high"
        assert "effort high" in str(screen.query_one("#topbar").content)
        assert "does not reason" in screen.query_one(StatusLine).shown
        await send_and_wait(pilot, "one")
        assert "reasoning_effort" not in router.chat_requests()[-1]["body"]
        screen.set_model(REASONING_MODEL)
        await send_and_wait(pilot, "two")
        await wait_for(pilot, lambda: len(router.chat_requests()) == 2)
        assert router.chat_requests()[-1]["body"]["reasoning_effort"] == "high"
        await set_option(pilot, "chat: reasoning effort", "lots")
        assert screen.conversation.options.reasoning_effort == "high", "a bad value changes nothing"
        assert saved(screen.conversation.id)["reasoning_effort"] == "high"


async def test_request_metadata_from_config_and_palette_reaches_the_router(
    router: RouterServer, settings: Settings
) -> None:
    configured = dataclasses.replace(
        settings, tags=("work", "tui"), user_id="ana", auto_cache=True, temperature=0.3
    )
    app = RequestyApp(configured)
    async with app.run_test(size=(110, 30)) as pilot:
        screen = chat_screen(app)
        await send_and_wait(pilot, "one")
        body = router.chat_requests()[-1]["body"]
        assert body["requesty"] == {
            "trace_id": screen.conversation.id,  # the dashboard groups the conversation
            "tags": ["work", "tui"],
            "user_id": "ana",
            "auto_cache": True,
        }
        assert body["temperature"] == 0.3
        await set_option(pilot, "chat: trace id", "ticket-42")
        await set_option(pilot, "chat: auto cache", "off")
        await set_option(pilot, "chat: max tokens", "500")
        await edit_text_option(pilot, "chat: system prompt", "You are terse.\nAnswer in French.")
        await send_and_wait(pilot, "two")
        await wait_for(pilot, lambda: len(router.chat_requests()) == 2)
        body = router.chat_requests()[-1]["body"]
        assert body["requesty"]["trace_id"] == "ticket-42"
        assert body["requesty"]["auto_cache"] is False
        assert body["max_tokens"] == 500
        system = "You are terse.\nAnswer in French."
        assert body["messages"][0] == {"role": "system", "content": system}
        assert "system prompt" in str(screen.query_one("#topbar").content)
        # The editor opens on the prompt as it is, and Esc leaves it so.
        assert await edit_text_option(pilot, "chat: system prompt", None) == system
        assert screen.conversation.system == system
        data = saved(screen.conversation.id)
        assert data["system"] == system
        assert data["tags"] == ["work", "tui"]
        assert data["trace_id"] == "ticket-42"
        assert data["auto_cache"] is False
        assert data["max_tokens"] == 500

    # Resumed, the conversation keeps its own settings.
    conversation = SessionStore().load(screen.conversation.id)
    assert conversation.options.user_id == "ana"
    assert conversation.system == "You are terse.\nAnswer in French."


async def test_cost_per_reply_and_running_total_with_labelled_estimates(
    router: RouterServer, settings: Settings
) -> None:
    no_cost = {
        "prompt_tokens": 1000,
        "completion_tokens": 500,
        "total_tokens": 1500,
        "prompt_tokens_details": {"cached_tokens": 200},
    }
    router.queue(Reply(text="first"), Reply(text="second", usage=no_cost))
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = chat_screen(app)
        await wait_for(pilot, lambda: app.services.catalogue.models, what="the model list (prices)")
        await send_and_wait(pilot, "one")
        first = screen.query(AssistantMessage).last()
        assert "12 in · 4 out · $0.000096" in str(first.header.content)
        assert "$0.000096 total" in screen.query_one(StatusLine).shown
        await send_and_wait(pilot, "two")
        await wait_for(pilot, lambda: len(screen.query(AssistantMessage)) == 2)
        second = screen.query(AssistantMessage).last()
        await wait_for(pilot, lambda: "est." in str(second.header.content))
        # gpt-4o-mini: $0.15/M in (no cached price: cached billed as input), $0.60/M out
        # 1000 * 1.5e-7 + 500 * 6e-7 = 0.00045
        assert "1,000 in (200 cached) · 500 out · ~$0.00045 est." in str(second.header.content)
        status = screen.query_one(StatusLine).shown
        assert "~$0.000546 total (incl. estimates)" in status
        usage = saved(screen.conversation.id)["messages"][3]["usage"]  # type: ignore[index]
        assert "cost" not in usage and abs(usage["estimated_cost"] - 0.00045) < 1e-12


async def test_spend_in_the_status_bar_refreshed_after_replies(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = chat_screen(app)
        status = screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "key $12.50 / $50.00 this month" in status.shown)
        spend_calls = [r for r in router.requests if r["path"] == "/v1/manage/apikey/self"]
        assert spend_calls[0]["headers"]["Authorization"] == "Bearer test-key-123"
        router.spend["monthly_spend"] = 13.25
        await send_and_wait(pilot, "hi")
        await wait_for(pilot, lambda: "key $13.25 / $50.00" in status.shown)
        await palette(pilot, "account: spend")
        await wait_for(
            pilot,
            lambda: any("$36.75 left" in str(n.message) for n in app._notifications),
            what="the spend notification",
        )


async def test_spend_is_silent_when_the_key_may_not_see_it(
    router: RouterServer, settings: Settings
) -> None:
    router.spend_status = 403
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = chat_screen(app)
        await wait_for(
            pilot, lambda: any(r["path"].endswith("/apikey/self") for r in router.requests)
        )
        await send_and_wait(pilot, "hi")
        await send_and_wait(pilot, "again")
        await wait_for(
            pilot, lambda: len(screen.conversation.messages) == 4 and not screen.streaming
        )
        await pilot.pause()
        assert "this month" not in screen.query_one(StatusLine).shown
        assert not [n for n in app._notifications if "pend" in str(n.message)]
        asked = [r for r in router.requests if r["path"].endswith("/apikey/self")]
        assert len(asked) == 1, "a refused key is not asked again after every reply"


async def test_picker_shows_policies_first_and_the_highlighted_models_details(
    router: RouterServer, settings: Settings
) -> None:
    router.models.append(
        {
            "id": "anthropic/claude-haiku-4-5",
            "name": "Claude Haiku 4.5",
            "context_window": 200000,
            "max_output_tokens": 64000,
            "input_price": 1e-6,
            "output_price": 5e-6,
            "cached_price": 1e-7,
            "supports_caching": True,
            "description": "Fast [bold]model[/bold] \x1b[31mwith\x1b[0m caching.",
        }
    )
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 34)) as pilot:
        await wait_for(
            pilot, lambda: len(app.services.catalogue.models) == 5, what="the model list"
        )
        await pilot.press("f2")
        picker = app.screen
        listing = picker.query_one("OptionList")
        first = str(listing.get_option_at_index(0).prompt)
        assert first.startswith("◆ policy/my-fallback") and "routing policy" in first
        detail = picker.query_one("#picker-detail")
        assert "Small fast model." in str(detail.content), "the current model's description"
        await type_text(pilot, "haiku")
        shown = str(detail.content)
        assert "Claude Haiku 4.5" in shown
        assert "200k ctx · 64k out · $1.00/$5.00 per M · caching" in shown
        assert "cached input $0.10 per M" in shown
        # The description is data: markup shown as typed, the escape sequence made visible.
        assert "Fast [bold]model[/bold] ␛[31mwith␛[0m caching." in shown


async def test_model_list_is_cached_on_disk_for_an_instant_offline_picker(
    router: RouterServer, settings: Settings
) -> None:
    import json

    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.services.catalogue.models, what="the live list")
    [cache_file] = (paths.cache_dir() / "models").glob("*.json")
    cache = json.loads(cache_file.read_text())
    assert cache["base_url"] == router.base_url and cache["fetched_at"] > 0
    assert [m["id"] for m in cache["models"]][-1] == "policy/my-fallback"

    # A slow router: the cached list is there at once, the live one replaces it later.
    router.models_delay = 1.5
    router.models = [*router.models, {"id": "new/model-of-today"}]
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, lambda: app.services.catalogue.models, timeout=0.5, what="the cached list"
        )
        assert len(app.services.catalogue.models) == 4
        await wait_for(
            pilot, lambda: len(app.services.catalogue.models) == 5, what="the background refresh"
        )

    # The server fails: the cached list, and the status says how old it is and why.
    router.models_delay = 0
    router.models_status = 500
    app = RequestyApp(dataclasses.replace(settings, max_attempts=1))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, lambda: "models from" in app.services.catalogue.status, what="the failure"
        )
        assert app.services.catalogue.status.endswith("(the server answered HTTP 500)")
        await pilot.press("f2")
        assert app.screen.query_one("OptionList").option_count == 5
        picker_status = str(app.screen.query_one("#picker-status").content)
        assert picker_status.startswith("Model list from") and "HTTP 500" in picker_status

    # Offline (nothing listens): said as such.
    offline = dataclasses.replace(settings, base_url=f"http://127.0.0.1:{free_port()}/v1")
    from requesty_tui.storage.models_cache import load_cached_models, save_models

    cached = load_cached_models(settings.base_url)
    assert cached is not None
    save_models(offline.base_url, cached.models)
    app = RequestyApp(offline)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "(offline)" in app.services.catalogue.status, what="offline")
        assert len(app.services.catalogue.models) == 5


def free_port() -> int:
    """A port nothing listens on (bound, then let go)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

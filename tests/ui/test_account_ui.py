"""The first minute and the account (issue 26), in the app: with no key the set-up opens
instead of an empty chat; a key is checked before it is kept (valid, refused, unreachable →
keep anyway); a key from the environment wins and the set-up says so; the account screen draws
the spend per day; a reply's rating reaches the router's feedback with the reply's id."""

from __future__ import annotations

import dataclasses
import stat
from datetime import UTC, datetime

import pytest
from textual.widgets import Button, Input, Static

from requesty_tui.core.settings import Settings
from requesty_tui.storage import paths
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.account import AccountScreen
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.screens.key_setup import KeySetup
from requesty_tui.ui.widgets.message import AssistantMessage
from requesty_tui.ui.widgets.spend_chart import SpendChart
from tests.support.ui import run_command, send, send_and_wait, wait_for

KEY = "rq-live-key-0123456789"
NOW = datetime(2026, 8, 7, 15, 0, tzinfo=UTC)


def verdict(app: RequestyApp) -> str:
    return str(app.screen.query_one("#verdict", Static).content)


def no_key(settings: Settings) -> Settings:
    return dataclasses.replace(settings, api_key=None)


async def paste_key(pilot: object, app: RequestyApp, key: str) -> None:
    box = app.screen.query_one("#key", Input)
    box.value = key
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_without_a_key_the_set_up_opens_checks_and_keeps_it(
    router: RouterServer, settings: Settings
) -> None:
    router.account.keys = {KEY}
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text('# mine\ntheme = "paper"\n')
    app = RequestyApp(no_key(settings))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, KeySetup), what="the set-up")
        assert "No key is set yet." in str(app.screen.query_one("#in-use", Static).content)
        box = app.screen.query_one("#key", Input)
        assert box.password, "the key is never drawn in clear"
        await paste_key(pilot, app, "rq-wrong")
        await wait_for(pilot, lambda: "Rejected" in verdict(app), what="the refusal")
        assert isinstance(app.screen, KeySetup) and box.value == "", "the input stays"
        assert not config.read_text().count("rq-wrong"), "a refused key is not kept"
        await paste_key(pilot, app, f" {KEY}\n")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="the chat")
        notes = " ".join(str(n.message) for n in app._notifications)
        assert f"Saved in {config}" in notes and KEY not in notes
        assert config.read_text() == f'# mine\ntheme = "paper"\napi_key = "{KEY}"\n'
        assert stat.S_IMODE(config.stat().st_mode) == 0o600
        screen = await send_and_wait(pilot, "hello")
        assert screen.conversation.messages[-1].content == "You said: hello"
        assert router.chat_requests()[0]["headers"]["Authorization"] == f"Bearer {KEY}"


async def test_an_unreachable_server_offers_to_keep_the_key_anyway(settings: Settings) -> None:
    gone = Settings(base_url="http://127.0.0.1:9/v1", connect_timeout=2.0, stall_timeout=2.0)
    app = RequestyApp(gone)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, KeySetup), what="the set-up")
        await paste_key(pilot, app, KEY)
        await wait_for(pilot, lambda: "Keep it anyway" in verdict(app), what="the offer")
        keep = app.screen.query_one("#keep", Button)
        assert keep.display
        await pilot.click(keep)
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="the chat")
        assert app.services.settings.api_key == KEY
    assert KEY in paths.config_file().read_text()


async def test_skipping_the_set_up_says_how_to_come_back(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(no_key(settings))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, KeySetup), what="the set-up")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="the chat")
        notes = " ".join(str(n.message) for n in app._notifications)
        assert "No API key" in notes and "account: set key" in notes


async def test_a_key_from_the_environment_wins_and_the_set_up_says_so(
    router: RouterServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from requesty_tui.storage.settings_file import load_settings

    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text('api_key = "from-the-file"\n')
    config.chmod(0o600)
    monkeypatch.setenv("REQUESTY_API_KEY", "from-the-environment")
    monkeypatch.setenv("REQUESTY_BASE_URL", router.base_url)
    loaded = load_settings()
    assert loaded.api_key == "from-the-environment"
    app = RequestyApp(loaded)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen), "a key is set: no set-up"
        await run_command(pilot, "account: set key")
        await wait_for(pilot, lambda: isinstance(app.screen, KeySetup), what="the set-up")
        in_use = str(app.screen.query_one("#in-use", Static).content)
        assert "REQUESTY_API_KEY" in in_use and "wins" in in_use
        await paste_key(pilot, app, KEY)
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="the chat")
        notes = " ".join(str(n.message) for n in app._notifications)
        assert "REQUESTY_API_KEY in your environment wins at the next start" in notes


async def test_a_refused_key_on_a_send_says_how_to_set_another(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(status=401, error_message="Invalid API key"))
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await send(pilot, "hello")
        await wait_for(pilot, lambda: screen.query("Notice"), what="the error")

        notices = " ".join(str(n.content) for n in screen.query("Notice"))
        assert "account: set key" in notices and "requesty-tui login" in notices


async def usage_screen(pilot: object, app: RequestyApp) -> AccountScreen:
    await app.push_screen(AccountScreen(app.services, now=NOW))
    screen = app.screen
    assert isinstance(screen, AccountScreen)
    chart = screen.query_one(SpendChart)
    await wait_for(pilot, lambda: chart.history is not None, what="the chart")  # type: ignore[arg-type]
    return screen


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_the_account_screen_draws_spend_per_day(
    router: RouterServer, settings: Settings, size: tuple[int, int]
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=size) as pilot:
        screen = await usage_screen(pilot, app)
        chart = screen.query_one(SpendChart)
        assert chart.region.height >= 8 and chart.region.bottom <= size[1] - 1, "on screen"
        drawn = str(chart.render())
        assert "08-01" in drawn and "08-07" in drawn and "█" in drawn
        top = str(screen.query_one("#top", Static).content)
        assert "anthropic/claude-sonnet-4-5" in top and "$7.15" in top and "48 req" in top
        assert screen.query_one("#top").region.bottom <= size[1] - 1
        month = str(screen.query_one("#month", Static).content)
        assert "$12.50 of $50.00 (25 %)" in month and "balance $84.20" in month
        query = router.account.usage_queries[-1]
        assert query["start"] == ["2026-08-01T00:00:00Z"] and query["group_by"] == ["model_used"]
        await pilot.press("g")
        await wait_for(
            pilot, lambda: "Top providers" in str(screen.query_one("#top", Static).content)
        )
        await pilot.press("g")
        await wait_for(
            pilot, lambda: "requesty-tui" in str(screen.query_one("#top", Static).content)
        )
        assert router.account.usage_queries[-1]["group_by"] == ["origin_title"]
        await pilot.press("d")
        await wait_for(pilot, lambda: chart.history is not None and len(chart.history.days) == 30)


async def test_the_account_screen_degrades_with_a_reason(
    router: RouterServer, settings: Settings
) -> None:
    router.account.usage_status = 404
    router.account.org = None
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(AccountScreen(app.services, now=NOW))
        screen = app.screen
        problem = screen.query_one("#problem", Static)
        await wait_for(pilot, lambda: "404" in str(problem.content), what="the reason")
        assert "no Requesty management API" in str(problem.content)
        assert "balance" not in str(screen.query_one("#month", Static).content), "no error"
        await pilot.pause()
        from requesty_tui.ui.widgets.spend_chart import SpendChart

        shown = [str(w.render()) for w in (*screen.query(Static), *screen.query(SpendChart))]
        said = " ".join(" ".join(t.split()) for t in shown)
        assert said.count("no Requesty management API") == 1, "the reason is said once"


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
def test_the_account_screen_snapshot(snap_compare, router: RouterServer, size) -> None:  # type: ignore[no-untyped-def]
    app = RequestyApp(Settings(api_key="k", base_url=router.base_url))

    async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
        await usage_screen(pilot, app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=settle)


async def test_a_rating_reaches_the_router_with_the_replys_id(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text="Answer one.", completion_id="gen-abc-123"))
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await send_and_wait(pilot, "question")
        reply = screen.query_one(AssistantMessage)
        assert reply.message is not None and reply.message.completion_id == "gen-abc-123"
        reply.focus()
        await pilot.press("shift+up")
        await wait_for(pilot, lambda: reply.message.rating_sent, what="the rating sent")  # type: ignore[union-attr]
        sent = router.account.feedback[-1]
        assert sent["id"] == "gen-abc-123"
        assert sent["body"] == {"data": {"rating": "good", "helpful": True, "comment": ""}}
        assert sent["authorization"] == "Bearer test-key-123"
        assert "▲ good" in str(reply.header.content)
        router.account.feedback_status = 403
        await pilot.press("shift+down")
        await wait_for(pilot, lambda: any("not sent" in str(n.message) for n in app._notifications))
        assert "▼ bad (not sent)" in str(reply.header.content)
        assert router.account.feedback[-1]["body"]["data"]["rating"] == "bad"
        router.account.feedback_status = 200
        await run_command(pilot, "chat: rate reply…")
        await pilot.click("#answer-good")
        await pilot.pause()
        app.screen.query_one(Input).value = "clear and short"
        await pilot.press("enter")
        await wait_for(pilot, lambda: reply.message.rating_sent, what="the rating with a comment")  # type: ignore[union-attr]
        assert router.account.feedback[-1]["body"]["data"]["comment"] == "clear and short"
        await wait_for(
            pilot, lambda: not screen.saver.busy if hasattr(screen.saver, "busy") else True
        )
    conversation = SessionStore().load(screen.conversation.id)
    saved = conversation.messages[-1]
    assert (saved.completion_id, saved.rating, saved.rating_comment, saved.rating_sent) == (
        "gen-abc-123",
        "good",
        "clear and short",
        True,
    )

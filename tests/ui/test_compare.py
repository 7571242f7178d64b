"""Compare mode: one prompt to several models at once, their replies streaming side by side,
each column on its own (a failure, a stop), one picked to go on with; the others stay as its
alternatives in the file and after a resume. What the router received, what the screen shows,
what the file holds."""

from __future__ import annotations

import dataclasses
import threading

from textual.widgets import OptionList

from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.screens.model_picker import ModelSetPicker
from requesty_tui.ui.widgets.compare_view import CompareColumn, CompareView
from requesty_tui.ui.widgets.message import AssistantMessage, UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import chat_screen, send, type_text
from tests.support.ui import wait_for as wait

A, B, C = "openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5", "google/gemini-2.5-flash"


def columns(screen: ChatScreen) -> list[CompareColumn]:
    return list(screen.query(CompareColumn))


def by_model(router: RouterServer) -> dict[str, dict[str, object]]:
    return {r["body"]["model"]: r["body"] for r in router.chat_requests()}


def slow(text: str, hold: threading.Event | None = None) -> Reply:
    return Reply(text=text, chunk_chars=4, delay=0.03, hold=hold)


async def test_replies_stream_side_by_side_and_one_is_picked(
    router: RouterServer, settings: Settings
) -> None:
    settings = dataclasses.replace(settings, reasoning_effort="low")
    together = threading.Event()  # the three streams start at once, however loaded the machine
    router.queue_for(A, slow("alpha " * 30, together))
    router.queue_for(B, slow("bravo " * 30, together))
    router.queue_for(C, slow("charlie " * 30, together))
    app = RequestyApp(settings, compare=[A, B, C])
    async with app.run_test(size=(150, 40)) as pilot:
        screen = chat_screen(app)
        assert "compare: " + " · ".join([A, B, C]) in str(screen.query_one("#topbar").render())
        await send(pilot, "which is best?")
        await wait(pilot, lambda: len(router.chat_requests()) == 3, what="three requests")
        together.set()
        # Concurrently: a moment where every column has some text and none has all of it.
        fulls = ("alpha " * 30, "bravo " * 30, "charlie " * 30)
        await wait(
            pilot,
            lambda: len(columns(screen)) == 3 and all(
                c.text and c.running and len(c.text) < len(full)
                for c, full in zip(columns(screen), fulls, strict=True)),
            what="every column streaming at once",
        )  # fmt: skip
        assert all(c.display for c in columns(screen)), "side by side at 150 columns"
        await wait(pilot, lambda: not screen.streaming, what="all three")
        bodies = by_model(router)
        assert set(bodies) == {A, B, C}
        assert len({str(b["messages"]) for b in bodies.values()}) == 1, "the same messages"
        assert "reasoning_effort" not in bodies[A], "gpt-4o-mini does not reason"
        assert bodies[B]["reasoning_effort"] == "low" == bodies[C]["reasoning_effort"]
        first = columns(screen)[0]
        assert "first token" in str(first.header.render()) and "$0.000096" in str(
            first.header.render()
        )
        # Pick the second column: it is the reply on screen, the others its alternatives.
        columns(screen)[1].focus()
        await pilot.press("enter")
        await wait(pilot, lambda: not screen.query(CompareView), what="the pick")
        reply = screen.query(AssistantMessage).last()
        assert reply.text.startswith("bravo") and reply.border_title == "‹2/3›"
        path = screen.conversation.path()
        assert [m.content[:5] for m in path] == ["which", "bravo"]
        await wait(pilot, lambda: screen.saver.idle, what="the save")
        conversation_id = screen.conversation.id
    # The file holds every reply with its model and usage; the browser's cost is their sum.
    store = SessionStore()
    text = store.path_for(conversation_id).read_text()
    assert "format = 2" in text and all(f'model = "{m}"' in text for m in (A, B, C))
    [summary] = [s for s in store.summaries() if s.id == conversation_id]
    assert summary.cost is not None and abs(summary.cost - 3 * 0.000096) < 1e-9
    # Resume: the picked reply is on screen, ‹2/3›, its alternatives one key away.
    again = RequestyApp(settings, conversation=store.load(conversation_id), store=store)
    async with again.run_test(size=(150, 40)) as pilot:
        screen = chat_screen(again)
        await wait(pilot, lambda: bool(screen.query(AssistantMessage)), what="the history")
        reply = screen.query(AssistantMessage).last()
        assert reply.text.startswith("bravo") and reply.border_title == "‹2/3›"
        reply.focus()
        await pilot.press("left")
        await wait(pilot, lambda: screen.query(AssistantMessage).last().text.startswith("alpha"))


async def test_one_column_fails_another_is_stopped_the_rest_go_on(
    router: RouterServer, settings: Settings
) -> None:
    router.queue_for(A, slow("alpha " * 60))
    router.queue_for(B, Reply(status=404, error_message="Model not found"))
    router.queue_for(C, Reply(text="charlie " * 60, chunk_chars=4, delay=0.05))
    app = RequestyApp(settings, compare=[A, B, C])
    async with app.run_test(size=(150, 40)) as pilot:
        screen = chat_screen(app)
        await send(pilot, "go")
        await wait(pilot, lambda: len(columns(screen)) == 3, what="the columns")
        failed = columns(screen)[1]
        await wait(pilot, lambda: not failed.running, what="the 404")
        assert "404" in str(failed.header.render()) or "not found" in str(failed.header.render())
        assert failed.border_subtitle == "failed"
        third = columns(screen)[2]
        await wait(pilot, lambda: bool(third.text), what="the third streaming")
        third.focus()
        await pilot.press("ctrl+x")  # stop this one only (was x: a letter is text now)
        await wait(pilot, lambda: not third.running, what="the stop")
        assert columns(screen)[0].running, "the first goes on"
        await wait(pilot, lambda: not screen.streaming, what="the first to finish")
        assert columns(screen)[0].text == "alpha " * 60
        assert third.border_subtitle == "stopped"
        held = [m.model for m in screen.conversation.messages if m.role == "assistant"]
        assert held == [A, C], "the failed column left nothing; the stopped one its part"
        # The next prompt without a pick goes on from the first column, and says so.
        await pilot.pause()
        screen.query_one(PromptInput).focus()
        router.queue_for(A, Reply(text="next a"))
        router.queue_for(B, Reply(text="next b"))
        router.queue_for(C, Reply(text="next c"))
        await send(pilot, "and then?")
        await wait(pilot, lambda: len(router.chat_requests()) == 6, what="the next comparison")
        last = router.chat_requests()[-1]["body"]["messages"]
        assert [m["content"] for m in last][-2:] == ["alpha " * 60, "and then?"]
        assert any("Continuing from openai/gpt-4o-mini" in n.message for n in app._notifications)
        await wait(pilot, lambda: not screen.streaming)


async def test_esc_stops_every_column_and_nothing_answered_gives_the_prompt_back(
    router: RouterServer, settings: Settings
) -> None:
    router.queue_for(A, Reply(text="never", first_delay=30))
    router.queue_for(B, Reply(text="never", first_delay=30))
    app = RequestyApp(settings, compare=[A, B])
    async with app.run_test(size=(120, 30)) as pilot:
        screen = chat_screen(app)
        await send(pilot, "hello both")
        await wait(pilot, lambda: len(router.chat_requests()) == 2, what="both requests")
        await pilot.press("escape")
        await wait(pilot, lambda: not screen.streaming, what="the stop")
        assert screen.query_one(PromptInput).text == "hello both", "given back"
        assert screen.conversation.messages == [], "nothing answered, nothing kept"
        assert "stopped before any reply began" in str(
            screen.query(UserMessage).last().border_subtitle
        )


async def test_the_picker_chooses_several_and_narrow_columns_stack(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 30)) as pilot:
        screen = chat_screen(app)
        await wait(pilot, lambda: app.services.catalogue.models, what="the model list")
        await pilot.press("ctrl+p")
        await type_text(pilot, "compare models")
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, ModelSetPicker), what="the picker")
        picker = app.screen
        assert isinstance(picker, ModelSetPicker)
        assert picker.chosen == [A], "starts from the chat's model"
        await pilot.press("enter")  # one is not enough: it stays open and says so
        assert app.screen is picker
        await type_text(pilot, "claude-son")
        await pilot.press("space")
        assert picker.chosen == [A, B], picker.chosen
        await pilot.press("ctrl+u")
        await type_text(pilot, "gemini")
        await pilot.press("space")
        assert picker.chosen == [A, B, C]
        marked = picker.query_one(OptionList).get_option_at_index(0).prompt
        assert str(marked).startswith("[3] google/gemini-2.5-flash"), "the order is shown"
        await pilot.press("enter")
        await wait(pilot, lambda: app.screen is screen, what="the picker to close")
        assert app.context.compare_models == [A, B, C]
        assert "compare: " in str(screen.query_one("#topbar").render())
        router.queue_for(A, Reply(text="from a"))
        router.queue_for(B, Reply(text="from b"))
        router.queue_for(C, Reply(text="from c"))
        await send(pilot, "hi")
        await wait(pilot, lambda: len(columns(screen)) == 3 and not screen.streaming)
        view = screen.query_one(CompareView)
        # 80 columns: three replies would be 25 cells each; stacked, one at a time.
        assert view.narrow
        shown = [c for c in columns(screen) if c.display]
        assert [c.turn.model for c in shown] == [A]
        shown[0].focus()
        await pilot.press("right")
        await pilot.pause()
        assert [c.turn.model for c in columns(screen) if c.display] == [B]
        assert "2/3" in str(view.query_one("#compare-switcher").render())
        # A click on a finished column picks it.
        shown = [c for c in columns(screen) if c.display]
        await pilot.click(shown[0])
        await wait(pilot, lambda: not screen.query(CompareView), what="the pick by click")
        assert screen.query(AssistantMessage).last().text == "from b"
        # Compare off: the next message goes to the chat's model alone.
        await pilot.press("ctrl+p")
        await type_text(pilot, "compare off")
        await pilot.press("enter")
        await wait(pilot, lambda: app.context.compare_models == [])

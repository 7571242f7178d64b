"""Attachments in the chat: chips above the input, the file picker (ctrl+t), a pasted path,
--attach; what the router received, what the user saw, what the session file holds after a
resume; files that cannot go, each with its reason and nothing sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.dialogs import Confirm
from requesty_tui.ui.screens.file_picker import FilePicker
from requesty_tui.ui.widgets.attachment_bar import AttachmentChip
from requesty_tui.ui.widgets.message import UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.files import pdf, png
from tests.support.ui import chat_screen, send_and_wait, type_text
from tests.support.ui import wait_for as wait

SEEING = "anthropic/claude-sonnet-4-5"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    here = tmp_path / "projekt ü"
    (here / "logs").mkdir(parents=True)
    (here / "logs" / "build output.txt").write_text("ERROR: linker failed\n")
    (here / "shot.png").write_bytes(png())
    (here / "paper.pdf").write_bytes(pdf(["Abstract words", "Results words"]))
    (here / "junk.bin").write_bytes(bytes(range(256)) * 8)
    with (here / "huge.txt").open("wb") as handle:
        handle.truncate(50 * 2**20)  # 50 MB
    monkeypatch.chdir(here)
    return here


def chips(app: RequestyApp) -> list[str]:
    return [str(c.render()) for c in chat_screen(app).query(AttachmentChip)]


def notices(app: RequestyApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_attached_files_are_sent_shown_saved_and_sent_again_as_they_were(
    router: RouterServer, settings: Settings, folder: Path
) -> None:
    log = folder / "logs" / "build output.txt"
    app = RequestyApp(settings, attach=[log, folder / "paper.pdf"])
    async with app.run_test(size=(120, 30)) as pilot:
        await wait(pilot, lambda: len(chips(app)) == 2, what="the chips")
        assert chips(app)[0].startswith("📎 build output.txt · 21 B · text")
        assert "≈" in chat_screen(app).query_one("#status").render_line(0).text
        screen = await send_and_wait(pilot, "why?")
        assert chips(app) == [], "the chips went with the message"
        content = router.chat_requests()[-1]["body"]["messages"][-1]["content"]
        assert content.startswith("why?")
        assert "```build output.txt\nERROR: linker failed\n\n```" in content
        assert "--- page 2 of 2 ---\nResults words" in content
        header = screen.query(UserMessage).last().border_title
        assert header == "You · 📎 build output.txt, paper.pdf", header
        shown = str(screen.query(UserMessage).last().render())
        assert "📎 build output.txt (21 B, text)" in shown and "paper.pdf" in shown
        await wait(pilot, lambda: screen.saver.idle)
        conversation_id = screen.conversation.id
    log.write_text("the file changed since")
    store = SessionStore()
    assert "format = 3" in store.path_for(conversation_id).read_text()
    again = RequestyApp(settings, conversation=store.load(conversation_id), store=store)
    async with again.run_test(size=(120, 30)) as pilot:
        await send_and_wait(pilot, "and now?")
        first = router.chat_requests()[-1]["body"]["messages"][0]["content"]
        assert "ERROR: linker failed" in first and "changed since" not in first


async def test_an_image_goes_only_to_a_model_that_sees(
    router: RouterServer, settings: Settings, folder: Path
) -> None:
    app = RequestyApp(settings, attach=[folder / "shot.png"])
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = chat_screen(app)
        await wait(pilot, lambda: app.services.catalogue.models and chips(app))
        await type_text(pilot, "what is this?")
        await pilot.press("enter")
        await wait(pilot, lambda: any("cannot be sent" in n for n in notices(app)))
        said = next(n for n in notices(app) if "cannot be sent" in n)
        assert "openai/gpt-4o-mini does not say it can see images" in said and SEEING in said
        assert router.chat_requests() == [] and len(chips(app)) == 1
        assert screen.query_one(PromptInput).text == "what is this?"
        screen.set_model(SEEING)
        screen.query_one(PromptInput).focus()
        await pilot.press("enter")
        await wait(pilot, lambda: router.chat_requests(), what="the send")
        text, image = router.chat_requests()[-1]["body"]["messages"][-1]["content"]
        assert text == {"type": "text", "text": "what is this?"}
        assert image["image_url"]["url"].startswith("data:image/png;base64,iVBORw0KGgo")
        await wait(pilot, lambda: not screen.streaming)


async def test_the_picker_a_pasted_path_and_files_that_cannot_go(
    router: RouterServer, settings: Settings, folder: Path
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = chat_screen(app)
        await pilot.press("ctrl+t")
        await wait(pilot, lambda: isinstance(app.screen, FilePicker), what="the file picker")
        await type_text(pilot, "build out")
        await pilot.press("enter")
        await wait(pilot, lambda: len(chips(app)) == 1, what="picked and attached")
        # A path dropped on the terminal arrives as a paste: attach it?
        screen.query_one(PromptInput).post_message(events.Paste(f"'{folder / 'shot.png'}'"))
        await wait(pilot, lambda: isinstance(app.screen, Confirm), what="the offer")
        await pilot.click("#yes")
        await wait(pilot, lambda: len(chips(app)) == 2)
        # A click on a chip takes it off.
        await pilot.click(AttachmentChip)
        await wait(pilot, lambda: len(chips(app)) == 1)
        for name, reason in (
            ("huge.txt", "is 50.0 MB; the limit is 10.0 MB"),
            ("junk.bin", "binary file of a kind that cannot be sent"),
            ("logs", "is a folder"),
            ("gone.txt", "cannot read gone.txt"),
        ):
            await pilot.press("ctrl+t")
            await wait(pilot, lambda: isinstance(app.screen, FilePicker))
            await type_text(pilot, f"./{name}" if name != "gone.txt" else "gone.txt")
            app.screen.query_one("#picker-list").clear_options()  # Enter takes the typed path
            await pilot.press("enter")
            await wait(pilot, lambda r=reason: any(r in n for n in notices(app)), what=reason)
        assert len(chips(app)) == 1 and router.chat_requests() == []

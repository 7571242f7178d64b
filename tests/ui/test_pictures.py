"""Image attachments as pictures in the message (kitty graphics, Unicode placeholders): what
the message shows and what reached the terminal, with the protocol on; the chip alone with it
off, for a JPEG, and where the terminal is not known to draw."""

from __future__ import annotations

import base64
import re

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.geometry import Region

from requesty_tui.core import kitty_graphics as kg
from requesty_tui.core.domain import Attachment, Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.storage.attachments import AttachmentStore
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.message import UserMessage
from requesty_tui.ui.widgets.picture import cell_pixels
from tests.support.files import png
from tests.support.ui import chat_screen
from tests.support.ui import wait_for as wait

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app writes to the terminal outside its frames (Pilot's driver drops it)."""
    out: list[str] = []
    monkeypatch.setattr(HeadlessDriver, "write", lambda self, data: out.append(data))
    monkeypatch.delenv("TMUX", raising=False)
    return out


def conversation(*files: Attachment) -> Conversation:
    conv = Conversation(id="20261122-100000-cccc", model="openai/gpt-4o-mini", title="Shots")
    conv.messages = [
        Message(role="user", content="what is in this?", attachments=list(files)),
        Message(role="assistant", content="A red square.", finish_reason="stop"),
        Message(role="user", content="and again", attachments=list(files)),
        Message(role="assistant", content="Still red.", finish_reason="stop"),
    ]
    return conv


def shown_lines(widget: UserMessage) -> list[list[tuple[str, tuple[int, int, int] | None]]]:
    """The message as drawn: per line, its segments' text and foreground colour."""
    width, height = widget.outer_size
    lines = []
    for strip in widget.render_lines(Region(0, 0, width, height)):
        segments = []
        for segment in strip:
            color = segment.style.color if segment.style else None
            rgb = color.get_truecolor() if color is not None else None
            segments.append((segment.text, (rgb.red, rgb.green, rgb.blue) if rgb else None))
        lines.append(segments)
    return lines


async def open_app(settings: Settings, conv: Conversation) -> RequestyApp:
    store = SessionStore()
    store.save(conv)
    return RequestyApp(settings, conversation=store.load(conv.id), store=store)


async def test_a_png_attachment_is_drawn_under_the_text_and_sent_to_the_terminal_once(
    settings: Settings, written: list[str]
) -> None:
    data = png(80, 40)
    shot = AttachmentStore().add_bytes("shot.png", data)
    app = await open_app(settings.with_overrides(images="kitty"), conversation(shot))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = chat_screen(app)
        await wait(pilot, lambda: len(screen.query(UserMessage)) == 2, what="the messages")
        columns, rows = kg.fit((80, 40), cell_pixels())
        image = kg.image_id(shot.sha256)
        for message in screen.query(UserMessage):
            await wait(pilot, lambda m=message: m.size.height > 0, what="the layout")
            lines = shown_lines(message)
            text = ["".join(t for t, _ in line) for line in lines]
            assert any("📎 shot.png" in line for line in text), "the chip stays, as a caption"
            cells = [
                (t, c) for line in lines for t, c in line if kg.PLACEHOLDER in t
            ]  # fmt: skip
            assert len(cells) == rows, "one run of cells per row of the picture"
            assert {c for _, c in cells} == {kg.colour(image)}, "the image id, as the colour"
            assert [t.count(kg.PLACEHOLDER) for t, _ in cells] == [columns] * rows
            assert [t for t, _ in cells] == kg.placeholder_rows(columns, rows)
            under = next(i for i, line in enumerate(text) if kg.PLACEHOLDER in line)
            assert under > next(i for i, line in enumerate(text) if "📎" in line), "under it"
    sent = "".join(written)
    found = re.findall(r"\x1b_G([^;]*);([^\x1b]*)\x1b\\", sent)
    assert len(found) == 1, "sent once for both messages"
    keys, payload = found[0]
    assert keys == f"a=T,U=1,f=100,i={image},c={columns},r={rows},q=2,m=0"
    assert base64.b64decode(payload) == data


@pytest.mark.parametrize(
    ("images", "environ", "name", "data"),
    [
        ("off", {}, "shot.png", png(80, 40)),
        ("kitty", {}, "photo.jpg", JPEG),  # kitty decodes PNG only: the chip
        ("auto", {"TERM": "xterm-256color"}, "shot.png", png(80, 40)),  # not known to draw
    ],
)
async def test_otherwise_the_chip_as_before_and_nothing_sent(
    settings: Settings,
    written: list[str],
    monkeypatch: pytest.MonkeyPatch,
    images: str,
    environ: dict[str, str],
    name: str,
    data: bytes,
) -> None:
    for var in ("KITTY_WINDOW_ID", "TERM_PROGRAM"):
        monkeypatch.delenv(var, raising=False)
    for var, value in environ.items():
        monkeypatch.setenv(var, value)
    shot = AttachmentStore().add_bytes(name, data)
    app = await open_app(settings.with_overrides(images=images), conversation(shot))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = chat_screen(app)
        await wait(pilot, lambda: len(screen.query(UserMessage)) == 2, what="the messages")
        message = screen.query(UserMessage).first()
        await wait(pilot, lambda: message.size.height > 0, what="the layout")
        text = "".join(t for line in shown_lines(message) for t, _ in line)
        assert f"📎 {name}" in text
        assert kg.PLACEHOLDER not in text
        assert message.size.height == 2, "the text and the chip: as before"
    assert "\x1b_G" not in "".join(written)


async def test_auto_draws_in_kitty(
    settings: Settings, written: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KITTY_WINDOW_ID", "1")
    shot = AttachmentStore().add_bytes("shot.png", png(20, 20))
    app = await open_app(settings, conversation(shot))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = chat_screen(app)
        await wait(pilot, lambda: len(screen.query(UserMessage)) == 2, what="the messages")
        message = screen.query(UserMessage).first()
        await wait(pilot, lambda: message.size.height > 0, what="the layout")
        assert kg.PLACEHOLDER in "".join(t for line in shown_lines(message) for t, _ in line)
    assert "\x1b_Ga=T,U=1" in "".join(written)

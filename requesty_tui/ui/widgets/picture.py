"""Image attachments drawn in the user's message, where the terminal speaks kitty's graphics
protocol (the encoding is :mod:`requesty_tui.core.kitty_graphics`'s).

Each image is sent to the terminal once per run (through the driver, as ``App.bell``
writes); the message then shows rows of placeholder cells under its text (:class:`Pictured`),
which the terminal draws the image over. Placeholders are text, so a message unmounted and
mounted again while paging only needs the image to be in the terminal already. Imported only
for a message with an image attachment: nothing of it at start-up. Web mode, ``images =
"off"``, a terminal not known to draw, a JPEG/GIF/WebP, a copy that is gone: the chip alone.
"""

from __future__ import annotations

import os
import struct
import sys
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.color import Color, ColorSystem
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.app import App
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

from requesty_tui.core import kitty_graphics as kg
from requesty_tui.core.domain import Attachment
from requesty_tui.storage.attachments import AttachmentError, AttachmentStore

MESSAGE_FRAME = 8
"""Columns around a message's text at full width: the pane's scrollbar and margin, the
message's border and padding (a picture wider than what is left would be cut)."""


@dataclass(frozen=True, slots=True)
class Picture:
    """One image as cells: its id in the terminal, its size."""

    image: int
    columns: int
    rows: int


@dataclass(slots=True)
class _Run:
    """What one app run knows: how it draws, and which images the terminal has."""

    method: str
    tmux: bool
    cell: tuple[int, int] | None
    known: dict[str, Picture | None] = field(default_factory=dict)
    """By the attachment's SHA-256 (None: not drawn, say a JPEG or a missing copy)."""


_runs: weakref.WeakKeyDictionary[App[object], _Run] = weakref.WeakKeyDictionary()


def cell_pixels() -> tuple[int, int] | None:
    """A cell's size in pixels from the terminal (TIOCGWINSZ), None where it does not say."""
    try:
        import fcntl
        import termios
    except ImportError:  # Windows
        return None
    for stream in (sys.__stdout__, sys.__stderr__):
        try:
            packed = fcntl.ioctl(stream.fileno(), termios.TIOCGWINSZ, b"\0" * 8)  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            continue
        return kg.cell_size(*struct.unpack("HHHH", packed))
    return None


def _run(app: App[object]) -> _Run:
    run = _runs.get(app)
    if run is None:
        settings = getattr(app, "settings", None)
        setting = getattr(settings, "images", "off")
        method = "off" if app.is_web else kg.method_for(setting, os.environ)
        run = _Run(method, "TMUX" in os.environ, cell_pixels() if method == "kitty" else None)
        if method == "kitty" and app.console.color_system != "truecolor":
            # The image id is the cells' 24-bit colour: every terminal that speaks the
            # protocol has true colour (a missing COLORTERM, inside tmux say, would make
            # Textual send 256 colours and lose it).
            app.console._color_system = ColorSystem.TRUECOLOR
        _runs[app] = run
    return run


def _picture(app: App[object], run: _Run, attachment: Attachment) -> Picture | None:
    """The attachment as a picture, its image sent to the terminal (None: not drawable)."""
    if attachment.mime != "image/png":
        return None  # kitty would decode only PNG (f=100); no Pillow here
    try:
        data = AttachmentStore().read(attachment)
    except AttachmentError:
        return None
    pixels = kg.png_size(data)
    driver = getattr(app, "_driver", None)  # the one way Textual writes raw bytes (App.bell)
    if pixels is None or driver is None:
        return None
    room = max(1, app.size.width - MESSAGE_FRAME)
    columns, rows = kg.fit(pixels, run.cell, max_columns=min(kg.MAX_COLUMNS, room))
    picture = Picture(kg.image_id(attachment.sha256), columns, rows)
    driver.write(kg.transmit(data, picture.image, columns, rows, tmux=run.tmux))
    return picture


def pictures(app: App[object], attachments: Sequence[Attachment]) -> tuple[Picture, ...]:
    """The pictures to draw under a message's text (none when this terminal does not)."""
    run = _run(app)
    if run.method != "kitty":
        return ()
    found: list[Picture] = []
    for attachment in attachments:
        if attachment.kind != "image":
            continue
        if attachment.sha256 not in run.known:
            run.known[attachment.sha256] = _picture(app, run, attachment)
        picture = run.known[attachment.sha256]
        if picture is not None:
            found.append(picture)
    return tuple(found)


class Pictured(Visual):
    """A message's text with its pictures under it: rows of placeholder cells, cut (never
    wrapped) to the message's width."""

    def __init__(self, content: Content, pictures: Sequence[Picture]) -> None:
        self.content = content
        self.pictures = tuple(pictures)

    def __str__(self) -> str:
        return str(self.content)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        strips = list(self.content.render_strips(width, None, style, options))
        base = style.rich_style
        for picture in self.pictures:
            cells = base + RichStyle(color=Color.from_rgb(*kg.colour(picture.image)))
            for row in kg.placeholder_rows(picture.columns, picture.rows):
                strips.append(Strip([Segment(row, cells)]).crop(0, width))
        return strips if height is None else strips[:height]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        widest = max(p.columns for p in self.pictures) if self.pictures else 0
        return max(self.content.get_optimal_width(rules, container_width), widest)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.content.get_height(rules, width) + sum(p.rows for p in self.pictures)

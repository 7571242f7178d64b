"""The kitty graphics protocol as text: what the terminal receives to show an attached PNG
(chunks, tmux passthrough, placeholder cells), the picture's size in cells, and when the
environment says the terminal can draw it."""

from __future__ import annotations

import base64
import re
import struct

import pytest

from requesty_tui.core import kitty_graphics as kg
from requesty_tui.core.safe_text import make_safe
from tests.support.files import png

APC = re.compile(r"\x1b_G([^;]*);([^\x1b]*)\x1b\\")


def test_a_small_png_is_sent_whole_in_one_sequence_as_a_virtual_placement() -> None:
    data = png(4, 4)
    out = kg.transmit(data, 0x123456, 3, 2)
    [(keys, payload)] = APC.findall(out)
    assert dict(k.split("=") for k in keys.split(",")) == {
        "a": "T", "U": "1", "f": "100", "i": str(0x123456), "c": "3", "r": "2", "q": "2",
        "m": "0",
    }  # fmt: skip
    assert base64.b64decode(payload) == data, "the PNG as-is, no re-encoding"


def test_a_big_png_goes_in_chunks_of_at_most_4096_with_m_flags() -> None:
    data = bytes(range(256)) * 40  # 10 240 bytes: 13 656 of base64, 4 chunks
    out = kg.transmit(data, 7, 10, 5)
    chunks = APC.findall(out)
    assert len(chunks) == 4
    assert chunks[0][0].startswith("a=T,U=1,f=100,i=7,c=10,r=5,q=2,m=1")
    assert [keys for keys, _ in chunks[1:]] == ["m=1,q=2", "m=1,q=2", "m=0,q=2"]
    assert all(len(payload) <= 4096 and len(payload) % 4 == 0 for _, payload in chunks[:-1])
    assert base64.b64decode("".join(payload for _, payload in chunks)) == data


def test_inside_tmux_every_chunk_is_wrapped_with_its_esc_doubled() -> None:
    data = bytes(range(256)) * 20
    plain = kg.transmit(data, 9, 4, 2)
    wrapped = kg.transmit(data, 9, 4, 2, tmux=True)
    pieces = re.findall(r"\x1bPtmux;(.*?)(?<!\x1b)\x1b\\", wrapped, flags=re.S)
    assert len(pieces) == 2
    assert "".join(p.replace("\x1b\x1b", "\x1b") for p in pieces) == plain
    assert all(p.startswith("\x1b\x1b_G") and p.endswith("\x1b\x1b\\") for p in pieces)


def test_placeholder_rows_name_each_cells_row_and_column() -> None:
    rows = kg.placeholder_rows(3, 2)
    assert rows[0] == "\U0010eeee\u0305\u0305\U0010eeee\u0305\u030d\U0010eeee\u0305\u030e"
    assert rows[1] == "\U0010eeee\u030d\u0305\U0010eeee\u030d\u030d\U0010eeee\u030d\u030e"
    # Row 11 and column 39, the largest picture's corner: kitty's 12th and 40th diacritics.
    assert kg.placeholder_rows(40, 12)[11][-3:] == "\U0010eeee\u034c\u0597"


def test_the_image_id_is_the_cells_colour_and_comes_from_the_content() -> None:
    image = kg.image_id("a1b2c3" + "0" * 58)
    assert image == 0xA1B2C3
    assert kg.colour(image) == (0xA1, 0xB2, 0xC3)
    assert kg.image_id("0" * 64) == 1, "0 means no image: never used"


@pytest.mark.parametrize(
    ("pixels", "cell", "expected"),
    [
        ((80, 40), (10, 20), (8, 2)),  # small: its own size
        ((2, 2), None, (1, 1)),  # tiny: one cell
        ((300, 3000), (10, 20), (2, 12)),  # tall: 12 rows, narrow
        ((4000, 200), (10, 20), (40, 1)),  # wide: 40 columns, one row
        ((800, 600), None, (32, 12)),  # no pixel size: 10x20 cells
        ((400, 100), (8, 16), (40, 5)),  # wide, small cells
    ],
)
def test_a_picture_keeps_its_aspect_ratio_within_40_columns_and_12_rows(
    pixels: tuple[int, int], cell: tuple[int, int] | None, expected: tuple[int, int]
) -> None:
    assert kg.fit(pixels, cell) == expected


def test_a_picture_is_never_wider_than_the_message() -> None:
    assert kg.fit((4000, 200), (10, 20), max_columns=25) == (25, 1)


def test_the_cell_size_comes_from_the_window_size_in_pixels_when_it_is_reported() -> None:
    assert kg.cell_size(24, 80, 800, 480) == (10, 20)
    assert kg.cell_size(24, 80, 0, 0) is None, "many terminals say 0"
    assert kg.cell_size(0, 0, 800, 480) is None, "a 0-column terminal"


def test_the_png_size_is_read_from_its_header() -> None:
    assert kg.png_size(png(37, 5)) == (37, 5)
    assert kg.png_size(b"\xff\xd8\xff\xe0" + b"\0" * 40) is None, "a JPEG"
    assert kg.png_size(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13)) is None, "cut short"


@pytest.mark.parametrize(
    ("setting", "environ", "expected"),
    [
        ("auto", {"TERM": "xterm-kitty"}, "kitty"),
        ("auto", {"TERM": "xterm-256color", "KITTY_WINDOW_ID": "3"}, "kitty"),
        ("auto", {"TERM": "xterm-ghostty"}, "kitty"),
        ("auto", {"TERM": "xterm-256color", "TERM_PROGRAM": "ghostty"}, "kitty"),
        ("auto", {"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, "off"),
        ("auto", {"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, "off"),
        ("auto", {"TERM": "xterm-256color"}, "off"),
        # Inside tmux the outer terminal is unknown without asking it.
        ("auto", {"TERM": "tmux-256color", "TMUX": "/tmp/t,1,0", "KITTY_WINDOW_ID": "3"}, "off"),
        ("kitty", {"TERM": "tmux-256color", "TMUX": "/tmp/t,1,0"}, "kitty"),
        ("off", {"TERM": "xterm-kitty"}, "off"),
    ],
)
def test_the_protocol_is_used_where_the_environment_names_kitty_or_ghostty(
    setting: str, environ: dict[str, str], expected: str
) -> None:
    assert kg.method_for(setting, environ) == expected


def test_a_placeholder_in_model_text_is_shown_as_a_replacement_character() -> None:
    """A reply cannot draw a picture by sending placeholder cells of its own."""
    assert make_safe("look \U0010eeee\u0305\u0305 here") == "look \ufffd\u0305\u0305 here"

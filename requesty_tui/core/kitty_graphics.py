"""Pictures in the terminal: kitty's graphics protocol with Unicode placeholders, as text.

The image is sent once (``a=T``, PNG as-is ``f=100``, a virtual placement ``U=1`` of
``c`` x ``r`` cells, ``q=2``: no reply from the terminal) and then drawn wherever the
terminal shows placeholder cells: U+10EEEE with a row and a column diacritic, its
foreground colour the image id. Placeholders are plain text, so they survive Textual
repainting cells, scrolling, and tmux (kitty >= 0.28, Ghostty). Why not ``textual-image``:
it queries the terminal at import (~110 ms of start-up), draws nothing inside tmux, fails
in a 0-column terminal and needs Python >= 3.12.

Nothing here knows Textual or writes anything: ``ui/widgets/picture.py`` does.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Mapping

SETTINGS = ("auto", "kitty", "off")
"""``images`` in config.toml."""

PLACEHOLDER = "\U0010eeee"

DIACRITICS = "".join(
    chr(int(code, 16))
    for code in (
        "0305 030D 030E 0310 0312 033D 033E 033F 0346 034A 034B 034C 0350 0351 0352 0357 "
        "035B 0363 0364 0365 0366 0367 0368 0369 036A 036B 036C 036D 036E 036F 0483 0484 "
        "0485 0486 0487 0592 0593 0594 0595 0597 0598 0599 059C 059D 059E 059F 05A0 05A1 "
        "05A8 05A9 05AB 05AC 05AF 05C4 0610 0611 0612 0613 0614 0615 0616 0617 0657 0658"
    ).split()
)
"""Row/column numbers 0..63: the first 64 of kitty's ``gen/rowcolumn-diacritics.txt``
(combining class 230, no decomposition); a picture is never bigger than that."""

MAX_COLUMNS = 40
MAX_ROWS = 12
"""A picture's largest size in cells: it shows what was sent without pushing the
conversation off an 80x24 screen."""

DEFAULT_CELL = (10, 20)
"""A cell's size in pixels when the terminal does not say (a 10-11 pt monospace font)."""

CHUNK = 4096
"""Base64 bytes per escape sequence: kitty's limit."""

ESC = "\x1b"
ST = "\x1b\\"


def method_for(setting: str, environ: Mapping[str, str]) -> str:
    """``kitty`` or ``off``. ``auto``: kitty and Ghostty (they say who they are in the
    environment; nothing is asked of the terminal). Inside tmux or screen the outer terminal
    cannot be known without asking it: off unless the setting says ``kitty``."""
    if setting != "auto":
        return setting
    if "TMUX" in environ or "STY" in environ:
        return "off"
    term = environ.get("TERM", "")
    if term in ("xterm-kitty", "xterm-ghostty") or environ.get("KITTY_WINDOW_ID"):
        return "kitty"
    return "kitty" if environ.get("TERM_PROGRAM") == "ghostty" else "off"


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from a PNG's IHDR; None for anything that is not a PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return (width, height) if width and height else None


def cell_size(rows: int, columns: int, xpixel: int, ypixel: int) -> tuple[int, int] | None:
    """A cell's (width, height) in pixels from the terminal's window size (TIOCGWINSZ);
    None when it reports no pixels (many do not)."""
    if rows <= 0 or columns <= 0 or xpixel <= 0 or ypixel <= 0:
        return None
    width, height = xpixel // columns, ypixel // rows
    return (width, height) if width and height else None


def fit(
    pixels: tuple[int, int],
    cell: tuple[int, int] | None,
    max_columns: int = MAX_COLUMNS,
    max_rows: int = MAX_ROWS,
) -> tuple[int, int]:
    """(columns, rows) that show the image at its size, or smaller to fit the caps,
    keeping its aspect ratio (to the nearest cell, at least one each way)."""
    width, height = pixels
    cell_w, cell_h = cell or DEFAULT_CELL
    max_columns = max(1, min(max_columns, len(DIACRITICS)))
    max_rows = max(1, min(max_rows, len(DIACRITICS)))
    scale = min(1.0, max_columns * cell_w / width, max_rows * cell_h / height)
    columns = min(max_columns, max(1, round(width * scale / cell_w)))
    rows = min(max_rows, max(1, round(height * scale / cell_h)))
    return columns, rows


def image_id(sha256: str) -> int:
    """An id from the image's content (24 bits: the placeholder's colour carries it whole;
    never 0, which means "none")."""
    return int(sha256[:6], 16) or 1


def colour(image: int) -> tuple[int, int, int]:
    """The placeholder cells' foreground colour for an image id."""
    return (image >> 16) & 0xFF, (image >> 8) & 0xFF, image & 0xFF


def passthrough(sequence: str) -> str:
    """One escape sequence through tmux to the outer terminal (``allow-passthrough on``)."""
    return f"{ESC}Ptmux;" + sequence.replace(ESC, ESC + ESC) + ST


def transmit(png: bytes, image: int, columns: int, rows: int, *, tmux: bool = False) -> str:
    """What to write once so that placeholder cells of ``image`` show ``png``."""
    payload = base64.standard_b64encode(png).decode("ascii")
    chunks = [payload[i : i + CHUNK] for i in range(0, len(payload), CHUNK)] or [""]
    out: list[str] = []
    for n, chunk in enumerate(chunks):
        more = 1 if n < len(chunks) - 1 else 0
        keys = f"a=T,U=1,f=100,i={image},c={columns},r={rows},q=2,m={more}" if n == 0 else (
            f"m={more},q=2"
        )  # fmt: skip
        sequence = f"{ESC}_G{keys};{chunk}{ST}"
        out.append(passthrough(sequence) if tmux else sequence)
    return "".join(out)


def placeholder_rows(columns: int, rows: int) -> list[str]:
    """The text of each row of placeholder cells (each cell names its row and column, so a
    cell stands on its own wherever the line is cut)."""
    return [
        "".join(PLACEHOLDER + DIACRITICS[row] + DIACRITICS[column] for column in range(columns))
        for row in range(rows)
    ]

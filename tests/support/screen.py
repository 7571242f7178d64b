"""Enough of a terminal to read what a served app drew: its websocket's bytes → rows of text.

Textual's output is cursor moves (CSI row;col H), colours (SGR) and text; everything else is
skipped. OSC sequences are kept (``osc``): the clipboard's OSC 52 is one.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

_CSI = re.compile(r"\x1b\[([0-9;?<=>$ ]*)([@-~])")
_OSC = re.compile(r"\x1b\](.*?)(?:\x07|\x1b\\)", re.S)


def _width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


class Screen:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells = [[" "] * width for _ in range(height)]
        self.row = self.col = 0
        self.osc: list[str] = []
        self.received = b""
        self._decode = codecs.getincrementaldecoder("utf-8")("replace").decode
        self._pending = ""

    def feed(self, data: bytes) -> None:
        self.received += data
        text = self._pending + self._decode(data)
        self._pending = ""
        i = 0
        while i < len(text):
            char = text[i]
            if char == "\x1b":
                match = _CSI.match(text, i) or _OSC.match(text, i)
                if match is None:
                    if len(text) - i < 64 and text.find("\x07", i) < 0:  # cut mid-sequence
                        self._pending = text[i:]
                        return
                    i += 2
                    continue
                if match.re is _OSC:
                    self.osc.append(match.group(1))
                else:
                    self._csi(match.group(1), match.group(2))
                i = match.end()
                continue
            if char == "\r":
                self.col = 0
            elif char == "\n":
                self.row = min(self.row + 1, self.height - 1)
            elif char >= " ":
                self._put(char)
            i += 1

    def _csi(self, params: str, final: str) -> None:
        if final == "H" and "?" not in params:
            parts = [int(p) if p.isdigit() else 1 for p in [*params.split(";"), "1", "1"][:2]]
            self.row = min(max(parts[0] - 1, 0), self.height - 1)
            self.col = min(max(parts[1] - 1, 0), self.width - 1)
        elif final == "J" and params in ("2", "3"):
            self.cells = [[" "] * self.width for _ in range(self.height)]

    def _put(self, char: str) -> None:
        width = _width(char)
        if width == 0 or self.col >= self.width:
            return
        self.cells[self.row][self.col] = char
        if width == 2 and self.col + 1 < self.width:
            self.cells[self.row][self.col + 1] = ""
        self.col += width

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.cells]

    def text(self) -> str:
        return "\n".join(self.lines())

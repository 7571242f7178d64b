"""Split a growing Markdown text into finished top-level blocks and one open tail.

This is what makes streaming cheap: a finished block (a paragraph followed by the start of
another block, a closed code fence) can no longer change, so it is rendered once. Only the
tail is re-rendered as deltas arrive, and an open code fence is not even parsed: lines are
scanned once for the closing fence, so a 100 KB fence streams in linear time.

Pure Python over markdown-it-py (Rich's own parser); no Textual.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from requesty_tui.core.safe_text import make_safe

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = [
    "BlockSplitter",
    "CodeBlock",
    "block_parser",
    "code_blocks",
    "make_safe",
    "split_blocks",
    "tail_cut",
]

_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})")
_BLANK_PREFIX = re.compile(r"(?:[ \t]*\n)+")
_FENCE_LINE = re.compile(r"\n {0,3}(?:`{3}|~{3}).*")
"""A line that may open or close a fence, found after its newline (3x faster over 1 MB than a
multi-line ``^``); :func:`_fence_opened` and :func:`_fence_closed` decide."""
_CUT = re.compile(r"\n[ \t]*\n(?=[A-Za-z#])")
"""A blank line, then a paragraph or heading at the start of a line: a list, quote, table or
paragraph before it has ended there (none goes on past a blank line into such a line)."""
_HTML_SPANNING = re.compile(r"\n {0,3}<(?:script|pre|style|textarea|!|\?)", re.IGNORECASE)
"""The HTML blocks that may go on past a blank line (CommonMark's kinds 1-5)."""


@functools.cache
def block_parser() -> MarkdownIt:
    """The same dialect Rich renders (CommonMark + tables + strikethrough), blocks only.

    One parser for every message: ``parse`` keeps no state between calls, and each
    ``MarkdownIt`` compiles its own link-detection tables (about 0.2 MB a message, seen in
    the soak benchmark's memory).
    """
    from markdown_it import MarkdownIt  # ~50 ms: imported when the first message is shown

    return MarkdownIt().enable("strikethrough").enable("table").disable("inline")


class BlockSplitter:
    """Feed text; read :attr:`finished` (append-only) and :attr:`tail`."""

    def __init__(self, parser: MarkdownIt | None = None) -> None:
        self.finished: list[str] = []
        self.tail = ""
        self._parser = parser or block_parser()
        self._fence: tuple[str, int] | None = None
        self._scan = 0

    @property
    def in_open_fence(self) -> bool:
        """The tail is a code fence whose closing line has not arrived yet."""
        return self._fence is not None

    def feed(self, text: str) -> int:
        """Append text; return how many blocks became finished."""
        before = len(self.finished)
        self.tail += text
        self._split(final=False)
        return len(self.finished) - before

    def close(self) -> int:
        """End of text: the tail is split into blocks and finished too."""
        before = len(self.finished)
        self._split(final=True)
        return len(self.finished) - before

    def _finish(self, source: str) -> None:
        source = source.rstrip()
        if source:
            self.finished.append(source)

    def _split(self, final: bool) -> None:
        while True:
            if self._fence is not None:
                if not self._close_fence(final):
                    return
                continue
            match = _BLANK_PREFIX.match(self.tail)
            if match:
                self.tail = self.tail[match.end() :]
            if not self.tail:
                return
            if _FENCE_OPEN.match(self.tail):
                if "\n" not in self.tail and not final:
                    return  # "```" may still grow into "````": wait for the whole line
                self._fence = _fence_opened(self.tail.split("\n", 1)[0])
                if self._fence is not None:
                    newline = self.tail.find("\n")
                    self._scan = newline + 1 if newline >= 0 else len(self.tail)
                    continue
            if not self._split_blocks(final):
                return

    def _close_fence(self, final: bool) -> bool:
        """Look for the closing line in the lines not scanned yet."""
        fence = self._fence
        assert fence is not None
        tail = self.tail
        pos = self._scan
        if pos == 0:  # the opening line was incomplete when seen
            newline = tail.find("\n")
            if newline < 0:
                return self._end_fence_at_eof(final)
            pos = newline + 1
        while True:
            newline = tail.find("\n", pos)
            if newline < 0:
                self._scan = pos
                return self._end_fence_at_eof(final)
            if _fence_closed(tail[pos:newline], fence):
                self._finish(tail[: newline + 1])
                self.tail = tail[newline + 1 :]
                self._fence = None
                self._scan = 0
                return True
            pos = newline + 1

    def _end_fence_at_eof(self, final: bool) -> bool:
        if final:
            self._finish(self.tail)
            self.tail = ""
            self._fence = None
            self._scan = 0
        return False

    def _split_blocks(self, final: bool) -> bool:
        """Parse the complete lines of the tail; finish every block but the last."""
        text = self.tail if final else self.tail[: self.tail.rfind("\n") + 1]
        if not text:
            return False
        starts = sorted(
            {
                token.map[0]
                for token in self._parser.parse(text)
                if token.level == 0 and token.nesting >= 0 and token.map is not None
            }
        )
        if starts:
            starts[0] = 0  # link definitions before the first block belong to it
        if final:
            if not starts:
                self._finish(self.tail)
                self.tail = ""
                return False
            starts.append(text.count("\n") + 1)
        if len(starts) < 2:
            return False
        lines = self.tail.split("\n")
        for begin, end in itertools.pairwise(starts):
            self._finish("\n".join(lines[begin:end]))
        last = starts[-1]
        self.tail = "\n".join(lines[last:]) if not final else ""
        return not final and bool(self.tail)


def split_blocks(text: str) -> list[str]:
    """All blocks of a complete text, exactly as streaming it would give them."""
    splitter = BlockSplitter()
    splitter.feed(text)
    splitter.close()
    return splitter.finished


def tail_cut(text: str, keep: int, reach: int = 65_536) -> int:
    """Where ``text`` can be cut in two whose blocks are the whole's, at least ``keep``
    characters before its end (within ``reach`` more); 0 when no such place is found.

    What makes a long reply's end show first: its last screen is split (and drawn) without
    parsing the megabyte before it. The cut is at the start of a line after a blank line,
    outside any code fence; its blocks are checked against the whole's once the whole is
    split (:class:`~requesty_tui.ui.widgets.markdown_cache.RenderCache`), as a fence inside a
    container could still mislead this scan.
    """
    limit = len(text) - keep
    if limit <= 0:
        return 0
    fenced = _fenced_spans(text[:limit])
    last = None
    for match in _CUT.finditer(text, max(0, limit - reach), limit):
        if not _in_fence(fenced, match.end()):
            last = match.end()
    if last is None or _HTML_SPANNING.search("\n" + text[:last]):
        return 0
    return last


def _fenced_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every code fence, as a top-level fence scan sees them; an unclosed
    one runs to the end."""
    spans: list[tuple[int, int]] = []
    start, fence = 0, None
    for match in _FENCE_LINE.finditer("\n" + text):  # offsets: one more than the text's
        line = match.group()[1:]
        if fence is None:
            fence, start = _fence_opened(line), match.start()
        elif _fence_closed(line, fence):
            spans.append((start, match.end() - 1))
            fence = None
    if fence is not None:
        spans.append((start, len(text) + 1))
    return spans


def _fence_opened(line: str) -> tuple[str, int] | None:
    """The fence a block's first line opens (its character and length), or None: CommonMark's
    rule, for the splitter and for :func:`tail_cut`'s scan alike."""
    opener = _FENCE_OPEN.match(line)
    if opener is None:
        return None
    mark = opener.group(1)
    if mark[0] == "`" and "`" in line[opener.end() :]:
        return None  # a backtick fence's info string has no backtick: this is inline code
    return mark[0], len(mark)


def _fence_closed(line: str, fence: tuple[str, int]) -> bool:
    """``line`` closes ``fence``: the same character, at least as many, indented less than 4."""
    char, size = fence
    mark = line.strip(" \t")
    return len(mark) >= size and mark == char * len(mark) and len(line) - len(line.lstrip(" ")) < 4


def _in_fence(spans: list[tuple[int, int]], at: int) -> bool:
    index = bisect.bisect_right(spans, (at, at)) - 1
    return index >= 0 and spans[index][0] < at <= spans[index][1]


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced or indented code block: its language (may be empty) and code, no fences."""

    language: str
    code: str


def code_blocks(text: str) -> list[CodeBlock]:
    """Every code block in ``text``, in order (for copying one without its fences)."""
    from markdown_it import MarkdownIt

    blocks = []
    for token in MarkdownIt().enable("table").parse(text):
        if token.type in ("fence", "code_block"):
            language = token.info.strip().split(" ")[0] if token.info else ""
            blocks.append(CodeBlock(language, token.content))
    return blocks

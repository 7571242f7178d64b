"""Rich's Markdown renderer as the chat draws it: shared parser, themed code blocks.

Imported on first use by :class:`MarkdownView`: Rich's Markdown and Pygments are not needed for
the first (empty) screen.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.cells import chop_cells
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock
from rich.markdown import Markdown as RichMarkdown
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.strip import Strip

__all__ = [
    "BlockMarkdown",
    "Syntax",
    "code_line",
    "estimate_lines",
    "render_plain",
    "rich_parser",
]


class _CodeBlock(CodeBlock):
    """Rich's code block, on the theme's ``chat-code-background`` when it sets one."""

    background: str | None = None

    @classmethod
    def create(cls, markdown: RichMarkdown, token: Token) -> CodeBlock:
        block = super().create(markdown, token)
        block.background = getattr(markdown, "code_background", None)  # type: ignore[attr-defined]
        return block

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        yield Syntax(
            code,
            self.lexer_name,
            theme=self.theme,
            word_wrap=True,
            padding=1,
            background_color=self.background,
        )


class BlockMarkdown(RichMarkdown):
    """Rich's Markdown, parsed with a shared parser (building one costs ~0.4 ms per block)."""

    elements = {**RichMarkdown.elements, "fence": _CodeBlock, "code_block": _CodeBlock}

    def __init__(
        self, markup: str, parser: MarkdownIt, code_theme: str, code_background: str | None
    ) -> None:
        self.code_background = code_background
        self.markup = markup
        self.parsed = parser.parse(markup)
        self.code_theme = code_theme
        self.justify = None
        self.style = "none"
        self.hyperlinks = False  # show link targets as text: the user sees where a link goes
        self.inline_code_lexer = None
        self.inline_code_theme = code_theme


_RICH_PARSER: MarkdownIt | None = None


def rich_parser() -> MarkdownIt:
    global _RICH_PARSER
    if _RICH_PARSER is None:
        _RICH_PARSER = MarkdownIt().enable("strikethrough").enable("table")
    return _RICH_PARSER


def render_plain(source: str, width: int) -> list[Strip]:
    """Lines cut at the width, no Markdown: linear and fast for any size."""
    width = max(1, width)
    out: list[Strip] = []
    for line in source.expandtabs(4).split("\n"):
        if not line:
            out.append(Strip.blank(0))
        elif line.isascii():
            out.extend(
                Strip([Segment(piece)], len(piece))
                for piece in (line[i : i + width] for i in range(0, len(line), width))
            )
        else:
            out.extend(Strip([Segment(piece)]) for piece in chop_cells(line, width))
    return out


def code_line(line: str, width: int, background: Style, console: Console) -> list[Strip]:
    """One line of an open code fence: plain monospace on the code background, wrapped."""
    text = Text(line.expandtabs(4), style=background)
    wrapped = text.wrap(console, max(1, width - 2)) if line else [Text("")]
    out = []
    for piece in wrapped:
        segments = [
            Segment(" ", background),
            *piece.render(console),
            Segment(" " * max(0, width - 1 - piece.cell_len), background),
        ]
        out.append(Strip(segments).crop(0, width))
    return out


def estimate_lines(source: str, width: int) -> int:
    """Lines a block will take, without rendering it (a guess within a few lines)."""
    return max(1, sum(1 + len(line) // max(1, width - 4) for line in source.split("\n")))

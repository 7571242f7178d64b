"""Rich's Markdown renderer as the chat draws it: shared parser, themed code blocks, one block
to lines at a width (:class:`BlockRenderer`).

Imported on first use by :class:`.markdown_cache.RenderCache`: Rich's Markdown and Pygments are
not needed for the first (empty) screen.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.cells import chop_cells
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock
from rich.markdown import Markdown as RichMarkdown
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from textual.strip import Strip

__all__ = [
    "PLAIN_ABOVE",
    "BlockMarkdown",
    "BlockRenderer",
    "estimate_lines",
    "render_plain",
    "rich_parser",
]

CodeStyle = tuple[str, str | None]
"""(Pygments style, code background) for code blocks; the screen passes the theme's."""

PLAIN_ABOVE = 256 * 1024
"""A single block longer than this (characters) is shown as plain wrapped text: Rich would
spend seconds on it (a 1 MB paragraph took 1.3 s, 10 MB minutes) while the UI waits."""


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


def estimate_lines(source: str, width: int) -> int:
    """Lines a block will take, without rendering it (a guess within a few lines)."""
    return max(1, sum(1 + len(line) // max(1, width - 4) for line in source.split("\n")))


class BlockRenderer:
    """One block of Markdown to lines at a width, in the chat's code style.

    ``options`` gives the app's console and its options at a width (the widget knows the app).
    """

    def __init__(
        self,
        options: Callable[[int], tuple[Console, ConsoleOptions]],
        code_style: CodeStyle | None = None,
    ) -> None:
        self.options = options
        self._parser = rich_parser()
        self.code_theme, self.code_background = code_style or ("monokai", None)

    def set_code_style(self, theme: str, background: str | None) -> bool:
        """The Pygments style and the code background; True if they changed (everything
        must be rendered again)."""
        if (theme, background) == (self.code_theme, self.code_background):
            return False
        self.code_theme, self.code_background = theme, background
        return True

    def background_style(self) -> Style:
        """The background code is drawn on: the theme's, else the Pygments style's."""
        if self.code_background:
            return Style(bgcolor=self.code_background)
        return Syntax.get_theme(self.code_theme).get_background_style()

    def markdown(self, source: str, width: int) -> list[Strip]:
        """The block's lines, without blank lines above or below it."""
        if len(source) > PLAIN_ABOVE:
            return render_plain(source, width)
        console, options = self.options(width)
        markdown = BlockMarkdown(source, self._parser, self.code_theme, self.code_background)
        lines = console.render_lines(markdown, options, pad=False)
        # Neighbours of one style as one segment: each segment gets its own selection offset
        # when drawn (render_line), which would keep them apart on the way to the terminal.
        strips = [Strip(Segment.simplify(line)) for line in lines]
        while strips and not strips[-1].text.strip():
            strips.pop()
        while strips and not strips[0].text.strip():
            strips.pop(0)
        return strips

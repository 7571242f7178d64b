"""Streaming splits a text into the same blocks as splitting it at once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from requesty_tui.core.markdown_blocks import BlockSplitter, make_safe, split_blocks, tail_cut
from requesty_tui.core.tail_first import WholeText
from requesty_tui.testing.corpus import code_document, deltas, markdown_document


def streamed(pieces: list[str]) -> list[str]:
    splitter = BlockSplitter()
    for piece in pieces:
        splitter.feed(piece)
    splitter.close()
    return splitter.finished


def test_corpus_streamed_in_many_ways() -> None:
    text = markdown_document(30_000)
    whole = split_blocks(text)
    assert len(whole) > 50
    for n in (1, 7, 500, 5000):
        assert streamed(deltas(text, n)) == whole, n
    assert streamed(list(text)) == whole


def test_blocks_are_finished_before_the_end() -> None:
    splitter = BlockSplitter()
    splitter.feed("# Title\n\nFirst paragraph.\n\n- a\n- b\n\nLast")
    assert splitter.finished == ["# Title", "First paragraph."]
    splitter.feed(" line\n")  # a block is finished once the next one has a complete line
    assert splitter.finished == ["# Title", "First paragraph.", "- a\n- b"]
    assert splitter.tail == "Last line\n"


def test_open_fence_is_not_finished_until_closed() -> None:
    splitter = BlockSplitter()
    splitter.feed("Intro\n\n```python\nx = 1\n\ny = 2\n")
    assert splitter.finished == ["Intro"]
    assert splitter.in_open_fence
    splitter.feed("``")
    assert splitter.in_open_fence
    splitter.feed("`\nAfter")
    assert splitter.finished[-1] == "```python\nx = 1\n\ny = 2\n```"
    assert not splitter.in_open_fence and splitter.tail == "After"


def test_big_code_fence() -> None:
    text = code_document(20_000)
    assert streamed(deltas(text, 2000)) == split_blocks(text) == [text.strip()]


def test_unclosed_fence_at_end() -> None:
    assert streamed(["```\ncode", " more\n"]) == ["```\ncode more"]


EXAMPLES = [
    "Para one\nstill one\n\n  \n\nPara two",
    "Heading\n=======\n\ntext",
    "1. a\n2. b\n\n   continued\n\n3. c\n\nafter",
    "> quote\nlazy\n\n---\n\n    indented code\n\n    more code\n\ntext",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\ntext",
    "[ref]: https://x.example\n\nSee [ref].",
    "~~~\n```\nnot closed by backticks\n~~~\n\nafter",
    "````\n```\ninner\n```\n````\nafter",
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(EXAMPLES), st.lists(st.integers(0, 80), max_size=12))
def test_examples_any_split(text: str, cuts: list[int]) -> None:
    points = sorted({c for c in cuts if c < len(text)})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    assert streamed(pieces) == split_blocks(text)


def test_make_safe() -> None:
    assert make_safe("a\x1b[31mred\x07\r\nb\tc") == "a\u241b[31mred\u2407\nb\tc"
    assert make_safe("\x9b2J") == "\ufffd2J"


TOKENS = [
    "`",
    "```",
    "~~~",
    "\n",
    "\n\n",
    " ",
    "    ",
    "-",
    "- ",
    "#",
    "> ",
    "|",
    "1. ",
    "word",
    "*",
    "=",
    "---",
    "<div>",
    "[x]: y",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40), st.lists(st.integers(0, 200), max_size=8))
def test_random_markdown_any_split(tokens: list[str], cuts: list[int]) -> None:
    text = "".join(tokens)
    points = sorted({c for c in cuts if c < len(text)})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    assert streamed(pieces) == split_blocks(text)


# -- a complete text, its end first (core/tail_first.py) --------------------------------------


def test_a_long_replys_end_is_cut_where_its_blocks_break() -> None:
    after_code = f"Intro\n\n{code_document(100_000)}\nAfter it.\n\n{markdown_document(30_000)}"
    for seed in range(12):
        for text in (markdown_document(120_000, seed=seed), after_code):
            whole = split_blocks(text)
            for keep in (200, 4_000, 16_384, 60_000):
                cut = tail_cut(text, keep)
                assert cut <= len(text) - keep
                if cut == 0:  # the code fence's middle: nowhere to cut within reach
                    assert text is after_code and keep == 60_000
                    continue
                assert split_blocks(text[:cut]) + split_blocks(text[cut:]) == whole, (seed, keep)


def test_no_cut_inside_a_fence_or_an_html_comment() -> None:
    fence = "Intro\n\n```\n" + "code\n\nLine at the start\n\n" * 50 + "```\n\nAfter\n\nEnd"
    assert fence[tail_cut(fence, 4) :].startswith(("After", "End"))
    comment = "<!-- note\n\nStill the comment\n\n-->\n\nText\n\nMore text"
    assert tail_cut(comment, 3) == 0
    assert tail_cut("```\n\nNever closed\n\n" + "x" * 50, 10) == 0


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(st.sampled_from([*TOKENS, "\n\nPara", "<!--", "-->", "````"]), max_size=60),
    st.integers(1, 40),
    st.lists(st.floats(0, 0.001), max_size=6),
)
def test_a_whole_text_ends_as_its_blocks_whatever_the_cut(
    tokens: list[str], keep: int, steps: list[float]
) -> None:
    text = "".join(tokens)
    whole = WholeText(text, above=0, keep=keep)
    shown = list(whole.start())
    assert shown[-1:] == split_blocks(text)[-1:] or whole.head
    outcome = "more"
    for seconds in [*steps, float("inf")]:
        outcome = whole.split_some(seconds)
        if outcome != "more":
            break
    assert whole.blocks == split_blocks(text)
    assert not whole.head
    if outcome == "head":  # the end's blocks were right: only the head's were added
        assert whole.blocks[-(len(shown) - 1) :] == shown[1:] or len(shown) == 1

"""A long reply from history draws its end before the rest is even split, and ends up drawn
exactly as if it had been split and rendered whole (ui/widgets/markdown_cache.py)."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions

from requesty_tui.testing.corpus import markdown_document
from requesty_tui.ui.widgets.markdown_cache import RenderCache

WIDTH = 80
CONSOLE = Console(width=WIDTH, color_system=None, force_terminal=False)


def options(width: int) -> tuple[Console, ConsoleOptions]:
    return CONSOLE, CONSOLE.options.update(width=width, height=None)


def lines(cache: RenderCache) -> list[str]:
    return [cache.line(y, WIDTH).text for y in range(cache.height)]


def rendered_whole(text: str) -> list[str]:
    """The lines of the text streamed in and rendered all at once (the reference)."""
    cache = RenderCache(options, None, lambda: None)
    cache.feed(text)
    cache.close()
    cache.render_new_blocks(WIDTH, 0, everything=True)
    return lines(cache)


def fill(cache: RenderCache) -> int:
    """Render the rest in slices as the view does between frames; how many slices."""
    slices = 0
    while cache.render_waiting(WIDTH, 0.002)[0]:
        slices += 1
    return slices


def test_the_end_is_drawn_first_and_the_rest_comes_out_the_same() -> None:
    text = markdown_document(300_000, seed=4) + "\n\nThe very last words."
    cache = RenderCache(options, None, lambda: None)
    cache.give_whole(text)
    assert cache.render_new_blocks(WIDTH, 24)  # a screenful now, the rest waits
    assert len(cache.blocks) < 150  # the head is one block: not split before the first frame
    assert cache.line(cache.height - 1, WIDTH).text.strip() == "The very last words."
    assert fill(cache) > 5  # the head was split and rendered in many slices
    assert lines(cache) == rendered_whole(text)


def test_a_wrong_guess_at_the_cut_is_put_right() -> None:
    # A link definition alone before the cut: it belongs to the block after it in the whole.
    text = "[x]: https://example.com\n\nText " + "and more words " * 4_700 + "\n\nEnd."
    resized: list[bool] = []
    cache = RenderCache(options, None, lambda: resized.append(True))
    cache.give_whole(text)
    cache.render_new_blocks(WIDTH, 24)
    fill(cache)
    assert resized, "the layout heard that every block changed"
    assert lines(cache) == rendered_whole(text)


def test_a_line_of_the_head_drawn_before_the_fill_splits_it_at_once() -> None:
    text = markdown_document(200_000, seed=9)
    cache = RenderCache(options, None, lambda: None)
    cache.give_whole(text)
    cache.render_new_blocks(WIDTH, 24)
    first = cache.line(0, WIDTH).text  # someone jumped to the top of the reply
    cache.render_all(WIDTH)
    assert first == lines(cache)[0] == rendered_whole(text)[0]
    assert lines(cache) == rendered_whole(text)


def test_text_given_after_a_whole_text_streams_on_from_it() -> None:
    cache = RenderCache(options, None, lambda: None)
    cache.give_whole("First block.\n\nSecond block.")
    cache.render_new_blocks(WIDTH, 24)
    cache.feed("\n\nThird block.")
    cache.close()
    cache.render_new_blocks(WIDTH, 24)
    assert [line.strip() for line in lines(cache) if line.strip()] == [
        "First block.",
        "Second block.",
        "Third block.",
    ]

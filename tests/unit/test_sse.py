"""The SSE parser gives the same events however the bytes are split."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from requesty_tui.client.sse import SSEError, SSEEvent, SSEParser

RECORDED = (
    ": keep-alive\n\n"
    'data: {"choices":[{"index":0,"delta":{"content":"Hé"}}]}\n\n'
    "event: ping\r\ndata: one\r\ndata: two\r\n\r\n"
    "id: 7\rdata:no-space\r\r"
    'data: {"choices":[{"index":0,"delta":{"content":" 🎉 done"}}]}\n\n'
    "data: [DONE]\n\n"
).encode()

EXPECTED = [
    SSEEvent('{"choices":[{"index":0,"delta":{"content":"Hé"}}]}'),
    SSEEvent("one\ntwo", event="ping"),
    SSEEvent("no-space", id="7"),
    SSEEvent('{"choices":[{"index":0,"delta":{"content":" 🎉 done"}}]}', id="7"),
    SSEEvent("[DONE]", id="7"),
]


def parse(pieces: list[bytes]) -> list[SSEEvent]:
    parser = SSEParser()
    events: list[SSEEvent] = []
    for piece in pieces:
        events.extend(parser.feed_bytes(piece))
    events.extend(parser.close())
    return events


def test_whole_stream() -> None:
    assert parse([RECORDED]) == EXPECTED


def test_every_single_split_point() -> None:
    for cut in range(len(RECORDED) + 1):
        assert parse([RECORDED[:cut], RECORDED[cut:]]) == EXPECTED, cut


def test_byte_by_byte() -> None:
    assert parse([bytes([b]) for b in RECORDED]) == EXPECTED


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(RECORDED)), max_size=20))
def test_any_split(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    pieces = [RECORDED[a:b] for a, b in zip([0, *points], [*points, len(RECORDED)], strict=True)]
    assert parse(pieces) == EXPECTED


def test_unterminated_event_is_dropped() -> None:
    assert parse([b"data: complete\n\ndata: partial"]) == [SSEEvent("complete")]


def test_invalid_utf8_becomes_replacement_character() -> None:
    assert parse([b"data: a\xffb\n\n"]) == [SSEEvent("a\ufffdb")]


def test_oversized_line_is_refused() -> None:
    parser = SSEParser(max_line_chars=100)
    try:
        for _ in range(10):
            parser.feed_bytes(b"x" * 30)
    except SSEError as exc:
        assert "100" in str(exc)
    else:
        raise AssertionError("a 300-character line passed a 100-character limit")

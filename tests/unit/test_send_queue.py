"""The queue of messages typed while a reply streams: order, limit, giving back, the draft."""

from __future__ import annotations

from requesty_tui.chat.queue import (
    MAX_QUEUED,
    SendQueue,
    draft_text,
    ended_well,
    into_box,
)
from requesty_tui.chat.turn import Outcome


def test_messages_go_out_in_the_order_they_were_queued() -> None:
    queue = SendQueue()
    assert queue.add("first") and queue.add("second")
    assert queue.next() == "first"
    assert queue.next() == "second"
    assert queue.next() is None


def test_a_few_may_wait_and_blank_text_is_no_message() -> None:
    queue = SendQueue()
    assert not queue.add("  \n")
    for n in range(MAX_QUEUED):
        assert queue.add(f"m{n}")
    assert not queue.add("one too many")
    assert len(queue) == MAX_QUEUED


def test_one_taken_back_and_all_given_back_in_order() -> None:
    queue = SendQueue()
    for text in ("a", "b", "c"):
        queue.add(text)
    assert queue.take() == "c"  # up in the empty box: the newest
    assert queue.take(5) is None
    assert queue.give_back() == "a\n\nb"
    assert not queue


def test_the_draft_holds_the_queue_then_what_is_typed() -> None:
    assert draft_text(["one", "two"], "typing") == "one\n\ntwo\n\ntyping"
    assert draft_text(["one"], "") == "one"
    assert draft_text([], "") == ""
    assert into_box("queued", "") == "queued"
    assert into_box("queued", "typed since") == "queued\n\ntyped since"


def test_only_a_reply_that_ended_well_lets_the_queue_go() -> None:
    assert ended_well(Outcome(kept=True, finish_reason="stop"))
    assert ended_well(Outcome(kept=True, finish_reason="length"))
    assert ended_well(Outcome(kept=True, finish_reason="tool_calls"))  # max_tool_rounds
    assert not ended_well(Outcome(kept=True, finish_reason="cancelled"))
    assert not ended_well(Outcome(kept=True, finish_reason="error"))
    assert not ended_well(Outcome(kept=False, finish_reason="error", give_back="hi"))
    assert not ended_well(None)

"""The turn's rules, over random event sequences and endings: what reaches the conversation and
what goes back to the input box is decided once, in chat/turn.py, without a screen."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from requesty_tui.chat.turn import start_turn
from requesty_tui.client.errors import ServerError
from requesty_tui.client.events import (
    ChunkSkipped,
    ModelReported,
    ReasoningDelta,
    Retrying,
    StreamEnd,
    StreamEvent,
    TextDelta,
    UsageReport,
)
from requesty_tui.core.domain import Conversation, Message, ModelInfo, Usage

words = st.text(alphabet="abc \n*`", min_size=1, max_size=6)
events: st.SearchStrategy[StreamEvent] = st.one_of(
    st.builds(TextDelta, words),
    st.builds(ReasoningDelta, words),
    st.builds(ModelReported, st.sampled_from(["a/x", "b/y"])),
    st.builds(UsageReport, st.builds(Usage, prompt_tokens=st.integers(1, 99))),
    st.builds(Retrying, st.integers(2, 4), st.just(4), st.just(0.1), st.just("busy")),
    st.builds(ChunkSkipped, st.integers(1, 3), st.just("invalid JSON")),
    st.builds(StreamEnd, st.sampled_from(["stop", "length", "content_filter"])),
)
step = st.one_of(events, st.just("save"))
endings = st.sampled_from(["done", "error", "cancel", "exit"])
PRICES = ModelInfo("a/x", input_price=1e-6, output_price=2e-6, capabilities_known=True)


@settings(max_examples=400, deadline=None)
@given(st.lists(step, max_size=25), endings, st.booleans())
def test_what_stays_after_any_stream(steps: list[object], ending: str, history: bool) -> None:
    conversation = Conversation(id="c", model="a/x")
    earlier = [Message(role="user", content="q"), Message(role="assistant", content="a")]
    if history:
        conversation.messages.extend(earlier)
    turn = start_turn(conversation, "the prompt", "a/x", {"a/x": PRICES}.get)
    assert conversation.messages[-1] is turn.prompt, "the prompt is in before the request"
    for item in steps:
        if item == "save":
            turn.record()
        else:
            assert not isinstance(item, str)
            turn.apply(item)
    error = ServerError("The provider failed with HTTP 500.") if ending == "error" else None
    outcome = turn.end(
        cancelled=ending in ("cancel", "exit"), exiting=ending == "exit", error=error
    )
    assert turn.end() is outcome, "decided once"

    text = "".join(e.text for e in steps if isinstance(e, TextDelta))
    thinking = "".join(e.text for e in steps if isinstance(e, ReasoningDelta))
    received = bool(text or thinking)
    before = earlier if history else []
    ends = [e.finish_reason for e in steps if isinstance(e, StreamEnd)]
    expected_finish = (
        "cancelled"
        if ending in ("cancel", "exit")
        else "error"
        if ending == "error" or not ends
        else ends[-1]
    )
    assert outcome.finish_reason == expected_finish
    assert outcome.kept == received
    if received:
        assert conversation.messages == [*before, turn.prompt, turn.answer]
        assert turn.answer.content == text and (turn.answer.reasoning or "") == thinking
        assert turn.answer.finish_reason == expected_finish
        assert outcome.give_back is None
    elif ending == "exit":
        # Quitting before the first token: the prompt stays in the file, nothing else.
        assert conversation.messages == [*before, turn.prompt]
        assert outcome.give_back is None
    else:
        assert conversation.messages == before, "no prompt sits in the history unanswered"
        assert outcome.give_back == "the prompt" and outcome.not_sent is not None
    assert (error is not None) == any("HTTP 500" in n for n in outcome.notices)
    skipped = any(isinstance(e, ChunkSkipped) for e in steps)
    assert any("could not be read" in n for n in outcome.notices) == (
        skipped and (received or error is None)
    )
    usage = [e.usage for e in steps if isinstance(e, UsageReport)]
    if usage and received:
        assert turn.answer.usage is not None
        assert turn.answer.usage.estimated_cost is not None, "priced from the model list"

"""The context meter: the estimate of the next request, its calibration from the router's real
prompt count, the input cost, and the recent turns that fit a window."""

from __future__ import annotations

from requesty_tui.chat.meter import estimate, recent_that_fit
from requesty_tui.core.domain import Conversation, Message, ModelInfo, Usage

MODEL = ModelInfo(id="m/x", context_window=128_000, input_price=1e-6, cached_price=1e-7)


def chat(turns: int, usage: Usage | None = None) -> Conversation:
    conv = Conversation(id="20261202-000000-mtr", model="m/x", system="Be brief.")
    for n in range(turns):
        conv.messages.append(Message(role="user", content=f"question {n} " + "x" * 396))
        conv.messages.append(
            Message(role="assistant", content="y" * 800, usage=usage if n == turns - 1 else None)
        )
    return conv


def test_before_any_reply_the_estimate_is_a_rule_of_thumb_and_says_so() -> None:
    conv = chat(0)
    meter = estimate(conv, "z" * 4000, MODEL)
    # 4 characters a token, 4 tokens of framing a message (the system prompt and the draft)
    assert meter.tokens == round((4000 + len("Be brief.")) / 4 + 2 * 4)
    assert meter.label() == "≈1k / 128k tokens (1 %)"
    assert not meter.calibrated and meter.fits
    assert meter.input_cost is not None and abs(meter.input_cost - meter.tokens * 1e-6) < 1e-12


def test_the_routers_count_calibrates_it_and_caching_lowers_the_cost() -> None:
    # The router counted twice what the rule of thumb says for the same request.
    plain = estimate(chat(3), "", MODEL)
    guessed_before_last_reply = estimate(chat(3), "", MODEL).tokens - 800 / 4 - 4
    usage = Usage(prompt_tokens=round(2 * guessed_before_last_reply), cached_tokens=600)
    calibrated = estimate(chat(3, usage), "", MODEL)
    assert calibrated.calibrated and not calibrated.label().startswith("≈")
    assert abs(calibrated.tokens - 2 * plain.tokens) <= 2
    full_price = calibrated.tokens * 1e-6
    assert calibrated.input_cost is not None
    assert abs(calibrated.input_cost - (full_price - 600 * (1e-6 - 1e-7))) < 1e-12


def test_a_model_without_a_window_or_prices_shows_what_is_known() -> None:
    meter = estimate(chat(1), "hello", ModelInfo(id="m/y"))
    assert meter.window is None and meter.fits and meter.input_cost is None
    assert meter.label().endswith(" tokens") and "/" not in meter.label()


def test_the_recent_turns_that_fit_start_with_a_prompt() -> None:
    conv = chat(10)  # 20 messages of ~100 and ~200 tokens
    fitting = recent_that_fit(conv, "next question", window=700)
    assert fitting is not None
    kept, left_out = fitting
    assert kept[0].role == "user" and left_out == 20 - len(kept)
    assert kept == conv.messages[left_out:]
    assert estimate(Conversation(id=conv.id, model="m/x", system=conv.system,
                                 messages=kept), "next question", MODEL).tokens <= 700  # fmt: skip
    assert recent_that_fit(conv, "q" * 10_000, window=700) is None, "the draft alone is too big"


def test_the_branch_is_counted_again_whenever_it_changes() -> None:
    """The status bar asks on every key; the branch's count is kept between asks, and anything
    that changes what the next request carries is seen: a reply growing as it streams, its
    new message, the router's real count arriving."""
    conv = Conversation(id="20261205-000000-meter", model="m/x")
    conv.messages.append(Message(role="user", content="q" * 400))
    reply = Message(role="assistant", content="")
    conv.messages.append(reply)
    seen = [estimate(conv, "", None).tokens]
    reply.content += "a" * 400  # streaming
    seen.append(estimate(conv, "", None).tokens)
    conv.messages.append(Message(role="user", content="b" * 400))
    seen.append(estimate(conv, "", None).tokens)
    assert seen == sorted(seen) and len(set(seen)) == len(seen), seen
    assert estimate(conv, "draft " * 100, None).tokens > seen[-1], "the input box counts too"
    assert not estimate(conv, "", None).calibrated
    reply.usage = Usage(prompt_tokens=150)  # the router's count of the request before it
    assert estimate(conv, "", None).calibrated

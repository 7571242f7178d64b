"""How full the context is and what the next message costs, before it is sent.

The estimate counts the characters the next request would carry (the system prompt, the branch
on screen, the text in the input box) at :data:`CHARS_PER_TOKEN`, plus :data:`PER_MESSAGE`
tokens of framing each. Once the router has answered in this conversation, the estimate is
calibrated: the last reply's real ``prompt_tokens`` against what the estimate said of the same
request, so that a model whose tokenizer counts differently (code, other languages) is
measured, not guessed; within what a tokenizer can do, so a server that under-reports cannot
hide an overflow. Plain functions; the status bar and the fit check call them.
"""

from __future__ import annotations

from dataclasses import dataclass

from requesty_tui.chat.history import sendable as _sent
from requesty_tui.core.domain import Attachment, Conversation, Message, ModelInfo

CHARS_PER_TOKEN = 4.0
"""Characters per token before any calibration (English prose with OpenAI-style tokenizers)."""

PER_MESSAGE = 4
"""Tokens of framing per message (role, separators), as chat templates add them."""

MAX_CHARS_PER_TOKEN = 6.0
"""The densest a calibration may make a request. English prose is 4-5 characters a token even
with the large vocabularies (OpenAI's o200k, Claude's), code less: a server whose count says
more is under-reporting (LLMock answers a fixed count), and believing it hid an overflow."""
MIN_CHARS_PER_TOKEN = 0.5
"""The sparsest: ideographic text is about 1 character a token, and the framing of a short
request (a provider's hidden system prompt) adds some; a count beyond that is not this text."""


@dataclass(frozen=True, slots=True)
class ContextEstimate:
    tokens: int
    """What the next request would carry, in tokens."""
    window: int | None
    """The model's context window (None: unknown)."""
    calibrated: bool
    """From the router's real count of this conversation (else a rule of thumb: ≈)."""
    input_cost: float | None
    """USD for the input side at the model's prices (None without prices)."""

    @property
    def fits(self) -> bool:
        return self.window is None or self.tokens <= self.window

    def label(self) -> str:
        """ "≈12.4k / 128k tokens (10 %)"; the ≈ until calibrated."""
        mark = "" if self.calibrated else "≈"
        if self.window:
            share = round(100 * self.tokens / self.window)
            return f"{mark}{_short(self.tokens)} / {_short(self.window)} tokens ({share} %)"
        return f"{mark}{_short(self.tokens)} tokens"


def _short(tokens: int) -> str:
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:.1f}M".replace(".0M", "M")
    if tokens >= 1000:
        return f"{tokens / 1000:.1f}k".replace(".0k", "k")
    return str(tokens)


IMAGE_TOKENS = 1000
"""What an image costs in a prompt, roughly (providers count 85-1,600 by its size)."""


def attachment_chars(attachment: Attachment) -> float:
    """Characters an attachment adds: a text file its size; a PDF's text is about a tenth of
    the file; an image is counted as :data:`IMAGE_TOKENS`."""
    if attachment.kind == "text":
        return attachment.size
    if attachment.kind == "pdf":
        return attachment.size / 10
    return IMAGE_TOKENS * CHARS_PER_TOKEN


def raw_tokens(
    system: str | None,
    messages: list[Message],
    draft: str = "",
    pending: list[Attachment] | None = None,
) -> float:
    """The uncalibrated estimate of a request."""
    chars: float = len(system or "") + sum(len(m.content) for m in messages) + len(draft)
    chars += sum(len(c.name) + len(c.arguments) for m in messages for c in m.tool_calls)
    files = [a for m in messages for a in m.attachments] + list(pending or [])
    chars += sum(attachment_chars(a) for a in files)
    count = len(messages) + (1 if system else 0) + (1 if draft else 0)
    return chars / CHARS_PER_TOKEN + PER_MESSAGE * count


def calibration(
    conversation: Conversation, path: list[Message], tools_chars: int = 0
) -> float | None:
    """Real tokens per estimated token, from the last reply on the branch with a prompt count
    (its request carried the messages before it)."""
    for index in range(len(path) - 1, -1, -1):
        message = path[index]
        usage = message.usage
        if message.role == "assistant" and usage is not None and usage.prompt_tokens:
            guessed = raw_tokens(conversation.system, _sent(path[:index]))
            guessed += tools_chars / CHARS_PER_TOKEN
            return usage.prompt_tokens / guessed if guessed > 0 else None
    return None


def _bounded(ratio: float | None) -> float:
    """A calibration within what a tokenizer can do (see :data:`MAX_CHARS_PER_TOKEN`)."""
    if ratio is None:
        return 1.0
    low, high = CHARS_PER_TOKEN / MAX_CHARS_PER_TOKEN, CHARS_PER_TOKEN / MIN_CHARS_PER_TOKEN
    return min(max(ratio, low), high)


def _last_cached(path: list[Message]) -> int:
    for message in reversed(path):
        if message.role == "assistant" and message.usage is not None:
            return message.usage.cached_tokens or 0
    return 0


_HistoryKey = tuple[int, str | None, int, tuple[tuple[int, int, int, int, int | None], ...]]
_history_seen: tuple[_HistoryKey, tuple[float | None, float]] | None = None
"""The last branch measured: the status bar asks on every key typed and every reply, and a
branch of 600 messages (a day with tools) took ~1 ms each time to count again
(``benchmarks/soak_terminal.py --tools``: 16 % of the app's busy time was the status bar)."""


def _history(
    conversation: Conversation, path: list[Message], tools_chars: int
) -> tuple[float | None, float]:
    """The calibration and the uncalibrated tokens of the branch without the input box, counted
    again only when a message of it came, went or changed."""
    global _history_seen
    key = (
        id(conversation),
        conversation.system,
        tools_chars,
        tuple(
            (
                id(m),
                len(m.content),
                sum(len(c.arguments) + 1 for c in m.tool_calls),
                len(m.attachments),
                m.usage.prompt_tokens if m.usage is not None else -1,
            )
            for m in path
        ),
    )
    if _history_seen is None or _history_seen[0] != key:
        found = (calibration(conversation, path, tools_chars),
                 raw_tokens(conversation.system, _sent(path)))  # fmt: skip
        _history_seen = (key, found)
    return _history_seen[1]


def estimate(
    conversation: Conversation,
    draft: str,
    model: ModelInfo | None,
    pending: list[Attachment] | None = None,
    tools_chars: int = 0,
) -> ContextEstimate:
    """The next request: the branch on screen, ``draft`` (the input box) and the files waiting
    to go with it, to ``model``."""
    path = conversation.path()
    ratio, history = _history(conversation, path, tools_chars)
    raw = history + raw_tokens(None, [], draft, pending)
    raw += tools_chars / CHARS_PER_TOKEN  # the tools offered: their schemas go every time
    tokens = round(raw * _bounded(ratio))
    cost = None
    if model is not None and model.input_price is not None:
        # What the router cached of the last request (its prefix) is billed at the cached
        # price, where the model has one; the rest at the input price.
        cached = min(_last_cached(path), tokens) if model.cached_price is not None else 0
        cost = cached * (model.cached_price or 0.0) + (tokens - cached) * model.input_price
    window = model.context_window if model is not None else None
    # A count out of bounds was not believed: the figure stays an estimate (≈).
    calibrated = ratio is not None and _bounded(ratio) == ratio
    return ContextEstimate(tokens, window, calibrated, cost)


def recent_that_fit(
    conversation: Conversation, draft: str, window: int, pending: list[Attachment] | None = None
) -> tuple[list[Message], int] | None:
    """The most recent messages of the branch that fit ``window`` with ``draft`` (whole
    exchanges: it never starts on a reply), and how many are left out; None if even the
    draft alone does not fit."""
    path = _sent(conversation.path())
    ratio = _bounded(calibration(conversation, conversation.path()))
    for start in range(len(path) + 1):
        kept = path[start:]
        if kept and kept[0].role in ("assistant", "tool"):
            continue
        if raw_tokens(conversation.system, kept, draft, pending) * ratio <= window:
            return kept, start
    return None

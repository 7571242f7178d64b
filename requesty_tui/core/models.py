"""What the router says of its models and what they cost, as plain data: an entry of the model
list (:class:`ModelInfo`, with the rules that read it), a reply's :class:`Usage`, the key's
:class:`KeySpend`. Reading them from the router's JSON is the client's
(:mod:`requesty_tui.client.parse`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

_CHAT_KINDS = frozenset({"chat", "completion", "completions", "text", "llm", "language"})
_NOT_CHAT_ID = re.compile(
    r"(?:^|[/_.-])(?:text-embedding|embed(?:ding)?s?|gpt-image|dall-e|imagen|whisper|tts|"
    r"transcribe|moderation|rerank|stable-diffusion|sdxl|flux)(?:$|[/_.:@-])",
    re.IGNORECASE,
)
"""Ids of models that cannot chat (embeddings, images, speech, moderation), for lists that do
not say: OpenAI's, LiteLLM's and most proxies' ``/models`` carry no type at all."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One entry of the router's model list. Only ``id`` is guaranteed."""

    id: str
    name: str | None = None
    description: str | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    input_price: float | None = None
    """USD per token (multiply by 1e6 for $/M)."""
    output_price: float | None = None
    cached_price: float | None = None
    supports_reasoning: bool = False
    supports_vision: bool = False
    supports_caching: bool = False
    supports_tool_calling: bool = False
    capabilities_known: bool = False
    """The list said what the model supports (any ``supports_*`` key); without that, False
    above means "not said", not "cannot" (LiteLLM and OpenAI's lists carry no capabilities)."""
    kind: str | None = None
    """The entry's ``type`` or ``mode`` when it gives one (``chat``, ``embedding``, …)."""

    @property
    def can_chat(self) -> bool:
        """False for embedding, image, speech and moderation models: hidden from the picker."""
        if self.is_policy:
            return True  # the organisation's own routes: always offered
        if self.kind is not None:
            return self.kind.lower() in _CHAT_KINDS
        return not _NOT_CHAT_ID.search(self.id)

    @property
    def is_policy(self) -> bool:
        """Routing policies set up in the Requesty dashboard (``policy/<name>``)."""
        return self.id.startswith("policy/")

    @property
    def provider(self) -> str:
        return self.id.split("/", 1)[0] if "/" in self.id else ""


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts and the router's real cost for one reply."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    cached_tokens: int | None = None
    caching_tokens: int | None = None
    cost: float | None = None
    """USD, as reported by the router; ``None`` when it did not say."""
    estimated_cost: float | None = None
    """USD from the model's list prices, kept only when the router gave no ``cost``."""

    @property
    def shown_cost(self) -> tuple[float, bool] | None:
        """(USD, is_estimate): the router's figure when there is one, else the estimate."""
        if self.cost is not None:
            return self.cost, False
        if self.estimated_cost is not None:
            return self.estimated_cost, True
        return None

    def with_estimate(self, model: ModelInfo | None) -> Usage:
        """Fill :attr:`estimated_cost` from list prices when the router did not report a cost."""
        if self.cost is not None or model is None or self.prompt_tokens is None:
            return self
        if model.input_price is None or model.output_price is None:
            return self
        cached = min(self.cached_tokens or 0, self.prompt_tokens)
        cached_price = model.cached_price if model.cached_price is not None else model.input_price
        estimate = (
            (self.prompt_tokens - cached) * model.input_price
            + cached * cached_price
            + (self.completion_tokens or 0) * model.output_price
        )
        return dataclasses.replace(self, estimated_cost=estimate)

    def plus(self, other: Usage) -> Usage:
        """Two requests' usage together (a cost is an estimate if either was)."""

        def add(a: float | None, b: float | None) -> float | None:
            return None if a is None and b is None else (a or 0) + (b or 0)

        cost = add(self.cost, other.cost)
        estimated = add(self.estimated_cost, other.estimated_cost)
        exact = self.shown_cost is not None and self.shown_cost[1] is False
        exact = exact and other.shown_cost is not None and other.shown_cost[1] is False
        return Usage(
            prompt_tokens=_sum_int(self.prompt_tokens, other.prompt_tokens),
            completion_tokens=_sum_int(self.completion_tokens, other.completion_tokens),
            total_tokens=_sum_int(self.total_tokens, other.total_tokens),
            cached_tokens=_sum_int(self.cached_tokens, other.cached_tokens),
            cost=cost if exact else None,
            estimated_cost=None if exact else add(cost, estimated),
        )


@dataclass(frozen=True, slots=True)
class KeySpend:
    """This API key's month so far, from the management API."""

    monthly_spend: float | None = None
    """USD."""
    monthly_limit: float | None = None
    """USD; None when the key has no limit."""
    name: str | None = None


def _sum_int(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)

"""Typed domain objects shared by the client, the store and the UI.

Plain dataclasses with no I/O: every layer can import them without pulling in
Textual or httpx.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from requesty_tui.core.tree import ROOT, Tree

if TYPE_CHECKING:
    from requesty_tui.core.tools import ToolCall, ToolStatus

Role = Literal["system", "user", "assistant", "tool"]
FinishReason = Literal["stop", "length", "content_filter", "tool_calls", "cancelled", "error"]


def utc_now() -> datetime:
    """Now, in UTC, without microseconds (session files stay readable)."""
    return datetime.now(UTC).replace(microsecond=0)


def _opt_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _opt_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


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

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> ModelInfo:
        """Build from one ``/v1/models`` entry, tolerating nulls and odd types."""
        return cls(
            id=str(data["id"]),
            name=_opt_str(data.get("name")),
            description=_opt_str(data.get("description")),
            # LiteLLM and other proxies say max_input_tokens.
            context_window=_opt_int(data.get("context_window"))
            or _opt_int(data.get("max_input_tokens"))
            or None,
            max_output_tokens=_opt_int(data.get("max_output_tokens")) or None,
            input_price=_opt_float(data.get("input_price")),
            output_price=_opt_float(data.get("output_price")),
            cached_price=_opt_float(data.get("cached_price")),
            supports_reasoning=data.get("supports_reasoning") is True,
            supports_vision=data.get("supports_vision") is True,
            supports_caching=data.get("supports_caching") is True,
            supports_tool_calling=data.get("supports_tool_calling") is True,
            capabilities_known=any(
                key.startswith("supports_") and isinstance(data[key], bool) for key in data
            ),
            kind=_opt_str(data.get("type")) or _opt_str(data.get("mode")),
        )

    def to_api(self) -> dict[str, Any]:
        """The inverse of :meth:`from_api` (used by the on-disk model cache)."""
        out: dict[str, Any] = {"id": self.id}
        for key in (
            "name",
            "description",
            "context_window",
            "max_output_tokens",
            "input_price",
            "output_price",
            "cached_price",
        ):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        for key in (
            "supports_reasoning",
            "supports_vision",
            "supports_caching",
            "supports_tool_calling",
        ):
            if self.capabilities_known or getattr(self, key):
                out[key] = getattr(self, key)
        if self.kind is not None:
            out["type"] = self.kind
        return out


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

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Usage:
        details = data.get("prompt_tokens_details")
        details = details if isinstance(details, dict) else {}
        return cls(
            prompt_tokens=_opt_int(data.get("prompt_tokens")),
            completion_tokens=_opt_int(data.get("completion_tokens")),
            total_tokens=_opt_int(data.get("total_tokens")),
            cached_tokens=_opt_int(details.get("cached_tokens")),
            caching_tokens=_opt_int(details.get("caching_tokens")),
            cost=_opt_float(data.get("cost")),
        )


@dataclass(frozen=True, slots=True)
class KeySpend:
    """This API key's month so far, from the management API."""

    monthly_spend: float | None = None
    """USD."""
    monthly_limit: float | None = None
    """USD; None when the key has no limit."""
    name: str | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> KeySpend:
        """Decimals may arrive as JSON strings."""
        return cls(
            monthly_spend=_opt_float(data.get("monthly_spend")),
            monthly_limit=_opt_float(data.get("monthly_limit")) or None,
            name=_opt_str(data.get("name")),
        )


class _Leaf:
    """The default of :meth:`Conversation.add`: under the end of the branch on screen."""


LEAF = _Leaf()


def _sum_int(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


def new_message_id() -> str:
    """Six lowercase letters and digits: short enough to edit by hand, unique enough in a file."""
    import secrets
    import string

    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(6))


AttachmentKind = Literal["text", "image", "pdf"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message, by reference: its bytes live in the attachment store under
    their SHA-256, so a resumed conversation sends exactly what was sent."""

    name: str
    """The file's name when it was attached (shown; the path is not kept)."""
    sha256: str
    size: int
    kind: AttachmentKind
    mime: str


@dataclass(slots=True)
class Message:
    """One turn of a conversation."""

    role: Role
    content: str
    created: datetime = field(default_factory=utc_now)
    model: str | None = None
    """For replies: the model that actually answered (a policy may fall back)."""
    finish_reason: FinishReason | None = None
    reasoning: str | None = None
    usage: Usage | None = None
    skipped_chunks: int = 0
    """Stream lines that could not be read while this reply arrived: text may be missing."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Keys this version does not know, kept so that a rewrite loses nothing."""
    id: str = field(default_factory=new_message_id, compare=False)
    """Stable for the message's life in memory (saving caches each message's text by it)."""
    parent: str | None = field(default=None, compare=False)
    """Where it hangs in the tree: None, the message before it; ``tree.ROOT``, the start; else
    a message's id (see :mod:`requesty_tui.core.tree`)."""
    attachments: list[Attachment] = field(default_factory=list)
    """Files sent with a prompt (text, images, PDFs)."""
    tool_calls: list[ToolCall] = field(default_factory=list)
    """A reply's calls of tools (its ``finish_reason`` is then ``tool_calls``)."""
    tool_call_id: str | None = None
    """A ``tool`` message: the call it answers (its ``content`` is the result)."""
    tool_status: ToolStatus | None = None
    """A ``tool`` message: how the call ended (what the screen shows; the model reads content)."""
    tool_truncated: bool = False
    """A ``tool`` message: the output was cut at ``max_tool_output``."""
    copied: bool = False
    """Copied from another conversation by a fork: what it cost was spent there, and is not
    counted in this conversation's total."""

    def to_api(self) -> dict[str, Any]:
        if self.role == "tool":
            return {
                "role": "tool",
                "tool_call_id": self.tool_call_id or "",
                "content": self.content,
            }
        if self.tool_calls:
            return {
                "role": self.role,
                "content": self.content or None,
                "tool_calls": [call.to_api() for call in self.tool_calls],
            }
        return {"role": self.role, "content": self.content}


@dataclass(slots=True)
class RequestOptions:
    """Per-conversation generation settings and Requesty request metadata (saved with it)."""

    reasoning_effort: str | None = None
    """none|min|low|medium|high|max or a token budget; sent only to reasoning models."""
    temperature: float | None = None
    max_tokens: int | None = None
    tags: list[str] = field(default_factory=list)
    trace_id: str | None = None
    """None: the conversation's id, so the router's dashboard groups the whole chat."""
    user_id: str | None = None
    auto_cache: bool | None = None
    tools: bool | None = None
    """Offer the configured tools in this conversation (None: yes, when there are any)."""

    def requesty(self, conversation_id: str) -> dict[str, Any]:
        """The ``requesty`` object of the request body."""
        meta: dict[str, Any] = {"trace_id": self.trace_id or conversation_id}
        if self.tags:
            meta["tags"] = list(self.tags)
        if self.user_id:
            meta["user_id"] = self.user_id
        if self.auto_cache is not None:
            meta["auto_cache"] = self.auto_cache
        return meta


@dataclass(slots=True)
class Conversation:
    """A whole chat: what is sent to the router and what is saved to disk."""

    id: str
    model: str
    title: str = ""
    created: datetime = field(default_factory=utc_now)
    updated: datetime = field(default_factory=utc_now)
    system: str | None = None
    messages: list[Message] = field(default_factory=list)
    options: RequestOptions = field(default_factory=RequestOptions)
    extra: dict[str, Any] = field(default_factory=dict)
    leaf: str | None = field(default=None, compare=False)
    """The id of the last message of the branch on screen (None: the last message)."""
    branches: dict[str, str] = field(default_factory=dict, compare=False)
    """Parent id → the child last on screen, so that a branch switched back to is as left."""
    problems: list[str] = field(default_factory=list, compare=False)
    """What was wrong with the tree in the file (said once when it is opened; not saved)."""
    title_by: Literal["", "user", "model"] = ""
    """Who gave the title: "" the first prompt, "user" a rename (never replaced), "model"."""
    title_usage: Usage | None = None
    """What asking a model for titles cost, all requests together (counted in the total)."""
    deleted_usage: Usage | None = None
    """What the replies deleted since cost, all together: money spent stays in the total."""
    compare: list[str] = field(default_factory=list)
    """The models compared while this conversation is in compare mode (empty: it is not)."""
    preset: str = ""
    """The preset it was started from (its name; the preset may have changed since)."""
    pinned: bool = False
    """Starred in the session browser: listed on top."""
    labels: list[str] = field(default_factory=list)
    """The browser's tags (``tag:work``); not the request tags sent to Requesty."""

    def tree(self) -> Tree:
        return Tree(self.messages)

    def current(self) -> Message | None:
        """The last message of the branch on screen."""
        if self.leaf is not None:
            for message in reversed(self.messages):
                if message.id == self.leaf:
                    return message
        return self.messages[-1] if self.messages else None

    def path(self) -> list[Message]:
        """The branch on screen, first message first: what is shown and sent."""
        if all(m.parent is None for m in self.messages):
            end = self.current()
            if end is None:
                return []
            index = next(
                i for i in range(len(self.messages) - 1, -1, -1) if self.messages[i] is end
            )
            return self.messages[: index + 1]  # a linear chat: no tree to walk
        end = self.current()
        return self.tree().path_to(end) if end is not None else []

    def add(self, message: Message, under: Message | _Leaf | None = LEAF) -> None:
        """A new message under ``under`` (by default the end of the branch on screen), which
        becomes the end of the branch on screen."""
        parent = self.current() if isinstance(under, _Leaf) else under
        last = self.messages[-1] if self.messages else None
        if parent is last and message.parent is None:
            pass  # the message before it: no parent to write
        else:
            message.parent = parent.id if parent is not None else ROOT
        self.messages.append(message)
        self.show(message)

    def show(self, message: Message) -> None:
        """Make ``message`` the end of the branch on screen, and remember the way to it."""
        self.leaf = message.id if self.messages and self.messages[-1] is not message else None
        tree = self.tree()
        for node in tree.path_to(message)[1:]:
            parent = tree.parent_id.get(node.id)
            if parent is not None:
                self.branches[parent] = node.id

    def results_of(self, reply: Message) -> dict[str, Message]:
        """The ``tool`` messages answering ``reply``'s calls, by call id (they are written
        right after it, in order)."""
        if not reply.tool_calls:
            return {}
        index = next((i for i in range(len(self.messages) - 1, -1, -1)
                      if self.messages[i] is reply), None)  # fmt: skip
        out: dict[str, Message] = {}
        if index is None:
            return out
        for message in self.messages[index + 1 :]:
            if message.role != "tool":
                break
            out.setdefault(message.tool_call_id or "", message)
        return out

    def holds(self, message: Message) -> bool:
        """By identity: two replies with the same text in the same second are still two."""
        return any(m is message for m in self.messages)

    def discard(self, message: Message) -> None:
        """Take a message and everything under it out (a prompt that got no reply, a deleted
        branch); the branch on screen ends at its parent, or at a sibling's end."""
        tree = self.tree()
        if message.id not in tree.by_id:
            return
        gone = {m.id for m in tree.below(message)}
        parent = tree.parent(message)
        siblings = [m for m in tree.siblings(message) if m.id not in gone]
        on_screen = self.current()
        # A kept message never loses the message before it: a message whose parent is "the
        # message before" is that message's child, and would be going too.
        self.messages[:] = [m for m in self.messages if m.id not in gone]
        self.simplify_parents()
        for key in [k for k, v in self.branches.items() if k in gone or v in gone]:
            del self.branches[key]
        if on_screen is None or on_screen.id in gone:
            end = siblings[-1] if siblings else parent
            if end is not None:
                self.show(self.tree().descend(end, self.branches))
            else:
                self.leaf = None

    def simplify_parents(self) -> None:
        """A parent that is the message before becomes implicit again (a chat whose
        alternatives are all gone is a plain list, written as format 1)."""
        before = ROOT
        for message in self.messages:
            if message.parent is not None and message.parent == before:
                message.parent = None
            before = message.id

    def total_cost(self) -> tuple[float, bool] | None:
        """(USD, includes_estimates) over every reply that has a cost or an estimate."""
        shown = [m.usage.shown_cost for m in self.messages if m.usage is not None and not m.copied]
        for usage in (self.title_usage, self.deleted_usage):
            if usage is not None:
                shown.append(usage.shown_cost)
        known = [c for c in shown if c is not None]
        if not known:
            return None
        return sum(c for c, _ in known), any(est for _, est in known)

    def api_messages(self, path: list[Message] | None = None) -> list[dict[str, Any]]:
        """The messages to send: the system prompt, then every turn with content of the branch
        on screen (or of ``path``)."""
        out: list[dict[str, Any]] = []
        if self.system:
            out.append({"role": "system", "content": self.system})
        turns = self.path() if path is None else path
        out.extend(m.to_api() for m in sendable(turns))
        return out


def sendable(messages: list[Message]) -> list[Message]:
    """What a request carries of these: every prompt, replies that have text or calls (a reply
    that failed before its first token has neither), and the results of those calls.

    A reply's calls go only with a result for each, right after it (providers answer 400
    otherwise): a call whose result is missing (a hand-edited file, a turn killed mid-call) is
    left out of the reply, and a result whose call is not there is left out."""
    out: list[Message] = []
    index = 0
    while index < len(messages):
        message = messages[index]
        index += 1
        if message.role == "tool":
            continue  # a result without its call right before it
        if not message.tool_calls:
            if message.content or message.role == "user":
                out.append(message)
            continue
        results: dict[str, Message] = {}
        while index < len(messages) and messages[index].role == "tool":
            result = messages[index]
            results.setdefault(result.tool_call_id or "", result)
            index += 1
        answered = [call for call in message.tool_calls if call.id in results]
        if len(answered) != len(message.tool_calls):
            message = dataclasses.replace(message, tool_calls=answered)
        if answered:
            out.append(message)
            out.extend(results[call.id] for call in answered)
        elif message.content:
            out.append(message)
    return out


def new_conversation_id(now: datetime | None = None) -> str:
    """``20261126-184012-k3v9``: sortable by time, unique enough for one user's files."""
    import secrets
    import string

    stamp = (now or utc_now()).strftime("%Y%m%d-%H%M%S")
    suffix = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(4))
    return f"{stamp}-{suffix}"


def make_title(prompt: str, limit: int = 60) -> str:
    """A conversation's default title: its first prompt on one line, shortened."""
    line = " ".join(prompt.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"

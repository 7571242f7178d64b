"""One request in flight, without widgets: the events it receives, and what stays when it ends.

The "nothing is lost" rules are decided here, once, and property-tested over random event
sequences (``tests/unit/test_turn.py``): a reply that received anything is kept (marked
``cancelled`` or ``error`` when it did not finish); a request that received nothing takes its
new prompt back out of the conversation and gives the text back for the input box, except when
the app is quitting, where the prompt stays in the file so that the next start offers it again;
a regenerated reply that received nothing leaves the branch on screen as it was. The screen
only turns an :class:`Outcome` into widgets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from requesty_tui.client.errors import RouterError
from requesty_tui.client.events import (
    ChunkSkipped,
    CompletionId,
    ModelReported,
    ReasoningDelta,
    Retrying,
    StreamEnd,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    UsageReport,
)
from requesty_tui.core.domain import Attachment, Conversation, FinishReason, Message, ModelInfo
from requesty_tui.core.formatting import plural

if TYPE_CHECKING:
    from requesty_tui.core.tools import ToolCall


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a finished turn leaves, for the screen to show."""

    kept: bool
    """The reply is in the conversation (something arrived)."""
    finish_reason: FinishReason
    give_back: str | None = None
    """The prompt's text, for the input box: nothing arrived and the prompt left the history."""
    not_sent: tuple[str, str] | None = None
    """(label, reason) for the prompt's widget when it was given back."""
    notices: tuple[str, ...] = ()
    """One-line notices for the conversation pane, in order."""


@dataclass(eq=False)
class Turn:
    """Created when a prompt is sent (it is added to the conversation then, so that a crash
    keeps it); :meth:`apply` each event; :meth:`end` once."""

    conversation: Conversation
    prompt: Message
    model: str
    """The model asked."""
    prices: Callable[[str], ModelInfo | None] = lambda _model: None
    """What the model list knows of a model (for a cost estimate when the router gives none)."""
    prompt_is_new: bool = True
    """False for a regenerated reply: the prompt was answered before and stays."""
    before: Message | None = None
    """The end of the branch on screen before the turn (shown again if nothing arrives)."""
    edit_of: Message | None = None
    """The prompt this one is a new version of (an edit)."""
    under: Message | None = None
    """Where the answer goes in the tree (None: under the prompt); a later round of a turn
    with tools answers under the last tool result."""
    answer: Message = field(init=False)
    parts: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    finish: FinishReason | None = None
    error: RouterError | None = None
    calls: dict[int, ToolCall] = field(default_factory=dict)
    """The tool calls streamed so far, in the order they began."""
    _slots: dict[int, int] = field(default_factory=dict)
    """A fragment's ``index`` → the call it adds to now."""
    last_call: ToolCall | None = None
    """The call the latest fragment added to (for the screen)."""
    skipped: ChunkSkipped | None = None
    retrying: Retrying | None = None
    """The latest retry notice (cleared when text arrives)."""
    ended: Outcome | None = None
    on_record: Callable[[], None] | None = None
    """Called after the answer is first added to the conversation (a comparison keeps the
    branch on screen where it wants it)."""
    started: float = field(default_factory=time.monotonic)
    first_token_at: float | None = None
    """When the first text or reasoning arrived (time to first token)."""
    ended_at: float | None = None

    def __post_init__(self) -> None:
        self.answer = Message(role="assistant", content="", model=self.model)

    def restart_clock(self) -> None:
        """The request is being sent now."""
        self.started = time.monotonic()

    @property
    def first_token_s(self) -> float | None:
        """Seconds from sending to the first token."""
        return None if self.first_token_at is None else self.first_token_at - self.started

    @property
    def total_s(self) -> float | None:
        return None if self.ended_at is None else self.ended_at - self.started

    def tokens_per_s(self) -> float | None:
        """Output tokens per second after the first token (the router's count; None without
        usage or for a reply too short to time)."""
        usage = self.answer.usage
        if usage is None or self.first_token_at is None:
            return None
        end = self.ended_at or time.monotonic()
        streaming = end - self.first_token_at
        if streaming < 0.05 or not usage.completion_tokens:
            return None
        return usage.completion_tokens / streaming

    # -- while it streams --------------------------------------------------------------------

    def apply(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta):
            self.parts.append(event.text)
            self.retrying = None
            if self.first_token_at is None:
                self.first_token_at = time.monotonic()
        elif isinstance(event, ReasoningDelta):
            self.reasoning.append(event.text)
            self.retrying = None
            if self.first_token_at is None:
                self.first_token_at = time.monotonic()
        elif isinstance(event, ToolCallDelta):
            self._tool_fragment(event)
        elif isinstance(event, ModelReported):
            self.answer.model = event.model
        elif isinstance(event, CompletionId):
            self.answer.completion_id = event.id  # what a rating refers to
        elif isinstance(event, UsageReport):
            # No cost from the router: estimate from the model's list prices.
            known = self.prices(self.answer.model or "") or self.prices(self.model)
            self.answer.usage = event.usage.with_estimate(known)
        elif isinstance(event, Retrying):
            self.retrying = event
        elif isinstance(event, ChunkSkipped):
            self.skipped = event
        elif isinstance(event, StreamEnd):
            self.finish = event.finish_reason

    def _tool_fragment(self, event: ToolCallDelta) -> None:
        """Fragments join per ``index``; a fragment that brings another ``id`` at an index
        already used starts a call of its own (some servers number every call 0)."""
        key = self._slots.get(event.index)
        call = self.calls.get(key) if key is not None else None
        if call is None or (event.id and event.id != call.id and (call.name or call.arguments)):
            from requesty_tui.core.tools import ToolCall

            # A call without an id still needs one: its result is matched to it by id.
            call_id = event.id or f"call_{len(self.calls)}_{self.answer.id}"
            if any(c.id == call_id for c in self.calls.values()):
                call_id = f"{call_id}_{len(self.calls)}"  # ids must be unique in a reply
            key = self._slots[event.index] = len(self.calls)
            call = self.calls[key] = ToolCall(call_id, event.name or "")
        elif event.name and not call.name:
            call.name = event.name
        call.arguments += event.arguments
        self.last_call = call
        self.retrying = None
        if self.first_token_at is None:
            self.first_token_at = time.monotonic()

    @property
    def tool_calls(self) -> list[ToolCall]:
        """The calls in the order they began."""
        return [self.calls[key] for key in sorted(self.calls)]

    @property
    def received(self) -> bool:
        return bool(self.parts or self.reasoning or self.calls)

    def record(self) -> bool:
        """Put what arrived so far into the conversation (a periodic save); True if anything."""
        content = self.answer.content = "".join(self.parts)
        self.parts[:] = [content] if content else []  # joined once: the next save adds the rest
        reasoning = "".join(self.reasoning)
        self.reasoning[:] = [reasoning] if reasoning else []
        self.answer.reasoning = reasoning or None
        self.answer.skipped_chunks = self.skipped.total if self.skipped else 0
        self.answer.tool_calls = self.tool_calls
        if self.received and not self.conversation.holds(self.answer):
            self.conversation.add(self.answer, under=self.under or self.prompt)
            if self.on_record is not None:
                self.on_record()
        return self.received

    # -- the end -------------------------------------------------------------------------------

    def end(
        self, *, cancelled: bool = False, exiting: bool = False, error: RouterError | None = None
    ) -> Outcome:
        """Decide what stays. ``cancelled``: Esc or the app quitting (``exiting``)."""
        if self.ended is not None:
            return self.ended
        self.ended_at = time.monotonic()
        if error is not None:
            self.error = error
        finish: FinishReason
        if cancelled:
            finish = "cancelled"
        elif self.error is not None or self.finish is None:
            finish = "error"
        else:
            finish = self.finish
        if self.calls and finish == "stop":
            finish = "tool_calls"  # some servers say "stop" after calls
        self.answer.finish_reason = finish
        kept = self.record()
        notices: list[str] = []
        give_back = None
        not_sent = None
        if not kept:
            self.conversation.discard(self.answer)
            if self.prompt_is_new and not (cancelled and exiting):
                # Nothing came back: the prompt leaves the history and goes back to the input.
                self.conversation.discard(self.prompt)
                give_back = self.prompt.content
                if self.error is not None:
                    not_sent = ("not answered", str(self.error))
                elif cancelled:
                    not_sent = ("stopped before the reply began",) * 2
                else:
                    empty = f"the model sent an empty reply (finish reason: {finish})"
                    not_sent = ("not answered", empty)
                    notices.append(f"The model sent an empty reply (finish reason: {finish}).")
        if self.error is not None:
            notices.append(str(self.error))
        if self.skipped is not None and (kept or self.error is None):
            notices.append(
                f"{plural(self.skipped.total, 'chunk')} of the stream could not be read "
                f"({self.skipped.reason}); the reply may be missing text."
            )
        keeps_prompt = self.prompt_is_new and cancelled and exiting
        before = self.before
        if not kept and not keeps_prompt and before and self.conversation.holds(before):
            self.conversation.show(before)  # the branch on screen as it was
        self.ended = Outcome(kept, finish, give_back, not_sent, tuple(notices))
        return self.ended


def start_turn(
    conversation: Conversation,
    text: str,
    model: str,
    prices: Callable[[str], ModelInfo | None] = lambda _model: None,
    *,
    instead_of: Message | None = None,
    attachments: list[Attachment] | None = None,
) -> Turn:
    """Add the prompt to the conversation (titled by it when untitled) and start its turn.
    ``instead_of``: an edit, a new version of that prompt beside it."""
    from requesty_tui.core.domain import make_title

    before = conversation.current()
    prompt = Message(role="user", content=text, attachments=list(attachments or []))
    under = conversation.tree().parent(instead_of) if instead_of is not None else before
    conversation.add(prompt, under=under)
    if not conversation.title:
        conversation.title = make_title(text)
    return Turn(conversation, prompt, model, prices, before=before, edit_of=instead_of)


def start_regeneration(
    conversation: Conversation,
    prompt: Message,
    model: str,
    prices: Callable[[str], ModelInfo | None] = lambda _model: None,
) -> Turn:
    """Ask again for a reply to ``prompt``: the new one is an alternative of the old ones."""
    before = conversation.current()
    conversation.show(prompt)  # the request carries the branch up to the prompt
    return Turn(conversation, prompt, model, prices, prompt_is_new=False, before=before)


UNANSWERED = (
    "Your last message got no reply (the app stopped before it came); it is back in the input "
    "box: Enter sends it."
)


def take_unanswered(conversation: Conversation) -> Message | None:
    """A resumed conversation that ends with a prompt nobody answered (the app was killed or
    quit before the first token): the prompt leaves the history, for the input box, instead of
    sitting there as if it had been answered, so that Enter sends it once."""
    messages = conversation.messages
    if messages and messages[-1].role == "user":
        return messages.pop()
    return None

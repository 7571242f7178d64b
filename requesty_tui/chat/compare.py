"""One prompt to several models at once; their replies are alternatives of that prompt.

A :class:`Comparison` adds the prompt once and holds one :class:`~requesty_tui.chat.turn.Turn`
per model (a column on screen, a section of ``requesty-tui compare``). Each turn keeps what it
received on its own rules (a column that fails leaves nothing, the others go on); what only
the whole comparison can decide is decided here: the prompt leaves the history (and goes back
to the input box) only when no model answered, and the branch on screen ends at the picked
reply, else at the first column that answered, whatever order the replies arrived in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from requesty_tui.chat.request import build_request
from requesty_tui.chat.turn import Turn, start_turn
from requesty_tui.client.request import ChatRequest
from requesty_tui.core.domain import Attachment, Conversation, Message, ModelInfo

MIN_MODELS = 2
MAX_MODELS = 4
"""Columns side by side: four is what an 80-column terminal can stack and a wide one show."""


def check_models(models: list[str]) -> str | None:
    """Why this set cannot be compared (None: it can)."""
    if len(set(models)) != len(models):
        return "each model once"
    if not MIN_MODELS <= len(models) <= MAX_MODELS:
        return f"choose {MIN_MODELS} to {MAX_MODELS} models (chosen: {len(models)})"
    return None


def resumed_compare(conversation: Conversation) -> list[str]:
    """The models a resumed conversation compares again (none when its saved set is not one
    that can be compared: a hand-edited file)."""
    models = list(conversation.compare)
    return models if models and check_models(models) is None else []


@dataclass(frozen=True, slots=True)
class ComparisonOutcome:
    answered: int
    """How many models answered (their replies are in the conversation)."""
    give_back: str | None = None
    """The prompt's text for the input box: no model answered, the prompt left the history."""


@dataclass(eq=False)
class Comparison:
    conversation: Conversation
    prompt: Message
    turns: list[Turn]
    requests: list[ChatRequest]
    """One per turn, built before anything arrives: each carries the branch up to the prompt."""
    before: Message | None = None
    """The end of the branch on screen before the prompt was sent."""
    picked: Turn | None = None
    ended: ComparisonOutcome | None = field(default=None)

    @property
    def models(self) -> list[str]:
        return [turn.model for turn in self.turns]

    def on_screen(self) -> Message | None:
        """The reply the branch on screen ends at: the picked one, else the first column's
        that answered."""
        if self.picked is not None and self.conversation.holds(self.picked.answer):
            return self.picked.answer
        for turn in self.turns:
            if self.conversation.holds(turn.answer):
                return turn.answer
        return None

    def _place(self) -> None:
        end = self.on_screen()
        if end is not None:
            self.conversation.show(end)

    def _in_column_order(self, held: list[Message]) -> None:
        """The replies were added as they arrived; as alternatives (‹n/of›, the file) they
        follow the columns. They have no children yet, so only their places swap."""
        messages = self.conversation.messages
        slots = sorted(i for i, m in enumerate(messages) if any(m is a for a in held))
        for answer in held:
            answer.parent = self.prompt.id  # explicit: the message before may change
        for slot, answer in zip(slots, held, strict=True):
            messages[slot] = answer
        self.conversation.simplify_parents()

    def pick(self, turn: Turn) -> bool:
        """Continue from this column's reply (False: it has none)."""
        if not self.conversation.holds(turn.answer):
            return False
        self.picked = turn
        self._place()
        return True

    def end(self, *, exiting: bool = False) -> ComparisonOutcome:
        """Every turn has ended: keep the prompt if anyone answered (or the app is quitting,
        so that the next start offers it again), else give it back."""
        if self.ended is not None:
            return self.ended
        conversation = self.conversation
        held = [turn.answer for turn in self.turns if conversation.holds(turn.answer)]
        answered = len(held)
        give_back = None
        if answered:
            self._in_column_order(held)
            self._place()
        elif not exiting:
            self.conversation.discard(self.prompt)
            give_back = self.prompt.content
            if self.before is not None and self.conversation.holds(self.before):
                self.conversation.show(self.before)
        self.ended = ComparisonOutcome(answered, give_back)
        return self.ended


def start_comparison(
    conversation: Conversation,
    text: str,
    models: list[str],
    prices: Callable[[str], ModelInfo | None] = lambda _model: None,
    *,
    instead_of: Message | None = None,
    attachments: list[Attachment] | None = None,
) -> Comparison:
    """Add the prompt (``instead_of``: as a new version of that one) and a turn per model.
    The requests are built now, from the same messages and options, each with what the model
    list says of its model (reasoning effort only where it is supported)."""
    first = start_turn(
        conversation, text, models[0], prices, instead_of=instead_of, attachments=attachments
    )
    requests = [build_request(conversation, prices(model), model) for model in models]
    comparison = Comparison(conversation, first.prompt, [], requests, before=first.before)
    for model in models:
        turn = Turn(conversation, first.prompt, model, prices, prompt_is_new=False)
        turn.on_record = comparison._place
        comparison.turns.append(turn)
    return comparison

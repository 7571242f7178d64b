"""A conversation's title from a model: asked after the first reply when ``title_model`` is
set (off by default: it spends the user's money), or on demand (``chat: title from model``).
Its cost is counted with the conversation's; a title the user gave is never replaced."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from requesty_tui.client.errors import RouterError
from requesty_tui.client.request import ChatRequest
from requesty_tui.core.domain import Conversation, Message, ModelInfo, Usage
from requesty_tui.core.safe_text import one_line

if TYPE_CHECKING:
    from requesty_tui.client.router import RouterClient

INSTRUCTION = (
    "Write a title for the conversation below: at most six words, no quotes, no full stop. "
    "Answer with the title only."
)
EXCERPT = 2000
"""Characters of the first prompt and of the first reply the title is made from."""
TITLE_TOKENS = 30


def needs_title(conversation: Conversation) -> bool:
    """After the first reply, once: not when the user named it or a model did already."""
    replies = [m for m in conversation.messages if m.role == "assistant" and m.content]
    return conversation.title_by == "" and len(replies) == 1


def title_request(conversation: Conversation, model: str) -> ChatRequest | None:
    path = conversation.path()
    prompt = next((m for m in path if m.role == "user"), None)
    reply = next((m for m in path if m.role == "assistant" and m.content), None)
    if prompt is None:
        return None
    excerpt = f"User: {prompt.content[:EXCERPT]}"
    if reply is not None:
        excerpt += f"\n\nAssistant: {reply.content[:EXCERPT]}"
    return ChatRequest(
        model=model,
        messages=[
            {"role": "system", "content": INSTRUCTION},
            {"role": "user", "content": excerpt},
        ],
        temperature=None,
        max_tokens=TITLE_TOKENS,
        reasoning_effort=None,
        requesty=conversation.options.requesty(conversation.id),
    )


def clean_title(text: str) -> str | None:
    """The model's answer as a title: one line, no quotes or trailing stop, at most 60
    characters (None when nothing is left)."""
    line = one_line(text.strip().splitlines()[0] if text.strip() else "")
    if line.lower().startswith("title:"):
        line = line[6:]
    line = line.strip().strip("\"'`*#").strip().rstrip(".").strip()
    return line[:60].rstrip() or None


@dataclass(frozen=True, slots=True)
class TitleAnswer:
    """What asking for a title gave (it is in the conversation already)."""

    title: str | None
    """The model's title (None: it gave none); not taken when the user renamed the chat
    meanwhile."""
    usage: Usage | None
    error: RouterError | None = None
    """The request failed: nothing changed."""


async def ask_title(
    conversation: Conversation,
    model: str,
    connect: Callable[[], Awaitable[RouterClient]],
    prices: Callable[[str], ModelInfo | None] = lambda _model: None,
) -> TitleAnswer | None:
    """Ask ``model`` for the conversation's title and give it one (its cost counted with the
    conversation's; a title the user gave meanwhile stays). None: nothing to make one from.

    The request runs as any reply (:class:`~requesty_tui.chat.runner.ReplyRunner`), in a
    conversation of its own: the title's exchange is never part of the chat."""
    from requesty_tui.chat.runner import ReplyRunner
    from requesty_tui.chat.turn import Turn

    request = title_request(conversation, model)
    if request is None:
        return None
    aside = Conversation(id=conversation.id, model=model)
    prompt = Message(role="user", content=str(request.messages[-1]["content"]))
    aside.messages.append(prompt)
    turn = Turn(aside, prompt, model, prices, prompt_is_new=False)
    await ReplyRunner(aside, turn, connect, request=request).run()
    if turn.error is not None:
        return TitleAnswer(None, None, turn.error)
    usage = turn.answer.usage
    if usage is not None:
        before = conversation.title_usage
        conversation.title_usage = usage if before is None else before.plus(usage)
    title = clean_title(turn.answer.content)
    if title is not None and conversation.title_by != "user":  # renamed meanwhile: kept
        conversation.title = title
        conversation.title_by = "model"
    return TitleAnswer(title, usage)

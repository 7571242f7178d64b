"""A conversation's title from a model: asked after the first reply when ``title_model`` is
set (off by default: it spends the user's money), or on demand (``chat: title from model``).
Its cost is counted with the conversation's; a title the user gave is never replaced."""

from __future__ import annotations

from requesty_tui.client.request import ChatRequest
from requesty_tui.core.domain import Conversation
from requesty_tui.core.safe_text import one_line

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

"""Going back in a conversation: edit a prompt, regenerate a reply, switch between the
alternatives, fork a branch into a new conversation, delete a branch. Nothing is lost: an edit
or a regenerated reply is a new sibling, the old one stays one key away (``‹1/2›``).

Plain functions over :class:`~requesty_tui.core.domain.Conversation`; the chat screen calls
them and redraws the part of the branch that changed.
"""

from __future__ import annotations

import dataclasses

from requesty_tui.core.domain import Conversation, Message, new_conversation_id
from requesty_tui.core.tree import Tree, new_message_id


def position(conversation: Conversation, message: Message) -> tuple[int, int]:
    """(n, of): the message is alternative n of ``of`` (1-based); (1, 1) without siblings."""
    siblings = conversation.tree().siblings(message)
    index = next((i for i, m in enumerate(siblings) if m is message), 0)
    return index + 1, len(siblings)


def switch(conversation: Conversation, message: Message, step: int) -> Message | None:
    """Show the sibling ``step`` places away (-1: the previous alternative), with the rest of
    its branch as it was last seen; return it (None when there is none that way)."""
    tree = conversation.tree()
    siblings = tree.siblings(message)
    index = next((i for i, m in enumerate(siblings) if m is message), None)
    if index is None or not 0 <= index + step < len(siblings):
        return None
    chosen = siblings[index + step]
    conversation.show(tree.descend(chosen, conversation.branches))
    return chosen


def edit(conversation: Conversation, original: Message, text: str) -> Message:
    """A new version of a prompt: a sibling of ``original``, from the same point of the
    conversation; it becomes the end of the branch on screen (its reply comes next)."""
    tree = conversation.tree()
    prompt = Message(role="user", content=text)
    conversation.add(prompt, under=tree.parent(original))
    return prompt


def reply_parent(conversation: Conversation, reply: Message) -> Message | None:
    """The prompt a reply answers (a regenerated reply hangs there too): a reply after tool
    results answers the prompt that started its turn."""
    tree = conversation.tree()
    parent = tree.parent(reply)
    while parent is not None and parent.role in ("tool", "assistant"):
        parent = tree.parent(parent)
    return parent


def shown_from(conversation: Conversation, message: Message) -> int:
    """Where ``message`` stands in the branch on screen (its index), -1 if not on it."""
    return next((i for i, m in enumerate(conversation.path()) if m is message), -1)


def fork(conversation: Conversation, message: Message) -> Conversation:
    """A new conversation holding the branch on screen up to ``message`` (copies), with the
    same model and settings. Its total starts at nothing: the copies' cost was spent in the
    original, which keeps it."""
    path = Tree(conversation.messages).path_to(message)
    # New ids: the two files go their own ways.
    copies = [
        dataclasses.replace(m, id=new_message_id(), parent=None, extra=dict(m.extra), copied=True)
        for m in path
    ]
    title = conversation.title or ""
    return dataclasses.replace(
        conversation,
        id=new_conversation_id(),
        title=f"{title} (fork)" if title else "",
        messages=copies,
        leaf=None,
        branches={},
        problems=[],
        options=dataclasses.replace(conversation.options, tags=list(conversation.options.tags)),
        extra=dict(conversation.extra),
        title_usage=None,
        deleted_usage=None,
        source="",  # a fork is made here: a second import must not take it for the original
        source_id="",
        source_digest="",
    )


def delete(conversation: Conversation, message: Message) -> int:
    """Delete the message and everything below it; return how many messages went. What the
    deleted replies cost stays in the conversation's total (``deleted_usage``)."""
    gone = conversation.tree().below(message)
    for spent in (m.usage for m in gone if m.usage is not None and not m.copied):
        before = conversation.deleted_usage
        conversation.deleted_usage = spent if before is None else before.plus(spent)
    conversation.discard(message)
    return len(gone)


def branch_with(conversation: Conversation, words: list[str]) -> Message | None:
    """The first message holding every word (a search hit), for opening the conversation on
    the branch that holds it: its branch is shown (as last seen below it) and it is returned."""
    lowered = [w.lower() for w in words if w]
    if not lowered:
        return None
    for message in conversation.messages:
        text = message.content.lower()
        if all(word in text for word in lowered):
            conversation.show(conversation.tree().descend(message, conversation.branches))
            return message
    return None

"""A conversation + what is known of its model → the request to send.

One place decides what goes into the body, so that the TUI and ``ask`` send the same thing and
a test can check it without a server: the messages (:mod:`requesty_tui.chat.history`),
``reasoning_effort`` only for models that say they reason (others may answer 400), the
per-conversation generation settings, and the ``requesty`` metadata (``trace_id`` defaults to
the conversation id so the dashboard groups a chat).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from requesty_tui.chat.history import api_messages, sendable
from requesty_tui.client.request import ChatRequest
from requesty_tui.core.domain import (
    Conversation,
    Message,
    ModelInfo,
    RequestOptions,
    new_conversation_id,
)
from requesty_tui.core.settings import Settings

if TYPE_CHECKING:
    from requesty_tui.storage.attachments import AttachmentStore


def new_conversation(settings: Settings, model: str) -> Conversation:
    """An empty chat with the configured defaults (system prompt, effort, metadata)."""
    return Conversation(
        id=new_conversation_id(),
        model=model,
        system=settings.system_prompt,
        options=RequestOptions(
            reasoning_effort=settings.reasoning_effort,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            tags=list(settings.tags),
            user_id=settings.user_id,
            auto_cache=settings.auto_cache,
        ),
    )


def build_request(
    conversation: Conversation,
    model: ModelInfo | None,
    model_id: str | None = None,
    path: list[Message] | None = None,
    attachments: AttachmentStore | None = None,
    tools: list[dict[str, Any]] | None = None,
) -> ChatRequest:
    """The request for the branch on screen (or only ``path``: the recent turns that fit the
    context window), to ``model_id`` (default: the conversation's model; ``model`` is what the
    model list says of it). Attached files are read from ``attachments`` (default: the data
    folder's store); raises AttachmentError when one cannot be. ``tools``: the function
    definitions offered (:meth:`Toolbox.offered` decides which model gets them)."""
    options = conversation.options
    messages: list[dict[str, Any]] = api_messages(conversation, path)
    turns = conversation.path() if path is None else path
    if any(m.attachments for m in turns):
        from requesty_tui.chat.attachments import api_content
        from requesty_tui.storage.attachments import AttachmentStore

        store = attachments or AttachmentStore()
        sent = sendable(turns)
        offset = len(messages) - len(sent)  # the system prompt
        for index, message in enumerate(sent):
            if message.attachments:
                messages[offset + index]["content"] = api_content(message, store)
    if not tools and any(m.get("role") == "tool" or m.get("tool_calls") for m in messages):
        messages = fold_tool_turns(messages)
    effort = options.reasoning_effort
    if model is None or not model.supports_reasoning:
        effort = None
    return ChatRequest(
        model=model_id or conversation.model,
        messages=messages,
        temperature=options.temperature,
        max_tokens=options.max_tokens,
        reasoning_effort=effort,
        requesty=options.requesty(conversation.id),
        tools=list(tools or []),
    )


def fold_tool_turns(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Earlier tool calls and results as text, for a request that offers no tools (tools off,
    a model that calls none, a comparison): providers refuse ``tool_calls`` and ``tool``
    messages without ``tools`` (Anthropic: "must define tools"). Each run of replies and
    results becomes one assistant message that says what was called and what came back."""
    out: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    folding = False
    for message in messages:
        role = message.get("role")
        if role not in ("assistant", "tool"):
            out.append(message)
            folding = False
            continue
        if role == "tool":
            name = names.get(str(message.get("tool_call_id")), "a tool")
            text = f"[The tool {name} returned:\n{message.get('content') or ''}]"
        else:
            parts = [message["content"]] if isinstance(message.get("content"), str) else []
            for call in message.get("tool_calls") or []:
                function = call.get("function", {})
                names[str(call.get("id"))] = str(function.get("name"))
                parts.append(f"[Called the tool {function.get('name')} with "
                             f"{function.get('arguments') or '{}'}]")  # fmt: skip
            text = "\n\n".join(p for p in parts if p)
        if folding and out:
            previous = out[-1]
            previous["content"] = "\n\n".join(p for p in (previous["content"], text) if p)
        else:
            out.append({"role": "assistant", "content": text})
            folding = True
    return out


def reasoning_note(conversation: Conversation, model: ModelInfo | None) -> str | None:
    """Why a chosen reasoning effort is not being sent, for the status bar (None: it is)."""
    if not conversation.options.reasoning_effort:
        return None
    if model is None:
        return "reasoning effort not sent: the model list does not know this model"
    if not model.supports_reasoning:
        if not model.capabilities_known:
            return "reasoning effort not sent: the model list does not say this model reasons"
        return "reasoning effort not sent: this model does not reason"
    return None

"""What a request carries of a conversation: the branch on screen as the chat completions API
takes it, without what providers refuse.

Apart from :mod:`requesty_tui.chat.request` (which adds the model, the options and the
attachments) so that the context meter can count exactly what is sent without importing the
request's builder.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from requesty_tui.core.domain import Conversation, Message


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


def api_message(message: Message) -> dict[str, Any]:
    """One message as the chat completions API takes it (attachments are added later)."""
    if message.role == "tool":
        return {
            "role": "tool",
            "tool_call_id": message.tool_call_id or "",
            "content": message.content,
        }
    if message.tool_calls:
        return {
            "role": message.role,
            "content": message.content or None,
            "tool_calls": [call.to_api() for call in message.tool_calls],
        }
    return {"role": message.role, "content": message.content}


def api_messages(
    conversation: Conversation, path: list[Message] | None = None
) -> list[dict[str, Any]]:
    """The messages to send: the system prompt, then every turn with content of the branch
    on screen (or of ``path``)."""
    out: list[dict[str, Any]] = []
    if conversation.system:
        out.append({"role": "system", "content": conversation.system})
    turns = conversation.path() if path is None else path
    out.extend(api_message(m) for m in sendable(turns))
    return out

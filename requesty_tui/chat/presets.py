"""Using a preset: a new conversation with its model and settings (the session file records the
preset's name; editing the preset later leaves old chats as they are), its first message filled
in; and the other way, a preset from the chat on screen."""

from __future__ import annotations

from requesty_tui.chat.request import new_conversation
from requesty_tui.core.domain import Conversation
from requesty_tui.core.settings import Settings
from requesty_tui.storage.presets import Preset


def conversation_from(settings: Settings, preset: Preset) -> Conversation:
    """A new chat: ``config.toml``'s defaults, then what the preset sets."""
    conversation = new_conversation(settings, preset.model)
    apply_preset(conversation, preset)
    return conversation


def apply_preset(conversation: Conversation, preset: Preset) -> None:
    """What the preset sets, on a new (empty) chat."""
    conversation.model = preset.model
    opts = conversation.options
    if preset.system_prompt is not None:
        conversation.system = preset.system_prompt
    for key in ("temperature", "max_tokens", "reasoning_effort", "user_id", "auto_cache", "tools"):
        value = getattr(preset, key)
        if value is not None:
            setattr(opts, key, value)
    if preset.tags:
        opts.tags = list(preset.tags)
    conversation.preset = preset.name


def values_from(conversation: Conversation, description: str = "") -> dict[str, object]:
    """What ``preset: save current chat as…`` writes: the chat's model and settings."""
    opts = conversation.options
    return {
        "description": description,
        "model": conversation.model,
        "system_prompt": conversation.system,
        "temperature": opts.temperature,
        "max_tokens": opts.max_tokens,
        "reasoning_effort": opts.reasoning_effort,
        "tags": list(opts.tags),
        "user_id": opts.user_id,
        "auto_cache": opts.auto_cache,
        "tools": opts.tools,
    }

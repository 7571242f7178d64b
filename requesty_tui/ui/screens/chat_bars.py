"""What the chat screen's two bars say: the model and settings on top, the state below."""

from __future__ import annotations

from rich.text import Text

from requesty_tui.chat.request import reasoning_note
from requesty_tui.chat.services import Services
from requesty_tui.core import options as chat_options
from requesty_tui.core.domain import Attachment, Conversation
from requesty_tui.core.formatting import format_cost, plural
from requesty_tui.ui.widgets.status_line import Piece


def top_line(conversation: Conversation, compare: list[str] | None = None) -> Text:
    """The model (click or F2 to change it), or the models compared, and the conversation's
    settings."""
    if compare:
        top = Text(f" compare: {' · '.join(compare)}", style="bold")
        top.append("  (ctrl+p: chat: compare off)", style="not bold dim")
    else:
        top = Text(f" {conversation.model}  ▾ F2", style="bold")
    settings = chat_options.summary(conversation)
    if settings:
        top.append("   " + " · ".join(settings), style="not bold dim")
    return top


def status_pieces(
    conversation: Conversation,
    services: Services,
    streaming: bool,
    draft: str = "",
    pending: list[Attachment] | None = None,
    comparing: bool = False,
) -> list[Piece]:
    """The status bar's pieces, most important first (the bar drops the others to fit)."""
    catalogue = services.catalogue
    pieces = []
    known = catalogue.info(conversation.model)
    if conversation.messages or draft or pending:
        from requesty_tui.chat.meter import estimate

        extra = services.toolbox.offered_chars(conversation, known) if services.has_tools else 0
        meter = estimate(conversation, draft, known, pending, extra)
        pieces.append(Piece(meter.label(), 1, warning=not meter.fits))
        if meter.input_cost is not None and (draft.strip() or pending):
            pieces.append(Piece(f"next ≈ {format_cost((meter.input_cost, False))} in", 3))
    if streaming:
        pieces.append(Piece("streaming — Esc stops", 0))
    if not services.settings.api_key:
        pieces.append(Piece("no API key: set REQUESTY_API_KEY", 0, warning=True))
    if catalogue.unknown(conversation.model):
        pieces.append(Piece(f"{conversation.model} is not on this server (F2)", 1, True))
    # A reply that only called tools is part of the turn it began, not a reply of its own.
    turns = sum(1 for m in conversation.messages
                if m.role == "assistant" and m.finish_reason != "tool_calls")  # fmt: skip
    if turns:
        pieces.append(Piece(plural(turns, "reply", "replies"), 4))
    total = conversation.total_cost()
    if total is not None:
        shown = format_cost((total[0], False))
        label = f"~{shown} total (incl. estimates)" if total[1] else f"{shown} total"
        pieces.append(Piece(label, 2))
    note = reasoning_note(conversation, catalogue.info(conversation.model))
    if note and catalogue.models:
        pieces.append(Piece(note, 3))
    tools = services.toolbox.label(conversation, known, comparing) if services.has_tools else None
    if tools:
        pieces.append(Piece(tools, 2))
        allowed = services.toolbox.allowed_label(conversation)
        if allowed:
            pieces.append(Piece(allowed, 2))
    spend = services.spend.label()
    if spend:
        pieces.append(Piece(spend, 5))
    if catalogue.status:
        pieces.append(Piece(catalogue.status, 3))
    return pieces

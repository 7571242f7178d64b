"""What the chat screen's two bars say: the title, model and settings on top, the state below."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from requesty_tui.chat.request import reasoning_note
from requesty_tui.chat.services import Services
from requesty_tui.core import options as chat_options
from requesty_tui.core.domain import Attachment, Conversation
from requesty_tui.core.formatting import format_cost, plural
from requesty_tui.core.safe_text import make_safe
from requesty_tui.ui.key_names import label_for
from requesty_tui.ui.widgets.status_line import Piece

TITLE_CELLS = 24
"""The most of a title the top bar shows: with a model id of 35 cells (the longest common
ones), "▾ F2" and the separators it still fits 80 columns."""


def top_title(conversation: Conversation) -> Text:
    """The conversation's title, shortened to :data:`TITLE_CELLS` (a new chat has none yet)."""
    if not conversation.title:
        return Text("new chat", style="dim")
    title = Text(make_safe(" ".join(conversation.title.split())))
    title.truncate(TITLE_CELLS, overflow="ellipsis")
    return title


def top_line(
    conversation: Conversation,
    compare: list[str] | None = None,
    keys: Mapping[str, str] | None = None,
) -> Text:
    """The conversation's title, the model (click or F2 to change it) or the models compared,
    and the conversation's settings; ``keys``: the [keys] remaps, so the hint names the key
    that works."""
    top = Text(" ")
    top.append_text(top_title(conversation))
    top.append(" │ ", style="dim")
    if compare:
        top.append(f"compare: {' · '.join(compare)}", style="bold")
        top.append("  (ctrl+p: chat: compare off)", style="dim")
    else:
        pick = label_for(keys or {}, "chat.model", "f2")
        top.append(f"{conversation.model}  ▾ {pick}", style="bold")
    settings = chat_options.summary(conversation)
    if settings:
        top.append("   " + " · ".join(settings), style="dim")
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
        stop = label_for(services.settings.keys, "chat.stop", "escape")
        pieces.append(Piece(f"streaming — {stop} stops", 0))
    if not services.settings.api_key:
        pieces.append(Piece("no API key: set REQUESTY_API_KEY", 0, warning=True))
    if catalogue.unknown(conversation.model):
        pick = label_for(services.settings.keys, "chat.model", "f2")
        pieces.append(Piece(f"{conversation.model} is not on this server ({pick})", 1, True))
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
            # Kept before the tool count and the total: what may run unasked is a matter of
            # trust, so it stays on the bar at 80 columns (found trying it at 80x24).
            pieces.append(Piece(allowed, 1, warning=True))
    spend = services.spend.label()
    if spend:
        pieces.append(Piece(spend, 5))
    if catalogue.status:
        pieces.append(Piece(catalogue.status, 3))
    return pieces

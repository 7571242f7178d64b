"""The conversation a chat screen holds: opened at a search hit, another one in its place (a new
chat; the open one was deleted in the browser), and what of it a delete elsewhere must leave
alone (the attached copies it still refers to)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from requesty_tui.chat.autosave import Autosaver
from requesty_tui.chat.request import new_conversation
from requesty_tui.core.domain import Message
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.highlight import words_pattern
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.prompt_input import PromptInput

if TYPE_CHECKING:
    from textual.widget import Widget

    from requesty_tui.ui.screens.chat import ChatScreen


HIT_MARGIN = 2
"""Lines kept above a found line deep in a long reply (what leads to it)."""


@dataclass(frozen=True, slots=True)
class Found:
    """A search hit the conversation is opened at: the message, the words searched for."""

    message: Message
    words: tuple[str, ...]


async def show_found(screen: ChatScreen, found: Found) -> None:
    """The hit's message mounted (it may be far behind the "earlier messages" marker) and
    scrolled into view, the words marked in every message."""
    view = screen.query_one(ConversationView)
    view.highlight(words_pattern(found.words))
    widget = await view.reveal(found.message)
    if widget is not None:
        view.anchor(False)  # opened at the hit, not at the end
        view.call_after_refresh(_scroll_to, view, widget)


def _scroll_to(view: ConversationView, widget: Widget) -> None:
    """The message at the top of the pane; a reply whose words are further down than the pane
    shows: the line that holds them."""
    view.scroll_to_widget(widget, animate=False, top=True, immediate=True)
    body = getattr(widget, "body", None)
    if isinstance(body, MarkdownView):
        line = body.first_hit_line()
        if line is not None:
            view.call_after_refresh(_scroll_to_line, view, body, line)


def _scroll_to_line(view: ConversationView, body: MarkdownView, line: int) -> None:
    row = body.region.y - view.content_region.y + line
    if row >= view.content_region.height - HIT_MARGIN:
        view.scroll_to(y=view.scroll_y + row - HIT_MARGIN, animate=False, immediate=True)


async def new_chat(screen: ChatScreen, *, deleted: bool = False) -> None:
    """A new conversation on this screen. What is typed stays with the conversation it was
    typed in; an empty chat's text comes along (it was the new chat's draft already).

    ``deleted``: the conversation on screen was deleted. Nothing of it may be written again
    (its file would come back, naming attached copies that are gone), so a streaming reply is
    stopped and what waits to be saved is dropped; what is typed comes along."""
    await screen.stop_reply()
    if deleted:
        screen.workers.cancel_group(screen, "title")
        screen.saver.abandon()
    else:
        screen.save_draft(force=True)
        screen.saver.close()
    if screen.branches.editing is not None:
        screen.branches.end_edit(restore=False)
    if "compare" in screen.__dict__:  # its columns go with the rest
        screen.compare.view = screen.compare.comparison = None
    carried = deleted or screen.drafts.key is None
    await screen.query_one(ConversationView).clear()
    screen.conversation = new_conversation(screen.services.settings, screen.model)
    screen.saver = Autosaver(screen.services.store, screen.saved)
    screen.drafts.switch(screen.conversation)
    prompt = screen.query_one(PromptInput)
    if deleted:
        screen.drafts.dirty = True  # the text is now the new chat's draft
    elif not carried:
        prompt.show_restored(screen.drafts.load())
    screen.refresh_bars()
    prompt.focus()


def held_attachments(screen: ChatScreen) -> set[str]:
    """The copies this screen refers to (SHA-256): its messages' files, saved or not, and the
    files waiting for the next message."""
    held = {a.sha256 for m in screen.conversation.messages for a in m.attachments}
    return held | {a.sha256 for a in screen.pending_attachments}

"""The conversation a chat screen holds, on screen: opened as it was left (at a search hit, with
its draft, a prompt nobody answered given back), another one in its place (a new chat; the open
one was deleted in the browser), and each message's widget. The state itself is the
:class:`~requesty_tui.chat.session.ChatSession`'s."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Protocol

from requesty_tui.chat.turn import UNANSWERED
from requesty_tui.core.domain import Message
from requesty_tui.ui.screens.chat_host import ChatParts
from requesty_tui.ui.widgets.highlight import words_pattern
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.message import AssistantMessage, Notice, UserMessage

if TYPE_CHECKING:
    from textual.widget import Widget

    from requesty_tui.chat.autosave import SaveReport
    from requesty_tui.ui.screens.chat_branches import BranchControl
    from requesty_tui.ui.widgets.conversation import ConversationView


HIT_MARGIN = 2
"""Lines kept above a found line deep in a long reply (what leads to it)."""


@dataclass(frozen=True, slots=True)
class Found:
    """A search hit the conversation is opened at: the message, the words searched for."""

    message: Message
    words: tuple[str, ...]


class SessionHost(ChatParts, Protocol):
    @property
    def found(self) -> Found | None: ...

    @property
    def branches(self) -> BranchControl: ...

    async def stop_reply(self) -> None:
        """Stop a streaming reply and wait until it is recorded."""

    def leave_conversation(self, *, deleted: bool) -> None:
        """What belongs to the conversation leaving the screen goes with it (its comparison's
        columns; deleted: the title being asked for)."""


def message_widget(host: ChatParts, message: Message) -> Widget:
    """A message's widget in the pane (a reply with its tools' results and its turn's cost)."""
    code = host.context.theming.code_style()
    if message.role == "assistant":
        conversation = host.session.conversation
        results = conversation.results_of(message) if message.tool_calls else None
        turn = None
        if not message.tool_calls and any(m.role == "tool" for m in conversation.messages):
            from requesty_tui.chat.tool_loop import turn_usage

            turn = turn_usage(conversation, message)  # the whole turn's cost
        model = message.model or conversation.model
        return AssistantMessage(model, message, code, results=results, turn=turn)
    return UserMessage(message)


async def opened(host: SessionHost) -> None:
    """The conversation as it was left: the latest turns now, earlier ones on demand (a search
    hit: in view, its words marked); its draft; a prompt nobody answered, back in the box."""
    session, prompt = host.session, host.prompt
    conversation = session.conversation
    unanswered = session.take_unanswered()
    if conversation.messages:
        shown = [m for m in conversation.path() if m.role in ("user", "assistant")]
        await host.pane.show_history(shown, partial(message_widget, host))
        if host.found is not None:
            await show_found(host.pane, host.found)
        host.branches.refresh_labels()
    if conversation.problems:
        problems = "; ".join(conversation.problems)
        host.notify(f"This conversation's file has problems ({problems}); it is shown as far "
                    "as it makes sense and rewritten only when you change something.",
                    severity="warning", timeout=20, markup=False)  # fmt: skip
    prompt.show_restored(session.load_draft())
    if unanswered is not None:
        if unanswered.content not in prompt.text:
            prompt.restore(unanswered.content)
        await host.pane.add(Notice(UNANSWERED, severity="info"))
    prompt.focus()


def save_draft(host: ChatParts, *, force: bool = False) -> None:
    """What is typed goes to disk a moment after typing stops (and when the app exits), as
    this conversation's draft; a failure is said (the text stays in the box)."""
    try:
        host.session.save_draft(host.prompt.text, force=force)
    except OSError as exc:
        why = exc.strerror or exc
        host.notify(f"Could not keep the draft on disk ({why}); it is still in the input box.",
                    severity="warning", markup=False)  # fmt: skip


def say_saved(host: ChatParts, report: SaveReport) -> None:
    """What a save has to say (a failure, a recovery, a copy made), on the UI thread."""
    host.session.saved(report)
    for text, severity in report.notices(host.services.store.folder):
        host.notify(text, severity=severity, timeout=15, markup=False)


async def show_found(view: ConversationView, found: Found) -> None:
    """The hit's message mounted (it may be far behind the "earlier messages" marker) and
    scrolled into view, the words marked in every message."""
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


async def new_chat(host: SessionHost, *, deleted: bool = False) -> None:
    """A new conversation on this screen. What is typed stays with the conversation it was
    typed in; an empty chat's text comes along (it was the new chat's draft already).

    ``deleted``: the conversation on screen was deleted. Nothing of it may be written again
    (its file would come back, naming attached copies that are gone), so a streaming reply is
    stopped and what waits to be saved is dropped; what is typed comes along."""
    await host.stop_reply()
    host.leave_conversation(deleted=deleted)
    if not deleted:
        host.save_draft(force=True)
    carried = host.session.replace(deleted=deleted)
    if host.branches.editing is not None:
        host.branches.end_edit(restore=False)
    await host.pane.clear()
    if not carried:
        host.prompt.show_restored(host.session.load_draft())
    host.refresh_bars()
    host.prompt.focus()

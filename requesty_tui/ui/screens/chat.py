"""The chat screen: the conversation pane and the input box. The conversation's state is a
:class:`~requesty_tui.chat.session.ChatSession`; what the widgets announce is routed to the
helpers beside this module (``chat_*.py``), each given only what it needs.

| key | action |
| --- | --- |
| enter | send |
| escape | stop the streaming reply (the partial text is kept, marked stopped); leave an edit |
| ctrl+r | regenerate the last reply (an alternative beside it) |
| f2 | pick a model |
| ctrl+n | new conversation |
| ctrl+y | copy the focused message, else the last reply |
| pgup/pgdn, ctrl+home/end | scroll the conversation (the input box keeps the focus) |
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from functools import cached_property, partial
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from requesty_tui.chat.autosave import Autosaver, SaveReport
from requesty_tui.chat.session import ChatSession
from requesty_tui.chat.turn import Turn
from requesty_tui.client.request import ChatRequest
from requesty_tui.core.domain import Attachment, Conversation, Message
from requesty_tui.ui import messages as msg
from requesty_tui.ui.context import UiContext
from requesty_tui.ui.screens import chat_model, chat_send, chat_session
from requesty_tui.ui.screens.chat_bars import status_pieces, top_line
from requesty_tui.ui.screens.chat_branches import BranchControl
from requesty_tui.ui.screens.chat_commands import ChatCommands, Command, commands
from requesty_tui.ui.screens.chat_find_keys import FindKeys
from requesty_tui.ui.screens.chat_keys import ChatKeys
from requesty_tui.ui.screens.chat_models import ModelKeys
from requesty_tui.ui.screens.chat_queue_events import QueueEvents
from requesty_tui.ui.screens.chat_rename import RenameKeys
from requesty_tui.ui.screens.chat_session import Found
from requesty_tui.ui.widgets.attachment_bar import AttachmentBar
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.key_bar import KeyBar
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.prompt_input import PromptInput
from requesty_tui.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat_attach import AttachControl
    from requesty_tui.ui.screens.chat_compare import CompareControl
    from requesty_tui.ui.screens.chat_reply import ReplyRun
    from requesty_tui.ui.widgets.compare_view import CompareColumn

DRAFT_EVERY = 1.0
"""Seconds between checks for a changed draft in the input box."""


class ChatScreen(ChatKeys, FindKeys, ModelKeys, RenameKeys, QueueEvents):
    """One conversation at a time: its state is the :class:`ChatSession`; this routes what
    widgets announce to the helpers (where keys go: :class:`ChatKeys`)."""

    CSS_PATH = "chat.tcss"
    COMMANDS = {ChatCommands}
    BINDINGS = [
        Binding("escape", "stop", "Stop", id="chat.stop"),
        # Early: while a tool call asks, the way to answer it must not drop off a narrow bar.
        Binding("ctrl+g", "answer_tool", "Answer tool call", id="chat.answer_tool"),
        Binding("escape", "leave_edit", "Leave edit", id="chat.leave_edit"),
        Binding("f2", "pick_model", "Model", id="chat.model"),
        Binding("ctrl+n", "new_chat", "New chat", id="chat.new"),
        Binding("ctrl+r", "regenerate", "Regenerate", id="chat.regenerate", show=False),
        Binding("ctrl+t", "attach", "Attach", id="chat.attach"),
        # Priority: the input box would take ctrl+y as redo.
        Binding("ctrl+y", "copy", "Copy", id="chat.copy", priority=True),
    ]

    def __init__(
        self, context: UiContext, model: str, conversation: Conversation | None = None
    ) -> None:
        super().__init__()
        self.context = context
        self.services = services = context.services
        self.session: ChatSession[ReplyRun] = ChatSession(
            services.store, services.settings, model, conversation, report=self.saved
        )
        self.topbar = Static("", id="topbar", markup=False)
        self.pane = ConversationView(id="conversation")
        self.edit_banner = Static("", id="edit-banner", markup=False)
        self.attachment_bar = AttachmentBar(id="attachments")
        self.prompt = PromptInput(id="prompt", keys=services.settings.keys)
        self.status = StatusLine(id="status")
        self._composed = False
        self.branches = BranchControl(self)
        self.found: Found | None = None
        """Opened for a search hit: shown in view, the words marked."""

    @cached_property
    def compare(self) -> CompareControl:
        """Compare mode (built on first use: start-up does not import it)."""
        from requesty_tui.ui.screens import chat_compare

        return chat_compare.CompareControl(self)

    @cached_property
    def attach(self) -> AttachControl:
        """The files waiting for the next message (built on first use)."""
        from requesty_tui.ui.screens import chat_attach

        return chat_attach.AttachControl(self)

    @property
    def conversation(self) -> Conversation:
        return self.session.conversation

    @property
    def saver(self) -> Autosaver:
        return self.session.saver

    @property
    def exiting(self) -> bool:
        return self.session.exiting

    @property
    def pending_attachments(self) -> list[Attachment]:
        return self.session.attachments

    @property
    def model(self) -> str:
        """The model the next message goes to."""
        return self.session.model

    def compose(self) -> ComposeResult:
        yield self.topbar
        yield self.pane
        yield self.edit_banner
        yield self.attachment_bar
        yield self.prompt
        yield self.status
        yield KeyBar(id="keys")

    async def on_mount(self) -> None:
        self._composed = True
        self.pane.set_factory(partial(chat_session.message_widget, self))
        services = self.services
        services.catalogue.subscribe(self._models_changed)
        services.spend.subscribe(self.refresh_bars)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.context.exiting.add(self._app_exiting)
        self.edit_banner.display = False
        await chat_session.opened(self)
        self.refresh_bars()
        self.set_interval(DRAFT_EVERY, self.save_draft, name="draft")
        for path in self.context.take_attachments():  # --attach
            await self.attach.attach(path)

    def on_unmount(self) -> None:
        self.context.exiting.remove(self._app_exiting)
        self.services.catalogue.unsubscribe(self._models_changed)
        self.services.spend.unsubscribe(self.refresh_bars)
        with contextlib.suppress(Exception):
            self.save_draft(force=True)
        self.session.close()  # writes what waits, then stops

    # -- what others announce ------------------------------------------------------------------

    def _models_changed(self) -> None:
        chat_model.models_changed(self, self.is_current)

    def _theme_changed(self, _theme: object) -> None:
        theme, background = self.context.theming.code_style()
        for view in self.query(MarkdownView):
            view.set_code_theme(theme, background)

    def _app_exiting(self, now: bool) -> None:
        """The app is quitting (``now``: a signal, the process is about to end): a reply
        cancelled now keeps its prompt in the file."""
        self.session.exiting = True
        if now:
            self.session.record_for_exit()
        self.save_draft(force=True)

    # -- drafts and saving ----------------------------------------------------------------------

    @on(PromptInput.Changed, "#prompt")
    def _draft_changed(self) -> None:
        self.session.typed()
        self.refresh_status()  # the meter counts what is typed

    def save_draft(self, force: bool = False) -> None:
        """What is typed goes to disk a moment after typing stops (and when the app exits),
        as this conversation's draft."""
        chat_session.save_draft(self, force=force)

    def save(self) -> None:
        self.session.save()

    def save_now_for_exit(self) -> None:
        """The process is about to end (a signal): what arrived and the draft, synchronously."""
        self.session.record_for_exit()
        self.save_draft(force=True)

    def saved(self, report: SaveReport) -> None:
        """From the saver's thread."""
        with contextlib.suppress(RuntimeError):  # the app is gone
            self.app.call_from_thread(chat_session.say_saved, self, report)

    # -- bars -------------------------------------------------------------------------------

    def refresh_bars(self) -> None:
        if self._composed:  # else a listener called before the bars exist
            models, keys = self.context.compare_models, self.services.settings.keys
            self.topbar.update(top_line(self.conversation, models, keys))
            self.refresh_status()

    def refresh_status(self) -> None:
        """The status line alone (on every key: the top bar has not changed)."""
        if self._composed:
            session, comparing = self.session, bool(self.context.compare_models)
            pieces = status_pieces(session.conversation, self.services, self.streaming,
                                   self.prompt.text, session.attachments, comparing)  # fmt: skip
            self.status.set_pieces(pieces)

    def watch_streaming(self) -> None:
        self.refresh_bars()

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.streaming
        if action == "leave_edit":
            return self.branches.editing is not None and not self.streaming
        if action == "answer_tool":
            return self.asking() is not None
        return True

    def action_stop(self) -> None:
        self.workers.cancel_group(self, "reply")

    def action_leave_edit(self) -> None:
        self.branches.end_edit(restore=True)

    # -- the tree ---------------------------------------------------------------------------

    async def on_show_alternative(self, event: msg.ShowAlternative) -> None:
        await self.branches.switch(event.message, event.step)

    def on_edit_message(self, event: msg.EditMessage) -> None:
        self.branches.start_edit(event.message)

    def on_prompt_input_edit_last(self, _event: PromptInput.EditLast) -> None:
        if self.queue.take_back():
            return  # the newest queued message, back in the box
        if any(m.role == "user" for m in self.conversation.path()):
            self.branches.start_edit()  # as the palette's ``chat: edit message``

    async def on_regenerate_reply(self, event: msg.RegenerateReply) -> None:
        await self.branches.regenerate(event.message)

    async def action_regenerate(self) -> None:
        await self.branches.regenerate()

    async def on_open_conversation(self, event: msg.OpenConversation) -> None:
        """Another conversation in place of this one (a fork)."""
        await self.stop_reply()
        self.save_draft(force=True)
        conversation = event.conversation  # switched on the App's turn: not awaited in here
        self.app.switch_screen(ChatScreen(self.context, conversation.model, conversation))

    async def stop_reply(self) -> None:
        """Stop a streaming reply and wait until it is recorded."""
        workers = [w for w in self.workers if w.group == "reply" and w.node is self]
        self.workers.cancel_group(self, "reply")
        for worker in workers:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await worker.wait()

    def action_edit_option(self, key: str) -> None:
        """Ask for a new value of one per-conversation setting (palette: ``chat: …``)."""

        def changed() -> None:
            self.save()
            self.refresh_bars()

        from requesty_tui.ui.screens.dialogs import edit_option

        edit_option(self, self.conversation, key, changed)

    @on(events.Click, "#topbar")
    def _topbar_clicked(self, event: events.Click) -> None:
        if not self.title_clicked(event.x):  # the title renames, the rest picks a model
            self.action_pick_model()

    def action_pick_model(self) -> None:
        chat_model.pick_model(self)

    def set_model(self, model: str | None) -> None:
        chat_model.set_model(self, model)

    def on_pick_model(self, _event: msg.PickModel) -> None:
        self.action_pick_model()

    async def action_new_chat(self) -> None:
        await self.new_chat()

    async def new_chat(self, *, deleted: bool = False) -> None:
        await chat_session.new_chat(self, deleted=deleted)

    def leave_conversation(self, *, deleted: bool) -> None:
        if deleted:  # its title would be saved into the new chat
            self.workers.cancel_group(self, "title")
        if "compare" in self.__dict__:  # its columns go with the rest
            self.compare.forget()

    def on_title_wanted(self, event: msg.TitleWanted) -> None:
        from requesty_tui.ui.screens.chat_title import show_title

        work = show_title(self, event.model, said=event.said)
        self.run_worker(work, group="title", exclusive=True, exit_on_error=False)

    def chat_commands(self) -> Iterator[Command]:
        """The palette's ``chat: …`` commands (:class:`ChatCommands` lists them)."""
        return commands(self)

    # -- sending ------------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _on_submit(self, event: PromptInput.Submitted) -> None:
        await chat_send.submitted(self, event.text)

    async def on_send_text(self, event: msg.SendText) -> None:
        await chat_send.send(self, event.text, event.keep)

    async def start_reply(
        self, turn: Turn, request: ChatRequest | None = None, since: Message | None = None
    ) -> None:
        """Show the reply's box under the prompt on screen and stream into it (``since``: the
        request carries the branch from there on, the recent turns that fit)."""
        from requesty_tui.ui.screens.chat_reply import pane_run  # the runner: on the first send

        self.start_run(await pane_run(self, turn, request, since))

    def start_run(self, run: ReplyRun) -> None:
        """Stream one reply in a worker of its own (all in the group Esc cancels)."""
        self.session.add_run(run)
        self.note_sent(run.turn.model)
        self.streaming = True
        run.worker = self.run_worker(run.run(), group="reply", exit_on_error=False)

    async def reply_ended(self, run: ReplyRun) -> None:
        """A run settles; when it was the last, nothing streams any more."""
        self.session.end_run(run)
        self.run_over(run)  # the queue, the notification (chat_queue)
        if not self.session.streaming:
            self.streaming = False
            if "compare" in self.__dict__:
                await self.compare.all_ended()

    def start_column(self, turn: Turn, column: CompareColumn, request: ChatRequest) -> None:
        """One model's reply of a comparison, streamed into its column."""
        from requesty_tui.ui.screens.chat_reply import ColumnRun

        self.start_run(ColumnRun(self, turn, column, request))

    async def redraw(self) -> None:
        await self.branches.redraw()

    async def close_comparison(self, *, continuing: bool = False) -> None:
        if "compare" in self.__dict__:  # built: a comparison may be on screen
            await self.compare.close_view(continuing=continuing)

    # -- attachments and comparing ------------------------------------------------------------

    def action_attach(self) -> None:
        self.attach.choose()

    async def on_attachment_bar_removed(self, event: AttachmentBar.Removed) -> None:
        await self.attach.remove(event.attachment)

    async def on_compare_column_picked(self, event: CompareColumn.Picked) -> None:
        await self.compare.pick(event.column)

    def on_compare_column_stop_one(self, event: CompareColumn.StopOne) -> None:
        self.compare.stop_one(event.column)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in the worker is reported, never a traceback or a frozen screen."""
        if event.state == WorkerState.ERROR and event.worker.group == "reply":
            self.session.runs[:] = [r for r in self.session.runs if r.worker is not event.worker]
            self.streaming = self.session.streaming
            self.notify(f"Unexpected error: {event.worker.error!r}", severity="error", markup=False)

"""The chat screen: conversation pane, input box, and the worker that streams a reply.

What a turn keeps is decided by :class:`requesty_tui.chat.turn.Turn`; saving happens off the UI
thread (:class:`requesty_tui.chat.autosave.Autosaver`). This screen turns both into widgets.

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
from functools import cached_property
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from requesty_tui.chat.autosave import Autosaver, SaveReport
from requesty_tui.chat.drafts import DraftKeeper
from requesty_tui.chat.request import build_request, new_conversation
from requesty_tui.chat.turn import (
    UNANSWERED,
    Turn,
    start_turn,
    take_unanswered,
)
from requesty_tui.client.request import ChatRequest
from requesty_tui.core.domain import Attachment, Conversation, Message
from requesty_tui.ui.context import UiContext
from requesty_tui.ui.messages import EditMessage, RegenerateReply, ShowAlternative
from requesty_tui.ui.notify import notify_reply
from requesty_tui.ui.screens.chat_bars import status_pieces, top_line
from requesty_tui.ui.screens.chat_branches import BranchControl
from requesty_tui.ui.screens.chat_commands import ChatCommands
from requesty_tui.ui.screens.chat_keys import ChatKeys
from requesty_tui.ui.screens.chat_reply import PaneRun, ReplyRun
from requesty_tui.ui.screens.chat_session import Found, new_chat, show_found
from requesty_tui.ui.screens.dialogs import edit_option
from requesty_tui.ui.screens.model_picker import ModelList, ModelPicker
from requesty_tui.ui.widgets.attachment_bar import AttachmentBar
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.key_bar import KeyBar
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.message import AssistantMessage, Notice, UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from requesty_tui.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat_attach import AttachControl
    from requesty_tui.ui.screens.chat_compare import CompareControl
    from requesty_tui.ui.screens.chat_queue import QueueControl
    from requesty_tui.ui.widgets.compare_view import CompareColumn
    from requesty_tui.ui.widgets.queued_bar import QueuedBar

DRAFT_EVERY = 1.0
"""Seconds between checks for a changed draft in the input box."""


class ChatScreen(ChatKeys):
    """One conversation at a time (where keys go: :class:`ChatKeys`)."""

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

    streaming: reactive[bool] = reactive(False, bindings=True)
    """A reply is streaming (Esc stops it; the key bar shows it)."""

    def __init__(
        self, context: UiContext, model: str, conversation: Conversation | None = None
    ) -> None:
        super().__init__()
        self.context = context
        self.services = context.services
        self.conversation = conversation or new_conversation(self.services.settings, model)
        from_file = bool(conversation and conversation.messages)
        self.drafts = DraftKeeper(self.conversation, from_file=from_file)
        self.saver = Autosaver(self.services.store, self.saved, keep_empty_file=from_file)
        self.runs: list[ReplyRun] = []
        """The replies streaming now (several in a comparison)."""
        self.exiting = False
        """The app is quitting: a reply cancelled now keeps its prompt in the file."""
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

    @cached_property
    def queue(self) -> QueueControl:
        """Messages sent while a reply streams (built on first use)."""
        from requesty_tui.ui.screens import chat_queue

        return chat_queue.QueueControl(self, self)

    @property
    def pending_attachments(self) -> list[Attachment]:
        return self.attach.pending if "attach" in self.__dict__ else []

    @property
    def model(self) -> str:
        """The model the next message goes to."""
        return self.conversation.model

    def compose(self) -> ComposeResult:
        yield Static("", id="topbar", markup=False)
        yield ConversationView(id="conversation")
        yield Static("", id="edit-banner", markup=False)
        yield AttachmentBar(id="attachments")
        yield PromptInput(id="prompt", keys=self.services.settings.keys)
        yield StatusLine(id="status")
        yield KeyBar(id="keys")

    async def on_mount(self) -> None:
        self._composed = True
        self.query_one(ConversationView).set_factory(self._widget_for)
        services = self.services
        services.catalogue.subscribe(self._models_changed)
        services.spend.subscribe(self.refresh_bars)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.context.exiting.add(self._app_exiting)
        self.query_one("#edit-banner").display = False
        unanswered = take_unanswered(self.conversation)
        if self.conversation.messages:
            await self._show_history()
        if self.conversation.problems:
            problems = "; ".join(self.conversation.problems)
            self.notify(f"This conversation's file has problems ({problems}); it is shown as far "
                        "as it makes sense and rewritten only when you change something.",
                        severity="warning", timeout=20, markup=False)  # fmt: skip
        prompt = self.query_one(PromptInput)
        prompt.show_restored(self.drafts.load())
        if unanswered is not None:
            if unanswered.content not in prompt.text:
                prompt.restore(unanswered.content)
            await self.query_one(ConversationView).add(Notice(UNANSWERED, severity="info"))
        prompt.focus()
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
        self.saver.close()  # writes what waits, then stops

    def _widget_for(self, message: Message) -> Widget:
        code = self.context.theming.code_style()
        if message.role == "assistant":
            conversation = self.conversation
            results = conversation.results_of(message) if message.tool_calls else None
            turn = None
            if not message.tool_calls and any(m.role == "tool" for m in conversation.messages):
                from requesty_tui.chat.tool_loop import turn_usage

                turn = turn_usage(conversation, message)  # the whole turn's cost
            model = message.model or conversation.model
            return AssistantMessage(model, message, code, results=results, turn=turn)
        return UserMessage(message)

    async def _show_history(self) -> None:
        """A resumed conversation, as it was: the latest turns now, earlier ones on demand (a
        search hit: in view, its words marked)."""
        path = self.conversation.path()
        shown = [m for m in path if m.role in ("user", "assistant")]
        await self.query_one(ConversationView).show_history(shown, self._widget_for)
        if self.found is not None:
            await show_found(self, self.found)
        self.branches.refresh_labels()

    # -- what others announce ------------------------------------------------------------------

    def _models_changed(self) -> None:
        catalogue = self.services.catalogue
        if self.is_current and catalogue.unknown(self.model) and not catalogue.status:
            self.notify(
                f"{self.model} is not in this server's model list. F2 picks another "
                "(any id can be typed there).",
                severity="warning",
                timeout=10,
                markup=False,
            )
        if isinstance(self.app.screen, ModelList):
            self.app.screen.set_models(catalogue.models, catalogue.detail)
        self.refresh_bars()

    def _theme_changed(self, _theme: object) -> None:
        theme, background = self.context.theming.code_style()
        for view in self.query(MarkdownView):
            view.set_code_theme(theme, background)

    def _app_exiting(self, now: bool) -> None:
        """The app is quitting (``now``: a signal, the process is about to end): a reply
        cancelled now keeps its prompt in the file."""
        self.exiting = True
        if now:
            self.save_now_for_exit()
        else:
            self.save_draft(force=True)

    # -- drafts and saving ----------------------------------------------------------------------

    @on(PromptInput.Changed, "#prompt")
    def _draft_changed(self) -> None:
        self.drafts.dirty = True
        self.refresh_status()  # the meter counts what is typed

    def save_draft(self, force: bool = False) -> None:
        """What is typed goes to disk a moment after typing stops (and when the app exits),
        as this conversation's draft."""
        try:
            self.drafts.save(self.query_one(PromptInput).text, force=force)
        except OSError as exc:
            why = exc.strerror or exc
            self.notify(f"Could not keep the draft on disk ({why}); it is still in the input box.",
                        severity="warning", markup=False)  # fmt: skip

    def save(self) -> None:
        """Save soon, off the UI thread; failures are said once and retried (see Autosaver)."""
        self.saver.request(self.conversation)

    def save_now_for_exit(self) -> None:
        """The process is about to end (a signal): record what arrived, marked cancelled, and
        the draft, synchronously — the event loop may never run again."""
        for run in self.runs:
            run.record_for_exit()
        self.saver.save_now(self.conversation)
        self.save_draft(force=True)

    def saved(self, report: SaveReport) -> None:
        """From the saver's thread."""
        with contextlib.suppress(RuntimeError):  # the app is gone
            self.app.call_from_thread(self._say_saved, report)

    def _say_saved(self, report: SaveReport) -> None:
        if report.forked_from and report.new_id and self.conversation.id == report.forked_from:
            self.conversation.id = report.new_id
        for text, severity in report.notices(self.services.store.folder):
            self.notify(text, severity=severity, timeout=15, markup=False)

    # -- bars -------------------------------------------------------------------------------

    def refresh_bars(self) -> None:
        if not self._composed:
            return  # a listener called before the bars exist
        self.query_one("#topbar", Static).update(
            top_line(self.conversation, self.context.compare_models, self.services.settings.keys)
        )
        self.refresh_status()

    def refresh_status(self) -> None:
        """The status line alone (on every key: the top bar has not changed)."""
        if not self._composed:
            return
        self.query_one(StatusLine).set_pieces(
            status_pieces(
                self.conversation,
                self.services,
                self.streaming,
                self.query_one(PromptInput).text,
                self.pending_attachments,
                bool(self.context.compare_models),
            )
        )

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

    def asking(self) -> Widget | None:
        """The tool call waiting for the user's answer, if any."""
        if not self.streaming:
            return None
        return next((b for b in self.query("ToolCallBlock") if getattr(b, "asking", False)), None)

    def action_answer_tool(self) -> None:
        block = self.asking()
        if block is not None:
            block.focus()
            block.scroll_visible()

    def action_stop(self) -> None:
        self.workers.cancel_group(self, "reply")

    def action_leave_edit(self) -> None:
        self.branches.end_edit(restore=True)

    # -- the tree ---------------------------------------------------------------------------

    async def on_show_alternative(self, event: ShowAlternative) -> None:
        await self.branches.switch(event.message, event.step)

    def on_edit_message(self, event: EditMessage) -> None:
        self.branches.start_edit(event.message)

    def on_prompt_input_edit_last(self, _event: PromptInput.EditLast) -> None:
        if self.queue.take_back():
            return  # the newest queued message, back in the box
        if any(m.role == "user" for m in self.conversation.path()):
            self.branches.start_edit()  # as the palette's ``chat: edit message``

    async def on_regenerate_reply(self, event: RegenerateReply) -> None:
        await self.branches.regenerate(event.message)

    async def action_regenerate(self) -> None:
        await self.branches.regenerate()

    async def open_conversation(self, conversation: Conversation) -> None:
        """Another conversation in place of this one (a fork)."""
        await self.stop_reply()
        self.save_draft(force=True)
        await self.app.switch_screen(ChatScreen(self.context, conversation.model, conversation))

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

        edit_option(self, self.conversation, key, changed)

    @on(events.Click, "#topbar")
    def _topbar_clicked(self) -> None:
        self.action_pick_model()

    def action_pick_model(self) -> None:
        catalogue = self.services.catalogue
        picker = ModelPicker(catalogue.models, self.model, catalogue.detail)
        self.app.push_screen(picker, self.set_model)

    def set_model(self, model: str | None) -> None:
        if model:
            self.conversation.model = model
            try:
                self.services.remember_model(model)
            except OSError as exc:
                self.notify(
                    f"Could not save the last model: {exc}", severity="warning", markup=False
                )
            self.refresh_bars()
        self.query_one(PromptInput).focus()

    async def action_new_chat(self) -> None:
        await new_chat(self)

    # -- sending ------------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _on_submit(self, event: PromptInput.Submitted) -> None:
        await self.queue.submit(event.text)  # while a reply streams: queued (chat_queue)

    async def send(self, text: str, keep: list[Message] | None = None) -> None:
        """Send ``text`` (``keep``: only these earlier messages go with it, the recent turns
        that fit the model's context window)."""
        edited = self.branches.editing
        if edited is not None:
            self.branches.end_edit(restore=False)
        if "compare" in self.__dict__:
            await self.compare.close_view(continuing=True)
        refused = self.attach.refused() if self.pending_attachments else None
        if refused is not None:
            self.query_one(PromptInput).restore(text)
            self.notify(f"Not sent: {refused}", severity="error", timeout=15, markup=False)
            return
        attachments = await self.attach.take() if self.pending_attachments else []
        if self.context.compare_models:
            await self.compare.send(text, edited, attachments)
            return
        prices = self.services.catalogue.info
        turn = start_turn(
            self.conversation, text, self.model, prices, instead_of=edited, attachments=attachments
        )
        self.save_draft(force=True)  # the sent text is no longer a draft, even after a crash
        if edited is not None:
            await self.branches.redraw()  # from the edited prompt on: the new version
        else:  # below what is there (a failed send's notice stays in view)
            await self.query_one(ConversationView).add(UserMessage(turn.prompt))
        request = None
        if keep is not None:
            known = self.services.catalogue.info(turn.model)
            tools = []
            if self.services.has_tools:
                tools = self.services.toolbox.offered(self.conversation, known)
            path = [*keep, turn.prompt]
            request = build_request(self.conversation, known, turn.model, path, tools=tools)
        await self.start_reply(turn, request, keep[0] if keep else None)

    async def start_reply(
        self, turn: Turn, request: ChatRequest | None = None, since: Message | None = None
    ) -> None:
        """Show the reply's box under the prompt on screen and stream into it (``since``: the
        request carries the branch from there on, the recent turns that fit)."""
        self.save()
        view = self.query_one(ConversationView)
        widgets = view.message_widgets()
        last = widgets[-1] if widgets else None
        user_widget = last if isinstance(last, UserMessage) else None
        reply = AssistantMessage(turn.model, code_style=self.context.theming.code_style())
        await view.add(reply)
        box = self.query_one(PromptInput)
        self.start_run(PaneRun(self, turn, reply, user_widget, view, box, request, since))

    def start_run(self, run: ReplyRun) -> None:
        """Stream one reply in a worker of its own (all in the group Esc cancels)."""
        self.runs.append(run)
        self.streaming = True
        run.worker = self.run_worker(run.run(), group="reply", exit_on_error=False)

    async def reply_ended(self, run: ReplyRun) -> None:
        """A run settles; when it was the last, nothing streams any more."""
        if run in self.runs:
            self.runs.remove(run)
        self.queue.ended(run, last=not self.runs)  # issue 27: a failed reply gives the queue back
        if not self.runs:
            notify_reply(self.app, self.services.settings, run, self.conversation.title)
            self.streaming = False
            if "compare" in self.__dict__:
                await self.compare.all_ended()

    # -- attachments and comparing ------------------------------------------------------------

    def action_attach(self) -> None:
        self.attach.choose()

    async def on_attachment_bar_removed(self, event: AttachmentBar.Removed) -> None:
        await self.attach.remove(event.attachment)

    async def on_queued_bar_chosen(self, event: QueuedBar.Chosen) -> None:
        await self.queue.chosen(event)

    def on_prompt_input_clipboard_paste(self, event: PromptInput.ClipboardPaste) -> None:
        from requesty_tui.ui.clipboard_image import paste_from_clipboard

        self.run_worker(paste_from_clipboard(self.attach, event.input, event.empty_paste))

    def on_prompt_input_path_pasted(self, event: PromptInput.PathPasted) -> None:
        self.attach.offer(event.path, event.text)

    async def on_compare_column_picked(self, event: CompareColumn.Picked) -> None:
        await self.compare.pick(event.column)

    def on_compare_column_stop_one(self, event: CompareColumn.StopOne) -> None:
        self.compare.stop_one(event.column)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in the worker is reported, never a traceback or a frozen screen."""
        if event.state == WorkerState.ERROR and event.worker.group == "reply":
            self.runs = [run for run in self.runs if run.worker is not event.worker]
            self.streaming = bool(self.runs)
            self.notify(f"Unexpected error: {event.worker.error!r}", severity="error", markup=False)

"""The chat screen: conversation pane, input box, and the worker that streams a reply.

The worker is the one place where the client's events meet widgets: it iterates
:meth:`RouterClient.stream_chat` and hands each delta to the reply widget, which renders at
most once per frame.

| key | action |
| --- | --- |
| enter | send |
| escape | stop the streaming reply (the partial text is kept, marked stopped) |
| f2 | pick a model |
| ctrl+n | new conversation |
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from requesty_tui.chat.request import build_request, new_conversation, reasoning_note
from requesty_tui.client import (
    ChunkSkipped,
    ModelReported,
    ReasoningDelta,
    Retrying,
    RouterError,
    StreamEnd,
    TextDelta,
    UsageReport,
)
from requesty_tui.core import options as chat_options
from requesty_tui.core.domain import (
    Conversation,
    FinishReason,
    Message,
    make_title,
)
from requesty_tui.core.formatting import format_usd, plural
from requesty_tui.storage.drafts import discard_draft, load_draft, save_draft
from requesty_tui.storage.sessions import export_markdown
from requesty_tui.ui.gc_pause import gc_paused
from requesty_tui.ui.screens.dialogs import TextEditorPrompt, TextPrompt
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.key_bar import KeyBar
from requesty_tui.ui.widgets.message import AssistantMessage, Notice, UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from requesty_tui.ui.widgets.status_line import Piece, StatusLine

if TYPE_CHECKING:
    from requesty_tui.ui.app import RequestyApp


YIELD_EVERY = 0.005
"""Seconds of uninterrupted stream processing before the worker lets the UI run."""


DRAFT_EVERY = 1.0
"""Seconds between checks for a changed draft in the input box."""

RETRY_SAVE_EVERY = 5.0
"""Seconds between attempts to save again after a save failed (full disk, read-only folder)."""

SAVE_EVERY = 2.0
"""Seconds between saves of a reply that is still streaming (what a kill -9 can lose)."""


def _has(messages: list[Message], message: Message) -> bool:
    """By identity: two replies with the same text in the same second are still two."""
    return any(m is message for m in messages)


def _drop(messages: list[Message], message: Message) -> None:
    for index, m in enumerate(messages):
        if m is message:
            del messages[index]
            return


@dataclass(eq=False)
class _Turn:
    """One request in flight: the prompt, its widgets, and the reply as it accumulates."""

    prompt: Message
    user_widget: UserMessage
    reply: AssistantMessage
    answer: Message = field(default_factory=lambda: Message(role="assistant", content=""))
    parts: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    finish: FinishReason = "error"
    error: RouterError | None = None
    skipped: ChunkSkipped | None = None
    """The last unreadable stream line, if any (with how many there were)."""

    def sync(self) -> None:
        """Copy what has arrived into the reply's message."""
        self.answer.content = "".join(self.parts)
        self.answer.reasoning = "".join(self.reasoning) or None
        self.answer.skipped_chunks = self.skipped.total if self.skipped else 0

    def record(self, messages: list[Message]) -> bool:
        """Sync, and put the reply into the conversation once anything arrived (True then)."""
        self.sync()
        received = bool(self.answer.content or self.answer.reasoning)
        if received and not _has(messages, self.answer):
            messages.append(self.answer)
        return received


class ChatScreen(Screen[None]):
    """One conversation at a time."""

    CSS_PATH = "chat.tcss"
    BINDINGS = [
        Binding("escape", "stop", "Stop", id="chat.stop"),
        Binding("f2", "pick_model", "Model", id="chat.model"),
        Binding("ctrl+n", "new_chat", "New chat", id="chat.new"),
        # Priority: the input box would take ctrl+y as redo.
        Binding("ctrl+y", "copy", "Copy", id="chat.copy", priority=True),
    ]

    def __init__(self, model: str, conversation: Conversation | None = None) -> None:
        super().__init__()
        self.conversation = conversation or new_conversation(self.rapp.settings, model)
        self._from_file = bool(conversation and conversation.messages)
        """Resumed from a file: its drafts and file are its own even while it shows nothing."""
        self._draft_key: str | None = None
        self.streaming = False
        self._save_failing = False
        self._retry_timer: Timer | None = None
        self._turn: _Turn | None = None
        """The request in flight, if any."""

    @property
    def model(self) -> str:
        """The model the next message goes to."""
        return self.conversation.model

    @property
    def rapp(self) -> RequestyApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="topbar", markup=False)
        yield ConversationView(id="conversation")
        yield PromptInput(id="prompt")
        yield StatusLine(id="status")
        yield KeyBar(id="keys")

    async def on_mount(self) -> None:
        self.query_one(ConversationView).set_factory(self._widget_for)
        unanswered = self._take_unanswered()
        if self.conversation.messages:
            await self._show_history()
        prompt = self.query_one(PromptInput)
        self._draft_key = self._current_draft_key()
        draft = load_draft(self._draft_key)
        if draft:
            prompt.load_text(draft)
            prompt.move_cursor(prompt.document.end)
        if unanswered is not None:
            if unanswered.content not in prompt.text:
                prompt.restore(unanswered.content)
            await self.query_one(ConversationView).add(
                Notice(
                    "Your last message got no reply (the app stopped before it came); it is "
                    "back in the input box: Enter sends it.",
                    severity="info",
                )
            )
        prompt.focus()
        self.refresh_bars()
        self._draft_dirty = False
        self.set_interval(DRAFT_EVERY, self.save_draft, name="draft")

    def _take_unanswered(self) -> Message | None:
        """A resumed conversation that ends with a prompt nobody answered (the app was killed
        or quit before the first token): the prompt goes back to the input box instead of
        sitting in the history as if it had been answered, so Enter sends it once."""
        messages = self.conversation.messages
        if messages and messages[-1].role == "user":
            return messages.pop()
        return None

    def _current_draft_key(self) -> str | None:
        """Whose draft the input box holds: this conversation's once it has a message (it has
        a file then), the new chat's until then."""
        return self.conversation.id if self.conversation.messages or self._from_file else None

    @on(PromptInput.Changed, "#prompt")
    def _draft_changed(self) -> None:
        self._draft_dirty = True

    def draft_text(self) -> str:
        return self.query_one(PromptInput).text

    def save_draft(self, force: bool = False) -> None:
        """What is typed goes to disk a moment after typing stops (and when the app exits),
        as this conversation's draft."""
        key = self._current_draft_key()
        if key != self._draft_key:
            # The same chat under another key (its first message was sent, or a failed first
            # send emptied it again): the draft moves with it.
            with contextlib.suppress(OSError):
                discard_draft(self._draft_key)
            self._draft_key = key
            force = True
        if not (self._draft_dirty or force):
            return
        self._draft_dirty = False
        try:
            save_draft(self.query_one(PromptInput).text, key)
        except OSError as exc:
            self.notify(
                f"Could not keep the draft on disk ({exc.strerror or exc}); it is still in the "
                "input box.",
                severity="warning",
                markup=False,
            )

    def save_now_for_exit(self) -> None:
        """The process is about to end (a signal): record what arrived, marked cancelled, and
        the draft, synchronously — the event loop may never run again."""
        turn = self._turn
        if self.streaming and turn is not None:
            turn.answer.finish_reason = "cancelled"
            turn.record(self.conversation.messages)
        self.save()
        self.save_draft(force=True)

    def on_unmount(self) -> None:
        with contextlib.suppress(Exception):
            self.save_draft(force=True)

    def _widget_for(self, message: Message) -> Widget:
        if message.role == "assistant":
            return AssistantMessage(message.model or self.conversation.model, message)
        return UserMessage(message)

    async def _show_history(self) -> None:
        """A resumed conversation, as it was: the latest turns now, earlier ones on demand."""
        shown = [m for m in self.conversation.messages if m.role in ("user", "assistant")]
        await self.query_one(ConversationView).show_history(shown, self._widget_for)
        users = [m for m in self.conversation.messages if m.role == "user"]
        if users:
            self.query_one(PromptInput).last_sent = users[-1].content

    # -- saving -----------------------------------------------------------------------------

    def save(self) -> bool:
        """Write the conversation now. Never raises: a failure is shown once, and retried every
        few seconds until it works (the conversation stays in memory meanwhile)."""
        if not self.conversation.messages:
            if not self._from_file:
                # A failed first send took the only message out: no file for an empty chat.
                with contextlib.suppress(OSError):
                    self.rapp.store.discard(self.conversation)
            return True
        try:
            result = self.rapp.store.save(self.conversation)
        except OSError as exc:
            if not self._save_failing:
                self.notify(
                    f"Saving failed ({exc.strerror or exc}) in {self.rapp.store.folder}. "
                    f"The conversation is kept in memory; retrying every {RETRY_SAVE_EVERY:g} s. "
                    "Free some space or fix the folder's permissions.",
                    severity="error",
                    timeout=15,
                    markup=False,
                )
            self._save_failing = True
            if self._retry_timer is None:
                self._retry_timer = self.set_interval(RETRY_SAVE_EVERY, self.save, name="resave")
            return False
        if self._save_failing:
            self._save_failing = False
            self.notify(f"Saved again: {result.path}", markup=False)
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        if result.forked_from:
            self.notify(
                "This conversation was changed elsewhere (another window?). Your version is "
                f"saved as a copy: {result.path.name}",
                severity="warning",
                timeout=10,
                markup=False,
            )
        return True

    # -- bars -------------------------------------------------------------------------------

    def refresh_bars(self) -> None:
        conversation = self.conversation
        top = Text(f" {conversation.model}  ▾ F2", style="bold")
        settings = chat_options.summary(conversation)
        if settings:
            top.append("   " + " · ".join(settings), style="not bold dim")
        self.query_one("#topbar", Static).update(top)
        turns = sum(1 for m in conversation.messages if m.role == "assistant")
        app = self.rapp
        pieces = []
        if self.streaming:
            pieces.append(Piece("streaming — Esc stops", 0))
        if not app.settings.api_key:
            pieces.append(Piece("no API key: set REQUESTY_API_KEY", 0, warning=True))
        if app.models_live and app.models and app.model_info(conversation.model) is None:
            pieces.append(Piece(f"{conversation.model} is not on this server (F2)", 1, True))
        if turns:
            pieces.append(Piece(plural(turns, "reply", "replies"), 4))
        total = conversation.total_cost()
        if total is not None:
            cost, estimated = total
            pieces.append(
                Piece(
                    f"~{format_usd(cost)} total (incl. estimates)"
                    if estimated
                    else f"{format_usd(cost)} total",
                    2,
                )
            )
        note = reasoning_note(conversation, app.model_info(conversation.model))
        if note and app.models:
            pieces.append(Piece(note, 3))
        spend = app.spend_label()
        if spend:
            pieces.append(Piece(spend, 5))
        if app.models_status:
            pieces.append(Piece(app.models_status, 3))
        self.query_one(StatusLine).set_pieces(pieces)

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.streaming
        return True

    def action_copy(self) -> None:
        """Copy the focused message, else the last reply."""
        focused = self.focused
        if isinstance(focused, UserMessage | AssistantMessage):
            focused.action_copy()
            return
        replies = self.query(AssistantMessage)
        if not replies:
            self.notify("Nothing to copy yet.", severity="warning")
            return
        replies.last().action_copy()

    def action_export(self) -> None:
        """Save this conversation as Markdown and say where."""
        try:
            target = export_markdown(self.conversation)
        except OSError as exc:
            self.notify(f"Export failed: {exc}", severity="error", markup=False)
            return
        self.notify(f"Exported to {target}", markup=False)

    def action_stop(self) -> None:
        self.workers.cancel_group(self, "reply")

    async def stop_reply(self) -> None:
        """Stop a streaming reply and wait until it is recorded and saved."""
        workers = [w for w in self.workers if w.group == "reply" and w.node is self]
        self.workers.cancel_group(self, "reply")
        for worker in workers:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await worker.wait()

    def action_edit_option(self, key: str) -> None:
        """Ask for a new value of one per-conversation setting (palette: ``chat: …``)."""
        option = chat_options.BY_KEY[key]

        def done(text: str | None) -> None:
            if text is None:
                return
            try:
                option.apply(self.conversation, text)
            except chat_options.OptionError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            shown = option.show(self.conversation)
            if option.multiline and "\n" in shown:
                shown = f"{shown.splitlines()[0][:40]}… ({len(shown.splitlines())} lines)"
            name = option.title.removeprefix("chat: ")
            self.notify(f"{name}: {shown or 'default'}", markup=False)
            self.save()
            self.refresh_bars()

        title = option.title.removeprefix("chat: ").capitalize()
        current = option.show(self.conversation)
        if option.multiline:
            editor = TextEditorPrompt(title, current, hint=f"{option.help}; empty: the default.")
            self.app.push_screen(editor, done)
            return
        hint = f"{option.help}. Empty: back to the default."
        self.app.push_screen(TextPrompt(title, current, hint=hint, allow_empty=True), done)

    @on(events.Click, "#topbar")
    def _topbar_clicked(self) -> None:
        self.action_pick_model()

    def action_pick_model(self) -> None:
        self.rapp.open_model_picker(self.conversation.model, self.set_model)

    def set_model(self, model: str | None) -> None:
        if model:
            self.conversation.model = model
            self.rapp.remember_model(model)
            self.refresh_bars()
        self.query_one(PromptInput).focus()

    async def action_new_chat(self) -> None:
        """A new conversation on this screen. What is typed stays with the conversation it was
        typed in; an empty chat's text comes along (it was the new chat's draft already)."""
        await self.stop_reply()
        self.save_draft(force=True)
        prompt = self.query_one(PromptInput)
        if self._draft_key is not None:
            prompt.load_text(load_draft(None))
            prompt.move_cursor(prompt.document.end)
        await self.query_one(ConversationView).remove_children()
        self.conversation = new_conversation(self.rapp.settings, self.conversation.model)
        self._from_file = False
        self._draft_key = None
        self.refresh_bars()
        prompt.focus()

    # -- sending ------------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _on_submit(self, event: PromptInput.Submitted) -> None:
        text = event.text
        if self.streaming:
            event.input.restore(text)
            self.notify(
                "A reply is still streaming: press Esc to stop it first.", severity="warning"
            )
            return
        event.input.last_sent = text
        prompt = Message(role="user", content=text)
        self.conversation.messages.append(prompt)
        if not self.conversation.title:
            self.conversation.title = make_title(text)
        self.save()
        self.save_draft(force=True)  # the sent text is no longer a draft, even after a crash
        view = self.query_one(ConversationView)
        user_widget = UserMessage(prompt)
        await view.add(user_widget)
        reply = AssistantMessage(self.conversation.model)
        await view.add(reply)
        self.streaming = True
        self.refresh_bindings()
        self.refresh_bars()
        self._turn = _Turn(prompt, user_widget, reply)
        self._stream_reply(self._turn)

    @work(exclusive=True, group="reply", exit_on_error=False)
    async def _stream_reply(self, turn: _Turn) -> None:
        with gc_paused():
            await self._stream(turn)

    async def _stream(self, turn: _Turn) -> None:
        conversation = self.conversation
        model_info = self.rapp.model_info(conversation.model)
        request = build_request(conversation, model_info)
        answer = turn.answer
        answer.model = conversation.model
        reply = turn.reply
        last_yield = last_save = time.perf_counter()
        try:
            client = await self.rapp.client_ready()
            async for event in client.stream_chat(request):
                now = time.perf_counter()
                if now - last_yield > YIELD_EVERY:
                    # A fast stream has data ready on every read, so the loop never waits:
                    # hand it over now and then, or frames and key presses would starve.
                    await asyncio.sleep(0)
                    last_yield = time.perf_counter()
                if isinstance(event, TextDelta):
                    turn.parts.append(event.text)
                    reply.append(event.text)
                elif isinstance(event, ReasoningDelta):
                    turn.reasoning.append(event.text)
                    reply.append_reasoning(event.text)
                elif isinstance(event, ModelReported):
                    answer.model = event.model
                    reply.set_model(event.model)
                elif isinstance(event, UsageReport):
                    # No cost from the router: estimate from the model's list prices.
                    answer.usage = event.usage.with_estimate(
                        self.rapp.model_info(answer.model or "") or model_info
                    )
                elif isinstance(event, Retrying):
                    reply.set_state(event.describe())
                elif isinstance(event, ChunkSkipped):
                    turn.skipped = event
                elif isinstance(event, StreamEnd):
                    turn.finish = event.finish_reason
                if now - last_save > SAVE_EVERY and turn.parts:
                    # What arrived so far goes to disk: a kill -9 loses at most SAVE_EVERY.
                    turn.record(conversation.messages)
                    self.save()
                    last_save = time.perf_counter()
        except asyncio.CancelledError:
            turn.finish = "cancelled"
            raise
        except RouterError as exc:
            turn.error = exc
        finally:
            await self._settle(turn)

    async def _settle(self, turn: _Turn) -> None:
        """Record the outcome; a failure before any text gives the prompt back to the input."""
        self.streaming = False
        answer = turn.answer
        answer.finish_reason = turn.finish
        messages = self.conversation.messages
        received = turn.record(messages)
        turn.reply.finish(turn.finish, answer.usage, answer.skipped_chunks)
        if received:
            turn.reply.message = answer
        elif turn.finish == "cancelled" and self.rapp.exiting:
            # Quitting before the first token: the prompt stays in the saved conversation.
            _drop(messages, answer)
        else:
            # Nothing came back: take the prompt out of the history and hand it back.
            for message in (answer, turn.prompt):
                _drop(messages, message)
            await turn.reply.remove()
            label = "not answered"
            if turn.error is not None:
                reason = str(turn.error)
            elif turn.finish == "cancelled":
                reason = label = "stopped before the reply began"
            else:
                reason = f"the model sent an empty reply (finish reason: {turn.finish})"
                await self.query_one(ConversationView).add(
                    Notice(f"The model sent an empty reply (finish reason: {turn.finish}).")
                )
            turn.user_widget.mark_not_sent(reason, label)
            self.query_one(PromptInput).restore(turn.prompt.content)
            self.save()  # out of the file too: it was saved as sent, before the request
            self.save_draft(force=True)
        if turn.error is not None:
            await self.query_one(ConversationView).add(Notice(str(turn.error)))
        if turn.skipped is not None and (received or turn.error is None):
            await self.query_one(ConversationView).add(
                Notice(
                    f"{plural(turn.skipped.total, 'chunk')} of the stream could not be read "
                    f"({turn.skipped.reason}); the reply may be missing text."
                )
            )
        self.save()
        self.refresh_bindings()
        self.refresh_bars()
        await self.query_one(ConversationView).trim()
        if turn.error is None or turn.error.status in (402, 412):
            self.rapp.refresh_spend()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in the worker is reported, never a traceback or a frozen screen."""
        if event.state == WorkerState.ERROR and event.worker.group == "reply":
            self.streaming = False
            self.refresh_bindings()
            self.notify(f"Unexpected error: {event.worker.error!r}", severity="error", markup=False)

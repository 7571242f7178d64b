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
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from requesty_tui.client import (
    ChatRequest,
    ModelReported,
    ReasoningDelta,
    Retrying,
    RouterError,
    StreamEnd,
    TextDelta,
    UsageReport,
)
from requesty_tui.domain import (
    Conversation,
    FinishReason,
    Message,
    Usage,
    make_title,
    new_conversation_id,
)
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.message import AssistantMessage, Notice, UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput

if TYPE_CHECKING:
    from requesty_tui.ui.app import RequestyApp


YIELD_EVERY = 0.005
"""Seconds of uninterrupted stream processing before the worker lets the UI run."""


class ChatScreen(Screen[None]):
    """One conversation at a time."""

    CSS_PATH = "chat.tcss"
    BINDINGS = [
        Binding("escape", "stop", "Stop", id="chat.stop"),
        Binding("f2", "pick_model", "Model", id="chat.model"),
        Binding("ctrl+n", "new_chat", "New chat", id="chat.new"),
    ]

    def __init__(self, model: str) -> None:
        super().__init__()
        self.conversation = Conversation(id=new_conversation_id(), model=model)
        self.streaming = False

    @property
    def rapp(self) -> RequestyApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="topbar", markup=False)
        yield ConversationView(id="conversation")
        yield PromptInput(id="prompt")
        yield Static("", id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PromptInput).focus()
        self.refresh_bars()

    # -- bars -------------------------------------------------------------------------------

    def refresh_bars(self) -> None:
        model = self.conversation.model
        self.query_one("#topbar", Static).update(Text(f" {model}  ▾ F2", style="bold"))
        costs = [
            m.usage.cost
            for m in self.conversation.messages
            if m.usage is not None and m.usage.cost is not None
        ]
        turns = sum(1 for m in self.conversation.messages if m.role == "assistant")
        bits = []
        if self.streaming:
            bits.append("streaming — Esc stops")
        if turns:
            bits.append(f"{turns} repl{'y' if turns == 1 else 'ies'}")
        if costs:
            bits.append(f"${sum(costs):.6f} total".replace("0 total", " total"))
        status = self.rapp.models_status
        if status:
            bits.append(status)
        self.query_one("#status", Static).update(Text(" · ".join(bits)))

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.streaming
        return True

    def action_stop(self) -> None:
        self.workers.cancel_group(self, "reply")

    def action_pick_model(self) -> None:
        self.rapp.open_model_picker(self.conversation.model, self.set_model)

    def set_model(self, model: str | None) -> None:
        if model:
            self.conversation.model = model
            self.rapp.remember_model(model)
            self.refresh_bars()
        self.query_one(PromptInput).focus()

    async def action_new_chat(self) -> None:
        self.workers.cancel_group(self, "reply")
        await self.query_one(ConversationView).remove_children()
        self.conversation = Conversation(id=new_conversation_id(), model=self.conversation.model)
        self.refresh_bars()
        self.query_one(PromptInput).focus()

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
        message = Message(role="user", content=text)
        self.conversation.messages.append(message)
        if not self.conversation.title:
            self.conversation.title = make_title(text)
        view = self.query_one(ConversationView)
        user_widget = UserMessage(message)
        await view.add(user_widget)
        reply = AssistantMessage(self.conversation.model)
        await view.add(reply)
        self.streaming = True
        self.refresh_bindings()
        self.refresh_bars()
        self._stream_reply(message, user_widget, reply)

    @work(exclusive=True, group="reply", exit_on_error=False)
    async def _stream_reply(
        self, prompt: Message, user_widget: UserMessage, reply: AssistantMessage
    ) -> None:
        conversation = self.conversation
        request = ChatRequest(model=conversation.model, messages=conversation.api_messages())
        parts: list[str] = []
        reasoning: list[str] = []
        usage: Usage | None = None
        model = conversation.model
        finish: FinishReason = "error"
        error: RouterError | None = None
        last_yield = time.perf_counter()
        try:
            async for event in self.rapp.client.stream_chat(request):
                now = time.perf_counter()
                if now - last_yield > YIELD_EVERY:
                    # A fast stream has data ready on every read, so the loop never waits:
                    # hand it over now and then, or frames and key presses would starve.
                    await asyncio.sleep(0)
                    last_yield = time.perf_counter()
                if isinstance(event, TextDelta):
                    parts.append(event.text)
                    reply.append(event.text)
                elif isinstance(event, ReasoningDelta):
                    reasoning.append(event.text)
                    if not parts:
                        reply.set_state("thinking…")
                elif isinstance(event, ModelReported):
                    model = event.model
                    reply.set_model(model)
                elif isinstance(event, UsageReport):
                    usage = event.usage
                elif isinstance(event, Retrying):
                    reply.set_state(
                        f"{event.reason} Retrying in {event.delay:.1f} s "
                        f"(attempt {event.attempt}/{event.max_attempts})…"
                    )
                elif isinstance(event, StreamEnd):
                    finish = event.finish_reason
        except asyncio.CancelledError:
            finish = "cancelled"
            raise
        except RouterError as exc:
            error = exc
        finally:
            await self._settle(
                prompt, user_widget, reply, parts, reasoning, usage, model, finish, error
            )

    async def _settle(
        self,
        prompt: Message,
        user_widget: UserMessage,
        reply: AssistantMessage,
        parts: list[str],
        reasoning: list[str],
        usage: Usage | None,
        model: str,
        finish: FinishReason,
        error: RouterError | None,
    ) -> None:
        """Record the outcome; a failure before any text gives the prompt back to the input."""
        self.streaming = False
        content = "".join(parts)
        reply.finish(finish, usage)
        view = self.query_one(ConversationView)
        if content or finish == "cancelled":
            self.conversation.messages.append(
                Message(
                    role="assistant",
                    content=content,
                    model=model,
                    finish_reason=finish,
                    reasoning="".join(reasoning) or None,
                    usage=usage,
                )
            )
        else:
            # Nothing came back: take the prompt out of the history and hand it back.
            if prompt in self.conversation.messages:
                self.conversation.messages.remove(prompt)
            await reply.remove()
            user_widget.mark_not_sent(str(error) if error else "no reply")
            self.query_one(PromptInput).restore(prompt.content)
        if error is not None:
            await view.add(Notice(str(error)))
        self.refresh_bindings()
        self.refresh_bars()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in the worker is reported, never a traceback or a frozen screen."""
        if event.state == WorkerState.ERROR and event.worker.group == "reply":
            self.streaming = False
            self.refresh_bindings()
            self.notify(f"Unexpected error: {event.worker.error!r}", severity="error", markup=False)

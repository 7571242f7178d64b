"""One reply streaming into its box on the chat screen: the request, the read loop that hands
the UI a turn now and then, the saves while it streams, and what the screen shows when it ends.
What the reply leaves in the conversation is :class:`requesty_tui.chat.turn.Turn`'s decision."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from requesty_tui.chat.request import build_request
from requesty_tui.chat.turn import Outcome, Turn
from requesty_tui.client.errors import RouterError
from requesty_tui.client.events import Retrying, ToolCallDelta
from requesty_tui.client.request import ChatRequest
from requesty_tui.ui.gc_pause import gc_paused
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.message import AssistantMessage, Notice, UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput

if TYPE_CHECKING:
    from textual.worker import Worker

    from requesty_tui.core.domain import Message
    from requesty_tui.core.tools import ToolCall
    from requesty_tui.ui.screens.chat import ChatScreen
    from requesty_tui.ui.widgets.compare_view import CompareColumn

YIELD_EVERY = 0.005
"""Seconds of uninterrupted stream processing before the worker lets the UI run."""

SAVE_EVERY = 2.0
"""Seconds between saves of a reply that is still streaming (what a kill -9 can lose)."""


class ReplyRun:
    """A turn, the widgets that show it, and the stream that fills them."""

    def __init__(
        self,
        screen: ChatScreen,
        turn: Turn,
        prompt: UserMessage | None,
        reply: AssistantMessage,
        request: ChatRequest | None = None,
    ) -> None:
        self.screen = screen
        self.turn = turn
        self.prompt = prompt
        self.reply = reply
        self.request = request
        """Built in advance (a comparison's, from the same messages); else when it starts
        (each later request of a turn with tools: ``next_round`` clears it)."""
        self.worker: Worker[None] | None = None
        self.rounds: list[Turn] = []
        """The turn's earlier requests, whose calls were answered."""
        self.running: ToolCall | None = None
        """The tool call running now, if any."""
        self.since: Message | None = None
        """The first message the turn's requests carry (None: the whole branch); a send that
        kept only the recent turns that fit keeps them for its later requests too."""
        self.notices: list[str] = []

    @property
    def offered_tools(self) -> bool:
        """The request offered tools: calls in the answer are answered, and the model asked
        again (see :mod:`requesty_tui.ui.screens.chat_tools`)."""
        return self.request is not None and bool(self.request.tools)

    def record_for_exit(self) -> None:
        """The process is about to end: what arrived goes into the conversation, cancelled
        (a reply that has ended, one whose calls are being answered, stays as it ended)."""
        turn = self.turn
        if turn.ended is None:
            turn.answer.finish_reason = "cancelled"
            turn.record()
        elif turn.answer.tool_calls and self.screen.conversation.holds(turn.answer):
            from requesty_tui.chat.tool_loop import record_unanswered

            record_unanswered(self.screen.conversation, turn.answer, self.running)

    async def run(self) -> None:
        """Stream the reply; whatever ends it (the end, an error, Esc, quitting), settle."""
        from requesty_tui.storage.attachments import AttachmentError

        with gc_paused():
            screen = self.screen
            outcome: Outcome | None = None
            try:
                await self._stream()
                outcome = self.turn.end()
                while self.offered_tools and self.turn.answer.tool_calls and outcome.kept:
                    if outcome.finish_reason != "tool_calls":
                        break
                    from requesty_tui.ui.screens.chat_tools import next_round

                    outcome = None
                    if not await next_round(self):
                        outcome = self.turn.end()
                        break
                    await self._stream()
                    outcome = self.turn.end()
            except asyncio.CancelledError:
                outcome = self.turn.end(cancelled=True, exiting=screen.exiting)
                raise
            except RouterError as exc:
                outcome = self.turn.end(error=exc)
            except AttachmentError as exc:  # an attached file's copy is gone
                outcome = self.turn.end(error=RouterError(f"Not sent: {exc}."))
            finally:
                if outcome is None:
                    outcome = self.turn.end(cancelled=True, exiting=screen.exiting)
                await self._settle(outcome)

    async def _stream(self) -> None:
        turn, reply, screen = self.turn, self.reply, self.screen
        services = screen.services
        request = self.request
        if request is None:
            known = services.catalogue.info(turn.model)
            tools = []
            if services.has_tools:
                toolbox = services.toolbox
                if toolbox.state == "starting" and toolbox.offers(screen.conversation, known):
                    # Sent without them, the model would answer as if there were none.
                    reply.set_state("waiting for the tools to start (Esc stops)")
                    await toolbox.started()
                    reply.set_state("waiting…")
                tools = toolbox.offered(screen.conversation, known)
            path = screen.conversation.path()
            start = next((i for i, m in enumerate(path) if m is self.since), 0)
            path = path[start:]
            request = self.request = build_request(
                screen.conversation, known, turn.model, path, tools=tools
            )
        turn.restart_clock()
        last_yield = last_save = time.perf_counter()
        client = await services.connection.ready()
        async for event in client.stream_chat(request):
            now = time.perf_counter()
            if now - last_yield > YIELD_EVERY:
                # A fast stream has data ready on every read, so the loop never waits: hand it
                # over now and then, or frames and key presses would starve.
                await asyncio.sleep(0)
                last_yield = time.perf_counter()
            turn.apply(event)
            reply.show(event)
            if isinstance(event, ToolCallDelta):
                if turn.last_call is not None:
                    reply.show_call(turn.last_call, streaming=True)
            elif isinstance(event, Retrying):
                reply.set_state(event.describe())
            if now - last_save > SAVE_EVERY and (turn.parts or turn.calls):
                # What arrived so far goes to disk: a kill -9 loses at most SAVE_EVERY.
                turn.record()
                screen.save()
                last_save = time.perf_counter()

    async def _settle(self, outcome: Outcome) -> None:
        """Show the outcome: the reply marked as it ended, or the prompt given back."""
        screen, turn, reply = self.screen, self.turn, self.reply
        await screen.reply_ended(self)
        view = screen.query_one(ConversationView)
        answer = turn.answer
        reply.finish(outcome.finish_reason, answer.usage, answer.skipped_chunks)
        if answer.tool_calls:
            if screen.services.has_tools:
                for call in answer.tool_calls:
                    screen.services.toolbox.resolve(call)
            reply.calls_ended(self.offered_tools or outcome.finish_reason != "tool_calls")
        if self.rounds and outcome.kept:
            from requesty_tui.chat.tool_loop import turn_usage

            reply.set_turn(*turn_usage(screen.conversation, answer))
        if outcome.kept:
            reply.message = answer
        else:
            await reply.remove()
        if not outcome.kept and (turn.edit_of is not None or not turn.prompt_is_new):
            await screen.branches.redraw()  # nothing came: the branch as it was before
        elif outcome.give_back is not None and self.prompt is not None and outcome.not_sent:
            self.prompt.mark_not_sent(outcome.not_sent[1], outcome.not_sent[0])
        if outcome.give_back is not None:
            screen.query_one(PromptInput).restore(outcome.give_back)
            if turn.prompt.attachments:
                await screen.attach.restore(turn.prompt.attachments)
        screen.branches.refresh_labels()
        for notice in (*outcome.notices, *self.notices):
            await view.add(Notice(notice))
        screen.save()
        screen.save_draft(force=outcome.give_back is not None)
        if outcome.kept and screen.services.settings.title_model:
            from requesty_tui.ui.screens.chat_title import title_soon

            title_soon(screen)
        screen.refresh_bars()
        await view.trim()
        if turn.error is None or turn.error.status in (402, 412):
            screen.context.refresh_spend()


class ColumnRun(ReplyRun):
    """One column of a comparison: its outcome stays in its column (an error too); the
    comparison decides about the prompt when the last column ends."""

    reply: CompareColumn

    async def _settle(self, outcome: Outcome) -> None:
        turn, column, screen = self.turn, self.reply, self.screen
        answer = turn.answer
        column.finish(outcome.finish_reason, answer.usage, answer.skipped_chunks)
        if outcome.kept:
            column.message = answer
        failure = str(turn.error) if turn.error is not None else None
        if failure is None and not outcome.kept:
            failure = (
                "stopped before the reply began"
                if outcome.finish_reason == "cancelled"
                else f"the model sent an empty reply (finish reason: {outcome.finish_reason})"
            )
        extra = [n for n in outcome.notices if n != failure]
        column.ended(" · ".join(x for x in (failure, *extra) if x) or None)
        screen.save()
        await screen.reply_ended(self)

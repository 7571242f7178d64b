"""A reply on the chat screen: a :class:`~requesty_tui.chat.runner.ReplyRunner` in a worker,
and its box, which renders what the runner reports (the events, the tool rounds: see
:mod:`requesty_tui.ui.screens.chat_tools`) and, at the end, what the screen shows of the
outcome. What the reply leaves in the conversation is the runner's and the turn's decision."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from requesty_tui.chat.runner import ReplyObserver, ReplyRunner
from requesty_tui.client.events import Retrying, ToolCallDelta
from requesty_tui.ui.gc_pause import gc_paused
from requesty_tui.ui.screens.chat_host import ChatParts
from requesty_tui.ui.widgets.message import AssistantMessage, Notice, UserMessage

if TYPE_CHECKING:
    from textual.worker import Worker

    from requesty_tui.chat.tool_loop import Decision
    from requesty_tui.chat.turn import Outcome, Turn
    from requesty_tui.client.events import StreamEvent
    from requesty_tui.client.request import ChatRequest
    from requesty_tui.core.domain import Message
    from requesty_tui.core.tools import ToolCall, ToolSpec
    from requesty_tui.ui.screens.chat_attach import AttachControl
    from requesty_tui.ui.screens.chat_branches import BranchControl
    from requesty_tui.ui.screens.chat_queue import QueueControl
    from requesty_tui.ui.widgets.compare_view import CompareColumn


class ReplyHost(ChatParts, Protocol):
    """What a reply needs of the screen it is shown on (the chat screen is one): besides its
    parts (the session, the pane, the input box), the branches and the files waiting."""

    @property
    def branches(self) -> BranchControl: ...

    @property
    def attach(self) -> AttachControl: ...

    @property
    def queue(self) -> QueueControl: ...

    async def reply_ended(self, run: ReplyRun) -> None:
        """A run has settled (when it was the last, nothing streams any more)."""


class ReplyRun(ReplyObserver):
    """A runner and the box that shows it, in a worker of the screen's ``reply`` group."""

    def __init__(
        self,
        host: ReplyHost,
        turn: Turn,
        reply: AssistantMessage,
        request: ChatRequest | None = None,
        *,
        since: Message | None = None,
        tools: bool = True,
    ) -> None:
        self.host = host
        self.reply = reply
        """The box the current request streams into (a new one for each round of tools)."""
        services = host.services
        self.runner = ReplyRunner(
            host.session.conversation,
            turn,
            services.connection.ready,
            models=services.catalogue.info,
            toolbox=services.toolbox if tools and services.has_tools else None,
            request=request,
            since=since,
            observer=self,
            exiting=lambda: host.session.exiting,
        )
        self.worker: Worker[None] | None = None

    @property
    def turn(self) -> Turn:
        return self.runner.turn

    def record_for_exit(self) -> None:
        self.runner.record_for_exit()

    async def run(self) -> None:
        """Run the reply; whatever ends it (the end, an error, Esc, quitting), settle."""
        with gc_paused():
            try:
                await self.runner.run()
            finally:
                if self.runner.outcome is not None:
                    await self._settle(self.runner.outcome)
                    self.host.queue.settled()  # issue 27: the next queued message may go

    async def _settle(self, outcome: Outcome) -> None:
        """What the screen shows of the outcome."""
        raise NotImplementedError

    # -- what the runner reports --------------------------------------------------------------

    def event(self, turn: Turn, event: StreamEvent) -> None:
        reply = self.reply
        reply.show(event)
        if isinstance(event, ToolCallDelta):
            if turn.last_call is not None:
                reply.show_call(turn.last_call, streaming=True)
        elif isinstance(event, Retrying):
            reply.set_state(event.describe())

    def save(self) -> None:
        self.host.session.save()


class PaneRun(ReplyRun):
    """A reply in the conversation pane, its tool rounds each in a box of its own."""

    def __init__(
        self,
        host: ReplyHost,
        turn: Turn,
        reply: AssistantMessage,
        prompt: UserMessage | None,
        request: ChatRequest | None = None,
        since: Message | None = None,
    ) -> None:
        super().__init__(host, turn, reply, request, since=since)
        self.prompt = prompt
        """The prompt's widget (marked when no reply came), if it is on screen."""

    def waiting_for_tools(self, waiting: bool) -> None:
        waits = "waiting for the tools to start (Esc stops)"
        self.reply.set_state(waits if waiting else "waiting…")

    async def round_ended(self, turn: Turn) -> None:
        from requesty_tui.ui.screens.chat_tools import show_round_end

        show_round_end(self, turn)

    async def ask(self, call: ToolCall, spec: ToolSpec) -> Decision:
        from requesty_tui.ui.screens.chat_tools import ask_user

        return await ask_user(self, call)

    def tool_running(self, call: ToolCall) -> None:
        self.host.refresh_bars()  # "… always allowed", when that was the answer
        block = self.reply.tool_blocks.get(call.id)
        if block is not None:
            block.set_state("running…")

    def tool_answered(self, call: ToolCall, result: Message) -> None:
        block = self.reply.tool_blocks.get(call.id)
        if block is not None:
            block.show_result(result)

    async def new_round(self, turn: Turn) -> None:
        from requesty_tui.ui.widgets.message import AssistantMessage

        self.reply = AssistantMessage(turn.model, code_style=self.host.context.theming.code_style())
        await self.host.pane.add(self.reply)

    async def _settle(self, outcome: Outcome) -> None:
        """Show the outcome: the reply marked as it ended, or the prompt given back."""
        host, runner, reply, view = self.host, self.runner, self.reply, self.host.pane
        turn = runner.turn
        await host.reply_ended(self)
        answer = turn.answer
        reply.finish(outcome.finish_reason, answer.usage, answer.skipped_chunks)
        if answer.tool_calls:
            reply.calls_ended(runner.offered_tools or outcome.finish_reason != "tool_calls")
        if runner.rounds and outcome.kept:
            from requesty_tui.chat.tool_loop import turn_usage

            reply.set_turn(*turn_usage(host.session.conversation, answer))
        if outcome.kept:
            reply.message = answer
        else:
            await reply.remove()
        if not outcome.kept and (turn.edit_of is not None or not turn.prompt_is_new):
            await host.branches.redraw()  # nothing came: the branch as it was before
        elif outcome.give_back is not None and self.prompt is not None and outcome.not_sent:
            self.prompt.mark_not_sent(outcome.not_sent[1], outcome.not_sent[0])
        if outcome.give_back is not None:
            host.prompt.restore(outcome.give_back)
            if turn.prompt.attachments:
                await host.attach.restore(turn.prompt.attachments)
        host.branches.refresh_labels()
        for notice in (*outcome.notices, *runner.notices):
            await view.add(Notice(notice))
        host.session.save()
        host.save_draft(force=outcome.give_back is not None)
        if outcome.kept and host.services.settings.title_model:
            from requesty_tui.ui.screens.chat_title import title_soon

            title_soon(host)
        host.refresh_bars()
        await view.trim()
        if turn.error is None or turn.error.status in (402, 412):
            host.context.refresh_spend()


class ColumnRun(ReplyRun):
    """One column of a comparison (its request built with the others', no tools): its outcome
    stays in its column (an error too); the comparison decides about the prompt when the last
    column ends."""

    reply: CompareColumn

    def __init__(
        self, host: ReplyHost, turn: Turn, column: CompareColumn, request: ChatRequest
    ) -> None:
        super().__init__(host, turn, column, request, tools=False)

    async def _settle(self, outcome: Outcome) -> None:
        turn, column, host = self.turn, self.reply, self.host
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
        host.session.save()
        await host.reply_ended(self)


async def pane_run(
    host: ReplyHost, turn: Turn, request: ChatRequest | None, since: Message | None
) -> PaneRun:
    """A reply's box under the prompt on screen (saved first: the prompt is on disk before a
    byte is asked for), and the run that streams into it."""
    host.session.save()
    widgets = host.pane.message_widgets()
    last = widgets[-1] if widgets else None
    user_widget = last if isinstance(last, UserMessage) else None
    reply = AssistantMessage(turn.model, code_style=host.context.theming.code_style())
    await host.pane.add(reply)
    return PaneRun(host, turn, reply, user_widget, request, since)

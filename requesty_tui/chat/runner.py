"""The whole life of one reply, without widgets: build the request (after waiting for the tool
servers when they are starting), stream it into a :class:`~requesty_tui.chat.turn.Turn` (handing
the event loop over now and then, saving now and then), answer its tool calls and ask again (up
to ``max_tool_rounds``), and end with the :class:`~requesty_tui.chat.turn.Outcome`, whatever
ended it: the end, a :class:`RouterError`, a missing attachment, Esc, quitting.

Front ends (the TUI's reply boxes and compare columns, ``ask``, ``compare``, titles) plug in a
:class:`ReplyObserver` and render what it is told; what a reply leaves in the conversation is
decided here and in :class:`~requesty_tui.chat.turn.Turn`, once (``tests/unit/test_runner.py``,
``test_runner_property.py``)::

    front end ── ReplyRunner(conversation, turn, connect, toolbox=, request=, observer=).run() ─►
        ◄── observer: event · waiting_for_tools · save · round_ended · ask → Decision
                      · tool_running · tool_answered · new_round
        ◄── the Outcome (Esc: CancelledError again, with ``runner.outcome`` set)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from requesty_tui.chat.request import build_request
from requesty_tui.chat.turn import Outcome, Turn
from requesty_tui.client.errors import RouterError
from requesty_tui.core.formatting import plural

if TYPE_CHECKING:
    from requesty_tui.chat.tool_loop import Decision
    from requesty_tui.chat.toolbox import Toolbox
    from requesty_tui.client.events import StreamEvent
    from requesty_tui.client.request import ChatRequest
    from requesty_tui.client.router import RouterClient
    from requesty_tui.core.domain import Conversation, Message, ModelInfo
    from requesty_tui.core.tools import ToolCall, ToolSpec

YIELD_EVERY = 0.005
"""Seconds of uninterrupted stream processing before the runner lets the event loop run (a
fast stream has data ready on every read: frames and key presses starved without it)."""

SAVE_EVERY = 2.0
"""Seconds between saves of a reply that is still streaming (what a kill -9 can lose)."""


class ReplyObserver:
    """What a front end is told while a reply goes on; every method's default shows nothing
    (and :meth:`ask` declines: a front end that cannot ask runs only what runs unasked)."""

    def event(self, turn: Turn, event: StreamEvent) -> None:
        """``event`` has been applied to ``turn``: show what it changed."""

    def waiting_for_tools(self, waiting: bool) -> None:
        """The request waits for the tool servers to finish starting (False: it goes now);
        sent without them, the model would answer as if there were none."""

    def save(self) -> None:
        """The conversation changed (what streamed so far, a tool result): save it soon."""

    async def round_ended(self, turn: Turn) -> None:
        """``turn``'s reply ended with tool calls (each resolved to its server); they are
        answered next, in order."""

    async def ask(self, call: ToolCall, spec: ToolSpec) -> Decision:
        """May ``call`` run? (Esc cancels the runner instead of answering.)"""
        return "decline"

    def tool_running(self, call: ToolCall) -> None:
        """The call was approved (or runs unasked) and runs now."""

    def tool_answered(self, call: ToolCall, result: Message) -> None:
        """The call's result is in the conversation (ran, failed, declined, stopped)."""

    async def new_round(self, turn: Turn) -> None:
        """The results go back to the model: ``turn`` is the turn's next request."""


class ReplyRunner:
    """One reply, from the request to the outcome; :meth:`run` once."""

    def __init__(
        self,
        conversation: Conversation,
        turn: Turn,
        connect: Callable[[], Awaitable[RouterClient]],
        *,
        models: Callable[[str], ModelInfo | None] = lambda _model: None,
        toolbox: Toolbox | None = None,
        request: ChatRequest | None = None,
        since: Message | None = None,
        observer: ReplyObserver | None = None,
        exiting: Callable[[], bool] = lambda: False,
    ) -> None:
        self.conversation = conversation
        self.turn = turn
        """The request in flight (a new one for each round of tool calls)."""
        self.connect = connect
        """The client (the app's shared connection, ``ask``'s own)."""
        self.models = models
        """What the model list knows of a model (tools, reasoning effort)."""
        self.toolbox = toolbox
        self.request = request
        """Built in advance (a comparison's, the fit dialog's, a title's); else when the
        request starts (each later request of a turn with tools is built again)."""
        self.since = since
        """The first message the turn's requests carry (None: the whole branch); a send that
        kept only the recent turns that fit keeps them for its later requests too."""
        self.observer = observer or ReplyObserver()
        self.exiting = exiting
        """The app is quitting: a reply cancelled now keeps its prompt in the file."""
        self.rounds: list[Turn] = []
        """The turn's earlier requests, whose calls were answered."""
        self.running: ToolCall | None = None
        """The tool call running now, if any."""
        self.limited = False
        """The turn stopped at ``max_tool_rounds`` (the last results were not sent)."""
        self.notices: list[str] = []
        """The turn's own notices (the limit), after the last request's."""
        self.outcome: Outcome | None = None
        """How the last request ended (set also when :meth:`run` is cancelled)."""

    @property
    def offered_tools(self) -> bool:
        """The request offered tools: calls in the answer are answered, the model asked again."""
        return self.request is not None and bool(self.request.tools)

    async def run(self) -> Outcome:
        """Stream the reply and its tool rounds; whatever ends them, decide the outcome. Esc
        (a cancelled task) is raised again once the outcome is known."""
        from requesty_tui.storage.attachments import AttachmentError

        outcome: Outcome | None = None
        try:
            outcome = await self._rounds()
        except asyncio.CancelledError:
            outcome = self.turn.end(cancelled=True, exiting=self.exiting())
            raise
        except RouterError as exc:
            outcome = self.turn.end(error=exc)
        except AttachmentError as exc:  # an attached file's copy is gone
            outcome = self.turn.end(error=RouterError(f"Not sent: {exc}."))
        finally:
            if outcome is None:  # a bug in a front end: what arrived stays, as if stopped
                outcome = self.turn.end(cancelled=True, exiting=self.exiting())
            if self.toolbox is not None:
                for call in self.turn.answer.tool_calls:  # each block names its server
                    self.toolbox.resolve(call)
            self.outcome = outcome
        return outcome

    def record_for_exit(self) -> None:
        """The process is about to end: what arrived goes into the conversation, cancelled
        (a reply that has ended, one whose calls are being answered, stays as it ended).
        Synchronous: the event loop may never run again."""
        turn = self.turn
        if turn.ended is None:
            turn.answer.finish_reason = "cancelled"
            turn.record()
        elif turn.answer.tool_calls and self.conversation.holds(turn.answer):
            from requesty_tui.chat.tool_loop import record_unanswered

            record_unanswered(self.conversation, turn.answer, self.running)

    async def _rounds(self) -> Outcome:
        await self._stream()
        outcome = self.turn.end()
        while (
            self.offered_tools
            and self.turn.answer.tool_calls
            and outcome.kept
            and outcome.finish_reason == "tool_calls"
        ):
            if not await self._next_round():
                return self.turn.end()
            await self._stream()
            outcome = self.turn.end()
        return outcome

    async def _stream(self) -> None:
        turn, observer = self.turn, self.observer
        request = self.request
        if request is None:
            request = self.request = await self._build()
        turn.restart_clock()
        last_yield = last_save = time.perf_counter()
        client = await self.connect()
        async for event in client.stream_chat(request):
            now = time.perf_counter()
            if now - last_yield > YIELD_EVERY:
                await asyncio.sleep(0)  # frames and key presses get their turn
                last_yield = time.perf_counter()
            turn.apply(event)
            observer.event(turn, event)
            if now - last_save > SAVE_EVERY and (turn.parts or turn.calls):
                # What arrived so far goes to disk: a kill -9 loses at most SAVE_EVERY.
                turn.record()
                observer.save()
                last_save = time.perf_counter()

    async def _build(self) -> ChatRequest:
        """The request for the branch (from ``since`` on), with the tools the model is
        offered; while the servers start, it waits for them."""
        conversation, turn, toolbox = self.conversation, self.turn, self.toolbox
        known = self.models(turn.model)
        tools = []
        if toolbox is not None:
            if toolbox.state == "starting" and toolbox.offers(conversation, known):
                self.observer.waiting_for_tools(True)
                await toolbox.started()
                self.observer.waiting_for_tools(False)
            tools = toolbox.offered(conversation, known)
        path = conversation.path()
        start = next((i for i, m in enumerate(path) if m is self.since), 0)
        return build_request(conversation, known, turn.model, path[start:], tools=tools)

    async def _next_round(self) -> bool:
        """Answer the calls of the reply that just ended, then start the turn's next request;
        False when the turn may not take another (``max_tool_rounds``)."""
        from requesty_tui.chat.tool_loop import answer_calls

        turn, toolbox, observer = self.turn, self.toolbox, self.observer
        assert toolbox is not None  # offered_tools: the toolbox offered them
        answer = turn.answer
        for call in answer.tool_calls:  # every call names its server before the first question
            toolbox.resolve(call)
        await observer.round_ended(turn)
        observer.save()
        results = await answer_calls(self.conversation, answer, toolbox, observer.ask, _Told(self))
        self.rounds.append(turn)
        limit = toolbox.settings.max_tool_rounds
        if len(self.rounds) >= limit:
            self.limited = True
            self.notices.append(
                f"Stopped after {plural(limit, 'round')} of tool calls (max_tool_rounds): the last "
                "results were not sent to the model. Send a message to let it go on."
            )
            return False
        last = results[-1] if results else answer
        self.turn = Turn(
            self.conversation,
            turn.prompt,
            turn.model,
            turn.prices,
            prompt_is_new=False,
            before=last,
            under=last,
        )
        self.request = None
        await observer.new_round(self.turn)
        return True


class _Told:
    """The tool loop's events (:class:`~requesty_tui.chat.tool_loop.ToolEvents`), told to the
    observer; each result is saved at once."""

    def __init__(self, runner: ReplyRunner) -> None:
        self.runner = runner

    def running(self, call: ToolCall) -> None:
        self.runner.running = call
        self.runner.observer.tool_running(call)

    def answered(self, call: ToolCall, result: Message) -> None:
        self.runner.running = None
        self.runner.observer.tool_answered(call, result)
        self.runner.observer.save()

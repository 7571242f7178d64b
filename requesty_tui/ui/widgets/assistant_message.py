"""A reply as a widget: a header line (model, state, usage), the thinking, the Markdown body,
the tool calls; it streams in through :meth:`AssistantMessage.show`.

Text from the model is data: it goes into ``Text`` objects and the Markdown view, never
through Textual markup. What the header and the frame say is worked out in
:mod:`.message_labels`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from requesty_tui.chat.feedback import rating_label
from requesty_tui.client.events import ModelReported, ReasoningDelta, StreamEvent, TextDelta
from requesty_tui.core.domain import Message, Usage
from requesty_tui.core.markdown_blocks import code_blocks
from requesty_tui.ui.messages import CopyRequest, RateReply, RegenerateReply, ShowAlternative
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.message_labels import arrow_step, end_state, reply_header, switcher
from requesty_tui.ui.widgets.thinking import ThinkingBlock

if TYPE_CHECKING:
    from requesty_tui.core.tools import ToolCall
    from requesty_tui.ui.widgets.tool_call import ToolCallBlock

CodeStyle = tuple[str, str | None]
"""(Pygments style, code background) for code blocks; the screen passes the theme's."""


class AssistantMessage(Vertical, can_focus=True):
    """A reply: a header line (model, state, usage), the thinking, the Markdown body.

    No printable key is a command here (typed text goes to the input box); regenerating spends
    money, so it is on ctrl+r, which typing cannot produce.

    | key | action |
    | --- | --- |
    | ctrl+r | regenerate this reply (an alternative beside it) |
    | left / right | the previous / next alternative |
    | ctrl+y | copy the reply (its Markdown source) |
    | ctrl+k | copy a code block, without fences (again: the next block) |
    | shift+up / shift+down | rate it good / bad (sent to the router; again replaces it) |
    """

    HELP_TITLE = "Reply"
    alternatives: tuple[int, int]
    """(n, of): this reply is alternative n of ``of``."""
    DEFAULT_CSS = """
    AssistantMessage {
        margin: 1 0 0 0;
        height: auto;
        border: round $chat-assistant 50%;
        padding: 0 1;
        &.-cancelled, &.-error {
            border: round $warning 60%;
        }
        &:focus {
            border: round $accent;
        }
        .reply-header {
            color: $text-muted;
            height: 1;
        }
    }
    """
    BINDINGS = [
        Binding("ctrl+r", "regenerate", "Regenerate", id="reply.regenerate"),
        Binding("left", "alternative(-1)", "‹ Previous", id="reply.previous"),
        Binding("right", "alternative(1)", "Next ›", id="reply.next"),
        Binding("ctrl+y", "copy", "Copy", id="reply.copy"),
        Binding("ctrl+k", "copy_code", "Copy code", id="reply.copy_code"),
        # Not + and -: typed on a reply they are text ("+1", "- first"), for the input box.
        Binding("shift+up", "rate('good')", "Good", id="reply.good"),
        Binding("shift+down", "rate('bad')", "Bad", id="reply.bad"),
    ]
    _next_block = 0

    def action_copy(self) -> None:
        self.post_message(CopyRequest(self.text, "the reply"))

    def action_regenerate(self) -> None:
        if self.message is not None:
            self.post_message(RegenerateReply(self.message))

    def action_alternative(self, step: int) -> None:
        if self.message is not None:
            self.post_message(ShowAlternative(self.message, step))

    def action_rate(self, rating: str) -> None:
        if self.message is not None:
            self.post_message(RateReply(self.message, rating))

    def refresh_rating(self) -> None:
        """The message's rating changed: the header says it."""
        self._refresh_header()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "alternative":
            return self.message is not None and self.alternatives[1] > 1
        if action in ("regenerate", "rate"):
            return self.message is not None
        return True

    def set_alternatives(self, n: int, of: int) -> None:
        """This reply is alternative ``n`` of ``of``: the title shows ‹n/of› (clickable)."""
        if (n, of) != self.alternatives:
            self.alternatives = (n, of)
            self.border_title = switcher(n, of) or None
            self.refresh_bindings()

    def on_click(self, event: events.Click) -> None:
        step = arrow_step(event, "", switcher(*self.alternatives))
        if step:
            event.stop()
            self.action_alternative(step)

    def action_copy_code(self) -> None:
        blocks = code_blocks(self.text)
        if not blocks:
            self.notify("This reply has no code block.", severity="warning")
            return
        index = self._next_block % len(blocks)
        self._next_block = index + 1
        block = blocks[index]
        lines = block.code.count("\n") or 1
        lang = f"{block.language}, " if block.language else ""
        what = f"code block {index + 1} of {len(blocks)} ({lang}{lines} lines)"
        self.post_message(CopyRequest(block.code, what))

    def __init__(
        self,
        model: str,
        message: Message | None = None,
        code_style: CodeStyle | None = None,
        *,
        results: dict[str, Message] | None = None,
        turn: tuple[int, Usage | None] | None = None,
    ) -> None:
        """``results``: the tool messages answering the message's calls, by call id; ``turn``:
        (requests, usage) of the whole turn this reply ends, when it took several."""
        super().__init__()
        self.code_style = code_style
        self.tool_blocks: dict[str, ToolCallBlock] = {}
        """The calls shown, by call id."""
        self.alternatives = (1, 1)
        self.requested_model = model
        self.message = message
        self._model = message.model if message and message.model else model
        self._state = "" if message else "waiting…"
        self._usage = message.usage if message else None
        initial = message.content if message else ""
        self.body = MarkdownView(initial, code_style=code_style)
        self.header = Static("", classes="reply-header", markup=False)
        reasoning = message.reasoning if message else None
        self.thinking = (
            ThinkingBlock(reasoning, expanded=False, code_style=code_style) if reasoning else None
        )
        self._auto_fold = True
        self._body_hidden = False
        """The text is hidden (a reply of tool calls only): kept here, as asking the widget's
        styles on every delta of a stream cost 1.5 µs each (``stream_terminal.py 10000@0``)."""
        self._requests = 1
        if turn is not None and turn[0] > 1:
            self._requests, self._usage = turn
        if message is not None and message.tool_calls:
            from requesty_tui.ui.widgets.tool_call import ToolCallBlock

            for call in message.tool_calls:
                result = (results or {}).get(call.id)
                block = self.tool_blocks[call.id] = ToolCallBlock(call, result)
                if result is None and message.finish_reason in (None, "cancelled", "error"):
                    block.mark_not_run()
                elif result is None:  # no tools offered, or the app was killed as it asked
                    block.mark_not_run("never answered")
            if not message.content:
                self._hide_body()
        if message is not None:
            self._mark(message.finish_reason, message.skipped_chunks)
            if message.finish_reason is None:
                # Saved mid-stream and never finished: the app was killed or crashed.
                self._state = "interrupted (the app stopped mid-reply)"
                self.border_subtitle = "interrupted"
                self.add_class("-error")

    def compose(self) -> ComposeResult:
        yield self.header
        if self.thinking is not None:
            yield self.thinking
        yield self.body
        yield from self.tool_blocks.values()

    def on_mount(self) -> None:
        self._refresh_header()

    @property
    def text(self) -> str:
        return self.body.source

    def _refresh_header(self) -> None:
        header = reply_header(
            self._model, self.requested_model, self._state, self._requests, self._usage
        )
        rated = rating_label(self.message) if self.message is not None else ""
        self.header.update(Text(" · ".join(b for b in (header, rated) if b)))

    def append(self, text: str) -> None:
        if self._state:
            self._state = ""
            self._refresh_header()
        if self.thinking is not None and self._auto_fold:
            # The answer starts: fold the thinking (once; the user may open it again).
            self._auto_fold = False
            self.thinking.finish()
            self.thinking.set_expanded(False)
        if self._body_hidden:  # hidden while a reply had only tool calls
            self._body_hidden = False
            self.body.display = True
        self.body.append(text)

    def _hide_body(self) -> None:
        self._body_hidden = True
        self.body.display = False

    def append_reasoning(self, text: str) -> None:
        """Reasoning streams into a thinking block above the answer."""
        if self.thinking is None:
            self.thinking = ThinkingBlock(code_style=self.code_style)
            self.mount(self.thinking, before=self.body)
            self.set_state("thinking…")
        self.thinking.append(text)

    def show(self, event: StreamEvent) -> None:
        """What an event of the stream changes on screen."""
        if isinstance(event, TextDelta):
            self.append(event.text)
        elif isinstance(event, ReasoningDelta):
            self.append_reasoning(event.text)
        elif isinstance(event, ModelReported):
            self.set_model(event.model)

    def show_call(self, call: ToolCall, streaming: bool = False) -> ToolCallBlock:
        """A call streaming in (``streaming``) or complete: its block appears with its name,
        its arguments grow."""
        block = self.tool_blocks.get(call.id)
        if block is None:
            from requesty_tui.ui.widgets.tool_call import ToolCallBlock

            block = self.tool_blocks[call.id] = ToolCallBlock(call)
            if not self.body.source:
                self._hide_body()
            self.mount(block)
            if self._state == "waiting…":
                self.set_state("")
        else:
            block.update_call(streaming)
        return block

    def calls_ended(self, offered: bool = True) -> None:
        """The turn is over: a call still without a result never ran (``offered``: the
        request offered tools; else the model called one it was never given)."""
        for block in self.tool_blocks.values():
            block.update_call()  # its server, now that it is known
            if offered:
                block.mark_not_run()
            else:
                block.mark_not_run("no tools were offered to this model")

    def highlight(self, pattern: re.Pattern[str] | None) -> None:
        """Mark these words in the answer, its thinking and its tool calls (None: no more)."""
        self.body.highlight(pattern)
        if self.thinking is not None:
            self.thinking.body.highlight(pattern)
        for block in self.tool_blocks.values():
            block.highlight(pattern)

    def set_turn(self, requests: int, usage: Usage | None) -> None:
        """This reply ends a turn of ``requests`` requests (its tools'): the header shows the
        whole turn's tokens and cost."""
        self._requests = requests
        self._usage = usage
        self._refresh_header()

    def set_model(self, model: str) -> None:
        self._model = model
        self._refresh_header()

    def set_state(self, state: str) -> None:
        self._state = state
        self._refresh_header()

    def finish(self, finish_reason: str, usage: Usage | None, skipped_chunks: int = 0) -> None:
        self.body.finish()
        if self.thinking is not None:
            self.thinking.finish()
        if self._requests <= 1:
            self._usage = usage
        self._mark(finish_reason, skipped_chunks)
        self._refresh_header()

    def _mark(self, finish_reason: str | None, skipped_chunks: int) -> None:
        """How the reply ended, in the header and at its end (a long reply's header is far
        above): stopped, incomplete, cut, or with unreadable chunks."""
        if finish_reason in ("cancelled", "error"):
            self.add_class(f"-{finish_reason}")
        if skipped_chunks:
            self.add_class("-error")
        state = end_state(finish_reason, skipped_chunks)
        self._state = state
        self.border_subtitle = state

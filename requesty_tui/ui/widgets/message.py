"""One widget per turn: the user's text, the assistant's streamed reply, a notice.

Text from the model is data: it goes into ``Content``/``Text`` objects and the Markdown view,
never through Textual markup.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from requesty_tui.client.events import ModelReported, ReasoningDelta, StreamEvent, TextDelta
from requesty_tui.core.domain import Message, Usage
from requesty_tui.core.formatting import plural, size_label, usage_summary
from requesty_tui.core.markdown_blocks import code_blocks, make_safe
from requesty_tui.ui.messages import CopyRequest, EditMessage, RegenerateReply, ShowAlternative
from requesty_tui.ui.widgets.highlight import HIGHLIGHT
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.thinking import ThinkingBlock

if TYPE_CHECKING:
    from requesty_tui.core.tools import ToolCall
    from requesty_tui.ui.widgets.tool_call import ToolCallBlock

CodeStyle = tuple[str, str | None]
"""(Pygments style, code background) for code blocks; the screen passes the theme's."""

TITLE_AT = 3
"""The cell where a border title starts (after the corner, a line and a space)."""


def switcher(n: int, of: int) -> str:
    """ "‹2/3›" for a message with alternatives, "" without."""
    return f"‹{n}/{of}›" if of > 1 else ""


def arrow_step(event: events.Click, before: str, label: str) -> int:
    """-1 or +1 for a click on the ‹ or › of ``label`` in the border title (after
    ``before``), 0 elsewhere."""
    if event.y != 0 or not label:
        return 0
    start = TITLE_AT + len(before)
    if start <= event.x < start + len(label) // 2:
        return -1
    if start + len(label) // 2 < event.x <= start + len(label):
        return 1
    return 0


class UserMessage(Static, can_focus=True):
    """What the user sent (plain text, shown as typed).

    No printable key is a command here: typed text goes to the input box (the screen routes
    it), so reading a message before typing the next one never runs anything.

    | key | action |
    | --- | --- |
    | enter | edit it (the new version goes beside the old one) |
    | left / right | the previous / next version |
    | ctrl+y | copy this message |
    """

    HELP_TITLE = "Your message"
    alternatives: tuple[int, int]
    """(n, of): this prompt is version n of ``of`` (``of`` 1: no alternatives)."""
    BINDINGS = [
        Binding("ctrl+y", "copy", "Copy", id="message.copy"),
        Binding("enter", "edit", "Edit", id="message.edit"),
        Binding("left", "alternative(-1)", "‹ Previous", id="message.previous"),
        Binding("right", "alternative(1)", "Next ›", id="message.next"),
    ]
    DEFAULT_CSS = """
    UserMessage {
        margin: 1 0 0 0;
        padding: 0 1;
        border: round $chat-user 60%;
        border-title-color: $chat-user;
        height: auto;
        &.-not-sent {
            border: round $error 60%;
            color: $text-muted;
        }
        &:focus {
            border: round $accent;
        }
    }
    """

    def action_copy(self) -> None:
        self.post_message(CopyRequest(self.message.content, "your message"))

    def action_edit(self) -> None:
        self.post_message(EditMessage(self.message))

    def action_alternative(self, step: int) -> None:
        self.post_message(ShowAlternative(self.message, step))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.alternatives[1] > 1 if action == "alternative" else True

    def set_alternatives(self, n: int, of: int) -> None:
        """This prompt is version ``n`` of ``of``: the title shows ‹n/of› (clickable)."""
        if (n, of) != self.alternatives:
            self.alternatives = (n, of)
            self.border_title = self._title()
            self.refresh_bindings()

    def _title(self) -> str:
        """ "You ‹1/2› · 📎 log.txt, shot.png": the version, then the files sent with it."""
        title = " ".join(t for t in ("You", switcher(*self.alternatives)) if t)
        files = self.message.attachments
        if files:
            title += " · 📎 " + ", ".join(make_safe(a.name) for a in files)
        return title

    def on_click(self, event: events.Click) -> None:
        step = arrow_step(event, "You ", switcher(*self.alternatives))
        if step:
            event.stop()
            self.action_alternative(step)

    def __init__(self, message: Message) -> None:
        content = Content(make_safe(message.content))
        if message.attachments:
            files = " · ".join(
                f"📎 {make_safe(a.name)} ({size_label(a.size)}, {a.kind})"
                for a in message.attachments
            )
            content = content + Content("\n") + Content.styled(files, "dim")
        super().__init__(content, markup=False)
        self._plain = content
        self.message = message
        self.alternatives = (1, 1)
        self.border_title = self._title()

    def highlight(self, pattern: re.Pattern[str] | None) -> None:
        """Mark these words in the text (None: no more)."""
        content = self._plain
        # The same size: no layout (a find marks on every key).
        marked = content.highlight_regex(pattern, style=HIGHLIGHT) if pattern else content
        self.update(marked, layout=False)

    def mark_not_sent(self, reason: str, label: str = "not answered") -> None:
        """The request got no reply (``label`` says how it ended; ``reason`` in full in the
        tooltip): the text went back to the input box."""
        self.add_class("-not-sent")
        self.border_subtitle = f"{label} — the text is back in the input"
        self.tooltip = reason


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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "alternative":
            return self.message is not None and self.alternatives[1] > 1
        if action == "regenerate":
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
                self.body.display = False
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
        model = self._model
        if model != self.requested_model:
            model = f"{model} (asked: {self.requested_model})"
        turn = f"{self._requests} requests" if self._requests > 1 else ""
        bits = [b for b in (model, self._state, turn, usage_summary(self._usage)) if b]
        self.header.update(Text(" · ".join(bits)))

    def append(self, text: str) -> None:
        if self._state:
            self._state = ""
            self._refresh_header()
        if self.thinking is not None and self._auto_fold:
            # The answer starts: fold the thinking (once; the user may open it again).
            self._auto_fold = False
            self.thinking.finish()
            self.thinking.set_expanded(False)
        self.body.display = True
        self.body.append(text)

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
                self.body.display = False
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
        state = _state_label(finish_reason)
        if finish_reason in ("cancelled", "error"):
            self.add_class(f"-{finish_reason}")
        if skipped_chunks:
            missing = f"{plural(skipped_chunks, 'unreadable chunk')}: text may be missing"
            state = f"{state} · {missing}" if state else missing
            self.add_class("-error")
        self._state = state
        self.border_subtitle = state


def _state_label(finish_reason: str | None) -> str:
    return {
        "cancelled": "stopped",
        "error": "incomplete (error)",
        "length": "cut at the token limit",
        "content_filter": "stopped by the content filter",
        "tool_calls": "called tools",
    }.get(finish_reason or "", "")


class Notice(Static):
    """An error or information line in the conversation (plain text, never markup)."""

    DEFAULT_CSS = """
    Notice {
        margin: 1 0 0 0;
        padding: 0 1;
        height: auto;
        &.-error {
            color: $chat-error;
            background: $chat-error 12%;
        }
        &.-info {
            color: $text-muted;
        }
    }
    """

    def __init__(self, text: str, *, severity: str = "error") -> None:
        super().__init__(Content(make_safe(text)), markup=False, classes=f"-{severity}")

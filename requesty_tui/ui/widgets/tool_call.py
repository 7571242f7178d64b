"""One tool call in a reply: which server and tool, the arguments, the question (run once,
always allow, decline), and the result folded under it.

The question never takes the focus and no printable key answers it: keys typed meanwhile are
the user's next message (the screen sends them to the input box). Answering is a deliberate
act: ctrl+g goes to the question, then Enter on the highlighted choice (left/right move it),
or a click on a choice.

Everything in it came from a model or a tool: it is shown as text (``make_safe``: control
characters made visible; ``Content``, never markup).
"""

from __future__ import annotations

import asyncio
import re
from typing import Literal

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from requesty_tui.core.domain import Message
from requesty_tui.core.formatting import plural
from requesty_tui.core.safe_text import make_safe
from requesty_tui.core.tools import ToolCall, pretty_arguments
from requesty_tui.ui.key_names import label_for
from requesty_tui.ui.messages import CopyRequest
from requesty_tui.ui.widgets.highlight import HIGHLIGHT

Decision = Literal["once", "always", "decline"]

FOLDED_LINES = 4
"""Lines of a result shown before Enter opens it: enough for a short answer, little enough
that a 100 KB file listing does not push the conversation off an 80x24 screen."""

CHOICES: tuple[tuple[Decision, str], ...] = (
    ("once", "Run once"),
    ("always", "Always allow in this chat"),
    ("decline", "Decline"),
)
"""The answers, in the order left/right moves through them; the first is highlighted."""

ARGUMENT_LINES = 12
"""Lines of pretty-printed arguments shown (the rest is summed up)."""

LINE_CHARS = 300
"""Characters of one line shown while folded (arguments always): a 100 KB JSON result or a
file's content passed as one string is one line, which would wrap into a thousand rows."""

_STATUS_LABEL = {
    "ok": "done",
    "error": "failed",
    "declined": "declined",
    "cancelled": "stopped",
}


class Choice(Static):
    """One answer to the question: highlighted by left/right, chosen by Enter or a click."""

    def __init__(self, decision: Decision, label: str) -> None:
        super().__init__(f" {label} ", classes="tool-choice", markup=False)
        self.decision: Decision = decision


class ToolCallBlock(Vertical, can_focus=True):
    """A call, its question while it waits for the user, and its result.

    | key | action |
    | --- | --- |
    | ctrl+g (from anywhere) | go to the question |
    | left / right | highlight another answer: run once, always allow in this chat, decline |
    | enter | answer with the highlighted choice (while asked); open or fold the result |
    | ctrl+y | copy the result |
    | esc | stop the whole turn |
    """

    HELP_TITLE = "Tool call"
    BINDINGS = [
        Binding("enter", "answer", "Answer", id="tool.answer"),
        Binding("left", "choose(-1)", "‹ Choice", id="tool.previous_choice"),
        Binding("right", "choose(1)", "Choice ›", id="tool.next_choice"),
        Binding("enter", "toggle_result", "Open/fold result", id="tool.toggle"),
        Binding("ctrl+y", "copy", "Copy result", id="tool.copy"),
    ]
    DEFAULT_CSS = """
    ToolCallBlock {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: outer $chat-tool 60%;
        .tool-header {
            height: 1;
            color: $chat-tool;
            text-style: bold;
        }
        .tool-arguments {
            color: $text-muted;
        }
        .tool-question, .tool-choices {
            display: none;
            background: $warning 20%;
            color: $text;
        }
        .tool-question { text-style: bold; }
        .tool-choices { height: 1; }
        .tool-choice {
            width: auto;
            margin: 0 2 0 0;
            &.-highlighted { background: $accent 30%; text-style: bold; }
        }
        &:focus .tool-choice.-highlighted { background: $accent; color: $text; }
        .tool-result {
            display: none;
            color: $text;
        }
        &.-asking {
            border-left: outer $warning;
            .tool-question, .tool-choices { display: block; }
        }
        &.-has-result .tool-result { display: block; }
        &.-failed .tool-result { color: $chat-error; }
        &:focus {
            border-left: outer $accent;
        }
    }
    """

    def __init__(self, call: ToolCall, result: Message | None = None) -> None:
        super().__init__()
        self.call = call
        self.result: Message | None = None
        self.expanded = False
        self._state = "queued"
        self._decision: asyncio.Future[Decision] | None = None
        self.highlighted = 0
        """The index in CHOICES that Enter would answer with."""
        self._drawn: dict[int, str] = {}
        self._pattern: re.Pattern[str] | None = None
        """Words marked in the arguments and the result (a find)."""
        self.header = Static("", classes="tool-header", markup=False)
        self.arguments = Static("", classes="tool-arguments", markup=False)
        self.question = Static("", classes="tool-question", markup=False)
        self.choices = [Choice(decision, label) for decision, label in CHOICES]
        self.output = Static("", classes="tool-result", markup=False)
        if result is not None:
            self.show_result(result)
        self._draw_call()

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.arguments
        yield self.question
        with Horizontal(classes="tool-choices"):
            yield from self.choices
        yield self.output

    # -- the call --------------------------------------------------------------------------------

    def update_call(self, streaming: bool = False) -> None:
        """More of the call streamed in (``streaming``: more may come), or it is complete."""
        self._draw_header()
        self._draw_arguments(streaming)

    def _draw_call(self) -> None:
        self._draw_header()
        self._draw_arguments()

    def _draw_header(self) -> None:
        self._update(self.header, f"⚙ {make_safe(self.call.label)} · {self._state}")

    def _draw_arguments(self, streaming: bool = False) -> None:
        """Pretty JSON once the call is complete; while it streams, the start of the raw text
        (parsing the whole text again on every fragment made a long argument, a file being
        written, quadratic; and the clipped start soon stops changing, so do the updates)."""
        if streaming:
            self._update(self.arguments, make_safe(_clip(self.call.arguments) or "…"))
            return
        pretty = pretty_arguments(self.call.arguments)
        lines = [_clip(line) for line in pretty.splitlines()] or ["{}"]
        if len(lines) > ARGUMENT_LINES:
            rest = len(lines) - ARGUMENT_LINES
            lines = [*lines[:ARGUMENT_LINES], f"… {plural(rest, 'more line')}"]
        self._update(self.arguments, make_safe("\n".join(lines)))

    def _update(self, widget: Static, text: str) -> None:
        """Only a text that changed goes to the widget (each update is a layout)."""
        if self._drawn.get(id(widget)) != text:
            self._drawn[id(widget)] = text
            widget.update(self._marked(Content(text)))

    def _marked(self, content: Content) -> Content:
        pattern = self._pattern
        return content.highlight_regex(pattern, style=HIGHLIGHT) if pattern else content

    def highlight(self, pattern: re.Pattern[str] | None) -> None:
        """Mark these words in the arguments and the result (None: no more)."""
        if pattern != self._pattern:
            self._pattern = pattern
            self._drawn.clear()
            self._draw_call()
            self._draw_result()

    def mark_not_run(self, why: str = "the reply was stopped") -> None:
        """The reply ended without this call being answered: it never ran (stopped while it
        streamed, the app was killed, or no tools were offered and the model called one)."""
        if self.result is None:
            self.set_state(f"not run ({why})")

    def set_state(self, state: str) -> None:
        self._state = state
        self._draw_header()

    # -- asking ----------------------------------------------------------------------------------

    async def ask(self) -> Decision:
        """Wait for an answer (Esc cancels the turn, and with it this wait). The question does
        not take the focus: keys typed meanwhile belong to the input box."""
        loop = asyncio.get_running_loop()
        self._decision = loop.create_future()
        self.highlighted = 0
        self.add_class("-asking")
        self.set_state("waiting for you")
        self._draw_question()
        self.refresh_bindings()
        self.scroll_visible()
        try:
            return await self._decision
        finally:
            self._decision = None
            self.remove_class("-asking")
            self.refresh_bindings()

    @property
    def asking(self) -> bool:
        return self._decision is not None and not self._decision.done()

    def _draw_question(self) -> None:
        """The question says how to answer it from where the focus is."""
        if self.screen.focused is self:  # has_focus is set after on_focus runs
            how = "left/right choose · Enter answers"
        else:
            go = label_for(getattr(self.app, "keymap", {}), "chat.answer_tool", "ctrl+g")
            how = f"{go} goes here, then Enter answers"
        self._update(self.question, f"Run this tool?  {how} · Esc stops the turn")
        for index, choice in enumerate(self.choices):
            choice.set_class(index == self.highlighted, "-highlighted")

    def on_focus(self) -> None:
        if self.asking:
            self._draw_question()

    def on_blur(self) -> None:
        if self.asking:
            self._draw_question()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("answer", "choose"):
            return self.asking
        if action in ("toggle_result", "copy"):
            return self.result is not None
        return True

    def action_choose(self, step: int) -> None:
        self.highlighted = (self.highlighted + step) % len(CHOICES)
        self._draw_question()

    def action_answer(self) -> None:
        self.decide(CHOICES[self.highlighted][0])

    def on_click(self, event: events.Click) -> None:
        """A click on a choice answers with it (a deliberate act, as Enter is)."""
        if isinstance(event.widget, Choice) and self.asking:
            event.stop()
            self.decide(event.widget.decision)

    def decide(self, decision: Decision) -> None:
        if self._decision is not None and not self._decision.done():
            self._decision.set_result(decision)

    # -- the result ------------------------------------------------------------------------------

    def show_result(self, result: Message) -> None:
        self.result = result
        status = result.tool_status or "ok"
        label = _STATUS_LABEL.get(status, status)
        if result.tool_truncated:
            label += " · output cut"
        self.add_class("-has-result")
        self.set_class(status == "error", "-failed")
        self._state = label
        self._draw_call()
        self._draw_result()
        self.refresh_bindings()

    def _draw_result(self) -> None:
        if self.result is None:
            return
        lines = self.result.content.splitlines() or [""]
        long = any(len(line) > LINE_CHARS for line in lines[:FOLDED_LINES])
        if self.expanded or (len(lines) <= FOLDED_LINES and not long):
            shown = "\n".join(lines)
            more = "  ▾ Enter folds" if len(lines) > FOLDED_LINES or long else ""
        else:
            shown = "\n".join(_clip(line) for line in lines[:FOLDED_LINES])
            rest = len(lines) - FOLDED_LINES
            more = f"▸ {plural(rest, 'more line')}" if rest > 0 else "▸ the whole text"
            more += " · Enter opens"
        label = f"result · {plural(len(lines), 'line')}"
        if self.result.tool_truncated:
            label += " · cut at max_tool_output"
        content = Content.styled(label, "dim") + Content("\n") + Content(make_safe(shown))
        if more:
            content = content + Content("\n") + Content.styled(more, "dim italic")
        self.output.update(self._marked(content))

    def action_toggle_result(self) -> None:
        self.expanded = not self.expanded
        self._draw_result()

    def action_copy(self) -> None:
        if self.result is not None:
            self.post_message(CopyRequest(self.result.content, "the tool's result"))


def _clip(line: str) -> str:
    return line if len(line) <= LINE_CHARS else line[: LINE_CHARS - 1] + "…"

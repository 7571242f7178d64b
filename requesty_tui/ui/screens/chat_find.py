"""Find in the conversation (ctrl+f): the bar above the input, the marks, going to a match.

What is found is decided by :mod:`requesty_tui.chat.find` (the branch on screen, literal text,
smart case); this marks the same pattern in every message widget (shown now or mounted later)
and brings a match into view: a message behind the "earlier messages" marker is mounted
(:meth:`ConversationView.reveal`), a folded thinking block or tool result is opened, and the
pane scrolls to the line that holds it. The match gone to has its message's border in the
warning colour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from textual.widget import Widget

from requesty_tui.chat import find
from requesty_tui.core.formatting import plural
from requesty_tui.ui.screens.chat_host import ChatParts
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.find_bar import FindBar
from requesty_tui.ui.widgets.markdown_view import MarkdownView

if TYPE_CHECKING:
    import re

    from textual.widget import AwaitMount

    from requesty_tui.ui.screens.chat_branches import BranchControl

CURRENT = "-find-current"
"""The class of the message widget that holds the match gone to."""

MARGIN = 2
"""Lines kept between a match gone to and the pane's top or bottom edge."""


class FindHost(ChatParts, Protocol):
    """What finding needs of the chat screen besides its parts: the branches (a match may be
    in another), and a place for the bar."""

    @property
    def branches(self) -> BranchControl: ...

    def mount(
        self,
        *widgets: Widget,
        before: int | str | Widget | None = None,
        after: int | str | Widget | None = None,
    ) -> AwaitMount: ...


class FindControl:
    """Belongs to one chat screen: the bar, the matches, which one was gone to."""

    def __init__(self, host: FindHost) -> None:
        self.host = host
        self.pattern: re.Pattern[str] | None = None
        self.matches = find.Matches([])
        self.current: int | None = None
        self.others = 0
        self._marked: Widget | None = None
        self.bar: FindBar | None = None
        """The bar above the input box, while it is open."""

    @property
    def view(self) -> ConversationView:
        return self.host.pane

    async def open(self) -> None:
        """Show the bar (or go back to it) with the query selected: typing replaces it."""
        bar = self.bar
        if bar is None:
            bar = self.bar = FindBar(id="find")
            await self.host.mount(bar, before="#edit-banner")
        bar.input.focus()
        bar.input.select_all()

    async def close(self) -> None:
        bar, self.bar = self.bar, None
        self.view.highlight(None)
        self._mark(None)
        self.pattern, self.matches, self.current, self.others = None, find.Matches([]), None, 0
        if bar is not None:
            await bar.remove()
        self.host.prompt.focus()

    def search(self, query: str) -> None:
        """Mark every occurrence of ``query`` and count them (on every key: fast)."""
        self.pattern = find.find_pattern(query)
        self.view.highlight(self.pattern)
        self._mark(None)
        self.current = None
        self._recount()

    def _recount(self) -> None:
        conversation = self.host.session.conversation
        self.matches = find.matches(conversation, self.pattern)
        self.others = find.count_elsewhere(conversation, self.pattern)
        self._show_count()

    def _show_count(self) -> None:
        bar = self.bar
        if bar is None:
            return
        if self.pattern is None:
            bar.show_count("")
            return
        n = len(self.matches)
        if self.current is not None and n:
            text = f"{self.current + 1} / {n}"
        else:
            text = plural(n, "match", "matches") if n else "no match"
        if self.others:
            text += f" · also {self.others} in other branches"
        bar.show_count(text, none=not n and not self.others)

    async def step(self, step: int) -> None:
        """Go to the next (1) or previous (-1) match, from the one gone to last or, at first,
        from what the pane shows."""
        if self.pattern is None:
            return
        before = self.matches[self.current] if self.current is not None else None
        self._recount()  # a reply may have come, a branch changed
        n = len(self.matches)
        if not n:
            return
        same = self.matches.index_of(before) if before is not None else None
        await self.go((same + step) % n if same is not None else self._first(step))

    def _first(self, step: int) -> int:
        """The first match below the top of the pane (next) or above its bottom (previous)."""
        view = self.view
        order = {id(m): n for n, m in enumerate(self.host.session.conversation.path())}
        top, height = view.content_region.y, view.content_region.height
        shown = [
            order[id(message)]
            for w in view.message_widgets()
            if (message := getattr(w, "message", None)) is not None
            and id(message) in order
            and w.region.bottom > top
            and w.region.y < top + height
        ]
        matches = self.matches
        if step > 0:
            start = min(shown) if shown else 0
            found = matches.first(lambda m, _part: order.get(id(m), 0) >= start)
            return found if found is not None else 0
        end = max(shown) if shown else len(order)
        found = matches.first(lambda m, _part: order.get(id(m), 0) <= end, last=True)
        return found if found is not None else len(matches) - 1

    async def go(self, index: int) -> None:
        """Bring match ``index`` into view (mounted, unfolded, scrolled to its line)."""
        self.current = index
        match = self.matches[index]
        view = self.view
        widget = await view.reveal(match.message)
        self.host.branches.refresh_labels()
        self._show_count()
        if widget is None:
            return
        self._mark(widget)
        target, line = self._target(widget, match)
        view.anchor(False)  # the match, not the end, stays in view
        view.call_after_refresh(self._scroll, target, line, match, True)

    def _mark(self, widget: Widget | None) -> None:
        if self._marked is not None:
            self._marked.remove_class(CURRENT)
        self._marked = widget
        if widget is not None:
            widget.add_class(CURRENT)

    def _target(self, widget: Widget, match: find.Match) -> tuple[Widget, int]:
        """The part of the message widget that draws the match (opened if folded), and the
        line of the match in the text (Markdown views: counted when drawn)."""
        part = match.part
        if part == "reasoning":
            thinking = getattr(widget, "thinking", None)
            if thinking is not None:
                if not thinking.expanded:
                    thinking.set_expanded(True)
                return thinking.body, -1
        if part in ("arguments", "result"):
            block = getattr(widget, "tool_blocks", {}).get(match.call_id)
            if block is not None:
                if part == "arguments":
                    return block.arguments, 0
                if not block.expanded:
                    block.action_toggle_result()
                results = self.host.session.conversation.results_of(match.message)
                result = results.get(match.call_id)
                text = result.content if result is not None else ""
                return block.output, 1 + _line_in(text, self.pattern, match.occurrence)
        body = getattr(widget, "body", None)
        if isinstance(body, MarkdownView):
            return body, -1
        return widget, _line_in(match.message.content, self.pattern, match.occurrence)

    def _scroll(self, target: Widget, line: int, match: find.Match, again: bool) -> None:
        """Scroll so that the line is in view, unless it is; once more after the next frame
        (messages above it drawn for the first time may change its place)."""
        view = self.view
        if line < 0 and isinstance(target, MarkdownView) and self.pattern is not None:
            line = _hit_line(target, self.pattern, match.occurrence)
        row = target.region.y - view.content_region.y + max(0, line)
        height = view.content_region.height
        if not MARGIN <= row < height - MARGIN:
            # Not quite the top while earlier messages wait: the top loads them (a user's
            # scroll), which would move the view away from the match.
            y = max(1 if view.hidden_count else 0, view.scroll_y + row - height // 3)
            view.scroll_to(y=y, animate=False, immediate=True)
        if again:
            view.call_after_refresh(self._scroll, target, line, match, False)

    async def show_other_branch(self) -> None:
        """Put the branch holding the first match elsewhere on screen and go to it."""
        host = self.host
        conversation = host.session.conversation
        others = find.elsewhere(conversation, self.pattern)
        if not others or host.branches.busy():
            return
        find.show_branch_of(conversation, others[0])
        await host.branches.redraw()
        host.session.save()  # the branch on screen is kept in the file
        host.refresh_bars()
        self.view.highlight(self.pattern)
        self._recount()
        target = others[0]
        if target.role == "tool":  # found in the reply that called it
            result = self.matches.first(lambda _m, part: part == "result")
            target = self.matches[result if result is not None else 0].message
        index = self.matches.first(lambda m, _part: m is target) or 0
        if self.matches:
            await self.go(index)


def _line_in(text: str, pattern: re.Pattern[str] | None, occurrence: int) -> int:
    """The line (of the text as written) of the ``occurrence``-th match."""
    if pattern is None:
        return 0
    for n, found in enumerate(pattern.finditer(text)):
        if n == occurrence:
            return text.count("\n", 0, found.start())
    return 0


def _hit_line(view: MarkdownView, pattern: re.Pattern[str], occurrence: int) -> int:
    """The drawn line of the ``occurrence``-th match (the last line with one, when the drawn
    text holds fewer than the source: Markdown's own marks are not drawn)."""
    seen, last = 0, 0
    for y, line in enumerate(view.drawn_lines()):
        hits = len(pattern.findall(line))
        if hits:
            last = y
            if seen + hits > occurrence:
                return y
            seen += hits
    return last


class Finding(Protocol):
    """What the palette's find commands run (the chat screen, by its :class:`FindKeys`)."""

    @property
    def finder(self) -> FindControl: ...

    async def action_find(self) -> None: ...


def find_commands(chat: Finding) -> list[tuple[str, str, Callable[[], object]]]:
    """The palette's find commands."""
    commands: list[tuple[str, str, Callable[[], object]]] = [
        ("chat: find…", "Find text in this conversation (ctrl+f)", chat.action_find),
    ]
    if "finder" in chat.__dict__ and chat.finder.others:
        commands.append(
            (
                "find: show the other branch",
                f"Show the branch that also holds the text ({chat.finder.others} there)",
                chat.finder.show_other_branch,
            )
        )
    return commands

"""Browse saved conversations: newest first, filter by title and full text, act on one.

| key | action |
| --- | --- |
| type | filter: words (as prefixes) in the title or any message; tag:, model:, from:, is:pinned |
| up/down | move |
| enter | resume the conversation |
| ctrl+r | rename |
| ctrl+d | delete (asks first; the chosen ones, when some are) |
| ctrl+e | export to Markdown (the chosen ones, when some are) |
| ctrl+s | pin or unpin: pinned conversations stay on top |
| ctrl+t | edit the conversation's tags |
| space (on the list: tab goes there) | choose or drop a conversation (for delete, export) |
| escape | close |
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from requesty_tui.core.domain import Conversation
from requesty_tui.core.formatting import format_usd
from requesty_tui.storage.sessions import (
    SessionError,
    SessionStore,
    SessionSummary,
    format_updated,
)
from requesty_tui.ui.screens.browser_cells import COLUMNS, fit_columns, highlighted, titled
from requesty_tui.ui.screens.dialogs import Confirm, TextPrompt
from requesty_tui.ui.screens.filter_list import LIST_BINDINGS, FilterListScreen

DISPLAY_LIMIT = 500
"""Rows shown at once (newest first); searching reaches every session."""


@dataclass(frozen=True, slots=True)
class Chosen:
    """The conversation to open, and the words searched for (it opens on the branch that holds
    them)."""

    id: str
    words: tuple[str, ...] = ()


class SessionBrowser(FilterListScreen[Chosen | None]):
    """Returns the conversation to resume, or None."""

    CSS_PATH = "session_browser.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="sessions.close"),
        *LIST_BINDINGS,
        # Priority: the filter box would take ctrl+d (delete right) and ctrl+e (line end).
        Binding("ctrl+r", "rename", "Rename", id="sessions.rename", priority=True),
        Binding("ctrl+d", "delete", "Delete", id="sessions.delete", priority=True),
        Binding("ctrl+e", "export", "Export", id="sessions.export", priority=True),
        Binding("ctrl+s", "pin", "Pin", id="sessions.pin", priority=True),
        Binding("ctrl+t", "tags", "Tags", id="sessions.tags", priority=True),
        # Not a priority: in the filter box a space is a space.
        Binding("space", "choose", "Choose", id="sessions.choose", show=False),
    ]

    def __init__(
        self,
        store: SessionStore,
        delete: Callable[[str], Awaitable[None]] | None = None,
        rename: Callable[[str, str], None] | None = None,
        edit: Callable[[str, Callable[[Conversation], None]], None] | None = None,
    ) -> None:
        """``delete``, ``rename``: how to (the App's: an open conversation is closed first,
        renamed where it is open); by default the store's."""
        super().__init__()
        self.store = store
        self._delete = delete
        self._rename = rename or store.rename
        self._edit = edit or store.update
        self.rows: list[SessionSummary] = []
        self.chosen: set[str] = set()
        """Conversations chosen with space (delete and export act on all of them)."""
        self.indexing = True
        """True until the index has caught up with the folder (done in a thread)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="browser"):
            yield Input(
                placeholder="Search titles and messages (from:chatgpt: what came from there)",
                id="browser-filter",
            )
            yield DataTable(id="browser-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="browser-snippet", markup=False)
            yield Static("", id="browser-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#browser").border_title = "Conversations"
        self.reload()  # what the index knows: instant
        self.query_one(Input).focus()
        self._catch_up()

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def _catch_up(self) -> None:
        """Read new and changed files into the index (slow only the first time)."""
        store = SessionStore(self.store.folder, self.store.index_path)
        try:
            store.refresh_index()
        finally:
            store.close()
        self.app.call_from_thread(self._caught_up)

    def _caught_up(self) -> None:
        self.indexing = False
        self.reload()

    def reload(self, refresh: bool = False) -> None:
        query = self.query_one(Input).value
        try:
            if refresh:
                self.store.refresh_index()
            self.rows = self.store.search(query, refresh=False, limit=DISPLAY_LIMIT)
            total = self.store.count()
        except (OSError, SessionError, sqlite3.Error) as exc:
            self.rows = []
            self.query_one("#browser-status", Static).update(Text(f"Cannot list: {exc}"))
            return
        table = self.query_one(DataTable)
        # The columns too: a column keeps the width of the widest cell it ever held, so a title
        # shown whole before the table had a size kept the Cost column off screen at 80x24.
        table.clear(columns=True)
        table.add_columns(*COLUMNS)
        built: list[list[object]] = []
        for row in self.rows:
            if row.readable:
                cost = format_usd(row.cost) if row.cost is not None else ""
                mark = "✓ " if row.id in self.chosen else ""
                cells = [
                    mark + format_updated(row.updated),
                    titled(row),
                    Text(row.model),
                    str(row.message_count),
                    cost,
                ]
            else:
                cells = [
                    "unreadable",
                    Text(f"⚠ {row.error}", style="bold"),
                    Text(str(row.path)),
                    "",
                    "",
                ]
            built.append(cells)
        fit_columns(table, built, [row.readable for row in self.rows])
        for row, cells in zip(self.rows, built, strict=True):
            table.add_row(*cells, key=row.id)
        shown = f"{len(self.rows):,} conversation{'s' if len(self.rows) != 1 else ''}"
        if query.strip():
            shown += f" matching {query.strip()!r}"
        if len(self.rows) >= DISPLAY_LIMIT:
            shown = f"newest {DISPLAY_LIMIT:,} of {total:,} (type to search all)"
        if self.indexing:
            shown += " · indexing…"
        self.query_one("#browser-status", Static).update(
            Text(
                f"{shown}{f' · {len(self.chosen)} chosen' if self.chosen else ''} · Enter resume"
                " · ^r rename · ^d delete · ^e export · ^s pin · ^t tags"
            )
        )
        self._show_snippet()

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        """Titles cut to the table's new width; the cursor stays on its row."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        self.reload()
        table.move_cursor(row=row)

    @on(DataTable.RowHighlighted)
    def _show_snippet(self) -> None:
        """Where the search words are in the highlighted conversation, after its tags (whole
        here: at 80 columns the title column cuts them)."""
        row = self._current()
        snippet = self.query_one("#browser-snippet", Static)
        text = Text(" ".join(f"#{t}" for t in row.labels), style="bold") if row else Text()
        if row and row.snippet:
            text.append(" · " if text else "")
            text.append_text(highlighted(row.snippet))
        snippet.display = bool(text)
        snippet.update(text)

    def _current(self) -> SessionSummary | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(Input.Changed, "#browser-filter")
    def _filter(self) -> None:
        self.reload()

    @on(Input.Submitted, "#browser-filter")
    @on(DataTable.RowSelected)
    def _open(self) -> None:
        row = self._current()
        if row is None:
            return
        if not row.readable:
            self.notify(
                f"{row.path} cannot be opened: {row.error}. It is left untouched.",
                severity="error",
                markup=False,
            )
            return
        self.dismiss(Chosen(row.id, tuple(self.query_one(Input).value.split())))

    def action_rename(self) -> None:
        row = self._current()
        if row is None or not row.readable:
            return

        def done(title: str | None) -> None:
            if title is None:
                return
            try:
                self._rename(row.id, title)
            except (OSError, SessionError) as exc:
                self.notify(f"Rename failed: {exc}", severity="error", markup=False)
            self.reload(refresh=True)

        self.app.push_screen(TextPrompt("Rename conversation", row.title), done)

    def _chosen_rows(self) -> list[SessionSummary]:
        return [row for row in self.rows if row.id in self.chosen]

    def action_choose(self) -> None:
        """Space on the list: choose or drop the highlighted conversation."""
        row = self._current()
        if row is None:
            return
        self.chosen ^= {row.id}
        table = self.query_one(DataTable)
        at = table.cursor_row
        self.reload()
        table.move_cursor(row=min(at + 1, len(self.rows) - 1))

    def action_pin(self) -> None:
        row = self._current()
        if row is None or not row.readable:
            return
        pinned = not row.pinned

        def change(conversation: Conversation) -> None:
            conversation.pinned = pinned

        self._apply(row, change)

    def action_tags(self) -> None:
        row = self._current()
        if row is None or not row.readable:
            return

        def done(text: str | None) -> None:
            if text is None:
                return
            tags = [t.strip().lstrip("#") for t in text.split(",") if t.strip().lstrip("#")]

            def change(conversation: Conversation) -> None:
                conversation.labels = tags

            self._apply(row, change)

        hint = "Comma-separated; the filter finds them with tag:NAME. Empty: no tags."
        current = ", ".join(row.labels)
        self.app.push_screen(TextPrompt("Tags", current, hint=hint, allow_empty=True), done)

    def _apply(self, row: SessionSummary, change: Callable[[Conversation], None]) -> None:
        table = self.query_one(DataTable)
        try:
            self._edit(row.id, change)
        except (OSError, SessionError) as exc:
            self.notify(f"Not saved: {exc}", severity="error", markup=False)
        self.reload(refresh=True)
        at = next((n for n, r in enumerate(self.rows) if r.id == row.id), 0)
        table.move_cursor(row=at)

    def action_delete(self) -> None:
        if self.chosen:
            self._delete_chosen()
            return
        row = self._current()
        if row is None:
            return

        async def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                if self._delete is not None:
                    await self._delete(row.id)
                else:
                    self.store.delete(row.id)
            except SessionError as exc:
                self.notify(str(exc), severity="error", markup=False)
            self.reload(refresh=True)

        what = row.title if row.readable else str(row.path)
        question = f"Delete {what!r}? This cannot be undone."
        self.app.push_screen(Confirm(question, "Delete", danger=True), done)

    def _delete_chosen(self) -> None:
        rows = self._chosen_rows()

        async def done(yes: bool | None) -> None:
            if not yes:
                return
            for row in rows:
                try:
                    if self._delete is not None:
                        await self._delete(row.id)
                    else:
                        self.store.delete(row.id)
                except SessionError as exc:
                    self.notify(str(exc), severity="error", markup=False)
            self.chosen.clear()
            self.reload(refresh=True)

        n = len(rows)
        question = f"Delete these {n} conversation{'s' if n != 1 else ''}? This cannot be undone."
        self.app.push_screen(Confirm(question, f"Delete {n}", danger=True), done)

    def action_export(self) -> None:
        if self.chosen:
            from requesty_tui.storage.export import export_markdown

            targets = []
            for chosen in self._chosen_rows():
                try:
                    targets.append(export_markdown(self.store.load(chosen.id)))
                except (OSError, SessionError) as exc:
                    self.notify(f"Export failed: {exc}", severity="error", markup=False)
            if targets:
                where = targets[0].parent
                self.notify(f"Exported {len(targets)} conversations to {where}", markup=False)
            return
        row = self._current()
        if row is None or not row.readable:
            return
        try:
            from requesty_tui.storage.export import export_markdown

            target = export_markdown(self.store.load(row.id))
        except (OSError, SessionError) as exc:
            self.notify(f"Export failed: {exc}", severity="error", markup=False)
            return
        self.notify(f"Exported to {target}", markup=False)

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
from requesty_tui.storage.session_index import SessionSummary
from requesty_tui.storage.sessions import SessionError, SessionStore
from requesty_tui.ui.screens.browser_cells import COLUMNS, fit_columns, highlighted, row_cells
from requesty_tui.ui.screens.dialogs import Confirm, TextPrompt
from requesty_tui.ui.screens.filter_list import LIST_BINDINGS, FilterListScreen

DISPLAY_LIMIT = 500
"""Rows shown at once (newest first); searching reaches every session."""

FIRST_ROWS = 100
"""Rows put in the table before the frame that shows a search's answer (more than any screen
holds); the rest go in after it. Adding all 500 took ~25 ms of the ~60 ms from a key typed to
its answer among 10,000 conversations (``benchmarks/sessions_browser.py --large 500``)."""


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
        self._listed = 0
        """Counts the listings (the rest of an older one is not added to a newer one)."""
        self._snippets: dict[tuple[str, str], str | None] = {}
        """Search snippets found, by (session id, query)."""

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
        built = [row_cells(row, row.id in self.chosen) for row in self.rows]
        fit_columns(table, built, [row.readable for row in self.rows])
        rows = list(zip(self.rows, built, strict=True))
        self._add_rows(table, rows[:FIRST_ROWS])
        self._listed += 1
        if len(rows) > FIRST_ROWS:
            self.call_after_refresh(self._add_rest, self._listed, table, rows[FIRST_ROWS:])
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

    @staticmethod
    def _add_rows(
        table: DataTable[object], rows: list[tuple[SessionSummary, list[object]]]
    ) -> None:
        for row, cells in rows:
            table.add_row(*cells, key=row.id)

    def _add_rest(
        self, listed: int, table: DataTable[object], rows: list[tuple[SessionSummary, list[object]]]
    ) -> None:
        """The rows after the first screenfuls, unless the table was listed anew since."""
        if listed == self._listed:
            self._add_rows(table, rows)

    def _cursor_to(self, row: int) -> None:
        """The cursor on ``row`` of a listing just made: after its frame if the row is among
        those added then (:data:`FIRST_ROWS`)."""
        table = self.query_one(DataTable)
        table.move_cursor(row=row)
        if row >= table.row_count:
            self.call_after_refresh(lambda: table.move_cursor(row=row))

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        """Titles cut to the table's new width; the cursor stays on its row."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        self.reload()
        self._cursor_to(row)

    @on(DataTable.RowHighlighted)
    def _show_snippet(self) -> None:
        """Where the search words are in the highlighted conversation, after its tags (whole
        here: at 80 columns the title column cuts them)."""
        row = self._current()
        snippet = self.query_one("#browser-snippet", Static)
        text = Text(" ".join(f"#{t}" for t in row.labels), style="bold") if row else Text()
        query = self.query_one(Input).value
        if row and row.readable and query.strip():
            key = (row.id, query)
            if key not in self._snippets:
                self._find_snippet(*key)  # shown when found
            elif found := self._snippets[key]:
                text.append(" · " if text else "")
                text.append_text(highlighted(found))
        snippet.display = bool(text)
        snippet.update(text)

    @work(thread=True, exclusive=True, group="snippet", exit_on_error=False)
    def _find_snippet(self, session_id: str, query: str) -> None:
        """One row's snippet, off the UI thread (tens of ms in a big index), on a connection
        of its own (SQLite's are not shared between threads)."""
        store = SessionStore(self.store.folder, self.store.index_path)
        try:
            found = store.snippet(session_id, query)
        except (OSError, sqlite3.Error):
            found = None
        finally:
            store.close()
        self.app.call_from_thread(self._snippet_found, session_id, query, found)

    def _snippet_found(self, session_id: str, query: str, found: str | None) -> None:
        self._snippets[(session_id, query)] = found
        row = self._current()
        if row is not None and row.id == session_id and self.query_one(Input).value == query:
            self._show_snippet()

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
        self._cursor_to(min(at + 1, len(self.rows) - 1))

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
        try:
            self._edit(row.id, change)
        except (OSError, SessionError) as exc:
            self.notify(f"Not saved: {exc}", severity="error", markup=False)
        self.reload(refresh=True)
        at = next((n for n, r in enumerate(self.rows) if r.id == row.id), 0)
        self._cursor_to(at)

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

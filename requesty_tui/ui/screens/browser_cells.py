"""What the session browser's table shows in its cells: the columns, a title with its marks,
a search snippet with its hits, and widths that keep every column on screen."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from requesty_tui.core.formatting import format_usd
from requesty_tui.storage.session_index import (
    MATCH_END,
    MATCH_START,
    SessionSummary,
    format_updated,
)

COLUMNS = ("Updated", "Title", "Model", "Msgs", "Cost")


def row_cells(row: SessionSummary, chosen: bool) -> list[object]:
    """One conversation's cells (an unreadable file's: why, and its path)."""
    if not row.readable:
        return ["unreadable", Text(f"⚠ {row.error}", style="bold"), Text(str(row.path)), "", ""]
    cost = format_usd(row.cost) if row.cost is not None else ""
    mark = "✓ " if chosen else ""
    return [
        mark + format_updated(row.updated),
        titled(row),
        Text(row.model),
        str(row.message_count),
        cost,
    ]


def fit_columns(table: DataTable[object], rows: list[list[object]], good: list[bool]) -> None:
    """Cut long cells in place so that every column stays on screen: the title (the second
    column) gives way, with an ellipsis, rather than the cost (``$0.`` for $0.000212); an
    unreadable file's path (in the model column) is cut to the models' width. Nothing is cut
    before the table has a size."""
    width = table.scrollable_content_region.width
    if not width:
        return
    labels = [str(column.label) for column in table.columns.values()]

    def needs(i: int) -> int:
        cells = [r[i] for r, ok in zip(rows, good, strict=True) if ok]
        lengths = [c.cell_len if isinstance(c, Text) else Text(str(c)).cell_len for c in cells]
        return max([len(labels[i]) if i < len(labels) else 0, *lengths])

    model = needs(2) if all(good) else max(needs(2), 24)  # room for some of a path
    room = max(12, width - needs(0) - model - needs(3) - needs(4) - 2 * table.cell_padding * 5)
    for cells in rows:
        for i, most in ((1, room), (2, model)):
            cell = cells[i]
            if isinstance(cell, Text):
                cell.truncate(most, overflow="ellipsis")


IMPORTED_MARK = "⇣"
"""Before the title of an imported conversation, with where it came from."""


def titled(row: SessionSummary) -> Text:
    """The title cell: ★ when pinned, an imported conversation marked with its source, the
    browser's tags after it (dim; all of it text, not markup)."""
    title = Text("★ " if row.pinned else "")
    if row.source:
        title.append(f"{IMPORTED_MARK}{row.source} ", style="dim")
    title.append(row.title or "(untitled)")
    if row.labels:
        title.append("  " + " ".join(f"#{t}" for t in row.labels), style="dim")
    return title


def highlighted(snippet: str) -> Text:
    """A search snippet with the matched words marked (the text itself is data, not markup)."""
    text = Text()
    for n, piece in enumerate(snippet.split(MATCH_START)):
        hit, _, rest = piece.partition(MATCH_END) if n else ("", "", piece)
        if hit:
            text.append(hit, style="bold reverse")
        text.append(rest)
    return text

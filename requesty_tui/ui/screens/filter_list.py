"""What the model picker and the session browser share: a filter box above a list, where
up/down move in the list while the typing stays in the box."""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, OptionList

LIST_BINDINGS = [
    Binding("down", "cursor(1)", show=False, priority=True),
    Binding("up", "cursor(-1)", show=False, priority=True),
]


ResultType = TypeVar("ResultType")


class FilterListScreen(ModalScreen[ResultType]):
    """A modal whose ``LIST_SELECTOR`` widget follows up/down from the filter box."""

    LIST_SELECTOR = "OptionList, DataTable"

    def action_cursor(self, step: int) -> None:
        target = self.query_one(self.LIST_SELECTOR)
        if isinstance(target, OptionList | DataTable):
            if step > 0:
                target.action_cursor_down()
            else:
                target.action_cursor_up()

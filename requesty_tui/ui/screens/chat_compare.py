"""The chat screen's compare mode: the next prompt goes to 2-4 models at once, their replies
stream side by side (:mod:`requesty_tui.ui.widgets.compare_view`), one column is picked to go
on with. The rules of a comparison are :mod:`requesty_tui.chat.compare`'s."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from requesty_tui.chat.compare import MAX_MODELS, MIN_MODELS, Comparison, start_comparison
from requesty_tui.core.domain import Attachment, Message
from requesty_tui.ui.screens.chat_host import ChatParts
from requesty_tui.ui.widgets.compare_view import CompareColumn, CompareView
from requesty_tui.ui.widgets.message import UserMessage

if TYPE_CHECKING:
    from requesty_tui.chat.turn import Turn
    from requesty_tui.client.request import ChatRequest


class CompareHost(ChatParts, Protocol):
    async def redraw(self) -> None:
        """The conversation's branch on screen again (the columns are gone)."""

    def start_column(self, turn: Turn, column: CompareColumn, request: ChatRequest) -> None:
        """Stream one model's reply into its column."""


class CompareControl:
    """Belongs to one chat screen; the chosen models live in the UI context (they stay on
    across new chats until turned off) and in the conversation (``Conversation.compare``: a
    resumed conversation comes back in its mode)."""

    def __init__(self, host: CompareHost) -> None:
        self.host = host
        self.comparison: Comparison | None = None
        self.view: CompareView | None = None

    @property
    def models(self) -> list[str]:
        return self.host.context.compare_models

    def forget(self) -> None:
        """Another conversation takes this one's place: its columns go with the rest."""
        self.view = self.comparison = None

    # -- the mode -------------------------------------------------------------------------------

    def choose_models(self) -> None:
        """The picker in multi-select; the chosen set turns compare mode on."""
        from requesty_tui.ui.screens.model_picker import ModelSetPicker

        host = self.host
        catalogue = host.services.catalogue
        chosen = self.models or [host.session.model]
        picker = ModelSetPicker(
            catalogue.models, chosen, catalogue.detail, limits=(MIN_MODELS, MAX_MODELS)
        )
        host.app.push_screen(picker, self._chosen)

    def _chosen(self, models: list[str] | None) -> None:
        if models:
            self.models[:] = models
            self.host.session.conversation.compare = list(models)  # resumed, it compares again
            self.host.session.save()
            self.host.notify(
                f"Compare mode: each message goes to {', '.join(models)} "
                "(ctrl+p: chat: compare off).",
                markup=False,
            )
        self.host.refresh_bars()
        self.host.prompt.focus()

    def turn_off(self) -> None:
        self.models.clear()
        session = self.host.session
        session.conversation.compare = []
        session.save()
        self.host.notify(f"Compare mode off: messages go to {session.model}.", markup=False)
        self.host.refresh_bars()

    # -- a comparison ---------------------------------------------------------------------------

    async def send(
        self, text: str, edited: Message | None, attachments: list[Attachment] | None = None
    ) -> None:
        """The prompt to every chosen model at once, a column each."""
        host, session = self.host, self.host.session
        view = host.pane
        prices = host.services.catalogue.info
        session.conversation.compare = list(self.models)  # also a new chat in compare mode
        comparison = start_comparison(
            session.conversation,
            text,
            list(self.models),
            prices,
            instead_of=edited,
            attachments=attachments,
        )
        host.save_draft(force=True)
        if edited is not None:
            await host.redraw()
        else:
            await view.add(UserMessage(comparison.prompt))
        code = host.context.theming.code_style()
        columns = [CompareColumn(turn, n, code) for n, turn in enumerate(comparison.turns)]
        self.comparison, self.view = comparison, CompareView(columns)
        await view.add(self.view)
        session.save()
        for turn, column, request in zip(
            comparison.turns, columns, comparison.requests, strict=True
        ):
            host.start_column(turn, column, request)

    def stop_one(self, column: CompareColumn) -> None:
        for run in self.host.session.runs:
            if run.reply is column and run.worker is not None:
                run.worker.cancel()

    async def all_ended(self) -> None:
        """The last column ended: the prompt stays if anyone answered, else it goes back."""
        comparison, host = self.comparison, self.host
        if comparison is None or comparison.ended is not None:
            return
        outcome = comparison.end(exiting=host.session.exiting)
        if outcome.give_back is not None:
            host.prompt.restore(outcome.give_back)
            stopped = all(t.finish is None and t.error is None for t in comparison.turns)
            reason = "stopped before any reply began" if stopped else "no model answered"
            for widget in host.pane.query(UserMessage):
                if widget.message is comparison.prompt:
                    widget.mark_not_sent("not answered", reason)
        host.session.save()
        host.save_draft(force=outcome.give_back is not None)
        host.refresh_bars()
        host.context.refresh_spend()

    async def pick(self, column: CompareColumn) -> None:
        """Continue from this column: its reply becomes the branch on screen."""
        comparison, host = self.comparison, self.host
        if comparison is None or column.turn not in comparison.turns:
            return
        if host.session.streaming:
            host.notify(
                "Still streaming: wait for every column, or esc stops them all (ctrl+x stops one).",
                severity="warning",
            )
            return
        if not comparison.pick(column.turn):
            host.notify("This model gave no reply to continue from.", severity="warning")
            return
        host.session.conversation.model = column.turn.model  # compare off goes on with it
        await self.close_view()
        host.session.save()
        host.refresh_bars()
        host.prompt.focus()

    async def close_view(self, *, continuing: bool = False) -> None:
        """The columns give way to the conversation's branch (the picked or first reply, with
        ‹n/of› for the others). ``continuing``: the user sent the next message without a pick,
        and is told which reply it follows."""
        view, comparison = self.view, self.comparison
        if view is None:
            return
        self.view = None
        end = comparison.on_screen() if comparison is not None else None
        if continuing and comparison is not None and comparison.picked is None and end:
            self.host.notify(
                f"Continuing from {end.model}'s reply (the first column that answered); the "
                "others are its alternatives (‹ › on it).",
                markup=False,
            )
        self.comparison = None
        await view.remove()
        await self.host.redraw()

"""The chat screen's compare mode: the next prompt goes to 2-4 models at once, their replies
stream side by side (:mod:`requesty_tui.ui.widgets.compare_view`), one column is picked to go
on with. The rules of a comparison are :mod:`requesty_tui.chat.compare`'s."""

from __future__ import annotations

from typing import TYPE_CHECKING

from requesty_tui.chat.compare import MAX_MODELS, MIN_MODELS, Comparison, start_comparison
from requesty_tui.core.domain import Attachment, Message
from requesty_tui.ui.screens.chat_reply import ColumnRun
from requesty_tui.ui.widgets.compare_view import CompareColumn, CompareView
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.message import UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat import ChatScreen


class CompareControl:
    """Belongs to one chat screen; the chosen models live in the UI context (they stay on
    across new chats until turned off) and in the conversation (``Conversation.compare``: a
    resumed conversation comes back in its mode)."""

    def __init__(self, screen: ChatScreen) -> None:
        self.screen = screen
        self.comparison: Comparison | None = None
        self.view: CompareView | None = None

    @property
    def models(self) -> list[str]:
        return self.screen.context.compare_models

    # -- the mode -------------------------------------------------------------------------------

    def choose_models(self) -> None:
        """The picker in multi-select; the chosen set turns compare mode on."""
        from requesty_tui.ui.screens.model_picker import ModelSetPicker

        screen = self.screen
        catalogue = screen.services.catalogue
        chosen = self.models or [screen.model]
        picker = ModelSetPicker(
            catalogue.models, chosen, catalogue.detail, limits=(MIN_MODELS, MAX_MODELS)
        )
        screen.app.push_screen(picker, self._chosen)

    def _chosen(self, models: list[str] | None) -> None:
        if models:
            self.models[:] = models
            self.screen.conversation.compare = list(models)  # resumed, it compares again
            self.screen.save()
            self.screen.notify(
                f"Compare mode: each message goes to {', '.join(models)} "
                "(ctrl+p: chat: compare off).",
                markup=False,
            )
        self.screen.refresh_bars()
        self.screen.query_one(PromptInput).focus()

    def turn_off(self) -> None:
        self.models.clear()
        self.screen.conversation.compare = []
        self.screen.save()
        self.screen.notify(f"Compare mode off: messages go to {self.screen.model}.", markup=False)
        self.screen.refresh_bars()

    # -- a comparison ---------------------------------------------------------------------------

    async def send(
        self, text: str, edited: Message | None, attachments: list[Attachment] | None = None
    ) -> None:
        """The prompt to every chosen model at once, a column each."""
        screen = self.screen
        view = screen.query_one(ConversationView)
        prices = screen.services.catalogue.info
        screen.conversation.compare = list(self.models)  # also a new chat in compare mode
        comparison = start_comparison(
            screen.conversation,
            text,
            list(self.models),
            prices,
            instead_of=edited,
            attachments=attachments,
        )
        screen.save_draft(force=True)
        if edited is not None:
            await screen.branches.redraw()
        else:
            await view.add(UserMessage(comparison.prompt))
        code = screen.context.theming.code_style()
        columns = [CompareColumn(turn, n, code) for n, turn in enumerate(comparison.turns)]
        self.comparison, self.view = comparison, CompareView(columns)
        await view.add(self.view)
        screen.save()
        runs = [
            ColumnRun(screen, turn, column, request)
            for turn, column, request in zip(
                comparison.turns, columns, comparison.requests, strict=True
            )
        ]
        for run in runs:
            screen.start_run(run)

    def stop_one(self, column: CompareColumn) -> None:
        for run in self.screen.runs:
            if run.reply is column and run.worker is not None:
                run.worker.cancel()

    async def all_ended(self) -> None:
        """The last column ended: the prompt stays if anyone answered, else it goes back."""
        comparison, screen = self.comparison, self.screen
        if comparison is None or comparison.ended is not None:
            return
        outcome = comparison.end(exiting=screen.exiting)
        if outcome.give_back is not None:
            screen.query_one(PromptInput).restore(outcome.give_back)
            stopped = all(t.finish is None and t.error is None for t in comparison.turns)
            reason = "stopped before any reply began" if stopped else "no model answered"
            for widget in screen.query(UserMessage):
                if widget.message is comparison.prompt:
                    widget.mark_not_sent("not answered", reason)
        screen.save()
        screen.save_draft(force=outcome.give_back is not None)
        screen.refresh_bars()
        screen.context.refresh_spend()

    async def pick(self, column: CompareColumn) -> None:
        """Continue from this column: its reply becomes the branch on screen."""
        comparison, screen = self.comparison, self.screen
        if comparison is None or column.turn not in comparison.turns:
            return
        if screen.streaming:
            screen.notify(
                "Still streaming: wait for every column, or esc stops them all (ctrl+x stops one).",
                severity="warning",
            )
            return
        if not comparison.pick(column.turn):
            screen.notify("This model gave no reply to continue from.", severity="warning")
            return
        screen.conversation.model = column.turn.model  # compare off goes on with it
        await self.close_view()
        screen.save()
        screen.refresh_bars()
        screen.query_one(PromptInput).focus()

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
            self.screen.notify(
                f"Continuing from {end.model}'s reply (the first column that answered); the "
                "others are its alternatives (‹ › on it).",
                markup=False,
            )
        self.comparison = None
        await view.remove()
        await self.screen.branches.redraw()

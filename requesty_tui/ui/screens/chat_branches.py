"""The chat screen's part of conversations as trees: switching alternatives, editing a prompt,
regenerating a reply, forking and deleting. The tree itself is :mod:`requesty_tui.chat.branches`;
this redraws only the part of the branch on screen that changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from requesty_tui.chat import branches
from requesty_tui.chat.turn import start_regeneration
from requesty_tui.core.domain import Message
from requesty_tui.core.formatting import plural
from requesty_tui.ui.screens.dialogs import Confirm
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.message import AssistantMessage, UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat import ChatScreen


class BranchControl:
    """Belongs to one chat screen."""

    def __init__(self, screen: ChatScreen) -> None:
        self.screen = screen
        self.editing: Message | None = None
        """The prompt being edited (its new version goes beside it), if any."""
        self._draft_before_edit = ""

    @property
    def view(self) -> ConversationView:
        return self.screen.query_one(ConversationView)

    def refresh_labels(self) -> None:
        """‹n/of› on every message on screen that has alternatives."""
        conversation = self.screen.conversation
        tree = conversation.tree()
        for widget in self.view.message_widgets():
            if isinstance(widget, UserMessage | AssistantMessage) and widget.message is not None:
                siblings = tree.siblings(widget.message)
                index = next((i for i, m in enumerate(siblings) if m is widget.message), 0)
                widget.set_alternatives(index + 1, len(siblings))

    async def redraw(self) -> None:
        """Show the branch now on screen, replacing what changed (a comparison's columns
        give way to the reply it continues from)."""
        if "compare" in self.screen.__dict__:  # a comparison on screen
            await self.screen.compare.close_view()
        await self.view.follow_branch(self.screen.conversation.path())
        self.refresh_labels()

    def busy(self) -> bool:
        if self.screen.streaming:
            self.screen.notify(
                "A reply is still streaming: press Esc to stop it first.", severity="warning"
            )
            return True
        return False

    # -- switching ------------------------------------------------------------------------------

    async def switch(self, message: Message, step: int) -> None:
        if self.busy():
            return
        chosen = branches.switch(self.screen.conversation, message, step)
        if chosen is None:
            return
        await self.redraw()
        for widget in self.view.message_widgets():  # the focus stays where it was: ‹ › again
            if getattr(widget, "message", None) is chosen:
                widget.focus()
        self.screen.save()  # the branch on screen is kept in the file
        self.screen.refresh_bars()

    # -- editing --------------------------------------------------------------------------------

    def start_edit(self, message: Message | None = None) -> None:
        """Put a prompt's text in the input box; Enter sends it as a new version of it."""
        if message is None:
            users = [m for m in self.screen.conversation.path() if m.role == "user"]
            if not users:
                self.screen.notify("There is no message of yours to edit yet.", severity="warning")
                return
            message = users[-1]
        if self.busy():
            return
        prompt = self.screen.query_one(PromptInput)
        if self.editing is None:
            self._draft_before_edit = prompt.text
        self.editing = message
        prompt.load_text(message.content)
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
        path = self.screen.conversation.path()
        number = sum(1 for m in path[: path.index(message) + 1] if m.role == "user")
        banner = self.screen.query_one("#edit-banner", Static)
        banner.update(
            f"Editing your message {number}: Enter sends it as a new version beside the old "
            "one (nothing is lost) · Esc leaves the edit"
        )
        banner.display = True
        self.screen.refresh_bindings()

    def end_edit(self, *, restore: bool) -> None:
        """Leave the edit; ``restore`` puts back what was typed before it (Esc)."""
        self.editing = None
        self.screen.query_one("#edit-banner", Static).display = False
        if restore:
            prompt = self.screen.query_one(PromptInput)
            prompt.load_text(self._draft_before_edit)
            prompt.move_cursor(prompt.document.end)
        self._draft_before_edit = ""
        self.screen.refresh_bindings()

    # -- regenerating, forking, deleting --------------------------------------------------------

    async def regenerate(self, reply: Message | None = None, model: str | None = None) -> None:
        """Ask again for a reply to the prompt ``reply`` answers (by default the last reply's),
        from ``model`` if given; the new reply goes beside the old one."""
        screen = self.screen
        reply = reply or self.last_reply()
        if reply is None:
            screen.notify("There is no reply to regenerate yet.", severity="warning")
            return
        prompt = branches.reply_parent(screen.conversation, reply)
        if prompt is None or self.busy():
            return
        info = screen.services.catalogue.info
        turn = start_regeneration(screen.conversation, prompt, model or screen.model, info)
        await self.redraw()
        await screen.start_reply(turn)

    def last_reply(self) -> Message | None:
        replies = [m for m in self.screen.conversation.path() if m.role == "assistant"]
        return replies[-1] if replies else None

    def target(self) -> Message | None:
        """The focused message, else the last of the branch on screen."""
        focused = self.screen.focused
        if isinstance(focused, UserMessage | AssistantMessage) and focused.message is not None:
            return focused.message
        # A tool's result has no widget of its own: the reply that called it stands for it.
        path = [m for m in self.screen.conversation.path() if m.role != "tool"]
        return path[-1] if path else None

    async def fork(self) -> None:
        message = self.target()
        if message is None or self.busy():
            return
        forked = branches.fork(self.screen.conversation, message)
        self.screen.saver.save_now(forked)
        self.screen.notify(
            f"Forked into a new conversation ({plural(len(forked.messages), 'message')}); "
            "the old one is unchanged in the browser (ctrl+o).",
            markup=False,
        )
        await self.screen.open_conversation(forked)

    def delete(self) -> None:
        message = self.target()
        if message is None or self.busy():
            return
        below = len(self.screen.conversation.tree().below(message)) - 1
        what = "this message" + (f" and the {plural(below, 'message')} below it" if below else "")

        async def done(yes: bool | None) -> None:
            if yes:
                branches.delete(self.screen.conversation, message)
                await self.redraw()
                self.screen.save()
                self.screen.refresh_bars()

        question = f"Delete {what} on this branch? Its alternatives stay. This cannot be undone."
        self.screen.app.push_screen(Confirm(question, "Delete", danger=True), done)

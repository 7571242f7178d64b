"""The chat screen's part of conversations as trees: switching alternatives, editing a prompt,
regenerating a reply, forking and deleting. The tree itself is :mod:`requesty_tui.chat.branches`;
this redraws only the part of the branch on screen that changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from requesty_tui.chat import branches
from requesty_tui.core.domain import Message
from requesty_tui.core.formatting import plural
from requesty_tui.ui.messages import OpenConversation
from requesty_tui.ui.screens.chat_host import ChatParts
from requesty_tui.ui.widgets.message import AssistantMessage, UserMessage

if TYPE_CHECKING:
    from textual.widgets import Static

    from requesty_tui.chat.turn import Turn
    from requesty_tui.ui.widgets.conversation import ConversationView


class BranchHost(ChatParts, Protocol):
    @property
    def edit_banner(self) -> Static: ...

    async def close_comparison(self) -> None:
        """A comparison's columns, if on screen, give way (the branch is drawn after)."""

    async def start_reply(self, turn: Turn) -> None:
        """Stream the turn's reply under what the pane shows."""


class BranchControl:
    """Belongs to one chat screen."""

    def __init__(self, host: BranchHost) -> None:
        self.host = host
        self.editing: Message | None = None
        """The prompt being edited (its new version goes beside it), if any."""
        self._draft_before_edit = ""

    @property
    def view(self) -> ConversationView:
        return self.host.pane

    def refresh_labels(self) -> None:
        """‹n/of› on every message on screen that has alternatives."""
        conversation = self.host.session.conversation
        tree = conversation.tree()
        for widget in self.view.message_widgets():
            if isinstance(widget, UserMessage | AssistantMessage) and widget.message is not None:
                siblings = tree.siblings(widget.message)
                index = next((i for i, m in enumerate(siblings) if m is widget.message), 0)
                widget.set_alternatives(index + 1, len(siblings))

    async def redraw(self) -> None:
        """Show the branch now on screen, replacing what changed (a comparison's columns
        give way to the reply it continues from)."""
        await self.host.close_comparison()
        await self.view.follow_branch(self.host.session.conversation.path())
        self.refresh_labels()

    def busy(self) -> bool:
        if self.host.session.streaming:
            self.host.notify(
                "A reply is still streaming: press Esc to stop it first.", severity="warning"
            )
            return True
        return False

    # -- switching ------------------------------------------------------------------------------

    async def switch(self, message: Message, step: int) -> None:
        if self.busy():
            return
        chosen = branches.switch(self.host.session.conversation, message, step)
        if chosen is None:
            return
        await self.redraw()
        for widget in self.view.message_widgets():  # the focus stays where it was: ‹ › again
            if isinstance(widget, UserMessage | AssistantMessage) and widget.message is chosen:
                widget.focus()
        self.host.session.save()  # the branch on screen is kept in the file
        self.host.refresh_bars()

    # -- editing --------------------------------------------------------------------------------

    def start_edit(self, message: Message | None = None) -> None:
        """Put a prompt's text in the input box; Enter sends it as a new version of it."""
        if message is None:
            users = [m for m in self.host.session.conversation.path() if m.role == "user"]
            if not users:
                self.host.notify("There is no message of yours to edit yet.", severity="warning")
                return
            message = users[-1]
        if self.busy():
            return
        prompt = self.host.prompt
        if self.editing is None:
            self._draft_before_edit = prompt.text
        self.editing = message
        prompt.load_text(message.content)
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
        path = self.host.session.conversation.path()
        number = sum(1 for m in path[: path.index(message) + 1] if m.role == "user")
        banner = self.host.edit_banner
        banner.update(
            f"Editing your message {number}: Enter sends it as a new version beside the old "
            "one (nothing is lost) · Esc leaves the edit"
        )
        banner.display = True
        self.host.refresh_bindings()

    def end_edit(self, *, restore: bool) -> None:
        """Leave the edit; ``restore`` puts back what was typed before it (Esc)."""
        self.editing = None
        self.host.edit_banner.display = False
        if restore:
            prompt = self.host.prompt
            prompt.load_text(self._draft_before_edit)
            prompt.move_cursor(prompt.document.end)
        self._draft_before_edit = ""
        self.host.refresh_bindings()

    # -- regenerating, forking, deleting --------------------------------------------------------

    async def regenerate(self, reply: Message | None = None, model: str | None = None) -> None:
        """Ask again for a reply to the prompt ``reply`` answers (by default the last reply's),
        from ``model`` if given; the new reply goes beside the old one."""
        host = self.host
        reply = reply or self.last_reply()
        if reply is None:
            host.notify("There is no reply to regenerate yet.", severity="warning")
            return
        prompt = branches.reply_parent(host.session.conversation, reply)
        if prompt is None or self.busy():
            return
        turn = host.session.start_regeneration(prompt, model, host.services.catalogue.info)
        await self.redraw()
        await host.start_reply(turn)

    def last_reply(self) -> Message | None:
        replies = [m for m in self.host.session.conversation.path() if m.role == "assistant"]
        return replies[-1] if replies else None

    def target(self) -> Message | None:
        """The focused message, else the last of the branch on screen."""
        focused = self.host.focused
        if isinstance(focused, UserMessage | AssistantMessage) and focused.message is not None:
            return focused.message
        # A tool's result has no widget of its own: the reply that called it stands for it.
        path = [m for m in self.host.session.conversation.path() if m.role != "tool"]
        return path[-1] if path else None

    async def fork(self) -> None:
        message = self.target()
        if message is None or self.busy():
            return
        forked = branches.fork(self.host.session.conversation, message)
        self.host.session.save_now(forked)
        self.host.notify(
            f"Forked into a new conversation ({plural(len(forked.messages), 'message')}); "
            "the old one is unchanged in the browser (ctrl+o).",
            markup=False,
        )
        self.host.post_message(OpenConversation(forked))

    def delete(self) -> None:
        message = self.target()
        if message is None or self.busy():
            return
        below = len(self.host.session.conversation.tree().below(message)) - 1
        what = "this message" + (f" and the {plural(below, 'message')} below it" if below else "")

        async def done(yes: bool | None) -> None:
            if yes:
                branches.delete(self.host.session.conversation, message)
                await self.redraw()
                self.host.session.save()
                self.host.refresh_bars()

        question = f"Delete {what} on this branch? Its alternatives stay. This cannot be undone."
        from requesty_tui.ui.screens.dialogs import Confirm

        self.host.app.push_screen(Confirm(question, "Delete", danger=True), done)

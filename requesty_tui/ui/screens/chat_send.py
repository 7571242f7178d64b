"""Enter in the chat's input box: refused while a reply streams, checked against the model's
context window (:mod:`requesty_tui.ui.screens.chat_fit`), then the prompt goes into the
conversation (``ChatSession.start_turn``: a new version of the prompt being edited, with the
files waiting) and its reply starts; in compare mode, to every chosen model at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from requesty_tui.chat.request import build_request
from requesty_tui.ui.screens.chat_host import ChatParts
from requesty_tui.ui.widgets.message import UserMessage

if TYPE_CHECKING:
    from textual.widget import Widget

    from requesty_tui.chat.turn import Turn
    from requesty_tui.client.request import ChatRequest
    from requesty_tui.core.domain import Message
    from requesty_tui.ui.screens.chat_attach import AttachControl
    from requesty_tui.ui.screens.chat_branches import BranchControl
    from requesty_tui.ui.screens.chat_compare import CompareControl
    from requesty_tui.ui.screens.chat_queue import QueueControl


class SendHost(ChatParts, Protocol):
    @property
    def branches(self) -> BranchControl: ...

    @property
    def attach(self) -> AttachControl: ...

    @property
    def compare(self) -> CompareControl: ...

    @property
    def queue(self) -> QueueControl: ...

    def asking(self) -> Widget | None:
        """The tool call waiting for the user's answer, if any."""

    async def close_comparison(self, *, continuing: bool = False) -> None:
        """A comparison's columns, if on screen, give way (``continuing``: to this message)."""

    async def start_reply(
        self, turn: Turn, request: ChatRequest | None = None, since: Message | None = None
    ) -> None:
        """Stream the turn's reply under its prompt."""


async def submitted(host: SendHost, text: str) -> None:
    """Enter in the input box (the box is empty now; ``text`` was in it)."""
    if host.session.streaming:  # a tool call asking too: its question keeps its keys
        await host.queue.add(text)  # sent when the reply ends well (chat_queue)
        return
    from requesty_tui.ui.screens.chat_fit import fit_check

    if not host.context.compare_models and not fit_check(host, text):
        return  # a dialog asks what to do; the text is back in the input box
    await send(host, text)


async def send(host: SendHost, text: str, keep: list[Message] | None = None) -> None:
    """Send ``text`` (``keep``: only these earlier messages go with it, the recent turns
    that fit the model's context window)."""
    session, services = host.session, host.services
    edited = host.branches.editing
    if edited is not None:
        host.branches.end_edit(restore=False)
    await host.close_comparison(continuing=True)
    refused = host.attach.refused() if session.attachments else None
    if refused is not None:
        host.prompt.restore(text)
        host.notify(f"Not sent: {refused}", severity="error", timeout=15, markup=False)
        return
    attachments = await host.attach.take() if session.attachments else []
    if host.context.compare_models:
        await host.compare.send(text, edited, attachments)
        return
    prices = services.catalogue.info
    turn = session.start_turn(text, prices, instead_of=edited, attachments=attachments)
    host.save_draft(force=True)  # the sent text is no longer a draft, even after a crash
    if edited is not None:
        await host.branches.redraw()  # from the edited prompt on: the new version
    else:  # below what is there (a failed send's notice stays in view)
        await host.pane.add(UserMessage(turn.prompt))
    request = None
    if keep is not None:
        known = services.catalogue.info(turn.model)
        tools = []
        if services.has_tools:
            tools = services.toolbox.offered(session.conversation, known)
        path = [*keep, turn.prompt]
        request = build_request(session.conversation, known, turn.model, path, tools=tools)
    await host.start_reply(turn, request, keep[0] if keep else None)

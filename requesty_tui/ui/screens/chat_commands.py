"""The chat screen's commands in the palette (ctrl+p), namespaced ``chat: …`` and ``model: …``.

They live with the screen whose actions they run: the App lists only what works everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from requesty_tui.core import options as chat_options
from requesty_tui.ui.widgets.prompt_input import PromptInput

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat import ChatScreen


def export(chat: ChatScreen) -> None:
    """Ask the format, save the conversation (every branch) in it and say where."""
    from requesty_tui.ui.screens.dialogs import Choice

    def chosen(fmt: str | None) -> None:
        if fmt is None:
            return
        try:
            from requesty_tui.storage.export import export_file

            target = export_file(chat.conversation, fmt)
        except OSError as exc:
            chat.notify(f"Export failed: {exc}", severity="error", markup=False)
            return
        chat.notify(f"Exported to {target}", markup=False)

    answers = [
        ("md", "Markdown"),
        ("html", "HTML (one file, for a browser)"),
        ("json", "JSON (the whole tree)"),
    ]
    chat.app.push_screen(Choice("Export this conversation as", answers), chosen)


def regenerate_with_model(chat: ChatScreen) -> None:
    """Pick a model, then ask it for the last reply (the alternative records which answered)."""
    from requesty_tui.ui.screens.model_picker import ModelPicker

    reply = chat.branches.last_reply()
    if reply is None:
        chat.notify("There is no reply to regenerate yet.", severity="warning")
        return
    catalogue = chat.services.catalogue

    async def chosen(model: str | None) -> None:
        if model:
            await chat.branches.regenerate(reply, model)

    chat.app.push_screen(ModelPicker(catalogue.models, chat.model, catalogue.detail), chosen)


def rate_from_palette(chat: ChatScreen) -> None:
    from requesty_tui.ui.screens.chat_feedback import rate_from_palette as ask

    ask(chat)


def title_on_demand(chat: ChatScreen) -> None:
    from requesty_tui.ui.screens.chat_title import title_on_demand as ask

    ask(chat)


class ChatCommands(Provider):
    """Commands of the chat on screen."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        from requesty_tui.ui.screens.chat import ChatScreen

        chat = self.screen
        if not isinstance(chat, ChatScreen):
            return
        yield "chat: new", "Start a new conversation (ctrl+n)", chat.action_new_chat
        yield "model: pick", "Choose the model for this conversation (f2)", chat.action_pick_model
        yield (
            "input: open in editor",
            "Write the next message in $VISUAL / $EDITOR (ctrl+e); Enter sends it",
            chat.query_one(PromptInput).action_open_editor,
        )
        if chat.conversation.messages:
            yield (
                "chat: export…",
                "Save this conversation as Markdown, HTML or JSON",
                partial(export, chat),
            )
        if chat.streaming:
            yield "chat: stop", "Stop the streaming reply (esc)", chat.action_stop
        yield (
            "chat: title from model",
            f"Ask {chat.model} for a short title for this conversation (it costs a request)",
            partial(title_on_demand, chat),
        )
        yield (
            "chat: attach file…",
            "Send a file with the next message: text, image, PDF (ctrl+t)",
            chat.action_attach,
        )
        if chat.pending_attachments:
            yield "chat: remove attachments", "Take off the files waiting", chat.attach.remove
        yield (
            "chat: compare models…",
            "Send each message to 2-4 models at once, their replies side by side",
            chat.compare.choose_models,
        )
        if chat.context.compare_models:
            yield "chat: compare off", "Back to one model per message", chat.compare.turn_off
        yield from self._tools(chat)
        path = chat.conversation.path()
        if any(m.role == "user" for m in path):
            yield (
                "chat: edit message",
                "Edit your last message; it goes beside the old one (e on a message)",
                chat.branches.start_edit,
            )
        if any(m.role == "assistant" for m in path):
            yield (
                "chat: regenerate",
                "Ask again for the last reply; the new one goes beside it (ctrl+r, r on a reply)",
                chat.action_regenerate,
            )
            yield (
                "chat: rate reply…",
                "Good or bad, with a comment: sent to the router's feedback for the focused "
                "(or last) reply (shift+up / shift+down on a reply)",
                partial(rate_from_palette, chat),
            )
            yield (
                "chat: regenerate with model…",
                "Ask another model for the last reply (the picker opens)",
                partial(regenerate_with_model, chat),
            )
        if path:
            yield (
                "chat: fork here",
                "A new conversation with this branch up to the focused (or last) message",
                chat.branches.fork,
            )
            yield (
                "chat: delete message",
                "Delete the focused (or last) message and what is below it on this branch",
                chat.branches.delete,
            )
        yield from self._options(chat)

    @staticmethod
    def _tools(chat: ChatScreen) -> Iterator[tuple[str, str, Callable[[], object]]]:
        from requesty_tui.ui.screens import chat_tools

        if not chat.services.has_tools:
            return
        toolbox = chat.services.toolbox
        count = len(toolbox.specs)
        yield (
            "tools: list",
            f"The MCP servers' tools ({count}) with their descriptions",
            partial(chat_tools.list_tools, chat),
        )
        if not chat.streaming and toolbox.state == "ready":
            failed = f" ({len(toolbox.failures)} failed to start)" if toolbox.failures else ""
            yield (
                "tools: restart servers",
                f"Stop the MCP servers and start them again{failed}",
                partial(chat_tools.restart_servers, chat),
            )
        allowed = toolbox.allowed_in(chat.conversation)
        if allowed:
            yield (
                "tools: revoke always-allow",
                f"Ask again before {', '.join(allowed)} runs in this conversation",
                partial(chat_tools.revoke_always, chat),
            )
        on = toolbox.wanted(chat.conversation)
        yield (
            "chat: tools",
            f"Offer the tools in this conversation, or not (now: {'on' if on else 'off'})",
            partial(chat_tools.toggle_tools, chat),
        )

    @staticmethod
    def _options(chat: ChatScreen) -> Iterator[tuple[str, str, Callable[[], object]]]:
        for option in chat_options.OPTIONS:
            current = option.show(chat.conversation)
            yield (
                option.title,
                f"{option.help} (now: {current or 'default'})",
                partial(chat.action_edit_option, option.key),
            )

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)

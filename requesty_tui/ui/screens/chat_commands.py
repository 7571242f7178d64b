"""The chat screen's commands in the palette (ctrl+p), namespaced ``chat: …`` and ``model: …``.

They live with the screen whose actions they run: the App lists only what works everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from requesty_tui.core import options as chat_options
from requesty_tui.core.formatting import plural
from requesty_tui.ui.screens.chat_feedback import FeedbackHost, rate_from_palette
from requesty_tui.ui.screens.chat_host import ChatParts

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat_attach import AttachControl
    from requesty_tui.ui.screens.chat_branches import BranchControl
    from requesty_tui.ui.screens.chat_compare import CompareControl
    from requesty_tui.ui.screens.chat_find import FindControl

Command = tuple[str, str, Callable[[], object]]
"""A palette command: its title, its help, what it runs."""


class PaletteHost(FeedbackHost, Protocol):
    """What the chat's commands run: the screen's actions and its helpers (a rating is sent
    in a worker)."""

    @property
    def streaming(self) -> bool: ...

    @property
    def branches(self) -> BranchControl: ...

    @property
    def compare(self) -> CompareControl: ...

    @property
    def attach(self) -> AttachControl: ...

    async def action_new_chat(self) -> None: ...

    def action_pick_model(self) -> None: ...

    def action_stop(self) -> None: ...

    def action_attach(self) -> None: ...

    async def action_regenerate(self) -> None: ...

    def action_edit_option(self, key: str) -> None: ...

    def action_rename(self) -> None: ...

    async def action_find(self) -> None: ...

    @property
    def finder(self) -> FindControl: ...

    async def new_chat(self, *, deleted: bool = False) -> None:
        """A new conversation on this screen (a preset's)."""


@runtime_checkable
class CommandSource(Protocol):
    """A screen with chat commands (the chat screen: it lists :func:`commands` of itself)."""

    def chat_commands(self) -> Iterator[Command]: ...


def export(chat: ChatParts) -> None:
    """Ask the format, save the conversation (every branch) in it and say where."""
    from requesty_tui.ui.screens.dialogs import Choice

    def chosen(fmt: str | None) -> None:
        if fmt is None:
            return
        try:
            from requesty_tui.storage.export import export_file

            target = export_file(chat.session.conversation, fmt)
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


def regenerate_with_model(chat: PaletteHost) -> None:
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

    favourites = chat.services.favourites
    picker = ModelPicker(catalogue.models, chat.session.model, catalogue.detail, favourites)
    chat.app.push_screen(picker, chosen)


def title_on_demand(chat: ChatParts) -> None:
    from requesty_tui.ui.screens.chat_title import title_on_demand as ask

    ask(chat)


class ChatCommands(Provider):
    """Commands of the chat on screen."""

    def _commands(self) -> Iterator[Command]:
        if isinstance(self.screen, CommandSource):
            yield from self.screen.chat_commands()

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)


def commands(chat: PaletteHost) -> Iterator[Command]:
    """The chat's commands, those that make sense now."""
    yield "chat: new", "Start a new conversation (ctrl+n)", chat.action_new_chat
    yield "model: pick", "Choose the model for this conversation (f2)", chat.action_pick_model
    yield (
        "input: open in editor",
        "Write the next message in $VISUAL / $EDITOR (ctrl+e); Enter sends it",
        chat.prompt.action_open_editor,
    )
    yield from _extras(chat)
    if chat.session.conversation.messages:
        yield (
            "chat: export…",
            "Save this conversation as Markdown, HTML or JSON",
            partial(export, chat),
        )
    if chat.streaming:
        yield "chat: stop", "Stop the streaming reply (esc)", chat.action_stop
    yield (
        "chat: title from model",
        f"Ask {chat.session.model} for a short title for this conversation (it costs a request)",
        partial(title_on_demand, chat),
    )
    yield (
        "chat: attach file…",
        "Send a file with the next message: text, image, PDF (ctrl+t)",
        chat.action_attach,
    )
    if chat.session.attachments:
        yield "chat: remove attachments", "Take off the files waiting", chat.attach.remove
    yield (
        "chat: compare models…",
        "Send each message to 2-4 models at once, their replies side by side",
        chat.compare.choose_models,
    )
    if chat.context.compare_models:
        yield "chat: compare off", "Back to one model per message", chat.compare.turn_off
    yield from _tools(chat)
    path = chat.session.conversation.path()
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
    yield from _options(chat)


def _tools(chat: PaletteHost) -> Iterator[Command]:
    if not chat.services.has_tools:
        return
    toolbox = chat.services.toolbox
    count = len(toolbox.specs)
    yield (
        "tools: list",
        f"The MCP servers' tools ({count}) with their descriptions",
        partial(list_tools, chat),
    )
    if not chat.streaming and toolbox.state == "ready":
        failed = f" ({len(toolbox.failures)} failed to start)" if toolbox.failures else ""
        yield (
            "tools: restart servers",
            f"Stop the MCP servers and start them again{failed}",
            partial(restart_servers, chat),
        )
    allowed = toolbox.allowed_in(chat.session.conversation)
    if allowed:
        yield (
            "tools: revoke always-allow",
            f"Ask again before {', '.join(allowed)} runs in this conversation",
            partial(revoke_always, chat),
        )
    on = toolbox.wanted(chat.session.conversation)
    yield (
        "chat: tools",
        f"Offer the tools in this conversation, or not (now: {'on' if on else 'off'})",
        partial(toggle_tools, chat),
    )


def _extras(chat: PaletteHost) -> Iterator[Command]:
    """Find, presets (each from its own module), rename."""
    from requesty_tui.ui.screens.chat_find import find_commands
    from requesty_tui.ui.screens.chat_presets import preset_commands

    yield from find_commands(chat)
    yield from preset_commands(chat)
    yield "chat: rename", "Give this conversation a title (f4, or click it)", chat.action_rename


def _options(chat: PaletteHost) -> Iterator[Command]:
    for option in chat_options.OPTIONS:
        current = option.show(chat.session.conversation)
        yield (
            option.title,
            f"{option.help} (now: {current or 'default'})",
            partial(chat.action_edit_option, option.key),
        )


# -- tools (only with MCP servers configured) ------------------------------------------------------


def list_tools(chat: ChatParts) -> None:
    """Every tool with its server and description, as text (a description is data)."""
    from requesty_tui.ui.screens.dialogs import TextViewer

    toolbox = chat.services.toolbox
    if not toolbox.configured:
        chat.notify("No MCP servers are configured: add [mcp.NAME] tables to config.toml.",
                    severity="warning", markup=False)  # fmt: skip
        return
    lines: list[str] = []
    if toolbox.state == "starting":
        lines.append("The servers are still starting.")
    for failure in toolbox.failures:
        lines.append(f"✗ {failure.message}")
    known = chat.services.catalogue.info(chat.session.model)
    reason = toolbox.not_offered(chat.session.conversation, known)
    if reason:
        lines.append(reason[:1].upper() + reason[1:] + ".")
    allowed = toolbox.allowed_in(chat.session.conversation)
    if allowed:
        lines.append(f"Always allowed in this conversation: {', '.join(allowed)} "
                     "(tools: revoke always-allow takes it back).")  # fmt: skip
    server = None
    for spec in toolbox.specs:
        if spec.server != server:
            server = spec.server
            config = toolbox.settings.mcp
            approve = next((c.auto_approve for c in config if c.name == server), ())
            unasked = f"  (runs unasked: {', '.join(approve)})" if approve else ""
            lines.append(f"\n{server}{unasked}")
        name = spec.name if spec.function == spec.name else f"{spec.name} (as {spec.function})"
        description = " ".join(spec.description.split())
        if f"{spec.server} › {spec.name}" in allowed:
            description = f"{description} (always allowed here)".lstrip()
        lines.append(f"  • {name}: {description}" if description else f"  • {name}")
    title = f"Tools: {plural(len(toolbox.specs), 'tool')}"
    chat.app.push_screen(TextViewer(title, "\n".join(lines).strip("\n")))


def restart_servers(chat: ChatParts) -> None:
    """``tools: restart servers``: after a failed start (a first ``npx`` download, a server
    fixed meanwhile) without restarting the app."""
    chat.context.restart_tools()


def revoke_always(chat: ChatParts) -> None:
    """``tools: revoke always-allow``: every call asks again in this conversation."""
    revoked = chat.services.toolbox.revoke(chat.session.conversation)
    if revoked:
        chat.notify(f"These ask again before they run: {', '.join(revoked)}.", markup=False)
    chat.refresh_bars()


def toggle_tools(chat: ChatParts) -> None:
    """``chat: tools``: offer the tools in this conversation, or not."""
    options = chat.session.conversation.options
    options.tools = options.tools is False  # None (the default) is on
    state = "on" if options.tools else "off"
    chat.notify(f"Tools {state} for this conversation.", markup=False)
    chat.session.save()
    chat.refresh_bars()

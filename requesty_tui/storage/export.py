"""A conversation as Markdown: the branch on screen, its alternatives when asked for."""

from __future__ import annotations

from pathlib import Path

from requesty_tui.core.domain import Attachment, Conversation, Message
from requesty_tui.core.formatting import plural, usage_summary
from requesty_tui.core.safe_text import make_safe
from requesty_tui.core.tree import Tree
from requesty_tui.storage import paths
from requesty_tui.storage.atomic import write_atomic


def _heading(msg: Message, calls: dict[str, str] | None = None) -> str:
    if msg.role == "tool":
        status = {"error": " (failed)", "declined": " (declined)", "cancelled": " (stopped)"}
        label = (calls or {}).get(msg.tool_call_id or "", "")
        what = f": {label}" if label else ""
        return f"Tool result{what}{status.get(msg.tool_status or '', '')}"
    who = {"user": "You", "system": "System"}.get(msg.role) or msg.model or "Assistant"
    note = {"cancelled": " (stopped)", "error": " (incomplete)"}.get(msg.finish_reason or "", "")
    return f"{who}{note}"


def _body(msg: Message) -> list[str]:
    lines: list[str] = []
    facts = usage_summary(msg.usage) if msg.role == "assistant" else ""
    if msg.skipped_chunks:
        unread = plural(msg.skipped_chunks, "stream chunk")
        facts = " · ".join(f for f in (facts, f"{unread} unreadable: text may be missing") if f)
    if facts:
        lines += [f"*{facts}*", ""]
    if msg.reasoning:
        # Folded in renderers that know <details> (GitHub, most editors), plain elsewhere.
        lines += ["<details><summary>Thinking</summary>", "", msg.reasoning, "", "</details>", ""]
    if msg.role == "tool":
        # A tool's output is data: control characters as visible symbols, so that printing
        # the file (cat, less -r) cannot drive the terminal (coloured ls output would).
        return [*lines, *_fenced(make_safe(msg.content), ""), ""]
    if msg.content:
        lines += [msg.content, ""]
    for attachment in msg.attachments:
        lines += _attachment(attachment)
    for call in msg.tool_calls:
        from requesty_tui.core.tools import pretty_arguments

        lines += [f"⚙ Tool call: `{make_safe(call.label)}` (id `{make_safe(call.id)}`)", ""]
        lines += [*_fenced(make_safe(pretty_arguments(call.arguments)), "json"), ""]
    return lines


def _fenced(text: str, language: str) -> list[str]:
    """A code block that holds ``text`` whatever it contains (a longer fence than any run of
    backticks in it)."""
    fence = "```"
    while fence in text:
        fence += "`"
    return [f"{fence}{language}", text.rstrip("\n"), fence]


def _attachment(attachment: Attachment) -> list[str]:
    """By name; a text file inline (its copy, as it was sent)."""
    from requesty_tui.core.formatting import size_label
    from requesty_tui.storage.attachments import AttachmentError, AttachmentStore

    head = f"📎 *{attachment.name}* ({size_label(attachment.size)}, {attachment.kind})"
    if attachment.kind != "text":
        return [head, ""]
    try:
        body = AttachmentStore().read(attachment).decode("utf-8")
    except (AttachmentError, UnicodeDecodeError):
        return [head + " — its copy is missing", ""]
    return [head, "", *_fenced(body, attachment.name), ""]


def to_markdown(conv: Conversation, *, all_branches: bool = False) -> str:
    """A readable export: title, then each turn of the branch on screen under a heading;
    ``all_branches`` adds each message's alternatives, folded, where they branch off."""
    lines = [
        f"# {conv.title or conv.id}",
        "",
        f"*{conv.model} · {conv.created:%Y-%m-%d %H:%M} UTC*",
        "",
    ]
    if conv.system:
        lines += ["## System", "", conv.system, ""]
    tree = Tree(conv.messages)
    lines += _branch(conv, tree, conv.path(), all_branches, nested=False)
    return "\n".join(lines).rstrip() + "\n"


def _branch(
    conv: Conversation, tree: Tree, path: list[Message], all_branches: bool, nested: bool
) -> list[str]:
    """The messages of a branch; with ``all_branches``, after each one its other versions
    (folded, each with its own branch as last seen, and so on down)."""
    lines: list[str] = []
    calls = {c.id: make_safe(c.label) for m in path for c in m.tool_calls}
    for index, msg in enumerate(path):
        heading = f"**{_heading(msg, calls)}**" if nested else f"## {_heading(msg, calls)}"
        lines += [heading, "", *_body(msg)]
        if not all_branches or (nested and index == 0):
            continue  # the first of a nested branch: its versions are the ones around it
        others = [m for m in tree.siblings(msg) if m is not msg]
        for n, other in enumerate(others, 1):
            end = tree.descend(other, conv.branches)
            branch = tree.path_to(end)[len(tree.path_to(other)) - 1 :]
            more = f", and {plural(len(branch) - 1, 'message')} after it" if len(branch) > 1 else ""
            summary = f"Other version {n} of {len(others)}: {_heading(other)}{more}"
            lines += [f"<details><summary>{summary}</summary>", ""]
            lines += _branch(conv, tree, branch, all_branches, nested=True)
            lines += ["</details>", ""]
    return lines


def export_markdown(conv: Conversation) -> Path:
    """Write ``$XDG_DATA_HOME/requesty-tui/exports/<id>.md``; return its path."""
    target = paths.data_dir() / "exports" / f"{conv.id}.md"
    write_atomic(target, to_markdown(conv, all_branches=True))
    return target

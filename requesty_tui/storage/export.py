"""A conversation as Markdown: the branch on screen, its alternatives when asked for."""

from __future__ import annotations

import re
from pathlib import Path

from requesty_tui.core.domain import Attachment, Conversation, Message
from requesty_tui.core.formatting import other_version, plural, usage_summary
from requesty_tui.core.safe_text import make_safe
from requesty_tui.core.tree import Tree
from requesty_tui.storage import paths
from requesty_tui.storage.atomic import write_atomic


def _result_labels(conv: Conversation, path: list[Message]) -> dict[int, str]:
    """Each tool result's call (``files › read_file``), by the result's identity: paired by
    position as the chat screen pairs them (:meth:`Conversation.results_of`), since call ids
    repeat across replies (``call_0`` in every reply, from many servers)."""
    labels: dict[int, str] = {}
    for reply in path:
        if reply.tool_calls:
            results = conv.results_of(reply)
            for call in reply.tool_calls:
                result = results.get(call.id)
                if result is not None:
                    labels[id(result)] = make_safe(call.label)
    return labels


def _heading(msg: Message, label: str = "") -> str:
    if msg.role == "tool":
        status = {"error": " (failed)", "declined": " (declined)", "cancelled": " (stopped)"}
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
        lines += [_line_breaks_kept(msg.content) if msg.role == "user" else msg.content, ""]
    for attachment in msg.attachments:
        lines += _attachment(attachment)
    for call in msg.tool_calls:
        from requesty_tui.core.tools import pretty_arguments

        lines += [f"⚙ Tool call: `{make_safe(call.label)}` (id `{make_safe(call.id)}`)", ""]
        lines += [*_fenced(make_safe(pretty_arguments(call.arguments)), "json"), ""]
    return lines


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _line_breaks_kept(text: str) -> str:
    """A prompt as typed: Markdown joins consecutive lines into one paragraph, so each line
    followed by another gets a hard break (two spaces); code fences are left as they are."""
    lines = text.split("\n")
    fence: str | None = None
    for n, line in enumerate(lines):
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            continue
        after = lines[n + 1] if n + 1 < len(lines) else ""
        if line.strip() and after.strip() and not _FENCE.match(after) and not line.endswith("  "):
            lines[n] = line + "  "
    return "\n".join(lines)


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
    conv: Conversation, tree: Tree[Message], path: list[Message], all_branches: bool, nested: bool
) -> list[str]:
    """The messages of a branch; with ``all_branches``, after each one its other versions
    (folded, each with its own branch as last seen, and so on down)."""
    lines: list[str] = []
    labels = _result_labels(conv, path)
    for index, msg in enumerate(path):
        label = labels.get(id(msg), "")
        heading = f"**{_heading(msg, label)}**" if nested else f"## {_heading(msg, label)}"
        lines += [heading, "", *_body(msg)]
        if not all_branches or (nested and index == 0):
            continue  # the first of a nested branch: its versions are the ones around it
        others = tree.alternatives(msg, conv.branches)
        for n, (other, branch) in enumerate(others, 1):
            summary = other_version(n, len(others), _heading(other), len(branch) - 1)
            lines += [f"<details><summary>{summary}</summary>", ""]
            lines += _branch(conv, tree, branch, all_branches, nested=True)
            lines += ["</details>", ""]
    return lines


def export_markdown(conv: Conversation) -> Path:
    """Write ``$XDG_DATA_HOME/requesty-tui/exports/<id>.md``; return its path."""
    return export_file(conv, "md")


FORMATS = ("md", "html", "json")


def render(conv: Conversation, fmt: str, *, all_branches: bool = False) -> str:
    """The conversation in ``fmt`` (``md``, ``html``, ``json``: always the whole tree)."""
    if fmt == "html":
        from requesty_tui.storage.export_html import to_html

        return to_html(conv, all_branches=all_branches)
    if fmt == "json":
        from requesty_tui.storage.export_json import to_json

        return to_json(conv)
    return to_markdown(conv, all_branches=all_branches)


def export_file(conv: Conversation, fmt: str, folder: Path | None = None) -> Path:
    """Write ``<id>.<fmt>`` (every branch) in ``folder`` (default
    ``$XDG_DATA_HOME/requesty-tui/exports``); return its path."""
    target = (folder or paths.data_dir() / "exports") / f"{conv.id}.{fmt}"
    write_atomic(target, render(conv, fmt, all_branches=True))
    return target

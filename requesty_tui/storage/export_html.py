"""A conversation as one self-contained HTML page: inline CSS (light and dark by the reader's
preference), code highlighted by Pygments, each reply's model, tokens and cost, thinking and
tool calls folded in ``<details>``, attachments by name, the alternatives when asked for.

Text from models, files and tools is data here too: every text is escaped, Markdown is rendered
with raw HTML off (``<script>`` in a reply is shown as text) and markdown-it's link check (no
``javascript:`` links), and the page forbids scripts altogether (Content-Security-Policy
``default-src 'none'``), so an export opened in a browser can never run script from a reply.
"""

from __future__ import annotations

from html import escape
from typing import Any

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.formatting import format_cost, other_version, size_label, usage_summary
from requesty_tui.core.tree import Tree

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""Nothing but the page's own style: no script, no request anywhere."""

_CSS = """
:root { color-scheme: light dark; --bg: #fff; --fg: #1f2328; --muted: #656d76;
  --user: #ddf4ff; --reply: #f6f8fa; --line: #d0d7de; --code: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3;
  --muted: #8d96a0; --user: #132339; --reply: #161b22; --line: #30363d; --code: #1c2128; } }
body { background: var(--bg); color: var(--fg); margin: 0 auto; max-width: 52rem;
  padding: 1.5rem; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; }
header p, .meta { color: var(--muted); font-size: .875rem; }
.msg { border: 1px solid var(--line); border-radius: 8px; padding: .25rem 1rem;
  margin: 1rem 0; background: var(--reply); overflow-wrap: anywhere; }
.msg.user { background: var(--user); }
.who { font-weight: 600; margin: .5rem 0 0; }
.plain { white-space: pre-wrap; }
pre { background: var(--code); padding: .75rem; border-radius: 6px; overflow-x: auto; }
code { font: .875rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
details { margin: .5rem 0; } summary { cursor: pointer; color: var(--muted); }
details.alt { border-left: 3px solid var(--line); padding-left: .75rem; }
.attach { color: var(--muted); }
table { border-collapse: collapse; } td, th { border: 1px solid var(--line); padding: .2rem .5rem; }
"""


def _pygments_css() -> str:
    """The highlighter's colours for both preferences, scoped to code blocks."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="default").get_style_defs("pre")
    dark = HtmlFormatter(style="monokai").get_style_defs("pre")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def _highlight(code: str, language: str, _attrs: Any) -> str:
    """Pygments' HTML for a fenced block (escaped by Pygments); "" leaves it to markdown-it,
    which escapes it."""
    if not language:
        return ""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language.split()[0])
    except ClassNotFound:
        return ""
    return str(highlight(code, lexer, HtmlFormatter(nowrap=True)))


_MD: Any = None


def markdown_html(text: str) -> str:
    """A reply's Markdown as HTML, raw HTML in it shown as text."""
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt

        _MD = MarkdownIt("commonmark", {"html": False, "highlight": _highlight})
        _MD.enable(["table", "strikethrough"])
    return str(_MD.render(text))


def _plain(text: str) -> str:
    return f'<div class="plain">{escape(text)}</div>'


def _folded(summary: str, body: str) -> str:
    return f"<details><summary>{escape(summary)}</summary>{body}</details>"


def _who(msg: Message) -> str:
    if msg.role == "user":
        return "You"
    if msg.role == "system":
        return "System"
    note = {"cancelled": " (stopped)", "error": " (incomplete)"}.get(msg.finish_reason or "", "")
    return f"{msg.model or 'Assistant'}{note}"


def _message(conv: Conversation, msg: Message) -> str:
    """One message; a reply with its calls and their results (which have no box of their own)."""
    from requesty_tui.core.tools import pretty_arguments

    parts = [f'<p class="who">{escape(_who(msg))}</p>']
    facts = usage_summary(msg.usage) if msg.role == "assistant" else ""
    if facts:
        parts.append(f'<p class="meta">{escape(facts)}</p>')
    if msg.reasoning:
        parts.append(_folded("Thinking", _plain(msg.reasoning)))
    if msg.content:
        parts.append(_plain(msg.content) if msg.role == "user" else markdown_html(msg.content))
    for attachment in msg.attachments:
        what = f"📎 {attachment.name} ({size_label(attachment.size)}, {attachment.kind})"
        parts.append(f'<p class="attach">{escape(what)}</p>')
    results = conv.results_of(msg)
    for call in msg.tool_calls:
        body = f"<pre><code>{escape(pretty_arguments(call.arguments))}</code></pre>"
        result = results.get(call.id)
        if result is not None:
            status = {"error": " (failed)", "declined": " (declined)", "cancelled": " (stopped)"}
            label = f"Result{status.get(result.tool_status or '', '')}"
            body += _folded(label, f"<pre><code>{escape(result.content)}</code></pre>")
        parts.append(_folded(f"⚙ Tool call: {call.label}", body))
    role = "user" if msg.role == "user" else "reply"
    return f'<section class="msg {role}">{"".join(parts)}</section>'


def _branch(
    conv: Conversation, tree: Tree[Message], path: list[Message], all_branches: bool, nested: bool
) -> list[str]:
    out: list[str] = []
    for index, msg in enumerate(path):
        if msg.role == "tool":
            continue  # shown with its call
        out.append(_message(conv, msg))
        if not all_branches or (nested and index == 0):
            continue
        others = tree.alternatives(msg, conv.branches)
        for n, (other, branch) in enumerate(others, 1):
            summary = other_version(n, len(others), _who(other), len(branch) - 1)
            inner = "".join(_branch(conv, tree, branch, all_branches, nested=True))
            out.append(
                f'<details class="alt"><summary>{escape(summary)}</summary>{inner}</details>'
            )
    return out


def page(title: str, body: str) -> str:
    """A whole page around ``body`` (already escaped HTML)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="requesty-tui">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}{_pygments_css()}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def to_html(conv: Conversation, *, all_branches: bool = False) -> str:
    """The page: title, model, dates and total cost, the system prompt, the branch on screen
    (and, with ``all_branches``, each message's alternatives folded where they branch off)."""
    title = conv.title or conv.id
    facts = [conv.model, f"{conv.created:%Y-%m-%d %H:%M} UTC"]
    total = format_cost(conv.total_cost())
    if total:
        facts.append(f"total {total}")
    if conv.source:
        facts.append(f"imported from {conv.source}")
    head = f"<header><h1>{escape(title)}</h1><p>{escape(' · '.join(facts))}</p></header>"
    parts = [head]
    if conv.system:
        parts.append(_folded("System prompt", _plain(conv.system)))
    tree = Tree(conv.messages)
    parts += _branch(conv, tree, conv.path(), all_branches, nested=False)
    return page(title, "\n".join(parts))


def index_page(rows: list[tuple[str, str, str, str]]) -> str:
    """The ``--all`` index: (file name, title, updated, model) per conversation, linked."""
    from urllib.parse import quote

    items = "\n".join(
        f'<li><a href="{escape(quote(name))}">{escape(title)}</a> '
        f'<span class="meta">{escape(updated)} · {escape(model)}</span></li>'
        for name, title, updated, model in rows
    )
    return page("Conversations", f"<h1>Conversations</h1>\n<ul>\n{items}\n</ul>")

"""Typed domain objects shared by the client, the store and the UI: a conversation and its
messages.

Plain dataclasses with no I/O: every layer can import them without pulling in Textual or httpx.
What a request carries of a conversation is :mod:`requesty_tui.chat.history`'s; reading the
router's JSON is :mod:`requesty_tui.client.parse`'s. The model list's entries, usage and spend
live in :mod:`requesty_tui.core.models` (and are importable from here too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from requesty_tui.core.models import KeySpend as KeySpend
from requesty_tui.core.models import ModelInfo as ModelInfo
from requesty_tui.core.models import Usage as Usage
from requesty_tui.core.tree import ROOT, Tree, new_message_id, random_name

if TYPE_CHECKING:
    from requesty_tui.core.tools import ToolCall, ToolStatus

Role = Literal["system", "user", "assistant", "tool"]
FinishReason = Literal["stop", "length", "content_filter", "tool_calls", "cancelled", "error"]
Rating = Literal["good", "bad"]


def utc_now() -> datetime:
    """Now, in UTC, without microseconds (session files stay readable)."""
    return datetime.now(UTC).replace(microsecond=0)


class _Leaf:
    """The default of :meth:`Conversation.add`: under the end of the branch on screen."""


LEAF = _Leaf()


AttachmentKind = Literal["text", "image", "pdf"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message, by reference: its bytes live in the attachment store under
    their SHA-256, so a resumed conversation sends exactly what was sent."""

    name: str
    """The file's name when it was attached (shown; the path is not kept)."""
    sha256: str
    size: int
    kind: AttachmentKind
    mime: str


@dataclass(slots=True)
class Message:
    """One turn of a conversation."""

    role: Role
    content: str
    created: datetime = field(default_factory=utc_now)
    model: str | None = None
    """For replies: the model that actually answered (a policy may fall back)."""
    finish_reason: FinishReason | None = None
    reasoning: str | None = None
    usage: Usage | None = None
    skipped_chunks: int = 0
    """Stream lines that could not be read while this reply arrived: text may be missing."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Keys this version does not know, kept so that a rewrite loses nothing."""
    id: str = field(default_factory=new_message_id, compare=False)
    """Stable for the message's life in memory (saving caches each message's text by it)."""
    parent: str | None = field(default=None, compare=False)
    """Where it hangs in the tree: None, the message before it; ``tree.ROOT``, the start; else
    a message's id (see :mod:`requesty_tui.core.tree`)."""
    attachments: list[Attachment] = field(default_factory=list)
    """Files sent with a prompt (text, images, PDFs)."""
    tool_calls: list[ToolCall] = field(default_factory=list)
    """A reply's calls of tools (its ``finish_reason`` is then ``tool_calls``)."""
    tool_call_id: str | None = None
    """A ``tool`` message: the call it answers (its ``content`` is the result)."""
    tool_status: ToolStatus | None = None
    """A ``tool`` message: how the call ended (what the screen shows; the model reads content)."""
    tool_truncated: bool = False
    """A ``tool`` message: the output was cut at ``max_tool_output``."""
    copied: bool = False
    """Copied from another conversation by a fork: what it cost was spent there, and is not
    counted in this conversation's total."""
    completion_id: str | None = None
    """A reply: the completion's ``id`` from the stream, what a rating refers to."""
    rating: Rating | None = None
    """A reply: the user's thumbs up ("good") or down ("bad")."""
    rating_comment: str = ""
    rating_sent: bool = False
    """The router took the rating (False: refused or not reached; sending again may work)."""


@dataclass(slots=True)
class RequestOptions:
    """Per-conversation generation settings and Requesty request metadata (saved with it)."""

    reasoning_effort: str | None = None
    """none|min|low|medium|high|max or a token budget; sent only to reasoning models."""
    temperature: float | None = None
    max_tokens: int | None = None
    tags: list[str] = field(default_factory=list)
    trace_id: str | None = None
    """None: the conversation's id, so the router's dashboard groups the whole chat."""
    user_id: str | None = None
    auto_cache: bool | None = None
    tools: bool | None = None
    """Offer the configured tools in this conversation (None: yes, when there are any)."""

    def requesty(self, conversation_id: str) -> dict[str, Any]:
        """The ``requesty`` object of the request body."""
        meta: dict[str, Any] = {"trace_id": self.trace_id or conversation_id}
        if self.tags:
            meta["tags"] = list(self.tags)
        if self.user_id:
            meta["user_id"] = self.user_id
        if self.auto_cache is not None:
            meta["auto_cache"] = self.auto_cache
        return meta


@dataclass(slots=True)
class Conversation:
    """A whole chat: what is sent to the router and what is saved to disk."""

    id: str
    model: str
    title: str = ""
    created: datetime = field(default_factory=utc_now)
    updated: datetime = field(default_factory=utc_now)
    system: str | None = None
    messages: list[Message] = field(default_factory=list)
    options: RequestOptions = field(default_factory=RequestOptions)
    extra: dict[str, Any] = field(default_factory=dict)
    leaf: str | None = field(default=None, compare=False)
    """The id of the last message of the branch on screen (None: the last message)."""
    branches: dict[str, str] = field(default_factory=dict, compare=False)
    """Parent id → the child last on screen, so that a branch switched back to is as left."""
    problems: list[str] = field(default_factory=list, compare=False)
    """What was wrong with the tree in the file (said once when it is opened; not saved)."""
    title_by: Literal["", "user", "model"] = ""
    """Who gave the title: "" the first prompt, "user" a rename (never replaced), "model"."""
    title_usage: Usage | None = None
    """What asking a model for titles cost, all requests together (counted in the total)."""
    deleted_usage: Usage | None = None
    """What the replies deleted since cost, all together: money spent stays in the total."""
    compare: list[str] = field(default_factory=list)
    """The models compared while this conversation is in compare mode (empty: it is not)."""
    source: str = ""
    """Imported: where from (``chatgpt``, ``claude``, …; empty: made here)."""
    source_id: str = ""
    """Imported: the conversation's id there (a second import updates, never duplicates)."""
    source_digest: str = ""
    """Imported: a digest of what was imported, so that an unchanged conversation is skipped."""
    preset: str = ""
    """The preset it was started from (its name; the preset may have changed since)."""
    pinned: bool = False
    """Starred in the session browser: listed on top."""
    labels: list[str] = field(default_factory=list)
    """The browser's tags (``tag:work``); not the request tags sent to Requesty."""

    def tree(self) -> Tree[Message]:
        return Tree(self.messages)

    def current(self) -> Message | None:
        """The last message of the branch on screen."""
        if self.leaf is not None:
            for message in reversed(self.messages):
                if message.id == self.leaf:
                    return message
        return self.messages[-1] if self.messages else None

    def path(self) -> list[Message]:
        """The branch on screen, first message first: what is shown and sent."""
        if all(m.parent is None for m in self.messages):
            end = self.current()
            if end is None:
                return []
            index = next(
                i for i in range(len(self.messages) - 1, -1, -1) if self.messages[i] is end
            )
            return self.messages[: index + 1]  # a linear chat: no tree to walk
        end = self.current()
        return self.tree().path_to(end) if end is not None else []

    def add(self, message: Message, under: Message | _Leaf | None = LEAF) -> None:
        """A new message under ``under`` (by default the end of the branch on screen), which
        becomes the end of the branch on screen."""
        parent = self.current() if isinstance(under, _Leaf) else under
        last = self.messages[-1] if self.messages else None
        if parent is last and message.parent is None:
            pass  # the message before it: no parent to write
        else:
            message.parent = parent.id if parent is not None else ROOT
        self.messages.append(message)
        self.show(message)

    def show(self, message: Message) -> None:
        """Make ``message`` the end of the branch on screen, and remember the way to it."""
        self.leaf = message.id if self.messages and self.messages[-1] is not message else None
        tree = self.tree()
        for node in tree.path_to(message)[1:]:
            parent = tree.parent_id.get(node.id)
            if parent is not None:
                self.branches[parent] = node.id

    def results_of(self, reply: Message) -> dict[str, Message]:
        """The ``tool`` messages answering ``reply``'s calls, by call id (they are written
        right after it, in order)."""
        if not reply.tool_calls:
            return {}
        index = next((i for i in range(len(self.messages) - 1, -1, -1)
                      if self.messages[i] is reply), None)  # fmt: skip
        out: dict[str, Message] = {}
        if index is None:
            return out
        for message in self.messages[index + 1 :]:
            if message.role != "tool":
                break
            out.setdefault(message.tool_call_id or "", message)
        return out

    def holds(self, message: Message) -> bool:
        """By identity: two replies with the same text in the same second are still two."""
        return any(m is message for m in self.messages)

    def discard(self, message: Message) -> None:
        """Take a message and everything under it out (a prompt that got no reply, a deleted
        branch); the branch on screen ends at its parent, or at a sibling's end."""
        tree = self.tree()
        if message.id not in tree.by_id:
            return
        gone = {m.id for m in tree.below(message)}
        parent = tree.parent(message)
        siblings = [m for m in tree.siblings(message) if m.id not in gone]
        on_screen = self.current()
        # A kept message never loses the message before it: a message whose parent is "the
        # message before" is that message's child, and would be going too.
        self.messages[:] = [m for m in self.messages if m.id not in gone]
        self.simplify_parents()
        for key in [k for k, v in self.branches.items() if k in gone or v in gone]:
            del self.branches[key]
        if on_screen is None or on_screen.id in gone:
            end = siblings[-1] if siblings else parent
            if end is not None:
                self.show(self.tree().descend(end, self.branches))
            else:
                self.leaf = None

    def simplify_parents(self) -> None:
        """A parent that is the message before becomes implicit again (a chat whose
        alternatives are all gone is a plain list, written as format 1)."""
        before = ROOT
        for message in self.messages:
            if message.parent is not None and message.parent == before:
                message.parent = None
            before = message.id

    def total_cost(self) -> tuple[float, bool] | None:
        """(USD, includes_estimates) over every reply that has a cost or an estimate."""
        shown = [m.usage.shown_cost for m in self.messages if m.usage is not None and not m.copied]
        for usage in (self.title_usage, self.deleted_usage):
            if usage is not None:
                shown.append(usage.shown_cost)
        known = [c for c in shown if c is not None]
        if not known:
            return None
        return sum(c for c, _ in known), any(est for _, est in known)


def new_conversation_id(now: datetime | None = None) -> str:
    """``20261126-184012-k3v9``: sortable by time, unique enough for one user's files."""
    stamp = (now or utc_now()).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{random_name(4)}"


def make_title(prompt: str, limit: int = 60) -> str:
    """A conversation's default title: its first prompt on one line, shortened."""
    line = " ".join(prompt.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"

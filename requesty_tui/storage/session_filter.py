"""The session browser's filter words: ``tag:work``, ``model:claude``, ``from:chatgpt``,
``is:pinned``, besides free text (each word, as a prefix, in the title or any message).

Parsed here and turned into SQL conditions on the index's columns by
:meth:`requesty_tui.storage.session_index.SessionIndex.search`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FIELDS = ("tag", "model")
"""``word:value`` filters (a value matches as a part, whatever the case)."""

FROM = "from:"
"""Where a conversation was imported from: ``from:chatgpt`` that source exactly (whatever the
case), ``from:`` alone any import."""


@dataclass(frozen=True, slots=True)
class Filter:
    words: list[str] = field(default_factory=list)
    """Free text: every word, as a prefix, in the title or a message (FTS5)."""
    fields: list[tuple[str, str]] = field(default_factory=list)
    """(``tag``|``model``, value), all of them must hold."""
    sources: list[str] | None = None
    """``from:``: the sources named (casefolded; empty: imported from anywhere); None: no
    ``from:`` word."""
    pinned: bool = False
    """``is:pinned``: only the starred conversations."""


def parse(query: str) -> Filter:
    words: list[str] = []
    fields: list[tuple[str, str]] = []
    sources: list[str] | None = None
    pinned = False
    for word in query.split():
        name, colon, value = word.partition(":")
        if word.casefold().startswith(FROM):
            sources = [*(sources or []), *([value.casefold()] if value else [])]
        elif colon and name.lower() in FIELDS and value:
            fields.append((name.lower(), value))
        elif colon and name.lower() == "is" and value.lower() in ("pinned", "starred"):
            pinned = True
        else:
            words.append(word)
    return Filter(words, fields, sources, pinned)


def conditions(query: Filter) -> tuple[list[str], list[object]]:
    """SQL conditions on the ``files`` table and their arguments (``tag:`` looks in the
    browser's tags and the request tags, ``model:`` in the model or the models compared,
    ``from:`` in where an imported conversation came from)."""
    sql: list[str] = []
    args: list[object] = []
    columns = {"tag": "labels", "model": "model"}
    for name, value in query.fields:
        sql.append(f"instr(lower(coalesce({columns[name]}, '')), ?) > 0")
        args.append(value.lower())
    if query.sources is not None:
        named = query.sources
        sql.append(f"source IN ({', '.join('?' for _ in named)})" if named else "source != ''")
        args += named
    if query.pinned:
        sql.append("pinned = 1")
    return sql, args

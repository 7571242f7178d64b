"""Listings: ``sessions``, ``sessions export`` and ``models``."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, TextIO

from requesty_tui.cli.common import EXIT_USAGE, error
from requesty_tui.core.settings import Settings

if TYPE_CHECKING:
    from requesty_tui.core.domain import Conversation
    from requesty_tui.storage.sessions import SessionStore


def load_session(session_id: str, store: SessionStore | None = None) -> Conversation | None:
    """A saved conversation by id, 'latest', the start of an id or a title; None, with the
    reason (and the candidates, when several fit) on stderr, if none."""
    from requesty_tui.storage.sessions import SessionError, SessionStore

    store = store or SessionStore()
    try:
        return store.load(store.find(session_id))
    except SessionError as exc:
        error(exc)
        return None
    finally:
        store.close()


def sessions(out: TextIO) -> int:
    """One aligned line per conversation: id, updated, model, messages, cost, title."""
    from requesty_tui.core.formatting import format_usd, plural
    from requesty_tui.storage.session_index import format_updated
    from requesty_tui.storage.sessions import SessionStore

    store = SessionStore()
    try:
        rows = store.summaries()
    finally:
        store.close()
    good = [row for row in rows if row.readable]
    id_width = max((len(row.id) for row in rows), default=0)
    model_width = max((len(row.model) for row in good), default=0)
    count_width = max((len(plural(row.message_count, "msg")) for row in good), default=0)
    cost_width = max((len(format_usd(row.cost)) for row in good if row.cost is not None), default=1)
    for row in rows:
        if row.readable:
            cost = format_usd(row.cost) if row.cost is not None else "-"
            count = plural(row.message_count, "msg")
            out.write(
                f"{row.id:<{id_width}}  {format_updated(row.updated)}  "
                f"{row.model:<{model_width}}  {count:>{count_width}}  "
                f"{cost:>{cost_width}}  {row.title}\n"
            )
        else:
            out.write(f"{row.id:<{id_width}}  UNREADABLE  {row.error}\n")
    return 0


def export(session_id: str, out: TextIO, *, all_branches: bool = False) -> int:
    from requesty_tui.storage.export import to_markdown

    conversation = load_session(session_id)
    if conversation is None:
        return EXIT_USAGE
    out.write(to_markdown(conversation, all_branches=all_branches))
    return 0


def models(settings: Settings, out: TextIO, *, include_all: bool = False) -> int:
    from requesty_tui.client import RouterError
    from requesty_tui.client.factory import client_for
    from requesty_tui.core.model_filter import describe, filter_models
    from requesty_tui.core.model_overrides import apply_overrides
    from requesty_tui.core.safe_text import make_safe

    async def fetch() -> int:
        async with client_for(settings) as client:
            try:
                models = apply_overrides(await client.list_models(), settings.models)
            except RouterError as exc:
                error(exc)
                return exc.exit_code
        shown = filter_models(models, "", include_all=include_all)
        width = max((len(m.id) for m in shown), default=0)
        for model in shown:
            out.write(make_safe(f"{model.id:<{width}}  {describe(model)}".rstrip()) + "\n")
        hidden = len(models) - len(shown)
        if hidden:
            from requesty_tui.core.formatting import plural

            print(
                f"requesty-tui: {plural(hidden, 'model')} that cannot chat (embeddings, images, "
                "speech) not listed; --all lists them.",
                file=sys.stderr,
            )
        return 0

    return asyncio.run(fetch())

"""``login``, ``logout`` and ``usage``: the key and the account from the command line.

``login`` reads the key without echo from the terminal, or from stdin when piped (``pass show
requesty | requesty-tui login``), checks it with the server and keeps it in ``config.toml``.
The key is never printed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

from requesty_tui.cli.common import EXIT_USAGE, error
from requesty_tui.core.settings import ConfigError, Settings

if TYPE_CHECKING:
    from requesty_tui.chat.account import AccountFigures

EXIT_KEY = 3
EXIT_NETWORK = 4
ENV_VAR = "REQUESTY_API_KEY"


def _read_key(stdin: TextIO) -> str:
    if stdin.isatty():
        import getpass

        return getpass.getpass("API key (not shown as you type or paste): ")
    for line in stdin.read().splitlines():
        if line.strip():
            return line.strip()
    return ""


def _ask_yes(question: str, stdin: TextIO) -> bool:
    if not stdin.isatty():
        return False
    print(question, end=" ", file=sys.stderr, flush=True)
    return stdin.readline().strip().lower() in ("y", "yes")


def login(settings: Settings, stdin: TextIO, out: TextIO, *, check: bool = True) -> int:
    """Read, check and keep a key; 0 kept, 2 none given, 3 rejected, 4 not reachable."""
    from requesty_tui.chat.account import save_key, verify_key

    key = "".join(_read_key(stdin).split())
    if not key:
        print("requesty-tui: no key given (paste it, or pipe it in).", file=sys.stderr)
        return EXIT_USAGE
    if check:
        verdict = asyncio.run(verify_key(settings, key))
        if verdict.state == "rejected":
            error(f"{verdict.message} Not saved.")
            return EXIT_KEY
        if verdict.state == "unreachable":
            error(verdict.message)
            if not _ask_yes("Keep the key anyway? [y/N]", stdin):
                error("Not saved. Try again, or keep it unchecked: requesty-tui login --no-check")
                return EXIT_NETWORK
        else:
            out.write(verdict.message + "\n")
    try:
        where = save_key(key)
    except (ConfigError, OSError) as exc:
        error(str(exc).replace(key, "***"))
        return EXIT_KEY
    out.write(f"Saved in {where} (only you can read it).\n")
    if os.environ.get(ENV_VAR):
        out.write(f"{ENV_VAR} is set in your environment and wins over that file.\n")
    return 0


def logout(out: TextIO) -> int:
    """Take the key out of ``config.toml``; says if the environment still holds one."""
    from requesty_tui.chat.account import forget_key
    from requesty_tui.storage import paths

    path = paths.config_file()
    try:
        removed = forget_key(path)
    except (ConfigError, OSError) as exc:
        error(exc)
        return EXIT_KEY
    out.write(f"Removed the key from {path}.\n" if removed else f"No key in {path}.\n")
    if os.environ.get(ENV_VAR):
        out.write(f"{ENV_VAR} still holds a key in your environment: it is still used.\n")
    return 0


def usage(settings: Settings, out: TextIO, *, days: int, group_by: str, as_json: bool) -> int:
    """This key's month and its spend per day: a table and a bar per day, or JSON. 0 with a
    history (offline: the last one, its time on stderr), 3 refused key, 4 none to show."""
    from requesty_tui.chat.account import load_account
    from requesty_tui.client.errors import missing_key_error
    from requesty_tui.client.factory import client_for

    if not settings.api_key:
        error(missing_key_error())
        return EXIT_KEY

    async def fetch() -> AccountFigures:
        async with client_for(settings) as client:
            return await load_account(client, days, group_by)

    figures = asyncio.run(fetch())
    if as_json:
        json.dump(as_data(figures, days, group_by), out, indent=2)
        out.write("\n")
    else:
        out.write(table(figures, days, group_by))
    if figures.problem:
        error(figures.problem)
    if figures.history is None:
        return figures.exit_code or EXIT_NETWORK
    return 0


def as_data(figures: AccountFigures, days: int, group_by: str) -> dict[str, Any]:
    spend, history = figures.spend, figures.history
    data: dict[str, Any] = {
        "days": days,
        "group_by": group_by,
        "month": None
        if spend is None
        else {"spend": spend.monthly_spend, "limit": spend.monthly_limit, "name": spend.name},
        "balance": figures.balance,
        "problem": figures.problem,
        "history": None,
        "top": None,
    }
    if history is not None:
        data["fetched_at"] = history.fetched_at.isoformat()
        data["history"] = [
            {
                "date": d.day.isoformat(),
                "spend": round(d.spend, 6),
                "requests": d.requests,
                "groups": [_group(g) for g in d.groups],
            }
            for d in history.days
        ]
        data["top"] = [_group(g) for g in history.top()]
    return data


def _group(group: Any) -> dict[str, Any]:
    return {
        "name": group.name,
        "spend": round(group.spend, 6),
        "requests": group.requests,
        "input_tokens": group.input_tokens,
        "output_tokens": group.output_tokens,
    }


BAR = 30
"""Cells of the longest day's bar."""


def table(figures: AccountFigures, days: int, group_by: str) -> str:
    from requesty_tui.core.charts import hbar, short_count
    from requesty_tui.core.formatting import format_usd
    from requesty_tui.core.safe_text import make_safe

    lines = []
    spend = figures.spend
    if spend is not None and spend.monthly_spend is not None:
        name = f" ({make_safe(spend.name)})" if spend.name else ""
        limit = f" of {format_usd(spend.monthly_limit)}" if spend.monthly_limit else ""
        lines.append(f"This key{name}: {format_usd(spend.monthly_spend)} this month{limit}")
    if figures.balance is not None:
        lines.append(f"Organisation balance: {format_usd(figures.balance)}")
    history = figures.history
    if history is None:
        return "\n".join(lines) + ("\n" if lines else "")
    lines.append(f"Spend per day, last {days} days, by {group_by} (UTC):")
    peak = max((d.spend for d in history.days), default=0.0)
    for day in history.days:
        money = format_usd(day.spend) if day.spend else "-"
        bar = hbar(day.spend, peak, BAR)
        lines.append(f"  {day.day.isoformat()}  {money:>9}  {day.requests:>5} req  {bar}".rstrip())
    lines.append(f"  {'total':<10}  {format_usd(history.total):>9}  {history.requests:>5} req")
    top = history.top(10)
    if top:
        width = max(len(g.name) for g in top)
        lines.append("")
        lines.append(
            f"  {'top ' + group_by:<{width}}  {'spend':>9}  {'requests':>8}  {'tokens':>7}"
        )
        for group in top:
            lines.append(
                f"  {make_safe(group.name):<{width}}  {format_usd(group.spend):>9}  "
                f"{group.requests:>8,}  {short_count(group.tokens):>7}"
            )
    return "\n".join(lines) + "\n"

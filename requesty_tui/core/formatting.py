"""How money, tokens and counts are written, everywhere: the chat, the browser, the CLI and
exports say the same thing the same way."""

from __future__ import annotations

from requesty_tui.core.domain import Usage


def format_usd(amount: float) -> str:
    """Small sums keep their significant digits: $0.000096, $0.0123, $1.25, $1,234.50."""
    if amount == 0:
        return "$0"
    if abs(amount) >= 1:
        return f"${amount:,.2f}"
    return "$" + f"{amount:.6f}".rstrip("0").rstrip(".")


def per_million(per_token: float) -> str:
    """A list price per million tokens: "$3.00", "$0.30", and as many digits as a price has
    below a cent: "$0.075", "$0.01875" (two decimals showed Gemini Flash's $0.075 as $0.07)."""
    amount = per_token * 1e6
    if abs(amount - round(amount, 2)) < 1e-9 * max(1.0, abs(amount)):
        return f"${amount:,.2f}"
    return f"${amount:.6g}" if abs(amount) < 1000 else f"${amount:,.2f}"


def size_label(size: int) -> str:
    """A file's size: "35 B", "3.1 KB", "12.0 MB"."""
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} B"


def format_cost(cost: tuple[float, bool] | None) -> str:
    """A (USD, is_estimate) pair: "$0.0123", "~$0.0123 est.", or "" when unknown."""
    if cost is None:
        return ""
    amount, estimated = cost
    return f"~{format_usd(amount)} est." if estimated else format_usd(amount)


def usage_summary(usage: Usage | None) -> str:
    """ "12 in (8 cached) · 340 out · $0.000212" (the router's cost, or "~$… est.")."""
    if usage is None:
        return ""
    parts = []
    if usage.prompt_tokens is not None:
        cached = f" ({usage.cached_tokens:,} cached)" if usage.cached_tokens else ""
        parts.append(f"{usage.prompt_tokens:,} in{cached}")
    if usage.completion_tokens is not None:
        parts.append(f"{usage.completion_tokens:,} out")
    shown = format_cost(usage.shown_cost)
    if shown:
        parts.append(shown)
    return " · ".join(parts)


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 message", "2 messages", "1,204 replies" (``many`` for irregular plurals)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def other_version(n: int, of: int, heading: str, following: int) -> str:
    """The line an export's folded alternative shows: which it is, and how many messages its
    branch goes on after it."""
    more = f", and {plural(following, 'message')} after it" if following else ""
    return f"Other version {n} of {of}: {heading}{more}"

"""``account: usage``: this key's month against its limit, a chart of spend per day (the last
7 or 30 days, by model, provider or app), the top groups, and the organisation's balance when
the key may see it. Degrades with a reason: a key without permission, a server without the
management API, offline (the last figures fetched, with their time).

| key | action |
| --- | --- |
| d | 7 or 30 days |
| g | by model, provider or app |
| r | fetch again |
| escape, q | close |
"""

from __future__ import annotations

from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from requesty_tui.chat.services import Services
from requesty_tui.core.charts import hbar, short_count
from requesty_tui.core.domain import KeySpend
from requesty_tui.core.formatting import format_usd
from requesty_tui.core.usage import GROUPINGS, PERIODS
from requesty_tui.ui.widgets.key_bar import KeyBar
from requesty_tui.ui.widgets.spend_chart import PALETTE, SpendChart, colours

TOP = 5
"""Groups listed under the chart (and coloured in it): 5 rows fit 80x24 with the chart."""

_NOUN = {"model": "models", "provider": "providers", "app": "apps"}


def month_line(spend: KeySpend | None, width: int = 20) -> Text:
    """ "This month ███████░░░░ $12.50 of $50.00 (25 %)", or why it is not known."""
    if spend is None or spend.monthly_spend is None:
        return Text("This key's month: not available.", Style(dim=True))
    name = f" ({spend.name})" if spend.name else ""
    text = Text(f"This month{name}  ")
    used = spend.monthly_spend
    if spend.monthly_limit:
        filled = hbar(used, spend.monthly_limit, width)
        over = used >= spend.monthly_limit
        text.append(filled, Style(bold=over))
        text.append("░" * max(0, width - len(filled)), Style(dim=True))
        share = used / spend.monthly_limit * 100
        text.append(f"  {format_usd(used)} of {format_usd(spend.monthly_limit)} ({share:.0f} %)")
    else:
        text.append(f"{format_usd(used)} (no monthly limit)")
    return text


class AccountScreen(Screen[None]):
    """What the router knows about this key's spending."""

    CSS_PATH = "account.tcss"
    HELP_TITLE = "Account"
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="account.close"),
        Binding("d", "days", "7/30 days", id="account.days"),
        Binding("g", "group", "Group by", id="account.group"),
        Binding("r", "reload", "Refresh", id="account.refresh"),
    ]

    def __init__(self, services: Services, now: datetime | None = None) -> None:
        super().__init__()
        self.services = services
        self.now = now
        """A fixed "now" (tests and snapshots); None: the clock."""
        self.days = PERIODS[0]
        self.group_by = "model"

    def compose(self) -> ComposeResult:
        with Vertical(id="account"):
            yield Static("", id="account-title", markup=False)
            yield Static("", id="month", markup=False)
            yield Static("", id="problem", markup=False)
            yield SpendChart(id="chart")
            yield Static("", id="top", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#problem").display = False
        self.reload()

    def _title(self) -> str:
        by = self.group_by
        return f"Spend per day · last {self.days} days · by {by} ({GROUPINGS[by]}) · UTC"

    @work(exclusive=True, group="account", exit_on_error=False)
    async def reload(self) -> None:
        from requesty_tui.chat.account import load_account

        self.query_one("#account-title", Static).update(self._title())
        client = await self.services.connection.ready()
        figures = await load_account(client, self.days, self.group_by, self.now)
        month = month_line(figures.spend)
        if figures.balance is not None:
            month.append(f"\nOrganisation balance {format_usd(figures.balance)}")
        self.query_one("#month", Static).update(month)
        problem = self.query_one("#problem", Static)
        problem.display = bool(figures.problem)
        problem.update(figures.problem or "")
        history = figures.history
        chart = self.query_one(SpendChart)
        top = self.query_one("#top", Static)
        if history is None:
            # The reason is on the line above already (it was said twice at 80x24).
            chart.show(None, [], "No chart (see above)." if figures.problem else "No figures.")
            top.update("")
            return
        ranked = history.top()
        names = [g.name for g in ranked[: len(PALETTE)]]
        quiet = "" if history.total else " (no spend in this period)"
        chart.show(history, names, "")
        palette = colours(self.app.theme_variables, len(names))
        lines = Text()
        noun = _NOUN[self.group_by]
        total = f"{format_usd(history.total)} in {history.requests:,} requests{quiet}"
        lines.append(f"Top {noun}  ·  {total}\n", Style(bold=True))
        width = max((len(g.name) for g in ranked[:TOP]), default=0)
        width = min(width, 40)
        for n, group in enumerate(ranked[:TOP]):
            name = group.name if len(group.name) <= width else group.name[: width - 1] + "…"
            lines.append("■ ", Style(color=palette[min(n, len(names))]))
            lines.append(
                f"{name:<{width}}  {format_usd(group.spend):>9}  {group.requests:>6,} req  "
                f"{short_count(group.tokens):>7} tok\n"
            )
        if len(ranked) > TOP:
            lines.append(f"  and {len(ranked) - TOP} more", Style(dim=True))
        lines.rstrip()
        top.update(lines)

    def action_days(self) -> None:
        self.days = PERIODS[(PERIODS.index(self.days) + 1) % len(PERIODS)]
        self.reload()

    def action_group(self) -> None:
        order = list(GROUPINGS)
        self.group_by = order[(order.index(self.group_by) + 1) % len(order)]
        self.reload()

    def action_reload(self) -> None:
        self.reload()

"""What the router knows about a key's spending, as plain data: spend per day (split by model,
provider or app) for the last days, and the sums the account screen and ``usage`` show.

Parsing the management API's answer is :mod:`requesty_tui.client.manage`'s job; this module
holds the shapes and the arithmetic (a day without use is a day of zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

GROUPINGS: dict[str, str] = {
    "model": "model_used",
    "provider": "provider_used",
    "app": "origin_title",
}
"""``--by`` / the screen's grouping → the API's ``group_by`` field."""

PERIODS = (7, 30)
"""The days a chart can cover."""


@dataclass(frozen=True, slots=True)
class GroupSpend:
    """One model's (provider's, app's) share of a day, or of the whole period."""

    name: str
    spend: float = 0.0
    """USD."""
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def plus(self, other: GroupSpend) -> GroupSpend:
        return GroupSpend(
            self.name,
            self.spend + other.spend,
            self.requests + other.requests,
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
        )


@dataclass(frozen=True, slots=True)
class DaySpend:
    """One day (UTC): its total and its groups, largest first."""

    day: date
    spend: float = 0.0
    requests: int = 0
    groups: tuple[GroupSpend, ...] = ()


@dataclass(frozen=True, slots=True)
class SpendHistory:
    """Spend per day over ``len(days)`` days ending today, every day present (zero when the
    router had nothing for it)."""

    days: tuple[DaySpend, ...]
    group_by: str = "model"
    """A key of :data:`GROUPINGS`."""
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def total(self) -> float:
        return sum(d.spend for d in self.days)

    @property
    def requests(self) -> int:
        return sum(d.requests for d in self.days)

    def top(self, n: int | None = None) -> list[GroupSpend]:
        """The groups over the whole period, by spend (then requests), largest first."""
        sums: dict[str, GroupSpend] = {}
        for day in self.days:
            for group in day.groups:
                known = sums.get(group.name)
                sums[group.name] = group if known is None else known.plus(group)
        ranked = sorted(sums.values(), key=lambda g: (-g.spend, -g.requests, g.name))
        return ranked if n is None else ranked[:n]


def period_dates(days: int, today: date) -> list[date]:
    """The ``days`` dates ending with ``today``, oldest first."""
    return [today - timedelta(days=days - 1 - n) for n in range(days)]


def period_bounds(days: int, now: datetime) -> tuple[datetime, datetime]:
    """(start, end) of a period: midnight UTC ``days - 1`` days ago, and now."""
    now = now.astimezone(UTC)
    first = period_dates(days, now.date())[0]
    return datetime(first.year, first.month, first.day, tzinfo=UTC), now


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

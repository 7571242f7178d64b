"""The test router's account side: the key check, the key's usage per day, the organisation,
and feedback on a reply, shaped as ``requesty-api.md`` describes them.

The usage is made from a fixed list of records relative to the day the request ends (so a
test or a snapshot that fixes "now" sees the same chart every day): several days, several
models, providers and apps, spend as decimal strings, a period key as a time or as a plain
date, and a day without use left out, as the real endpoint does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit


class _Handler(Protocol):
    path: str
    headers: Any

    def _send_json(
        self, status: int, payload: Any, headers: dict[str, str] | None = None
    ) -> None: ...


USAGE_RECORDS: list[tuple[int, str, str, str, int, int, int]] = [
    # (days before the end, model, app, spend, input tokens, output tokens, requests)
    (0, "openai/gpt-4o-mini", "requesty-tui", "0.42", 120000, 30000, 40),
    (0, "anthropic/claude-sonnet-4-5", "requesty-tui", "1.80", 90000, 24000, 12),
    (1, "anthropic/claude-sonnet-4-5", "my-script", "2.25", 110000, 40000, 15),
    (1, "google/gemini-2.5-flash", "requesty-tui", "0.30", 200000, 20000, 22),
    (2, "openai/gpt-4o-mini", "requesty-tui", "0.15", 50000, 9000, 11),
    # 3 days before: no use at all (the endpoint leaves the day out)
    (4, "anthropic/claude-sonnet-4-5", "requesty-tui", "3.10", 150000, 60000, 21),
    (4, "openai/gpt-4o-mini", "my-script", "0.08", 20000, 4000, 5),
    (5, "google/gemini-2.5-flash", "my-script", "0.55", 300000, 35000, 30),
    (6, "openai/gpt-4o-mini", "requesty-tui", "0.27", 70000, 15000, 18),
    (12, "anthropic/claude-sonnet-4-5", "requesty-tui", "4.40", 220000, 70000, 25),
    (20, "google/gemini-2.5-flash", "requesty-tui", "1.05", 500000, 60000, 44),
    (27, "openai/gpt-4o-mini", "my-script", "0.61", 160000, 30000, 33),
]


def _pick(group_by: str, model: str, app: str) -> str:
    """The value of the ``group_by`` field for a record."""
    if group_by == "provider_used":
        return model.split("/")[0]
    return app if group_by == "origin_title" else model


def usage_answer(end: date, start: date, group_by: str) -> dict[str, Any]:
    """The ``usage`` map for ``start``..``end``: one entry per day with use, its groups."""
    days: dict[date, dict[str, list[Any]]] = {}
    for before, model, app, spend, tokens_in, tokens_out, requests in USAGE_RECORDS:
        day = end - timedelta(days=before)
        if day < start:
            continue
        name = _pick(group_by, model, app)
        group = days.setdefault(day, {}).setdefault(name, [0.0, 0, 0, 0])
        group[0] += float(spend)
        group[1] += tokens_in
        group[2] += tokens_out
        group[3] += requests
    usage: dict[str, Any] = {}
    for n, (day, groups) in enumerate(sorted(days.items())):
        # Both key shapes the real endpoint is seen to use.
        key = day.isoformat() if n % 2 else f"{day.isoformat()}T00:00:00Z"
        grouped = [
            {
                "group_by_values": {group_by: name},
                "spend": f"{g[0]:.2f}",
                "input_tokens": g[1],
                "output_tokens": g[2],
                "total_tokens": g[1] + g[2],
                "total_requests": g[3],
            }
            for name, g in groups.items()
        ]
        usage[key] = {
            "completions_requests": sum(g[3] for g in groups.values()),
            "embedding_requests": 0,
            "total_requests": sum(g[3] for g in groups.values()),
            "spend": f"{sum(g[0] for g in groups.values()):.2f}",
            "input_tokens": sum(g[1] for g in groups.values()),
            "output_tokens": sum(g[2] for g in groups.values()),
            "grouped_data": grouped,
        }
    return {"usage": usage}


def _day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).date()
    except ValueError:
        return default


@dataclass
class AccountRouter:
    """What the test router answers about the key; tests change the fields."""

    keys: set[str] | None = None
    """The keys that are live; None: any key is."""
    usage_status: int = 200
    org: dict[str, Any] | None = field(
        default_factory=lambda: {"name": "test org", "balance": "84.20"}
    )
    """None: the key may not see the organisation (403)."""
    feedback_status: int = 200
    feedback: list[dict[str, Any]] = field(default_factory=list)
    """Every rating received: ``{"id", "body", "authorization"}``."""
    usage_queries: list[dict[str, list[str]]] = field(default_factory=list)

    def _key_ok(self, handler: _Handler) -> bool:
        if self.keys is None:
            return True
        auth = str(handler.headers.get("Authorization") or "")
        return auth.removeprefix("Bearer ").strip() in self.keys

    def _refuse_key(self, handler: _Handler) -> None:
        handler._send_json(401, {"error": {"origin": "router", "message": "Invalid API key"}})

    def answer_get(self, handler: _Handler) -> bool:
        """Answer a GET this side knows (True), or leave it to the router (False)."""
        parts = urlsplit(handler.path)
        path = parts.path.rstrip("/")
        ours = path.endswith(("/v1/auth/check", "/apikey/self/usage", "/v1/manage/org"))
        if not ours and not path.endswith("/models"):
            return False
        if not self._key_ok(handler):
            self._refuse_key(handler)
            return True
        if path.endswith("/v1/auth/check"):
            handler._send_json(200, {"ok": True})
        elif path.endswith("/apikey/self/usage"):
            query = parse_qs(parts.query)
            self.usage_queries.append(query)
            if self.usage_status != 200:
                said = "Insufficient permissions" if self.usage_status == 403 else "Not found"
                handler._send_json(self.usage_status, {"error": {"message": said}})
                return True
            today = datetime.now(UTC).date()
            end = _day(query.get("end", [""])[0], today)
            start = _day(query.get("start", [""])[0], end - timedelta(days=6))
            group_by = query.get("group_by", ["model_used"])[0]
            handler._send_json(200, usage_answer(end, start, group_by))
        elif path.endswith("/v1/manage/org"):
            if self.org is None:
                handler._send_json(403, {"error": {"message": "Insufficient permissions"}})
            else:
                handler._send_json(200, self.org)
        else:
            return False  # a live key asks for the models: the router answers
        return True

    def answer_post(self, handler: _Handler, body: Any) -> bool:
        """``POST /feedback/{id}``: recorded, answered with ``feedback_status``."""
        path = urlsplit(handler.path).path
        if "/feedback/" not in path:
            return False
        completion_id = path.rsplit("/feedback/", 1)[1]
        self.feedback.append(
            {
                "id": completion_id,
                "body": body,
                "authorization": handler.headers.get("Authorization"),
            }
        )
        if self.feedback_status != 200:
            handler._send_json(
                self.feedback_status, {"error": {"message": "feedback is not accepted here"}}
            )
        else:
            handler._send_json(200, {"ok": True, "id": completion_id})
        return True

"""The router client against the real local test router (nothing mocked)."""

from __future__ import annotations

import asyncio
import time

import pytest

from requesty_tui.client import (
    ChatRequest,
    ChunkSkipped,
    ModelReported,
    Retrying,
    RetryPolicy,
    RouterClient,
    StreamEnd,
    TextDelta,
    UsageReport,
)
from requesty_tui.client import errors as E
from requesty_tui.client.events import StreamEvent
from requesty_tui.testing.router import Reply, RouterServer

REQ = ChatRequest(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])


def client_for(router: RouterServer, **kw: object) -> RouterClient:
    kw.setdefault("stall_timeout", 2.0)
    kw.setdefault("retry", RetryPolicy(max_attempts=3, base_delay=0.01))
    return RouterClient(router.base_url, "secret-key-xyz", **kw)  # type: ignore[arg-type]


async def collect(client: RouterClient, req: ChatRequest = REQ) -> list[StreamEvent]:
    return [e async for e in client.stream_chat(req)]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def test_stream_text_usage_model_and_request_shape(router: RouterServer) -> None:
    router.queue(Reply(text="Hello there!", model="anthropic/claude-sonnet-4-5"))
    async with client_for(router) as client:
        events = await collect(client)
    assert text_of(events) == "Hello there!"
    assert ModelReported("anthropic/claude-sonnet-4-5") in events
    usage = [e for e in events if isinstance(e, UsageReport)][-1].usage
    assert usage.cost == pytest.approx(0.000096) and usage.prompt_tokens == 12
    assert events[-1] == StreamEnd("stop")
    sent = router.chat_requests()[0]
    assert sent["body"]["stream"] is True
    assert sent["body"]["stream_options"] == {"include_usage": True}
    assert sent["headers"]["Authorization"] == "Bearer secret-key-xyz"
    assert sent["headers"]["X-Title"] == "requesty-tui"
    assert sent["headers"]["HTTP-Referer"].startswith("https://")


async def test_crlf_and_malformed_lines_are_tolerated(router: RouterServer) -> None:
    router.queue(Reply(text="abcdefghijklmnop", chunk_chars=2, crlf=True, malformed_every=3))
    async with client_for(router) as client:
        events = await collect(client)
    assert text_of(events) == "abcdefghijklmnop"
    skipped = [e for e in events if isinstance(e, ChunkSkipped)]
    assert [e.total for e in skipped] == [1, 2, 3], "every unreadable line is reported"


async def test_a_chunk_that_cannot_be_read_is_reported_not_dropped(router: RouterServer) -> None:
    router.queue(Reply(text="one two three four", chunk_chars=4, malformed_at=1))
    async with client_for(router) as client:
        events = await collect(client)
    assert text_of(events) == "one three four", "the text of the bad chunk is gone..."
    assert ChunkSkipped(1, "invalid JSON") in events, "...and the caller is told"
    assert events[-1] == StreamEnd("stop")


async def test_http_408_is_a_timeout_and_retried(router: RouterServer) -> None:
    router.queue(Reply(status=408, error_message="Request Timeout"), Reply(text="ok"))
    async with client_for(router) as client:
        events = await collect(client)
    assert [e.attempt for e in events if isinstance(e, Retrying)] == [2]
    assert text_of(events) == "ok"
    router.queue(*[Reply(status=408, error_message="Request Timeout")] * 3)
    async with client_for(router) as client:
        with pytest.raises(E.StallError, match="timed out"):
            await collect(client)


def test_the_retry_notice_puts_our_words_first() -> None:
    long = "Rate limited (router: " + "litellm.RateLimitError: " * 20 + ")."
    text = Retrying(2, 4, 1.0, long).describe()
    assert text.startswith("Retrying in 1.0 s (attempt 2/4): Rate limited")
    assert len(text) < 120 and text.endswith("…")


async def test_list_models(router: RouterServer) -> None:
    async with client_for(router) as client:
        models = await client.list_models()
    ids = [m.id for m in models]
    assert "policy/my-fallback" in ids
    sonnet = next(m for m in models if m.id == "anthropic/claude-sonnet-4-5")
    assert sonnet.context_window == 200000 and sonnet.supports_reasoning


@pytest.mark.parametrize(
    ("status", "message", "cls", "words"),
    [
        (401, "Missing key", E.AuthError, "REQUESTY_API_KEY"),
        (403, "Invalid authorization token", E.AuthError, "invalid or revoked"),
        (403, "Model blocked by organization policy", E.PolicyError, "policy"),
        (
            402,
            "Insufficient balance, top up at: https://app.requesty.ai/x",
            E.BalanceError,
            "Top up",
        ),
        (404, "Provider and/or model not supported", E.ModelNotFoundError, "Pick another model"),
        (412, "Reached monthly spend limit for API key", E.SpendLimitError, "spend limit"),
        (
            400,
            "Provider not allowed for organization",
            E.BadRequestError,
            "Provider not allowed for organization",
        ),
    ],
)
async def test_error_statuses(
    router: RouterServer, status: int, message: str, cls: type, words: str
) -> None:
    router.queue(Reply(status=status, error_message=message))
    async with client_for(router) as client:
        with pytest.raises(cls) as info:
            await collect(client)
    assert words in str(info.value)
    assert message in str(info.value) or status == 401
    assert len(router.chat_requests()) == 1, "these errors are never retried"


async def test_retry_5xx_then_succeed(router: RouterServer) -> None:
    router.queue(
        Reply(status=503), Reply(status=429, headers={"Retry-After": "0"}), Reply(text="ok")
    )
    async with client_for(router) as client:
        events = await collect(client)
    retries = [e for e in events if isinstance(e, Retrying)]
    assert [r.attempt for r in retries] == [2, 3]
    assert retries[1].delay == 0.0, "Retry-After: 0 is honoured"
    assert text_of(events) == "ok"


async def test_retries_give_up(router: RouterServer) -> None:
    router.queue(*[Reply(status=500)] * 3)
    async with client_for(router) as client:
        with pytest.raises(E.ServerError, match="HTTP 500"):
            await collect(client)
    assert len(router.chat_requests()) == 3


async def test_no_retry_after_first_token(router: RouterServer) -> None:
    router.queue(Reply(text="partial answer here", chunk_chars=4, cut_after=2))
    got: list[StreamEvent] = []
    async with client_for(router) as client:
        with pytest.raises(E.StreamCutError, match="middle of the reply"):
            async for event in client.stream_chat(REQ):
                got.append(event)
    assert text_of(got) == "partial "
    assert len(router.chat_requests()) == 1


async def test_error_chunk_mid_stream(router: RouterServer) -> None:
    router.queue(
        Reply(
            text="abcdefgh",
            chunk_chars=2,
            error_chunk_after=2,
            error_message="There was a problem with the provider stream",
        )
    )
    got: list[StreamEvent] = []
    async with client_for(router) as client:
        with pytest.raises(E.ProviderStreamError, match="problem with the provider stream"):
            async for event in client.stream_chat(REQ):
                got.append(event)
    assert text_of(got) == "abcd"


async def test_closed_without_done_or_finish(router: RouterServer) -> None:
    router.queue(Reply(raw_body=b'data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n'))
    async with client_for(router) as client:
        with pytest.raises(E.StreamCutError, match="before the reply finished"):
            await collect(client)


async def test_stall_is_detected(router: RouterServer) -> None:
    router.queue(Reply(text="abcdefgh", chunk_chars=2, stall_after=2))
    start = time.monotonic()
    async with client_for(router, stall_timeout=0.5) as client:
        with pytest.raises(E.StallError, match=r"sent nothing for 0\.5 s"):
            await collect(client)
    assert time.monotonic() - start < 5


async def test_html_instead_of_stream(router: RouterServer) -> None:
    router.queue(Reply(raw_body=b"<!DOCTYPE html><html>login</html>", content_type="text/html"))
    async with client_for(router) as client:
        with pytest.raises(E.ProtocolError, match="HTML page"):
            await collect(client)


async def test_connection_refused() -> None:
    client = RouterClient("http://127.0.0.1:9/v1", "k", connect_timeout=2)
    with pytest.raises(E.ConnectionFailedError, match="refused"):
        await collect(client)
    await client.aclose()


async def test_dns_failure() -> None:
    client = RouterClient("http://no-such-host.invalid/v1", "k", connect_timeout=5)
    with pytest.raises(E.ConnectionFailedError, match="resolve"):
        await collect(client)
    await client.aclose()


async def test_missing_key_is_explained(router: RouterServer) -> None:
    client = RouterClient(router.base_url, None)
    with pytest.raises(E.AuthError, match="REQUESTY_API_KEY"):
        await collect(client)
    await client.aclose()
    assert router.chat_requests() == []


async def test_key_never_echoed(router: RouterServer) -> None:
    router.queue(Reply(status=400, error_message="bad key secret-key-xyz in header"))
    async with client_for(router) as client:
        with pytest.raises(E.BadRequestError) as info:
            await collect(client)
    assert "secret-key-xyz" not in str(info.value)


async def test_cancel_closes_connection(router: RouterServer) -> None:
    router.queue(Reply(text="x" * 2000, chunk_chars=1, delay=0.01))
    async with client_for(router) as client:
        received = 0

        async def consume() -> None:
            nonlocal received
            async for event in client.stream_chat(REQ):
                if isinstance(event, TextDelta):
                    received += 1

        task = asyncio.create_task(consume())
        while received < 5:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    deadline = time.monotonic() + 3
    while router.disconnects == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert router.disconnects == 1, "the server saw the client hang up"


async def test_one_megabyte_reply_arrives_exactly(router: RouterServer) -> None:
    text = "".join(f'line {i}: ✓ ü 🎉 "quoted" \\back\n' for i in range(30_000))[:1_000_000]
    router.queue(Reply(text=text, chunk_chars=997))
    async with client_for(router) as client:
        assert text_of(await collect(client)) == text

"""The tool host against real MCP servers (tests/support/mcp_server.py), over stdio and
streamable HTTP: listing, calls, every way a call can fail, cancelling, closing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import mcp.types as types
import pytest

from requesty_tui.core.tools import McpServerConfig, ToolOutput
from requesty_tui.tools import mcp_host
from requesty_tui.tools.mcp_host import ToolHost, output_text

pytestmark = pytest.mark.timeout(30)

SERVER = str(Path(__file__).parents[1] / "support" / "mcp_server.py")

MakeHost = Callable[..., ToolHost]


def server(name: str, *args: str, **config: object) -> McpServerConfig:
    return McpServerConfig(
        name,
        command=(sys.executable, SERVER, "--name", name, *args),
        **config,  # type: ignore[arg-type]
    )


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "logs"


@pytest.fixture
async def make_host(log_dir: Path) -> AsyncIterator[MakeHost]:
    made: list[ToolHost] = []

    def make(*configs: McpServerConfig, **options: float) -> ToolHost:
        host = ToolHost(configs, log_dir, **options)
        made.append(host)
        return host

    yield make
    for host in made:
        await host.close()


async def started(make_host: MakeHost, *configs: McpServerConfig) -> ToolHost:
    host = make_host(*configs)
    assert await host.start() == []
    return host


async def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def log_has(log_dir: Path, name: str, text: str) -> Callable[[], bool]:
    path = log_dir / f"{name}.stderr.log"
    return lambda: path.exists() and text in path.read_text(errors="replace")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# -- listing and calls ---------------------------------------------------------------------


async def test_tools_of_two_servers_are_listed_in_order_with_descriptions_and_schemas(
    make_host: MakeHost,
) -> None:
    host = await started(make_host, server("one", "--only", "echo,add"), server("two"))
    assert host.running == ["one", "two"]
    tools = host.tools
    assert [(t.server, t.name) for t in tools][:3] == [
        ("one", "echo"),
        ("one", "add"),
        ("two", "echo"),
    ]
    assert {t.name for t in tools if t.server == "two"} >= {"slow", "crash", "env_probe"}
    add = tools[1]
    assert add.description == "Add two integers."
    assert add.parameters["type"] == "object"
    assert set(add.parameters["properties"]) == {"a", "b"}
    assert add.parameters["properties"]["a"]["type"] == "integer"
    assert all(t.function == "" for t in tools)
    assert host.config("one") is not None and host.config("nope") is None


async def test_calls_return_the_tools_text_as_is(make_host: MakeHost) -> None:
    host = await started(make_host, server("s"))
    assert await host.call("s", "echo", {"text": "hello"}) == ToolOutput("hello")
    assert (await host.call("s", "add", {"a": 2, "b": 3})).text == "5"
    markup = await host.call("s", "markup", {})
    assert markup.text == "[bold red]not markup[/] \x1b[31mred\x1b[0m \x1b]0;title\x07 done"
    assert (await host.call("s", "lines", {"n": 3})).text == "line 1\nline 2\nline 3"
    big = await host.call("s", "big", {"kb": 2048})
    assert len(big.text) == 2048 * 1024 and big.text.startswith("line 0001: xxx")
    assert (await host.call("s", "image", {})).text == "[image: image/png, 66 bytes]"


def test_content_is_converted_to_text() -> None:
    result = types.CallToolResult(
        content=[
            types.TextContent(type="text", text="first"),
            types.AudioContent(type="audio", data="AAAA", mime_type="audio/wav"),
            types.EmbeddedResource(
                type="resource",
                resource=types.TextResourceContents(uri="file:///a.txt", text="inside"),
            ),
            types.EmbeddedResource(
                type="resource",
                resource=types.BlobResourceContents(
                    uri="file:///b.bin", blob="AA==", mime_type="application/octet-stream"
                ),
            ),
        ]
    )
    assert output_text(result) == (
        "first\n[audio: audio/wav, 3 bytes]\ninside\n"
        "[resource: file:///b.bin, application/octet-stream]"
    )
    structured = types.CallToolResult(content=[], structured_content={"n": 1, "s": "é"})
    assert output_text(structured) == '{"n": 1, "s": "é"}'


# -- calls that fail -----------------------------------------------------------------------


async def test_a_tool_error_is_an_error_with_its_message(make_host: MakeHost) -> None:
    host = await started(make_host, server("s"))
    out = await host.call("s", "fail", {"message": "the disk is on fire"})
    assert out.is_error and "the disk is on fire" in out.text


async def test_unknown_server_tool_or_stopped_server_is_an_error(make_host: MakeHost) -> None:
    host = make_host(server("s", "--only", "echo"), server("bad", "--fail-start", "nope"))
    await host.start()
    unknown_server = await host.call("zzz", "echo", {})
    assert unknown_server.is_error and "no MCP server named zzz" in unknown_server.text
    unknown_tool = await host.call("s", "add", {"a": 1, "b": 2})
    assert unknown_tool.is_error and "has no tool named add" in unknown_tool.text
    not_running = await host.call("bad", "echo", {"text": "x"})
    assert not_running.is_error and "not running" in not_running.text
    assert "nope" in not_running.text


async def test_a_slow_tool_times_out_without_waiting_for_it(make_host: MakeHost) -> None:
    host = await started(make_host, server("s"), server("t", timeout=1.0))
    began = time.monotonic()
    out = await host.call("s", "slow", {"seconds": 10}, timeout=1.0)
    assert time.monotonic() - began < 5
    assert out.is_error and "did not answer within 1 s" in out.text
    began = time.monotonic()
    out = await host.call("t", "slow", {"seconds": 10})  # the server's own timeout
    assert time.monotonic() - began < 5 and out.is_error
    assert (await host.call("s", "echo", {"text": "still here"})).text == "still here"


async def test_a_crash_during_a_call_is_noticed_at_once_and_the_server_restarts(
    make_host: MakeHost,
) -> None:
    host = await started(make_host, server("s"), server("other"))
    began = time.monotonic()
    out = await host.call("s", "crash", {}, timeout=25)
    assert time.monotonic() - began < 3  # not the 25 s timeout
    assert out.is_error
    assert "stopped" in out.text and "exit 3" in out.text
    assert "crashing on purpose" in out.text
    assert "\n" not in out.text
    assert host.running == ["other"]
    assert [t.server for t in host.tools] == ["other"] * len(host.tools)
    again = await host.call("s", "echo", {"text": "back"})
    assert again == ToolOutput("back")
    assert host.running == ["s", "other"]


def live_members(group: int) -> list[int]:
    """Processes of a process group that are not zombies (an orphan's zombie stays until
    PID 1 reaps it, and some containers' PID 1 never does)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux /proc, POSIX shell")
async def test_a_crash_is_noticed_even_when_a_child_keeps_stdout_open(make_host: MakeHost) -> None:
    # The shell leaves `sleep` holding the stdout pipe, then becomes the server: when the
    # server dies no end-of-file comes, only the process's exit says so.
    wrapper = 'sleep 60 & exec "$0" "$@"'
    host = await started(
        make_host, McpServerConfig("s", command=("sh", "-c", wrapper, sys.executable, SERVER))
    )
    group = int((await host.call("s", "pid", {})).text)
    assert len(live_members(group)) == 2
    began = time.monotonic()
    out = await host.call("s", "crash", {}, timeout=25)
    assert time.monotonic() - began < 3
    assert out.is_error and "crashing on purpose" in out.text
    await host.close()
    assert live_members(group) == []  # `sleep` went with it


RAW_SERVER = r"""
import json, sys

def send(**message):
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", **message}) + "\n")
    sys.stdout.flush()

TOOLS = [{"name": n, "inputSchema": {"type": "object"}} for n in ("bad", "err", "noise")]
for line in sys.stdin:
    msg = json.loads(line)
    method, mid = msg.get("method"), msg.get("id")
    if mid is None:
        continue
    if method == "initialize":
        version = msg["params"]["protocolVersion"]
        info = {"name": "raw", "version": "1"}
        send(id=mid, result={"protocolVersion": version, "capabilities": {"tools": {}},
                             "serverInfo": info})
    elif method == "tools/list":
        send(id=mid, result={"tools": TOOLS})
    elif method == "tools/call" and msg["params"]["name"] == "bad":
        send(id=mid, result={"content": 5})
    elif method == "tools/call" and msg["params"]["name"] == "err":
        send(id=mid, error={"code": -32602, "message": "invalid thing"})
    elif method == "tools/call":
        print("this is not json", flush=True)
        send(id=mid, result={"content": [{"type": "text", "text": "fine"}]})
    else:
        send(id=mid, error={"code": -32601, "message": "Method not found"})
"""


async def test_protocol_errors_and_garbage_from_a_legacy_server(
    make_host: MakeHost, tmp_path: Path
) -> None:
    script = tmp_path / "raw_server.py"
    script.write_text(RAW_SERVER)
    host = await started(make_host, McpServerConfig("raw", command=(sys.executable, str(script))))
    assert [t.name for t in host.tools] == ["bad", "err", "noise"]
    bad = await host.call("raw", "bad", {})
    assert bad.is_error and "bad on the MCP server raw failed" in bad.text and "\n" not in bad.text
    err = await host.call("raw", "err", {})
    assert err.is_error and "invalid thing" in err.text and "-32602" in err.text
    assert await host.call("raw", "noise", {}) == ToolOutput("fine")


async def test_a_server_that_fails_to_start_says_why_and_others_still_work(
    make_host: MakeHost, log_dir: Path
) -> None:
    host = make_host(
        server("broken", "--fail-start", "config file /etc/x.toml is missing"), server("ok")
    )
    failures = await host.start()
    assert [f.server for f in failures] == ["broken"]
    message = failures[0].message
    assert message.startswith("broken: could not start (exit 1)")
    assert "config file /etc/x.toml is missing" in message
    assert host.running == ["ok"]
    assert (await host.call("ok", "add", {"a": 1, "b": 1})).text == "2"
    # stderr went to a private file per server, not to our terminal
    assert log_dir.stat().st_mode & 0o777 == 0o700
    log = log_dir / "broken.stderr.log"
    assert log.stat().st_mode & 0o777 == 0o600
    assert "config file /etc/x.toml is missing" in log.read_text()


async def test_a_command_that_does_not_exist_is_a_clear_failure(make_host: MakeHost) -> None:
    host = make_host(
        McpServerConfig("ghost", command=("no-such-mcp-server-xyz", "--flag")),
        McpServerConfig("path", command=("/nonexistent/dir/server",)),
        McpServerConfig("empty"),
    )
    failures = {f.server: f.message for f in await host.start()}
    assert failures == {
        "ghost": (
            "ghost: could not start: the command was not found on PATH: no-such-mcp-server-xyz"
        ),
        "path": "path: could not start: the command was not found: /nonexistent/dir/server",
        "empty": "empty: could not start: no command or url is configured",
    }
    assert host.running == [] and host.tools == []


async def test_a_server_that_never_answers_times_out(
    make_host: MakeHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mcp_host, "START_TIMEOUT", 1.0)
    script = "import sys, time; print('not json', flush=True); time.sleep(60)"
    host = make_host(McpServerConfig("mute", command=(sys.executable, "-c", script)))
    began = time.monotonic()
    [failure] = await host.start()
    assert time.monotonic() - began < 6
    assert failure.message.startswith("mute: did not start within 1 s")
    assert "not json" in failure.message


async def test_close_during_a_start_does_not_wait_for_it(make_host: MakeHost) -> None:
    script = "import time; time.sleep(60)"
    host = make_host(McpServerConfig("mute", command=(sys.executable, "-c", script)))
    start = asyncio.create_task(host.start())
    await wait_for(lambda: "mute" in [t.get_name().split()[-1] for t in asyncio.all_tasks()])
    began = time.monotonic()
    await host.close()
    assert time.monotonic() - began < 4
    [failure] = await start
    assert failure.server == "mute"


async def test_duplicate_names_are_reported(make_host: MakeHost) -> None:
    host = make_host(server("s", "--only", "echo"), server("s"))
    failures = await host.start()
    assert [(f.server, "more than once" in f.message) for f in failures] == [("s", True)]
    assert [t.name for t in host.tools] == ["echo"]


# -- the environment and secrets -----------------------------------------------------------


async def test_the_api_key_never_reaches_a_server_but_configured_env_does(
    make_host: MakeHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTY_API_KEY", "rq-secret")
    monkeypatch.setenv("REQUESTY_BASE_URL", "http://router")
    host = await started(
        make_host,
        server("s", env={"MY_TOKEN": "abc", "REQUESTY_API_KEY": "configured-anyway"}),
    )
    for name, expected in [
        ("REQUESTY_API_KEY", "unset"),
        ("REQUESTY_BASE_URL", "unset"),
        ("MY_TOKEN", "set"),
        ("PATH", "set"),
    ]:
        assert (await host.call("s", "env_probe", {"name": name})).text == expected, name
    assert "REQUESTY_API_KEY" not in mcp_host.child_environment({"REQUESTY_API_KEY": "x"})


async def test_messages_never_repeat_configured_secrets(make_host: MakeHost) -> None:
    host = make_host(
        server("s", "--fail-start", "bad token tok-123456", env={"TOKEN": "tok-123456"})
    )
    [failure] = await host.start()
    assert "tok-123456" not in failure.message and "bad token" in failure.message


# -- cancelling and closing ----------------------------------------------------------------


async def test_cancelling_a_call_raises_and_the_server_stays_usable(
    make_host: MakeHost, log_dir: Path
) -> None:
    host = await started(make_host, server("s"))
    call = asyncio.create_task(host.call("s", "slow", {"seconds": 20}))
    await wait_for(log_has(log_dir, "s", "slow: started"))
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await wait_for(log_has(log_dir, "s", "slow: cancelled"))  # the SDK told the server
    assert (await host.call("s", "echo", {"text": "next"})).text == "next"
    assert host.running == ["s"]


async def test_close_is_quick_and_leaves_no_process(make_host: MakeHost, log_dir: Path) -> None:
    host = await started(make_host, server("a"), server("b"))
    pids = [int((await host.call(name, "pid", {})).text) for name in ("a", "b")]
    assert all(alive(pid) for pid in pids)
    slow = asyncio.create_task(host.call("a", "slow", {"seconds": 20}))
    await wait_for(log_has(log_dir, "a", "slow: started"))
    began = time.monotonic()
    await host.close()
    assert time.monotonic() - began < 5
    await wait_for(lambda: not any(alive(pid) for pid in pids), timeout=3)
    interrupted = await slow
    assert interrupted.is_error and "was stopped" in interrupted.text
    assert host.running == []
    after = await host.call("a", "echo", {"text": "x"})
    assert after.is_error and "not running" in after.text


# -- streamable HTTP -----------------------------------------------------------------------

HttpServer = Callable[..., Awaitable[str]]


@pytest.fixture
async def http_server(tmp_path: Path) -> AsyncIterator[HttpServer]:
    processes: list[asyncio.subprocess.Process] = []

    async def start(*args: str) -> str:
        with (tmp_path / "http.stderr.log").open("ab") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                SERVER,
                "--http",
                *args,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        processes.append(process)
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 15)
        return line.decode().strip()

    yield start
    for process in processes:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_streamable_http_with_a_required_header(
    make_host: MakeHost, http_server: HttpServer
) -> None:
    url = await http_server("--require-header", "Authorization: Bearer x")
    assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp")
    host = make_host(
        McpServerConfig("web", url=url, headers={"Authorization": "Bearer x"}),
        McpServerConfig("anon", url=url),
    )
    failures = await host.start()
    assert [(f.server, f.message) for f in failures] == [
        ("anon", "anon: could not connect: the server answered HTTP 401 Unauthorized")
    ]
    assert host.running == ["web"]
    assert {"echo", "add"} <= {t.name for t in host.tools}
    assert (await host.call("web", "add", {"a": 2, "b": 3})).text == "5"
    out = await host.call("web", "slow", {"seconds": 10}, timeout=1.0)
    assert out.is_error and "did not answer within 1 s" in out.text
    assert (await host.call("web", "echo", {"text": "ok"})).text == "ok"


async def test_streamable_http_nobody_listening(make_host: MakeHost) -> None:
    host = make_host(McpServerConfig("gone", url="http://127.0.0.1:9/mcp"))
    [failure] = await host.start()
    assert failure.message.startswith("gone: could not connect")

"""The command line: ``ask``, ``models``, ``--help``, ``--version`` and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from requesty_tui import __version__
from requesty_tui.testing.router import Reply, RouterServer
from tests.support.seeds import seed_sessions


def run_cli(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("REQUESTY_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "requesty_tui", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=stdin if stdin is not None else "",
        timeout=timeout,
    )


def router_env(router: RouterServer) -> dict[str, str]:
    return {"REQUESTY_API_KEY": "cli-key", "REQUESTY_BASE_URL": router.base_url}


def test_version_and_help() -> None:
    assert run_cli("--version").stdout.strip() == f"requesty-tui {__version__}"
    help_text = run_cli("--help").stdout
    for word in ("ask", "models", "--model", "REQUESTY_API_KEY"):
        assert word in help_text


def test_ask_streams_to_stdout(router: RouterServer) -> None:
    router.queue(Reply(text="Streamed *answer*."))
    result = run_cli(
        "ask", "--model", "anthropic/claude-sonnet-4-5", "Why", "sky?", env=router_env(router)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Streamed *answer*.\n"
    body = router.chat_requests()[0]["body"]
    assert body["model"] == "anthropic/claude-sonnet-4-5"
    assert body["messages"] == [{"role": "user", "content": "Why sky?"}]


def test_ask_reads_piped_stdin(router: RouterServer) -> None:
    result = run_cli("ask", "Summarise:", env=router_env(router), stdin="line one\nline two\n")
    assert result.returncode == 0, result.stderr
    sent = router.chat_requests()[0]["body"]["messages"][0]["content"]
    assert sent == "Summarise:\n\nline one\nline two\n"


@pytest.mark.parametrize(
    ("reply", "code", "words"),
    [
        (Reply(status=403, error_message="Invalid authorization token"), 3, "invalid or revoked"),
        (Reply(status=402, error_message="Insufficient balance"), 4, "Top up"),
        (Reply(text="half of it", chunk_chars=5, cut_after=1), 4, "middle of the reply"),
    ],
)
def test_ask_failures(router: RouterServer, reply: Reply, code: int, words: str) -> None:
    router.queue(reply)
    result = run_cli("ask", "hi", env={**router_env(router), "REQUESTY_API_KEY": "sk-secret"})
    assert result.returncode == code
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, "a one-line message"
    assert "Traceback" not in result.stderr and "sk-secret" not in result.stderr


def test_ask_without_key() -> None:
    result = run_cli("ask", "hi")
    assert result.returncode == 3
    assert "REQUESTY_API_KEY" in result.stderr


def test_ask_connection_refused() -> None:
    result = run_cli(
        "ask", "hi", env={"REQUESTY_API_KEY": "k", "REQUESTY_BASE_URL": "http://127.0.0.1:9/v1"}
    )
    assert result.returncode == 4
    assert "refused" in result.stderr


def test_ask_without_prompt_is_usage_error() -> None:
    assert run_cli("ask", env={"REQUESTY_API_KEY": "k"}).returncode == 2


def test_models_lists_policies_first(router: RouterServer) -> None:
    result = run_cli("models", env=router_env(router))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("policy/my-fallback")
    sonnet = next(line for line in lines if line.startswith("anthropic/claude-sonnet-4-5"))
    assert "200k ctx" in sonnet and "$3.00/$15.00 per M" in sonnet


def test_models_failure(router: RouterServer) -> None:
    router.models_status = 401
    result = run_cli("models", env=router_env(router))
    assert result.returncode == 3
    assert "REQUESTY_API_KEY" in result.stderr


def test_sessions_list_and_export() -> None:
    seed_sessions()
    result = run_cli("sessions")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "UNREADABLE" in lines[0] and "newer than this version" in lines[0]
    assert lines[1].startswith("20261121-100000-bbbb") and lines[1].endswith("Newer")
    assert "2 msgs" in lines[1]
    assert lines[2].startswith("20261120-100000-aaaa")
    exported = run_cli("sessions", "export", "20261120-100000-aaaa")
    assert exported.returncode == 0
    assert exported.stdout.startswith("# Older one\n")
    assert "## You\n\nprompt of Older one" in exported.stdout
    assert run_cli("sessions", "export", "latest").stdout.startswith("# Newer\n")
    missing = run_cli("sessions", "export", "20990101-000000-none")
    assert missing.returncode == 2 and "no such session" in missing.stderr


def test_resume_unknown_session_is_a_usage_error() -> None:
    result = run_cli("--resume", "nope-nope")
    assert result.returncode == 2 and "no such session" in result.stderr
    result = run_cli("-c")
    assert result.returncode == 2 and "no saved conversations" in result.stderr


def test_ask_says_when_part_of_the_stream_could_not_be_read(router: RouterServer) -> None:
    router.queue(Reply(text="one two three four", chunk_chars=4, malformed_at=1))
    result = run_cli("ask", "hi", env=router_env(router))
    assert result.stdout == "one three four\n"
    assert result.returncode == 4, "a reply with a hole is not a success"
    assert "1 chunk of the stream could not be read (invalid JSON)" in result.stderr
    assert "may be missing text" in result.stderr


def test_ask_says_what_it_waits_for(router: RouterServer) -> None:
    router.queue(
        Reply(status=429, error_message="Too many requests", headers={"Retry-After": "1"}),
        Reply(text="after the wait"),
    )
    result = run_cli("ask", "hi", env=router_env(router))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "after the wait\n"
    assert "Retrying in 1.0 s (attempt 2/4): Rate limited" in result.stderr


def test_ask_with_a_rejected_key_and_no_balance_say_what_to_do(router: RouterServer) -> None:
    router.queue(Reply(status=401, error_message="Invalid key"))
    result = run_cli("ask", "hi", env=router_env(router))
    assert result.returncode == 3
    assert "rejected the API key" in result.stderr and "Set REQUESTY_API_KEY" not in result.stderr
    router.queue(Reply(status=402, error_message="Insufficient balance"))
    result = run_cli("ask", "hi", env=router_env(router))
    assert "Top up" in result.stderr and "Enter" not in result.stderr, "no TUI keys in the CLI"


@pytest.mark.parametrize("command", [["ask", "hi"], ["sessions"]])
def test_a_closed_pipe_ends_quietly(router: RouterServer, command: list[str]) -> None:
    """``requesty-tui ask … | head -c 5``: no BrokenPipeError traceback and exit 0, as
    head-friendly tools do (141 failed ``set -o pipefail`` scripts that wanted only a little)."""
    from requesty_tui.core.domain import Conversation, Message
    from requesty_tui.storage.sessions import SessionStore

    for n in range(300):  # 100 KB of listing: more than a pipe holds, so writing must block
        title = f"t{n} " + "x" * 300
        conv = Conversation(id=f"20261120-1000{n:03d}-pipe", model="m/x", title=title)
        conv.messages = [Message(role="user", content="x")]
        SessionStore().save(conv)
    router.queue(Reply(text="many words " * 20_000, chunk_chars=64, delay=0.0005))
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("REQUESTY_")}
    full_env.update(router_env(router))
    proc = subprocess.Popen(
        [sys.executable, "-m", "requesty_tui", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=full_env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert len(proc.stdout.read(5)) == 5
    proc.stdout.close()  # as head -c 5 does
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=30) == 0, stderr
    assert stderr == "", "quiet"


def test_models_leaves_out_what_cannot_chat(router: RouterServer) -> None:
    router.models = [
        *router.models,
        {"id": "openai/text-embedding-3-small"},
        {"id": "openai/gpt-image-1"},
        {"id": "x/anything", "type": "embedding"},
    ]
    result = run_cli("models", env=router_env(router))
    assert result.returncode == 0
    assert "embedding" not in result.stdout and "gpt-image" not in result.stdout
    assert "3 models that cannot chat" in result.stderr and "--all" in result.stderr
    everything = run_cli("models", "--all", env=router_env(router)).stdout
    assert "openai/text-embedding-3-small" in everything and "x/anything" in everything


def test_sessions_are_aligned_and_an_unknown_id_is_named() -> None:
    seed_sessions()
    lines = run_cli("sessions").stdout.splitlines()[1:]
    starts = [line.index("openai/gpt-4o-mini") for line in lines]
    assert len(set(starts)) == 1 and len({line.index(" msgs") for line in lines}) == 1
    missing = run_cli("sessions", "export", "20990101-000000-none")
    assert "no such session: 20990101-000000-none" in missing.stderr
    assert "/" not in missing.stderr, "no file path for an id that does not exist"


def test_compare_prints_each_reply_then_a_table_and_fails_when_one_did(
    router: RouterServer,
) -> None:
    a, b, c = "openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5", "no/such-model"
    # The first streams slowly, so the others finish first: their text must still come after.
    router.queue_for(a, Reply(text="the first model's answer", chunk_chars=3, delay=0.02))
    router.queue_for(b, Reply(text="the second model's answer"))
    router.queue_for(c, Reply(status=404, error_message="No such model: no/such-model"))
    result = run_cli("compare", "which is best?", "-m", a, "-m", b, "-m", c, env=router_env(router))
    assert result.returncode == 4, result.stderr
    out = result.stdout
    first, second, third = (out.index(f"── {m} ") for m in (a, b, c))
    assert first < out.index("the first model's answer") < second
    assert second < out.index("the second model's answer") < third
    assert "No such model" in out[third:] and "no/such-model: " in result.stderr
    table = out[out.rindex("\nmodel ") + 1 :].splitlines()
    assert table[0].split() == ["model", "first", "token", "total", "tokens", "out", "cost"]
    assert table[1].startswith(a) and table[1].split()[-2:] == ["4", "$0.000096"]
    assert table[3].startswith(f"{c} — failed")
    bodies = [r["body"] for r in router.chat_requests()]
    assert sorted(b["model"] for b in bodies) == sorted([a, b, c])
    assert len({str(b["messages"]) for b in bodies}) == 1, "the same messages to each"
    router.queue_for(a, Reply(text="ok"))
    router.queue_for(b, Reply(text="ok"))
    assert run_cli("compare", "again", "-m", a, "-m", b, env=router_env(router)).returncode == 0


def test_compare_needs_two_to_four_models() -> None:
    result = run_cli("compare", "hi", "-m", "a/b", env={"REQUESTY_API_KEY": "k"})
    assert result.returncode == 2 and "choose 2 to 4 models" in result.stderr
    result = run_cli("--compare", "a/b", env={"REQUESTY_API_KEY": "k"})
    assert result.returncode == 2 and "--compare" in result.stderr


def test_ask_sends_an_attached_file_and_refuses_one_that_cannot_go(
    router: RouterServer, tmp_path: object
) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "log file.txt").write_text("ERROR: disk full\n")
    (folder / "junk.bin").write_bytes(bytes(range(256)))
    result = run_cli("ask", "-a", str(folder / "log file.txt"), "why?", env=router_env(router))
    assert result.returncode == 0, result.stderr
    content = router.chat_requests()[-1]["body"]["messages"][-1]["content"]
    assert content.startswith("why?") and "```log file.txt\nERROR: disk full" in content
    result = run_cli("ask", "-a", str(folder / "junk.bin"), "and this?", env=router_env(router))
    assert result.returncode == 2 and "binary file" in result.stderr
    assert len(router.chat_requests()) == 1, "nothing sent"


def test_ask_runs_only_auto_approved_tools_and_says_what_it_declined(
    router: RouterServer,
) -> None:
    import json
    from pathlib import Path

    from requesty_tui.client.parse import model_from_api
    from requesty_tui.storage import paths
    from requesty_tui.storage.models_cache import save_models
    from requesty_tui.testing.router import DEFAULT_MODELS

    server = Path(__file__).resolve().parents[1] / "support" / "mcp_server.py"
    save_models(router.base_url, [model_from_api(m) for m in DEFAULT_MODELS])
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    command = json.dumps([sys.executable, str(server)])
    config.write_text(f'[mcp.t]\ncommand = {command}\nauto_approve = ["echo"]\n')
    calls = [
        {"id": "c1", "name": "echo", "arguments": '{"text": "from the tool"}'},
        {"id": "c2", "name": "add", "arguments": '{"a": 1, "b": 2}'},
    ]
    router.queue(Reply(text="Checking.", tool_calls=calls), Reply(text="Done."))
    result = run_cli("ask", "--tools", "use them", env=router_env(router))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Checking.\nDone.\n"
    assert "running t › echo" in result.stderr
    assert "declined t › add: not in auto_approve of [mcp.t]" in result.stderr
    results = [m for m in router.chat_requests()[1]["body"]["messages"] if m["role"] == "tool"]
    assert [r["content"] for r in results] == [
        "from the tool", "The user declined to run this tool call."]  # fmt: skip
    router.queue(Reply(text="No tools here.", tool_calls=calls))
    result = run_cli("ask", "without the flag", env=router_env(router))
    assert "tools" not in router.chat_requests()[-1]["body"], "tools only with --tools"
    assert "running" not in result.stderr


def test_resume_and_export_take_the_start_of_an_id_or_a_title() -> None:
    """The whole id was needed; an ambiguous name lists the candidates and exits 2."""
    seed_sessions()
    for name in ("20261120", "older one", "Old"):
        exported = run_cli("sessions", "export", name)
        assert exported.returncode == 0, exported.stderr
        assert exported.stdout.startswith("# Older one\n")
    result = run_cli("--resume", "2026112")
    assert result.returncode == 2
    assert "'2026112' fits 2 conversations" in result.stderr
    assert "  20261121-100000-bbbb  Newer\n  20261120-100000-aaaa  Older one" in result.stderr
    result = run_cli("--resume", "no such title")
    assert result.returncode == 2 and "no such session: no such title" in result.stderr


def test_resume_by_the_start_of_an_id_opens_it(router: RouterServer) -> None:
    from tests.support.tmux import TmuxSession, terminal_env

    seed_sessions()
    session = TmuxSession(["--resume", "20261120-10"], terminal_env(router))
    try:
        session.wait_for(lambda s: "prompt of Older one" in s, what="the resumed conversation")
    finally:
        session.close()


def test_ask_sends_an_image_to_a_model_config_says_can_see(
    router: RouterServer, tmp_path: object
) -> None:
    from pathlib import Path

    from requesty_tui.client.parse import model_from_api
    from requesty_tui.storage import paths
    from requesty_tui.storage.models_cache import save_models
    from tests.support.files import png

    router.models = [{"id": "mock-gpt"}]  # a list without capabilities, as LLMock's
    save_models(router.base_url, [model_from_api(m) for m in router.models])
    shot = Path(str(tmp_path)) / "shot.png"
    shot.write_bytes(png())
    env = router_env(router)
    result = run_cli("ask", "-m", "mock-gpt", "-a", str(shot), "what?", env=env)
    assert result.returncode == 2 and "mock-gpt does not say it can see images" in result.stderr
    assert 'vision = true under [models."mock-gpt"]' in result.stderr, "how to tell it"
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[models."mock-gpt"]\nvision = true\n')
    result = run_cli("ask", "-m", "mock-gpt", "-a", str(shot), "what?", env=env)
    assert result.returncode == 0, result.stderr
    text, image = router.chat_requests()[-1]["body"]["messages"][-1]["content"]
    assert text["text"] == "what?" and image["image_url"]["url"].startswith("data:image/png")

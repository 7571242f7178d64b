"""``ask --preset NAME`` and ``requesty-tui --preset NAME``: the preset's model and settings go
into the request; a missing or broken preset is one line and exit code 2."""

from __future__ import annotations

from requesty_tui.storage.presets import presets_dir
from requesty_tui.testing.router import Reply, RouterServer
from tests.unit.test_cli import router_env, run_cli


def write_preset(name: str, text: str) -> None:
    folder = presets_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(text)


def test_ask_with_a_preset_sends_its_model_and_settings(router: RouterServer) -> None:
    write_preset(
        "terse",
        'model = "anthropic/claude-sonnet-4-5"\nsystem_prompt = "Be terse."\ntemperature = 0.1\n'
        'tags = ["cli"]\nfirst_message = "ignored by ask {x}"\n',
    )
    router.queue(Reply(text="ok"))
    result = run_cli("ask", "--preset", "terse", "hello", env=router_env(router))
    assert result.returncode == 0, result.stderr
    body = router.chat_requests()[0]["body"]
    assert body["model"] == "anthropic/claude-sonnet-4-5"
    assert body["temperature"] == 0.1
    assert body["messages"] == [
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": "hello"},
    ]
    assert body["requesty"]["tags"] == ["cli"]
    router.queue(Reply(text="ok"))
    result = run_cli(
        "ask", "--preset", "terse", "-m", "openai/gpt-4o", "hi", env=router_env(router)
    )
    assert router.chat_requests()[1]["body"]["model"] == "openai/gpt-4o", "-m wins"


def test_a_missing_or_broken_preset_is_one_line(router: RouterServer) -> None:
    write_preset("bad", 'model = "m"\ntemperature = 9\n')
    for args in (("ask", "--preset", "bad", "hi"), ("--preset", "nope")):
        result = run_cli(*args, env=router_env(router))
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr
    result = run_cli("ask", "--preset", "bad", "hi", env=router_env(router))
    assert "bad.toml: key 'temperature'" in result.stderr
    assert router.chat_requests() == []

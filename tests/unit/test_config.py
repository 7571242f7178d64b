"""Config precedence and the messages for a bad config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from requesty_tui.core.settings import DEFAULT_BASE_URL, ConfigError
from requesty_tui.storage import paths
from requesty_tui.storage.settings_file import load_settings


def write_config(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_without_file_or_env() -> None:
    s = load_settings(environ={})
    assert s.base_url == DEFAULT_BASE_URL
    assert s.api_key is None


def test_precedence_file_then_env_then_cli() -> None:
    write_config('base_url = "http://file.example/v1"\nmodel = "a/file"\nstall_timeout = 5\n')
    s = load_settings(environ={})
    assert (s.base_url, s.model, s.stall_timeout) == ("http://file.example/v1", "a/file", 5.0)
    env = {"REQUESTY_BASE_URL": "http://env.example/v1/", "REQUESTY_MODEL": "a/env"}
    s = load_settings(environ=env)
    assert (s.base_url, s.model) == ("http://env.example/v1", "a/env")
    s = load_settings(cli={"model": "a/cli", "base_url": None}, environ=env)
    assert (s.base_url, s.model) == ("http://env.example/v1", "a/cli")


def test_unknown_key_names_file_and_suggests() -> None:
    path = write_config("stal_timeout = 5\n")
    with pytest.raises(ConfigError) as info:
        load_settings(environ={})
    assert str(path) in str(info.value)
    assert "stal_timeout" in str(info.value) and "'stall_timeout'" in str(info.value)


def test_wrong_type_is_named() -> None:
    write_config('stall_timeout = "soon"\n')
    with pytest.raises(ConfigError, match="stall_timeout must be a number, not a string"):
        load_settings(environ={})


def test_invalid_toml_is_named() -> None:
    path = write_config('model = "unterminated\n')
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_settings(environ={})
    assert str(path) in str(info.value)


def test_base_url_without_scheme() -> None:
    with pytest.raises(ConfigError, match=r"REQUESTY_BASE_URL.*needs a scheme"):
        load_settings(environ={"REQUESTY_BASE_URL": "router.requesty.ai/v1"})


def test_clipboard_choice() -> None:
    write_config('clipboard = "magic"\n')
    with pytest.raises(ConfigError, match="clipboard must be one of auto, system, osc52"):
        load_settings(environ={})


def test_notify_settings() -> None:
    write_config('notify = "osc777"\nnotify_after = 2\n')
    s = load_settings(environ={})
    assert (s.notify, s.notify_after) == ("osc777", 2.0)
    write_config('notify = "loud"\n')
    with pytest.raises(ConfigError, match=r"config.toml: notify must be one of auto, bell, osc9"):
        load_settings(environ={})
    write_config("notify_after = -1\n")
    with pytest.raises(ConfigError, match="notify_after must be 0 or more seconds"):
        load_settings(environ={})


def test_images_setting() -> None:
    assert load_settings(environ={}).images == "auto"
    write_config('images = "kitty"\n')
    assert load_settings(environ={}).images == "kitty"
    write_config('images = "sixel"\n')
    with pytest.raises(ConfigError, match=r"config.toml: images must be one of auto, kitty, off"):
        load_settings(environ={})
    write_config("images = false\n")
    with pytest.raises(ConfigError, match=r"config.toml: images must be a string, not"):
        load_settings(environ={})


def test_region_picks_router_and_management_hosts() -> None:
    s = load_settings(environ={})
    assert (s.base_url, s.manage_host) == (DEFAULT_BASE_URL, "https://api-v2.requesty.ai")
    write_config('region = "eu"\n')
    s = load_settings(environ={})
    assert s.base_url == "https://router.eu.requesty.ai/v1"
    assert s.manage_host == "https://api-v2.eu.requesty.ai"
    s = load_settings(environ={"REQUESTY_REGION": "global"})
    assert s.base_url == DEFAULT_BASE_URL
    # A base URL that is not a Requesty router (a proxy, a test server): same host for both.
    s = load_settings(environ={"REQUESTY_BASE_URL": "http://127.0.0.1:8080/v1"})
    assert s.manage_host == "http://127.0.0.1:8080"
    s = load_settings(environ={"REQUESTY_MANAGE_URL": "https://manage.example/"})
    assert s.manage_host == "https://manage.example"
    write_config('region = "mars"\n')
    with pytest.raises(ConfigError, match="region must be one of global, eu"):
        load_settings(environ={})


def test_request_defaults_are_checked() -> None:
    write_config(
        'system_prompt = "Be terse."\nreasoning_effort = "HIGH"\ntemperature = 0\n'
        'max_tokens = 800\ntags = ["work"]\nuser_id = "ana"\nauto_cache = false\n'
    )
    s = load_settings(environ={})
    assert (s.system_prompt, s.reasoning_effort, s.temperature) == ("Be terse.", "high", 0.0)
    assert (s.max_tokens, s.tags, s.user_id, s.auto_cache) == (800, ("work",), "ana", False)
    write_config('reasoning_effort = "10000"\n')
    assert load_settings(environ={}).reasoning_effort == "10000"
    for bad, message in [
        ('reasoning_effort = "lots"', "token budget"),
        ("temperature = 3", "between 0 and 2"),
        ("max_tokens = 0", "at least 1"),
        ('tags = ["", 3]', "list of non-empty strings"),
        ('auto_cache = "yes"', "auto_cache must be true or false"),
    ]:
        write_config(bad + "\n")
        with pytest.raises(ConfigError, match=message):
            load_settings(environ={})

"""Config precedence and the messages for a bad config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from requesty_tui import paths
from requesty_tui.config import DEFAULT_BASE_URL, ConfigError, load_settings


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
    with pytest.raises(ConfigError, match="stall_timeout must be a int or float, not str"):
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

"""The key and the account from the command line (issue 26): ``login`` checks a key before it
keeps it (piped in, as ``pass show requesty | requesty-tui login`` does), ``logout`` takes it
out and says when the environment still holds one, ``usage`` prints the spend per day as a
table or JSON and says why when it cannot (403, 404, offline)."""

from __future__ import annotations

import json
import stat

from requesty_tui.storage import paths
from requesty_tui.testing.router import RouterServer
from tests.unit.test_cli import run_cli

KEY = "rq-live-key-0123456789"
CONFIG = """# my settings
theme = "nord-night"   # dark, please

[keys]
"chat.model" = "f3"
"""


def env(router: RouterServer, **more: str) -> dict[str, str]:
    out = {"REQUESTY_BASE_URL": router.base_url}
    out.update(more)
    return out


def test_login_from_stdin_checks_then_keeps_the_key_and_the_file(router: RouterServer) -> None:
    router.account.keys = {KEY}
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text(CONFIG)
    refused = run_cli("login", env=env(router), stdin="rq-wrong-key\n")
    assert refused.returncode == 3 and "refused this key" in refused.stderr
    assert "Not saved" in refused.stderr and config.read_text() == CONFIG
    done = run_cli("login", env=env(router), stdin=f"{KEY}\n")
    assert done.returncode == 0, done.stderr
    assert KEY not in done.stdout + done.stderr, "the key is never printed"
    assert f"Saved in {config}" in done.stdout
    text = config.read_text()
    assert (
        text
        == f'# my settings\ntheme = "nord-night"   # dark, please\napi_key = "{KEY}"\n\n'
        + (CONFIG.split("\n\n", 1)[1])
    ), "the rest of the file, comments included, as it was"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    # The saved key is the one used: a chat needs no variable now.
    models = run_cli("models", env=env(router))
    assert models.returncode == 0 and "openai/gpt-4o-mini" in models.stdout
    assert router.requests[-1]["headers"]["Authorization"] == f"Bearer {KEY}"


def test_login_uses_the_check_endpoint_on_a_management_host(router: RouterServer) -> None:
    router.account.keys = {KEY}
    manage = router.base_url.removesuffix("/v1")
    done = run_cli("login", env=env(router, REQUESTY_MANAGE_URL=manage), stdin=KEY)
    assert done.returncode == 0, done.stderr
    assert [r["path"] for r in router.requests] == ["/v1/auth/check"]


def test_login_to_a_server_that_cannot_be_reached_keeps_nothing() -> None:
    gone = {"REQUESTY_BASE_URL": "http://127.0.0.1:9/v1"}
    done = run_cli("login", env=gone, stdin=KEY)
    assert done.returncode == 4 and "--no-check" in done.stderr
    assert not paths.config_file().exists()
    kept = run_cli("login", "--no-check", env=gone, stdin=KEY)
    assert kept.returncode == 0 and KEY in paths.config_file().read_text()
    assert run_cli("login", env=gone, stdin="\n").returncode == 2, "no key given"


def test_logout_takes_the_key_out_and_names_the_environment(router: RouterServer) -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text(f'api_key = "{KEY}"\n{CONFIG}')
    config.chmod(0o600)
    done = run_cli("logout", env=env(router))
    assert done.returncode == 0 and f"Removed the key from {config}" in done.stdout
    assert config.read_text() == CONFIG
    again = run_cli("logout", env=env(router, REQUESTY_API_KEY="from-env"))
    assert again.returncode == 0 and "No key in" in again.stdout
    assert "REQUESTY_API_KEY still holds a key" in again.stdout


def test_usage_table_and_json(router: RouterServer) -> None:
    key = env(router, REQUESTY_API_KEY=KEY)
    shown = run_cli("usage", env=key)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "This key (test key): $12.50 this month of $50.00" in out
    assert "Organisation balance: $84.20" in out
    day_rows = [line for line in out.splitlines() if line.startswith("  20")]
    assert len(day_rows) == 7, out
    assert sum(1 for row in day_rows if " - " in row) == 1, "the day the router left out is $0"
    assert "█" in out, "a row of block characters per day"
    assert "anthropic/claude-sonnet-4-5" in out and "$7.15" in out
    query = router.account.usage_queries[-1]
    assert query["resolution"] == ["day"] and query["group_by"] == ["model_used"]
    by_app = run_cli("usage", "--days", "30", "--by", "app", "--json", env=key)
    assert by_app.returncode == 0, by_app.stderr
    data = json.loads(by_app.stdout)
    assert data["days"] == 30 and len(data["history"]) == 30
    assert {g["name"] for g in data["top"]} == {"requesty-tui", "my-script"}
    assert round(sum(d["spend"] for d in data["history"]), 2) == 14.98
    assert router.account.usage_queries[-1]["group_by"] == ["origin_title"]


def test_usage_says_why_it_cannot(router: RouterServer) -> None:
    key = env(router, REQUESTY_API_KEY=KEY)
    router.account.usage_status = 403
    refused = run_cli("usage", env=key)
    assert refused.returncode == 4 and "may not see its usage (403" in refused.stderr
    assert "$12.50 this month" in refused.stdout, "what the key may see is still shown"
    router.account.usage_status = 404
    missing = run_cli("usage", "--json", env=key)
    assert missing.returncode == 4 and "no Requesty management API" in missing.stderr
    assert json.loads(missing.stdout)["history"] is None
    router.account.usage_status = 200
    assert run_cli("usage", env=key).returncode == 0  # fetched once: kept for offline
    assert run_cli("usage", env={"REQUESTY_BASE_URL": router.base_url}).returncode == 3
    router.stop()  # offline: the last figures fetched, with their time
    offline = run_cli("usage", env=key)
    assert offline.returncode == 0 and "$7.15" in offline.stdout
    assert "Offline" in offline.stderr and "the figures fetched at" in offline.stderr
    never = run_cli("usage", env=env(router, REQUESTY_API_KEY="another-key"))
    assert never.returncode == 4 and "nothing fetched before" in never.stderr
    cache = (paths.cache_dir() / "usage.json").read_text()
    assert KEY not in cache, "the cache names the key by a hash, never the key"

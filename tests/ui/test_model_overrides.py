"""Issue 23 in the app: a server whose list says nothing of its models (LiteLLM, LLMock) gets
images and tools once ``config.toml`` says what a model can do; the picker ranks what the list
describes first and shows a tools badge; ``model: refresh list`` fetches the list again; the
fit dialog says what it sent when nothing older fit."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest
from textual.widgets import OptionList

from requesty_tui.core.settings import Settings
from requesty_tui.storage import paths
from requesty_tui.storage.settings_file import load_settings
from requesty_tui.testing.router import DEFAULT_MODELS, Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.dialogs import Choice
from requesty_tui.ui.screens.model_picker import ModelPicker
from requesty_tui.ui.widgets.prompt_input import PromptInput
from requesty_tui.ui.widgets.status_line import StatusLine
from tests.support.files import png
from tests.support.ui import chat_screen, run_command, send_and_wait, type_text, wait_for

pytestmark = pytest.mark.timeout(60)

SERVER = Path(__file__).resolve().parents[1] / "support" / "mcp_server.py"


def configured(router: RouterServer, toml: str) -> Settings:
    """The settings a user gets from this ``config.toml`` and the router's address."""
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(toml)
    env = {"REQUESTY_API_KEY": "test-key-123", "REQUESTY_BASE_URL": router.base_url}
    loaded = load_settings(environ=env)
    return dataclasses.replace(loaded, stall_timeout=2.0, connect_timeout=2.0,
                               retry_base_delay=0.05)  # fmt: skip


def notices(app: RequestyApp) -> list[str]:
    return [n.message for n in app._notifications]


def status(app: RequestyApp) -> str:
    return chat_screen(app).query_one(StatusLine).render_line(0).text


async def test_a_model_the_list_says_nothing_of_gets_images_and_tools_from_config(
    router: RouterServer, tmp_path: Path
) -> None:
    router.models = [{"id": "mock-gpt"}, {"id": "mock-embed", "mode": "embedding"}]  # LLMock
    command = json.dumps([sys.executable, str(SERVER)])
    settings = configured(
        router,
        f'model = "mock-gpt"\n[mcp.t]\ncommand = {command}\n'
        '[models."mock-*"]\nvision = true\ntools = true\ncontext_window = 32000\n',
    )
    (tmp_path / "shot.png").write_bytes(png())
    app = RequestyApp(settings, attach=[tmp_path / "shot.png"])
    async with app.run_test(size=(160, 30), notifications=True) as pilot:
        screen = chat_screen(app)
        toolbox = screen.services.toolbox
        await wait_for(pilot, lambda: app.services.catalogue.live, what="the model list")
        await wait_for(pilot, lambda: toolbox.state == "ready", what="the MCP server", timeout=20)
        screen.refresh_bars()
        await wait_for(pilot, lambda: "tools: " in status(app), what="the tools in the status")
        assert "no tools" not in status(app) and "/ 32k tokens" in status(app)
        await type_text(pilot, "what is this?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: router.chat_requests(), what="the send")
        body = router.chat_requests()[-1]["body"]
        text, image = body["messages"][-1]["content"]
        assert text == {"type": "text", "text": "what is this?"}
        assert image["image_url"]["url"].startswith("data:image/png;base64,")
        assert {t["function"]["name"] for t in body["tools"]} >= {"echo"}
        assert not any("cannot be sent" in n for n in notices(app))
        await wait_for(pilot, lambda: not screen.streaming)
        # The picker says so too, and the override does not make an embedding chat.
        await pilot.press("f2")
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        listed = picker.query_one(OptionList)
        options = [listed.get_option_at_index(i) for i in range(listed.option_count)]
        # Sections since the favourites: "Recently used" (it was just sent to), "All models".
        assert [str(o.prompt) for o in options if o.disabled] == ["Recently used", "All models"]
        labels = [str(o.prompt) for o in options if not o.disabled]
        label = labels[0]
        assert label.startswith("mock-gpt") and "32k ctx" in label
        assert "vision, tools" in label
        assert labels == [label, label], "mock-gpt in both sections, and no embedding model"


async def test_the_picker_prefers_a_described_model_and_shows_a_tools_badge(
    router: RouterServer, settings: Settings
) -> None:
    router.models = [{"id": "bedrock/claude-sonnet-4-5@eu-central-1"}, *DEFAULT_MODELS]
    app = RequestyApp(settings)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: app.services.catalogue.live, what="the model list")
        await pilot.press("f2")
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        options = picker.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        mini = next(label for label in labels if label.startswith("openai/gpt-4o-mini"))
        assert mini.endswith("tools"), mini
        sonnet = next(label for label in labels if label.startswith("anthropic/claude-sonnet"))
        assert "reasoning, vision, tools" in sonnet
        await type_text(pilot, "claude son")  # the README's example
        assert options.option_count == 2
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is chat_screen(app), what="the chat")
        assert chat_screen(app).model == "anthropic/claude-sonnet-4-5"


async def test_refresh_list_fetches_the_models_again_and_says_how_many(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.services.catalogue.live, what="the model list")
        router.models = [*DEFAULT_MODELS, {"id": "new/model-of-today"}]
        await run_command(pilot, "model: refresh list")
        await wait_for(pilot, lambda: any("5 models" in n for n in notices(app)), what="notice")
        assert app.services.catalogue.info("new/model-of-today") is not None
        router.models_status = 500
        await run_command(pilot, "model: refresh list")
        await wait_for(pilot, lambda: any("HTTP 500" in n for n in notices(app)), what="failure")
        assert app.services.catalogue.info("new/model-of-today") is not None, "the list stays"


async def test_when_only_the_message_fits_the_notice_says_it_went_alone(
    router: RouterServer, settings: Settings
) -> None:
    router.models.append({"id": "tiny/model", "context_window": 300})
    app = RequestyApp(dataclasses.replace(settings, model="tiny/model"))
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = chat_screen(app)
        await wait_for(pilot, lambda: app.services.catalogue.info("tiny/model"), what="models")
        router.queue(Reply(text="answer " + "a" * 800, usage=None))
        screen.query_one(PromptInput).insert("question " + "q" * 200)
        await send_and_wait(pilot, "")
        screen.query_one(PromptInput).insert("the last question " + "z" * 600)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, Choice), what="the dialog")
        await pilot.click("#answer-recent")
        await wait_for(pilot, lambda: len(router.chat_requests()) == 2, what="the send")
        await wait_for(pilot, lambda: not screen.streaming)
        said = next(n for n in notices(app) if "left out" in n)
        assert said.startswith("Sent this message alone; 2 earlier messages left out"), said
        assert "last 0" not in said
        assert len(router.chat_requests()[-1]["body"]["messages"]) == 1

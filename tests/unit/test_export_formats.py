"""``sessions export --format html|json`` (and ``--all``): what a reader of the file sees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from requesty_tui.cli import main
from requesty_tui.core.domain import Conversation, Message, Usage
from requesty_tui.core.tools import ToolCall
from requesty_tui.storage.sessions import SessionStore

HOSTILE = (
    "Here: <script>document.title='pwned'</script> and <img src=x onerror=\"document.title="
    "'pwned'\"> [click](javascript:document.title='pwned')\n\n```python\ndef f():\n"
    "    return '<b>'\n```\n"
)


def seeded() -> Conversation:
    """A tree: a prompt, two replies (the second on screen), thinking, a tool call."""
    conv = Conversation(id="20260101-120000-abcd", model="openai/gpt-4o", title="Exported <chat>")
    prompt = Message(role="user", content="Hi <there> & welcome")
    conv.add(prompt)
    conv.add(Message(role="assistant", content="The first version", model="openai/gpt-4o"))
    reply = Message(
        role="assistant",
        content=HOSTILE,
        model="anthropic/claude-sonnet-4-5",
        reasoning="Thinking <hard>",
        usage=Usage(prompt_tokens=1200, completion_tokens=34, cost=0.0042),
        tool_calls=[
            ToolCall(
                id="call_1",
                name="files__read",
                arguments='{"path": "/x"}',
                server="files",
                tool="read",
            )
        ],
        finish_reason="tool_calls",
    )
    conv.add(reply, under=prompt)
    conv.add(Message(role="tool", content="<contents>", tool_call_id="call_1", tool_status="ok"))
    SessionStore().save(conv)
    return conv


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["sessions", "export", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_html_is_one_escaped_self_contained_page(capsys: pytest.CaptureFixture[str]) -> None:
    conv = seeded()
    code, page, _ = export(capsys, conv.id, "--format", "html")
    assert code == 0
    assert page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script" not in page and "<img" not in page and 'href="javascript' not in page
    assert "&lt;script&gt;document.title=" in page, "the reply's HTML is shown as text"
    assert "<title>Exported &lt;chat&gt;</title>" in page
    assert "Hi &lt;there&gt; &amp; welcome" in page
    assert "anthropic/claude-sonnet-4-5" in page and "1,200 in · 34 out · $0.0042" in page
    assert "<details><summary>Thinking</summary>" in page and "Thinking &lt;hard&gt;" in page
    assert "Tool call: files › read" in page and "&lt;contents&gt;" in page
    assert '<span class="k">def</span>' in page, "code highlighted by Pygments"
    assert "prefers-color-scheme: dark" in page
    assert "http" not in page.replace("http-equiv", ""), "nothing loaded from anywhere"
    assert "The first version" not in page, "the branch on screen only"
    _, everything, _ = export(capsys, conv.id, "--format", "html", "--all-branches")
    assert "Other version 1 of 1" in everything and "The first version" in everything


def test_json_is_the_whole_tree(capsys: pytest.CaptureFixture[str]) -> None:
    conv = seeded()
    code, text, _ = export(capsys, conv.id, "--format", "json")
    assert code == 0
    doc = json.loads(text)
    assert doc["format"] == "requesty-tui.conversation" and doc["version"] == 1
    assert doc["title"] == "Exported <chat>"
    messages = {m["id"]: m for m in doc["messages"]}
    prompt, first, second, result = doc["messages"]
    assert prompt["parent"] is None and first["parent"] == second["parent"] == prompt["id"]
    assert doc["branch"] == [prompt["id"], second["id"], result["id"]]
    assert second["usage"] == {"prompt_tokens": 1200, "completion_tokens": 34, "cost": 0.0042}
    assert second["tool_calls"][0]["arguments"] == '{"path": "/x"}'
    assert result["tool_call_id"] == "call_1" and messages[result["id"]]["role"] == "tool"


def test_export_all_writes_a_file_each_and_an_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conv = seeded()
    other = Conversation(id="20260102-120000-efgh", model="m", title="Second")
    other.add(Message(role="user", content="hello"))
    SessionStore().save(other)
    code, out, _ = export(capsys, "--all", "--format", "html", "--out", str(tmp_path / "site"))
    assert code == 0 and "2 conversations exported" in out
    names = sorted(p.name for p in (tmp_path / "site").iterdir())
    assert names == [f"{conv.id}.html", f"{other.id}.html", "index.html"]
    index = (tmp_path / "site" / "index.html").read_text()
    assert f'href="{conv.id}.html"' in index and "Exported &lt;chat&gt;" in index
    code, _, _ = export(capsys, "--all", "--format", "json", "--out", str(tmp_path / "j"))
    listed = json.loads((tmp_path / "j" / "index.json").read_text())
    assert code == 0 and {e["file"] for e in listed} == {f"{conv.id}.json", f"{other.id}.json"}


@pytest.mark.skipif(
    shutil.which("chromedriver") is None or shutil.which("chromium") is None,
    reason="needs chromium and chromium-driver (.ci/run installs them)",
)
def test_an_html_export_in_headless_chromium_shows_the_chat_and_runs_no_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    conv = seeded()
    target = tmp_path / "chat.html"
    assert export(capsys, conv.id, "--format", "html", "--out", str(target))[0] == 0
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or ""
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(target.as_uri())
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "Hi <there> & welcome" in body
        assert "<script>document.title='pwned'</script>" in body, "shown as text"
        assert "def f():" in body and "Thinking" in body
        assert driver.title == "Exported <chat>", "no script changed the title"
        assert driver.find_elements(By.TAG_NAME, "script") == []
        assert driver.find_elements(By.CSS_SELECTOR, "[onerror], img, a[href^=javascript]") == []
        # The page forbids scripts even if one got in: one injected by the test does not run.
        driver.execute_script(
            "const s = document.createElement('script'); s.textContent = "
            "\"document.title = 'pwned'\"; document.body.appendChild(s);"
        )
        assert driver.title == "Exported <chat>", "the Content-Security-Policy blocked it"
    finally:
        driver.quit()

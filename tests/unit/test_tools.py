"""Tools without a screen: streamed calls into typed events and whole calls (against the local
router), the ``[mcp.NAME]`` config, what a request carries, session format 4, export."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path

import pytest

from requesty_tui.chat.history import api_messages
from requesty_tui.chat.request import build_request
from requesty_tui.chat.toolbox import Toolbox
from requesty_tui.chat.turn import Turn
from requesty_tui.client.events import ToolCallDelta
from requesty_tui.client.factory import client_for
from requesty_tui.client.parse import model_from_api
from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import ConfigError, Settings
from requesty_tui.core.tools import (
    ToolCall,
    ToolSpec,
    assign_function_names,
    cut_output,
    parse_arguments,
)
from requesty_tui.storage.export import to_markdown
from requesty_tui.storage.session_format import from_toml, to_toml
from requesty_tui.storage.settings_file import load_settings
from requesty_tui.testing.router import Reply, RouterServer

TOOLS_MODEL = model_from_api(
    {"id": "openai/gpt-4o-mini", "supports_tool_calling": True, "supports_reasoning": False}
)


async def _stream(settings: Settings, reply: Reply, router: RouterServer) -> Turn:
    router.queue(reply)
    conversation = Conversation(id="c", model="openai/gpt-4o-mini")
    prompt = Message(role="user", content="go")
    conversation.messages.append(prompt)
    turn = Turn(conversation, prompt, conversation.model, prompt_is_new=False)
    async with client_for(settings) as client:
        request = build_request(conversation, TOOLS_MODEL)
        async for event in client.stream_chat(request):
            turn.apply(event)
    turn.end()
    return turn


async def test_arguments_split_across_chunks_make_one_call(
    router: RouterServer, settings: Settings
) -> None:
    arguments = json.dumps({"path": "notes/todo.md", "lines": [1, 2, 3]})
    turn = await _stream(
        settings,
        Reply(text="Let me look.", chunk_chars=3, tool_calls=[{"id": "call_a", "name": "read",
              "arguments": arguments}]),
        router,
    )  # fmt: skip
    assert turn.answer.finish_reason == "tool_calls"
    assert turn.answer.content == "Let me look."
    [call] = turn.answer.tool_calls
    assert (call.id, call.name, call.arguments) == ("call_a", "read", arguments)
    assert parse_arguments(call.arguments) == {"path": "notes/todo.md", "lines": [1, 2, 3]}


async def test_two_calls_in_one_reply_interleaved_keep_their_own_arguments(
    router: RouterServer, settings: Settings
) -> None:
    calls = [
        {"id": "c1", "name": "add", "arguments": '{"a": 2, "b": 3}'},
        {"id": "c2", "name": "echo", "arguments": '{"text": "hi"}'},
    ]
    turn = await _stream(settings, Reply(text="", chunk_chars=2, tool_calls=calls,
                                         interleave=True), router)  # fmt: skip
    got = [(c.id, c.name, c.arguments) for c in turn.answer.tool_calls]
    assert got == [("c1", "add", '{"a": 2, "b": 3}'), ("c2", "echo", '{"text": "hi"}')]
    assert turn.received and turn.answer.content == ""
    body = router.chat_requests()[-1]["body"]
    assert "tools" not in body, "build_request was given no tools: none are offered"


async def test_a_server_that_ignores_stream_sends_whole_calls(
    router: RouterServer, settings: Settings
) -> None:
    document = {
        "model": "m",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": None, "tool_calls": [
                {"id": "x1", "type": "function", "function": {"name": "echo",
                 "arguments": {"text": "as an object"}}}]}}],
    }  # fmt: skip
    reply = Reply(raw_body=json.dumps(document).encode(), content_type="application/json")
    turn = await _stream(settings, reply, router)
    [call] = turn.answer.tool_calls
    assert call.name == "echo" and json.loads(call.arguments) == {"text": "as an object"}
    assert turn.answer.finish_reason == "tool_calls"


def test_fragments_without_index_or_id_are_still_calls() -> None:
    from requesty_tui.client.stream import tool_call_deltas

    deltas = tool_call_deltas([{"function": {"name": "a", "arguments": "{"}}, "junk"])
    assert deltas == [ToolCallDelta(0, None, "a", "{")]
    conversation = Conversation(id="c", model="m")
    prompt = Message(role="user", content="go")
    turn = Turn(conversation, prompt, "m", prompt_is_new=False)
    turn.apply(deltas[0])
    turn.apply(ToolCallDelta(0, None, None, "}"))
    [call] = turn.tool_calls
    assert call.id and call.arguments == "{}"


# -- config ------------------------------------------------------------------------------------


def _config(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_settings(environ={}, config_path=path)


def test_mcp_servers_from_config(tmp_path: Path) -> None:
    settings = _config(
        tmp_path,
        """
tool_timeout = 5
[mcp.files]
command = ["uvx", "mcp-server-filesystem", "/home/me/notes"]
env = { LOG = "0" }
[mcp.search]
url = "http://127.0.0.1:9000/mcp"
headers = { Authorization = "Bearer secret-token" }
auto_approve = ["search"]
""",
    )
    files, search = settings.mcp
    assert files.command == ("uvx", "mcp-server-filesystem", "/home/me/notes")
    assert files.env == {"LOG": "0"} and not files.auto_approves("read")
    assert search.url == "http://127.0.0.1:9000/mcp" and search.auto_approves("search")
    assert settings.tool_timeout == 5.0 and settings.max_tool_rounds == 10
    assert "secret-token" not in repr(settings), "headers may hold secrets: never in a repr"


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ('[mcp.x]\ncomand = ["a"]', "did you mean 'command'"),
        ('[mcp.x]\ncommand = ["a"]\nurl = "http://h/mcp"', "either command"),
        ("[mcp.x]\nenv = { A = 1 }", "either command"),
        ('[mcp.x]\ncommand = ["a"]\nenv = { A = 1 }', "env must be a table of strings"),
        ("[mcp.x]\ncommand = []", "command must be a list of strings"),
        ('[mcp.x]\nurl = "ftp://h"', "needs a scheme"),
        ('[mcp.x]\ncommand = ["a"]\ntimeout = 0', "timeout must be"),
        ('[mcp.x]\ncommand = ["a"]\nheaders = { A = "b" }', "headers are for a url"),
        ("max_tool_rounds = 0", "max_tool_rounds must be at least 1"),
    ],
)
def test_a_bad_mcp_table_is_explained(tmp_path: Path, table: str, said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, table)
    assert said in str(caught.value)
    assert "config.toml" in str(caught.value)


# -- what a request carries ----------------------------------------------------------------------


def _box(settings: Settings) -> Toolbox:
    box = Toolbox(dataclasses.replace(settings, mcp=_config_servers()))
    spec = ToolSpec("files", "read", "Read a file", {"type": "object"})
    box.specs = assign_function_names([spec])
    box.state = "ready"
    return box


def _config_servers() -> tuple[object, ...]:
    from requesty_tui.core.tools import McpServerConfig

    return (McpServerConfig("files", command=("x",)),)


def test_tools_go_only_to_models_that_call_tools_and_only_when_on(settings: Settings) -> None:
    box = _box(settings)
    conversation = Conversation(id="c", model="openai/gpt-4o-mini")
    no_tools = model_from_api({"id": "google/gemini-2.5-flash", "supports_reasoning": True})
    unknown = model_from_api({"id": "some/model"})
    assert box.offered(conversation, TOOLS_MODEL)[0]["function"]["name"] == "read"
    assert box.offered(conversation, no_tools) == []
    assert box.offered(conversation, unknown) == [] and box.offered(conversation, None) == []
    assert box.label(conversation, TOOLS_MODEL) == "tools: 1 from 1 server"
    assert box.label(conversation, no_tools) == "no tools: model can't call them"
    assert box.label(conversation, unknown) == "no tools: model support unknown"
    assert box.not_offered(conversation, no_tools) == (
        "tools not offered: google/gemini-2.5-flash does not call tools")  # fmt: skip
    assert "does not say whether some/model calls" in (box.not_offered(conversation, unknown) or "")
    assert box.not_offered(conversation, TOOLS_MODEL) is None
    assert box.label(conversation, TOOLS_MODEL, comparing=True) == "no tools when comparing"
    conversation.options.tools = False
    assert box.offered(conversation, TOOLS_MODEL) == []
    assert box.label(conversation, TOOLS_MODEL) == "tools off (chat: tools)"
    request = build_request(conversation, TOOLS_MODEL, tools=box.offered(conversation, TOOLS_MODEL))
    assert "tools" not in request.to_body()
    assert Toolbox(settings).label(conversation, TOOLS_MODEL) is None, "no servers: no word"


def test_same_tool_name_on_two_servers_gets_two_function_names() -> None:
    specs = assign_function_names(
        [ToolSpec("a", "search"), ToolSpec("b", "search"), ToolSpec("c", "read.file")]
    )
    assert [s.function for s in specs] == ["a__search", "b__search", "read_file"]


def test_a_call_goes_only_with_its_result() -> None:
    conversation = Conversation(id="c", model="m")
    conversation.add(Message(role="user", content="q"))
    calls = [ToolCall("c1", "read", "{}"), ToolCall("c2", "read", "{}")]
    reply = Message(role="assistant", content="", tool_calls=calls)
    conversation.add(reply)
    conversation.add(Message(role="tool", content="one", tool_call_id="c1", tool_status="ok"))
    sent = api_messages(conversation)
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]
    assert [c["id"] for c in sent[1]["tool_calls"]] == ["c1"], "c2 has no result: left out"
    assert sent[1]["content"] is None
    assert reply.tool_calls == calls, "the saved reply keeps both calls"
    orphan = Conversation(id="d", model="m")
    orphan.add(Message(role="user", content="q"))
    orphan.add(Message(role="tool", content="lost", tool_call_id="zz"))
    assert [m["role"] for m in api_messages(orphan)] == ["user"]


def test_output_is_cut_at_whole_characters_and_says_so() -> None:
    text, cut = cut_output("é" * 100, 51)
    assert cut and text.startswith("é" * 25) and "[output cut: 200 bytes" in text
    assert cut_output("short", 100) == ("short", False)


# -- on disk -------------------------------------------------------------------------------------


def _tool_conversation() -> Conversation:
    conversation = Conversation(id="20261202-000000-abcd", model="m", title="t")
    conversation.add(Message(role="user", content="read my notes"))
    call = ToolCall("call_1", "read", '{"path": "todo.md"}', "files", "read")
    conversation.add(Message(role="assistant", content="", model="m", finish_reason="tool_calls",
                             tool_calls=[call]))  # fmt: skip
    conversation.add(Message(role="tool", content="[bold]buy milk[/]\n```", tool_call_id="call_1",
                             tool_status="ok", tool_truncated=True))  # fmt: skip
    conversation.add(Message(role="assistant", content="You need milk.", model="m"))
    return conversation


def test_format_4_only_when_a_reply_called_tools() -> None:
    conversation = _tool_conversation()
    text = to_toml(conversation)
    data = tomllib.loads(text)
    assert data["format"] == 4
    assert data["messages"][1]["tool_calls"][0] == {
        "id": "call_1", "name": "read", "arguments": '{"path": "todo.md"}', "server": "files",
        "tool": "read"}  # fmt: skip
    assert data["messages"][2]["role"] == "tool" and data["messages"][2]["status"] == "ok"
    back = from_toml(text)
    assert back.messages == conversation.messages
    assert back.results_of(back.messages[1])["call_1"].content == "[bold]buy milk[/]\n```"
    plain = Conversation(id="p", model="m")
    plain.add(Message(role="user", content="hi"))
    assert tomllib.loads(to_toml(plain))["format"] == 1


def test_a_tool_role_in_an_older_format_is_refused() -> None:
    from requesty_tui.storage.session_format import SessionFormatError

    text = to_toml(_tool_conversation()).replace("format = 4", "format = 3", 1)
    with pytest.raises(SessionFormatError, match="format 4"):
        from_toml(text)


def test_export_shows_calls_and_results_readably() -> None:
    markdown = to_markdown(_tool_conversation())
    assert "⚙ Tool call: `files › read`" in markdown
    assert '"path": "todo.md"' in markdown
    assert "## Tool result: files › read" in markdown
    assert "````\n[bold]buy milk[/]\n```\n````" in markdown
    assert markdown.index("Tool call") < markdown.index("buy milk") < markdown.index("You need")


def test_the_meter_counts_the_tools_offered(settings: Settings) -> None:
    from requesty_tui.chat.meter import estimate

    box = _box(settings)
    conversation = Conversation(id="c", model="openai/gpt-4o-mini")
    conversation.add(Message(role="user", content="hello"))
    extra = box.offered_chars(conversation, TOOLS_MODEL)
    assert extra == len(json.dumps([s.to_api() for s in box.specs])) > 50
    assert box.offered_chars(conversation, None) == 0, "not offered: not counted"
    without = estimate(conversation, "", TOOLS_MODEL).tokens
    assert estimate(conversation, "", TOOLS_MODEL, None, extra).tokens > without + 10


def test_a_request_without_tools_carries_earlier_calls_as_text() -> None:
    """Providers refuse tool_calls and tool messages in a request without tools (tools off, a
    model that calls none, a comparison): they go as what was called and what came back."""
    conversation = _tool_conversation()
    conversation.add(Message(role="user", content="and now?"))
    folded = build_request(conversation, TOOLS_MODEL).to_body()["messages"]
    assert [m["role"] for m in folded] == ["user", "assistant", "user"]
    said = folded[1]["content"]
    assert '[Called the tool read with {"path": "todo.md"}]' in said
    assert "[The tool read returned:\n[bold]buy milk[/]" in said and said.endswith("milk.")
    tools = [ToolSpec("files", "read", function="read").to_api()]
    kept = build_request(conversation, TOOLS_MODEL, tools=tools).to_body()["messages"]
    assert [m["role"] for m in kept] == ["user", "assistant", "tool", "assistant", "user"]


def test_calls_all_numbered_zero_but_with_their_own_ids_stay_apart() -> None:
    conversation = Conversation(id="c", model="m")
    prompt = Message(role="user", content="go")
    turn = Turn(conversation, prompt, "m", prompt_is_new=False)
    for delta in (
        ToolCallDelta(0, "a", "echo", '{"text": '),
        ToolCallDelta(0, None, None, '"1"}'),
        ToolCallDelta(0, "b", "add", '{"a": 1, "b": 2}'),
        ToolCallDelta(1, "a", "echo", "{}"),
    ):
        turn.apply(delta)
    calls = [(c.id, c.name, c.arguments) for c in turn.tool_calls]
    assert calls == [
        ("a", "echo", '{"text": "1"}'),
        ("b", "add", '{"a": 1, "b": 2}'),
        ("a_2", "echo", "{}"),
    ], "a repeated id is made unique: results are matched by id"

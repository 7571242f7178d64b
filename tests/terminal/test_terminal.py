"""The installed program in a real terminal (tmux): launch, type, Enter, see the reply stream."""

from __future__ import annotations

from pathlib import Path

import pytest

from requesty_tui.testing.router import Reply, RouterServer
from tests.support.tmux import TmuxSession, terminal_env


def test_chat_in_a_real_terminal(router: RouterServer, xdg: Path) -> None:
    words = " ".join(f"tok{i}" for i in range(60))
    router.queue(Reply(text=f"Here it comes: {words} **END**", chunk_chars=4, delay=0.05))
    session = TmuxSession([], terminal_env(router))
    try:
        session.wait_started()
        # One burst, as a fast typist or a paste delivers it: Enter must not overtake the text.
        session.keys("Hello from tmux", "C-j", "second line", "Enter")
        mid = session.wait_for(lambda s: "tok5" in s, what="the first tokens")
        assert "END" not in mid, "the reply is visible while it is still streaming"
        done = session.wait_for(lambda s: "END" in s and "1 reply" in s, what="the whole reply")
        assert "Hello from tmux" in done and "second line" in done
        assert "**END**" not in done, "Markdown is rendered"
        sent = router.chat_requests()[0]["body"]["messages"][-1]["content"]
        assert sent == "Hello from tmux\nsecond line"
        session.keys("C-q")
        session.wait_closed()
    finally:
        session.close()


def test_continue_latest_in_a_real_terminal(router: RouterServer, xdg: Path) -> None:
    from tests.support.seeds import seed_sessions

    seed_sessions()
    session = TmuxSession(["-c"], terminal_env(router))
    try:
        shown = session.wait_for(lambda s: "prompt of Newer" in s, what="the resumed history")
        assert "bold reply" in shown and "**bold**" not in shown
    finally:
        session.close()


def test_copy_reaches_tmux_through_osc52(router: RouterServer, xdg: Path) -> None:
    from requesty_tui.storage import paths

    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('clipboard = "osc52"\n')
    reply = "Copy *me*: `x = 1` ✓"
    router.queue(Reply(text=reply))
    session = TmuxSession([], terminal_env(router))
    try:
        session.tmux("set-option", "-s", "set-clipboard", "on")
        session.wait_started()
        session.keys("hi", "Enter")
        session.wait_for(lambda s: "1 reply" in s, what="the reply")
        session.keys("C-y")
        session.wait_for(lambda s: "OSC 52" in s, what="the copy notice")
        assert session.tmux("show-buffer") == reply
        # Up in the empty box brings the last prompt back, in a real terminal too.
        session.keys("Up")
        session.wait_for(lambda s: "│ hi " in s, what="the recalled prompt")
    finally:
        session.close()


def test_resuming_keeps_one_file_however_it_is_opened(router: RouterServer, xdg: Path) -> None:
    """By id, by 'latest', by -c and from the browser: each new turn lands in the same file
    (the app once saved every resumed conversation as a copy, "changed elsewhere")."""
    from requesty_tui.storage.sessions import SessionStore
    from tests.support.seeds import seed_sessions

    seed_sessions()
    store = SessionStore()
    ids = sorted(s.id for s in store.summaries() if s.readable)
    newest = ids[-1]
    ways: list[tuple[list[str], list[str]]] = [
        (["--resume", newest], []),
        (["--resume", "latest"], []),
        (["-c"], []),
        ([], ["C-o", "Down", "Enter"]),  # the browser: unreadable files first, then newest
    ]
    for n, (args, keys) in enumerate(ways):
        session = TmuxSession(args, terminal_env(router))
        try:
            session.wait_started()
            if keys:
                session.keys(keys[0])
                session.wait_for(lambda s: "Conversations" in s, what="the browser")
                session.keys(*keys[1:])
            replies = f"{n + 1} repl"  # the seeded reply and one per earlier way
            session.wait_for(lambda s, r=replies: r in s, what="the resumed conversation")
            session.keys(f"turn {n}", "Enter")
            session.wait_for(lambda s, n=n: f"You said: turn {n}" in s, what=f"reply {n}")
            session.keys("C-q")
            session.wait_closed()
        finally:
            session.close()
        assert sorted(s.id for s in SessionStore().summaries() if s.readable) == ids, args
    contents = [m.content for m in SessionStore().load(newest).messages]
    assert contents[-8:] == [
        text for n in range(4) for text in (f"turn {n}", f"You said: turn {n}")
    ]


def test_branches_in_a_real_terminal_survive_quit_and_resume(
    router: RouterServer, xdg: Path
) -> None:
    """Send, regenerate (ctrl+r), go back to the first reply with left, send again, quit,
    resume: the branch on screen and its ‹1/2› are as they were left."""
    router.queue(Reply(text="first answer"), Reply(text="second answer"), Reply(text="Zebra"))
    session = TmuxSession([], terminal_env(router), width=100, height=30)
    try:
        session.wait_started()
        session.keys("question", "Enter")
        session.wait_for(lambda s: "first answer" in s and "1 reply" in s, what="the reply")
        session.keys("C-r")
        session.wait_for(lambda s: "second answer" in s and "‹2/2›" in s, what="regenerated")
        session.keys("BTab")  # focus the reply (the last message)
        session.keys("Left")
        session.wait_for(lambda s: "first answer" in s and "‹1/2›" in s, what="switched back")
        session.keys("Tab")  # back to the input box
        session.keys("more", "Enter")
        session.wait_for(lambda s: "Zebra" in s, what="the next reply")
        session.keys("C-q")
        session.wait_closed()
    finally:
        session.close()
    sent = [m["content"] for m in router.chat_requests()[-1]["body"]["messages"]]
    assert sent == ["question", "first answer", "more"], [
        [m["content"] for m in r["body"]["messages"]] for r in router.chat_requests()
    ]
    session = TmuxSession(["-c"], terminal_env(router), width=100, height=30)
    try:
        shown = session.wait_for(lambda s: "Zebra" in s, what="the resumed branch")
        assert "first answer" in shown and "‹1/2›" in shown and "second answer" not in shown
    finally:
        session.close()


def ended(screen: str) -> bool:
    """Both replies recorded and nothing streaming any more (the status line says so)."""
    status = screen.splitlines()[-2] if screen.count("\n") > 2 else ""
    return "2 replies" in status and "streaming" not in status


@pytest.mark.parametrize("width", [120, 80])
def test_compare_in_a_real_terminal(router: RouterServer, xdg: Path, width: int) -> None:
    """Three models at once: side by side at 120 columns, stacked behind a switcher at 80; one
    fails in its column; the second is picked with enter; after quit and resume it is the
    reply on screen, ‹2/3›."""
    a, b, c = "openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5", "google/gemini-2.5-flash"
    router.queue_for(a, Reply(text="Aardvark answer"))
    router.queue_for(b, Reply(text="Badger answer"))
    router.queue_for(c, Reply(status=404, error_message="Gone fishing"))
    session = TmuxSession(["--compare", f"{a},{b},{c}"], terminal_env(router), width, 30)
    try:
        session.wait_for(lambda s: "compare: openai/gpt-4o-mini" in s, what="compare mode")
        session.keys("which animal?", "Enter")
        if width == 120:
            shown = session.wait_for(
                lambda s: "Aardvark" in s and "Badger" in s and "failed" in s and ended(s),
                what="three columns, all ended",
            )
            row = next(line for line in shown.splitlines() if "Aardvark" in line)
            assert "Badger" in row, "side by side, on one row"
        else:
            shown = session.wait_for(
                lambda s: "Aardvark" in s and "‹ 1/3 ›" in s and ended(s),
                what="the first, stacked, all ended",
            )
            assert "Badger" not in shown, "one column at a time at 80 columns"
        session.keys("BTab")  # from the input box to the last column shown
        if width == 80:  # stacked: right shows the next column
            session.keys("Right")
            session.wait_for(lambda s: "Badger" in s and "‹ 2/3 ›" in s, what="the second")
            session.keys("Right")
            session.wait_for(lambda s: "fishing" in s and "Badger" not in s, what="the third")
        session.keys("Left")  # the second column
        session.wait_for(
            lambda s: "Badger" in s and f"continues with {b}'s reply" in s.replace("\n", " "),
            what="the second column, focused",
        )
        session.keys("Enter")
        session.wait_for(
            lambda s: "Badger answer" in s and "‹2/2›" in s and "Aardvark" not in s,
            what="the pick",
        )
        session.keys("C-q")
        session.wait_closed()
    finally:
        session.close()
    session = TmuxSession(["-c"], terminal_env(router), width, 30)
    try:
        shown = session.wait_for(lambda s: "Badger answer" in s, what="the resumed pick")
        assert "‹2/2›" in shown
    finally:
        session.close()


def test_an_approved_tool_call_end_to_end_in_a_real_terminal(
    router: RouterServer, xdg: Path
) -> None:
    """An MCP server over stdio, a model that calls it, ctrl+g and Enter in a real terminal:
    the result shows under the call and the model's answer streams after it."""
    import json
    import sys

    from requesty_tui.storage import paths

    server = Path(__file__).resolve().parents[1] / "support" / "mcp_server.py"
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[mcp.notes]\ncommand = {json.dumps([sys.executable, str(server)])}\n")
    call = {"id": "call_1", "name": "echo", "arguments": '{"text": "milk, eggs"}'}
    router.queue(
        Reply(text="Let me check your list.", tool_calls=[call]),
        Reply(text="You need **milk** and eggs.", chunk_chars=4, delay=0.02),
    )
    session = TmuxSession([], terminal_env(router))
    try:
        session.wait_for(lambda s: "tools: " in s and " from 1 server" in s, what="the tools")
        session.keys("what do I need?", "Enter")
        asked = session.wait_for(lambda s: "Run this tool?" in s and "Answer tool call" in s,
                                 what="the question, and ctrl+g in the key bar")  # fmt: skip
        assert "notes › echo" in asked and '"text": "milk, eggs"' in asked
        assert len(router.chat_requests()) == 1
        session.keys("C-g")
        session.wait_for(lambda s: "left/right choose · Enter answers" in s,
                         what="the question focused")  # fmt: skip
        session.keys("Enter")  # Run once is highlighted
        done = session.wait_for(lambda s: "You need milk and eggs." in s, what="the answer")
        assert "notes › echo · done" in done and "2 requests" in done
        assert "Run this tool?" not in done
        session.keys("C-q")
        session.wait_closed()
    finally:
        session.close()


def type_slowly(session: TmuxSession, text: str, gap: float = 0.08) -> None:
    """Real typing at human speed (~12 keys a second): one send-keys per character."""
    import time

    for char in text:
        session.keys(char, literal=True)
        time.sleep(gap)


def test_typing_after_a_tool_question_never_answers_it(router: RouterServer, xdg: Path) -> None:
    """A filesystem tool asks to write a file; the user starts typing the next message 0.2 s,
    1 s and 3 s after the question appears: each time the text is whole in the input box, the
    file is not written, and nothing becomes 'always' allowed (the next call asks again).
    Answering takes ctrl+g, then Enter on the highlighted choice."""
    import json
    import sys
    import time

    from requesty_tui.storage import paths

    server = Path(__file__).resolve().parents[1] / "support" / "mcp_server.py"
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[mcp.fs]\ncommand = {json.dumps([sys.executable, str(server)])}\n")
    delays = (0.2, 1.0, 3.0)
    targets = [xdg / f"notes-{n}.txt" for n in range(len(delays))]
    replies = []
    for n, target in enumerate(targets):
        arguments = json.dumps({"path": str(target), "content": f"note {n}"})
        replies += [
            Reply(text="", tool_calls=[{"id": f"call_{n}", "name": "write_file",
                                        "arguments": arguments}]),
            Reply(text=f"Wrote note {n}."),
        ]  # fmt: skip
    router.queue(*replies)
    typed = "also, what about the other file?"
    session = TmuxSession([], terminal_env(router), width=100, height=30)
    try:
        session.wait_for(lambda s: "tools: " in s and " from 1 server" in s, what="the tools")
        session.keys("write my notes", "Enter")
        for n, (delay, target) in enumerate(zip(delays, targets, strict=True)):
            session.wait_for(lambda s: "Run this tool?" in s, what=f"question {n + 1}")
            time.sleep(delay)
            type_slowly(session, typed)
            shown = session.wait_for(lambda s: typed in s, what=f"the text typed after {delay} s")
            assert "fs › write_file · waiting for you" in shown, f"{delay} s: still asking"
            assert not target.exists(), f"typing {delay} s after the question wrote the file"
            assert len(router.chat_requests()) == 2 * n + 1, "nothing ran, nothing was sent"
            session.keys("C-g")  # the deliberate act: go to the question...
            session.wait_for(lambda s: "left/right choose · Enter answers" in s,
                             what="the question focused")  # fmt: skip
            session.keys("Enter")  # ...and answer it (Run once is highlighted)
            session.wait_for(lambda s, n=n: f"Wrote note {n}." in s, what=f"answer {n}")
            assert target.read_text() == f"note {n}"
            shown = session.wait_for(lambda s: typed in s, what="the text, still in the input")
            if n + 1 < len(delays):
                session.keys("Enter")  # send what was typed: the model writes again, and asks
        sent = [r["body"]["messages"] for r in router.chat_requests()]
        assert [m[-1]["content"] for m in sent[2::2]] == [typed, typed]
        session.keys("C-q")
        session.wait_closed()
    finally:
        session.close()


def test_typing_on_a_focused_reply_goes_to_the_input(router: RouterServer, xdg: Path) -> None:
    """A reply is focused to read it (shift+tab); "great, thanks" typed at human speed, then
    "and more" in one burst: all of it lands in the input box, in order; nothing is
    regenerated, copied or sent."""
    router.queue(Reply(text="Here is the answer."))
    session = TmuxSession([], terminal_env(router), width=100, height=30)
    try:
        session.wait_started()
        session.keys("question", "Enter")
        session.wait_for(lambda s: "Here is the answer." in s and "1 reply" in s, what="reply")
        session.keys("BTab")  # the reply has the focus
        session.wait_for(lambda s: "Regenerate" in s, what="the reply's keys in the key bar")
        type_slowly(session, "great, thanks")
        session.keys(" and more, yes")  # a burst, as a fast typist or tmux delivers it
        shown = session.wait_for(lambda s: "great, thanks and more, yes" in s, what="the text")
        assert "‹2/2›" not in shown and len(router.chat_requests()) == 1, "nothing regenerated"
        assert "Copied" not in shown and "copied" not in shown
        session.keys("Enter")
        session.wait_for(lambda s: "2 replies" in s, what="the text sent as the next message")
        assert router.chat_requests()[-1]["body"]["messages"][-1]["content"] == (
            "great, thanks and more, yes"
        )
        session.keys("C-q")
        session.wait_closed()
    finally:
        session.close()

"""The installed program in a real terminal (tmux): launch, type, Enter, see the reply stream."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.router_server import Reply, RouterServer
from tests.support.tmux import TmuxSession


def terminal_env(router: RouterServer, xdg: Path) -> dict[str, str]:
    env = {
        "REQUESTY_API_KEY": "tmux-key",
        "REQUESTY_BASE_URL": router.base_url,
        "TERM": "xterm-256color",
    }
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[var] = os.environ[var]
    return env


def test_chat_in_a_real_terminal(router: RouterServer, xdg: Path) -> None:
    words = " ".join(f"tok{i}" for i in range(60))
    router.queue(Reply(text=f"Here it comes: {words} **END**", chunk_chars=4, delay=0.05))
    session = TmuxSession([], terminal_env(router, xdg))
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
        session.wait_for(lambda s: "openai/gpt-4o-mini" not in s, what="the app to quit")
    finally:
        session.close()


def test_continue_latest_in_a_real_terminal(router: RouterServer, xdg: Path) -> None:
    from tests.test_cli import seed_sessions

    seed_sessions()
    session = TmuxSession(["-c"], terminal_env(router, xdg))
    try:
        shown = session.wait_for(lambda s: "prompt of Newer" in s, what="the resumed history")
        assert "bold reply" in shown and "**bold**" not in shown
    finally:
        session.close()


def test_kill_9_mid_reply_loses_at_most_a_few_seconds(router: RouterServer, xdg: Path) -> None:
    import signal
    import time

    from requesty_tui.store import SessionStore

    words = " ".join(f"w{i:04d}" for i in range(2000))
    router.queue(Reply(text=words, chunk_chars=6, delay=0.01))  # ~600 characters a second
    session = TmuxSession([], terminal_env(router, xdg))
    try:
        session.wait_started()
        session.keys("save me", "Enter")
        session.wait_for(lambda s: "w0010" in s, what="the reply to start")
        time.sleep(4.5)
        os.kill(session.pid(), signal.SIGKILL)
    finally:
        session.close()
    [summary] = SessionStore().summaries()
    conv = SessionStore().load(summary.id)
    assert conv.messages[0].content == "save me"
    on_disk = conv.messages[1].content if len(conv.messages) > 1 else ""
    assert words.startswith(on_disk), "what is on disk is exactly what was received"
    # ~4.5 s of streaming at ~600 chars/s; autosave every 2 s keeps all but the last ~2 s.
    assert len(on_disk) >= 600, f"only {len(on_disk)} characters survived kill -9"
    assert conv.messages[1].finish_reason is None, "saved mid-stream, never finished"
    print(f"\nkill -9 after ~4.5 s of streaming: {len(on_disk)} characters were on disk")


def test_copy_reaches_tmux_through_osc52(router: RouterServer, xdg: Path) -> None:
    from requesty_tui import paths

    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('clipboard = "osc52"\n')
    reply = "Copy *me*: `x = 1` ✓"
    router.queue(Reply(text=reply))
    session = TmuxSession([], terminal_env(router, xdg))
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


def test_model_text_cannot_touch_the_terminal(router: RouterServer, xdg: Path) -> None:
    """A reply full of escape sequences leaves the title and clipboard alone."""
    evil = (
        "\x1b]0;PWNED-TITLE\x07\x1b]52;c;UFdORUQ=\x07\x1b[2J\x1b[31mred\x1b[0m "
        "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ done"
    )
    router.queue(Reply(text=evil))
    session = TmuxSession([], terminal_env(router, xdg))
    try:
        session.tmux("set-option", "-s", "set-clipboard", "on")
        session.wait_started()
        session.keys("hi", "Enter")
        shown = session.wait_for(lambda s: "done" in s, what="the reply")
        assert "␛]0;PWNED-TITLE" in shown, "escape sequences are shown as text"
        title = session.tmux("display-message", "-p", "#{pane_title}")
        assert "PWNED" not in title
        buffers = session.tmux("list-buffers")
        assert "PWNED" not in buffers and "UFdORUQ" not in buffers
    finally:
        session.close()

"""Bad input to ``requesty-tui import``: one line naming the file (and the conversation), the good
conversations imported, nothing half-written, and an exit code that says what happened."""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from requesty_tui.cli import main
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.exports import chatgpt_generated, sqlite_db, write_json, write_zip
from tests.unit.test_import import ELIA, elia_db


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["import", *args])
    out, err = capsys.readouterr()
    return code, out, err


def session_files() -> list[Path]:
    folder = SessionStore().folder
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def test_a_corrupt_zip_an_unknown_file_and_a_missing_path_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_zip(tmp_path / "good.zip", {"conversations.json": chatgpt_generated(3)})
    corrupt = tmp_path / "export.zip"
    corrupt.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes")
    for path, words in (
        (corrupt, "damaged zip"),
        (notes, "not a known export"),
        (tmp_path / "nowhere.zip", "no such file"),
    ):
        code, _, err = run(capsys, str(path))
        assert code == 2, err
        assert err.count("\n") == 1 and str(path) in err and words in err
    assert session_files() == []


def test_truncated_json_keeps_the_conversations_before_the_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = write_json(tmp_path / "whole.json", chatgpt_generated(5))
    cut = tmp_path / "conversations.json"
    text = whole.read_text()
    cut.write_text(text[: text.index('"c00004')])  # in the middle of the fifth
    code, out, err = run(capsys, str(cut))
    assert code == 4, "some failed"
    assert "4 conversations added" in out and "1 failed" in out
    assert "breaks off after conversation 4" in err and str(cut) in err
    assert len(session_files()) == 4
    assert not list(SessionStore().folder.glob(".*")), "no temp file left"


def test_one_malformed_conversation_among_many_is_named_and_the_rest_come(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conversations = chatgpt_generated(40, turns=2)
    conversations[17]["mapping"] = "garbage"
    conversations[30] = ["not", "an", "object"]
    code, out, err = run(capsys, str(write_json(tmp_path / "conversations.json", conversations)))
    assert code == 4
    assert "38 conversations added" in out and "2 failed" in out
    assert "conversation 'c00017-0000-4000-8000-000000000017' ('Conversation 17')" in err
    assert "no 'mapping'" in err and "item 31: not a conversation object" in err
    assert len(session_files()) == 38


def test_a_locked_database_and_a_newer_schema_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = elia_db(tmp_path / "elia.sqlite")
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run(capsys, "--from", "elia", str(db_path))
    finally:
        holder.rollback()
        holder.close()
    assert code == 2 and "locked" in err and str(db_path) in err
    newer = sqlite_db(
        tmp_path / "newer.sqlite",
        ELIA.replace("role TEXT, content TEXT", "role TEXT, body_v2 TEXT"),
        {},
    )
    code, _, err = run(capsys, "--from", "elia", str(newer))
    assert code == 2 and "no content" in err and "newer Elia schema" in err
    assert session_files() == []


def test_nothing_readable_at_all_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = [{"id": f"x{n}", "mapping": None} for n in range(3)]
    code, out, err = run(capsys, str(write_json(tmp_path / "conversations.json", bad)))
    assert code == 2 and "3 failed" in out and err.count("\n") == 3


def test_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    export = write_json(tmp_path / "conversations.json", chatgpt_generated(300, turns=2))
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "requesty_tui", "import", str(export)],
            stdout=subprocess.PIPE,
            stderr=follower,
            env=os.environ.copy(),
            timeout=120,
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    shown = seen.decode()
    assert "conversations" in shown and "/s" in shown and "█" in shown
    assert shown.endswith("\r\x1b[K"), "the bar is cleared at the end"
    piped = subprocess.run(
        [sys.executable, "-m", "requesty_tui", "import", str(export)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.returncode == 0 and piped.stderr == "", "no bar when stderr is not a terminal"
    assert "300 already there" in piped.stdout

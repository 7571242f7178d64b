"""Promise 3: the disk is treated with care.

A full disk or a read-only data folder: the app keeps running, says that saving failed and
where, keeps the conversation in memory, retries, and never truncates the previous file. Broken
session files (corrupt, empty, future format, 50 MB, not UTF-8) are listed as unreadable and
left byte for byte as they were.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from requesty_tui.chat import autosave
from requesty_tui.core.settings import Settings
from requesty_tui.storage import paths
from requesty_tui.storage.sessions import SessionError, SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from tests.support.ui import chat_screen, send_and_wait, wait_for

REPLY = "A long answer. " * 2000  # ~30 KB: more than the tiny disk has left


def mount_tmpfs(where: Path, options: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True
    )
    return done.returncode == 0


@pytest.fixture
def data_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """XDG_DATA_HOME on a folder of its own (a tmpfs mount where the test needs one)."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    monkeypatch.setattr(autosave, "RETRY_EVERY", 0.3)
    yield folder
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def notifications(app: RequestyApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def fail_then_recover(
    router: RouterServer, settings: Settings, break_disk, heal_disk, expected: str
) -> None:  # type: ignore[no-untyped-def]
    router.queue(Reply(text="first answer"), Reply(text=REPLY, chunk_chars=200))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send_and_wait(pilot, "one")
        await wait_for(pilot, lambda: screen.saver.idle, what="the save")
        saved = SessionStore().path_for(screen.conversation.id)
        before = saved.read_bytes()
        break_disk()
        await send_and_wait(pilot, "two")
        await wait_for(pilot, lambda: len(screen.conversation.messages) == 4, what="reply")
        failures = [n for n in notifications(app) if n.startswith("Saving failed")]
        assert len(failures) == 1, "said once, not on every retry"
        assert expected in failures[0] and str(paths.sessions_dir()) in failures[0]
        assert screen.conversation.messages[-1].content == REPLY, "kept in memory"
        assert saved.read_bytes() == before, "the previous file is untouched, not truncated"
        assert screen.is_attached and app.is_running
        heal_disk()
        await wait_for(
            pilot, lambda: any("Saved again" in n for n in notifications(app)), what="retry"
        )
    conversation = SessionStore().load(screen.conversation.id)
    assert [m.content for m in conversation.messages] == ["one", "first answer", "two", REPLY]


async def test_full_disk(router: RouterServer, settings: Settings, data_on: Path) -> None:
    if not mount_tmpfs(data_on, "size=256k"):
        pytest.skip("mounting a tmpfs needs root; see test_full_disk_injected")
    filler = data_on / "filler"

    def fill() -> None:
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 1024)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)

    await fail_then_recover(router, settings, fill, filler.unlink, "No space left on device")


async def test_full_disk_injected(
    router: RouterServer, settings: Settings, data_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same promise where mounting is not allowed: every fsync says ENOSPC."""
    import requesty_tui.storage.atomic as atomic

    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    await fail_then_recover(
        router,
        settings,
        lambda: monkeypatch.setattr(atomic.os, "fsync", full),
        lambda: monkeypatch.setattr(atomic.os, "fsync", real_fsync),
        "No space left on device",
    )


async def test_read_only_data_folder(
    router: RouterServer, settings: Settings, data_on: Path
) -> None:
    sessions = data_on / "requesty-tui" / "sessions"
    if os.geteuid() == 0:
        # root writes through permissions: a read-only mount is the real thing.
        if not mount_tmpfs(data_on, "size=1m"):
            pytest.skip("cannot mount a tmpfs")

        def protect() -> None:
            subprocess.run(["mount", "-o", "remount,ro", str(data_on)], check=True)

        def release() -> None:
            subprocess.run(["mount", "-o", "remount,rw", str(data_on)], check=True)

        expected = "Read-only file system"
    else:

        def protect() -> None:
            sessions.chmod(0o500)

        def release() -> None:
            sessions.chmod(0o700)

        expected = "Permission denied"
    await fail_then_recover(router, settings, protect, release, expected)


BROKEN = {
    "corrupt": (b"format = 1\nid = [unclosed\n", "not valid TOML"),
    "empty": (b"", "missing 'format'"),
    "future": (b'format = 99\nid = "x"\nmodel = "m"\n', "newer than this version"),
    "not-utf8": (b'format = 1\nid = "\xff\xfe"\n', "not UTF-8"),
    "50 MB": (b'format = 1\nid = "big"\nmodel = "m"\nnote = """' + b"x" * 50_000_000, "TOML"),
}


@pytest.mark.parametrize("kind", list(BROKEN))
async def test_broken_files_are_listed_and_untouched(
    router: RouterServer, settings: Settings, kind: str
) -> None:
    content, reason = BROKEN[kind]
    store = SessionStore()
    paths.sessions_dir().mkdir(parents=True, exist_ok=True)
    bad = paths.sessions_dir() / "20261126-000001-bad1.toml"
    bad.write_bytes(content)
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        await pilot.press("ctrl+o")
        browser = app.screen
        await wait_for(pilot, lambda: not browser.indexing, timeout=60, what="the index")
        rows = [row for row in store.summaries() if not row.readable]
        assert len(rows) == 1 and reason in (rows[0].error or ""), rows
        table = browser.query_one("DataTable")
        assert table.row_count == 1
        assert "unreadable" in " ".join(str(c) for c in table.get_row_at(0)).lower()
        await pilot.press("enter")  # trying to open it says why, and changes nothing
        await pilot.pause()
    with pytest.raises(SessionError, match=reason):
        store.load("20261126-000001-bad1")
    assert bad.read_bytes() == content, "never rewritten"

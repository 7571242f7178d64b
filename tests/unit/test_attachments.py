"""Attachments below the UI: what a file is (by content), the store (content-addressed, private,
collected when unused), what the router receives, and the session file (format 3)."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from requesty_tui.chat.attachments import refusal
from requesty_tui.chat.request import build_request
from requesty_tui.chat.turn import start_turn
from requesty_tui.core.domain import Conversation, ModelInfo
from requesty_tui.storage.attachments import AttachmentError, AttachmentStore
from requesty_tui.storage.session_format import from_toml, to_toml
from requesty_tui.storage.sessions import SessionStore
from tests.support.files import pdf, png


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "my files ü"
    folder.mkdir()
    (folder / "build log.txt").write_text("error: ```not a fence``` at line 3\n")
    (folder / "shot.png").write_bytes(png())
    (folder / "paper.pdf").write_bytes(pdf(["First page words", "Second page words"]))
    (folder / "junk.bin").write_bytes(bytes(range(256)) * 4)
    (folder / "readme").write_text("no extension, still text")
    return folder


def test_files_are_known_by_content_and_kept_privately_once(files: Path) -> None:
    store = AttachmentStore()
    log = store.add(files / "build log.txt")
    assert (log.kind, log.name) == ("text", "build log.txt")
    assert store.add(files / "readme").kind == "text", "by content, not by extension"
    assert store.add(files / "shot.png").mime == "image/png"
    assert store.add(files / "paper.pdf").kind == "pdf"
    with pytest.raises(AttachmentError, match="binary file"):
        store.add(files / "junk.bin")
    with pytest.raises(AttachmentError, match="folder"):
        store.add(files)
    with pytest.raises(AttachmentError, match="cannot read"):
        store.add(files / "gone.txt")
    with pytest.raises(AttachmentError, match=r"is 1\.0 KB; the limit is 1000 B"):
        store.add(files / "junk.bin", max_bytes=1000)
    copy = store.folder / log.sha256
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700
    assert store.add(files / "build log.txt") == log and len(list(store.folder.iterdir())) == 4


def test_the_request_carries_text_fenced_pdf_pages_and_images(files: Path) -> None:
    store = AttachmentStore()
    attached = [store.add(files / n) for n in ("build log.txt", "paper.pdf", "shot.png")]
    conv = Conversation(id="20261202-000000-att", model="v/see")
    start_turn(conv, "why does this fail?", "v/see", attachments=attached)
    (files / "build log.txt").write_text("changed since")  # the copy is what is sent
    [message] = build_request(conv, None).to_body()["messages"]
    text, image = message["content"]
    assert text["type"] == "text"
    body = text["text"]
    assert body.startswith("why does this fail?")
    assert "````build log.txt\nerror: ```not a fence``` at line 3\n\n````" in body
    assert "--- page 1 of 2 ---\nFirst page words" in body and "--- page 2 of 2 ---" in body
    assert image["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(png()).decode(
        "ascii"
    )
    plain = Conversation(id="20261202-000001-att", model="m/x")
    start_turn(plain, "no files", "m/x")
    assert build_request(plain, None).to_body()["messages"][0]["content"] == "no files"


def test_images_go_only_to_models_that_see(files: Path) -> None:
    image = AttachmentStore().add(files / "shot.png")
    seeing = ModelInfo(id="v/see", supports_vision=True)
    blind = ModelInfo(id="b/lind")
    assert refusal([image], "v/see", seeing, [seeing, blind]) is None
    said = refusal([image], "b/lind", blind, [seeing, blind])
    assert said is not None and "shot.png" in said and "Models that can: v/see" in said


def test_the_session_file_refers_to_copies_and_delete_collects_them(files: Path) -> None:
    store = AttachmentStore()
    log = store.add(files / "build log.txt")
    shot = store.add(files / "shot.png")
    sessions = SessionStore()
    first = Conversation(id="20261202-000000-one", model="m/x")
    start_turn(first, "look", "m/x", attachments=[log, shot])
    text = to_toml(first)
    assert "format = 3" in text and f'sha256 = "{log.sha256}"' in text
    assert "changed since" not in text and "error:" not in text, "the file is not inlined"
    again = from_toml(text)
    assert again.messages[0].attachments == [log, shot]
    second = Conversation(id="20261202-000000-two", model="m/x")
    start_turn(second, "the same log", "m/x", attachments=[log])
    sessions.save(first)
    sessions.save(second)
    sessions.delete(first.id)
    assert (store.folder / log.sha256).exists(), "still used by the second"
    assert not (store.folder / shot.sha256).exists(), "used by nobody"
    plain = Conversation(id="20261202-000000-pln", model="m/x")
    start_turn(plain, "no files", "m/x")
    assert "format = 1" in to_toml(plain)


def test_a_text_file_too_big_for_the_models_window_is_refused(tmp_path: Path) -> None:
    from requesty_tui.chat.attachments import too_big

    (tmp_path / "big.log").write_text("word " * 2000)  # ~2,500 tokens
    attachment = AttachmentStore().add(tmp_path / "big.log")
    store = AttachmentStore()
    assert too_big(attachment, store, ModelInfo(id="w/ide", context_window=128_000)) is None
    said = too_big(attachment, store, ModelInfo(id="t/iny", context_window=1000))
    assert said is not None and "t/iny's context window is 1,000" in said


def test_export_names_attachments_and_shows_text_files_inline(files: Path) -> None:
    from requesty_tui.storage.export import to_markdown

    store = AttachmentStore()
    conv = Conversation(id="20261202-000000-exp", model="m/x", title="Export")
    start_turn(conv, "look", "m/x", attachments=[store.add(files / "build log.txt"),
                                                store.add(files / "shot.png")])  # fmt: skip
    text = to_markdown(conv)
    assert "📎 *build log.txt* (35 B, text)" in text and "error: ```not a fence```" in text
    assert "📎 *shot.png* (73 B, image)" in text and "base64" not in text

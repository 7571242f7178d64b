"""A screenshot pasted into the input box: ctrl+v (or a terminal paste that brought nothing,
which is what terminals send for an image) with an image on the system clipboard attaches it.

Terminals paste text only, so the image is read with what the system has: ``wl-paste``
(Wayland), ``xclip`` (X11), ``pngpaste`` or ``osascript`` (macOS), PowerShell (Windows). It
then goes through every rule of an attachment (:class:`AttachControl`: the size limit, the
content-addressed copy, the chip; vision models only, at Enter). Text on the clipboard pastes
as text. Where no tool can give an image (over SSH, say) the notice names what to install, or
ctrl+t.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat_attach import AttachControl
    from requesty_tui.ui.widgets.prompt_input import PromptInput

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
"""What the clipboard may offer, best first (PNG: what screenshots are)."""

TEXT_TYPES = ("text/plain;charset=utf-8", "UTF8_STRING", "text/plain", "STRING")

TIMEOUT = 5.0
"""Seconds a clipboard tool may take (xclip waits for the owner of the selection)."""


@dataclass(frozen=True, slots=True)
class Clip:
    image: bytes | None = None
    text: str | None = None
    problem: str | None = None
    """No tool could read an image here: what to install (or ctrl+t)."""


def _run(argv: list[str], environ: Mapping[str, str]) -> bytes | None:
    try:
        done = subprocess.run(argv, capture_output=True, timeout=TIMEOUT, env=dict(environ),
                              stdin=subprocess.DEVNULL, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _from_list(types: list[str], read: list[str], environ: Mapping[str, str]) -> Clip:
    """wl-paste and xclip both list what the clipboard offers, then give one of them."""
    for mime in IMAGE_TYPES:
        if mime in types:
            data = _run([*read, mime], environ)
            if data:
                return Clip(image=data)
    for mime in TEXT_TYPES:
        if mime in types:
            data = _run([*read, mime], environ)
            if data is not None:
                return Clip(text=data.decode("utf-8", "replace"))
    return Clip()


def read_clipboard(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> Clip:
    """What the system clipboard holds: an image, else text, else nothing (or a problem)."""
    env = os.environ if environ is None else environ
    path = env.get("PATH")
    if platform == "darwin":
        if shutil.which("pngpaste", path=path):
            data = _run(["pngpaste", "-"], env)
            return Clip(image=data) if data else Clip()
        out = _run(["osascript", "-e", "the clipboard as «class PNGf»"], env)
        found = re.search(rb"PNGf([0-9A-Fa-f]+)", out or b"")
        return Clip(image=bytes.fromhex(found.group(1).decode())) if found else Clip()
    if platform == "win32":
        script = (
            "Add-Type -AssemblyName System.Windows.Forms,System.Drawing;"
            "$i=[System.Windows.Forms.Clipboard]::GetImage();"
            "if($i){$m=New-Object IO.MemoryStream;$i.Save($m,[System.Drawing.Imaging.ImageFormat]"
            "::Png);[Convert]::ToBase64String($m.ToArray())}"
        )
        out = _run(["powershell", "-NoProfile", "-STA", "-Command", script], env)
        return Clip(image=base64.b64decode(out)) if out and out.strip() else Clip()
    if env.get("WAYLAND_DISPLAY") and shutil.which("wl-paste", path=path):
        listed = _run(["wl-paste", "--list-types"], env)
        types = (listed or b"").decode("utf-8", "replace").split()
        return _from_list(types, ["wl-paste", "--no-newline", "--type"], env)
    if env.get("DISPLAY") and shutil.which("xclip", path=path):
        listed = _run(["xclip", "-selection", "clipboard", "-t", "TARGETS", "-o"], env)
        types = (listed or b"").decode("utf-8", "replace").split()
        return _from_list(types, ["xclip", "-selection", "clipboard", "-o", "-t"], env)
    if env.get("WAYLAND_DISPLAY"):
        need = "install wl-clipboard (wl-paste) to paste images"
    elif env.get("DISPLAY"):
        need = "install xclip to paste images"
    else:
        need = "no system clipboard here (over SSH, say)"
    return Clip(problem=f"{need}, or attach the file with ctrl+t")


def image_file(data: bytes) -> Path:
    """The image as a file to attach, named for when it was pasted (in a private temp folder:
    the attachment store keeps its own copy)."""
    folder = Path(tempfile.mkdtemp(prefix="requesty-clip-"))
    path = folder / time.strftime("clipboard-%Y%m%d-%H%M%S.png")
    path.write_bytes(data)
    return path


async def paste_from_clipboard(attach: AttachControl, box: PromptInput, empty: bool) -> None:
    """ctrl+v (``empty``: a paste that brought nothing): an image attaches, text pastes, and
    with neither the app's own clipboard pastes as before."""
    import asyncio

    if box.app.is_web:  # the system clipboard is the server's
        box.paste_text()
        return
    clip = await asyncio.to_thread(read_clipboard)
    if clip.image is not None:
        path = image_file(clip.image)
        try:
            await attach.attach(path)
        finally:
            path.unlink(missing_ok=True)
            path.parent.rmdir()
        return
    if clip.text:
        box.insert(clip.text)
        return
    if box.app.clipboard and not empty:
        box.paste_text()  # what ctrl+y copied in this app
        return
    why = clip.problem or "the clipboard holds no image or text"
    box.notify(f"Nothing pasted: {why}.", severity="warning", timeout=10, markup=False)

"""One top-level setting of ``config.toml`` changed as text: the rest of the file (comments,
blank lines, order, line endings) stays byte for byte. Dumping the parsed TOML again would
lose the comments and reorder the tables of a file the user wrote.

Every edit is checked by parsing the result: it must hold exactly what the file held, with
only that one key changed; an edit that cannot be made so (the key inside a multi-line
string, say) is refused with the reason, and the file is left alone.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from requesty_tui.core.settings import ConfigError
from requesty_tui.storage.atomic import write_atomic
from requesty_tui.storage.paths import ensure_private_dir

_HEADER = re.compile(r"\s*\[")
"""A table header (``[keys]``, ``[[x]]``): what follows it is not top level."""


def _key_line(key: str) -> re.Pattern[str]:
    """A line that sets ``key`` (bare or quoted)."""
    name = re.escape(key)
    return re.compile(rf"""\s*(?:{name}|"{name}"|'{name}')\s*=""")


def read_text(path: Path) -> str:
    """The file as it is (no newline translation); "" when it does not exist."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc})") from None


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix it first") from None


def _first_header(lines: list[str]) -> int:
    return next((n for n, line in enumerate(lines) if _HEADER.match(line)), len(lines))


def _write(path: Path, text: str, private: bool) -> None:
    if private:
        ensure_private_dir(path.parent)
        os.chmod(path.parent, 0o700)  # the folder of a file that holds the key
    write_atomic(path, text, mode=0o600)


def set_top_level(path: Path, key: str, value: str, *, private: bool = False) -> None:
    """Set ``key = "value"`` at the top level: the line that sets it is replaced, or a line is
    added after the top-level settings (before the first table), or at the very top.
    ``private``: the value is a secret (the folder is made 0700; the file is 0600 anyway)."""
    text = read_text(path)
    expected = {**_parse(text, path), key: value}
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if "\r\n" in text else "\n"
    setting = f"{key} = {json.dumps(value)}"
    header = _first_header(lines)
    pattern = _key_line(key)
    candidates: list[list[str]] = []
    for n in range(header):
        if pattern.match(lines[n]):
            ending = lines[n][len(lines[n].rstrip("\r\n")) :] or newline
            candidates.append([*lines[:n], setting + ending, *lines[n + 1 :]])
            break
    at = header
    while at > 0 and (not lines[at - 1].strip() or lines[at - 1].lstrip().startswith("#")):
        at -= 1  # the comments and blank lines above a table belong to it
    if at > 0:
        head = lines[:at]
        if not head[-1].endswith("\n"):
            head[-1] += newline
        candidates.append([*head, setting + newline, *lines[at:]])
    candidates.append([setting + newline, *lines])
    for candidate in candidates:
        new_text = "".join(candidate)
        try:
            if tomllib.loads(new_text) == expected:
                _write(path, new_text, private)
                return
        except tomllib.TOMLDecodeError:
            continue
    raise ConfigError(
        f"{path}: {key} could not be set without rewriting the file; "
        f'put {key} = "…" on a line of its own at the top'
    )


def remove_top_level(path: Path, key: str) -> bool:
    """Take the line that sets ``key`` out of the file; False when the file does not set it.
    The rest of the file stays as it was."""
    text = read_text(path)
    before = _parse(text, path)
    if key not in before:
        return False
    expected = {k: v for k, v in before.items() if k != key}
    lines = text.splitlines(keepends=True)
    pattern = _key_line(key)
    kept = [line for n, line in enumerate(lines[: _first_header(lines)]) if not pattern.match(line)]
    new_text = "".join([*kept, *lines[_first_header(lines) :]])
    try:
        ok = tomllib.loads(new_text) == expected
    except tomllib.TOMLDecodeError:
        ok = False
    if not ok:
        raise ConfigError(
            f"{path}: {key} could not be taken out without rewriting the file; "
            f"delete its line yourself"
        )
    _write(path, new_text, private=False)
    return True

"""Presets: a prompt, a model and how to route it, saved under a name, one hand-editable TOML
file each in ``$XDG_CONFIG_HOME/requesty-tui/presets/NAME.toml`` (see the README).

Requesty's own Prompt Library lives in its dashboard and has no API to list it; these are local
files. Each value follows the same rule as in ``config.toml`` and the palette
(:mod:`requesty_tui.core.options`). A broken file is reported with its file, key and problem,
as ``config.toml`` errors are, and the other presets still work. The examples that ship with
the package are copied into the folder the first time it is looked at.
"""

from __future__ import annotations

import difflib
import re
import string
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from requesty_tui.core import options
from requesty_tui.storage import paths
from requesty_tui.storage.atomic import write_atomic

KEYS = (
    "description",
    "model",
    "system_prompt",
    "temperature",
    "max_tokens",
    "reasoning_effort",
    "tags",
    "user_id",
    "auto_cache",
    "tools",
    "first_message",
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class PresetError(Exception):
    """A preset cannot be used; the message names the file, the key and the problem."""


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    path: Path
    model: str
    description: str = ""
    system_prompt: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    reasoning_effort: str | None = None
    tags: tuple[str, ...] = ()
    user_id: str | None = None
    auto_cache: bool | None = None
    tools: bool | None = None
    first_message: str = ""
    """A template: ``{name}`` is asked for when the preset is used (``{{`` is a brace)."""

    @property
    def placeholders(self) -> list[str]:
        return placeholders(self.first_message)


@dataclass(frozen=True, slots=True)
class BrokenPreset:
    name: str
    path: Path
    problem: str
    """``PATH: key 'temperature': …`` (what to fix, and where)."""


def presets_dir() -> Path:
    return paths.config_dir() / "presets"


def placeholders(template: str) -> list[str]:
    """The ``{names}`` of a template, each once, in order. Raises ValueError for a template
    Python's format cannot read (an unmatched brace)."""
    names: list[str] = []
    for _text, field, _spec, _conversion in string.Formatter().parse(template):
        if field is not None and field not in names:
            if not field.isidentifier():
                raise ValueError(f"{{{field}}} is not a name (letters, digits, _)")
            names.append(field)
    return names


def fill(template: str, values: Mapping[str, str]) -> str:
    """The template with each placeholder replaced by its value (as text, never evaluated)."""
    out = []
    for text, field, _spec, _conversion in string.Formatter().parse(template):
        out.append(text)
        if field is not None:
            out.append(values.get(field, ""))
    return "".join(out)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise options.OptionError("must be text")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise options.OptionError("must be true or false")
    return value


def _model(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
        raise options.OptionError('must be a model id such as "openai/gpt-4o-mini" or "policy/…"')
    return value.strip()


def _template(value: object) -> str:
    text = _text(value)
    try:
        placeholders(text)
    except ValueError as exc:
        raise options.OptionError(f"is not a template ({exc}; write {{{{ for a brace)") from None
    return text


_RULES: dict[str, Callable[[object], Any]] = {
    "description": _text,
    "model": _model,
    "system_prompt": _text,
    "temperature": options.parse_temperature,
    "max_tokens": options.parse_max_tokens,
    "reasoning_effort": options.parse_reasoning_effort,
    "tags": lambda v: tuple(options.parse_tags(v)),
    "user_id": _text,
    "auto_cache": _bool,
    "tools": _bool,
    "first_message": _template,
}


def parse_preset(name: str, path: Path, text: str) -> Preset:
    """One file's text as a preset; raises :class:`PresetError` naming the key and the fix."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{path}: not valid TOML ({exc})") from None
    values: dict[str, Any] = {}
    for key, value in data.items():
        rule = _RULES.get(key)
        if rule is None:
            near = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else f" (known: {', '.join(KEYS)})"
            raise PresetError(f"{path}: unknown key {key!r}{hint}")
        try:
            values[key] = rule(value)
        except options.OptionError as exc:
            raise PresetError(f"{path}: key {key!r}: {exc}") from None
    if "model" not in values:
        raise PresetError(f"{path}: key 'model' is missing (e.g. model = \"openai/gpt-4o-mini\")")
    if values.get("system_prompt") is not None and not values["system_prompt"].strip():
        values["system_prompt"] = None
    return Preset(name=name, path=path, **values)


def list_presets(folder: Path | None = None) -> tuple[list[Preset], list[BrokenPreset]]:
    """Every preset by name, and the files that are broken (with their problem)."""
    folder = folder or presets_dir()
    copy_examples(folder)
    good: list[Preset] = []
    broken: list[BrokenPreset] = []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            good.append(parse_preset(path.stem, path, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            broken.append(BrokenPreset(path.stem, path, f"{path}: cannot read ({exc})"))
        except PresetError as exc:
            broken.append(BrokenPreset(path.stem, path, str(exc)))
    return good, broken


def load_preset(name: str, folder: Path | None = None) -> Preset:
    """The preset called ``name``; raises :class:`PresetError` saying why not (and which
    presets there are)."""
    good, broken = list_presets(folder)
    for preset in good:
        if preset.name == name:
            return preset
    for bad in broken:
        if bad.name == name:
            raise PresetError(bad.problem)
    names = ", ".join(p.name for p in good) or "none yet"
    raise PresetError(f"no preset named {name!r} in {folder or presets_dir()} (there are: {names})")


def save_preset(name: str, values: Mapping[str, object], folder: Path | None = None) -> Path:
    """Write ``NAME.toml`` (values that are None or empty are left out); raises
    :class:`PresetError` for a name that cannot be a file name, OSError when it cannot be
    written."""
    if not _NAME.match(name):
        raise PresetError(
            f"{name!r} cannot be a preset name: letters, digits, '.', '_' and '-' (up to 64)"
        )
    folder = folder or presets_dir()
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        key: list(value) if isinstance(value, tuple) else value
        for key in KEYS
        if (value := values.get(key)) is not None and value not in ("", [], ())
    }
    path = folder / f"{name}.toml"
    write_atomic(path, tomli_w.dumps(data, multiline_strings=True))
    return path


def copy_examples(folder: Path) -> None:
    """The examples that ship with the package, into a presets folder that does not exist yet
    (once: a user who deletes them does not get them back)."""
    if folder.exists():
        return
    try:
        paths.ensure_private_dir(folder)  # like every folder of ours
        for example in (
            resources.files("requesty_tui.storage").joinpath("preset_examples").iterdir()
        ):
            if example.name.endswith(".toml"):
                write_atomic(folder / example.name, example.read_text(encoding="utf-8"))
    except OSError:
        pass  # no examples: the user can still write presets (and is told where when saving)

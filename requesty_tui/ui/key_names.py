"""Key names as a user reads them in the app's own text (the input's placeholder, the top bar,
a tool call's question), following the ``[keys]`` remaps of config.toml: text that names a
key the user has moved would teach a key that no longer works."""

from __future__ import annotations

from collections.abc import Mapping

_NAMES = {"enter": "Enter", "escape": "Esc", "space": "Space", "tab": "Tab", "delete": "Delete"}


def bound_key(keys: Mapping[str, str], binding_id: str, default: str) -> str:
    """The key a binding id is on: the first of its remapped keys, else ``default``."""
    remapped = keys.get(binding_id, "")
    first = remapped.split(",")[0].strip()
    return first or default


def key_label(key: str) -> str:
    """``f2`` -> ``F2``, ``enter`` -> ``Enter``, ``ctrl+s`` stays as it is."""
    if key in _NAMES:
        return _NAMES[key]
    if key[:1] == "f" and key[1:].isdigit():
        return key.upper()
    return key


def label_for(keys: Mapping[str, str], binding_id: str, default: str) -> str:
    """What to call the key of ``binding_id`` in text."""
    return key_label(bound_key(keys, binding_id, default))

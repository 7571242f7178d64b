"""Session files are read by rtoml where it is installed: what it gives must be what tomllib
gives, and what it refuses must be refused with tomllib's words (where the problem is)."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, timedelta, timezone

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from requesty_tui.storage import toml_reading

DOCUMENT = """format = 1
created = 2026-12-05 19:25:47+00:00
edited = 2026-12-05T19:25:47.250-07:00
local = 2026-12-05T08:00:00
day = 2026-12-05
noon = 12:00:00
big = 9007199254740993
ratio = 1.5e-3
"dotted.key" = "quoted"

[[messages]]
role = "assistant"
content = '''
Reply with "quotes", a \\ backslash and ünïcödé
'''
usage = { prompt_tokens = 3, cost = 0.000125 }
when = [1979-05-27T00:32:00Z, 1979-05-27T00:32:00+05:30]
"""


def test_a_document_reads_as_tomllib_reads_it() -> None:
    data = toml_reading.loads(DOCUMENT)
    assert data == tomllib.loads(DOCUMENT)
    assert data["created"].tzinfo is UTC
    assert data["messages"][0]["when"][1].utcoffset() == timedelta(hours=5, minutes=30)
    # rtoml's own time-zone class cannot be deep-copied; what this returns can.
    assert copy.deepcopy(data) == data


@pytest.mark.parametrize(
    "text", ["a = 1\na = 2\n", "a = '''x\x01'''\n", 'a = "\\q"\n', "[t]\n[t]\n", "a = \n"]
)
def test_what_is_refused_is_refused_in_tomllibs_words(text: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError) as ours:
        toml_reading.loads(text)
    with pytest.raises(tomllib.TOMLDecodeError) as theirs:
        tomllib.loads(text)
    assert str(ours.value) == str(theirs.value)


VALUES = st.recursive(
    st.none().map(lambda _: "")
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text()
    | st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7))])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), VALUES, max_size=6), st.booleans())
def test_any_document_the_writer_makes_reads_the_same(data: dict, multiline: bool) -> None:
    text = tomli_w.dumps(data, multiline_strings=multiline)
    assert toml_reading.loads(text) == tomllib.loads(text)

"""Fuzz of the small parsers of the words of commands: each gives a value or its typed
refusal, nothing else. ``ValueError`` for durations, days, quiet hours, time zones and every
setting's value (whose canonical text, as ``!config set`` stores it, parses again to the same
value); ``CommandError`` for proposal and task references; and a name's key never raises.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from commands.errors import CommandError
from commands.parsing import any_ref, name_key, proposal_number, task_number
from commands.settings import SETTINGS
from commands.timefmt import parse_day, parse_duration, parse_quiet_hours, parse_zone
from tests.fuzzing import (
    any_setting_value,
    any_token,
    date_token,
    duration_token,
    fragment,
    name_text,
    quiet_token,
    ref_token,
    setting_value,
    zone_token,
)

# --- the small parsers ----------------------------------------------------------------------------

def only(error: type[Exception], fn, *args) -> Any:
    try:
        return fn(*args)
    except error:
        return None


@given(text=st.one_of(duration_token, st.text(max_size=30),
                      st.builds(lambda a, b: a + b, duration_token, fragment)))
def test_parse_duration_refuses_with_value_error(text):
    result = only(ValueError, parse_duration, text)
    assert result is None or (isinstance(result, timedelta) and result > timedelta(0))


@given(text=st.one_of(date_token, st.text(max_size=20)))
def test_parse_day_refuses_with_value_error(text):
    result = only(ValueError, parse_day, text)
    assert result is None or isinstance(result, date)


@given(text=st.one_of(quiet_token, st.text(max_size=20)))
def test_parse_quiet_hours_refuses_with_value_error(text):
    result = only(ValueError, parse_quiet_hours, text)
    assert result is None or (isinstance(result[0], time) and isinstance(result[1], time))


@given(text=st.one_of(zone_token, st.text(max_size=20),
                      st.builds(lambda a, b: a + b, zone_token, fragment)))
def test_parse_zone_refuses_with_value_error(text):
    only(ValueError, parse_zone, text)


@given(text=st.one_of(name_text, st.text()))
def test_name_key_never_raises(text):
    assert isinstance(name_key(text), str)


@given(token=st.one_of(ref_token, st.text(max_size=12), any_token))
def test_refs_refuse_with_command_error(token):
    for parse in (proposal_number, task_number):
        number = only(CommandError, parse, token)
        assert number is None or 0 <= number <= 999_999_999
    ref = only(CommandError, any_ref, token)
    assert ref is None or (ref[0] in ("C", "T", None) and 0 <= ref[1] <= 999_999_999)


@given(setting=st.one_of(
    st.sampled_from(list(SETTINGS)).flatmap(lambda k: st.tuples(st.just(k), setting_value(k))),
    st.tuples(st.sampled_from(list(SETTINGS)), st.one_of(any_setting_value, st.text(max_size=20)))))
def test_setting_parsers_refuse_with_value_error(setting):
    """Every ``SETTINGS[key].parse``: a value or ValueError; and the canonical text of an
    accepted value (what ``!config set`` stores) parses again to the same value."""
    key, text = setting
    entry = SETTINGS[key]
    value = only(ValueError, entry.parse, text)
    if value is not None:
        canonical = entry.show(value)
        assert entry.parse(canonical) == value

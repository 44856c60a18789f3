"""Fuzz of the configuration file: ``bot.config.parse`` on TOML built from random values of
every key, and on random text, returns a Config or refuses with ``ConfigError``, nothing else;
and an accepted Config is one the bot can use.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

from hypothesis import given, note
from hypothesis import strategies as st

from bot.config import Config, ConfigError, describe, placeholder_problems
from bot.config import parse as parse_config
from commands.settings import SETTINGS, GroupSettings
from tests.fuzzing import (
    MISSING,
    PERSONS,
    duration_token,
    free_text,
    name_text,
    plain_text,
    setting_value,
    weighted,
)
from tests.harness import ALICE, BOB, CAROL

# --- the configuration file -------------------------------------------------------------------

def _toml_str(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(repr(value), repr(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_str(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_document(data: dict[str, Any]) -> str:
    """Tables as ``[name]``, a list of tables as ``[[name]]`` (and ``[[groups.members]]``)."""
    lines = []
    for key, value in data.items():
        if not isinstance(value, (dict, list)) or (isinstance(value, list) and not all(
                isinstance(v, dict) for v in value)) or value == []:
            lines.append(f"{_toml_str(key)} = {toml_value(value)}")
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines.extend(f"{_toml_str(k)} = {toml_value(v)}" for k, v in value.items())
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for table in value:
                lines.append(f"[[{key}]]")
                members = table.get("members")
                nested = isinstance(members, list) and members and all(
                    isinstance(m, dict) for m in members)
                lines.extend(f"{_toml_str(k)} = {toml_value(v)}" for k, v in table.items()
                             if not (nested and k == "members"))
                for member in members if nested else []:
                    lines.append(f"[[{key}.members]]")
                    lines.extend(f"{_toml_str(k)} = {toml_value(v)}" for k, v in member.items())
    return "\n".join(lines) + "\n"


toml_scalar = st.one_of(
    plain_text, st.integers(-(2**63), 2**63 - 1), st.floats(), st.booleans(),
    st.datetimes(timezones=st.just(timezone.utc)), st.dates(), st.times(),
)
toml_any = st.recursive(toml_scalar, lambda c: st.one_of(
    st.lists(c, max_size=3), st.dictionaries(plain_text, c, max_size=3)), max_leaves=6)
ids = st.one_of(st.sampled_from(PERSONS), plain_text)
people_list = st.one_of(st.lists(ids, max_size=3), toml_any)
slug = st.one_of(st.sampled_from(["sem", "dewey", "a", "x-1", "Sem", "", "a" * 42, "é"]),
                 plain_text)


def maybe(strategy, junk=None, weight: int = 3) -> st.SearchStrategy:
    """The key's value (``weight`` times out of ``weight + 2``), a wrong type, or the key
    left out (MISSING)."""
    return weighted((weight, strategy), (1, junk if junk is not None else toml_any),
                    (1, st.just(MISSING)))


def present(mapping: dict) -> dict:
    return {k: v for k, v in mapping.items() if v is not MISSING}


member_table = st.fixed_dictionaries({
    "slug": maybe(slug), "name": maybe(name_text), "matrix": maybe(people_list),
    "discourse": maybe(st.one_of(st.lists(plain_text, max_size=2), toml_any)),
}).map(present)
group_table = st.fixed_dictionaries({
    "slug": maybe(slug), "name": maybe(name_text),
    **{key: maybe(weighted((3, setting_value(key)), (1, st.integers(-3, 10**6))))
       for key in SETTINGS},
    "matrix_room": maybe(st.sampled_from(["#sem:example.org", "!abc:example.org", ""])),
    "discourse_category": maybe(st.one_of(st.integers(), plain_text)),
    "charter": maybe(st.lists(free_text, max_size=3)),
    "admins": maybe(people_list), "core": maybe(people_list), "registrar": maybe(people_list),
    "members": maybe(st.lists(weighted((3, member_table), (1, toml_any)), max_size=3)),
    "unknown_key": st.one_of(st.just(MISSING), st.just(MISSING), toml_any),
}).map(present)
bot_table = st.fixed_dictionaries({
    "database": maybe(st.one_of(st.just("coopbot.db"), plain_text)),
    "command_prefix": maybe(st.sampled_from(["!", "?", "!!!", "!!!!", "", " ", "c!"])),
}).map(present)
discourse_table = st.fixed_dictionaries({
    "url": maybe(st.just("https://forum.example.org")), "api_username": maybe(plain_text),
    "api_key_env": maybe(st.just("COOPBOT_KEY")), "poll_interval": maybe(duration_token),
    "objection_words": maybe(st.lists(plain_text, max_size=3)),
    "support_words": maybe(st.lists(plain_text, max_size=3)),
    "withdraw_words": maybe(st.lists(plain_text, max_size=3)),
    "webhook_listen": maybe(st.just("127.0.0.1:8090")),
    "webhook_secret_env": maybe(st.just("COOPBOT_HOOK")),
}).map(present)
matrix_table = st.fixed_dictionaries({
    "homeserver": maybe(st.just("https://matrix.example.org")),
    "user_id": maybe(st.sampled_from(["@coopbot:example.org", "coopbot", ""])),
    "access_token_env": maybe(st.just("COOPBOT_TOKEN")), "device_name": maybe(plain_text),
}).map(present)
wild_documents = st.fixed_dictionaries({
    "bot": maybe(bot_table),
    "matrix": st.one_of(st.just(MISSING), matrix_table, toml_any),
    "discourse": st.one_of(st.just(MISSING), discourse_table, toml_any),
    "groups": maybe(st.lists(weighted((4, group_table), (1, toml_any)),
                             min_size=1, max_size=2)),
}).map(present)


@st.composite
def sane_documents(draw) -> dict[str, Any]:
    """A valid file (one group, its founders) with a few settings of random value: these
    reach the end of the loader and the typed settings."""
    group: dict[str, Any] = {"slug": "sem", "name": draw(name_text),
                             "admins": [ALICE], "core": [ALICE, BOB], "registrar": [CAROL]}
    for key in draw(st.lists(st.sampled_from(list(SETTINGS)), max_size=4, unique=True)):
        group[key] = draw(weighted((4, setting_value(key)), (1, st.integers(-3, 10**6))))
    group["members"] = [{"slug": "dewey", "name": "Dewey ASBL", "matrix": [ALICE]},
                        {"slug": "transition", "name": draw(name_text), "matrix": [BOB]}]
    odd = weighted((4, st.just(MISSING)), (1, toml_any))  # now and then a value of any type
    for key, good in (("matrix_room", "#sem:example.org"), ("discourse_category", "coops")):
        group[key] = draw(weighted((3, st.just(good)), (1, odd)))
    document = {"bot": {"database": "coopbot.db", "command_prefix": "!"},
                "groups": [present(group)]}
    if draw(st.booleans()):
        document["matrix"] = {"homeserver": "https://matrix.example.org",
                              "user_id": "@coopbot:example.org",
                              "access_token_env": draw(weighted((3, st.just("COOPBOT_TOKEN")),
                                                                (1, toml_any))),
                              "password_env": draw(odd), "store_path": draw(odd)}
    if draw(st.booleans()):
        document["discourse"] = {"url": "https://forum.example.org", "api_username": "coopbot",
                                 "api_key_env": "COOPBOT_KEY",
                                 "poll_interval": draw(duration_token),
                                 "webhook_listen": draw(odd), "webhook_secret_env": draw(odd)}
    return {k: present(v) if isinstance(v, dict) else v for k, v in document.items()}


config_documents = weighted((1, wild_documents), (1, sane_documents()))


OPTIONAL_TEXT = {"matrix_room", "discourse_category", "access_token_env", "password_env",
                 "store_path", "webhook_listen", "webhook_secret_env"}


@given(document=config_documents, with_path=st.booleans())
def test_config_file_refuses_with_config_error(document, with_path):
    """``bot.config.parse`` on TOML built from random values of every key: a Config or
    ConfigError, nothing else. An accepted Config is one the bot can use: its groups'
    settings load, its optional texts are texts (not a number or a list from the file), and
    ``coopbot check-config`` can print it (``describe``, ``placeholder_problems``)."""
    text = toml_document(document)
    note(text)
    path = Path("/tmp/coopbot-fuzz/config.toml") if with_path else None
    try:
        config = parse_config(text, path)
    except ConfigError:
        return
    assert isinstance(config, Config)
    for group in config.groups:
        assert isinstance(group.typed_settings, GroupSettings)
    for part in (*config.groups, config.matrix, config.discourse):
        for name in OPTIONAL_TEXT & set(getattr(part, "__dataclass_fields__", ())):
            value = getattr(part, name)
            assert value is None or isinstance(value, str), f"accepted {name} = {value!r}"
    assert isinstance(describe(config), str)
    assert isinstance(placeholder_problems(config), list)


@given(text=st.one_of(st.text(max_size=200), st.lists(st.one_of(
    st.sampled_from(["[bot]", "[[groups]]", "[[groups.members]]", "[discourse]", "slug = \"sem\"",
                     "name = \"x\"", "groups = 1", "bot = 1", "members = \"abc\"", "= 1", "\n"]),
    st.text(max_size=10)), max_size=10).map("\n".join)))
def test_config_file_from_random_text(text):
    try:
        assert isinstance(parse_config(text), Config)
    except ConfigError:
        pass

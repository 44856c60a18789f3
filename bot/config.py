"""The TOML configuration file, loaded into typed objects and checked at start.

Errors name the key and, where it can be found, the line of the file. Secrets never live in
the file: it names the environment variables that hold them.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from commands.definitions import Founder
from commands.parsing import clean_name, name_key
from commands.settings import DEFAULTS, SETTINGS, GroupSettings
from commands.timefmt import parse_duration

ROLES = ("admin", "core", "registrar")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")
_MATRIX_ID = re.compile(r"^@[^:\s]+:[^\s]+$")
PLACEHOLDER_HOSTS = ("example.org", "example.com")


def is_slug(text: str) -> bool:
    """A group's or member's short id: lowercase letters, digits, - or _."""
    return bool(_SLUG.match(text))


class ConfigError(Exception):
    """A problem in the configuration file, worded for the person who edits it."""


@dataclass(frozen=True, slots=True)
class FoundingMember:
    slug: str
    name: str
    matrix: tuple[str, ...] = ()
    discourse: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupConfig:
    slug: str
    name: str
    settings: dict[str, str]          # setting texts, validated; see commands.settings
    matrix_room: str | None = None
    discourse_category: str | None = None
    charter: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()
    core: tuple[str, ...] = ()
    registrar: tuple[str, ...] = ()
    members: tuple[FoundingMember, ...] = ()

    def roles(self) -> dict[str, tuple[str, ...]]:
        return {"admin": self.admins, "core": self.core, "registrar": self.registrar}

    @property
    def founders(self) -> tuple[Founder, ...]:
        """The founding members as the engine sees them (``commands.definitions``)."""
        return tuple(Founder(m.slug, m.name, m.matrix + m.discourse) for m in self.members)

    @property
    def typed_settings(self) -> GroupSettings:
        return GroupSettings.from_texts(self.settings)


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str
    user_id: str
    access_token_env: str | None = None
    password_env: str | None = None
    device_name: str = "coopbot"
    store_path: str | None = None

    def secret(self) -> tuple[str, str]:
        """("token", value) or ("password", value), read from the environment."""
        for kind, name in (("token", self.access_token_env), ("password", self.password_env)):
            if name:
                value = os.environ.get(name)
                if not value:
                    raise ConfigError(f"matrix: the environment variable {name} is not set")
                return kind, value
        raise ConfigError("matrix: set access_token_env or password_env")

    def fallback_password(self) -> str | None:
        """The password to log in with when the access token is refused, if both are set."""
        if not self.access_token_env or not self.password_env:
            return None
        return os.environ.get(self.password_env) or None


@dataclass(frozen=True)
class DiscourseConfig:
    url: str
    api_username: str
    api_key_env: str
    poll_interval: timedelta = timedelta(seconds=60)
    objection_words: tuple[str, ...] = ("objection", "object", "bezwaar", "opposition", "je-m-oppose")
    support_words: tuple[str, ...] = ("support", "soutien", "steun", "+1")
    withdraw_words: tuple[str, ...] = ("withdraw", "retrait", "intrekken")
    webhook_listen: str | None = None
    webhook_secret_env: str | None = None


@dataclass(frozen=True)
class Config:
    path: Path | None
    database: str
    command_prefix: str
    groups: tuple[GroupConfig, ...]
    matrix: MatrixConfig | None = None
    discourse: DiscourseConfig | None = None
    secrets_env: tuple[str, ...] = field(default=())
    http_listen: str | None = None      # host:port of GET /healthz and /metrics; None: off

    def group(self, slug: str) -> GroupConfig | None:
        return next((g for g in self.groups if g.slug == slug), None)


def load(path: str | Path) -> Config:
    path = Path(path)
    try:
        raw_text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc.strerror})") from None
    return parse(raw_text, path)


def parse(raw_text: str, path: Path | None = None) -> Config:
    name = str(path) if path else "<config>"
    try:
        data = tomllib.loads(raw_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML: {exc}") from None
    return _Loader(raw_text, name, path).config(data)


class _Loader:
    """Reads the parsed TOML, collecting every problem before raising them together."""

    def __init__(self, raw_text: str, name: str, path: Path | None) -> None:
        self.raw_text = raw_text
        self._lines: list[str] | None = None
        self.name = name
        self.path = path
        self.problems: list[str] = []

    def problem(self, key: str, message: str, section: str = "", index: int = 0) -> None:
        line = self._line_of(key.rsplit(".", 1)[-1], section, index)
        where = f"{self.name}:{line}" if line else self.name
        self.problems.append(f"{where}: {key}: {message}")

    def _line_of(self, key: str, section: str, index: int) -> int | None:
        """Best effort: the line of ``key =`` inside the index-th ``[section]`` block."""
        if self._lines is None:  # split only when a problem needs its line: big files are big
            self._lines = self.raw_text.splitlines()
        self.lines = self._lines
        start, end = 0, len(self.lines)
        if section:
            header = re.compile(rf"^\s*\[\[?\s*{re.escape(section)}\s*\]\]?")
            starts = [n for n, line in enumerate(self.lines) if header.match(line)]
            if index >= len(starts):
                return None
            start = starts[index]
            for number in range(start + 1, len(self.lines)):
                other = re.match(r"^\s*\[\[?\s*([\w.]+)\s*\]", self.lines[number])
                if other and not other.group(1).startswith(section + "."):
                    end = number
                    break
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start, end):
            if pattern.match(self.lines[number]):
                return number + 1
        return None

    def table(self, value: Any, key: str, section: str = "", index: int = 0) -> dict[str, Any]:
        """``value`` if it is a TOML table; else a problem, and an empty table to go on with."""
        if isinstance(value, dict):
            return value
        self.problem(key, "a table ([section] or {key = value}) was expected", section, index)
        return {}

    def strings(self, raw: dict[str, Any], keys: tuple[str, ...], prefix: str,
                section: str = "", index: int = 0, numbers: tuple[str, ...] = ()) -> None:
        """Refuse, and drop, a value of the wrong type among ``keys`` (text expected; for
        ``numbers``, text or a whole number): ``store_path = []`` must be a problem in the
        file, not an error at run time."""
        for key in keys:
            if key not in raw:
                continue
            value = raw[key]
            if isinstance(value, str) or (key in numbers and isinstance(value, int)
                                          and not isinstance(value, bool)):
                continue
            self.problem(f"{prefix}.{key}", "text in quotes was expected", section, index)
            del raw[key]

    def config(self, data: dict[str, Any]) -> Config:
        known_top = {"bot", "matrix", "discourse", "groups"}
        for key in data:
            if key not in known_top:
                self.problem(key, f"unknown section (known: {', '.join(sorted(known_top))})")
        bot = dict(self.table(data.get("bot", {}), "bot"))
        self.strings(bot, ("database", "command_prefix", "http_listen"), "bot", "bot")
        database = str(bot.get("database", "coopbot.db"))
        if not database or any(ch in database for ch in "\x00\n\r"):
            self.problem("bot.database", "a file name (no NUL or line break)", "bot")
            database = "coopbot.db"
        if self.path is not None and not Path(database).is_absolute():
            database = str((self.path.parent / database).resolve())
        prefix = str(bot.get("command_prefix", "!"))
        if not prefix or len(prefix) > 3 or any(ch.isspace() for ch in prefix):
            self.problem("bot.command_prefix", "one to three characters, no spaces", "bot")
        http_listen = None
        if "http_listen" in bot:
            try:
                host, port = split_listen(str(bot["http_listen"]))
                http_listen = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
            except ValueError as error:
                self.problem("bot.http_listen", str(error), "bot")
        for key in bot:
            if key not in ("database", "command_prefix", "http_listen"):
                self.problem(f"bot.{key}", "unknown key", "bot")
        matrix = self._matrix(self.table(data["matrix"], "matrix")) if "matrix" in data else None
        discourse = self._discourse(self.table(data["discourse"], "discourse")) \
            if "discourse" in data else None
        groups_raw = data.get("groups", [])
        if not isinstance(groups_raw, list) or not groups_raw:
            self.problem("groups", "at least one [[groups]] table is needed")
            groups_raw = []
        groups = tuple(self._group(self.table(g, f"groups[{i}]", "groups", i), i)
                       for i, g in enumerate(groups_raw))
        slugs = [g.slug for g in groups]
        for slug in {s for s in slugs if slugs.count(s) > 1}:
            self.problem("groups.slug", f"the slug {slug!r} is used twice", "groups")
        # One room, one group: the room's commands go to one group only, and ``!object C-1``
        # meant for one group's proposal would be applied to the other's C-1.
        rooms: dict[str, list[str]] = {}
        for group in groups:
            if isinstance(group.matrix_room, str) and group.matrix_room.strip():
                rooms.setdefault(group.matrix_room.strip(), []).append(group.slug)
        for room, sharing in rooms.items():
            if len(sharing) > 1:
                self.problem("groups.matrix_room", f"the room {room} is given to the groups "
                             f"{', '.join(sharing)}: each group needs a room of its own", "groups")
        if self.problems:
            raise ConfigError("\n".join(self.problems))
        secrets = tuple(
            name for name in (
                matrix and matrix.access_token_env, matrix and matrix.password_env,
                discourse and discourse.api_key_env, discourse and discourse.webhook_secret_env,
            ) if name
        )
        return Config(self.path, database, prefix, groups, matrix, discourse, secrets,
                      http_listen)

    def _env_names(self, raw: dict[str, Any], keys: tuple[str, ...], section: str) -> None:
        """A ``*_env`` key names an environment variable: a secret pasted there instead
        (a Matrix token, a Discourse key) is refused without being repeated, as every later
        message would print it ("the environment variable syt_… is not set")."""
        for key in keys:
            value = raw.get(key)
            if isinstance(value, str) and _looks_like_a_secret(value):
                self.problem(f"{section}.{key}", "this looks like the secret itself: put it in "
                             "the environment, and here the variable's name (such as "
                             "COOPBOT_MATRIX_TOKEN)", section)
                raw[key] = "COOPBOT_SECRET_NOT_NAMED"

    def _matrix(self, raw: dict[str, Any]) -> MatrixConfig | None:
        raw = dict(raw)
        self.strings(raw, ("homeserver", "user_id", "access_token_env", "password_env",
                           "device_name", "store_path"), "matrix", "matrix")
        self._env_names(raw, ("access_token_env", "password_env"), "matrix")
        for key in ("homeserver", "user_id"):
            if not raw.get(key):
                self.problem(f"matrix.{key}", "required", "matrix")
        user_id = str(raw.get("user_id", ""))
        if user_id and not _MATRIX_ID.match(user_id):
            self.problem("matrix.user_id", "a full Matrix ID such as @coopbot:example.org", "matrix")
        if not raw.get("access_token_env") and not raw.get("password_env"):
            self.problem("matrix.access_token_env", "set access_token_env or password_env (names of environment variables)", "matrix")
        for key in ("access_token", "password"):
            if key in raw:
                self.problem(f"matrix.{key}", f"secrets never go in the file: name an environment variable with {key}_env", "matrix")
        known = {"homeserver", "user_id", "access_token_env", "password_env", "device_name", "store_path"}
        for key in raw:
            if key not in known:
                self.problem(f"matrix.{key}", "unknown key", "matrix")
        return MatrixConfig(
            homeserver=str(raw.get("homeserver", "")).rstrip("/"),
            user_id=user_id,
            access_token_env=raw.get("access_token_env"),
            password_env=raw.get("password_env"),
            device_name=str(raw.get("device_name", "coopbot")),
            store_path=raw.get("store_path"),
        )

    def _discourse(self, raw: dict[str, Any]) -> DiscourseConfig | None:
        raw = dict(raw)
        self.strings(raw, ("url", "api_username", "api_key_env", "poll_interval",
                           "webhook_listen", "webhook_secret_env"), "discourse", "discourse")
        self._env_names(raw, ("api_key_env", "webhook_secret_env"), "discourse")
        for key in ("url", "api_username", "api_key_env"):
            if not raw.get(key):
                self.problem(f"discourse.{key}", "required", "discourse")
        if "api_key" in raw:
            self.problem("discourse.api_key", "secrets never go in the file: name an environment variable with api_key_env", "discourse")
        poll = timedelta(seconds=60)
        if "poll_interval" in raw:
            try:
                poll = parse_duration(str(raw["poll_interval"]))
            except ValueError:
                self.problem("discourse.poll_interval", "a duration such as 60s or 5m", "discourse")
        words: dict[str, tuple[str, ...]] = {}
        for key in ("objection_words", "support_words", "withdraw_words"):
            if key in raw:
                value = raw[key]
                if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value) or not value:
                    self.problem(f"discourse.{key}", "a non-empty list of words", "discourse")
                else:
                    words[key] = tuple(w.strip().lower() for w in value)
        if raw.get("webhook_listen") and not raw.get("webhook_secret_env"):
            self.problem("discourse.webhook_secret_env", "required with webhook_listen: unsigned webhooks are refused", "discourse")
        known = {"url", "api_username", "api_key_env", "poll_interval", "objection_words",
                 "support_words", "withdraw_words", "webhook_listen", "webhook_secret_env"}
        for key in raw:
            if key not in known:
                self.problem(f"discourse.{key}", "unknown key", "discourse")
        return DiscourseConfig(
            url=str(raw.get("url", "")).rstrip("/"),
            api_username=str(raw.get("api_username", "")),
            api_key_env=str(raw.get("api_key_env", "")),
            poll_interval=poll,
            webhook_listen=raw.get("webhook_listen"),
            webhook_secret_env=raw.get("webhook_secret_env"),
            **words,
        )

    def _people(self, raw: Any, key: str, index: int, section: str = "groups") -> tuple[str, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
            self.problem(key, "a list of Matrix IDs or forum:username", section, index)
            return ()
        people = []
        for person in raw:
            person = person.strip()
            if _MATRIX_ID.match(person):
                people.append(person)
            elif person.startswith("forum:") and len(person) > 6:
                people.append("forum:" + person[6:].lower())
            else:
                self.problem(key, f"{person!r} is not a Matrix ID (@name:server) nor forum:username", section, index)
        return tuple(people)

    def _group(self, raw: dict[str, Any], index: int) -> GroupConfig:
        key = f"groups[{index}]"
        raw = dict(raw)
        self.strings(raw, ("slug", "name", "matrix_room", "discourse_category"), key, "groups",
                     index, numbers=("discourse_category",))
        slug = str(raw.get("slug", ""))
        if not _SLUG.match(slug):
            self.problem(f"{key}.slug", "lowercase letters, digits, - or _ (for example sem)", "groups", index)
        name = str(raw.get("name", "")).strip()
        if not name:
            self.problem(f"{key}.name", "required", "groups", index)
        settings: dict[str, str] = {}
        for setting_key, setting in SETTINGS.items():
            if setting_key in raw:
                value = raw[setting_key]
                # A list (language = ["fr", "nl"]) is written as the chat writes it: fr, nl.
                text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
                try:
                    setting.parse(text)
                except (ValueError, TypeError):
                    self.problem(f"{key}.{setting_key}", f"{text!r} refused: {setting.hint}", "groups", index)
                    continue
                settings[setting_key] = text
        charter = raw.get("charter", [])
        if not isinstance(charter, list) or not all(isinstance(p, str) and p.strip() for p in charter):
            self.problem(f"{key}.charter", "a list of principles (strings)", "groups", index)
            charter = []
        members = []
        members_raw = raw.get("members", [])
        if not isinstance(members_raw, list):
            self.problem(f"{key}.members", "a list of [[groups.members]] tables", "groups", index)
            members_raw = []
        for m_index, member in enumerate(members_raw):
            m_key = f"{key}.members[{m_index}]"
            member = dict(self.table(member, m_key, "groups.members", m_index))
            self.strings(member, ("slug", "name"), m_key, "groups.members", m_index)
            m_slug = str(member.get("slug", ""))
            if not _SLUG.match(m_slug):
                self.problem(f"{m_key}.slug", "lowercase letters, digits, - or _", "groups.members", m_index)
            if not str(member.get("name", "")).strip():
                self.problem(f"{m_key}.name", "required", "groups.members", m_index)
            matrix = self._people(member.get("matrix"), f"{m_key}.matrix", m_index, "groups.members")
            discourse_raw = member.get("discourse", [])
            if not isinstance(discourse_raw, list):
                self.problem(f"{m_key}.discourse", "a list of forum usernames", "groups.members", m_index)
                discourse_raw = []
            members.append(FoundingMember(
                m_slug, clean_name(str(member.get("name", ""))), matrix,
                tuple("forum:" + str(u).strip().lower().removeprefix("forum:") for u in discourse_raw),
            ))
        member_slugs = [m.slug for m in members]
        for dup in {s for s in member_slugs if member_slugs.count(s) > 1}:
            self.problem(f"{key}.members", f"the member slug {dup!r} is used twice", "groups", index)
        # A person represents one member: listed under two, only the first would count.
        represents: dict[str, list[str]] = {}
        for member in members:
            for person in dict.fromkeys(member.matrix + member.discourse):
                represents.setdefault(person, []).append(member.slug)
        for person, slugs in represents.items():
            if len(slugs) > 1:
                self.problem(f"{key}.members", f"{person} is listed under {', '.join(slugs)}: "
                             "a person represents one member", "groups", index)
        # One name, one member: names are compared as the bot compares candidates.
        by_key: dict[str, list[str]] = {}
        for m_index, member in enumerate(members):
            if member.name and not name_key(member.name):
                self.problem(f"{key}.members[{m_index}].name",
                             f"{member.name!r} has no letter or digit", "groups.members", m_index)
            elif member.name:
                by_key.setdefault(name_key(member.name), []).append(member.name)
        for names in by_key.values():
            if len(names) > 1:
                self.problem(f"{key}.members", "these members would be one name to the bot "
                             f"(case, accents, spaces and punctuation aside): {', '.join(names)}",
                             "groups", index)
        known = set(SETTINGS) | {"slug", "name", "matrix_room", "discourse_category", "charter",
                                 "admins", "core", "registrar", "members"}
        for raw_key in raw:
            if raw_key not in known:
                self.problem(f"{key}.{raw_key}", "unknown key", "groups", index)
        return GroupConfig(
            slug=slug,
            name=name,
            settings=settings,
            matrix_room=raw.get("matrix_room"),
            discourse_category=str(raw["discourse_category"]) if "discourse_category" in raw else None,
            charter=tuple(p.strip() for p in charter),
            admins=self._people(raw.get("admins"), f"{key}.admins", index),
            core=self._people(raw.get("core"), f"{key}.core", index),
            registrar=self._people(raw.get("registrar"), f"{key}.registrar", index),
            members=tuple(members),
        )


def crypto_store_path(config: Config) -> Path:
    """The crypto store: ``matrix.store_path`` (relative to the config file), or beside the
    database. It must live and die with the database: it holds the device's keys (``coopbot
    backup`` copies both)."""
    store = config.matrix.store_path if config.matrix else None
    if not store:
        return Path(config.database + ".crypto")
    path = Path(store)
    if not path.is_absolute() and config.path is not None:
        path = config.path.parent / path
    return path


def split_listen(text: str) -> tuple[str, int]:
    """``127.0.0.1:9464`` or ``[::1]:9464`` -> (host, port); ValueError saying what is
    expected otherwise."""
    expected = "host:port, such as 127.0.0.1:9464 (a port from 1 to 65535)"
    host, colon, port = text.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or any(ch.isspace() for ch in host) or not port.isdigit() \
            or not 0 < int(port) < 65536:
        raise ValueError(expected)
    return host, int(port)


def describe(config: Config) -> str:
    """The effective configuration as text, secrets masked (``coopbot check-config``)."""
    out = [f"config file: {config.path}", f"database: {config.database}",
           f"command_prefix: {config.command_prefix}",
           f"http: GET /healthz and /metrics on {config.http_listen}" if config.http_listen
           else "http: off (coopbot health still answers from the database)"]
    if config.matrix:
        m = config.matrix
        out.append(f"matrix: {m.user_id} on {m.homeserver}, device {m.device_name}")
        for env in (m.access_token_env, m.password_env):
            if env:
                out.append(f"  secret from ${env}: {_mask(os.environ.get(env))}")
    else:
        out.append("matrix: not configured (console, check-config and export only)")
    if config.discourse:
        d = config.discourse
        out.append(f"discourse: {d.url} as {d.api_username}, polling every {d.poll_interval}")
        out.append(f"  api key from ${d.api_key_env}: {_mask(os.environ.get(d.api_key_env))}")
        if d.webhook_listen:
            out.append(f"  webhook on {d.webhook_listen}, secret from ${d.webhook_secret_env}: "
                       f"{_mask(os.environ.get(d.webhook_secret_env or ''))}")
        out.append(f"  objection words: {', '.join(d.objection_words)}")
        out.append(f"  support words: {', '.join(d.support_words)}")
        out.append(f"  withdraw words: {', '.join(d.withdraw_words)}")
    else:
        out.append("discourse: not configured (chat only)")
    for group in config.groups:
        out.append(f"group {group.slug}: {group.name}")
        out.append(f"  matrix_room: {group.matrix_room or '-'}; discourse_category: {group.discourse_category or '-'}")
        if group.discourse_category and not config.discourse:
            out.append("  note: discourse_category is set but there is no [discourse] section: "
                       "the forum is not used")
        effective = {**DEFAULTS, **group.settings}
        for key in SETTINGS:
            origin = "" if key in group.settings else " (default)"
            out.append(f"  {key} = {effective[key]}{origin}")
        out.append(f"  charter: {len(group.charter)} principle(s)")
        for number, principle in enumerate(group.charter, 1):
            out.append(f"    {number}. {principle}")
        for role, people in group.roles().items():
            out.append(f"  {role}: {', '.join(people) or '-'}")
        for member in group.members:
            people = ", ".join(member.matrix + member.discourse) or "no representative"
            out.append(f"  member {member.slug}: {member.name} ({people})")
    return "\n".join(out)


def _mask(value: str | None) -> str:
    if not value:
        return "NOT SET"
    return "set (" + "*" * 8 + ")"


_TOKEN_PREFIXES = ("syt_", "syr_", "mat_", "mct_")  # Synapse's and MAS's access tokens


def _looks_like_a_secret(name: str) -> bool:
    """A value no one names an environment variable: a Matrix access token, a Discourse API
    key (64 hex digits), or anything long or with characters a variable name never has."""
    return (name.startswith(_TOKEN_PREFIXES) or len(name) >= 40
            or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name))


def placeholder_problems(config: Config) -> list[str]:
    """What would make ``coopbot run`` refuse to start or talk to nobody: values copied from
    config.example.toml, secrets missing from the environment."""
    problems = []
    if config.matrix:
        for name in (config.matrix.access_token_env, config.matrix.password_env):
            if name and not os.environ.get(name):
                problems.append(f"the environment variable {name} (matrix) is not set")
    if config.discourse and not os.environ.get(config.discourse.api_key_env):
        problems.append(f"the environment variable {config.discourse.api_key_env} (discourse) is not set")

    if config.matrix and any(host in config.matrix.homeserver for host in PLACEHOLDER_HOSTS):
        problems.append(f"matrix.homeserver is still the example value {config.matrix.homeserver!r}")
    if config.discourse and any(host in config.discourse.url for host in PLACEHOLDER_HOSTS):
        problems.append(f"discourse.url is still the example value {config.discourse.url!r}")
    return problems

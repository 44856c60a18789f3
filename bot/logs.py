"""The bot's log lines: as text or as JSON (python-json-logger), each with the group, the
event id and the command name when there is one, and never a secret.

Secrets (the Matrix access token or password, the forum API key, the webhook secret) are
read from the environment variables the config names; every line the bot's handler writes
is redacted of them, whatever put them there (an exception's text, a URL, a request echoed
back), in the form they take in JSON too.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote

from pythonjsonlogger.json import JsonFormatter

from .config import Config
from .observe import COMMAND, EVENT, GROUP

FORMATS = ("text", "json")
REDACTED = "<redacted>"
MIN_SECRET = 4  # shorter values would redact ordinary words; no real secret is that short
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(group)s %(event_id)s %(command)s"


class ContextFilter(logging.Filter):
    """Puts the group, event id and command at hand (``bot/observe.py``) on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.group = GROUP.get()
        record.event_id = EVENT.get()
        record.command = COMMAND.get()
        return True


class TextFormatter(logging.Formatter):
    """The usual text line, followed by ``[group=… event=… command=…]`` when known."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        parts = [f"{name}={value}" for name, value in
                 (("group", getattr(record, "group", None)),
                  ("event", getattr(record, "event_id", None)),
                  ("command", getattr(record, "command", None))) if value]
        record.context = f" [{' '.join(parts)}]" if parts else ""
        try:
            return super().format(record)
        finally:
            del record.context


class Redacting(logging.Formatter):
    """Formats with ``inner``, then removes every secret from the line."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner
        self.secrets: set[str] = set()

    def add(self, values: Iterable[str | None]) -> None:
        for value in values:
            if value and len(value) >= MIN_SECRET:
                # As it is, and as it shows inside a JSON string, a Python repr (a dict or
                # an exception's arguments logged) or a URL.
                self.secrets.update((value, json.dumps(value)[1:-1], repr(value)[1:-1],
                                     quote(value, safe="")))

    def format(self, record: logging.LogRecord) -> str:
        if not self.secrets:
            return self.inner.format(record)
        # The message and traceback are redacted before the inner formatter escapes them
        # (as JSON), then its line once more, for whatever else it adds.
        clean = logging.makeLogRecord(record.__dict__)
        clean.msg, clean.args = redact(record.getMessage(), self.secrets), None
        if record.exc_info:
            clean.exc_text = redact(self.inner.formatException(record.exc_info), self.secrets)
            clean.exc_info = None
        elif record.exc_text:
            clean.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            clean.stack_info = redact(record.stack_info, self.secrets)
        return redact(self.inner.format(clean), self.secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    # Longest first: a secret that contains another is removed whole.
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def configure(fmt: str = "text", level: int = logging.WARNING,
              stream: TextIO | None = None) -> logging.Handler:
    """One handler on the root logger, in ``fmt``; replaces the handlers set before."""
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r}: {' or '.join(FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    inner: logging.Formatter = (
        JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"})
        if fmt == "json" else TextFormatter())
    handler.setFormatter(Redacting(inner))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old.formatter, Redacting):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def secrets_of(config: Config) -> list[str]:
    """The values of the secrets the config names, from the environment."""
    return [os.environ.get(name) or "" for name in config.secrets_env]


def protect(config: Config) -> None:
    """Redact the config's secrets from every line of the bot's handlers from now on."""
    values = secrets_of(config)
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, Redacting):
            handler.formatter.add(values)

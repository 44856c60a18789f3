"""Every sentence the bot writes, in French, Dutch and English, one module per domain.

Keys are grouped by use: ``err.*`` refusals, ``ok.*`` replies to the caller, ``ann.*``
announcements in the group room, ``dm.*`` direct messages, ``help.*``/``param.*``/``example.*``
the generated help. ``tests/test_commands.py`` checks that every key exists in the three
languages with the same placeholders.
"""

from __future__ import annotations

from . import (announcements, digest, forum, gestures, help, reading, refusals, replies,
               tasks, views, words)

LANGUAGES = ("fr", "nl", "en")

CATALOG: dict[str, dict[str, str]] = {}
for _part in (refusals, reading, replies, views, announcements, words, help, tasks, forum,
              digest, gestures):
    for _key in _part.CATALOG:
        assert _key not in CATALOG, f"the message {_key!r} is defined twice"
    CATALOG.update(_part.CATALOG)

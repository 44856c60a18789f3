"""A test harness in the manner of maubot's TestBot: say things as people, read what the bot
queued, move a fake clock. Real SQLite file, real engine, no sleeps."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.config import Config, parse
from commands.engine import Engine
from commands.events import Inbound, Kind, Venue
from commands.timefmt import parse_duration
from storage.repository import Repository

BASE_CONFIG = """
[bot]
database = "{database}"

[[groups]]
slug = "sem"
name = "Système d'Échange du Mycélium"
language = "{language}"
silence_window = "5d"
last_call = "24h"
reopen_grace = "24h"
min_supporters = {min_supporters}
charter = {charter}
admins = ["@alice:example.org"]
core = ["@alice:example.org", "@bob:example.org"]
registrar = ["@carol:example.org"]

[[groups.members]]
slug = "dewey"
name = "Dewey ASBL"
matrix = ["@alice:example.org"]
discourse = ["alice"]

[[groups.members]]
slug = "transition"
name = "Réseau Transition"
matrix = ["@bob:example.org"]

[[groups.members]]
slug = "singularites"
name = "Petites Singularités"
matrix = ["@carol:example.org"]

[[groups.members]]
slug = "financite"
name = "Financité"
matrix = ["@dan:example.org"]
"""

ALICE, BOB, CAROL, DAN = ("@alice:example.org", "@bob:example.org", "@carol:example.org",
                          "@dan:example.org")
STRANGER = "@eve:example.org"


def make_config(database: str, language: str = "en", min_supporters: int = 0,
                charter: tuple[str, ...] = (), group_extra: str = "") -> Config:
    """The harness's group; ``group_extra``: more of its settings, as TOML lines."""
    text = BASE_CONFIG.format(database=database, language=language,
                              min_supporters=min_supporters, charter=json.dumps(list(charter)))
    if group_extra:
        text = text.replace("\ncharter = ", f"\n{group_extra}\ncharter = ", 1)
    if language.startswith("["):  # a bilingual group: a TOML list, not a string
        text = text.replace(f'language = "{language}"', f"language = {language}")
    return parse(text)


class Harness:
    def __init__(self, database: str, clock: FakeClock | None = None, **config_options) -> None:
        self.database = database
        self.config = make_config(database, **config_options)
        self.clock = clock or FakeClock()
        self._ids = itertools.count(1)
        self.open()

    def open(self) -> None:
        self.repo = Repository(self.database)
        self.engine = Engine(self.repo, self.clock, self.config.groups, self.config.command_prefix)
        self.engine.seed()
        self._seen = {row["id"] for row in self.repo.db.query("select id from outbox")}

    def close(self) -> None:
        self.repo.close()

    def restart(self) -> None:
        """A new engine over the same database file, as after a crash or a redeploy."""
        self.close()
        self.open()

    def say(self, person: str, text: str, *, at: datetime | None = None,
            venue: Venue = Venue.ROOM, event_id: str | None = None,
            mentions: tuple[str, ...] = ()) -> list[dict]:
        event = Inbound(
            event_id=event_id or f"$test{next(self._ids)}:{self.database}", sender=person,
            text=text, at=at or self.clock.now(), venue=venue,
            group="sem" if venue is not Venue.DM else None, mentions=mentions,
        )
        self.engine.handle(event)
        return self.sent()

    # --- gestures (issue 12): what a Matrix client does besides typing ----------------------
    def deliver(self) -> None:
        """Mark what the outbox holds as delivered, now, each with an event id as Matrix
        gives one (``$out<row id>``): announcements can then be read and reacted to."""
        for row in self.repo.pending_outbox():
            self.repo.mark_sent(row["id"], self.clock.now(), remote_id=f"$out{row['id']}")

    def announcement(self, number: int) -> str:
        """The event id of proposal C-``number``'s announcement (delivered first)."""
        self.deliver()
        found = self.repo.announcement(f"sem:C-{number}")
        assert found is not None, f"C-{number} has no announcement"
        return found[0]

    def gesture(self, kind: Kind, person: str, *, target: str | None = None,
                key: str | None = None, at: datetime | None = None,
                target_at: datetime | None = None, event_id: str | None = None,
                venue: Venue = Venue.ROOM, proposal: str | None = None) -> list[dict]:
        event = Inbound(event_id=event_id or f"$g{next(self._ids)}:{self.database}",
                        sender=person, text="", at=at or self.clock.now(), venue=venue,
                        group="sem", kind=kind, target=target, target_at=target_at, key=key,
                        proposal=proposal)
        self.engine.handle(event)
        return self.sent()

    def react(self, person: str, number: int, key: str, *, event_id: str | None = None,
              at: datetime | None = None) -> list[dict]:
        return self.gesture(Kind.REACTION, person, target=self.announcement(number), key=key,
                            event_id=event_id, at=at)

    def unreact(self, person: str, number: int, key: str) -> list[dict]:
        return self.gesture(Kind.UNREACTION, person, target=self.announcement(number), key=key)

    def redact(self, person: str, event_id: str) -> list[dict]:
        return self.gesture(Kind.REDACTION, person, target=event_id)

    def read(self, person: str, number: int, *, at: datetime | None = None) -> list[dict]:
        return self.gesture(Kind.READ, person, target=self.announcement(number), at=at)

    def chat(self, person: str, text: str = "hello", *, at: datetime | None = None) -> list[dict]:
        """Words in the room that are no command."""
        return self.say(person, text, at=at)

    def dm(self, person: str, text: str, **kwargs) -> list[dict]:
        return self.say(person, text, venue=Venue.DM, **kwargs)

    def advance(self, duration: str | timedelta) -> list[dict]:
        delta = parse_duration(duration) if isinstance(duration, str) else duration
        self.clock.advance(delta)
        self.engine.process_due()
        return self.sent()

    def sent(self) -> list[dict]:
        """Outbox rows queued since the last call."""
        rows = [r for r in self.repo.db.query("select * from outbox order by id")
                if r["id"] not in self._seen]
        self._seen.update(r["id"] for r in rows)
        return rows

    def texts(self, rows: list[dict]) -> str:
        return "\n---\n".join(r["plain"] for r in rows)

    def proposal(self, number: int) -> dict:
        return self.repo.proposal("sem", number)

    def state(self, number: int) -> str:
        return self.proposal(number).state

    def snapshot(self) -> dict[str, list]:
        """Every table but the outbox and processed events: to prove nothing changed."""
        tables = ("proposals", "objections", "supports", "members", "persons", "roles",
                  "settings", "groups")
        return {t: list(self.repo.db.query(f"select * from {t} order by rowid")) for t in tables}


def coopbot(*args: str, stdin: str = "", cwd=None) -> subprocess.CompletedProcess:
    """The installed ``coopbot`` command (or ``python -m bot.cli``), as a user runs it."""
    script = Path(sys.executable).with_name("coopbot")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
    return subprocess.run([*command, *args], input=stdin, text=True, capture_output=True,
                          cwd=cwd, timeout=60)


def console_blocks(result: subprocess.CompletedProcess) -> list[str]:
    """What the bot said in a console run, one block per message; every block is one."""
    assert result.returncode == 0, result.stderr
    blocks = [b for b in result.stdout.split("\n\n") if b.strip()]
    assert all(b.startswith(("[room ", "[dm @")) for b in blocks), result.stdout
    return blocks

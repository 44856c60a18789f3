"""The console: the same engine, storage and scheduler in a terminal, no server needed.

Lines are room messages from the current identity, except console controls:
``/as @person``, ``/in group``, ``/dm TEXT`` (a direct message to the bot), ``/advance 5d``,
``/who``, ``/quit``; and the chat gestures that have no typed form: ``/react C-1 👍`` (and
``/unreact C-1 👍``) on a proposal's announcement, ``/read C-1`` (a read receipt on it). Every
message the bot sends is printed as a block whose first line is ``[room GROUP]`` or
``[dm @person]``; a picture (``!tree``) is written to a file, and its block ends with
``(picture: PATH)``. With piped stdin nothing but those blocks goes to
stdout, so scenarios can be scripted.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from commands.errors import CommandError
from commands.events import Inbound, Kind, Venue
from commands.parsing import proposal_number
from commands.timefmt import parse_duration, show_moment

from .clock import ShiftedClock
from .config import Config
from .runtime import Runtime
from .scheduler import Wakeups

OFFSET_KEY = "console_clock_offset_seconds"
MAX_ADVANCE = timedelta(days=3650)  # ten years: the demo clock must stay a real date


class Console:
    def __init__(self, config: Config, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
                 interactive: bool = False) -> None:
        self.config = config
        self.out, self.err = out, err
        self.interactive = interactive
        self.clock = ShiftedClock()
        self.runtime = Runtime(config, self.clock)
        repo = self.runtime.repo
        # The console's clock keeps its advance across runs, so deadlines stay meaningful.
        self.clock.offset = self._stored_offset(repo.meta(OFFSET_KEY))
        self.group = config.groups[0].slug
        self.person = self._default_person()
        self.wakeups = Wakeups(self.runtime.engine, self.clock, self._due)

    def _stored_offset(self, stored: str | None) -> timedelta:
        """The demo clock's advance kept by an earlier run; one no clock can show (stored by
        an older version without bounds) is dropped rather than making the database unusable."""
        try:
            offset = timedelta(seconds=float(stored or 0))
            self.clock.now() + offset
        except (ValueError, OverflowError):
            self._note(f"the stored console clock advance {stored!r} is unusable: reset to now")
            return timedelta(0)
        return offset

    def _default_person(self) -> str:
        group = self.config.groups[0]
        for person in group.admins + tuple(p for m in group.members for p in m.matrix):
            return person
        return "@console:local"

    # --- the loop -----------------------------------------------------------------------
    async def run(self, lines: TextIO = sys.stdin) -> None:
        self.runtime.prepare()
        self.runtime.catch_up()
        self.deliver()
        self.wakeups.start()
        if self.interactive or self.config.path is None:
            self._intro()
        loop = asyncio.get_running_loop()
        try:
            while True:
                if self.interactive:
                    self.err.write(f"{self.person} in {self.group}> ")
                    self.err.flush()
                line = await loop.run_in_executor(None, lines.readline)
                if not line:
                    break
                # A line ending in a backslash goes on: multi-line messages (a proposal's
                # why:/website: lines) can be typed or piped.
                while line.rstrip("\n").endswith("\\"):
                    more = await loop.run_in_executor(None, lines.readline)
                    line = line.rstrip("\n")[:-1] + "\n" + (more or "")
                    if not more:
                        break
                if not await self.feed(line.rstrip("\n")):
                    break
        finally:
            self.wakeups.shutdown()
            self.runtime.close()

    async def feed(self, line: str) -> bool:
        """One input line; False when the user quits."""
        if not line.strip():
            return True
        if line.startswith("/"):
            return self._control(line)
        self._say(line, Venue.ROOM)
        return True

    def _say(self, text: str, venue: Venue) -> None:
        event = Inbound(
            event_id=f"console:{uuid.uuid4().hex}", sender=self.person, text=text,
            at=self.clock.now(), venue=venue,
            group=self.group if venue is Venue.ROOM else None,
        )
        if not self.runtime.engine.handle(event) and self.interactive:
            self.err.write(f"(not a command: commands start with {self.config.command_prefix}"
                           f", try {self.config.command_prefix}help)\n")
        self.runtime.catch_up()
        self.deliver()
        self.wakeups.sync()

    async def _due(self) -> None:
        self.runtime.catch_up()
        self.deliver()
        self.wakeups.sync()

    def deliver(self) -> None:
        """Print what the outbox holds, then mark it sent. A picture (``!tree``) is written
        to a file beside the database, and its block says where."""
        repo = self.runtime.repo
        with repo.transaction():  # one commit for what one line made the bot say
            for row in repo.pending_outbox(("room", "dm")):
                header = f"[room {row['target']}]" if row["venue"] == "room" \
                    else f"[dm {row['target']}]"
                body = row["plain"]
                if row.get("attachment"):
                    body += f"\n(picture: {self._save_picture(row['id'])})"
                    repo.release_outbox_file(row["id"])
                self.out.write(f"{header}\n{body}\n\n")
                # Its own id, as a Matrix event's: an announcement is read and reacted to.
                repo.mark_sent(row["id"], self.clock.now(), remote_id=f"console:{row['id']}")
        self.out.flush()

    def _save_picture(self, row_id: int) -> str:
        """Write an outbox row's file into ``<database>-pictures/``; its path."""
        stored = self.runtime.repo.outbox_file(row_id)
        if stored is None:
            return "missing"
        database = Path(self.config.database).resolve()
        folder = database.parent / f"{database.stem}-pictures"
        folder.mkdir(exist_ok=True)
        path = folder / f"{row_id}-{stored.filename}"
        path.write_bytes(stored.data)
        return str(path)

    # --- controls -------------------------------------------------------------------------
    def _control(self, line: str) -> bool:
        command, _, argument = line[1:].partition(" ")
        argument = argument.strip()
        if command in ("quit", "exit", "q"):
            return False
        if command == "as":
            person = self._person(argument)
            if person:
                self.person = person
                self._note(f"you are now {person}")
        elif command == "in":
            if self.config.group(argument):
                self.group = argument
                self._note(f"you are now in {argument}")
            else:
                self._note(f"no group {argument!r}; groups: "
                           + ", ".join(g.slug for g in self.config.groups))
        elif command == "dm":
            if argument:
                self._say(argument, Venue.DM)
            else:
                self._note("usage: /dm !status C-1")
        elif command == "advance":
            try:
                delta = parse_duration(argument)
            except ValueError:
                self._note("usage: /advance 5d (also 90s, 45m, 36h, 2w), at most 3650d")
                return True
            if delta > MAX_ADVANCE:
                self._note(f"/advance goes at most {MAX_ADVANCE.days}d at a time")
                return True
            self._pass(delta)
            self._note(f"the clock is now {self._now()}")
            self.deliver()
            self.wakeups.sync()
        elif command == "who":
            self._who()
        elif command in ("react", "unreact", "read"):
            self._gesture(command, argument)
        else:
            self._note("console controls: /as @person, /in GROUP, /dm TEXT, /advance 5d, "
                       "/react C-1 👍, /unreact C-1 👍, /read C-1, /who, /quit")
        return True

    def _gesture(self, command: str, argument: str) -> None:
        """A reaction to a proposal's announcement, its removal, or a read receipt on it:
        what a chat client does without typing, passed to the engine as Matrix would."""
        ref, _, key = argument.partition(" ")
        key = key.strip()
        usage = "usage: /read C-1" if command == "read" else f"usage: /{command} C-1 👍"
        if not ref or (command != "read" and not key):
            self._note(usage)
            return
        try:
            number = proposal_number(ref)
        except CommandError:
            self._note(usage)
            return
        announced = self.runtime.repo.announcement(f"{self.group}:C-{number}")
        if announced is None:
            self._note(f"C-{number} has no announcement in {self.group}")
            return
        kind = {"react": Kind.REACTION, "unreact": Kind.UNREACTION, "read": Kind.READ}[command]
        self.runtime.engine.handle(Inbound(
            event_id=f"console:{uuid.uuid4().hex}", sender=self.person, text="",
            at=self.clock.now(), venue=Venue.ROOM, group=self.group, kind=kind,
            target=announced[0], key=key or None))
        self.runtime.catch_up()
        self.deliver()
        self.wakeups.sync()

    def _person(self, text: str) -> str | None:
        text = text.strip()
        if not text:
            self._note("usage: /as @bob")
            return None
        known = self._known_people()
        if text in known or (text.startswith("@") and ":" in text):
            return text
        local = text.lstrip("@").lower()
        matches = [p for p in known if p.lower().lstrip("@").split(":")[0] == local]
        if len(matches) == 1:
            return matches[0]
        self._note(f"who is {text!r}? known: {', '.join(known)}")
        return None

    def _known_people(self) -> list[str]:
        repo = self.runtime.repo
        people = {row.person for row in repo.persons(self.group)}
        for role in ("admin", "core", "registrar"):
            people.update(repo.holders(self.group, role))
        return sorted(p for p in people if p.startswith("@"))

    def _pass(self, delta: timedelta) -> None:
        """Let ``delta`` pass as it would for a bot that runs all along: the clock stops at
        each instant something is due on the way (a deadline, a nudge, the end of quiet
        hours a late digest waits for) and decides it then, not all at the end."""
        target = self.clock.now() + delta
        stops = 0
        while True:
            now = self.clock.now()
            coming = [at for _, at in self.runtime.engine.wakeups(after=now) if at <= target]
            # Each stop is a later second (what is due is stored to the second); past a
            # bound no demo meets, the rest of the way is one jump, as before.
            stops += 1
            stop = target if stops > 10_000 else min(coming, default=target)
            self.clock.advance(max(timedelta(0), stop - now))
            # Kept at each stop: what was decided at a moment is never ahead of the clock.
            self.runtime.repo.set_meta(OFFSET_KEY, str(self.clock.offset.total_seconds()))
            self.runtime.catch_up()
            if stop >= target:
                break

    def _who(self) -> None:
        repo = self.runtime.repo
        lines = [f"you are {self.person} in {self.group}; the clock says {self._now()}"]
        for person in self._known_people():
            row = repo.person(self.group, person)
            roles = [r for r in ("admin", "core", "registrar") if repo.has_role(self.group, person, r)]
            member = row.member if row and row.member else "no member"
            lines.append(f"  {person}: {member}" + (f" ({', '.join(roles)})" if roles else ""))
        self._note("\n".join(lines))

    def _now(self) -> str:
        group = self.runtime.engine.group(self.group)
        return show_moment(self.clock.now(), group.zone, "en")

    def _note(self, text: str) -> None:
        """Console chatter goes to stderr: stdout holds only what the bot says."""
        self.err.write(text + "\n")
        self.err.flush()

    def _intro(self) -> None:
        prefix = self.config.command_prefix
        self._note(
            f"coopbot console — you are {self.person} in group {self.group}.\n"
            f"Try: {prefix}help · {prefix}propose \"Repair Together\" they fix things with us · "
            f"{prefix}list\n"
            "Then /as @bob to become someone else, /advance 10m to move the clock, "
            "/react C-1 👍 or /read C-1 for what a chat client does without typing, /who, /quit."
        )

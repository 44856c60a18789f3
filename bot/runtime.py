"""The runtime shared by every adapter: storage, engine and timers, started in the right order.

Start order matters for trust: seed from the config, stretch windows that lost time to a
downtime, and only then (once the adapter has read its sources) decide what came due.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from storage.repository import Repository

from .config import Config
from .metrics import Metrics
from .observe import ObservedEngine

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, config: Config, clock) -> None:
        self.config = config
        self.clock = clock
        self.repo = Repository(config.database)
        self.metrics = Metrics(self)
        self.engine = ObservedEngine(self.repo, clock, config.groups, config.command_prefix,
                                     on_command=self.metrics.command)
        logging.getLogger().addHandler(self.metrics.error_counter)
        # Each source (the forum, Matrix…) registers how far it has read; None = not yet.
        self.watermarks: list[Callable[[], datetime | None]] = []

    def prepare(self) -> None:
        """Seed and recover from downtime; due work waits for ``catch_up``."""
        self.engine.seed()
        self.engine.recover_downtime()

    def read_until(self) -> datetime | None:
        """The instant up to which every registered source has been read: the minimum of
        their watermarks; a source that has not read anything yet holds every deadline back."""
        marks = [mark() for mark in self.watermarks]
        if not marks:
            return None
        if any(mark is None for mark in marks):
            return datetime(1970, 1, 1, tzinfo=timezone.utc)
        return min(marks)

    def catch_up(self, read_until: datetime | None = None) -> int:
        """Handle what came due, once every source has been read up to ``read_until``
        and by every registered source (see ``read_until()``), whichever is earlier."""
        marks = [mark for mark in (read_until, self.read_until()) if mark is not None]
        done = self.engine.process_due(min(marks) if marks else None)
        self.engine.heartbeat()
        return done

    def close(self) -> None:
        logging.getLogger().removeHandler(self.metrics.error_counter)
        try:
            self.engine.heartbeat(force=True)
        finally:
            self.repo.close()

"""The runtime shared by every adapter: storage, engine and timers, started in the right order.

Start order matters for trust: seed from the config, stretch windows that lost time to a
downtime, and only then (once the adapter has read its sources) decide what came due.
"""

from __future__ import annotations

import logging
from datetime import datetime

from commands.engine import Engine
from storage.repository import Repository

from .config import Config

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, config: Config, clock) -> None:
        self.config = config
        self.clock = clock
        self.repo = Repository(config.database)
        self.engine = Engine(self.repo, clock, config.groups, config.command_prefix)

    def prepare(self) -> None:
        """Seed and recover from downtime; due work waits for ``catch_up``."""
        self.engine.seed()
        self.engine.recover_downtime()

    def catch_up(self, read_until: datetime | None = None) -> int:
        """Handle what came due, once every source has been read up to ``read_until``."""
        done = self.engine.process_due(read_until)
        self.engine.heartbeat()
        return done

    def close(self) -> None:
        try:
            self.engine.heartbeat()
        finally:
            self.repo.close()

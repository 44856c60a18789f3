"""What the bot is doing, for its logs and metrics: the group, event and command at hand.

``ObservedEngine`` is the engine with one observer around each command: it sets the context
variables the log lines carry (``bot/logs.py``) and counts the command by outcome. It wraps
the engine from outside (``handle``, and ``_run``, where the command and the group are known
and a refusal is still an exception), so the governance code knows nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from commands.engine import Engine
from commands.errors import CommandError
from commands.events import Inbound
from commands.parsing import split_word
from commands.table import find

GROUP: ContextVar[str | None] = ContextVar("coopbot_group", default=None)
EVENT: ContextVar[str | None] = ContextVar("coopbot_event", default=None)
COMMAND: ContextVar[str | None] = ContextVar("coopbot_command", default=None)

OK, REFUSED, ERROR = "ok", "refused", "error"


def command_name(body: str) -> str:
    """The canonical name of the command a text calls (``unknown`` for none)."""
    command = find(split_word(body)[0])
    return command.name if command is not None else "unknown"


class ObservedEngine(Engine):
    """The engine, telling ``on_command(name, outcome)`` how each command ended."""

    def __init__(self, *args: Any, on_command: Callable[[str, str], None] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_command = on_command or (lambda name, outcome: None)

    def handle(self, event: Inbound) -> bool:
        tokens = (GROUP.set(event.group), EVENT.set(event.event_id), COMMAND.set(None))
        try:
            return super().handle(event)
        finally:
            for var, token in zip((GROUP, EVENT, COMMAND), tokens):
                var.reset(token)

    def _run(self, ctx, body: str) -> None:
        name = command_name(body)
        GROUP.set(ctx.group.slug)
        COMMAND.set(name)
        try:
            super()._run(ctx, body)
        except CommandError:
            self.on_command(name, REFUSED)
            raise
        except Exception:
            self.on_command(name, ERROR)
            raise
        self.on_command(name, OK)

"""The one user-facing error type.

Raised anywhere a command cannot go on; the engine rolls back what the command had written
and turns the error into a reply in the group's language, in one place. Never a stack trace
or an exception text in a room.
"""

from __future__ import annotations


class CommandError(Exception):
    """A refusal the caller should read: a catalog key and its parameters."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

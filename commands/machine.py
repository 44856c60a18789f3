"""One small state-machine helper, for proposals and tasks alike (in the manner of h11's
``_state.py``): a table of (state, move) -> state, and nothing else. A move the table does
not list is a bug in the code, never something a user typed: it raises ``IllegalMove``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)
M = TypeVar("M", bound=StrEnum)


class IllegalMove(Exception):
    """A code path tried a move its table does not allow."""


class Machine(Generic[S, M]):
    """A lifecycle table: which move leads from which state to which."""

    def __init__(self, states: type[S], table: Mapping[tuple[S, M], S]) -> None:
        self.states = states
        self.table = dict(table)
        # A state with no way out is final.
        self.finals = frozenset(s for s in states if not any(k[0] is s for k in self.table))

    def next(self, state: S | str, move: M) -> S:
        try:
            return self.table[(self.states(state), move)]
        except KeyError:
            raise IllegalMove(f"{move} is not allowed from {state}") from None

    def allows(self, state: S | str, move: M) -> bool:
        return (self.states(state), move) in self.table

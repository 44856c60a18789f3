"""What the engine needs to know of a group from outside (the config file, in practice):
neutral definitions, so the engine depends on no adapter's or loader's types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Founder:
    """A founding member: its slug, its name and the people (``@alice:example.org``,
    ``forum:alice``) who represent it."""

    slug: str
    name: str
    people: tuple[str, ...] = ()


class GroupDefinition(Protocol):
    """A group as defined outside the database: identity, default settings (texts, see
    ``commands.settings``), charter, founders and role holders. The database wins over it
    for anything changed by command."""

    @property
    def slug(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def settings(self) -> Mapping[str, str]: ...

    @property
    def charter(self) -> tuple[str, ...]: ...

    @property
    def founders(self) -> tuple[Founder, ...]: ...

    def roles(self) -> Mapping[str, tuple[str, ...]]: ...

"""One numbered schema step of the library's database (storage/migrations/mNNN_*.py), as
``storage.db.discover_migrations`` finds them.

Its own module, loaded with the first migration run: a library already at the newest version
(every start but the first after an update) needs none (issue 17). A NamedTuple, not a
frozen dataclass: a new library migrates before the reviewer's first paint, and a dataclass
compiles its methods at every load (and `dataclasses` itself costs ~12 M instructions to import
under PySide6's import hook).
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, NamedTuple, Protocol, cast

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database


class _Migration(Protocol):
    VERSION: int

    def migrate(self, db: Database) -> None: ...


class Migration(NamedTuple):
    """One numbered schema step (storage/migrations/mNNN_*.py)."""

    version: int
    name: str
    module: ModuleType

    def apply(self, db: Database) -> None:
        cast(_Migration, self.module).migrate(db)

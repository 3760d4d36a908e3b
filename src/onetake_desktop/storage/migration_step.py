"""One numbered schema step of the library's database (storage/migrations/mNNN_*.py), as
``storage.db.discover_migrations`` finds them.

Its own module, loaded with the first migration run: a library already at the newest version
(every start but the first after an update) needs none, and a frozen dataclass costs ~4 M
instructions to define on Python 3.11 (issue 17).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database


class _Migration(Protocol):
    VERSION: int

    def migrate(self, db: Database) -> None: ...


@dataclass(frozen=True)
class Migration:
    """One numbered schema step (storage/migrations/mNNN_*.py)."""

    version: int
    name: str
    module: ModuleType

    def apply(self, db: Database) -> None:
        cast(_Migration, self.module).migrate(db)

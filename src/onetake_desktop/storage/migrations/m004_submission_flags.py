"""Schema 4: the flags a submission was imported with (domain/conformance.py).

A JSON list of ``{"code", "message", "question_id"}``, written once by the import together with
the submission row: the rules of its interview that the bundle broke. Rows imported before this
schema have none (``[]``); they were not checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

VERSION = 4


def migrate(db: Database) -> None:
    db.execute("ALTER TABLE submissions ADD COLUMN flags TEXT NOT NULL DEFAULT '[]'")

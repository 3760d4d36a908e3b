"""A library as an older OneTake left it: the schema only up to ``version`` (its migrations,
no later ones), opened on the storage layer's own classes, for tests of what a newer start
does to it."""

from __future__ import annotations

from pathlib import Path

from onetake_desktop.storage.db import connect, discover_migrations, migrate
from onetake_desktop.storage.library import (
    Library,
    SqliteInterviews,
    SqliteReviewers,
    SqliteScores,
    SqliteSubmissions,
)


def library_at_schema(root: Path, version: int) -> Library:
    """Library in ``root`` (made if missing) at schema ``version``: close it before opening
    it with ``open_library``, which migrates it the rest of the way."""
    root.mkdir(parents=True, exist_ok=True)
    db = connect(root / "onetake.sqlite3")
    assert migrate(db, discover_migrations()[:version]) == version
    return Library(
        db, root, SqliteReviewers(db), SqliteInterviews(db), SqliteSubmissions(db, root),
        SqliteScores(db),
    )  # fmt: skip

"""Schema 8: transcripts of answers (issue 16), and their full-text index.

One row per answer: the text, the words with their times (JSON ``[[text, start, end], ...]``),
and the model and version that heard them (a better model's run replaces the row).
``transcript_search`` (FTS5) holds the same text folded the way the library search folds
(domain/search.py: no case, no accents), kept in step by triggers; an answer's rows go with the
answer (ON DELETE CASCADE), so erasing a candidate erases their transcripts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

VERSION = 8

STATEMENTS = (
    "CREATE TABLE transcripts ("
    " answer_id INTEGER PRIMARY KEY REFERENCES answers(id) ON DELETE CASCADE,"
    " text TEXT NOT NULL,"
    " words_json TEXT NOT NULL,"
    " folded TEXT NOT NULL,"
    " model TEXT NOT NULL,"
    " model_version TEXT NOT NULL,"
    " model_rank INTEGER NOT NULL DEFAULT 0,"
    " language TEXT NOT NULL DEFAULT '',"
    " duration_seconds REAL NOT NULL DEFAULT 0,"
    " created_at TEXT NOT NULL)",
    # A failed answer is not retried at every start (the model or the file must change first).
    "CREATE TABLE transcript_failures ("
    " answer_id INTEGER PRIMARY KEY REFERENCES answers(id) ON DELETE CASCADE,"
    " model TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " created_at TEXT NOT NULL)",
    "CREATE VIRTUAL TABLE transcript_search USING fts5("
    " folded, content='transcripts', content_rowid='answer_id',"
    " tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER transcripts_ai AFTER INSERT ON transcripts BEGIN"
    " INSERT INTO transcript_search(rowid, folded) VALUES (new.answer_id, new.folded); END",
    "CREATE TRIGGER transcripts_ad AFTER DELETE ON transcripts BEGIN"
    " INSERT INTO transcript_search(transcript_search, rowid, folded)"
    " VALUES ('delete', old.answer_id, old.folded); END",
    "CREATE TRIGGER transcripts_au AFTER UPDATE ON transcripts BEGIN"
    " INSERT INTO transcript_search(transcript_search, rowid, folded)"
    " VALUES ('delete', old.answer_id, old.folded);"
    " INSERT INTO transcript_search(rowid, folded) VALUES (new.answer_id, new.folded); END",
)


def migrate(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)

"""Transcripts in the library (schema 8): save, read, list what still needs one, search.

Search runs SQLite FTS5 over the folded text (domain/search.py ``fold``: no case, no accents),
so "resume" finds "Résumé" exactly as the candidate list's search does; the moment inside an
answer is then found in the words with their times (domain/transcript.py ``find_phrase``).
"""

from __future__ import annotations

from dataclasses import dataclass

from onetake_desktop.domain.transcript import Transcript, tokens, words_from_json, words_to_json
from onetake_desktop.storage.db import Database, transaction, utc_now


@dataclass(frozen=True)
class StoredTranscript:
    answer_id: int
    transcript: Transcript
    model_rank: int
    created_at: str


@dataclass(frozen=True)
class PendingAnswer:
    answer_id: int
    submission_id: int
    media_path: str  # relative to the library root, as stored


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for what was typed: the folded words as one phrase, the last
    one as a prefix. None when nothing searchable was typed. Every word is quoted, so FTS5
    operators typed by a user (AND, NEAR, *, :) are plain words here."""
    words = tokens(text)
    if not words:
        return None
    quoted = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    return f"{quoted}*"


class SqliteTranscripts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, answer_id: int, transcript: Transcript, *, rank: int) -> None:
        """Store (or replace) the answer's transcript."""
        from onetake_desktop.domain.search import fold

        with transaction(self.db):
            self.db.execute("DELETE FROM transcript_failures WHERE answer_id = ?", (answer_id,))
            self.db.execute("DELETE FROM transcripts WHERE answer_id = ?", (answer_id,))
            self.db.execute(
                "INSERT INTO transcripts (answer_id, text, words_json, folded, model,"
                " model_version, model_rank, language, duration_seconds, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer_id,
                    transcript.text,
                    words_to_json(transcript.words),
                    fold(transcript.text),
                    transcript.model,
                    transcript.model_version,
                    rank,
                    transcript.language,
                    transcript.duration,
                    utc_now(),
                ),
            )

    def fail(self, answer_id: int, model: str, reason: str) -> None:
        with transaction(self.db):
            self.db.execute(
                "INSERT OR REPLACE INTO transcript_failures (answer_id, model, reason, created_at)"
                " VALUES (?, ?, ?, ?)",
                (answer_id, model, reason, utc_now()),
            )

    def get(self, answer_id: int) -> StoredTranscript | None:
        row = self.db.execute(
            "SELECT answer_id, text, words_json, model, model_version, language,"
            " duration_seconds, model_rank, created_at FROM transcripts WHERE answer_id = ?",
            (answer_id,),
        ).fetchone()
        if row is None:
            return None
        transcript = Transcript(
            row[1], words_from_json(row[2]), row[3], row[4], row[5], float(row[6])
        )
        return StoredTranscript(int(row[0]), transcript, int(row[7]), row[8])

    def pending(self, *, model: str, rank: int) -> list[PendingAnswer]:
        """Answers with sound and no transcript as good as ``rank`` (and not failed with this
        model), oldest import first."""
        rows = self.db.execute(
            "SELECT a.id, a.submission_id, a.media_path FROM answers a"
            " JOIN submissions s ON s.id = a.submission_id"
            " LEFT JOIN transcripts t ON t.answer_id = a.id"
            " LEFT JOIN transcript_failures f ON f.answer_id = a.id AND f.model = ?"
            " WHERE a.answer_type IN ('video', 'audio') AND a.media_path IS NOT NULL"
            " AND (t.answer_id IS NULL OR t.model_rank < ?) AND f.answer_id IS NULL"
            " ORDER BY s.imported_at, s.id, a.position",
            (model, rank),
        ).fetchall()
        return [PendingAnswer(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    def counts(self) -> tuple[int, int]:
        """(answers with a transcript, answers with sound)."""
        done = self.db.execute("SELECT COUNT(*) FROM transcripts").fetchone()[0]
        total = self.db.execute(
            "SELECT COUNT(*) FROM answers WHERE answer_type IN ('video', 'audio')"
            " AND media_path IS NOT NULL"
        ).fetchone()[0]
        return int(done), int(total)

    def search(self, text: str, *, interview_pk: int | None = None) -> list[int]:
        """Answer ids whose transcript holds ``text`` (as a phrase, accents and case ignored),
        best match first."""
        query = fts_query(text)
        if query is None:
            return []
        sql = (
            "SELECT ts.rowid FROM transcript_search ts"
            " JOIN answers a ON a.id = ts.rowid"
            " JOIN submissions s ON s.id = a.submission_id"
            " WHERE transcript_search MATCH ?"
        )
        params: list[object] = [query]
        if interview_pk is not None:
            sql += " AND s.interview_pk = ?"
            params.append(interview_pk)
        sql += " ORDER BY rank, a.submission_id, a.position"
        return [int(r[0]) for r in self.db.execute(sql, params).fetchall()]


def purge_search_index(db: Database) -> None:
    """Rewrite the full-text index without the entries of deleted transcripts: FTS5 only marks
    a deletion until its segments merge, so an erased candidate's words would stay in its
    pages. 'rebuild' re-reads the remaining transcripts (storage/erasure.py calls this)."""
    if "transcript_search" in db.table_names():
        with transaction(db):
            db.execute("INSERT INTO transcript_search(transcript_search) VALUES ('rebuild')")

"""The reviewer library's repositories: small ports, and their SQLite implementation.

The services and windows talk to the ports (``ReviewerRepository``, ``InterviewRepository``,
``SubmissionRepository``, ``ScoreRepository``) so that a team database could replace SQLite
later without touching them. Every read that returns scoring data takes the *viewing*
reviewer's id and returns only that reviewer's rows: blind, independent scoring (panels) relies
on no single-reviewer API ever showing another reviewer's scores.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from onetake_desktop.domain.conformance import Flag, flags_from_json, flags_to_json
from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.domain.search import fold
from onetake_desktop.paths import private_dir
from onetake_desktop.storage.db import Database, open_database, transaction, utc_now

# Definitions are read and written as JSON, when one is asked for. The records (``X as X``:
# re-exported, importing them from here is typed) load at run time with __getattr__ below.
if TYPE_CHECKING:
    from onetake_desktop.domain.kit import InterviewDefinition
    from onetake_desktop.domain.manifest import SubmissionManifest
    from onetake_desktop.storage.records import AnswerRecord as AnswerRecord
    from onetake_desktop.storage.records import CandidateEntry as CandidateEntry
    from onetake_desktop.storage.records import NewAnswer as NewAnswer
    from onetake_desktop.storage.records import RecommendationRecord as RecommendationRecord
    from onetake_desktop.storage.records import ScoreRecord as ScoreRecord
    from onetake_desktop.storage.records import SubmissionRecord as SubmissionRecord
    from onetake_desktop.storage.records import TimestampedNote as TimestampedNote

# The records other than reviewers and interviews live in storage.records, loaded with the
# first one made (issue 17); importing them from here still works, by name.
_RECORDS = frozenset(
    (
        "AnswerRecord",
        "CandidateEntry",
        "NewAnswer",
        "RecommendationRecord",
        "ScoreRecord",
        "SubmissionRecord",
        "TimestampedNote",
    )
)


if not TYPE_CHECKING:  # mypy reads the import at the top; it must not see a catch-all here

    def __getattr__(name: str) -> Any:
        if name in _RECORDS:
            from onetake_desktop.storage import records

            return getattr(records, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


ScoreStatus = Literal["draft", "submitted"]
# What a reviewer's work on an answer (or a candidate) is: no score yet, a score not yet
# submitted, or submitted. A note or a pin alone is not a score: the answer is still not started.
AnswerStatus = Literal["not started", "draft", "submitted"]
ANSWER_STATUSES: tuple[AnswerStatus, ...] = ("not started", "draft", "submitted")
Recommendation = Literal["strong_yes", "yes", "no", "strong_no"]
RECOMMENDATIONS: tuple[Recommendation, ...] = ("strong_yes", "yes", "no", "strong_no")
RECOMMENDATION_LABELS: dict[str, str] = {
    "strong_yes": "Strong yes",
    "yes": "Yes",
    "no": "No",
    "strong_no": "Strong no",
}


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


# Reviewer and InterviewRecord are NamedTuples, not frozen dataclasses (and Library a plain
# class): as immutable and typed, and the reviewer's window loads this module before its
# first paint, where a dataclass compiles its methods at every load and `dataclasses` itself
# costs ~12 M instructions (issue 17). Changed copies: ``record._replace(...)``.
class Reviewer(NamedTuple):
    """A reviewer of this library (on a panel, also a panelist)."""

    id: int
    name: str
    passphrase_hash: str | None
    created_at: str


class InterviewRecord(NamedTuple):
    """An interview the library knows (kit id, version, content hash), with or without its
    definition."""

    id: int
    interview_id: str
    version: str
    content_hash: str
    role_title: str
    organisation: str
    has_definition: bool


# CandidateEntry's fields in order: the tuples of SqliteSubmissions.entry_rows, for lists of
# a large library that print each candidate without making an object of it.
ENTRY_FIELDS = (
    "submission_id",
    "interview_pk",
    "interview_title",
    "candidate_name",
    "candidate_email",
    "imported_at",
    "sealed_at",
    "answers",
    "with_score",
    "submitted",
    "has_definition",
)
EntryRow = tuple[int, int, str, str, str, str, str, int, int, int, bool]
# Where a row stands in entry_rows' order: interview pk, folded name (domain.search ``fold``,
# schema 12's ``name_key``), submission id.
EntryKey = tuple[int, str, int]
# One interview of the list: pk, title, has a definition, candidates, candidates submitted
# (every answer) by the viewing reviewer.
InterviewCount = tuple[int, str, bool, int, int]
# SqliteSubmissions.entry_rows counts a candidate's submitted and scored answers in one sum:
# submitted * _PACK + scored (far more than the most answers a candidate can have).
_PACK = 1 << 32


def answer_status(score: ScoreRecord | None) -> AnswerStatus:
    if score is not None and score.status == "submitted":
        return "submitted"
    return "draft" if score is not None and score.score is not None else "not started"


def candidate_status(answers: int, with_score: int, submitted: int) -> AnswerStatus:
    """Submitted once every answer is; a draft once any answer has a score."""
    if answers and submitted >= answers:
        return "submitted"
    return "draft" if with_score else "not started"


# ---------------------------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------------------------


class ReviewerRepository(Protocol):
    def ensure(self, name: str) -> Reviewer: ...
    def get(self, reviewer_id: int) -> Reviewer: ...
    def all(self) -> list[Reviewer]: ...
    def setting(self, reviewer_id: int, key: str, default: str | None = None) -> str | None: ...
    def set_setting(self, reviewer_id: int, key: str, value: str) -> None: ...


class InterviewRepository(Protocol):
    def ensure(self, interview_id: str, version: str, content_hash: str) -> InterviewRecord: ...
    def add_definition(
        self, content_hash: str, definition: InterviewDefinition
    ) -> InterviewRecord: ...
    def definition(self, interview_pk: int) -> InterviewDefinition | None: ...
    def get(self, interview_pk: int) -> InterviewRecord: ...
    def all(self) -> list[InterviewRecord]: ...


class SubmissionRepository(Protocol):
    def find_by_sha256(self, bundle_sha256: str) -> SubmissionRecord | None: ...
    def stored_folders(self) -> set[str]: ...
    def add(
        self,
        manifest: SubmissionManifest,
        bundle_sha256: str,
        folder: Path,
        answers: Sequence[NewAnswer],
        flags: Sequence[Flag] = (),
    ) -> SubmissionRecord | None: ...
    def get(self, submission_id: int) -> SubmissionRecord: ...
    def answers(self, submission_id: int) -> list[AnswerRecord]: ...
    def answer(self, answer_id: int) -> AnswerRecord: ...
    def entries(self, reviewer_id: int, search: str = "") -> list[CandidateEntry]: ...
    # Rows come by interview, then the folded name (``fold``), then id: the reviewer's list
    # (services.reviewer) keeps that order as it is.
    def entry_rows(
        self,
        reviewer_id: int,
        search: str = "",
        *,
        after: EntryKey | None = None,
        limit: int | None = None,
    ) -> list[EntryRow]: ...
    def entry_counts(self, reviewer_id: int) -> list[InterviewCount]: ...
    def entry_key(self, submission_id: int) -> EntryKey: ...
    def list_version(self) -> tuple[int, int]: ...


class ScoreRepository(Protocol):
    def save_draft(
        self, answer_id: int, reviewer_id: int, score: int, note: str
    ) -> ScoreRecord: ...
    def current(self, answer_id: int, reviewer_id: int) -> ScoreRecord | None: ...
    def current_for_submission(
        self, submission_id: int, reviewer_id: int
    ) -> dict[int, ScoreRecord]: ...
    def submit(self, submission_id: int, reviewer_id: int) -> int: ...
    def correct(
        self, answer_id: int, reviewer_id: int, score: int, note: str, reason: str
    ) -> ScoreRecord: ...
    def history(self, answer_id: int, reviewer_id: int) -> list[ScoreRecord]: ...
    def add_note(
        self, answer_id: int, reviewer_id: int, position_ms: int, text: str
    ) -> TimestampedNote: ...
    def notes(self, answer_id: int, reviewer_id: int) -> list[TimestampedNote]: ...
    def delete_note(self, note_id: int, reviewer_id: int) -> None: ...
    def set_recommendation(
        self, submission_id: int, reviewer_id: int, value: Recommendation, note: str
    ) -> RecommendationRecord: ...
    def recommendation(
        self, submission_id: int, reviewer_id: int
    ) -> RecommendationRecord | None: ...


# ---------------------------------------------------------------------------------------------
# Interview definitions as JSON (the DB keeps the employer's definition with its rubric)
# ---------------------------------------------------------------------------------------------


def definition_to_json(definition: InterviewDefinition) -> str:
    import json  # here and below: the first frame reads no definition (issue 17)

    from onetake_desktop.domain.kit import definition_to_dict

    return json.dumps(definition_to_dict(definition), ensure_ascii=False, sort_keys=True)


def definition_from_json(text: str) -> InterviewDefinition:
    import json

    from onetake_desktop.domain.kit import definition_from_dict

    return definition_from_dict(json.loads(text))


# ---------------------------------------------------------------------------------------------
# SQLite implementation
# ---------------------------------------------------------------------------------------------


def _rows(db: Database, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
    return iter(db.execute(sql, tuple(params)).fetchall())


def _one(db: Database, sql: str, params: Sequence[Any], missing: str) -> Any:
    """The row ``sql`` selects; OneTakeError "There is no {missing} in this library." if none."""
    row = db.execute(sql, tuple(params)).fetchone()
    if row is None:
        raise OneTakeError(f"There is no {missing} in this library.")
    return row


class SqliteReviewers:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _make(self, row: Any) -> Reviewer:
        return Reviewer(int(row[0]), str(row[1]), row[2], str(row[3]))

    def ensure(self, name: str) -> Reviewer:
        name = name.strip()
        if not name:
            raise InvalidInputError("A reviewer needs a name.")
        with transaction(self.db):
            self.db.execute(
                "INSERT OR IGNORE INTO reviewers (name, created_at) VALUES (?, ?)",
                (name, utc_now()),
            )
        row = self.db.execute(
            "SELECT id, name, passphrase_hash, created_at FROM reviewers WHERE name = ?", (name,)
        ).fetchone()
        return self._make(row)

    def get(self, reviewer_id: int) -> Reviewer:
        return self._make(
            _one(
                self.db,
                "SELECT id, name, passphrase_hash, created_at FROM reviewers WHERE id = ?",
                (reviewer_id,),
                f"reviewer number {reviewer_id}",
            )
        )

    def all(self) -> list[Reviewer]:
        return [
            self._make(r)
            for r in _rows(
                self.db, "SELECT id, name, passphrase_hash, created_at FROM reviewers ORDER BY id"
            )
        ]

    def setting(self, reviewer_id: int, key: str, default: str | None = None) -> str | None:
        row = self.db.execute(
            "SELECT value FROM reviewer_settings WHERE reviewer_id = ? AND key = ?",
            (reviewer_id, key),
        ).fetchone()
        return default if row is None else str(row[0])

    def set_setting(self, reviewer_id: int, key: str, value: str) -> None:
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO reviewer_settings (reviewer_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (reviewer_id, key) DO UPDATE SET value = excluded.value",
                (reviewer_id, key, value),
            )


class SqliteInterviews:
    _COLUMNS = (
        "id, interview_id, version, content_hash, role_title, organisation, "
        "definition_json IS NOT NULL"
    )

    def __init__(self, db: Database) -> None:
        self.db = db

    def _make(self, row: Any) -> InterviewRecord:
        return InterviewRecord(int(row[0]), row[1], row[2], row[3], row[4], row[5], bool(row[6]))

    def _by_hash(self, content_hash: str) -> InterviewRecord | None:
        row = self.db.execute(
            f"SELECT {self._COLUMNS} FROM interviews WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        return None if row is None else self._make(row)

    def ensure(self, interview_id: str, version: str, content_hash: str) -> InterviewRecord:
        with transaction(self.db):
            self.db.execute(
                "INSERT OR IGNORE INTO interviews (interview_id, version, content_hash, added_at)"
                " VALUES (?, ?, ?, ?)",
                (interview_id, version, content_hash, utc_now()),
            )
        record = self._by_hash(content_hash)
        assert record is not None
        return record

    def add_definition(self, content_hash: str, definition: InterviewDefinition) -> InterviewRecord:
        kit = definition.kit
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO interviews (interview_id, version, content_hash, role_title,"
                " organisation, definition_json, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (content_hash) DO UPDATE SET role_title = excluded.role_title,"
                " organisation = excluded.organisation,"
                " definition_json = excluded.definition_json",
                (
                    kit.interview_id,
                    kit.version,
                    content_hash,
                    kit.role_title,
                    kit.organisation,
                    definition_to_json(definition),
                    utc_now(),
                ),
            )
        record = self._by_hash(content_hash)
        assert record is not None
        return record

    def definition(self, interview_pk: int) -> InterviewDefinition | None:
        row = self.db.execute(
            "SELECT definition_json FROM interviews WHERE id = ?", (interview_pk,)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return definition_from_json(row[0])

    def get(self, interview_pk: int) -> InterviewRecord:
        return self._make(
            _one(
                self.db,
                f"SELECT {self._COLUMNS} FROM interviews WHERE id = ?",
                (interview_pk,),
                f"interview number {interview_pk}",
            )
        )

    def all(self) -> list[InterviewRecord]:
        return [
            self._make(r)
            for r in _rows(self.db, f"SELECT {self._COLUMNS} FROM interviews ORDER BY id")
        ]


def interview_title(role_title: str, interview_id: str, version: str) -> str:
    return f"{role_title or interview_id} (v{version})"


class SqliteSubmissions:
    _COLUMNS = (
        "s.id, s.interview_pk, s.bundle_sha256, s.kit_content_hash, s.candidate_name,"
        " s.candidate_email, s.sealed_at, s.imported_at, s.folder, s.time_multiplier,"
        " s.accommodations, s.flags"
    )
    _ANSWER_COLUMNS = (
        "a.id, a.submission_id, a.position, a.question_id, a.answer_type, a.media_path, a.text,"
        " a.think_seconds_used, a.answer_seconds, a.media_duration_seconds, a.takes_used,"
        " a.submitted_take, s.folder"
    )

    def __init__(self, db: Database, root: Path) -> None:
        self.db = db
        self.root = root  # folders are stored relative to it, so a library can move

    def _folder(self, stored: str) -> Path:
        return (self.root / stored).resolve()

    def _make(self, rows: Iterable[Any]) -> list[SubmissionRecord]:
        from onetake_desktop.storage.records import SubmissionRecord

        return [
            SubmissionRecord(
                int(row[0]),
                int(row[1]),
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                self._folder(row[8]),
                float(row[9]),
                tuple(a for a in str(row[10]).split(",") if a),
                flags_from_json(row[11]),
            )
            for row in rows
        ]

    def _make_answers(self, rows: Iterable[Any]) -> list[AnswerRecord]:
        from onetake_desktop.storage.records import AnswerRecord

        out = []
        for row in rows:
            folder = self._folder(row[12])
            out.append(
                AnswerRecord(
                    int(row[0]),
                    int(row[1]),
                    int(row[2]),
                    row[3],
                    row[4],
                    None if row[5] is None else folder / row[5],
                    row[6],
                    float(row[7]),
                    float(row[8]),
                    None if row[9] is None else float(row[9]),
                    int(row[10]),
                    int(row[11]),
                )
            )
        return out

    def find_by_sha256(self, bundle_sha256: str) -> SubmissionRecord | None:
        row = self.db.execute(
            f"SELECT {self._COLUMNS} FROM submissions s WHERE bundle_sha256 = ?", (bundle_sha256,)
        ).fetchone()
        return None if row is None else self._make([row])[0]

    def stored_folders(self) -> set[str]:
        """Every submission's folder as stored (relative to the library root, as ``add``
        writes it), in one query and without resolving a path per row: the import's sweep
        of a large library."""
        return {str(row[0]) for row in _rows(self.db, "SELECT folder FROM submissions")}

    def add(
        self,
        manifest: SubmissionManifest,
        bundle_sha256: str,
        folder: Path,
        answers: Sequence[NewAnswer],
        flags: Sequence[Flag] = (),
    ) -> SubmissionRecord | None:
        """Store one imported submission with its ``flags``; None if this exact bundle is
        already there."""
        try:
            stored_folder = str(folder.resolve().relative_to(self.root.resolve()))
        except ValueError:
            stored_folder = str(folder.resolve())
        ref = manifest.kit
        with transaction(self.db):
            self.db.execute(
                "INSERT OR IGNORE INTO interviews (interview_id, version, content_hash, added_at)"
                " VALUES (?, ?, ?, ?)",
                (ref.interview_id, ref.version, ref.content_hash, utc_now()),
            )
            interview_pk = self.db.execute(
                "SELECT id FROM interviews WHERE content_hash = ?", (ref.content_hash,)
            ).fetchone()[0]
            try:
                cursor = self.db.execute(
                    "INSERT INTO submissions (interview_pk, bundle_sha256, kit_content_hash,"
                    " candidate_name, candidate_email, sealed_at, imported_at, folder,"
                    " time_multiplier, accommodations, app_version, flags)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        interview_pk,
                        bundle_sha256,
                        ref.content_hash,
                        manifest.candidate_name,
                        manifest.candidate_email,
                        manifest.created_at,
                        utc_now(),
                        stored_folder,
                        manifest.time_multiplier,
                        ",".join(manifest.accommodations),
                        manifest.app_version,
                        flags_to_json(flags),
                    ),
                )
            except sqlite3.IntegrityError:
                if self.find_by_sha256(bundle_sha256) is not None:
                    return None
                raise
            submission_id = cursor.lastrowid
            for position, a in enumerate(answers, start=1):
                self.db.execute(
                    "INSERT INTO answers (submission_id, position, question_id, answer_type,"
                    " media_path, text, think_seconds_used, answer_seconds,"
                    " media_duration_seconds, takes_used, submitted_take)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        submission_id,
                        position,
                        a.question_id,
                        a.answer_type,
                        a.media_name,
                        a.text,
                        a.think_seconds_used,
                        a.answer_seconds,
                        a.media_duration_seconds,
                        a.takes_used,
                        a.submitted_take,
                    ),
                )
        assert submission_id is not None
        return self.get(submission_id)

    def set_flags(self, submission_id: int, flags: Sequence[Flag]) -> None:
        """Replace a submission's flags (it was judged again: its interview became known)."""
        with transaction(self.db):
            self.db.execute(
                "UPDATE submissions SET flags = ? WHERE id = ?",
                (flags_to_json(flags), submission_id),
            )

    def get(self, submission_id: int) -> SubmissionRecord:
        row = _one(
            self.db,
            f"SELECT {self._COLUMNS} FROM submissions s WHERE id = ?",
            (submission_id,),
            f"submission number {submission_id}",
        )
        return self._make([row])[0]

    def all(self) -> list[SubmissionRecord]:
        return self._make(
            _rows(self.db, f"SELECT {self._COLUMNS} FROM submissions s ORDER BY s.id")
        )

    def all_flags(self, *, first: int | None = None) -> dict[int, tuple[Flag, ...]]:
        """The import flags of every flagged submission by id, in one query (lists of a
        large library: no folder to resolve per candidate). ``first``: only those among the
        first rows of :meth:`entry_rows`' order (a page's: found in the listing index, then
        by id, without reading every submission)."""
        sql = "SELECT id, flags FROM submissions WHERE flags <> '[]'"
        params: tuple[int, ...] = ()
        if first is not None:
            sql += (
                " AND id IN (SELECT id FROM submissions"
                " ORDER BY interview_pk, name_key, id LIMIT ?)"
            )
            params = (first,)
        return {int(r[0]): flags_from_json(r[1]) for r in _rows(self.db, sql, params)}

    def bundle_hashes(self, interview_pk: int) -> dict[int, str]:
        """Submission id -> bundle SHA-256 for the interview, in one query (exports)."""
        return {
            int(r[0]): str(r[1])
            for r in _rows(
                self.db,
                "SELECT id, bundle_sha256 FROM submissions WHERE interview_pk = ?",
                (interview_pk,),
            )
        }

    def answers(self, submission_id: int) -> list[AnswerRecord]:
        return self._make_answers(
            _rows(
                self.db,
                f"SELECT {self._ANSWER_COLUMNS} FROM answers a JOIN submissions s"
                " ON s.id = a.submission_id WHERE a.submission_id = ? ORDER BY a.position",
                (submission_id,),
            )
        )

    def answer(self, answer_id: int) -> AnswerRecord:
        row = _one(
            self.db,
            f"SELECT {self._ANSWER_COLUMNS} FROM answers a JOIN submissions s"
            " ON s.id = a.submission_id WHERE a.id = ?",
            (answer_id,),
            f"answer number {answer_id}",
        )
        return self._make_answers([row])[0]

    def entries(self, reviewer_id: int, search: str = "") -> list[CandidateEntry]:
        """Every submission with this reviewer's progress on it (see :meth:`entry_rows`)."""
        from onetake_desktop.storage.records import CandidateEntry

        return [CandidateEntry(*row) for row in self.entry_rows(reviewer_id, search)]

    def entry_rows(
        self,
        reviewer_id: int,
        search: str = "",
        *,
        after: EntryKey | None = None,
        limit: int | None = None,
    ) -> list[EntryRow]:
        """:meth:`entries` as plain tuples (fields: ENTRY_FIELDS), in one query over the
        submissions and one over the few interviews: the list of a large library must stay
        fast (10,000 candidates: no object, no interview join per row, no sort in Python).
        Ordered by interview, folded name (``fold``) and id: services.reviewer relies on it.
        ``after`` (the key of a row) and ``limit`` give a page of that order: the rows after
        that one, at most that many (the first frame of a large library, issue 17)."""
        titles, defined = self._titles()
        search_join = where = ""
        params: list[Any] = [reviewer_id]
        if after is not None:  # keyset: the same order's columns, so its index is searched
            where = "WHERE (s.interview_pk, s.name_key, s.id) > (?, ?, ?)"
            params.extend(after)
        if search.strip():
            # Case- and accent-insensitive ("angstrom" finds "Ångström"): both sides folded by
            # the same Python function, registered on the connection (see watch_and_fold).
            search_join = "JOIN interviews i ON i.id = s.interview_pk"
            n = len(params) + 1  # the folded search's parameter number
            where += " AND (" if where else "WHERE ("
            where += (
                f"instr(onetake_fold(s.candidate_name), ?{n}) OR"
                f" instr(onetake_fold(s.candidate_email), ?{n}) OR"
                f" instr(onetake_fold(i.role_title), ?{n}) OR"
                f" instr(onetake_fold(i.interview_id), ?{n}))"
            )
            params.append(fold(search.strip()))
        if limit is not None:
            params.append(limit)
        # One pass over the submissions in list order, read from schema 12's covering
        # (interview, name key, id, name, e-mail, dates) index: no sort, no table rows. Per
        # candidate, its answers are found in the answers index: their number and this reviewer's
        # latest score row per answer (the highest id: one search of the covering scores
        # index, answer, reviewer, id, status, score). Both of that candidate's counts come
        # from that one pass, packed as submitted * _PACK + with a score (a candidate has at
        # most MAX_QUESTIONS answers) and unpacked below. A reviewer with no score at all
        # (asked once, in schema 10's partial reviewer index: the query states its condition)
        # skips those searches.
        sql = f"""
            SELECT s.id, s.interview_pk, s.candidate_name, s.candidate_email, s.imported_at,
                   s.sealed_at,
                   (SELECT COUNT(*) FROM answers a WHERE a.submission_id = s.id),
                   CASE WHEN EXISTS (SELECT 1 FROM scores WHERE reviewer_id = ?1
                                    AND status IN ('draft', 'submitted')) THEN
                       (SELECT SUM((SELECT (x.status = 'submitted') * {_PACK}
                                           + (x.score IS NOT NULL)
                                    FROM scores x
                                    WHERE x.answer_id = a.id AND x.reviewer_id = ?1
                                    ORDER BY x.id DESC LIMIT 1))
                        FROM answers a WHERE a.submission_id = s.id)
                   ELSE 0 END
            FROM submissions s
            {search_join}
            {where}
            ORDER BY s.interview_pk, s.name_key, s.id
            {"LIMIT ?" if limit is not None else ""}
        """
        return [
            (
                sid,
                pk,
                titles[pk],
                name,
                email,
                imported,
                sealed,
                n,
                (marks or 0) % _PACK,
                (marks or 0) // _PACK,
                defined[pk],
            )
            for sid, pk, name, email, imported, sealed, n, marks in _rows(self.db, sql, params)
        ]

    def _titles(self) -> tuple[dict[int, str], dict[int, bool]]:
        """Each interview's title and whether its definition is stored, by pk."""
        titles: dict[int, str] = {}
        defined: dict[int, bool] = {}
        for pk, role_title, interview_id, version, has_definition in _rows(
            self.db,
            "SELECT id, role_title, interview_id, version, definition_json IS NOT NULL"
            " FROM interviews",
        ):
            titles[pk] = interview_title(role_title, interview_id, version)
            defined[pk] = bool(has_definition)
        return titles, defined

    def entry_counts(self, reviewer_id: int) -> list[InterviewCount]:
        """Each interview that has candidates, in :meth:`entry_rows`' order, with how many
        and how many this reviewer submitted (every answer: ``candidate_status``), without a
        row per candidate: what the list shows of the rows a page leaves out."""
        titles, defined = self._titles()
        scored = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM scores WHERE reviewer_id = ?"
            " AND status IN ('draft', 'submitted'))",
            (reviewer_id,),
        ).fetchone()[0]
        # The per-candidate counts of entry_rows, summed in SQLite: submitted once every
        # answer is (a candidate with no answers never is). A reviewer with no score at
        # all (schema 10's partial reviewer index) submitted none: the listing index alone.
        sql = f"""
            SELECT interview_pk, COUNT(*), SUM(n > 0 AND marks / {_PACK} >= n)
            FROM (
                SELECT s.interview_pk,
                       (SELECT COUNT(*) FROM answers a WHERE a.submission_id = s.id) AS n,
                       (SELECT SUM((SELECT (x.status = 'submitted') * {_PACK}
                                           + (x.score IS NOT NULL)
                                    FROM scores x
                                    WHERE x.answer_id = a.id AND x.reviewer_id = ?1
                                    ORDER BY x.id DESC LIMIT 1))
                        FROM answers a WHERE a.submission_id = s.id) AS marks
                FROM submissions s
            )
            GROUP BY interview_pk ORDER BY interview_pk
        """
        params: tuple[int, ...] = (reviewer_id,)
        if not scored:
            sql = (
                "SELECT interview_pk, COUNT(*), 0 FROM submissions"
                " GROUP BY interview_pk ORDER BY interview_pk"
            )
            params = ()
            # All candidates in one interview (a hiring round): its count is the table's,
            # which SQLite takes from the b-tree's pages instead of stepping through 10,000
            # rows (~0.4 against ~5.5 M instructions); MIN and MAX are one index seek each.
            first = self.db.execute("SELECT MIN(interview_pk) FROM submissions").fetchone()[0]
            last = self.db.execute("SELECT MAX(interview_pk) FROM submissions").fetchone()[0]
            if first is not None and first == last:
                (count,) = self.db.execute("SELECT COUNT(*) FROM submissions").fetchone()
                return [(first, titles[first], defined[first], int(count), 0)]
        return [
            (pk, titles[pk], defined[pk], count, submitted or 0)
            for pk, count, submitted in _rows(self.db, sql, params)
        ]

    def entry_key(self, submission_id: int) -> EntryKey:
        """Where this submission stands in entry_rows' order, as stored (the next page's
        ``after``): the key its name was given when written, even if Python's fold of it
        has changed since (a newer Unicode version), so a page and its rest always join."""
        pk, key = _one(
            self.db,
            "SELECT interview_pk, name_key FROM submissions WHERE id = ?",
            (submission_id,),
            f"submission number {submission_id}",
        )
        return int(pk), str(key), submission_id

    def list_version(self) -> tuple[int, int]:
        """A value that changes whenever the library does: SQLite's data_version (another
        connection committed: an import on its worker thread, another process) and this
        connection's own changes. Reads of :meth:`entry_rows` under the same value see the
        same library: a page and its rest join into the list as it is."""
        (committed,) = self.db.execute("PRAGMA data_version").fetchone()
        return int(committed), self.db.conn.total_changes


class SqliteScores:
    _COLUMNS = "id, answer_id, reviewer_id, score, note, status, created_at, supersedes_id, reason"

    def __init__(self, db: Database) -> None:
        self.db = db

    def _make(self, rows: Iterable[Any]) -> list[ScoreRecord]:
        from onetake_desktop.storage.records import ScoreRecord

        return [
            ScoreRecord(
                int(row[0]),
                int(row[1]),
                int(row[2]),
                None if row[3] is None else int(row[3]),
                row[4],
                row[5],
                row[6],
                row[7],
                row[8],
            )
            for row in rows
        ]

    @staticmethod
    def _check(score: int) -> None:
        if not (isinstance(score, int) and 1 <= score <= 5):
            raise InvalidInputError(f"A score is a whole number from 1 to 5, not {score!r}.")

    def current(self, answer_id: int, reviewer_id: int) -> ScoreRecord | None:
        row = self.db.execute(
            f"SELECT {self._COLUMNS} FROM scores WHERE answer_id = ? AND reviewer_id = ?"
            " ORDER BY id DESC LIMIT 1",
            (answer_id, reviewer_id),
        ).fetchone()
        return None if row is None else self._make([row])[0]

    def history(self, answer_id: int, reviewer_id: int) -> list[ScoreRecord]:
        return self._make(
            _rows(
                self.db,
                f"SELECT {self._COLUMNS} FROM scores WHERE answer_id = ? AND reviewer_id = ?"
                " ORDER BY id",
                (answer_id, reviewer_id),
            )
        )

    def current_for_submission(
        self, submission_id: int, reviewer_id: int
    ) -> dict[int, ScoreRecord]:
        rows = _rows(
            self.db,
            f"SELECT {', '.join('sc.' + c.strip() for c in self._COLUMNS.split(','))}"
            " FROM scores sc JOIN answers a ON a.id = sc.answer_id"
            " WHERE a.submission_id = ? AND sc.reviewer_id = ? ORDER BY sc.id",
            (submission_id, reviewer_id),
        )
        out: dict[int, ScoreRecord] = {}
        for record in self._make(rows):
            out[record.answer_id] = record  # ordered by id: the last one wins
        return out

    def save_draft(
        self, answer_id: int, reviewer_id: int, score: int | None, note: str
    ) -> ScoreRecord:
        """Save at once as this reviewer's draft (``score`` None: only a note so far); a
        submitted score needs ``correct()``."""
        if score is not None:
            self._check(score)
        with transaction(self.db):
            latest = self.current(answer_id, reviewer_id)
            if latest is not None and latest.status == "submitted":
                raise OneTakeError(
                    "This score was submitted; change it with a correction and a reason."
                )
            if latest is None:
                cursor = self.db.execute(
                    "INSERT INTO scores (answer_id, reviewer_id, score, note, status, created_at)"
                    " VALUES (?, ?, ?, ?, 'draft', ?)",
                    (answer_id, reviewer_id, score, note, utc_now()),
                )
                score_id = int(cursor.lastrowid or 0)
            else:
                self.db.execute(
                    "UPDATE scores SET score = ?, note = ?, created_at = ? WHERE id = ?",
                    (score, note, utc_now(), latest.id),
                )
                score_id = latest.id
        row = self.db.execute(f"SELECT {self._COLUMNS} FROM scores WHERE id = ?", (score_id,))
        return self._make([row.fetchone()])[0]

    def submit(self, submission_id: int, reviewer_id: int) -> int:
        """Mark this reviewer's drafts for the submission (and the recommendation) submitted,
        (joins the caller's transaction); returns how many scores were submitted."""
        with transaction(self.db):
            cursor = self.db.execute(
                "UPDATE scores SET status = 'submitted', created_at = ? WHERE status = 'draft'"
                " AND score IS NOT NULL AND reviewer_id = ? AND answer_id IN"
                " (SELECT id FROM answers WHERE submission_id = ?)",
                (utc_now(), reviewer_id, submission_id),
            )
            self.db.execute(
                "UPDATE recommendations SET status = 'submitted' WHERE status = 'draft'"
                " AND reviewer_id = ? AND submission_id = ?",
                (reviewer_id, submission_id),
            )
            return int(cursor.rowcount)

    def correct(
        self, answer_id: int, reviewer_id: int, score: int, note: str, reason: str
    ) -> ScoreRecord:
        """A new submitted row superseding the submitted one, with the reason."""
        self._check(score)
        if not reason.strip():
            raise InvalidInputError("A correction to a submitted score needs a reason.")
        with transaction(self.db):  # joins the caller's (durable) transaction
            latest = self.current(answer_id, reviewer_id)
            if latest is None or latest.status != "submitted":
                raise OneTakeError("Only a submitted score needs a correction; save a draft.")
            cursor = self.db.execute(
                "INSERT INTO scores (answer_id, reviewer_id, score, note, status, created_at,"
                " supersedes_id, reason) VALUES (?, ?, ?, ?, 'submitted', ?, ?, ?)",
                (answer_id, reviewer_id, score, note, utc_now(), latest.id, reason.strip()),
            )
            score_id = int(cursor.lastrowid or 0)
        row = self.db.execute(f"SELECT {self._COLUMNS} FROM scores WHERE id = ?", (score_id,))
        return self._make([row.fetchone()])[0]

    def add_note(
        self, answer_id: int, reviewer_id: int, position_ms: int, text: str
    ) -> TimestampedNote:
        text = text.strip()
        if not text:
            raise InvalidInputError("A note needs some text.")
        created = utc_now()
        with transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO timestamped_notes (answer_id, reviewer_id, position_ms, text,"
                " created_at) VALUES (?, ?, ?, ?, ?)",
                (answer_id, reviewer_id, max(0, int(position_ms)), text, created),
            )
        from onetake_desktop.storage.records import TimestampedNote

        return TimestampedNote(
            int(cursor.lastrowid or 0),
            answer_id,
            reviewer_id,
            max(0, int(position_ms)),
            text,
            created,
        )

    def notes(self, answer_id: int, reviewer_id: int) -> list[TimestampedNote]:
        from onetake_desktop.storage.records import TimestampedNote

        return [
            TimestampedNote(int(r[0]), int(r[1]), int(r[2]), int(r[3]), r[4], r[5])
            for r in _rows(
                self.db,
                "SELECT id, answer_id, reviewer_id, position_ms, text, created_at"
                " FROM timestamped_notes WHERE answer_id = ? AND reviewer_id = ?"
                " ORDER BY position_ms, id",
                (answer_id, reviewer_id),
            )
        ]

    def delete_note(self, note_id: int, reviewer_id: int) -> None:
        with transaction(self.db):
            self.db.execute(
                "DELETE FROM timestamped_notes WHERE id = ? AND reviewer_id = ?",
                (note_id, reviewer_id),
            )

    def set_recommendation(
        self, submission_id: int, reviewer_id: int, value: Recommendation, note: str
    ) -> RecommendationRecord:
        if value not in RECOMMENDATIONS:
            raise InvalidInputError(f"A recommendation is one of {', '.join(RECOMMENDATIONS)}.")
        with transaction(self.db):
            latest = self.recommendation(submission_id, reviewer_id)
            if latest is not None and latest.status == "submitted":
                raise OneTakeError("This recommendation was submitted and cannot change.")
            if latest is None:
                self.db.execute(
                    "INSERT INTO recommendations (submission_id, reviewer_id, value, note,"
                    " status, created_at) VALUES (?, ?, ?, ?, 'draft', ?)",
                    (submission_id, reviewer_id, value, note, utc_now()),
                )
            else:
                self.db.execute(
                    "UPDATE recommendations SET value = ?, note = ?, created_at = ? WHERE id = ?",
                    (value, note, utc_now(), latest.id),
                )
        result = self.recommendation(submission_id, reviewer_id)
        assert result is not None
        return result

    def recommendation(self, submission_id: int, reviewer_id: int) -> RecommendationRecord | None:
        row = self.db.execute(
            "SELECT id, submission_id, reviewer_id, value, note, status, created_at"
            " FROM recommendations WHERE submission_id = ? AND reviewer_id = ?"
            " ORDER BY id DESC LIMIT 1",
            (submission_id, reviewer_id),
        ).fetchone()
        if row is None:
            return None
        from onetake_desktop.storage.records import RecommendationRecord

        return RecommendationRecord(
            int(row[0]), int(row[1]), int(row[2]), row[3], row[4], row[5], row[6]
        )


class Library:
    """The repositories over one database, and the folder imported media lives in.

    Mutable, equal only to itself (the dataclass it was had eq=False)."""

    def __init__(
        self,
        db: Database,
        root: Path,
        reviewers: SqliteReviewers,
        interviews: SqliteInterviews,
        submissions: SqliteSubmissions,
        scores: SqliteScores,
    ) -> None:
        self.db = db
        self.root = root
        self.reviewers = reviewers
        self.interviews = interviews
        self.submissions = submissions
        self.scores = scores
        # Objects the services share per connection (services.scoring keeps its one policy
        # object here, so the reviewer window and the panel see the same signed-in panelist).
        self.shared: dict[str, object] = {}
        self._watchers: list[Callable[[int], None]] = []

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in vars(self).items())
        return f"Library({fields})"

    def close(self) -> None:
        self.db.close()

    def watch_scores(self, callback: Callable[[int], None]) -> Callable[[], None]:
        """Call ``callback(answer_id)`` whenever a score or a pinned note of that answer is
        written, corrected or deleted through this connection, whichever service or window
        wrote it (temporary triggers: connection-local, no schema change). The callback runs
        inside the writing statement: it must only take note (e.g. schedule a refresh).
        Returns a function that stops watching."""
        if not self._watchers:
            self.db.conn.create_function("onetake_score_changed", 1, self._dispatch)
            for table in ("scores", "timestamped_notes"):
                for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
                    self.db.execute(
                        f"CREATE TEMP TRIGGER IF NOT EXISTS onetake_watch_{table}_{event.lower()}"
                        f" AFTER {event} ON main.{table}"
                        f" BEGIN SELECT onetake_score_changed({row}.answer_id); END"
                    )
        self._watchers.append(callback)

        def stop() -> None:
            if callback in self._watchers:
                self._watchers.remove(callback)

        return stop

    def _dispatch(self, answer_id: int) -> None:
        for callback in list(self._watchers):
            try:
                callback(int(answer_id))
            except Exception:
                continue


def register_functions(db: Database) -> None:
    """The library's SQL functions, on this connection: ``onetake_fold``, with which the
    search folds both sides (case and accents ignored) and the triggers of schema 12 keep
    each name's ``name_key``, the list's order."""
    db.conn.create_function("onetake_fold", 1, fold, deterministic=True)


def open_library(root: Path, database: Path | None = None) -> Library:
    """Open (creating and migrating) the library in ``root``."""
    private_dir(root)
    db = open_database(database or root / "onetake.sqlite3")
    register_functions(db)  # (schema 12's migration registers it for itself first)
    return Library(
        db,
        root,
        SqliteReviewers(db),
        SqliteInterviews(db),
        SqliteSubmissions(db, root),
        SqliteScores(db),
    )

"""Reviewer use cases: import bundles into the library, look at answers, score them, export.

Plain Python with callbacks; the windows and the CLI both drive this. Every read takes the
viewing reviewer's id and returns only that reviewer's scores and notes (see storage.library).
Threading: ``import_paths`` may run on a worker thread with its own ``ReviewerService`` (open
one per thread with :func:`open_reviewer_service`; SQLite connections are not shared).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.domain.kit import InterviewDefinition, Question, Rubric
from onetake_desktop.domain.manifest import SubmissionManifest
from onetake_desktop.domain.search import fold, matches
from onetake_desktop.paths import app_paths
from onetake_desktop.storage.atomic import csv_bytes
from onetake_desktop.storage.bundle import ExtractedBundle
from onetake_desktop.storage.library import (
    ANSWER_STATUSES,
    RECOMMENDATION_LABELS,
    AnswerRecord,
    AnswerStatus,
    CandidateEntry,
    InterviewRecord,
    Library,
    NewAnswer,
    Recommendation,
    RecommendationRecord,
    Reviewer,
    ScoreRecord,
    SubmissionRecord,
    TimestampedNote,
    answer_status,
    open_library,
)

ProgressFn = Callable[[int, int], None]
BUNDLE_SUFFIX = ".onetake"
DEFINITION_SUFFIX = ".onetakeinterview"
SPEEDS: tuple[float, ...] = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
DEFAULT_REVIEWER_NAME = "Me"
# The overall recommendation from worst to best: Ctrl+1 .. Ctrl+4 in the window, like scores.
RECOMMENDATION_ORDER: tuple[Recommendation, ...] = ("strong_no", "no", "yes", "strong_yes")

__all__ = [
    "RECOMMENDATION_LABELS",
    "RECOMMENDATION_ORDER",
    "SPEEDS",
    "AnswerStatus",
    "AnswerView",
    "CandidateEntry",
    "ImportOutcome",
    "ImportReport",
    "Recommendation",
    "ReviewerService",
    "definition_not_bundle",
    "find_bundles",
    "is_definition_file",
    "open_reviewer_service",
]


@dataclass(frozen=True)
class ImportOutcome:
    path: Path
    status: Literal["imported", "duplicate", "refused"]
    reason: str = ""
    submission_id: int | None = None
    candidate_name: str = ""
    needs_definition: bool = False  # imported, but its interview definition is not known yet


@dataclass
class ImportReport:
    outcomes: list[ImportOutcome] = field(default_factory=list)

    def _with(self, status: str) -> list[ImportOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def imported(self) -> list[ImportOutcome]:
        return self._with("imported")

    @property
    def duplicates(self) -> list[ImportOutcome]:
        return self._with("duplicate")

    @property
    def refused(self) -> list[ImportOutcome]:
        return self._with("refused")

    def summary(self) -> str:
        parts = [f"{len(self.imported)} imported"]
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} already in the library")
        if self.refused:
            parts.append(f"{len(self.refused)} refused")
        return ", ".join(parts) + "."


@dataclass(frozen=True)
class AnswerView:
    """Everything the player and rubric panel show for one answer, for one reviewer."""

    answer: AnswerRecord
    submission: SubmissionRecord
    index: int  # 0-based position among the candidate's answers
    count: int
    question: Question | None  # None until the interview definition is added
    rubric: Rubric | None
    score: ScoreRecord | None
    notes: list[TimestampedNote]
    recommendation: RecommendationRecord | None

    @property
    def question_text(self) -> str:
        if self.question is not None:
            return self.question.text
        return f"Question {self.answer.question_id}"  # the window says why, beside it

    @property
    def status(self) -> AnswerStatus:
        return answer_status(self.score)

    @property
    def submitted(self) -> bool:
        return self.score is not None and self.score.status == "submitted"


def find_bundles(paths: Iterable[Path]) -> tuple[list[Path], list[ImportOutcome]]:
    """Expand files and folders into bundle files (folders: every ``*.onetake`` inside, sorted);
    paths that do not exist come back as refused outcomes."""
    found: list[Path] = []
    missing: list[ImportOutcome] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob(f"*{BUNDLE_SUFFIX}") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            missing.append(ImportOutcome(path, "refused", f"{path} does not exist."))
    unique: list[Path] = []
    seen: set[Path] = set()
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique, missing


def is_definition_file(path: Path) -> bool:
    """An interview definition (``.onetakeinterview``, a JSON file), not a bundle (a zip):
    recognised by its name or, renamed, by its first byte."""
    if path.suffix.lower() == DEFINITION_SUFFIX:
        return True
    try:
        with path.open("rb") as f:
            head = f.read(64).lstrip()
    except OSError:
        return False
    return head.startswith(b"{") and b'"onetake-interview"' in head


def definition_not_bundle(path: Path) -> str:
    return (
        f"{path.name} is an interview definition, not a submission bundle: add it with "
        f"'onetake library add-definition {path}' (or drop it on the reviewer window, or use "
        "File > Add interview definition…)."
    )


def _default_reviewer_name() -> str:
    settings = app_paths().settings
    with contextlib.suppress(OSError, ValueError, AttributeError):
        name = json.loads(settings.read_text(encoding="utf-8")).get("reviewer_name")
        if isinstance(name, str) and name.strip():
            return name.strip()
    return DEFAULT_REVIEWER_NAME


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class ReviewerService:
    def __init__(self, library: Library) -> None:
        self.library = library
        self.default_reviewer = library.reviewers.ensure(_default_reviewer_name())

    def close(self) -> None:
        from onetake_desktop.services.bundles import close_spare_probe_child

        self.library.close()
        close_spare_probe_child()  # the idle probe child is not needed once the library closes

    # -- reviewers and their preferences ------------------------------------------------------

    def reviewer(self, reviewer_id: int) -> Reviewer:
        return self.library.reviewers.get(reviewer_id)

    def reviewer_named(self, name: str | None) -> Reviewer:
        """The reviewer called ``name`` (case and accents aside, when that names exactly one);
        with no name, the default one (you). A name that matches nobody is refused with the
        names that exist: a typo must not quietly become a new, empty reviewer."""
        if not name or not name.strip():
            return self.default_reviewer
        everyone = self.library.reviewers.all()
        exact = [r for r in everyone if r.name == name.strip()]
        if exact:
            return exact[0]
        folded = [r for r in everyone if fold(r.name) == fold(name.strip())]
        if len(folded) == 1:
            return folded[0]
        names = ", ".join(repr(r.name) for r in everyone) or "none yet"
        raise InvalidInputError(
            f"There is no reviewer called {name.strip()!r} in this library. Reviewers: {names}."
        )

    def playback_rate(self, reviewer_id: int) -> float:
        value = self.library.reviewers.setting(reviewer_id, "playback_rate", "1.0")
        try:
            rate = float(value or 1.0)
        except ValueError:
            return 1.0
        return min(SPEEDS, key=lambda s: abs(s - rate))

    def set_playback_rate(self, reviewer_id: int, rate: float) -> float:
        rate = min(SPEEDS, key=lambda s: abs(s - rate))
        self.library.reviewers.set_setting(reviewer_id, "playback_rate", f"{rate:g}")
        return rate

    def audio_only(self, reviewer_id: int) -> bool:
        """Review by ear: video answers play with the picture hidden (the same setting the
        panel's menu item writes)."""
        return self.library.reviewers.setting(reviewer_id, "audio_only", "0") == "1"

    def set_audio_only(self, reviewer_id: int, on: bool) -> None:
        self.library.reviewers.set_setting(reviewer_id, "audio_only", "1" if on else "0")

    def auto_advance(self, reviewer_id: int) -> bool:
        """After a score, move on to this candidate's next unscored answer."""
        return self.library.reviewers.setting(reviewer_id, "auto_advance", "0") == "1"

    def set_auto_advance(self, reviewer_id: int, on: bool) -> None:
        self.library.reviewers.set_setting(reviewer_id, "auto_advance", "1" if on else "0")

    # -- interview definitions ----------------------------------------------------------------

    def add_definition(self, definition: InterviewDefinition) -> InterviewRecord:
        from onetake_desktop.domain.kit import kit_content_hash

        return self.library.interviews.add_definition(kit_content_hash(definition.kit), definition)

    def add_definition_file(self, path: Path) -> InterviewRecord:
        from onetake_desktop.storage.kitfile import load_definition

        return self.add_definition(load_definition(path))

    def seed_demo_definition(self) -> None:
        """Every library knows the demo interview, so its bundles import with no extra step."""
        try:
            from onetake_desktop.storage.kitfile import (
                demo_definition_path,
            )
        except ImportError:  # the formats module is not in this build
            return
        path = demo_definition_path()
        if not path.exists():
            return
        definition = self._load_definition(path)
        from onetake_desktop.domain.kit import kit_content_hash

        content_hash = kit_content_hash(definition.kit)
        known = {i.content_hash: i for i in self.library.interviews.all()}
        if content_hash in known and known[content_hash].has_definition:
            return
        self.library.interviews.add_definition(content_hash, definition)

    @staticmethod
    def _load_definition(path: Path) -> InterviewDefinition:
        from onetake_desktop.storage.kitfile import load_definition

        result: InterviewDefinition = load_definition(path)
        return result

    def interviews(self) -> list[InterviewRecord]:
        return self.library.interviews.all()

    def definition(self, interview_pk: int) -> InterviewDefinition | None:
        return self.library.interviews.definition(interview_pk)

    # -- import -------------------------------------------------------------------------------

    def import_paths(
        self, paths: Sequence[Path], progress: ProgressFn | None = None, workers: int = 1
    ) -> ImportReport:
        """Import every bundle in ``paths`` (files or folders). Refused bundles are reported
        with their reason; the others import. ``progress(done_bytes, total_bytes)`` may be
        called from the worker threads.

        With ``workers`` > 1, bundles are checked (hashed, then their media probed in a child
        process) on that many threads, so one bundle's probe overlaps the next one's hashing;
        the database is written on the calling thread only, in the order given.
        """
        bundles, report_missing = find_bundles(paths)
        report = ImportReport(list(report_missing))
        sizes = [b.stat().st_size for b in bundles]
        total = max(1, sum(sizes))
        done = [0] * len(bundles)
        lock = threading.Lock()

        def step_for(i: int) -> ProgressFn:
            def step(d: int, t: int) -> None:
                if progress is None or t <= 0:
                    return
                with lock:
                    done[i] = min(sizes[i], int(sizes[i] * d / t))
                    now = sum(done)
                progress(now, total)

            return step

        def record(i: int, checked: ExtractedBundle | ImportOutcome) -> None:
            outcome = (
                checked
                if isinstance(checked, ImportOutcome)
                else self._register(bundles[i], checked)
            )
            report.outcomes.append(outcome)
            if progress is not None:
                with lock:
                    done[i] = sizes[i]
                    now = sum(done)
                progress(now, total)

        if workers <= 1:
            # No helper threads: a Qt pool thread that starts a Python thread stays listed in
            # threading.enumerate() for good (Python 3.11), so the window imports this way.
            for i, bundle in enumerate(bundles):
                record(i, self._check_bundle(bundle, step_for(i)))
            return report
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="onetake-import") as pool:
            checks = [
                pool.submit(self._check_bundle, b, step_for(i)) for i, b in enumerate(bundles)
            ]
            for i, check in enumerate(checks):
                record(i, check.result())
        return report

    def import_bundle(self, path: Path, progress: ProgressFn | None = None) -> ImportOutcome:
        """Check one bundle completely, then add it to the library (or say why not)."""
        checked = self._check_bundle(path, progress)
        return checked if isinstance(checked, ImportOutcome) else self._register(path, checked)

    def _check_bundle(
        self, path: Path, progress: ProgressFn | None
    ) -> ExtractedBundle | ImportOutcome:
        """Verify and extract into a staging folder of the library (any thread; no DB)."""
        try:
            from onetake_desktop.services.bundles import import_bundle
        except ImportError:  # the verifying wrapper is not in this build: same checks below it
            from onetake_desktop.storage.bundle import extract_bundle as import_bundle

        if is_definition_file(path):
            return ImportOutcome(path, "refused", definition_not_bundle(path))
        staging = self.library.root / "submissions" / f".incoming-{uuid.uuid4().hex[:12]}"
        staging.parent.mkdir(parents=True, exist_ok=True)
        try:
            return import_bundle(path, staging, progress=progress)
        except OneTakeError as error:  # InvalidInputError, DiskFullError, ...
            shutil.rmtree(staging, ignore_errors=True)
            return ImportOutcome(path, "refused", str(error))
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            return ImportOutcome(path, "refused", f"{path.name} cannot be read ({error}).")

    def _register(self, path: Path, extracted: ExtractedBundle) -> ImportOutcome:
        """Move a checked bundle into place and record it (calling thread: it owns the DB)."""
        folder = Path(extracted.folder)
        # The .incoming-* folder _check_bundle made (the bundle's folder, or holding it).
        staging = next(
            (p for p in (folder, *folder.parents) if p.name.startswith(".incoming-")), folder
        )
        manifest: SubmissionManifest = extracted.manifest
        sha: str = extracted.bundle_sha256
        existing = self.library.submissions.find_by_sha256(sha)
        if existing is not None:
            shutil.rmtree(staging, ignore_errors=True)
            return ImportOutcome(
                path,
                "duplicate",
                "This bundle is already in the library.",
                existing.id,
                existing.candidate_name,
            )
        final = self.library.root / "submissions" / sha[:16]
        if folder.resolve() != final.resolve():
            if final.exists():  # left by an import that crashed before its DB commit
                shutil.rmtree(final, ignore_errors=True)
            os.replace(folder, final)
            if staging.exists() and staging != folder:
                shutil.rmtree(staging, ignore_errors=True)
        media: dict[str, Path] = {
            qid: final / Path(p).resolve().relative_to(folder.resolve())
            for qid, p in extracted.media.items()
        }
        answers = [
            NewAnswer(
                a.question_id,
                a.answer_type,
                str(media[a.question_id].relative_to(final)) if a.question_id in media else None,
                a.text,
                a.think_seconds_used,
                a.answer_seconds,
                a.media.duration_seconds if a.media else None,
                a.takes_used,
                a.submitted_take,
            )
            for a in manifest.answers
        ]
        record = self.library.submissions.add(manifest, sha, final, answers)
        if record is None:  # another importer won the race
            return ImportOutcome(path, "duplicate", "This bundle is already in the library.")
        known = self.library.interviews.get(record.interview_pk).has_definition
        return ImportOutcome(
            path, "imported", "", record.id, record.candidate_name, needs_definition=not known
        )

    # -- reading the library ------------------------------------------------------------------

    def entries(
        self,
        reviewer_id: int,
        search: str = "",
        sort: str = "name",
        codes: Mapping[int, str] | None = None,
    ) -> list[CandidateEntry]:
        """The library as this reviewer sees it. ``codes`` (submission id -> code, the panel's
        blind mode) replaces those candidates' names and hides their emails; search and the
        name sort then see only the code, so neither can tell who is behind one."""
        if codes:
            entries = [
                replace(e, candidate_name=codes[e.submission_id], candidate_email="")
                if e.submission_id in codes
                else e
                for e in self.library.submissions.entries(reviewer_id, "")
            ]
            entries = [
                e
                for e in entries
                if matches(search, e.candidate_name, e.candidate_email, e.interview_title)
            ]
        else:
            entries = self.library.submissions.entries(reviewer_id, search)
        keys: dict[str, Callable[[CandidateEntry], Any]] = {
            "name": lambda e: (e.interview_pk, e.candidate_name.casefold(), e.submission_id),
            "imported": lambda e: (e.interview_pk, e.imported_at, e.submission_id),
            "status": lambda e: (
                e.interview_pk,
                ANSWER_STATUSES.index(e.status),
                e.candidate_name.casefold(),
            ),
        }
        if sort not in keys:
            raise InvalidInputError(f"Sort by one of {', '.join(keys)}.")
        return sorted(entries, key=keys[sort])

    def answers(self, submission_id: int) -> list[AnswerRecord]:
        return self.library.submissions.answers(submission_id)

    def answer_statuses(self, submission_id: int, reviewer_id: int) -> dict[int, AnswerStatus]:
        scores = self.library.scores.current_for_submission(submission_id, reviewer_id)
        return {a.id: answer_status(scores.get(a.id)) for a in self.answers(submission_id)}

    def question_text(self, submission: SubmissionRecord, question_id: str) -> str:
        definition = self.library.interviews.definition(submission.interview_pk)
        if definition is not None:
            for q in definition.kit.questions:
                if q.id == question_id:
                    return q.text
        return f"Question {question_id}"

    def answer_view(self, answer_id: int, reviewer_id: int) -> AnswerView:
        answer = self.library.submissions.answer(answer_id)
        submission = self.library.submissions.get(answer.submission_id)
        siblings = self.library.submissions.answers(submission.id)
        definition = self.library.interviews.definition(submission.interview_pk)
        question = None
        rubric = None
        if definition is not None:
            question = next(
                (q for q in definition.kit.questions if q.id == answer.question_id), None
            )
            rubric = definition.rubrics.get(answer.question_id)
        return AnswerView(
            answer,
            submission,
            next(i for i, a in enumerate(siblings) if a.id == answer_id),
            len(siblings),
            question,
            rubric,
            self.library.scores.current(answer_id, reviewer_id),
            self.library.scores.notes(answer_id, reviewer_id),
            self.library.scores.recommendation(submission.id, reviewer_id),
        )

    def waveform(self, answer: AnswerRecord, buckets: int = 600) -> list[float]:
        from onetake_desktop.media.waveform import compute_waveform

        if answer.media_path is None:
            return []
        return compute_waveform(answer.media_path, buckets)

    # -- scoring ------------------------------------------------------------------------------

    def save_score(
        self, answer_id: int, reviewer_id: int, score: int | None, note: str
    ) -> ScoreRecord:
        return self.library.scores.save_draft(answer_id, reviewer_id, score, note)

    def correct_score(
        self, answer_id: int, reviewer_id: int, score: int, note: str, reason: str
    ) -> ScoreRecord:
        return self.library.scores.correct(answer_id, reviewer_id, score, note, reason)

    def add_note(
        self, answer_id: int, reviewer_id: int, position_ms: int, text: str
    ) -> TimestampedNote:
        return self.library.scores.add_note(answer_id, reviewer_id, position_ms, text)

    def delete_note(self, note_id: int, reviewer_id: int) -> None:
        self.library.scores.delete_note(note_id, reviewer_id)

    def set_recommendation(
        self, submission_id: int, reviewer_id: int, value: Recommendation, note: str = ""
    ) -> RecommendationRecord:
        return self.library.scores.set_recommendation(submission_id, reviewer_id, value, note)

    def unscored_answers(self, submission_id: int, reviewer_id: int) -> list[AnswerRecord]:
        scores = self.library.scores.current_for_submission(submission_id, reviewer_id)
        return [
            a
            for a in self.answers(submission_id)
            if a.id not in scores or scores[a.id].score is None
        ]

    def next_unscored(
        self, reviewer_id: int, submission_ids: Sequence[int], after_answer_id: int | None
    ) -> int | None:
        """The first answer without a score of this reviewer (drafts with a score and
        submitted answers are skipped), after ``after_answer_id`` in the order of
        ``submission_ids`` (the library as shown), wrapping round; None when none is left."""
        if not submission_ids:
            return None
        order = list(submission_ids)
        start = 0
        if after_answer_id is not None:
            with contextlib.suppress(OneTakeError):
                current = self.library.submissions.answer(after_answer_id).submission_id
                if current in order:
                    start = order.index(current)
        rotated = order[start:] + order[:start]
        passed_current = after_answer_id is None
        candidates_after: list[int] = []
        for k, sid in enumerate(rotated):
            statuses = self.answer_statuses(sid, reviewer_id)
            ids = list(statuses)
            if k == 0 and after_answer_id in statuses:
                i = ids.index(after_answer_id)
                later = [a for a in ids[i + 1 :] if statuses[a] == "not started"]
                if later:
                    return later[0]
                candidates_after = [a for a in ids[:i] if statuses[a] == "not started"]
                passed_current = True
                continue
            found = next((a for a in ids if statuses[a] == "not started"), None)
            if found is not None:
                return found
        # Only the current candidate's earlier answers are left.
        return candidates_after[0] if passed_current and candidates_after else None

    def submit_candidate(self, submission_id: int, reviewer_id: int) -> int:
        """Submit this reviewer's scores for the candidate (durably); every answer must have a
        score first."""
        missing = self.unscored_answers(submission_id, reviewer_id)
        if missing:
            names = ", ".join(a.question_id for a in missing)
            raise OneTakeError(f"Score every answer before submitting (missing: {names}).")
        return self.library.scores.submit(submission_id, reviewer_id)

    # -- export -------------------------------------------------------------------------------

    EXPORT_FIELDS: tuple[str, ...] = (
        "interview_id",
        "interview_version",
        "role_title",
        "candidate_name",
        "candidate_email",
        "bundle_sha256",
        "question_id",
        "question_text",
        "competency",
        "reviewer",
        "score",
        "status",
        "note",
        "scored_at",
        "supersedes_id",
        "reason",
        "recommendation",
        "recommendation_status",
    )

    def has_panelists(self) -> bool:
        """Panelists (reviewers with a passphrase) share this library: drafts stay private."""
        return any(r.passphrase_hash is not None for r in self.library.reviewers.all())

    def export_rows(self, reviewer_id: int, submitted_only: bool = False) -> list[dict[str, Any]]:
        """One row per answer this reviewer scored (their current score only); with
        ``submitted_only``, drafts are left out."""
        reviewer = self.reviewer(reviewer_id)
        rows: list[dict[str, Any]] = []
        interviews = {i.id: i for i in self.library.interviews.all()}
        for submission in self.library.submissions.all():
            interview = interviews[submission.interview_pk]
            definition = self.library.interviews.definition(interview.id)
            scores = self.library.scores.current_for_submission(submission.id, reviewer_id)
            rec = self.library.scores.recommendation(submission.id, reviewer_id)
            if submitted_only and rec is not None and rec.status != "submitted":
                rec = None  # a draft recommendation is as private as a draft score
            for answer in self.answers(submission.id):
                score = scores.get(answer.id)
                if score is None or score.score is None:  # nothing scored, or only a note
                    continue
                if submitted_only and score.status != "submitted":
                    continue
                rubric = definition.rubrics.get(answer.question_id) if definition else None
                rows.append(
                    {
                        "interview_id": interview.interview_id,
                        "interview_version": interview.version,
                        "role_title": interview.role_title,
                        "candidate_name": submission.candidate_name,
                        "candidate_email": submission.candidate_email,
                        "bundle_sha256": submission.bundle_sha256,
                        "question_id": answer.question_id,
                        "question_text": self.question_text(submission, answer.question_id),
                        "competency": rubric.competency if rubric else "",
                        "reviewer": reviewer.name,
                        "score": score.score,
                        "status": score.status,
                        "note": score.note,
                        "scored_at": score.created_at,
                        "supersedes_id": score.supersedes_id,
                        "reason": score.reason,
                        "recommendation": rec.value if rec else None,
                        "recommendation_status": rec.status if rec else None,
                    }
                )
        return rows

    def export_scores(
        self,
        reviewer_id: int,
        fmt: Literal["csv", "json"],
        out: Path,
        submitted_only: bool = False,
    ) -> int:
        """Write this reviewer's scores to ``out`` (atomically); returns the row count."""
        rows = self.export_rows(reviewer_id, submitted_only)
        if fmt == "json":
            data = json.dumps(
                {"format_version": 1, "reviewer": self.reviewer(reviewer_id).name, "scores": rows},
                ensure_ascii=False,
                indent=2,
            ).encode("utf-8")
        elif fmt == "csv":
            data = csv_bytes(self.EXPORT_FIELDS, rows)
        else:
            raise InvalidInputError(f"Export as csv or json, not {fmt}.")
        try:
            _atomic_write(out, data)
        except OSError as error:
            raise OneTakeError(f"The export cannot be written to {out} ({error}).") from error
        return len(rows)


def open_reviewer_service(root: Path | None = None) -> ReviewerService:
    """Open the library (``paths.library`` unless ``root`` is given), seeded with the demo."""
    paths = app_paths().ensure()
    library = open_library(root or paths.library)
    service = ReviewerService(library)
    with contextlib.suppress(OneTakeError):  # a broken demo must not lock anyone out
        service.seed_demo_definition()
    return service

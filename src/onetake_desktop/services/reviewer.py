"""Reviewer use cases: import bundles into the library, look at answers, score them, export.

Plain Python with callbacks; the windows and the CLI both drive this. Every read takes the
viewing reviewer's id and returns only that reviewer's scores and notes (see storage.library).
Threading: ``import_paths`` may run on a worker thread with its own ``ReviewerService`` (open
one per thread with :func:`open_reviewer_service`; SQLite connections are not shared).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from onetake_desktop.domain.conformance import Flag
from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.domain.progress import Progress as ProgressFn
from onetake_desktop.domain.search import fold, matches
from onetake_desktop.paths import resource
from onetake_desktop.services.scoring import EXPORT_FIELDS, Actor, scoring_for
from onetake_desktop.services.settings import DEFAULT_REVIEWER_NAME, SPEEDS, ReviewerSettings
from onetake_desktop.storage.library import (
    ANSWER_STATUSES,
    ENTRY_FIELDS,
    RECOMMENDATION_LABELS,
    AnswerStatus,
    EntryRow,
    InterviewCount,
    InterviewRecord,
    Library,
    Recommendation,
    Reviewer,
    answer_status,
    candidate_status,
    open_library,
)

if TYPE_CHECKING:
    from onetake_desktop.domain.kit import InterviewDefinition, Question, Rubric
    from onetake_desktop.services.importing import (
        Importer,
        ImportOutcome,
        ImportReport,
        definition_not_bundle,
        find_bundles,
        is_definition_file,
    )

    # Named only (CandidateEntry also lazily below): storage.records loads with the first
    # record made (issue 17).
    from onetake_desktop.storage.records import (
        AnswerRecord,
        CandidateEntry,
        RecommendationRecord,
        ScoreRecord,
        SubmissionRecord,
        TimestampedNote,
    )

# The importer (bundles, media probes, zip checks) loads when something is imported, not when
# a command only lists or scores: `onetake library list` starts without it.
_LAZY = (
    "Importer",
    "ImportOutcome",
    "ImportReport",
    "definition_not_bundle",
    "find_bundles",
    "is_definition_file",
)


if not TYPE_CHECKING:  # mypy reads the imports at the top; it must not see a catch-all here

    def __getattr__(name: str) -> Any:
        if name in _LAZY:
            from onetake_desktop.services import importing

            return getattr(importing, name)
        if name == "CandidateEntry":  # storage.records loads with the first record (issue 17)
            from onetake_desktop.storage.records import CandidateEntry

            return CandidateEntry
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The overall recommendation from worst to best: Ctrl+1 .. Ctrl+4 in the window, like scores.
RECOMMENDATION_ORDER: tuple[Recommendation, ...] = ("strong_no", "no", "yes", "strong_yes")

__all__ = [
    "ENTRY_FIELDS",
    "RECOMMENDATION_LABELS",
    "RECOMMENDATION_ORDER",
    "SPEEDS",
    "AnswerStatus",
    "AnswerView",
    "CandidateEntry",
    "EntryPage",
    "EntryRow",
    "Flag",
    "ImportOutcome",
    "ImportReport",
    "Listing",
    "Recommendation",
    "ReviewerService",
    "candidate_status",
    "definition_not_bundle",
    "find_bundles",
    "is_definition_file",
    "open_reviewer_service",
]


class Listing(NamedTuple):
    """The library as one actor sees it (:meth:`ReviewerService.listing`)."""

    rows: list[EntryRow]  # fields: ENTRY_FIELDS
    blind: bool  # blind mode shows some candidates by a code


class EntryPage(NamedTuple):
    """The first rows of a list (:meth:`ReviewerService.entry_page`) and how to get the rest."""

    rows: list[EntryRow]  # the list's first rows, in its order
    flags: dict[int, tuple[Flag, ...]]  # the import flags of those candidates (flagged only)
    # Each interview of the whole list with its counts, and the rest of the list as a page
    # of its own (called once, later); both empty/None when ``rows`` is the whole list.
    interviews: list[InterviewCount]
    rest: Callable[[], EntryPage] | None
    # From ``rest()`` only: the blind codes its rows show instead of names (by submission),
    # and whether ``rows`` is the whole list again, to show in place of the page: the
    # library changed since the page was read (an import's commits on its own connection),
    # so rows after the page's last one would miss any added before it.
    hidden: Mapping[int, str] | None = None
    whole: bool = False


# AnswerView's fields, in order (its repr, equality and copies go through them).
_ANSWER_VIEW_FIELDS = (
    "answer",
    "submission",
    "index",
    "count",
    "question",
    "rubric",
    "score",
    "notes",
    "recommendation",
)


class AnswerView:
    """Everything the player and rubric panel show for one answer, for one reviewer.

    Immutable and equal by its fields, as the frozen dataclass it was; written out because
    the reviewer's window loads this module before its first paint and a dataclass compiles
    its methods at every load (issue 17). Not a NamedTuple: its ``index`` and ``count``
    would hide a tuple's methods of those names."""

    __slots__ = _ANSWER_VIEW_FIELDS

    answer: AnswerRecord
    submission: SubmissionRecord
    index: int  # 0-based position among the candidate's answers
    count: int
    question: Question | None  # None until the interview definition is added
    rubric: Rubric | None
    score: ScoreRecord | None
    notes: list[TimestampedNote]
    recommendation: RecommendationRecord | None

    def __init__(
        self,
        answer: AnswerRecord,
        submission: SubmissionRecord,
        index: int,
        count: int,
        question: Question | None,
        rubric: Rubric | None,
        score: ScoreRecord | None,
        notes: list[TimestampedNote],
        recommendation: RecommendationRecord | None,
    ) -> None:
        values = (answer, submission, index, count, question, rubric, score, notes, recommendation)
        for name, value in zip(_ANSWER_VIEW_FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _ANSWER_VIEW_FIELDS)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")  # frozen

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AnswerView) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())  # TypeError, as the dataclass: ``notes`` is a list

    def __repr__(self) -> str:
        values = zip(_ANSWER_VIEW_FIELDS, self._values(), strict=True)
        fields = ", ".join(f"{name}={value!r}" for name, value in values)
        return f"AnswerView({fields})"

    def __reduce__(self) -> tuple[type[AnswerView], tuple[Any, ...]]:
        return AnswerView, self._values()  # copy and pickle through __init__ (frozen slots)

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


class ReviewerService:
    def __init__(self, library: Library, reviewer_name: str = DEFAULT_REVIEWER_NAME) -> None:
        """``reviewer_name``: who "you" are on this computer (the settings' reviewer)."""
        self.library = library
        self.scoring = scoring_for(library)
        self.default_reviewer = self.scoring.lone_reviewer(reviewer_name)

    @cached_property
    def importer(self) -> Importer:
        from onetake_desktop.services.importing import Importer

        return Importer(self.library)

    def close(self) -> None:
        self.library.close()
        bundles = sys.modules.get("onetake_desktop.services.bundles")
        if bundles is not None:  # nothing was probed if it never loaded
            bundles.close_spare_probe_child()  # the idle probe child ends with the library

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

    def library_root(self) -> Path:
        return self.library.root

    def watch_scores(self, callback: Callable[[int], None]) -> Callable[[], None]:
        """``callback(answer_id)`` after any score or pinned note of the library changes,
        whichever window wrote it (see storage.library.Library.watch_scores)."""
        return self.library.watch_scores(callback)

    def playback_rate(self, reviewer_id: int) -> float:
        return ReviewerSettings(self.library).get(reviewer_id).playback_rate

    def set_playback_rate(self, reviewer_id: int, rate: float) -> float:
        return ReviewerSettings(self.library).set_playback_rate(reviewer_id, rate)

    def audio_only(self, reviewer_id: int) -> bool:
        """Review by ear: video answers play with the picture hidden (the same setting the
        panel's menu item writes)."""
        return ReviewerSettings(self.library).get(reviewer_id).audio_only

    def set_audio_only(self, reviewer_id: int, on: bool) -> None:
        ReviewerSettings(self.library).set_audio_only(reviewer_id, on)

    def auto_advance(self, reviewer_id: int) -> bool:
        """After a score, move on to this candidate's next unscored answer."""
        return self.library.reviewers.setting(reviewer_id, "auto_advance", "0") == "1"

    def set_auto_advance(self, reviewer_id: int, on: bool) -> None:
        self.library.reviewers.set_setting(reviewer_id, "auto_advance", "1" if on else "0")

    # -- interview definitions ----------------------------------------------------------------

    def add_definition(self, definition: InterviewDefinition) -> InterviewRecord:
        """Add (or replace) an interview definition; submissions of it imported before it was
        known are judged against it now (their flags)."""
        from onetake_desktop.domain.kit import kit_content_hash

        content_hash = kit_content_hash(definition.kit)
        record = self.library.interviews.add_definition(content_hash, definition)
        self.importer.judge_imported(content_hash, definition.kit)
        return record

    def add_definition_file(self, path: Path) -> InterviewRecord:
        from onetake_desktop.storage.kitfile import load_definition

        return self.add_definition(load_definition(path))

    def seed_demo_definition(self) -> None:
        """Every library knows the demo interview, so its bundles import with no extra step."""
        path = demo_definition_path()
        if not path.exists():
            return
        known = {i.content_hash: i for i in self.library.interviews.all()}
        claimed = _claimed_kit_hash(path)
        if claimed in known and known[claimed].has_definition:
            # Every open after the first: the file's stated hash found in its bytes, no
            # validation of a definition the library already holds (the same test as below).
            return
        definition = self._load_definition(path)
        from onetake_desktop.domain.kit import kit_content_hash

        content_hash = kit_content_hash(definition.kit)
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
        """Import every bundle in ``paths`` (see services.importing.Importer.import_paths)."""
        return self.importer.import_paths(paths, progress, workers)

    def import_bundle(self, path: Path, progress: ProgressFn | None = None) -> ImportOutcome:
        """Check one bundle completely, then add it to the library (or say why not)."""
        return self.importer.import_bundle(path, progress)

    def flags(self, submission_id: int) -> tuple[Flag, ...]:
        """The rules of its interview this submission broke (found on import), for every
        reviewer to see beside the candidate."""
        return self.importer.flags(submission_id)

    def all_flags(self) -> dict[int, tuple[Flag, ...]]:
        """:meth:`flags` of every submission by id, in one query (the list of a large
        library)."""
        return self.library.submissions.all_flags()

    # -- reading the library ------------------------------------------------------------------

    def actor_for(self, reviewer_id: int) -> Actor:
        """Who acts for this reviewer: the implicit lone reviewer, or a panelist's signed-in
        actor (NotSignedIn otherwise). Every scoring call below takes the actor."""
        return self.scoring.actor_for(reviewer_id)

    def entries(
        self,
        actor: Actor,
        *,
        search: str = "",
        sort: str = "name",
        codes: Mapping[int, str] | None = None,
    ) -> list[CandidateEntry]:
        """The library as this actor sees it. Candidates blind mode hides (and any extra
        ``codes``, submission id -> code) show a code instead of the name, without the email;
        search and the name sort then see only the code, so neither can tell who it is."""
        from onetake_desktop.storage.records import CandidateEntry  # see storage.records

        rows = self.entry_rows(actor, search=search, sort=sort, codes=codes)
        return [CandidateEntry(*row) for row in rows]

    def entry_rows(
        self,
        actor: Actor,
        *,
        search: str = "",
        sort: str = "name",
        codes: Mapping[int, str] | None = None,
    ) -> list[EntryRow]:
        """:meth:`entries` as plain tuples (fields: ENTRY_FIELDS), under the same rules: what
        a command prints for 10,000 candidates without an object per candidate."""
        return self.listing(actor, search=search, sort=sort, codes=codes).rows

    def listing(
        self,
        actor: Actor,
        *,
        search: str = "",
        sort: str = "name",
        codes: Mapping[int, str] | None = None,
    ) -> Listing:
        """:meth:`entry_rows`, and whether blind mode hides anyone now, from one look at the
        panel's codes (in blind mode they are the costly part of a long list)."""
        self.scoring.check(actor)
        hidden = self.scoring.hidden_codes()
        return Listing(self._rows(actor, search, sort, {**hidden, **(codes or {})}), bool(hidden))

    def entry_page(
        self,
        actor: Actor,
        *,
        first: int | None,
        search: str = "",
        sort: str = "name",
        codes: Mapping[int, str] | None = None,
    ) -> EntryPage:
        """:meth:`entry_rows`' first ``first`` rows, under the same rules and in the same
        order, with every interview's counts and the rest of the rows when asked: what a
        window's first frame of a large library needs (10,000 candidates: a query and a
        tuple each, ~170 M instructions, for the ~1,000 rows a frame can show; issue 17).

        Only the name order of an unfiltered list, which SQLite gives as it is (no blind
        codes, no search), comes in pages: any other list (and any with ``first`` None) is
        whole in ``rows``."""
        self.scoring.check(actor)
        submissions = self.library.submissions
        if first is None or codes or search.strip() or sort != "name" or self.blind():
            rows = self.entry_rows(actor, search=search, sort=sort, codes=codes)
            return EntryPage(rows, self.all_flags(), [], None)
        # The page, its flags and its counts are three reads: another connection may commit
        # in between (an import on its worker thread). The library's version before and
        # after tells; if it changed, the whole list instead (one read: it agrees with itself).
        version = submissions.list_version()
        rows = submissions.entry_rows(actor.reviewer_id, limit=first + 1)
        if len(rows) <= first:
            return EntryPage(rows, self.all_flags(), [], None)
        del rows[first:]
        try:
            after = submissions.entry_key(rows[-1][0])  # the next page's key, as stored
        except OneTakeError:  # erased since the page was read (another process): whole
            return EntryPage(self.entry_rows(actor), self.all_flags(), [], None)
        flags = submissions.all_flags(first=first)
        counts = submissions.entry_counts(actor.reviewer_id)
        if submissions.list_version() != version:
            return EntryPage(self.entry_rows(actor), self.all_flags(), [], None)

        def rest() -> EntryPage:
            # Asked later (after the first frame): the policy is asked again, and the rows
            # it hides by now (blind mode) show their codes, never their names.
            self.scoring.check(actor)
            hidden = self.scoring.hidden_codes()
            if submissions.list_version() != version:  # changed since the page: see EntryPage
                whole = self._rows(actor, "", "name", hidden)
                return EntryPage(whole, self.all_flags(), [], None, hidden, True)
            more = submissions.entry_rows(actor.reviewer_id, after=after)
            if hidden:
                more = [
                    (r[0], r[1], r[2], hidden[r[0]], "", *r[5:]) if r[0] in hidden else r
                    for r in more
                ]
            return EntryPage(more, self.all_flags(), [], None, hidden)

        return EntryPage(rows, flags, counts, rest)

    def _rows(
        self, actor: Actor, search: str, sort: str, codes: Mapping[int, str]
    ) -> list[EntryRow]:
        """The rows, sorted, with ``codes`` shown instead of those names (actor checked)."""
        # Tuple positions (ENTRY_FIELDS): 0 submission_id, 1 interview_pk, 2 interview_title,
        # 3 candidate_name, 4 candidate_email, 5 imported_at, 7-9 answers, scored, submitted.
        if codes:
            rows = [
                (r[0], r[1], r[2], codes[r[0]], "", *r[5:]) if r[0] in codes else r
                for r in self.library.submissions.entry_rows(actor.reviewer_id, "")
            ]
            rows = [r for r in rows if matches(search, r[3], r[4], r[2])]
        else:
            rows = self.library.submissions.entry_rows(actor.reviewer_id, search)
        keys: dict[str, Callable[[EntryRow], Any]] = {
            "name": lambda r: (r[1], fold(r[3]), r[0]),
            "imported": lambda r: (r[1], r[5], r[0]),
            "status": lambda r: (
                r[1],
                ANSWER_STATUSES.index(candidate_status(r[7], r[8], r[9])),
                fold(r[3]),
            ),
        }
        if sort not in keys:
            raise InvalidInputError(f"Sort by one of {', '.join(keys)}.")
        if sort == "name" and not codes:
            # The library gives its rows by interview, folded name and id (schema 12's
            # name_key): this sort's order already. Saves ~9 M instructions at 10,000
            # candidates, at the reviewer window's start (issue 17).
            return rows
        return sorted(rows, key=keys[sort])

    def blind(self) -> bool:
        return bool(self.scoring.hidden_codes())

    def hidden_codes(self) -> dict[int, str]:
        """Submission id -> code of every candidate the panel's blind mode hides now: what any
        window shows instead of a name (services.scoring decides)."""
        return self.scoring.hidden_codes()

    def submission(self, *, submission_id: int) -> SubmissionRecord:
        return self.library.submissions.get(submission_id)

    def answer(self, *, answer_id: int) -> AnswerRecord:
        return self.library.submissions.answer(answer_id)

    def answers(self, submission_id: int) -> list[AnswerRecord]:
        return self.library.submissions.answers(submission_id)

    def answer_statuses(self, actor: Actor, *, submission_id: int) -> dict[int, AnswerStatus]:
        scores = self.scoring.my_scores(actor, submission_id=submission_id)
        return {a.id: answer_status(scores.get(a.id)) for a in self.answers(submission_id)}

    def question_text(self, submission: SubmissionRecord, question_id: str) -> str:
        definition = self.library.interviews.definition(submission.interview_pk)
        if definition is not None:
            for q in definition.kit.questions:
                if q.id == question_id:
                    return q.text
        return f"Question {question_id}"

    def answer_view(self, actor: Actor, *, answer_id: int) -> AnswerView:
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
            self.scoring.my_score(actor, answer_id=answer_id),
            self.scoring.notes(actor, answer_id=answer_id),
            self.scoring.recommendation(actor, submission_id=submission.id),
        )

    def waveform(self, answer: AnswerRecord, buckets: int = 600) -> list[float]:
        from onetake_desktop.media.waveform import compute_waveform

        if answer.media_path is None:
            return []
        return compute_waveform(answer.media_path, buckets)

    # -- scoring: every call goes through services.scoring (one policy, one transaction) ----

    def my_score(self, actor: Actor, *, answer_id: int) -> ScoreRecord | None:
        return self.scoring.my_score(actor, answer_id=answer_id)

    def save_score(
        self, actor: Actor, *, answer_id: int, score: int | None, note: str = ""
    ) -> ScoreRecord:
        return self.scoring.save_score(actor, answer_id=answer_id, score=score, note=note)

    def correct_score(
        self, actor: Actor, *, answer_id: int, score: int, note: str, reason: str
    ) -> ScoreRecord:
        return self.scoring.correct_score(
            actor, answer_id=answer_id, score=score, note=note, reason=reason
        )

    def add_note(
        self, actor: Actor, *, answer_id: int, position_ms: int, text: str
    ) -> TimestampedNote:
        return self.scoring.add_note(actor, answer_id=answer_id, position_ms=position_ms, text=text)

    def delete_note(self, actor: Actor, *, note_id: int) -> None:
        self.scoring.delete_note(actor, note_id=note_id)

    def set_recommendation(
        self, actor: Actor, *, submission_id: int, value: Recommendation, note: str = ""
    ) -> RecommendationRecord:
        return self.scoring.set_recommendation(
            actor, submission_id=submission_id, value=value, note=note
        )

    def unscored_answers(self, actor: Actor, *, submission_id: int) -> list[AnswerRecord]:
        answers = self.answers(submission_id)
        missing = set(self.scoring.unscored(actor, answer_ids=[a.id for a in answers]))
        return [a for a in answers if a.id in missing]

    def next_unscored(
        self, actor: Actor, *, submission_ids: Sequence[int], after_answer_id: int | None
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
            statuses = self.answer_statuses(actor, submission_id=sid)
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

    def submit_candidate(self, actor: Actor, *, submission_id: int) -> int:
        """Submit the actor's scores (and recommendation) for the candidate, durably and
        audited; every answer must have a score first."""
        return self.scoring.submit_candidate(actor, submission_id=submission_id)

    # -- export -------------------------------------------------------------------------------

    EXPORT_FIELDS: tuple[str, ...] = EXPORT_FIELDS

    def drafts_stay_home(self, actor: Actor) -> bool:
        """Whether this actor's exports leave drafts out (services.scoring decides)."""
        return self.scoring.drafts_stay_home(actor)

    def has_panelists(self) -> bool:
        """Panelists (reviewers with a passphrase) share this library: drafts stay private."""
        return self.scoring.has_panel()

    def export_rows(
        self, actor: Actor, *, submitted_only: bool | None = None
    ) -> list[dict[str, Any]]:
        """One row per answer the actor scored (their current score), across interviews."""
        return self.scoring.export_rows(actor, submitted_only=submitted_only)

    def export_scores(
        self,
        actor: Actor,
        *,
        fmt: str,
        out: Path,
        submitted_only: bool | None = None,
        summary: bool = False,
        transcripts: bool = False,
    ) -> int:
        """Write the actor's export to ``out`` (atomically; CSV with a BOM); returns the row
        count. Same visibility as the windows (services.scoring)."""
        return self.scoring.export(
            actor,
            fmt=fmt,
            out=out,
            submitted_only=submitted_only,
            summary=summary,
            transcripts=transcripts,
        )

    # -- people ---------------------------------------------------------------------------------

    def set_my_name(self, actor: Actor, *, name: str) -> Reviewer:
        """The lone reviewer's name (today "Me" by default)."""
        reviewer = self.scoring.set_lone_name(actor, name=name)
        if reviewer.id == self.default_reviewer.id:
            self.default_reviewer = reviewer
        return reviewer


def demo_definition_path() -> Path:
    """``storage.kitfile.demo_definition_path()`` without loading the kit reader: every library
    open looks the demo up (tests/unit/test_library_list.py holds the two equal)."""
    return resource("kits", "demo.onetakeinterview")


# How the demo definition file (ours, written as indented JSON) states its kit's hash: the
# only "content_hash" key in the format. A string value cannot hold these bytes (its quotes
# are escaped).
_STATED_HASH = b'"content_hash": "'


def _claimed_kit_hash(path: Path) -> str | None:
    """The content hash the demo definition file states for its kit (checked when the file
    is read), found in its bytes without parsing it: every open asks, and json is nowhere
    else in the reviewer's first frame (~5 M instructions with it; issue 17). None if it
    states none, states it otherwise or cannot be read: then the file is read in full and
    checked, as on a library's first open (slower, the same result).
    tests/unit/test_library_list.py holds this equal to the parsed file's stated hash."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data.count(_STATED_HASH) != 1:
        return None
    # Up to the closing quote; a hash the library does not know just means the full read.
    claimed, _quote, _rest = data.partition(_STATED_HASH)[2].partition(b'"')
    return claimed.decode("utf-8", "replace")


def open_reviewer_service(
    root: Path, reviewer_name: str = DEFAULT_REVIEWER_NAME
) -> ReviewerService:
    """Open the library in ``root`` (the context's ``paths.library``), seeded with the demo."""
    library = open_library(root)
    service = ReviewerService(library, reviewer_name)
    with contextlib.suppress(OneTakeError):  # a broken demo must not lock anyone out
        service.seed_demo_definition()
    return service

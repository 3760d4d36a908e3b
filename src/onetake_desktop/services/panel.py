"""Panel use cases on one shared laptop: panelists, independent scoring, summary, decisions.

A thin layer over :mod:`services.scoring`, which owns every rule (who may see, change and
export what; sign-in; one transaction per score and its audit row; signed rows). This module
adds what only the panel windows need: the fair order, the question queue and the summary
statistics, each built from what the signed-in actor may see.
Threading: one ``PanelService`` per thread (its SQLite connection is not shared).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # argon2 loads with the first passphrase (services/scoring.py)
    from argon2 import PasswordHasher

    # Only named here: the kit reader (and its checks) loads with the first definition read.
    from onetake_desktop.domain.kit import Rubric

    # The panel's domain (statistics, ordering, the audit chain) loads with the first summary,
    # order or audit asked for: a lone reviewer's window opens without it (issue 17).
    from onetake_desktop.domain.panel import (
        AuditEntry,
        AuditProblem,
        Cell,
        Decision,
    )

    # Records load with the first one made (services/panel_records.py,
    # storage/panel_records.py; issue 17).
    from onetake_desktop.services.panel_records import (
        AuditLine,
        CandidateView,
        PanelView,
        Verified,
    )

    # Loads when the lock card or an open request first asks (a lone reviewer's never does).
    from onetake_desktop.services.waiting_imports import WaitingImports
    from onetake_desktop.storage.panel_records import (
        DecisionRecord,
        PanelistRecord,
        VisibleScore,
    )

    # Named only: storage.records loads with the first record made (issue 17).
    from onetake_desktop.storage.records import AnswerRecord, ScoreRecord

from onetake_desktop.domain.clock import Clock
from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.services.scoring import (
    MIN_PASSPHRASE,
    Actor,
    NotSignedIn,
    ScoringService,
    WrongPassphrase,
    scoring_for,
)
from onetake_desktop.services.settings import ReviewerSettings
from onetake_desktop.storage.library import InterviewRecord, Library
from onetake_desktop.storage.panel import answer_ids_for

DECISION_LABELS: dict[str, str] = {"advance": "Advance", "hold": "Hold", "decline": "Decline"}

__all__ = [
    "DECISION_LABELS",
    "MIN_PASSPHRASE",
    "Actor",
    "NotSignedIn",
    "PanelService",
    "WrongPassphrase",
]


class PanelService:
    """The panel's use cases; every rule is asked of ``self.scoring`` (services.scoring)."""

    def __init__(
        self,
        library: Library,
        clock: Clock | None = None,
        seed_source: Callable[[], int] | None = None,
        hasher: PasswordHasher | None = None,
        key_deriver: Callable[[str, bytes], bytes] | None = None,
    ) -> None:
        self.library = library
        self._waiting_imports: WaitingImports | None = None  # made when first asked for
        self.scoring: ScoringService = scoring_for(
            library,
            clock=clock,
            hasher=hasher,
            seed_source=seed_source,
            key_deriver=key_deriver,
        )

    @property
    def clock(self) -> Clock:
        return self.scoring.clock

    # -- who is at the laptop -------------------------------------------------------------------

    @property
    def current(self) -> Actor | None:
        """The panelist signed in at the laptop (None while locked)."""
        return self.scoring.current

    @property
    def current_id(self) -> int | None:
        return None if self.scoring.current is None else self.scoring.current.reviewer_id

    def locked(self) -> bool:
        """Whether the panel is locked: there is a panel and nobody is signed in. Then nobody
        may see anyone's work or change the library (import bundles, add definitions); a
        lone reviewer (no panel) is never locked."""
        return self.scoring.current is None and self.scoring.has_panel()

    def panelists(self) -> list[PanelistRecord]:
        return self.scoring.panelists()

    def panelist_named(self, name: str) -> PanelistRecord:
        return self.scoring.panelist_named(name)

    def reviewer_name(self, reviewer_id: int) -> str:
        return self.library.reviewers.get(reviewer_id).name

    def hash_passphrase(self, passphrase: str) -> str:
        return self.scoring.hash_passphrase(passphrase)

    def prepare_panelist(self, passphrase: str) -> tuple[str, bytes, bytes]:
        """The slow part of adding a panelist (Argon2id twice; any thread, no database)."""
        return self.scoring.prepare_panelist(passphrase)

    def create_panelist(self, name: str, passphrase: str, *, chair: bool = False) -> Actor:
        return self.scoring.create_panelist(name, passphrase, chair=chair)

    def add_panelist(
        self, name: str, prepared: tuple[str, bytes, bytes], *, chair: bool = False
    ) -> Actor:
        return self.scoring.add_panelist(name, prepared, chair=chair)

    def can_name_chair(self) -> bool:
        return self.scoring.can_name_chair()

    def chair_name(self) -> str | None:
        return next((p.name for p in self.panelists() if p.is_chair), None)

    def sign_in(self, reviewer_id: int, passphrase: str) -> Actor:
        return self.scoring.sign_in(reviewer_id, passphrase)

    def begin_sign_in(self, reviewer_id: int) -> PanelistRecord:
        return self.scoring.begin_sign_in(reviewer_id)

    def verify_passphrase(self, record: PanelistRecord, passphrase: str) -> Verified:
        return self.scoring.verify_passphrase(record, passphrase)

    def finish_sign_in(self, record: PanelistRecord, verified: Verified) -> Actor:
        return self.scoring.finish_sign_in(record, verified)

    def lock(self) -> None:
        self.scoring.lock()

    def touch(self) -> None:
        self.scoring.touch()

    def import_report_owner(self) -> int | None:
        """Whom an import started now reports to (services.scoring.report_owner)."""
        return self.scoring.report_owner()

    def may_read_import_report(self, owner: int | None) -> bool:
        """Whether the one at the laptop may read the report of an import ``owner`` started
        (its counts and refused file names): services.scoring.may_read_report."""
        return self.scoring.may_read_report(owner)

    def lock_if_idle(self) -> bool:
        return self.scoring.lock_if_idle()

    def library_change_refusal(self) -> str | None:
        """Why whoever is at the laptop may not add to the library now (import bundles, add
        interview definitions; None: they may): services.scoring.library_change_refusal for
        the panelist signed in; while the panel is locked, someone must sign in first. The
        lone reviewer (no panel) always may."""
        actor = self.scoring.current
        if actor is None:
            return "Sign in to add to this library." if self.locked() else None
        return self.scoring.library_change_refusal(actor)

    # -- bundles opened while locked -----------------------------------------------------------

    @property
    def waiting_imports(self) -> WaitingImports:
        """The bundles and folders kept for the next sign-in (services/waiting_imports.py):
        in the library's folder, so a restart or a second OneTake on the library sees them."""
        waiting = self._waiting_imports
        if waiting is None:
            # When asked; by its package: PySide6's import hook, in a window's process, reads
            # the source of a module an import statement names (ui/reviewer/window.py).
            from onetake_desktop.services import waiting_imports

            waiting = self._waiting_imports = waiting_imports.WaitingImports(self.library.root)
        return waiting

    def keep_for_sign_in(self, paths: Sequence[Path]) -> str:
        """Keep ``paths``, opened while the panel is locked, for the next sign-in of someone
        who may import them; returns what now waits, in the lock card's sentence (counts
        only). Raises a OneTakeError when they cannot be kept."""
        self.waiting_imports.keep(paths)
        return self.waiting_imports.sentence()

    def waiting_sentence(self) -> str:
        """What waits for a sign-in, for the lock card ("" when nothing does)."""
        return self.waiting_imports.sentence()

    def waiting_trouble(self) -> str:
        """One sentence when the list of kept paths cannot be read, is damaged, or is a newer
        OneTake's ("" otherwise): the lock card counts such a list as empty, so the one who
        signs in is told instead (review s14 R6)."""
        return self.waiting_imports.trouble()

    def imports_due(self) -> list[Path]:
        """The kept paths the one at the laptop may import now: [] while locked, when nothing
        waits, or when the policy does not let them add to the library (they then wait, and
        are counted on the lock card, for one who may)."""
        paths = self.waiting_imports.paths()  # first: a stat when nothing waits
        if not paths or self.library_change_refusal() is not None:
            return []
        return paths

    def imports_done(self, paths: Sequence[Path]) -> None:
        """The import of these kept paths has run and reported each: they wait no more."""
        self.waiting_imports.settle(paths)

    # -- people ---------------------------------------------------------------------------------

    def rename_panelist(self, actor: Actor, *, reviewer_id: int, name: str) -> PanelistRecord:
        return self.scoring.rename_panelist(actor, reviewer_id=reviewer_id, name=name)

    def remove_panelist(self, actor: Actor, *, reviewer_id: int) -> None:
        self.scoring.remove_panelist(actor, reviewer_id=reviewer_id)

    def change_passphrase(self, actor: Actor, *, old: str, new: str) -> Actor:
        return self.scoring.change_passphrase(actor, old=old, new=new)

    def lone_reviewer_name(self) -> str | None:
        stored = self.scoring.repo.setting("lone_reviewer_id")
        return None if stored is None else self.reviewer_name(int(stored))

    def lone_actor(self) -> Actor | None:
        """The implicit actor of the reviewer who scores alone (None before there is one)."""
        stored = self.scoring.repo.setting("lone_reviewer_id")
        return None if stored is None else self.scoring.actor_for(int(stored))

    def set_lone_name(self, actor: Actor, *, name: str) -> str:
        return self.scoring.set_lone_name(actor, name=name).name

    # -- settings ------------------------------------------------------------------------------

    def idle_minutes(self) -> float:
        return self.scoring.idle_minutes()

    def set_idle_minutes(self, actor: Actor, minutes: float) -> None:
        self.scoring.check(actor)
        if minutes < 0:
            raise InvalidInputError("Idle minutes cannot be negative.")
        with self.scoring.transaction():
            self.scoring.repo.set_setting("idle_minutes", f"{minutes:g}")
            self.scoring.audit(actor, "setting", "idle_minutes", {"value": minutes})
        self.scoring.idle.minutes = minutes

    def blind_mode(self) -> bool:
        return self.scoring.blind_mode()

    def set_blind_mode(self, actor: Actor, on: bool) -> None:
        """Blind mode for the whole panel (see ScoringService.set_blind_mode for when it may
        go off); candidates the panel lifted it for stay shown."""
        self.scoring.set_blind_mode(actor, on=on)

    def lift_blind(self, actor: Actor, *, submission_id: int) -> None:
        self.scoring.lift_blind(actor, submission_id=submission_id)

    def audio_only(self, actor: Actor) -> bool:
        self.scoring.check(actor)
        return ReviewerSettings(self.library).get(actor.reviewer_id).audio_only

    def set_audio_only(self, actor: Actor, on: bool) -> None:
        self.scoring.check(actor)
        ReviewerSettings(self.library).set_audio_only(actor.reviewer_id, on)

    # -- candidates, order ---------------------------------------------------------------------

    def interviews(self) -> list[InterviewRecord]:
        """Interviews that have candidates (what the panel windows offer)."""
        counts = self.scoring.repo.candidate_counts()
        return [i for i in self.library.interviews.all() if counts.get(i.id)]

    def candidate_count(self, *, interview_pk: int) -> int:
        return self.scoring.repo.candidate_counts().get(interview_pk, 0)

    def questions(self, *, interview_pk: int) -> list[str]:
        definition = self.library.interviews.definition(interview_pk)
        if definition is not None:
            return [q.id for q in definition.kit.questions]
        seen: dict[str, None] = {}
        for c in self.scoring.repo.candidates(interview_pk):
            seen.update(dict.fromkeys(c.answers))
        return list(seen)

    def question_text(self, *, interview_pk: int, question_id: str) -> str:
        definition = self.library.interviews.definition(interview_pk)
        if definition is not None:
            for q in definition.kit.questions:
                if q.id == question_id:
                    return q.text
        return f"Question {question_id}"

    def candidates(self, *, interview_pk: int) -> list[CandidateView]:
        return self.scoring.candidates(interview_pk=interview_pk)

    def hidden_codes(self) -> dict[int, str]:
        return self.scoring.hidden_codes()

    def order(self, actor: Actor, *, interview_pk: int, question_id: str = "") -> list[int]:
        """This panelist's stable, shuffled order of the interview's candidates."""
        from onetake_desktop.domain.panel import shuffled_candidates

        seed = self._seed(actor)
        ids = [c.submission_id for c in self.scoring.repo.candidates(interview_pk)]
        return shuffled_candidates(ids, seed, question_id)

    def _seed(self, actor: Actor) -> int:
        self.scoring.check(actor)
        record = self.scoring.repo.panelist(actor.reviewer_id)
        return record.order_seed if record is not None else actor.reviewer_id

    def question_queue(self, actor: Actor, *, interview_pk: int) -> list[Cell]:
        """Question by question: every candidate's answer to q1 (this panelist's order), then
        q2, ...; only cells that have an answer."""
        from onetake_desktop.domain.panel import question_mode_queue

        seed = self._seed(actor)
        refs = {c.submission_id: c for c in self.scoring.repo.candidates(interview_pk)}
        queue = question_mode_queue(self.questions(interview_pk=interview_pk), refs, seed)
        return [(c, q) for c, q in queue if q in refs[c].answers]

    # -- scoring -------------------------------------------------------------------------------

    def save_score(
        self, actor: Actor, *, answer_id: int, score: int | None, note: str = ""
    ) -> ScoreRecord:
        return self.scoring.save_score(actor, answer_id=answer_id, score=score, note=note)

    def my_score(self, actor: Actor, *, answer_id: int) -> ScoreRecord | None:
        return self.scoring.my_score(actor, answer_id=answer_id)

    def score_history(self, actor: Actor, *, answer_id: int) -> list[ScoreRecord]:
        return self.scoring.score_history(actor, answer_id=answer_id)

    def answer(self, *, answer_id: int) -> AnswerRecord:
        return self.library.submissions.answer(answer_id)

    def answer_ids(self, *, submission_id: int) -> list[int]:
        return [a.id for a in self.library.submissions.answers(submission_id)]

    def rubric(self, *, interview_pk: int, question_id: str) -> Rubric | None:
        definition = self.library.interviews.definition(interview_pk)
        return None if definition is None else definition.rubrics.get(question_id)

    def waveform(self, answer: AnswerRecord, buckets: int = 600) -> list[float]:
        """Peak levels of an audio or video answer (slow: call it off the GUI thread)."""
        from onetake_desktop.media.waveform import compute_waveform

        if answer.media_path is None:
            return []
        return compute_waveform(answer.media_path, buckets)

    def correct_score(
        self, actor: Actor, *, answer_id: int, score: int, note: str, reason: str
    ) -> ScoreRecord:
        return self.scoring.correct_score(
            actor, answer_id=answer_id, score=score, note=note, reason=reason
        )

    def submit_candidate(self, actor: Actor, *, submission_id: int) -> int:
        return self.scoring.submit_candidate(actor, submission_id=submission_id)

    def submit_question(self, actor: Actor, *, interview_pk: int, question_id: str) -> int:
        refs = self.scoring.repo.candidates(interview_pk)
        answers = answer_ids_for(refs, question_id)
        return self.scoring.submit_answers(
            actor, answer_ids=answers, subject=f"interview {interview_pk} / {question_id}"
        )

    def visible_scores(self, actor: Actor, *, interview_pk: int) -> list[VisibleScore]:
        """The actor's own scores (drafts too) and the others' they may see."""
        return self.scoring.visible_scores(actor, interview_pk=interview_pk)

    # -- summary -------------------------------------------------------------------------------

    def view(self, actor: Actor, *, interview_pk: int) -> PanelView:
        # Only what the actor may see (services.scoring), one row per answer: a panel of
        # 10,000 candidates has 30,000 of them and 90,000 scores.
        grid = self.scoring.visible_grid(actor, interview_pk=interview_pk)
        # Where the viewer submitted, the cell is open, with whatever the rule lets them see;
        # elsewhere only their own draft shows, to them alone. Kept as columns of plain
        # values (no tuple per row kept alive).
        candidate_ids: list[int] = []
        question_ids: list[str] = []
        scores: list[int | None] = []
        drafts: dict[Cell, int] = {}
        # The grid has every answer, in position order: the candidates' answers are listed
        # from it rather than read again.
        answers: dict[int, dict[str, int]] = {}
        for row in grid.rows:
            listed = answers.get(row[0])
            if listed is None:
                listed = answers[row[0]] = {}
            listed[row[1]] = row[2]
            if row[3]:
                candidate_ids.append(row[0])
                question_ids.append(row[1])
                scores.extend(row[4:])
            elif row[4] is not None:
                drafts[(row[0], row[1])] = row[4]
        from onetake_desktop.domain.panel import CellColumns, summarise_grid

        summary = summarise_grid(CellColumns(candidate_ids, question_ids), grid.reviewers, scores)
        # Asked once the grid is read (it may write the blind-code secret the first time).
        candidates = self.scoring.candidates(interview_pk=interview_pk, answers=answers)
        all_names = {r.id: r.name for r in self.library.reviewers.all()}
        names = {p.panelist_id: all_names[p.panelist_id] for p in summary.leniency}
        from onetake_desktop.services.panel_records import PanelView

        return PanelView(
            actor.reviewer_id,
            self.questions(interview_pk=interview_pk),
            candidates,
            names,
            summary,
            drafts,
            summary.cells,  # every cell of the summary is one the viewer submitted
        )

    # -- decisions -----------------------------------------------------------------------------

    def waiting_for(self, actor: Actor, *, submission_id: int) -> list[str] | None:
        """Panelists who have not submitted this candidate yet (a decision waits for them),
        for one who may be told (None: this actor is not; services.scoring.gate_refusal)."""
        return self.scoring.still_to_submit(actor, submission_id=submission_id)

    def decider_refusal(self, actor: Actor) -> str | None:
        """Why this panelist may never record decisions (services.scoring.decider_refusal:
        only the chair, if the panel named one); None: they may, candidate by candidate."""
        return self.scoring.decider_refusal(actor)

    def decision_refusal(self, actor: Actor, *, submission_id: int) -> str | None:
        """Why this panelist may not record a decision on this candidate now (None: they may)."""
        return self.scoring.decision_refusal(actor, submission_id=submission_id)

    def decide(
        self,
        actor: Actor,
        *,
        submission_id: int,
        decision: Decision,
        reason: str,
        feedback: str = "",
    ) -> DecisionRecord:
        return self.scoring.decide(
            actor, submission_id=submission_id, decision=decision, reason=reason, feedback=feedback
        )

    def decision_history(self, actor: Actor, *, submission_id: int) -> list[DecisionRecord]:
        return self.scoring.decision_history(actor, submission_id=submission_id)

    # -- export and audit ---------------------------------------------------------------------

    def export(
        self,
        actor: Actor,
        *,
        interview_pk: int | None,
        fmt: str,
        out: Path,
        summary: bool = False,
    ) -> int:
        """What this panelist may see, never a draft: per answer, or one row per candidate."""
        return self.scoring.export(
            actor,
            fmt=fmt,
            out=out,
            interview_pk=interview_pk,
            summary=summary,
            every_candidate=True,
        )

    def audit_problem(self) -> AuditProblem | None:
        """Whether the hash chain holds: anyone may ask (start-up, ``panel audit``)."""
        return self.scoring.audit_problem()

    def audit_count(self) -> int:
        return self.scoring.audit_count()

    def audit_view(self, actor: Actor) -> list[AuditLine]:
        return self.scoring.audit_view(actor)

    def audit_entries(self, actor: Actor) -> list[AuditEntry]:
        return self.scoring.audit_entries(actor)

"""Erasure and retention: the one place that decides what is erased, when, and how it is audited.

The candidate was told "kept for N days, then deleted" (the kit's ``retention_days``, shown by
the candidate window). Every submission stores its expiry (stamped by the schema when it is
imported or when its interview's definition arrives, see storage/migrations/m003); this
service lists what is due, erases it (``onetake library expire``, the reviewer window at
start-up and every hour, and every command that reads the library first: services/retention.py
asks who is due in one query, then :meth:`PrivacyService.expire`), warns a week ahead, and
lets a reviewer keep a candidate longer only with a reason and an end date, audited, and
stop keeping them longer (a reason again, audited; the hold stays in the library marked
lifted, schema 11). It also erases on request (``onetake library
erase``, the window's "Erase candidate..."), across interviews. Erasing on request and keeping
longer (or no longer) are a person's decisions over the candidate's data, so they take their
Actor and ask the policy first (services.scoring ``erasure_refusal`` /
``retention_hold_refusal``, one rule: the lone reviewer, or with a panel a signed-in
panelist, the chair if named). Retention's erasure is the kit's promise kept, nobody's action:
it erases only what is due, whoever has the library open.

Audit rows carry numbers and internal ids only: never a name, an email or a note.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal

from onetake_desktop.domain.clock import Clock, SystemClock
from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.domain.words import plural
from onetake_desktop.storage.db import transaction
from onetake_desktop.storage.erasure import (
    ErasureCounts,
    compact,
    erase_submissions,
    erasure_counts,
    sweep_leftovers,
)
from onetake_desktop.storage.erasure import (
    ErasureResult as ErasureResult,  # what erase() returns, for its callers (cli/privacy.py)
)
from onetake_desktop.storage.library import Library, interview_title

if TYPE_CHECKING:
    from onetake_desktop.services.scoring import Actor, ScoringService

log = logging.getLogger(__name__)

WARN_DAYS = 7  # the window warns this long before a candidate is erased
MAX_HOLD_DAYS = 3650  # the longest a kit may keep answers, too
MAX_REASON_CHARS = 500
# What release says when no hold runs for the candidate (the window says it too).
# When a candidate past their date goes once nothing keeps them: every reader erases the due
# first (services.retention), an open reviewer window checks hourly (review s11a N2).
# Not "the next command that reads the library": hold, release, erase and the panel's
# add and audit read it and erase nobody (services.retention's table says who does).
ERASED_NEXT = (
    "by the next command that lists or uses candidates (such as 'onetake library list'), the"
    " reviewer window's hourly check, or 'onetake library expire'"
)
NOT_HELD = "That candidate is not being kept longer (no hold runs), so there is nothing to stop."
Why = Literal["request", "retention"]
# The audit log keeps a lower-case code for why a candidate went, never free text.
ERASURE_REASON_CODES: dict[Why, str] = {"request": "candidate_request", "retention": "retention"}

# What a candidate with no expiry yet is told instead of a date (the command and the window).
UNDATED = "no erasure date yet: it is set when their interview's definition is added to the library"
_SQL_TIME = "%Y-%m-%d %H:%M:%S"  # how the schema stores expiry and hold times (UTC)


def day_text(moment: datetime, *, iso: bool = False) -> str:
    """The day of a UTC moment as people read it: '1 Dec 2026' in a window (non-breaking
    spaces keep it on one line), '2026-12-01' on the command line (as ``--until`` is typed)."""
    if iso:
        return moment.date().isoformat()
    return f"{moment.day}\u00a0{moment:%b}\u00a0{moment:%Y}"


def _parse(stored: str | None) -> datetime | None:
    if stored is None:
        return None
    if len(stored) == 19 and stored[4] == stored[7] == "-" and stored[10] == " ":
        # The stored form exactly: fromisoformat reads it ten times faster than strptime (the
        # reviewer window reads every candidate's dates right after it opens).
        return datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return datetime.strptime(stored, _SQL_TIME).replace(tzinfo=UTC)


def _store(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_SQL_TIME)


@dataclass(frozen=True)
class Hold:
    id: int
    submission_id: int
    until: datetime  # UTC; the candidate is kept until this moment
    reason: str
    reviewer_id: int | None
    created_at: str
    released_at: datetime | None = None  # UTC; when someone stopped keeping the candidate
    released_by: int | None = None
    release_reason: str | None = None

    def runs(self, now: datetime) -> bool:
        """Does this hold keep the candidate at ``now`` (not lifted, not yet ended)?"""
        return self.released_at is None and self.until > now


@dataclass(frozen=True)
class Candidate:
    """One submission as erasure and retention see it."""

    submission_id: int
    interview_title: str
    candidate_name: str
    candidate_email: str
    imported_at: str
    retention_days: int | None  # None until the interview definition is in the library
    expires_at: datetime | None  # the kit's promise
    held_until: datetime | None = None  # the latest end of a hold not lifted, if any

    @property
    def kept_longer(self) -> bool:
        """Does a hold (not lifted) keep them past the date they were told?"""
        return (
            self.expires_at is not None
            and self.held_until is not None
            and self.held_until > self.expires_at
        )

    @property
    def erase_at(self) -> datetime | None:
        """When it is actually erased: the promise, unless a hold keeps it longer."""
        if self.expires_at is None:
            return None
        if self.held_until is not None and self.held_until > self.expires_at:
            return self.held_until
        return self.expires_at


@dataclass(frozen=True)
class ErasurePlan:
    """What an erasure will remove, for the confirmation (CLI prompt, window dialog)."""

    candidates: list[Candidate]
    counts: ErasureCounts

    @property
    def submission_ids(self) -> list[int]:
        return [c.submission_id for c in self.candidates]

    def describe(self) -> str:
        """One plain sentence of what goes besides the rows naming the candidate."""
        c = self.counts
        parts = [f"{plural(c.answers, 'answer')}"]
        if c.media_files:
            parts[0] += (
                f" with {plural(c.media_files, 'recording')} ({c.media_bytes / 1_000_000:.1f} MB)"
            )
        if c.scores:
            parts.append(f"{plural(c.scores, 'score')} ({c.submitted_scores} submitted)")
        for count, word in (
            (c.notes, "timestamped note"),
            (c.recommendations, "recommendation"),
            (c.decisions, "decision"),
            (c.holds, "retention hold"),
            (c.transcripts, "transcript"),
        ):
            if count:
                parts.append(plural(count, word))
        return ", ".join(parts) + "."


@dataclass(frozen=True)
class AfterRelease:
    """A candidate as they stand once no hold keeps them any more (``release_preview``)."""

    candidate: Candidate  # erase_at is the promise again (or a hold that already ended)
    overdue: bool  # that date has passed: erased at the next expiry

    @property
    def erase_at(self) -> datetime | None:
        return self.candidate.erase_at


@dataclass(frozen=True)
class Release(AfterRelease):
    """What stopping keeping one candidate longer did."""

    holds: tuple[Hold, ...] = ()  # the holds lifted (each now has released_at)


@dataclass(frozen=True)
class HoldsMade:
    """What keeping a person longer did (:meth:`PrivacyService.hold_all`)."""

    holds: tuple[Hold, ...]
    # Asked for but erased meanwhile elsewhere (or the id now holds someone else): not held.
    already_gone: tuple[int, ...] = ()


@dataclass(frozen=True)
class HoldsLifted:
    """What stopping keeping a person longer did (:meth:`PrivacyService.release_all`)."""

    released: tuple[Release, ...]
    already_gone: tuple[int, ...] = ()  # as in HoldsMade


@dataclass
class ExpireReport:
    due: list[Candidate] = field(default_factory=list)  # erased (or, in a dry run, would be)
    held: list[Candidate] = field(default_factory=list)  # past the promise but on hold
    undated: int = 0  # submissions whose interview definition (and retention) is unknown
    result: ErasureResult | None = None  # None in a dry run or when nothing was due


class CandidateGone(OneTakeError):
    """The submission named is not in the library (any more): another OneTake on it may have
    erased the candidate meanwhile. The window says so and refreshes its list. An erasure,
    hold or release raises it only when every submission asked for is gone (``already_gone``
    on ErasureResult, HoldsMade and HoldsLifted names those that were, when some were still
    there)."""


# Who erases a candidate behind a window's or a command's back.
ERASED_ELSEWHERE = "by another OneTake on this library, or at the end of their retention"


def already_gone_sentence(result: ErasureResult | HoldsMade | HoldsLifted) -> str:
    """One sentence for an erasure, hold or release that found some of a person's submissions
    erased meanwhile ("" when none were): the rest is done, so the request is honoured, and
    the reviewer is not told that the person was gone while their other interviews stayed."""
    gone = len(result.already_gone)
    if not gone:
        return ""
    if isinstance(result, HoldsMade):
        done = "the rest is kept longer"
    elif isinstance(result, HoldsLifted):
        done = "the rest is no longer kept longer"
    else:
        done = "the rest is erased now"
    which = "One of their interviews" if gone == 1 else f"{gone} of their interviews"
    return f"{which} had already been erased ({ERASED_ELSEWHERE}); {done}."


class PrivacyService:
    def __init__(
        self, library: Library, clock: Clock | None = None, scoring: ScoringService | None = None
    ) -> None:
        self.library = library
        self.db = library.db
        self.clock: Clock = clock or SystemClock()
        self._scoring = scoring

    @property
    def scoring(self) -> ScoringService:
        """The library's one policy (who is signed in lives there), found on first use."""
        if self._scoring is None:
            from onetake_desktop.services.scoring import scoring_for

            self._scoring = scoring_for(self.library)
        return self._scoring

    # -- reading ------------------------------------------------------------------------------

    _CANDIDATE = """
        SELECT s.id, i.role_title, i.interview_id, i.version, s.candidate_name,
               s.candidate_email, s.imported_at, s.retention_days, s.expires_at,
               (SELECT MAX(h.until) FROM retention_holds h
                WHERE h.submission_id = s.id AND h.released_at IS NULL)
        FROM submissions s JOIN interviews i ON i.id = s.interview_pk
    """

    @staticmethod
    def _make(row: Any) -> Candidate:
        return Candidate(
            int(row[0]),
            interview_title(row[1], row[2], row[3]),
            str(row[4]),
            str(row[5]),
            str(row[6]),
            None if row[7] is None else int(row[7]),
            _parse(row[8]),
            _parse(row[9]),
        )

    def candidates(self) -> list[Candidate]:
        rows = self.db.execute(self._CANDIDATE + " ORDER BY s.expires_at, s.id").fetchall()
        return [self._make(r) for r in rows]

    def candidate(self, submission_id: int) -> Candidate:
        row = self.db.execute(self._CANDIDATE + " WHERE s.id = ?", (submission_id,)).fetchone()
        if row is None:
            raise CandidateGone(f"There is no candidate number {submission_id} in this library.")
        return self._make(row)

    def _read(self, submission_ids: Sequence[int], as_read: Sequence[Candidate]) -> list[Candidate]:
        """The candidates asked for: as the caller read them (``as_read``), the others as
        they are now; one no longer in the library is left out (:meth:`_there` names it)."""
        read = {c.submission_id: c for c in as_read}
        found = []
        for sid in sorted(set(submission_ids)):
            if sid not in read:
                try:
                    read[sid] = self.candidate(sid)
                except CandidateGone:
                    continue
            found.append(read[sid])
        return found

    def _there(
        self, submission_ids: Sequence[int], candidates: Sequence[Candidate]
    ) -> tuple[list[Candidate], tuple[int, ...]]:
        """Inside a write transaction (no one else writes meanwhile): those of ``candidates``
        still in the library as read (ids are reused rowids: same import time and email),
        and the ids asked for that are not. None left: CandidateGone."""
        there = [c for c in candidates if self._holds(c.submission_id, c)]
        kept = {c.submission_id for c in there}
        gone = tuple(sid for sid in sorted(set(submission_ids)) if sid not in kept)
        if not there:
            raise CandidateGone(f"There is no candidate number {gone[0]} in this library.")
        return there, gone

    def find(
        self,
        *,
        email: str | None = None,
        candidate_id: int | None = None,
        submission_id: int | None = None,
    ) -> list[Candidate]:
        """Who an erasure request names: every submission with this email (any interview);
        the person behind library entry ``candidate_id`` (all their submissions, matched by
        email); or exactly one submission. Exactly one of the three must be given."""
        if sum(x is not None for x in (email, candidate_id, submission_id)) != 1:
            raise InvalidInputError("Name the candidate by one of email, candidate or submission.")
        if submission_id is not None:
            return [self.candidate(submission_id)]
        if candidate_id is not None:
            email = self.candidate(candidate_id).candidate_email
        assert email is not None
        wanted = email.strip().casefold()
        if not wanted:
            raise InvalidInputError("An email address is needed.")
        found = [c for c in self.candidates() if c.candidate_email.strip().casefold() == wanted]
        if not found:
            raise OneTakeError("There is no candidate with that email in this library.")
        return found

    def plan(self, submission_ids: Sequence[int]) -> ErasurePlan:
        candidates = [self.candidate(sid) for sid in sorted(set(submission_ids))]
        total = ErasureCounts()
        for c in candidates:
            total = total + erasure_counts(self.db, self.library.root, c.submission_id)
        return ErasurePlan(candidates, total)

    # -- erasing ------------------------------------------------------------------------------

    def erasure_refusal(self, actor: Actor) -> str | None:
        """Why this actor may not erase on request (None: they may); the policy decides."""
        return self.scoring.erasure_refusal(actor)

    def erase(
        self,
        actor: Actor,
        *,
        submission_ids: Sequence[int],
        as_read: Sequence[Candidate] = (),
    ) -> ErasureResult:
        """Erase these submissions completely at a person's request, if the policy lets this
        actor (one sentence otherwise, nothing touched); one audit row, in the same
        transaction, naming who asked. ``as_read``: the candidates as the confirmation showed
        them (``ErasurePlan.candidates``); an id that no longer holds that person counts as
        gone (review s12c M1)."""
        refusal = self.erasure_refusal(actor)
        if refusal is not None:
            raise OneTakeError(refusal)
        return self._erase(submission_ids, actor.reviewer_id, "request", as_read)

    def _erase(
        self,
        submission_ids: Sequence[int],
        actor_id: int | None,
        why: Why,
        as_read: Sequence[Candidate] = (),
    ) -> ErasureResult:
        if not submission_ids:
            raise InvalidInputError("Choose at least one candidate to erase.")
        ids = sorted(set(submission_ids))
        # Some may have been erased since they were read (another OneTake, retention): erase
        # the rest, the person's request still stands, and say which were gone. None left:
        # one sentence (CandidateGone), nothing written.
        # Submission ids are SQLite rowids without AUTOINCREMENT: once the newest is erased
        # elsewhere, the next import takes its id again. So an id counts as there only while it
        # still holds the person that was read (their import time and email). Asked inside the
        # erasure's write transaction, so the audit row and already_gone are exact (s12c L5).
        read = {c.submission_id: c for c in as_read}
        result = erase_submissions(
            self.db,
            self.library.root,
            ids,
            reason_code=ERASURE_REASON_CODES[why],
            actor_id=actor_id,
            # Kept with the bundle's fingerprint: a later import of it is refused naming this day.
            erased_on=self.clock.now().astimezone(UTC).date(),
            present=lambda sid: self._holds(sid, read.get(sid)),
        )
        if not result.counts:
            raise CandidateGone(f"There is no candidate number {ids[0]} in this library.")
        log.info(
            "erased %d submission(s) (%s), %d already gone",
            len(result.counts),
            why,
            len(result.already_gone),
        )
        return result

    def _holds(self, submission_id: int, as_read: Candidate | None) -> bool:
        """Is this submission still in the library, and (if given) still the one read?"""
        if as_read is None:
            return self._exists(submission_id)
        row = self.db.execute(
            "SELECT imported_at, candidate_email FROM submissions WHERE id = ?", (submission_id,)
        ).fetchone()
        return row is not None and (str(row[0]), str(row[1])) == (
            as_read.imported_at,
            as_read.candidate_email,
        )

    def _exists(self, submission_id: int) -> bool:
        row = self.db.execute("SELECT 1 FROM submissions WHERE id = ?", (submission_id,))
        return row.fetchone() is not None

    def finish_compaction(self) -> bool:
        """Wipe free space and the WAL again (after an erasure another program held up)."""
        return compact(self.db)

    def sweep(self) -> int:
        """Finish erasures a crash interrupted (see storage.erasure.sweep_leftovers)."""
        return sweep_leftovers(self.db, self.library.root)

    # -- retention ----------------------------------------------------------------------------

    def due(self, now: datetime | None = None) -> list[Candidate]:
        """Candidates whose promised time (and any hold) has run out (by ``now``, the
        clock's time unless given)."""
        now = now or self.clock.now()
        return [c for c in self.candidates() if c.erase_at is not None and c.erase_at <= now]

    def is_due(self, candidate: Candidate, now: datetime | None = None) -> bool:
        """Is this candidate (as read) past the date they were told, with no hold running, at
        ``now`` (the clock's time unless given)? A hold made now still keeps them: 'library
        hold' acts before any erasure (services.retention), and says so."""
        now = now or self.clock.now()
        return candidate.erase_at is not None and candidate.erase_at <= now

    def upcoming(self, within_days: int = WARN_DAYS) -> list[Candidate]:
        """Candidates erased within ``within_days`` (not yet due), soonest first."""
        now = self.clock.now()
        soon = now + timedelta(days=within_days)
        found = [
            c for c in self.candidates() if c.erase_at is not None and now < c.erase_at <= soon
        ]
        return sorted(found, key=lambda c: (c.erase_at or now, c.submission_id))

    def undated(self) -> int:
        """Submissions with no expiry yet (their interview definition is not in the library)."""
        return int(
            self.db.execute("SELECT COUNT(*) FROM submissions WHERE expires_at IS NULL").fetchone()[
                0
            ]
        )

    def expire(self, *, dry_run: bool = False, now: datetime | None = None) -> ExpireReport:
        """Erase every candidate that is due; ``dry_run`` only lists them and changes nothing.
        Nobody's action (the kit's promise), so no actor: audited with no actor id. ``now``
        (the clock's time unless given) lets a caller erase exactly whom ``due(now)`` named,
        e.g. after letting go of their files."""
        now = now or self.clock.now()
        report = ExpireReport(undated=self.undated())
        for c in self.candidates():
            if c.expires_at is None or c.expires_at > now:
                continue
            (report.due if c.erase_at is not None and c.erase_at <= now else report.held).append(c)
        if dry_run or not report.due:
            return report
        self.sweep()
        report.result = self._erase(
            [c.submission_id for c in report.due], None, "retention", report.due
        )
        return report

    _HOLD = (
        "SELECT id, submission_id, until, reason, reviewer_id, created_at, released_at,"
        " released_by, release_reason FROM retention_holds"
    )

    def holds(self, submission_id: int) -> list[Hold]:
        """Every hold of this candidate, lifted or not, oldest first."""
        rows = self.db.execute(
            self._HOLD + " WHERE submission_id = ? ORDER BY id", (submission_id,)
        ).fetchall()
        return [
            Hold(
                int(r[0]),
                int(r[1]),
                _parse(r[2]) or self.clock.now(),
                r[3],
                r[4],
                r[5],
                _parse(r[6]),
                r[7],
                r[8],
            )
            for r in rows
        ]

    def running_holds(self, submission_id: int) -> list[Hold]:
        """The holds that keep this candidate now (not lifted, not yet ended)."""
        now = self.clock.now()
        return [h for h in self.holds(submission_id) if h.runs(now)]

    def retention_hold_refusal(self, actor: Actor) -> str | None:
        """Why this actor may not keep a candidate longer, or stop keeping them longer (None:
        they may); the policy decides, by the same rule as erasing on request. Lifting a hold
        is the same decision over the candidate's data, so the same people make it."""
        return self.scoring.retention_hold_refusal(actor)

    def release_refusal(self, actor: Actor) -> str | None:
        """Why this actor may not lift a hold (None: they may): the hold's rule, asked again."""
        return self.retention_hold_refusal(actor)

    def _refuse(self, actor: Actor) -> None:
        refusal = self.retention_hold_refusal(actor)
        if refusal is not None:
            raise OneTakeError(refusal)

    @staticmethod
    def _reason(reason: str, doing: str) -> str:
        """The reason as it is kept: plain text on one line (it is printed and shown in
        windows), spaces collapsed."""
        from onetake_desktop.domain.validation import text_problem

        problem = text_problem(reason)
        if problem is not None:
            raise InvalidInputError(f"The reason {problem}.")
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidInputError(f"{doing} needs a reason.")
        if len(reason) > MAX_REASON_CHARS:
            raise InvalidInputError(f"Keep the reason under {MAX_REASON_CHARS} characters.")
        return reason

    @staticmethod
    def _impersonal(reason: str, candidates: Sequence[Candidate]) -> None:
        """No name or email in the reason: windows show it beside the candidate, blind mode
        included (it stays with the hold, never in the audit log)."""
        folded = reason.casefold()
        for candidate in candidates:
            personal = (candidate.candidate_name.strip(), candidate.candidate_email.strip())
            if any(p and p.casefold() in folded for p in personal):
                raise InvalidInputError(
                    "The reason is shown beside the candidate, in blind mode too, so it must not"
                    " contain their name or email."
                )

    def hold(
        self,
        actor: Actor,
        *,
        submission_id: int,
        until: date,
        reason: str,
        as_read: Candidate | None = None,
    ) -> Hold:
        """Keep a candidate past their promised deletion until the end of ``until`` (UTC),
        for a reason, if the policy lets this actor (one sentence otherwise, nothing
        written). The reason is text about the candidate: it stays with the hold, which goes
        with them; the audit log, which outlives them, keeps the end date only, no reason and
        no hash of it (a hash confirms a guess; review s11a N3). ``as_read``: the candidate as
        the dialog showed them; their id holding someone else now is CandidateGone."""
        return self.hold_all(
            actor,
            submission_ids=[submission_id],
            until=until,
            reason=reason,
            as_read=() if as_read is None else (as_read,),
        ).holds[0]

    def hold_all(
        self,
        actor: Actor,
        *,
        submission_ids: Sequence[int],
        until: date,
        reason: str,
        as_read: Sequence[Candidate] = (),
    ) -> HoldsMade:
        """:meth:`hold` for several submissions (a person who applied to several interviews):
        on any refusal or bad input, none. Those erased meanwhile elsewhere (or whose id now
        holds someone else than ``as_read`` shows) are left out and named in
        ``already_gone``, like an erasure's; none left: CandidateGone. One audit row per
        submission held."""
        self._refuse(actor)
        reason = self._reason(reason, "Keeping a candidate longer")
        now = self.clock.now()
        end = datetime.combine(until, time(23, 59, 59), tzinfo=UTC)
        if end <= now:
            raise InvalidInputError("A hold must end in the future.")
        if end > now + timedelta(days=MAX_HOLD_DAYS):
            raise InvalidInputError(f"A hold can last at most {MAX_HOLD_DAYS} days.")
        if not submission_ids:
            raise InvalidInputError("Choose at least one candidate to keep longer.")
        candidates = self._read(submission_ids, as_read)
        self._impersonal(reason, candidates)
        actor_id = actor.reviewer_id
        made: list[int] = []
        with transaction(self.db):
            there, gone = self._there(submission_ids, candidates)
            for c in there:
                cursor = self.db.execute(
                    "INSERT INTO retention_holds (submission_id, until, reason, reviewer_id,"
                    " created_at) VALUES (?, ?, ?, ?, ?)",
                    (
                        c.submission_id,
                        _store(end),
                        reason,
                        actor_id,
                        now.isoformat(timespec="seconds"),
                    ),
                )
                made.append(int(cursor.lastrowid or 0))
                # Same transaction: no hold without its audit row, signed by a panelist
                # (unsigned, their next sign-in would call it added in their name).
                self.scoring.audit(
                    actor,
                    "retention_hold",
                    f"submission {c.submission_id}",
                    {"until": until.isoformat()},
                )
        log.info("kept %d submission(s) longer, %d already gone", len(made), len(gone))
        held = {h.id: h for c in there for h in self.holds(c.submission_id)}
        return HoldsMade(tuple(held[i] for i in made), gone)

    def release(
        self,
        actor: Actor,
        *,
        submission_id: int,
        reason: str,
        as_read: Candidate | None = None,
    ) -> Release:
        """Stop keeping a candidate longer: every hold that runs for them is lifted (kept in
        the library, marked released, by whom and why), for a reason, if the policy lets this
        actor (the hold's rule; one sentence otherwise, nothing written). The candidate is
        then due again on the date they were told; if that date has passed, they are erased
        ``ERASED_NEXT`` (the next command that lists or uses candidates, the window's hourly
        check, ``library expire``). No hold running is a failure (exit 1). Audited like a
        hold: the holds' ids only; the reason stays with them. ``as_read`` as for
        :meth:`hold`."""
        return self.release_all(
            actor,
            submission_ids=[submission_id],
            reason=reason,
            as_read=() if as_read is None else (as_read,),
        ).released[0]

    def release_all(
        self,
        actor: Actor,
        *,
        submission_ids: Sequence[int],
        reason: str,
        as_read: Sequence[Candidate] = (),
    ) -> HoldsLifted:
        """:meth:`release` for several submissions: lifts the holds of those that have one
        running (at least one must), in one transaction. Those erased meanwhile are left out
        and named in ``already_gone``, as :meth:`hold_all` does. One audit row per
        submission."""
        self._refuse(actor)
        reason = self._reason(reason, "Stopping keeping a candidate longer")
        if not submission_ids:
            raise InvalidInputError("Choose at least one candidate.")
        candidates = self._read(submission_ids, as_read)
        self._impersonal(reason, candidates)
        now = self.clock.now()
        actor_id = actor.reviewer_id
        # Which holds run is read inside the write transaction (BEGIN IMMEDIATE): another
        # OneTake on the library (the window, 'library release') lifting them meanwhile waits,
        # or has finished and is seen. A hold lifted all the same is NOT_HELD, all rolled back.
        with transaction(self.db):
            # All gone: CandidateGone, not NOT_HELD (their holds went with them).
            there, gone = self._there(submission_ids, candidates)
            running = {c.submission_id: self.running_holds(c.submission_id) for c in there}
            running = {sid: holds for sid, holds in running.items() if holds}
            if not running:
                raise OneTakeError(NOT_HELD)
            for sid, holds in running.items():
                ids = [h.id for h in holds]
                lifted = self.db.execute(
                    "UPDATE retention_holds SET released_at = ?, released_by = ?,"
                    f" release_reason = ? WHERE id IN ({','.join('?' * len(ids))})"
                    " AND released_at IS NULL",
                    (_store(now), actor_id, reason, *ids),
                ).rowcount
                if lifted != len(ids):
                    raise OneTakeError(NOT_HELD)
                self.scoring.audit(
                    actor,
                    "retention_release",
                    f"submission {sid}",
                    {"holds": ids},
                )
        log.info(
            "stopped keeping %d submission(s) longer, %d already gone", len(running), len(gone)
        )
        released = []
        for sid, holds in running.items():
            now_held = {h.id: h for h in self.holds(sid)}
            after = self.release_preview(sid, now)  # nothing runs now: as it stands
            released.append(
                Release(after.candidate, after.overdue, tuple(now_held[h.id] for h in holds))
            )
        return HoldsLifted(tuple(released), gone)

    def release_preview(self, submission_id: int, now: datetime | None = None) -> AfterRelease:
        """How this candidate stands once every hold that runs for them (at ``now``, the
        clock's time unless given) is lifted: when they are erased then, and whether that
        date has passed (erased at the next expiry). The window's dialog shows it before
        asking; :meth:`release` reports it after."""
        now = now or self.clock.now()
        candidate = self.candidate(submission_id)
        left = [h.until for h in self.holds(submission_id) if h.released_at is None]
        left = [until for until in left if until <= now]  # ended holds: lifting leaves them
        after = replace(candidate, held_until=max(left, default=None))
        erase_at = after.erase_at
        return AfterRelease(after, erase_at is not None and erase_at <= now)

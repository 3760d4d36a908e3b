"""Who is past their keeping date, asked before anything reads the library.

The candidate was told "kept for N days, then deleted". services/privacy.py decides and
erases (``PrivacyService.expire``); this module is the cheap question every reader asks first
(``onetake library list``, exports, the reviewer window every hour): one indexed query over
``submissions.expires_at``, which loads nothing else, so a command pays for services.privacy
(its dataclasses, the erasure code and the transcripts' index) only when someone is due.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from datetime import datetime

    from onetake_desktop.domain.clock import Clock
    from onetake_desktop.services.privacy import ExpireReport
    from onetake_desktop.services.scoring import ScoringService
    from onetake_desktop.storage.db import Database
    from onetake_desktop.storage.library import Library

_SQL_TIME = "%Y-%m-%d %H:%M:%S"  # how the schema stores expiry and hold times (UTC)

# PrivacyService.due's rule in SQL: the promised moment has passed and no hold that is not
# lifted runs past now (a hold that ended, or ends before the promise, keeps nobody). Times
# are compared to the second, as services.privacy reads them. A range of the expiry index
# (schema 5: submissions_expiry; no expiry yet is NULL, never <=), the holds by their own
# index; no ORDER BY, which would make SQLite walk every submission in id order instead.
DUE_QUERY = """
    SELECT s.id FROM submissions s
    WHERE s.expires_at <= :now
      AND NOT EXISTS (
        SELECT 1 FROM retention_holds h
        WHERE h.submission_id = s.id AND h.released_at IS NULL AND h.until > :now
      )
"""


Moment = Literal["before", "after"]

# When each command erases whoever is due: "before" it reads the library (nobody past their
# date is listed, exported, scored or transcribed), "after" its own work (it adds or dates
# candidates, who may be due already). None: the command names one candidate to erase, keep
# or stop keeping, and acts on the library as it is; a due candidate named in 'library hold'
# is kept, not erased first (review s11a L1). The next reader, or the hourly check in the
# window, erases the others. The table is closed: a new command must be decided here.
_ERASES_DUE: dict[str, tuple[Moment, ...]] = {
    "library list": ("before",),
    "library followup": ("before",),
    "library import": ("before", "after"),
    "library add-definition": ("after",),
    "library transcribe": ("before",),
    "library search": ("before",),
    "library erase": (),  # a due candidate named here is erased at this request
    "library expire": (),  # is the erasure of the due itself (--dry-run only lists them)
    "library hold": (),
    "library release": (),
    "scores export": ("before",),
    "panel list": ("before",),
    "panel add": (),  # reads no candidate
    "panel score": ("before",),
    "panel submit": ("before",),
    "panel audit": (),  # the log names no candidate
    "panel export": ("before",),
}


def erases_due(command: str, moment: Moment = "before") -> bool:
    """Does ``command`` ('library list', 'panel export'...) erase whoever is due at this
    ``moment`` of its run? The policy of every command, in one place; the CLI only asks."""
    try:
        return moment in _ERASES_DUE[command]
    except KeyError:
        raise ValueError(f"No retention rule for the command {command!r}.") from None


def due_ids(db: Database, now: datetime) -> list[int]:
    """The submissions erased if retention ran at ``now`` (UTC, aware), by id."""
    from datetime import UTC

    stamp = now.astimezone(UTC).strftime(_SQL_TIME)
    return sorted(int(row[0]) for row in db.execute(DUE_QUERY, {"now": stamp}).fetchall())


def erase_due(
    library: Library, clock: Clock, scoring: ScoringService | None = None
) -> ExpireReport | None:
    """Erase whoever is due now, exactly as ``onetake library expire`` does (the same
    erasure, the same audit rows: retention, nobody's action); None when nobody is due."""
    now = clock.now()
    if not due_ids(library.db, now):
        return None
    from onetake_desktop.services.privacy import PrivacyService

    return PrivacyService(library, clock, scoring).expire(now=now)


def erased_sentence(report: ExpireReport) -> str:
    """What a command says (on stderr) when it erased candidates before reading the library:
    how many, and how long they were kept; no name (blind mode, shared screens)."""
    count = len(report.due)
    days = sorted({c.retention_days for c in report.due if c.retention_days is not None})
    kept = " or ".join(str(d) for d in days)
    who = "1 candidate" if count == 1 else f"{count} candidates"
    text = f"Erased {who} past their keeping date"
    if days:
        unit = "day" if days == [1] else "days"
        text += f" (kept {kept} {unit}{', as each was told' if len(days) > 1 else ''})"
    text += "."
    if report.result is not None and not report.result.compacted:
        text += (
            " Another program has the library open, so some erased text may stay in the"
            " database's log file until it closes."
        )
    return text

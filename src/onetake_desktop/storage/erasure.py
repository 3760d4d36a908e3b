"""Erasing candidates from the library so that no trace is left in its folder.

What must go: the submission row and everything hanging off it (answers and their text,
scores, submitted ones too, notes, recommendations, decisions, retention holds, transcripts
and their full-text index entries), and the
submission's folder of media. What must not stay behind: the deleted bytes themselves. What
stays: a keyed fingerprint of the bundle with the day and the reason code, no name and no
plain hash, so that importing the same file again is refused (storage/erased_bundles.py). So:

- every connection runs with ``PRAGMA secure_delete = ON`` (storage/db.py): freed cells and
  pages are overwritten with zeros instead of lingering as free space;
- afterwards the WAL is checkpointed and truncated and the database is VACUUMed (temporary
  files in memory, so no copy lands in the system's temp folder), which rewrites every page;
- the media folder is first renamed to ``.erasing-<folder>``, then the rows go in one
  transaction, then the folder is deleted; after a crash in between, :func:`sweep_leftovers`
  deletes the folder (rows gone) or puts it back (rows still there) at the next start.

The schema refuses these deletes except for submissions marked as being erased (m003, m005);
the rows and the one "erased" audit event go through storage.panel.record_erasure, which marks
and unmarks them inside the transaction here, so the mark is never on disk.

Limits (docs): a deleted file's blocks may survive on SSDs, in backups and in filesystem
snapshots; this module guarantees that no file under the library folder holds the data.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.storage.db import BUSY_TIMEOUT_MS, Database, transaction
from onetake_desktop.storage.panel import record_erasure
from onetake_desktop.storage.transcripts import purge_search_index

log = logging.getLogger(__name__)

TOMBSTONE_PREFIX = ".erasing-"
CHECKPOINT_WAIT_MS = 2_000
SWEEP_WAIT_MS = 2_000  # how long a sweep waits for another OneTake's write (see sweep_leftovers)


@dataclass(frozen=True)
class ErasureCounts:
    """What erasing one submission removes (numbers only: this goes into the audit log)."""

    answers: int = 0
    media_files: int = 0
    media_bytes: int = 0
    scores: int = 0
    submitted_scores: int = 0
    notes: int = 0
    recommendations: int = 0
    decisions: int = 0
    holds: int = 0
    transcripts: int = 0

    def __add__(self, other: ErasureCounts) -> ErasureCounts:
        mine, theirs = asdict(self), asdict(other)
        return ErasureCounts(**{k: mine[k] + theirs[k] for k in mine})

    def as_details(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class ErasureResult:
    counts: dict[int, ErasureCounts]  # submission id -> what went
    compacted: bool  # False: another program held the database open; traces may remain
    # Asked for but no longer in the library (erased meanwhile elsewhere): nothing to erase.
    already_gone: tuple[int, ...] = ()

    @property
    def total(self) -> ErasureCounts:
        out = ErasureCounts()
        for c in self.counts.values():
            out = out + c
        return out


def _count(db: Database, sql: str, submission_id: int) -> int:
    return int(db.execute(sql, (submission_id,)).fetchone()[0])


def submission_folder(db: Database, root: Path, submission_id: int) -> Path | None:
    """The submission's media folder if it lies inside the library's ``submissions`` folder
    (anything else is never deleted from here)."""
    row = db.execute("SELECT folder FROM submissions WHERE id = ?", (submission_id,)).fetchone()
    if row is None:
        return None
    folder = (root / str(row[0])).resolve()
    inside = (root / "submissions").resolve()
    if folder == inside or inside not in folder.parents:
        log.warning("submission %d: its folder is outside the library; not deleted", submission_id)
        return None
    return folder


def _files(folder: Path | None) -> tuple[int, int]:
    if folder is None or not folder.is_dir():
        return 0, 0
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    media = [p for p in files if p.parent.name == "media"]
    return len(media), sum(p.stat().st_size for p in media)


def erasure_counts(db: Database, root: Path, submission_id: int) -> ErasureCounts:
    """What erasing this submission would remove (for the confirmation and the audit)."""
    by_answer = " IN (SELECT id FROM answers WHERE submission_id = ?)"
    media_files, media_bytes = _files(submission_folder(db, root, submission_id))
    return ErasureCounts(
        answers=_count(db, "SELECT COUNT(*) FROM answers WHERE submission_id = ?", submission_id),
        media_files=media_files,
        media_bytes=media_bytes,
        scores=_count(db, "SELECT COUNT(*) FROM scores WHERE answer_id" + by_answer, submission_id),
        submitted_scores=_count(
            db,
            "SELECT COUNT(*) FROM scores WHERE status = 'submitted' AND answer_id" + by_answer,
            submission_id,
        ),
        notes=_count(
            db, "SELECT COUNT(*) FROM timestamped_notes WHERE answer_id" + by_answer, submission_id
        ),
        recommendations=_count(
            db, "SELECT COUNT(*) FROM recommendations WHERE submission_id = ?", submission_id
        ),
        decisions=_count(
            db, "SELECT COUNT(*) FROM panel_decisions WHERE submission_id = ?", submission_id
        ),
        holds=_count(
            db, "SELECT COUNT(*) FROM retention_holds WHERE submission_id = ?", submission_id
        ),
        transcripts=_count(
            db, "SELECT COUNT(*) FROM transcripts WHERE answer_id" + by_answer, submission_id
        ),
    )


def erase_submissions(
    db: Database,
    root: Path,
    submission_ids: Sequence[int],
    *,
    reason_code: str,
    actor_id: int | None,
    erased_on: date | None = None,
    present: Callable[[int], bool] | None = None,
) -> ErasureResult:
    """Erase these submissions (rows, media, then free space), with one audit row holding
    numbers only, in the same transaction: there is no erasure without its audit row, nor
    without the keyed fingerprint of each bundle that keeps it from being imported again
    (``erased_on``, UTC today unless given; storage/erased_bundles.py).

    ``present`` says whether an id is still the submission meant (default: its row exists).
    It is asked inside the write transaction, so what it refuses (erased meanwhile by another
    OneTake, or the id now holds someone else) is left alone and named in ``already_gone``,
    and the audit row counts exactly what this call erased (review s12c L5). When nothing is
    left, nothing is written: ``counts`` is empty."""
    asked = sorted(set(submission_ids))
    is_present = present or (lambda sid: _exists(db, sid))
    moved: list[tuple[Path, Path]] = []  # (original, tombstone)
    try:
        # BEGIN IMMEDIATE: another OneTake erasing or importing waits until this commits, so
        # what is checked here is what is erased and audited.
        with transaction(db):
            ids = [sid for sid in asked if is_present(sid)]
            if not ids:
                return ErasureResult({}, compacted=True, already_gone=tuple(asked))
            counts = {sid: erasure_counts(db, root, sid) for sid in ids}
            for sid in ids:
                folder = submission_folder(db, root, sid)
                if folder is not None and folder.exists():
                    tomb = folder.parent / f"{TOMBSTONE_PREFIX}{folder.name}"
                    os.replace(folder, tomb)
                    moved.append((folder, tomb))
            record_erasure(
                db,
                submission_ids=ids,
                reason_code=reason_code,
                actor_id=actor_id,
                details={"counts": {str(sid): counts[sid].as_details() for sid in ids}},
                remove_submissions=True,
                erased_on=erased_on,
            )
    except BaseException:
        for original, tomb in reversed(moved):  # nothing was erased: put the media back
            with contextlib.suppress(OSError):
                os.replace(tomb, original)
        raise
    for _original, tomb in moved:
        _remove_tree(tomb)
    # Transcripts went with their answers (ON DELETE CASCADE); their words also sit in the
    # full-text index's pages until it is rebuilt.
    purge_search_index(db)
    compacted = compact(db)
    log.info("erased %d submission(s); database compacted: %s", len(ids), compacted)
    gone = tuple(sid for sid in asked if sid not in counts)
    return ErasureResult(counts, compacted, already_gone=gone)


def _exists(db: Database, submission_id: int) -> bool:
    row = db.execute("SELECT 1 FROM submissions WHERE id = ?", (submission_id,)).fetchone()
    return row is not None


def _remove_tree(folder: Path) -> None:
    """Delete a folder of media; files are truncated first, so a handle someone still holds
    (a player) cannot keep the bytes readable under the folder."""
    for path in sorted(folder.rglob("*"), reverse=True):
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink():
                os.truncate(path, 0)
    shutil.rmtree(folder, ignore_errors=True)


def compact(db: Database) -> bool:
    """Rewrite the database without free pages and empty its WAL; True when both completed
    (False: another connection kept a read open, so the WAL could not be truncated)."""
    db.execute("PRAGMA temp_store = MEMORY")  # VACUUM's copy stays out of the temp folder
    db.execute("VACUUM")
    # A reader elsewhere blocks the truncation for as long as it reads: wait a little, not
    # the full busy timeout, and report it (the next expire or erase finishes the job).
    db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
    try:
        busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return int(busy) == 0


def sweep_leftovers(db: Database, root: Path) -> int:
    """Finish erasures interrupted by a crash: an ``.erasing-<name>`` folder whose rows are
    gone is deleted; one whose submission is still there (the crash came before the commit)
    is put back. Returns how many folders were deleted.

    Decided under the write lock: another OneTake's erasure moves its folders aside and
    deletes their rows in one write transaction (erase_submissions), so a tombstone seen here
    is never one of an erasure under way (put back, it would outlive the rows deleted a moment
    later). While another OneTake writes longer than SWEEP_WAIT_MS, nothing is swept: the next
    sweep does. The deleting (possibly GBs) comes after the commit, so it never holds the
    lock another OneTake's import, score or erasure waits for (review s13a L7)."""
    parent = root / "submissions"
    if not parent.is_dir():
        return 0
    db.execute(f"PRAGMA busy_timeout = {SWEEP_WAIT_MS}")
    try:
        with transaction(db):
            doomed = _sweep(db, root, parent)
    except OneTakeError as error:  # busy: the window's start-up must not fail on it
        log.warning("leftovers of an erasure not swept: %s", type(error).__name__)
        return 0
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    for tomb in doomed:
        _remove_tree(tomb)
    return len(doomed)


def _sweep(db: Database, root: Path, parent: Path) -> list[Path]:
    """Put back what is still a submission's; return the tombstones to delete, each first
    renamed to a name of this sweep's own (still a tombstone's, so a crash while deleting
    leaves it to the next sweep): no erasure or sweep elsewhere names it once the lock goes."""
    stored = {(root / str(r[0])).resolve() for r in db.execute("SELECT folder FROM submissions")}
    doomed: list[Path] = []
    for tomb in [p for p in parent.iterdir() if p.name.startswith(TOMBSTONE_PREFIX)]:
        original = parent / tomb.name[len(TOMBSTONE_PREFIX) :]
        if original.resolve() in stored and not original.exists():
            os.replace(tomb, original)
            continue
        claimed = tomb.with_name(f"{tomb.name}.{uuid.uuid4().hex[:8]}")
        try:
            os.replace(tomb, claimed)
        except OSError:  # a file in it held open (Windows): its rows are gone all the same
            claimed = tomb
        doomed.append(claimed)
    return doomed

"""Importing bundles into the reviewer library: what comes in, checked, and never half-kept.

Each bundle is verified completely (structure, hashes, media probed by decoding:
services/bundles.py), judged against its interview when the library knows it
(domain/conformance.py: refused, or imported with flags), extracted into a hidden staging
folder, then moved into place and recorded in one step. A batch goes on past a bad bundle and
reports each refused one with its reason, whatever went wrong with it (an unexpected error
included). A bundle whose candidate was erased from the library is skipped (status "erased",
one sentence: :func:`erased_refusal`): importing the same folder again must not undo an
erasure. Like one already in the library, it is a deliberate skip, not a refusal; it is known
by its hash before any of it is decrypted or extracted into the library.
A submission folder always has its database row and a row always has its folder: a failure
after the move removes the folder again, and folders left by a killed import are swept at the
start of the next one.

Threading: :meth:`Importer.import_paths` checks bundles on worker threads (no database) and
writes the database on the calling thread only.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from onetake_desktop.domain.conformance import (
    Conformance,
    Flag,
    KnownInterviews,
    flags_after_import,
)
from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.kit import Kit
from onetake_desktop.domain.manifest import MANIFEST_NAME, SubmissionManifest, manifest_from_json
from onetake_desktop.domain.progress import Progress as ProgressFn
from onetake_desktop.durable import fsync_directory
from onetake_desktop.paths import AppPaths, private_dir
from onetake_desktop.services.bundles import ImportedBundle, import_judged, start_prober
from onetake_desktop.services.handover import bundle_files_in, decrypted, plain_sha256
from onetake_desktop.storage.atomic import os_error_sentence
from onetake_desktop.storage.erased_bundles import ErasedBundle, ErasedIndex, erased_index
from onetake_desktop.storage.kitfile import DEFINITION_SUFFIX
from onetake_desktop.storage.library import Library, NewAnswer

log = logging.getLogger(__name__)

STAGING_PREFIX = ".incoming-"
# A folder no row names is swept only once it is this old: another OneTake (the window and a
# script share a library) may be between moving its folder into place and committing its row.
ORPHAN_AGE_SECONDS = 3600.0


@dataclass(frozen=True)
class ImportOutcome:
    path: Path
    status: Literal["imported", "duplicate", "erased", "refused"]
    reason: str = ""
    submission_id: int | None = None
    candidate_name: str = ""
    needs_definition: bool = False  # imported, but its interview definition is not known yet
    flags: tuple[Flag, ...] = ()  # imported, and these rules of its interview were broken

    def line(self) -> str:
        """One line naming the file once, with why: a reason that names the file already
        ("x.onetake is not a complete bundle ...", "... to import x.onetake.", its path) as
        it is; others get the name in front. Named means the whole name, with its
        extension, between word edges: a file called "zip" is never taken as named by
        "not a zip file"."""
        import re

        name = re.escape(self.path.name)
        edges = rf"(?:^|[\s/'\"(]){name}(?:$|[\s'\".,:;)])"
        if "." in self.path.name and re.search(edges, self.reason):
            return self.reason
        return f"{self.path.name}: {self.reason}"


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
    def erased(self) -> list[ImportOutcome]:
        """Bundles of candidates erased from this library: skipped on purpose, never an error
        (the intake store keeps their uploads, and is imported again every batch)."""
        return self._with("erased")

    @property
    def refused(self) -> list[ImportOutcome]:
        return self._with("refused")

    @property
    def flagged(self) -> list[ImportOutcome]:
        return [o for o in self.imported if o.flags]

    def summary(self) -> str:
        parts = [f"{len(self.imported)} imported"]
        if self.flagged:
            parts.append(f"{len(self.flagged)} of them flagged")
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} already in the library")
        if self.erased:
            one = len(self.erased) == 1
            whose = "its candidate was" if one else "their candidates were"
            parts.append(f"{len(self.erased)} skipped ({whose} erased)")
        if self.refused:
            parts.append(f"{len(self.refused)} refused")
        return ", ".join(parts) + "."


def find_bundles(paths: Iterable[Path]) -> tuple[list[Path], list[ImportOutcome]]:
    """Expand files and folders into bundle files (folders: every ``*.onetake`` inside, sorted);
    paths that do not exist come back as refused outcomes."""
    found: list[Path] = []
    missing: list[ImportOutcome] = []
    for path in paths:
        if path.is_dir():
            # issue 13: encrypted bundles and a tus file store's completed uploads too
            found.extend(bundle_files_in(path))
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


def erased_refusal(library: Library, bundle_sha256: str) -> str | None:
    """Why this bundle is not imported (None: it may be): its candidate was erased from this
    library, on request or at the end of their retention, and erasure is for good. The
    library knows the file only by a keyed fingerprint (storage/erased_bundles.py), so the
    same file is refused and a newly sealed interview of the same person is not."""
    from onetake_desktop.storage.erased_bundles import erased_bundle

    erased = erased_bundle(library.db, bundle_sha256)
    return None if erased is None else _erased_sentence(erased)


def _erased_sentence(erased: ErasedBundle) -> str:
    return (
        f"This bundle belongs to a candidate erased on {erased.erased_on.isoformat()}; "
        "it is not imported again."
    )


def _unexpected(path: Path, error: BaseException) -> ImportOutcome:
    # Not the file name: bundles are often named after the candidate (logs name no one).
    log.exception("Importing a bundle failed unexpectedly", exc_info=error)
    return ImportOutcome(
        path,
        "refused",
        f"{path.name} could not be imported because of an unexpected error "
        f"({type(error).__name__}); the other bundles were not affected.",
    )


def is_definition_file(path: Path) -> bool:
    """An interview definition (``.onetakeinterview``, a JSON file), not a bundle (a zip):
    recognised by its name or, renamed, by its first bytes."""
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


class Importer:
    """Imports bundles into one library (its connection belongs to the calling thread)."""

    def __init__(self, library: Library) -> None:
        self.library = library

    @property
    def submissions_folder(self) -> Path:
        return self.library.root / "submissions"

    def known_interviews(self) -> KnownInterviews:
        """The interviews whose definitions the library holds, to judge bundles with."""
        kits = []
        for interview in self.library.interviews.all():
            definition = self.library.interviews.definition(interview.id)
            if definition is not None:
                kits.append(definition.kit)
        return KnownInterviews(tuple(kits))

    def flags(self, submission_id: int) -> tuple[Flag, ...]:
        """The interview rules this submission broke, as found when it was imported."""
        return self.library.submissions.get(submission_id).flags

    def judge_imported(self, content_hash: str, kit: Kit) -> int:
        """Judge the submissions of this kit that were imported before its definition was
        known (from the manifest each keeps in its folder); returns how many were judged."""
        judged = 0
        for submission in self.library.submissions.all():
            if submission.kit_content_hash != content_hash:
                continue
            try:
                raw = (submission.folder / MANIFEST_NAME).read_bytes()
                manifest = manifest_from_json(raw)
            except (OSError, OneTakeError) as error:  # its folder damaged since: say so
                log.warning("Cannot judge submission %d again: %s", submission.id, error)
                continue
            self.library.submissions.set_flags(submission.id, flags_after_import(manifest, kit))
            judged += 1
        return judged

    # -- a batch ------------------------------------------------------------------------------

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
        if any(not is_definition_file(b) for b in bundles):
            start_prober()  # its start-up overlaps the sweep, the interviews and the hashing
        self.sweep_orphans()
        report = ImportReport(list(report_missing))
        known = self.known_interviews()
        erased = erased_index(self.library.db)
        sizes = []
        for b in bundles:
            try:
                sizes.append(b.stat().st_size)
            except OSError:
                sizes.append(0)
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

        def record(i: int, checked: ImportedBundle | ImportOutcome) -> None:
            outcome = (
                checked if isinstance(checked, ImportOutcome) else self._place(bundles[i], checked)
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
                record(i, self._check(bundle, step_for(i), known, erased))
            return report
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="onetake-import") as pool:
            checks = [
                pool.submit(self._check, b, step_for(i), known, erased)
                for i, b in enumerate(bundles)
            ]
            for i, check in enumerate(checks):
                record(i, check.result())
        return report

    def import_bundle(self, path: Path, progress: ProgressFn | None = None) -> ImportOutcome:
        """Check one bundle completely, then add it to the library (or say why not)."""
        if not is_definition_file(path):
            start_prober()  # its start-up overlaps reading the library's interviews
        checked = self._check(
            path, progress, self.known_interviews(), erased_index(self.library.db)
        )
        return checked if isinstance(checked, ImportOutcome) else self._place(path, checked)

    # -- one bundle -----------------------------------------------------------------------------

    def _check(
        self,
        path: Path,
        progress: ProgressFn | None,
        known: KnownInterviews,
        erased: ErasedIndex | None,
    ) -> ImportedBundle | ImportOutcome:
        """Verify, judge and extract into a staging folder of the library (any thread; no DB).
        Never raises (but for KeyboardInterrupt and the like): a bundle's failure is its own.

        A bundle of an erased candidate (``erased``, read on the calling thread) is known by
        its hash before anything of it is written: its media never reaches the library's disk
        again (review s11a L2). That costs one more read of each bundle (a decryption, for an
        encrypted one), only in a library that has erased someone."""
        if is_definition_file(path):
            return ImportOutcome(path, "refused", definition_not_bundle(path))
        staging = self.submissions_folder / f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
        try:
            if erased is not None:
                gone = erased.get(plain_sha256(path))
                if gone is not None:
                    return ImportOutcome(path, "erased", _erased_sentence(gone))
            private_dir(staging.parent)
            # issue 13: an encrypted bundle is decrypted to a private copy, then checked as any
            with decrypted(path, self.submissions_folder) as source:
                return import_judged(source, staging, progress=progress, judge=known.judge)
        except OneTakeError as error:  # InvalidInputError, DiskFullError, ...
            shutil.rmtree(staging, ignore_errors=True)
            return ImportOutcome(path, "refused", str(error))
        except OSError as error:  # the bundle unreadable, or the library's disk full...
            shutil.rmtree(staging, ignore_errors=True)
            return ImportOutcome(
                path, "refused", str(os_error_sentence(error, f"import {path.name}"))
            )
        except Exception as error:  # a bug must cost this bundle, not the rest of the batch
            shutil.rmtree(staging, ignore_errors=True)
            return _unexpected(path, error)

    def _place(self, path: Path, checked: ImportedBundle) -> ImportOutcome:
        """Move a checked bundle into place and record it (calling thread: it owns the DB).
        Whatever fails, no folder is left without its row."""
        extracted = checked.extracted
        folder = Path(extracted.folder)
        # The .incoming-* folder _check made (the bundle's folder, or holding it).
        staging = next(
            (p for p in (folder, *folder.parents) if p.name.startswith(STAGING_PREFIX)), folder
        )
        final: Path | None = None
        try:
            existing = self.library.submissions.find_by_sha256(extracted.bundle_sha256)
            if existing is not None:
                shutil.rmtree(staging, ignore_errors=True)
                return ImportOutcome(
                    path,
                    "duplicate",
                    "This bundle is already in the library.",
                    existing.id,
                    existing.candidate_name,
                )
            refusal = erased_refusal(self.library, extracted.bundle_sha256)
            if refusal is not None:
                shutil.rmtree(staging, ignore_errors=True)
                return ImportOutcome(path, "erased", refusal)
            final = self.submissions_folder / extracted.bundle_sha256[:16]
            if folder.resolve() != final.resolve():
                if final.exists():  # left by an import that crashed before its DB commit
                    shutil.rmtree(final, ignore_errors=True)
                os.replace(folder, final)
                # The move on disk before the row that names it: a power cut must not leave a
                # row without its folder (a folder without its row is swept next time).
                fsync_directory(self.submissions_folder)
                if staging.exists() and staging != folder:
                    shutil.rmtree(staging, ignore_errors=True)
            outcome = self._record(path, checked, folder, final)
        except OneTakeError as error:  # a full disk, a busy or read-only database...
            outcome = ImportOutcome(path, "refused", f"{path.name}: {error}")
        except OSError as error:
            sentence = os_error_sentence(error, f"store {path.name} in the library")
            outcome = ImportOutcome(path, "refused", str(sentence))
        except Exception as error:
            outcome = _unexpected(path, error)
        if outcome.status == "refused":
            shutil.rmtree(staging, ignore_errors=True)
            if (
                final is not None
                and self.library.submissions.find_by_sha256(extracted.bundle_sha256) is None
            ):
                shutil.rmtree(final, ignore_errors=True)
        return outcome

    def _record(
        self, path: Path, checked: ImportedBundle, staged: Path, final: Path
    ) -> ImportOutcome:
        extracted = checked.extracted
        manifest: SubmissionManifest = extracted.manifest
        media: dict[str, Path] = {
            qid: final / Path(p).resolve().relative_to(staged.resolve())
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
        verdict: Conformance | None = checked.conformance
        flags = verdict.flags if verdict is not None else ()
        record = self.library.submissions.add(
            manifest, extracted.bundle_sha256, final, answers, flags
        )
        if record is None:  # another importer won the race; its row names this folder
            return ImportOutcome(path, "duplicate", "This bundle is already in the library.")
        if flags:
            log.info("Imported submission %d with %d flag(s)", record.id, len(flags))
        known = self.library.interviews.get(record.interview_pk).has_definition
        return ImportOutcome(
            path,
            "imported",
            "",
            record.id,
            record.candidate_name,
            needs_definition=not known,
            flags=record.flags,
        )

    # -- leftovers ------------------------------------------------------------------------------

    def sweep_orphans(self, older_than: float = ORPHAN_AGE_SECONDS) -> list[Path]:
        """Remove folders under ``submissions/`` that no row names, once ``older_than`` seconds
        old (a killed import's staging folder, or one moved into place just before a crash).
        Returns what was removed.

        Every import starts with this, so a folder a row names costs one set lookup (a
        library of 10,000 submissions resolved two paths each: seconds); only a folder no row
        names by its stored path is looked at, and checked against the rows' real paths before
        it goes."""
        root = self.submissions_folder
        if not root.is_dir():
            return []
        stored = self.library.submissions.stored_folders()
        now = time.time()
        candidates = []
        prefix = root.name + os.sep  # as add() stores it: relative to the library root
        for name in os.listdir(root):
            if prefix + name in stored:
                continue
            child = root / name
            try:
                if not child.is_dir() or child.is_symlink():
                    continue
                if now - child.stat().st_mtime < older_than:
                    continue
            except OSError:
                continue
            candidates.append(child)
        if not candidates:
            return []
        named = {s.folder.resolve() for s in self.library.submissions.all()}
        removed = []
        for child in candidates:
            try:
                if child.resolve() in named:
                    continue
            except OSError:
                continue
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
            log.warning("Removed %s: no submission in the library names it", child.name)
        return removed


def judge_for_verify(
    definition_file: Path | None, paths: AppPaths
) -> tuple[Callable[[SubmissionManifest], Conformance | None], str]:
    """What ``bundle verify`` judges with, and how to name it: the interview definition file
    given (a bundle of another interview is refused), else the library's interviews if a
    library exists (none is created just to verify)."""
    start_prober()  # a verify follows: its start-up overlaps loading what it is judged by
    if definition_file is not None:
        from onetake_desktop.domain.conformance import check_submission
        from onetake_desktop.storage.kitfile import load_definition

        kit = load_definition(definition_file).kit
        return (lambda manifest: check_submission(manifest, kit)), str(definition_file)
    from onetake_desktop.storage.kitfile import demo_definition_path, load_definition
    from onetake_desktop.storage.library import open_library

    if not paths.database.is_file():
        # No library yet: judge by what a new one knows (every library has the demo).
        demo = load_definition(demo_definition_path()).kit
        return KnownInterviews((demo,)).judge, "the library"
    library = open_library(paths.library)
    try:
        known = Importer(library).known_interviews()
    finally:
        library.close()
    return known.judge, "the library"

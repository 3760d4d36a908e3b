"""Transcript use cases (issue 16): transcribe answers in the background, read and search them.

The engine is media/transcribe.py; here it is only a :class:`Transcriber` (a small protocol),
by default :class:`WorkerTranscriber`: a separate process at low priority (``os.nice``) with a
bounded thread count, one answer at a time, so the window's playback never competes with it
for the GIL and the scheduler gives playback the CPU first. Pausing stops that process
(SIGSTOP) at once, mid-answer; resuming continues it.

Who sees what: search results name a candidate the way ``ScoringService.candidates`` does
(a code while the panel's blind mode hides names); the transcript text is the answer's
content, shown to whoever may play the answer.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.transcript import Transcript, Word, find_phrase
from onetake_desktop.media.transcribe import (
    DEFAULT_MODEL,
    MISSING_EXTRA,
    DamagedModel,
    TranscriptsUnavailable,
    model_spec,
    unavailable_reason,
)
from onetake_desktop.services.scoring import ScoringService, scoring_for
from onetake_desktop.storage.library import Library
from onetake_desktop.storage.transcripts import PendingAnswer, SqliteTranscripts, StoredTranscript

log = logging.getLogger(__name__)

DEFAULT_THREADS = 2

__all__ = [
    "DEFAULT_MODEL",
    "MISSING_EXTRA",
    "RunReport",
    "SearchHit",
    "Transcriber",
    "TranscriptService",
    "TranscriptsUnavailable",
    "WorkerTranscriber",
]


class Transcriber(Protocol):
    model: str  # a key of media.transcribe.MODELS

    def transcribe(self, media: Path) -> Transcript: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def close(self) -> None: ...


class WorkerTranscriber:
    """faster-whisper in a child process (``python -m onetake_desktop.media.transcribe``)."""

    def __init__(self, *, model: str = DEFAULT_MODEL, cache: Path, threads: int = 2) -> None:
        reason = unavailable_reason(model)
        if reason is not None:
            raise TranscriptsUnavailable(reason)
        self.model = model
        self.cache = cache
        self.threads = max(1, min(threads, os.cpu_count() or 1))
        self._child: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._paused = False

    def _start(self) -> subprocess.Popen[str]:
        if self._child is None or self._child.poll() is not None:
            env = dict(os.environ, OMP_NUM_THREADS=str(self.threads))
            self._child = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "onetake_desktop.media.transcribe",
                    "--serve",
                    "--model",
                    self.model,
                    "--cache",
                    str(self.cache),
                    "--threads",
                    str(self.threads),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                env=env,
            )
            if self._paused:
                self.pause()
        return self._child

    def transcribe(self, media: Path) -> Transcript:
        with self._lock:
            child = self._start()
            stdin, stdout = child.stdin, child.stdout
            assert stdin is not None and stdout is not None
            try:
                stdin.write(json.dumps({"media": str(media)}) + "\n")
                stdin.flush()
                line = stdout.readline()
            except (BrokenPipeError, OSError):
                line = ""
            if not line:
                self._child = None
                raise OneTakeError("The transcription process stopped unexpectedly.")
            reply = json.loads(line)
        if "error" in reply:
            kind = {"DamagedModel": DamagedModel, "TranscriptsUnavailable": TranscriptsUnavailable}
            raise kind.get(reply.get("kind", ""), OneTakeError)(reply["error"])
        return Transcript.from_json(reply["transcript"])

    def pause(self) -> None:
        self._paused = True
        if self._child is not None and self._child.poll() is None and hasattr(signal, "SIGSTOP"):
            os.kill(self._child.pid, signal.SIGSTOP)

    def resume(self) -> None:
        self._paused = False
        if self._child is not None and self._child.poll() is None and hasattr(signal, "SIGCONT"):
            os.kill(self._child.pid, signal.SIGCONT)

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    def close(self) -> None:
        """End the worker: at once if it is mid-answer (the answer is simply not saved)."""
        child, self._child = self._child, None
        if child is None:
            return
        if child.poll() is None:
            if hasattr(signal, "SIGCONT"):
                os.kill(child.pid, signal.SIGCONT)
            if child.stdin is not None:
                with contextlib.suppress(OSError):
                    child.stdin.close()
            try:
                child.wait(timeout=1)  # idle: it ends on end of input
            except subprocess.TimeoutExpired:
                child.kill()  # busy: a reader blocked on its reply gets end of file
                child.wait()
        if child.stdout is not None:
            child.stdout.close()


@dataclass(frozen=True)
class SearchHit:
    """One answer whose transcript holds the searched words, and where."""

    interview_pk: int
    submission_id: int
    candidate: str  # the name, or the blind code while blind mode hides it
    answer_id: int
    question_id: str
    position: int  # among the candidate's answers, as stored (1 = first)
    seconds: float  # where the first match begins
    moments: tuple[float, ...]  # every match's start
    context: str  # the words around the first match


@dataclass
class RunReport:
    done: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    stopped: bool = False


def _context(words: tuple[Word, ...], first: Word, span: int = 6) -> str:
    i = words.index(first)
    return " ".join(w.text for w in words[max(0, i - span) : i + span + 1])


class TranscriptService:
    def __init__(
        self,
        library: Library,
        *,
        cache: Path,
        model: str = DEFAULT_MODEL,
        threads: int = DEFAULT_THREADS,
        transcriber: Transcriber | None = None,
        scoring: ScoringService | None = None,
    ) -> None:
        self.library = library
        self.repo = SqliteTranscripts(library.db)
        self.scoring = scoring or scoring_for(library)
        self.cache = cache
        self.model = model
        self.spec = model_spec(model)
        self.threads = threads
        self._transcriber = transcriber

    def unavailable(self) -> str | None:
        """None when transcripts can be made here, else the one sentence saying how."""
        return None if self._transcriber is not None else unavailable_reason(self.model)

    def transcriber(self) -> Transcriber:
        if self._transcriber is None:
            self._transcriber = WorkerTranscriber(
                model=self.model, cache=self.cache, threads=self.threads
            )
        return self._transcriber

    def close(self) -> None:
        if self._transcriber is not None:
            self._transcriber.close()

    # -- reading --------------------------------------------------------------------------------

    def transcript(self, answer_id: int) -> StoredTranscript | None:
        return self.repo.get(answer_id)

    def pending(self) -> list[PendingAnswer]:
        return self.repo.pending(model=self.spec.name, rank=self.spec.rank)

    def progress(self) -> tuple[int, int]:
        """(answers transcribed, answers with sound)."""
        return self.repo.counts()

    # -- transcribing ---------------------------------------------------------------------------

    def transcribe_file(self, media: Path) -> Transcript:
        if not media.is_file():
            from onetake_desktop.domain.errors import InvalidInputError

            raise InvalidInputError(f"{media} does not exist or is not a file.")
        return self.transcriber().transcribe(media)

    def run_pending(
        self,
        *,
        on_progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> RunReport:
        """Transcribe every pending answer, one at a time; a better model's run replaces a
        weaker one's. An answer that cannot be transcribed is recorded as failed (with the
        reason) and skipped next time; a damaged or missing model stops the run."""
        report = RunReport()
        todo = self.pending()
        for n, item in enumerate(todo):
            if should_stop():
                report.stopped = True
                break
            if on_progress is not None:
                on_progress(n, len(todo))
            media = self.library.submissions.answer(item.answer_id).media_path
            if media is None:
                continue
            try:
                transcript = self.transcriber().transcribe(media)
            except (DamagedModel, TranscriptsUnavailable):
                raise
            except OneTakeError as error:
                log.warning("answer %d: not transcribed (%s)", item.answer_id, error)
                self.repo.fail(item.answer_id, self.spec.name, str(error))
                report.failed.append((item.answer_id, str(error)))
                continue
            # The answer may have been erased while it was being heard.
            if self.library.db.execute(
                "SELECT 1 FROM answers WHERE id = ?", (item.answer_id,)
            ).fetchone():
                self.repo.save(item.answer_id, transcript, rank=self.spec.rank)
                report.done += 1
        if on_progress is not None and not report.stopped:
            on_progress(len(todo), len(todo))
        return report

    # -- search ---------------------------------------------------------------------------------

    def search(self, text: str, *, interview_pk: int | None = None) -> list[SearchHit]:
        """Answers whose transcript holds ``text`` (a word or phrase; case and accents
        ignored), with the moments it was said, candidates named as blind mode allows."""
        ids = self.repo.search(text, interview_pk=interview_pk)
        if not ids:
            return []
        hits: list[SearchHit] = []
        views: dict[int, dict[int, str]] = {}
        for answer_id in ids:
            answer = self.library.submissions.answer(answer_id)
            submission = self.library.submissions.get(answer.submission_id)
            pk = submission.interview_pk
            if pk not in views:
                views[pk] = {
                    c.submission_id: c.name for c in self.scoring.candidates(interview_pk=pk)
                }
            stored = self.repo.get(answer_id)
            if stored is None:
                continue
            words = stored.transcript.words
            found = find_phrase(words, text)
            if not found:  # FTS matched across punctuation the words split differently
                continue
            hits.append(
                SearchHit(
                    pk,
                    submission.id,
                    views[pk].get(submission.id, "?"),
                    answer_id,
                    answer.question_id,
                    answer.position,
                    found[0].start,
                    tuple(w.start for w in found),
                    _context(words, found[0]),
                )
            )
        return hits


class BackgroundTranscription:
    """Runs :meth:`TranscriptService.run_pending` on a thread with its own library connection
    (SQLite connections stay on their thread); pause, resume and stop from any thread."""

    def __init__(
        self,
        open_service: Callable[[], TranscriptService],
        *,
        on_progress: Callable[[int, int], None] | None = None,
        on_finished: Callable[[RunReport | None, str | None], None] | None = None,
    ) -> None:
        self._open = open_service
        self._on_progress = on_progress
        self._on_finished = on_finished
        self._stop = threading.Event()
        self._service: TranscriptService | None = None
        self._paused = False
        self._thread = threading.Thread(target=self._run, name="transcripts", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        report: RunReport | None = None
        error: str | None = None
        try:
            self._service = self._open()
            if self._paused:
                self._service.transcriber().pause()
            report = self._service.run_pending(
                on_progress=self._on_progress, should_stop=self._stop.is_set
            )
        except OneTakeError as failure:
            error = str(failure)
        finally:
            if self._service is not None:
                self._service.close()
                self._service.library.close()
        if self._on_finished is not None:
            self._on_finished(report, error)

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        self._paused = True
        if self._service is not None and self._service._transcriber is not None:
            self._service._transcriber.pause()

    def resume(self) -> None:
        self._paused = False
        if self._service is not None and self._service._transcriber is not None:
            self._service._transcriber.resume()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.resume()
        if self._service is not None and self._service._transcriber is not None:
            self._service._transcriber.close()  # ends the answer in progress
        self._thread.join(timeout)


def open_transcript_service(
    library_root: Path, *, cache: Path, model: str = DEFAULT_MODEL, threads: int = 2
) -> TranscriptService:
    from onetake_desktop.storage.library import open_library

    return TranscriptService(open_library(library_root), cache=cache, model=model, threads=threads)

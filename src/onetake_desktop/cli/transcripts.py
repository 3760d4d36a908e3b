"""``onetake transcribe MEDIA``, ``onetake library transcribe`` and ``onetake library search``:
offline transcripts (issue 16) for scripts. Without the optional extra every command says in
one sentence how to add it (exit 1); the rest of the app is unaffected."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from onetake_desktop.cli import command_help, context_of
from onetake_desktop.domain.errors import EXIT_FAILURE, EXIT_OK, InvalidInputError, OneTakeError

if TYPE_CHECKING:
    from onetake_desktop.services.context import AppContext
    from onetake_desktop.services.transcripts import TranscriptService


def _model_args(p: argparse.ArgumentParser) -> None:
    from onetake_desktop.media.transcribe import DEFAULT_MODEL, MODELS

    p.add_argument("--model", choices=sorted(MODELS), default=DEFAULT_MODEL, help="speech model")
    p.add_argument(
        "--threads", type=int, default=2, metavar="N", help="CPU threads to use (default 2)"
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    t = sub.add_parser(
        "transcribe",
        help=command_help("transcribe"),
        description="Print the transcript of a recording, heard on this computer only.",
    )
    t.add_argument("media", type=Path, metavar="MEDIA")
    t.add_argument("--json", action="store_true", help="print JSON with every word's times")
    _model_args(t)
    t.set_defaults(handler=run_transcribe)


def register_library(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``library transcribe`` and ``library search`` (cli/library.py calls this)."""
    lt = actions.add_parser(
        "transcribe",
        help="transcribe the answers that have no transcript yet (in the background)",
        later=_model_args,  # the models' names load the transcriber: not for `library list`
    )
    lt.add_argument("--wait", action="store_true", help="run here and wait until all are done")
    lt.set_defaults(handler=run_library_transcribe)
    ls = actions.add_parser("search", help="find answers whose transcript holds words")
    ls.add_argument("text", metavar="TEXT")
    ls.add_argument("--json", action="store_true", help="print JSON for scripts")
    ls.set_defaults(handler=run_search)


def _service(context: AppContext, args: argparse.Namespace) -> TranscriptService:
    from onetake_desktop.media.transcribe import DEFAULT_MODEL
    from onetake_desktop.services.transcripts import TranscriptService

    return TranscriptService(
        context.open_library(),
        cache=context.paths.ensure().cache,
        model=getattr(args, "model", DEFAULT_MODEL),
        threads=getattr(args, "threads", 2),
    )


def _check_threads(args: argparse.Namespace) -> None:
    if args.threads < 1:
        raise InvalidInputError("--threads must be 1 or more.")


def run_transcribe(args: argparse.Namespace) -> int:
    from onetake_desktop.media.transcribe import unavailable_reason

    _check_threads(args)
    media: Path = args.media
    if not media.is_file():
        raise InvalidInputError(f"{media} does not exist or is not a file.")
    reason = unavailable_reason(args.model)
    if reason is not None:
        raise OneTakeError(reason)
    service = _service(context_of(args), args)
    try:
        transcript = service.transcribe_file(media)
    finally:
        service.close()
        service.library.close()
    if args.json:
        json.dump(transcript.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(transcript.text)
    return EXIT_OK


def run_library_transcribe(args: argparse.Namespace) -> int:
    from onetake_desktop.media.transcribe import unavailable_reason

    _check_threads(args)
    reason = unavailable_reason(args.model)
    if reason is not None:
        raise OneTakeError(reason)
    from onetake_desktop.cli.privacy import erase_due_first

    context = context_of(args)
    if not args.wait:
        service = _service(context, args)
        try:
            # Nobody past their keeping date is transcribed.
            erase_due_first(args, service, "library transcribe")
            todo = len(service.pending())
        finally:
            service.library.close()
        if not todo:
            print("Every answer already has a transcript.")
            return EXIT_OK
        import subprocess  # here: `library list` registers this command too

        # A detached, low-priority run of the same command with --wait.
        command = [
            sys.executable, "-m", "onetake_desktop", "library", "transcribe", "--wait",
            "--model", args.model, "--threads", str(args.threads),
        ]  # fmt: skip
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=dict(os.environ),
        )
        print(
            f"Transcribing {todo} answer(s) in the background; "
            "'onetake library transcribe --wait' waits for them."
        )
        return EXIT_OK
    service = _service(context, args)

    def progress(done: int, total: int) -> None:
        if total:
            sys.stderr.write(f"transcribed {done} of {total}\n")

    try:
        erase_due_first(args, service, "library transcribe")
        report = service.run_pending(on_progress=progress)
    finally:
        service.close()
        service.library.close()
    print(f"Transcribed {report.done} answer(s).")
    for answer_id, why in report.failed:
        sys.stderr.write(f"answer {answer_id} not transcribed: {why}\n")
    return EXIT_FAILURE if report.failed else EXIT_OK


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}.{int((seconds - whole) * 10)}"


def run_search(args: argparse.Namespace) -> int:
    from onetake_desktop.cli.privacy import erase_due_first

    service = _service(context_of(args), args)
    try:
        erase_due_first(args, service, "library search")  # nobody past their date is found
        hits = service.search(args.text)
        done, total = service.progress()
    finally:
        service.library.close()
    if args.json:
        out = {
            "query": args.text,
            "transcribed": done,
            "answers_with_sound": total,
            "hits": [
                {
                    "interview_pk": h.interview_pk,
                    "submission_id": h.submission_id,
                    "candidate": h.candidate,
                    "answer_id": h.answer_id,
                    "question_id": h.question_id,
                    "position": h.position,
                    "seconds": h.seconds,
                    "moments": list(h.moments),
                    "context": h.context,
                }
                for h in hits
            ],
        }
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    if not hits:
        print(f"No transcript holds {args.text.strip()!r} ({done} of {total} answers transcribed).")
        return EXIT_OK
    for h in hits:
        print(
            f"{h.candidate}  answer {h.position} ({h.question_id})  at {_clock(h.seconds)}"
            f"  ...{h.context}..."
        )
    if done < total:
        print(f"({total - done} answer(s) not transcribed yet: 'onetake library transcribe'.)")
    return EXIT_OK

"""``onetake panel ...``: the panel from scripts, through the same use case as the window.

Every command that acts as a panelist signs in first: ``--as NAME`` (``--panelist`` for
``export``), and the passphrase is read from standard input when it is not a terminal (one
line), with a hidden prompt otherwise. Exit codes: 0 ok; 1 a failure (a refused decision, a
broken audit chain, tampering found at sign-in, a score that cannot be saved); 2 usage; 3 an
unknown panelist or candidate, or a wrong passphrase.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from onetake_desktop.cli import add_group, context_of
from onetake_desktop.cli.passphrase import read_passphrase
from onetake_desktop.domain.errors import EXIT_FAILURE, EXIT_OK, InvalidInputError, OneTakeError

if TYPE_CHECKING:
    from onetake_desktop.services.panel import Actor, PanelService
    from onetake_desktop.services.reviewer import ReviewerService

R = TypeVar("R")
log = logging.getLogger(__name__)

EXIT_CODES = (
    "exit codes: 0 ok; 1 failure (refused, broken audit chain, tampering found at sign-in); "
    "2 usage; 3 unknown panelist or candidate, or a wrong passphrase"
)
PASSPHRASE_HELP = "the passphrase is read from standard input when it is not a terminal"


class PanelSignInError(InvalidInputError):
    """Unknown panelist or wrong passphrase (exit 3)."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    actions = add_group(sub, "panel")

    def parser(name: str, help_text: str) -> argparse.ArgumentParser:
        return actions.add_parser(
            name, help=help_text, description=help_text, epilog=f"{PASSPHRASE_HELP}; {EXIT_CODES}"
        )

    ls = parser("list", "list panelists and interviews with candidates")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=run_list)

    add = parser("add", "add a panelist (asks for their new passphrase)")
    add.add_argument("name", metavar="NAME")
    add.add_argument(
        "--chair", action="store_true", help="this panelist records the decisions (set-up only)"
    )
    add.set_defaults(handler=run_add)

    score = parser("score", "save your draft score on one answer")
    score.add_argument("--as", dest="as_name", required=True, metavar="NAME")
    score.add_argument("--candidate", required=True, metavar="EMAIL")
    score.add_argument("--question", required=True, metavar="QID")
    score.add_argument("--score", required=True, type=int, metavar="N")
    score.add_argument("--note", default="", metavar="TEXT")
    score.add_argument("--interview", type=int, metavar="N", help="if the email is in several")
    score.set_defaults(handler=run_score)

    submit = parser("submit", "submit your scores for one candidate (then others' open to you)")
    submit.add_argument("--as", dest="as_name", required=True, metavar="NAME")
    submit.add_argument("--candidate", required=True, metavar="EMAIL")
    submit.add_argument("--interview", type=int, metavar="N", help="if the email is in several")
    submit.set_defaults(handler=run_submit)

    audit = parser(
        "audit",
        "check the audit log's hash chain (exit 1 if broken); with --as, show the log as "
        "that panelist may see it",
    )
    audit.add_argument("--as", dest="as_name", metavar="NAME")
    audit.add_argument("--json", action="store_true", help="JSON lines (needs --as for rows)")
    audit.set_defaults(handler=run_audit)

    e = parser("export", "export what one panelist may see: submitted scores, notes, decisions")
    e.add_argument("--panelist", "--as", dest="panelist", required=True, metavar="NAME")
    e.add_argument("--interview", type=int, metavar="N", help="interview number (see 'list')")
    e.add_argument("--format", choices=("csv", "json"), required=True)
    e.add_argument("--summary", action="store_true", help="one row per candidate")
    e.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    e.set_defaults(handler=run_export)


# -- shared steps ---------------------------------------------------------------------------


@contextlib.contextmanager
def _panel(args: argparse.Namespace, command: str) -> Iterator[PanelService]:
    """The panel for one command ('panel list'...): whoever signed in is signed out (audited)
    and the library closed when the command ends, whether it succeeded or not. A command that
    reads or exports candidates first erases those past their keeping date (the policy's
    choice, services.retention)."""
    service = context_of(args).panel_service()
    try:
        from onetake_desktop.cli.privacy import erase_due_first

        erase_due_first(args, service, command)
        yield service
    finally:
        service.lock()
        service.library.close()


def sign_in(service: PanelService, name: str) -> Actor:
    """Sign in as NAME; unknown names and wrong passphrases are exit 3, tampering exit 1."""
    from onetake_desktop.services.panel import WrongPassphrase

    try:
        record = service.panelist_named(name)
    except InvalidInputError as error:
        raise PanelSignInError(str(error)) from error
    passphrase = read_passphrase(f"Passphrase for {record.name}: ")
    try:
        actor = service.sign_in(record.reviewer_id, passphrase)
    except WrongPassphrase as error:
        raise PanelSignInError(str(error)) from error
    if actor.warnings:
        for warning in actor.warnings:
            sys.stderr.write(f"onetake: {warning}\n")
        raise OneTakeError(
            f"Someone changed {record.name}'s rows in the library; see the lines above."
        )
    return actor


# -- acting as a panelist in another group's command (library erase|hold|release|import) ----


def _sign_out(panel: PanelService, command: str) -> bool:
    """Sign out whoever signed in (audited). Should that fail, what the command did or the
    first error is what the user must read, so this failure goes to the log: False."""
    try:
        panel.lock()
    except Exception:
        log.exception("signing out after 'library %s' failed", command)
        return False
    return True


def signed_in(
    args: argparse.Namespace,
    command: str,
    work: Callable[[ReviewerService, PanelService], R],
) -> tuple[R, bool]:
    """Run ``work`` for 'library COMMAND' with the library and its panel open; whoever it
    signed in is signed out after (audited), and the library closed, whether it succeeded or
    not. Returns what ``work`` returned and whether signing out worked. Candidates past their
    keeping date are erased first, before anyone signs in (nobody's action), when the policy
    says this command does (services.retention: not 'erase', 'hold' or 'release')."""
    context = context_of(args)
    service = context.reviewer_service()
    try:
        from onetake_desktop.cli.privacy import erase_due_first

        erase_due_first(args, service, f"library {command}")
        panel = context.panel_service(service.library)
        try:
            outcome = work(service, panel)
        except BaseException:
            _sign_out(panel, command)
            raise
        signed_out = _sign_out(panel, command)
    finally:
        service.close()  # even when the panel could not be made or signing out failed
    return outcome, signed_out


def acting(args: argparse.Namespace, service: ReviewerService, panel: PanelService) -> Actor:
    """Who acts: the panelist signed in with --as, or else the library's lone reviewer (whom
    the policy then refuses what a panel decides)."""
    if args.as_name:
        return sign_in(panel, args.as_name)
    return service.actor_for(service.default_reviewer.id)


def report_done(lines: list[str], signed_out: bool, done: str) -> int:
    """Print what a signed-in command did; exit 1 when its sign-out was not audited."""
    for line in lines:
        print(line)
    if not signed_out:  # after the result, so nobody believes nothing was done
        sys.stderr.write(
            f"onetake: {done}, but its sign-out could not be written to the audit log (the "
            "details are in onetake.log).\n"
        )
        return EXIT_FAILURE
    return EXIT_OK


def _submission(service: PanelService, email: str, interview: int | None) -> int:
    found = service.scoring.submission_by_email(email=email, interview_pk=interview)
    if not found:
        raise InvalidInputError(f"There is no candidate with the email {email}.")
    if len(found) > 1:
        raise InvalidInputError(
            f"{email} applied to several interviews; choose one with --interview N."
        )
    return found[0]


# -- commands -------------------------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    with _panel(args, "panel list") as service:
        panelists = [p.name for p in service.panelists()]
        interviews = [
            {
                "number": i.id,
                "title": i.role_title or i.interview_id,
                "version": i.version,
                "candidates": service.candidate_count(interview_pk=i.id),
            }
            for i in service.interviews()
        ]
    if args.json:
        print(json.dumps({"panelists": panelists, "interviews": interviews}, indent=2))
        return EXIT_OK
    print("Panelists: " + (", ".join(panelists) if panelists else "none yet"))
    for i in interviews:
        print(
            f"  interview {i['number']}: {i['title']} (v{i['version']}), "
            f"{i['candidates']} candidates"
        )
    return EXIT_OK


def run_add(args: argparse.Namespace) -> int:
    with _panel(args, "panel add") as service:
        passphrase = read_passphrase(f"New passphrase for {args.name.strip()}: ")
        if sys.stdin.isatty() and getpass.getpass("Type it again: ") != passphrase:
            raise InvalidInputError("The two passphrases differ.")
        actor = service.create_panelist(args.name, passphrase, chair=args.chair)
    print(f"Added panelist {actor.name}{' (chair)' if args.chair else ''}.")
    return EXIT_OK


def run_score(args: argparse.Namespace) -> int:
    with _panel(args, "panel score") as service:
        actor = sign_in(service, args.as_name)
        submission_id = _submission(service, args.candidate, args.interview)
        answers = service.scoring.answers_by_question(submission_id=submission_id)
        if args.question not in answers:
            raise InvalidInputError(
                f"That candidate has no answer to {args.question} "
                f"(questions: {', '.join(answers)})."
            )
        answer_id = answers[args.question]
        current = service.my_score(actor, answer_id=answer_id)
        note = args.note if args.note else (current.note if current else "")
        service.save_score(actor, answer_id=answer_id, score=args.score, note=note)
    print(f"Saved {args.as_name}'s draft score {args.score} on {args.question}.")
    return EXIT_OK


def run_submit(args: argparse.Namespace) -> int:
    with _panel(args, "panel submit") as service:
        actor = sign_in(service, args.as_name)
        submission_id = _submission(service, args.candidate, args.interview)
        count = service.submit_candidate(actor, submission_id=submission_id)
    print(f"Submitted {count} scores by {args.as_name}.")
    return EXIT_OK


def run_audit(args: argparse.Namespace) -> int:
    with _panel(args, "panel audit") as service:  # the log names no candidate
        problem = service.audit_problem()
        count = service.audit_count()
        lines = []
        if args.as_name:
            actor = sign_in(service, args.as_name)
            lines = service.audit_view(actor)
    if args.as_name:
        for line in lines:
            if args.json:
                print(json.dumps(asdict(line), ensure_ascii=False))
            else:
                print(
                    f"{line.seq:>5}  {line.at[:19].replace('T', ' ')}  {line.actor:<16} "
                    f"{line.action:<18} {line.subject}  "
                    f"{json.dumps(line.details, ensure_ascii=False)}"
                )
    if problem is not None:
        if args.json and not args.as_name:
            print(json.dumps({"intact": False, "rows": count, "problem": problem.sentence}))
        sys.stderr.write(f"onetake: {problem.sentence}\n")
        return EXIT_FAILURE
    if args.json and not args.as_name:
        print(json.dumps({"intact": True, "rows": count}))
    elif not args.json:
        print(f"Audit log intact: {count} rows, hash chain verified.")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    with _panel(args, "panel export") as service:
        actor = sign_in(service, args.panelist)
        interviews = [i.id for i in service.interviews()]
        interview = args.interview if args.interview is not None else (interviews or [0])[0]
        if interview not in interviews:
            raise InvalidInputError(
                "Choose an interview with candidates (see 'onetake panel list')."
            )
        count = service.export(
            actor,
            interview_pk=interview,
            fmt=args.format,
            out=args.output,
            summary=args.summary,
        )
    print(f"Wrote {count} rows as {actor.name} to {args.output}.")
    return EXIT_OK

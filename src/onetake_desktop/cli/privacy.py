"""``onetake library erase|expire|hold|release``: honour erasure requests and the retention
candidates were told, and keep a candidate longer (or no longer) for a reason.

The decisions live in services/privacy.py; this module only asks and prints.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from onetake_desktop.cli import context_of
from onetake_desktop.domain.errors import (
    EXIT_FAILURE,
    EXIT_INVALID_INPUT,
    EXIT_OK,
    InvalidInputError,
    OneTakeError,
)

if TYPE_CHECKING:
    from datetime import date

    from onetake_desktop.services.panel import PanelService
    from onetake_desktop.services.privacy import Candidate, ErasureResult, PrivacyService
    from onetake_desktop.services.retention import Moment
    from onetake_desktop.services.reviewer import ReviewerService
    from onetake_desktop.services.scoring import Actor
    from onetake_desktop.services.transcripts import TranscriptService

ERASE_HELP = (
    "erase a candidate for good: answers, media, notes, scores (submitted ones too), "
    "recommendations and decisions, in every interview; the audit log keeps only that it "
    "happened, and who asked. Asks first on a terminal; elsewhere --yes is required (exit 3 "
    "without it), exit 1 when the answer is no. With a panel, only a signed-in panelist may "
    "erase (the chair, if the panel has one): --as NAME, the passphrase read from standard "
    "input when it is not a terminal; exit 1 when the policy refuses, 3 for an unknown "
    "panelist or a wrong passphrase"
)
EXPIRE_HELP = (
    "erase every candidate whose retention (the kit's retention_days, told to the candidate) "
    "has ended, unless a 'keep longer' hold still runs"
)
_WHO_MAY = (
    "With a panel, only a signed-in panelist may (the chair, if the panel has one): --as "
    "NAME, the passphrase read from standard input when it is not a terminal"
)
HOLD_HELP = (
    "keep a candidate (every submission with EMAIL, or one --submission) past the date they "
    "were told, until the end of --until (at most 3650 days from today), for a --reason kept "
    "with the hold (it goes with the candidate; the audit log keeps only the date), which "
    "must not name them: windows show it in blind mode too. " + _WHO_MAY
)
RELEASE_HELP = (
    "stop keeping a candidate longer: lift every hold that runs for them, for a --reason "
    "(kept with the hold, like the hold's; the audit log records only which holds); they "
    "are then erased on the date they were told, "
    "or, if that date has passed, by the next command that lists or uses candidates (or "
    "'library expire'). " + _WHO_MAY
)
_CODES = (
    "exit codes: 0 done (a last line names any of their submissions erased elsewhere "
    "meanwhile); 1 the policy refuses, no such candidate, (release) no hold runs "
    "for them, the --as panelist's rows were changed by someone else (nothing done), or the "
    "change is written but its sign-out could not be audited; 2 usage; 3 a bad date or reason "
    "(past, too far, control characters, their name or email), an unknown panelist or a "
    "wrong passphrase"
)


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    e = actions.add_parser("erase", help=ERASE_HELP, description=ERASE_HELP + ".")
    who = e.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", metavar="EMAIL", help="every submission with this email")
    who.add_argument(
        "--candidate",
        type=int,
        metavar="ID",
        help="the candidate of this library entry ('library list --json' submission_id), "
        "with all their submissions (same email)",
    )
    who.add_argument(
        "--submission", type=int, metavar="ID", help="only this one submission (submission_id)"
    )
    e.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    e.add_argument(
        "--as", dest="as_name", metavar="NAME", help="the panelist who erases (with a panel)"
    )
    e.set_defaults(handler=run_erase)
    x = actions.add_parser("expire", help=EXPIRE_HELP, description=EXPIRE_HELP + ".")
    x.add_argument("--dry-run", action="store_true", help="only list who is due; change nothing")
    x.set_defaults(handler=run_expire)
    h = actions.add_parser(
        "hold",
        help="keep a candidate past the date they were told, until a date, for a reason",
        description=HOLD_HELP + ".",
        epilog=_CODES,
    )
    h.add_argument("--until", required=True, metavar="YYYY-MM-DD", help="keep them until then")
    _hold_arguments(h)
    h.set_defaults(handler=run_hold)
    r = actions.add_parser(
        "release",
        help="stop keeping a candidate longer (for a reason): they go on the date they were told",
        description=RELEASE_HELP + ".",
        epilog=_CODES,
    )
    _hold_arguments(r)
    r.set_defaults(handler=run_release)


def _hold_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--reason",
        required=True,
        metavar="TEXT",
        help="why (one line, no name or email; kept with the hold, never in the audit log)",
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("email", nargs="?", metavar="EMAIL", help="every submission with this email")
    who.add_argument("--email", dest="email_option", metavar="EMAIL", help="the same as EMAIL")
    who.add_argument(
        "--submission", type=int, metavar="ID", help="only this one submission (submission_id)"
    )
    p.add_argument(
        "--as", dest="as_name", metavar="NAME", help="the panelist who decides (with a panel)"
    )


def _who(submission_id: int, name: str, email: str, codes: Mapping[int, str]) -> str:
    """How a candidate is named here: the panel's blind mode holds on the command line too."""
    return codes.get(submission_id, f"{name} <{email}>")


def _erase_as_asked(
    args: argparse.Namespace, service: ReviewerService, panel: PanelService
) -> ErasureResult | int:
    """Sign in, ask the policy, then find, confirm and erase: the result, or an exit code
    when nothing was erased."""
    from onetake_desktop.cli.panel import acting
    from onetake_desktop.services.privacy import PrivacyService

    privacy = PrivacyService(service.library, context_of(args).clock, panel.scoring)
    privacy.sweep()
    # Who may erase is the policy's (services.scoring), and it answers before anyone is
    # looked up: a refused actor must not learn whether a person applied.
    actor = acting(args, service, panel)
    refusal = privacy.erasure_refusal(actor)
    if refusal is not None:
        raise OneTakeError(refusal)
    found = privacy.find(
        email=args.email, candidate_id=args.candidate, submission_id=args.submission
    )
    plan = privacy.plan([c.submission_id for c in found])
    codes = panel.hidden_codes()
    if not args.yes:
        if not sys.stdin.isatty():
            sys.stderr.write(
                "onetake: Nothing was erased: erasing cannot be undone, so add --yes "
                "when not running at a terminal.\n"
            )
            return EXIT_INVALID_INPUT
        print("This erases for good:")
        for c in plan.candidates:
            who = _who(c.submission_id, c.candidate_name, c.candidate_email, codes)
            print(f"  {who}: {c.interview_title} (submission {c.submission_id})")
        print("  " + plan.describe())
        answer = input("Type 'erase' to erase them, anything else to stop: ")
        if answer.strip().casefold() != "erase":
            print("Nothing was erased.")
            return EXIT_FAILURE
    return privacy.erase(actor, submission_ids=plan.submission_ids, as_read=plan.candidates)


def run_erase(args: argparse.Namespace) -> int:
    from onetake_desktop.cli.panel import signed_in
    from onetake_desktop.domain.words import plural

    # services.retention: a due candidate named here is erased at this request, not first
    # (a script asking to erase someone does not fail because retention took them before).
    outcome, signed_out = signed_in(
        args, "erase", lambda service, panel: _erase_as_asked(args, service, panel)
    )
    if isinstance(outcome, int):
        return outcome
    result = outcome
    total = result.total
    print(
        f"Erased {plural(len(result.counts), 'submission')}: {plural(total.answers, 'answer')},"
        f" {plural(total.media_files, 'recording')}, {plural(total.scores, 'score')},"
        f" {plural(total.notes, 'note')}."
    )
    for line in _gone_lines(result.already_gone):  # the rest is done: exit 0, said plainly
        print(line)
    if not result.compacted:
        sys.stderr.write(
            "onetake: another program has the library open, so some erased text may stay in "
            "the database's log file until it closes; close it and run "
            "'onetake library expire' to finish.\n"
        )
    if not signed_out:  # after the result, so nobody believes nothing was erased
        sys.stderr.write(
            "onetake: The erasure is done, but its sign-out could not be written to the "
            "audit log (the details are in onetake.log).\n"
        )
        return EXIT_FAILURE
    return EXIT_OK


def erase_due_first(
    args: argparse.Namespace,
    service: ReviewerService | PanelService | TranscriptService,
    command: str,
    moment: Moment = "before",
) -> None:
    """Keep the candidates' promise when ``command`` ('library list'...) reads, exports or
    adds to the library: if the policy (services.retention) says this command erases at this
    ``moment``, whoever is past their keeping date (and not held) is erased, as 'library
    expire' erases them, and one line on stderr says so. Nobody's action, so nobody signs in
    for it; stdout (JSON, a list) stays the command's own."""
    from onetake_desktop.services.retention import erase_due, erased_sentence, erases_due

    if not erases_due(command, moment):
        return
    report = erase_due(service.library, context_of(args).clock)
    if report is not None and report.due:
        sys.stderr.write(f"onetake: {erased_sentence(report)}\n")


def run_expire(args: argparse.Namespace) -> int:
    from onetake_desktop.domain.words import plural
    from onetake_desktop.services.privacy import PrivacyService

    context = context_of(args)
    service = context.reviewer_service()
    try:
        privacy = PrivacyService(service.library, context.clock, service.scoring)
        codes = service.hidden_codes()
        if not args.dry_run:
            privacy.sweep()
        report = privacy.expire(dry_run=args.dry_run)
        if not args.dry_run and report.result is None:
            privacy.finish_compaction()
    finally:
        service.close()
    verb = "would erase" if args.dry_run else "erased"
    for c in report.due:
        who = _who(c.submission_id, c.candidate_name, c.candidate_email, codes)
        when = c.expires_at.date().isoformat() if c.expires_at else "?"
        print(f"{verb:<12} {who}: {c.interview_title} (kept {c.retention_days} days, due {when})")
    for c in report.held:
        who = _who(c.submission_id, c.candidate_name, c.candidate_email, codes)
        until = c.held_until.date().isoformat() if c.held_until else "?"
        print(f"{'kept':<12} {who}: {c.interview_title} (on hold until {until})")
    if report.undated:
        one = report.undated == 1
        print(
            f"{plural(report.undated, 'submission')} {'has' if one else 'have'} no expiry yet:"
            f" add {'its' if one else 'their'} interview definition so"
            f" {'its' if one else 'their'} retention is known."
        )
    if args.dry_run:
        print(f"Dry run: {len(report.due)} candidate(s) due; nothing was changed.")
    else:
        print(f"Erased {len(report.due)} candidate(s) whose retention ended.")
        if report.result is not None and not report.result.compacted:
            sys.stderr.write(
                "onetake: another program has the library open, so some erased text may stay "
                "in the database's log file until it closes; run this again after.\n"
            )
    return EXIT_OK


# -- keeping longer, and no longer ------------------------------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _until(text: str) -> date:
    from datetime import date

    try:
        if _DATE.fullmatch(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise InvalidInputError("--until must be a date written YYYY-MM-DD, like 2027-01-31.")


def _decider(
    args: argparse.Namespace, service: ReviewerService, panel: PanelService
) -> tuple[PrivacyService, Actor, list[Candidate]]:
    """Sign in, ask the policy, then find whom the command names. The policy answers before
    anyone is looked up: a refused actor must not learn whether a person applied."""
    from onetake_desktop.cli.panel import acting
    from onetake_desktop.services.privacy import PrivacyService

    privacy = PrivacyService(service.library, context_of(args).clock, panel.scoring)
    actor = acting(args, service, panel)
    refusal = privacy.retention_hold_refusal(actor)
    if refusal is not None:
        raise OneTakeError(refusal)
    email = args.email if args.email is not None else args.email_option
    return privacy, actor, privacy.find(email=email, submission_id=args.submission)


def _hold_as_asked(
    args: argparse.Namespace, service: ReviewerService, panel: PanelService
) -> list[str]:
    until = _until(args.until)  # a malformed date is exit 3 before any passphrase is asked
    privacy, actor, found = _decider(args, service, panel)
    # Read before the hold: a candidate due now would have been erased but for it.
    due = {c.submission_id for c in found if privacy.is_due(c)}
    made = privacy.hold_all(
        actor,
        submission_ids=[c.submission_id for c in found],
        until=until,
        reason=args.reason,
        as_read=found,
    )
    from onetake_desktop.services.privacy import UNDATED, day_text

    codes = panel.hidden_codes()
    by_id = {c.submission_id: c for c in found}
    lines = []
    for hold in made.holds:
        c = by_id[hold.submission_id]
        who = _who(c.submission_id, c.candidate_name, c.candidate_email, codes)
        if c.expires_at is None:
            told = f"they have {UNDATED}"
        elif c.submission_id in due:
            told = (
                f"the date they were told, {day_text(c.expires_at, iso=True)}, has passed:"
                " this hold keeps them from being erased"
            )
        else:
            told = f"they were told {day_text(c.expires_at, iso=True)}"
        lines.append(
            f"Kept {who}: {c.interview_title} (submission {c.submission_id}) until"
            f" {until.isoformat()}; {told}."
        )
    return lines + _gone_lines(made.already_gone)


def _gone_lines(already_gone: Sequence[int]) -> list[str]:
    """The line naming a person's submissions another OneTake erased meanwhile: the rest of
    the request is done (exit 0), as 'library erase' says it."""
    if not already_gone:
        return []
    from onetake_desktop.services.privacy import ERASED_ELSEWHERE

    gone = ", ".join(str(sid) for sid in already_gone)
    which = "Submission" if len(already_gone) == 1 else "Submissions"
    return [f"{which} {gone} had already been erased ({ERASED_ELSEWHERE})."]


def _release_as_asked(
    args: argparse.Namespace, service: ReviewerService, panel: PanelService
) -> list[str]:
    privacy, actor, found = _decider(args, service, panel)
    lifted = privacy.release_all(
        actor, submission_ids=[c.submission_id for c in found], reason=args.reason, as_read=found
    )
    from onetake_desktop.services.privacy import ERASED_NEXT, UNDATED, day_text

    codes = panel.hidden_codes()
    lines = []
    for r in lifted.released:
        c = r.candidate
        who = _who(c.submission_id, c.candidate_name, c.candidate_email, codes)
        head = f"No longer keeping {who}: {c.interview_title} (submission {c.submission_id})"
        if r.erase_at is None:
            lines.append(f"{head}. They have {UNDATED}.")
        elif r.overdue:
            told = day_text(c.expires_at or r.erase_at, iso=True)
            lines.append(
                f"{head}. The date they were told, {told}, has passed: they are erased"
                f" {ERASED_NEXT}."
            )
        else:
            lines.append(
                f"{head}. They are erased on {day_text(r.erase_at, iso=True)}, as they were told."
            )
    return lines + _gone_lines(lifted.already_gone)


def run_hold(args: argparse.Namespace) -> int:
    from onetake_desktop.cli.panel import report_done, signed_in

    lines, signed_out = signed_in(
        args, "hold", lambda service, panel: _hold_as_asked(args, service, panel)
    )
    return report_done(lines, signed_out, "The hold is written")


def run_release(args: argparse.Namespace) -> int:
    from onetake_desktop.cli.panel import report_done, signed_in

    lines, signed_out = signed_in(
        args, "release", lambda service, panel: _release_as_asked(args, service, panel)
    )
    return report_done(lines, signed_out, "The hold is lifted")

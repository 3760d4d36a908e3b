"""``onetake library erase|expire``: honour erasure requests and the retention candidates were told.

The decisions live in services/privacy.py; this module only asks and prints.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from onetake_desktop.cli import context_of
from onetake_desktop.domain.errors import (
    EXIT_FAILURE,
    EXIT_INVALID_INPUT,
    EXIT_OK,
    OneTakeError,
)

if TYPE_CHECKING:
    from onetake_desktop.services.panel import PanelService
    from onetake_desktop.services.privacy import ErasureResult
    from onetake_desktop.services.reviewer import ReviewerService

log = logging.getLogger(__name__)

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


def _who(submission_id: int, name: str, email: str, codes: Mapping[int, str]) -> str:
    """How a candidate is named here: the panel's blind mode holds on the command line too."""
    return codes.get(submission_id, f"{name} <{email}>")


def _sign_out(panel: PanelService) -> bool:
    """Sign out whoever signed in (audited). Should that fail, what the command did or the
    first error is what the user must read, so this failure goes to the log: False."""
    try:
        panel.lock()
    except Exception:
        log.exception("signing out after 'library erase' failed")
        return False
    return True


def _erase_as_asked(
    args: argparse.Namespace, service: ReviewerService, panel: PanelService
) -> ErasureResult | int:
    """Sign in, ask the policy, then find, confirm and erase: the result, or an exit code
    when nothing was erased."""
    from onetake_desktop.cli.panel import sign_in
    from onetake_desktop.services.privacy import PrivacyService

    privacy = PrivacyService(service.library, context_of(args).clock, panel.scoring)
    privacy.sweep()
    # Who may erase is the policy's (services.scoring), and it answers before anyone is
    # looked up: a refused actor must not learn whether a person applied.
    if args.as_name:
        actor = sign_in(panel, args.as_name)
    else:
        actor = service.actor_for(service.default_reviewer.id)
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
    return privacy.erase(actor, submission_ids=plan.submission_ids)


def run_erase(args: argparse.Namespace) -> int:
    context = context_of(args)
    service = context.reviewer_service()
    try:
        panel = context.panel_service(service.library)
        try:
            outcome = _erase_as_asked(args, service, panel)
        except BaseException:
            _sign_out(panel)
            raise
        signed_out = _sign_out(panel)
    finally:
        service.close()  # even when the panel could not be made or signing out failed
    if isinstance(outcome, int):
        return outcome
    result = outcome
    total = result.total
    print(
        f"Erased {len(result.counts)} submission(s): {total.answers} answer(s),"
        f" {total.media_files} recording(s), {total.scores} score(s), {total.notes} note(s)."
    )
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


def run_expire(args: argparse.Namespace) -> int:
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
        print(
            f"{report.undated} submission(s) have no expiry yet: add their interview "
            "definition so their retention is known."
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

"""``onetake scores export``: scores for scripts and spreadsheets (CSV with a UTF-8 BOM, or
JSON), through the same policy as the windows (services.scoring)."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from onetake_desktop.cli import add_group, context_of
from onetake_desktop.domain.errors import EXIT_OK, InvalidInputError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    actions = add_group(sub, "scores")
    e = actions.add_parser(
        "export",
        help="export one reviewer's current scores (drafts and submitted) as CSV or JSON; "
        "a panelist's scores export only with `onetake panel export`",
    )
    e.add_argument("--format", choices=("csv", "json"), required=True)
    e.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    e.add_argument("--reviewer", metavar="NAME", help="whose scores (default: you)")
    e.add_argument("--summary", action="store_true", help="one row per candidate")
    e.add_argument(
        "--transcripts", action="store_true", help="add each answer's transcript (a column)"
    )
    e.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    from onetake_desktop.cli.privacy import erase_due_first
    from onetake_desktop.services.scoring import NotSignedIn

    service = context_of(args).reviewer_service()
    try:
        erase_due_first(args, service, "scores export")  # nobody past their date is exported
        reviewer = service.reviewer_named(args.reviewer)
        # A panelist's scores are refused outright rather than cut down to the submitted ones:
        # without the passphrase nobody has shown they are that panelist, and even submitted
        # scores must stay hidden from a colleague who has not submitted theirs. A quietly
        # shorter file would look complete; one sentence naming the right command does not.
        # Whether this reviewer may act without signing in is the policy's (actor_for).
        try:
            actor = service.actor_for(reviewer.id)
        except NotSignedIn as error:
            raise InvalidInputError(
                f"{reviewer.name} is a panelist, so their scores export only with their "
                f"passphrase: use onetake panel export --panelist {shlex.quote(reviewer.name)}."
            ) from error
        count = service.export_scores(
            actor,
            fmt=args.format,
            out=args.output,
            summary=args.summary,
            transcripts=args.transcripts,
        )
    finally:
        service.close()
    noun = "score" if count == 1 else "scores"
    print(f"Wrote {count} {noun} by {reviewer.name} to {args.output}.")
    return EXIT_OK

"""``onetake library import|list|add-definition|followup``: the reviewer library from scripts."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from onetake_desktop.cli import add_group, context_of
from onetake_desktop.domain.errors import (
    EXIT_INVALID_INPUT,
    EXIT_OK,
    InvalidInputError,
    OneTakeError,
)

if TYPE_CHECKING:
    from onetake_desktop.domain.conformance import Flag
    from onetake_desktop.services.importing import ImportReport
    from onetake_desktop.services.panel import Actor, PanelService
    from onetake_desktop.services.reviewer import EntryRow, ReviewerService


# With a panel, adding to the library is a signed-in panelist's (services.scoring
# ``library_change_refusal``), as in the window, whose lock screen refuses imports.
AS_HELP = (
    "the panelist who adds (with a panel: exit 1 without it); the passphrase is read from "
    "standard input when it is not a terminal (first line; an organisation key's passphrase, "
    "if one is needed, on the next)"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    actions = add_group(sub, "library")
    i = actions.add_parser(
        "import",
        help="import bundles (files or folders); exit 3 if any was refused (a bundle already "
        "in the library, or of an erased candidate, is skipped: exit 0)",
    )
    i.add_argument("paths", nargs="+", type=Path, metavar="BUNDLE|FOLDER")
    i.add_argument("--as", dest="as_name", metavar="NAME", help=AS_HELP)
    i.set_defaults(handler=run_import)
    d = actions.add_parser(
        "add-definition",
        help="add an interview definition (.onetakeinterview: questions and rubrics) so its "
        "candidates can be scored",
    )
    d.add_argument("file", type=Path, metavar="FILE")
    d.add_argument("--as", dest="as_name", metavar="NAME", help=AS_HELP)
    d.set_defaults(handler=run_add_definition)
    ls = actions.add_parser("list", help="list interviews, candidates and their status")
    ls.add_argument("--json", action="store_true", help="print JSON for scripts")
    ls.add_argument("--search", default="", metavar="TEXT", help="only names, emails, roles with")
    ls.add_argument("--sort", choices=("name", "imported", "status"), default="name")
    who = ls.add_mutually_exclusive_group()
    who.add_argument("--reviewer", metavar="NAME", help="whose progress to show (default: you)")
    who.add_argument(
        "--as",
        dest="as_name",
        metavar="NAME",
        help="a panelist's progress, signed in as them (the passphrase is read from standard "
        "input when it is not a terminal)",
    )
    ls.set_defaults(handler=run_list)
    f = actions.add_parser(
        "followup",
        help="write each decided candidate's follow-up as an .eml draft and a mail-merge CSV",
        description="Write one ready-to-send e-mail draft (.eml, plain text) per candidate "
        "with a decision, and mail-merge.csv (UTF-8 with a byte-order mark), into DIR; the "
        "day each went out is recorded. With a panel, sign in with --as NAME (the passphrase "
        "is read from standard input when it is not a terminal); in blind mode only "
        "candidates the panel has revealed get one.",
        epilog="exit codes: 0 ok; 1 nothing to send or cannot write; 2 usage; "
        "3 unknown interview or panelist, or a wrong passphrase",
    )
    f.add_argument("--interview", type=int, required=True, metavar="N", help="interview number")
    f.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    f.add_argument("--as", dest="as_name", metavar="NAME", help="the panelist (with a panel)")
    f.set_defaults(handler=run_followup)
    from onetake_desktop.cli import privacy  # erase, expire

    privacy.register(actions)
    from onetake_desktop.cli import transcripts  # transcribe, search (issue 16)

    transcripts.register_library(actions)


def run_import(args: argparse.Namespace) -> int:
    from onetake_desktop.cli.panel import report_done, signed_in

    (report, codes), signed_out = signed_in(
        args, "import", lambda service, panel: _import_as_asked(args, service, panel)
    )
    for o in report.outcomes:
        # Blind mode holds here as in the window: a candidate it hides is shown by code.
        who = codes.get(o.submission_id, o.candidate_name) if o.submission_id else ""
        if o.status == "imported":
            note = (
                " (interview definition not in the library yet: add it with"
                " 'onetake library add-definition FILE')"
                if o.needs_definition
                else ""
            )
            print(f"imported  {o.path}: {who}{note}")
            for flag in o.flags:
                print(f"  flag {flag.code}: {flag.message}")
        elif o.status == "duplicate":
            print(f"already   {o.path}: {o.reason}")
        elif o.status == "erased":  # a deliberate skip, as "already": not a failure
            print(f"erased    {o.path}: {o.reason}")
        else:
            sys.stderr.write(f"refused   {o.path}: {o.reason}\n")
    code = report_done([report.summary()], signed_out, "The import is done")
    if code == EXIT_OK and report.refused:
        return EXIT_INVALID_INPUT
    return code


def _import_as_asked(
    args: argparse.Namespace, service: ReviewerService, panel: PanelService
) -> tuple[ImportReport, dict[int, str]]:
    """Sign in, ask the policy, then import: the report and the codes blind mode shows."""
    from onetake_desktop.cli.keys import unlock_for_import

    _may_add(args, service, panel)
    unlock_for_import(args, args.paths)  # issue 13: encrypted bundles need the key's passphrase
    # Two checkers: one bundle's media probe (a child process) overlaps the next one's
    # hashing, about 1.6x faster on two cores.
    report = service.import_paths(args.paths, workers=2)
    codes = service.hidden_codes()  # before the erasure below: blind mode still hides them
    from onetake_desktop.cli.privacy import erase_due_first

    # A bundle already past its keeping date (sealed long ago) is erased now, not kept until
    # the next command that reads the library (signed_in erased the others before).
    erase_due_first(args, service, "library import", "after")
    return report, codes


def _may_add(args: argparse.Namespace, service: ReviewerService, panel: PanelService) -> None:
    """Whoever acts (--as NAME, or the lone reviewer) may add to the library, or exit 1 with
    the policy's sentence before anything is read or written."""
    from onetake_desktop.cli.panel import acting

    refusal = panel.scoring.library_change_refusal(acting(args, service, panel))
    if refusal is not None:
        raise OneTakeError(refusal)


def run_add_definition(args: argparse.Namespace) -> int:
    from onetake_desktop.cli.panel import report_done, signed_in

    path: Path = args.file
    if not path.is_file():
        raise InvalidInputError(f"{path} does not exist or is not a file.")

    def add(service: ReviewerService, panel: PanelService) -> list[str]:
        from onetake_desktop.cli.privacy import erase_due_first

        _may_add(args, service, panel)
        record = service.add_definition_file(path)
        # The definition dates the candidates who waited for it: those already past their
        # keeping date are erased now, not counted as ready to score.
        erase_due_first(args, service, "library add-definition", "after")
        me = service.actor_for(service.default_reviewer.id)
        waiting = sum(1 for e in service.entries(me) if e.interview_pk == record.id)
        title = f"{record.role_title or record.interview_id} (v{record.version})"
        lines = [f"Added the interview definition of {title}."]
        if waiting:
            lines.append(f"{_count(waiting, 'candidate')} of this interview can now be scored.")
        return lines

    lines, signed_out = signed_in(args, "add-definition", add)
    return report_done(lines, signed_out, "The definition is added")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def run_list(args: argparse.Namespace) -> int:
    signed_out = True
    if args.as_name:  # a panelist, signed in as for 'library import' (and out after)
        from onetake_desktop.cli.panel import acting, signed_in

        listed, signed_out = signed_in(
            args,
            "list",
            lambda service, panel: _listing(args, service, acting(args, service, panel)),
        )
    else:
        from onetake_desktop.cli.privacy import erase_due_first

        service = context_of(args).reviewer_service()
        try:
            erase_due_first(args, service, "library list")  # nobody past their date is listed
            listed = _listing(args, service, None)
        finally:
            service.close()
    name, rows, blind, flags, library_empty = listed
    code = _print_list(args, name, rows, blind, flags, library_empty)
    if not signed_out:
        from onetake_desktop.cli.panel import report_done

        return report_done([], signed_out, "The list is printed")
    return code


def _listing(
    args: argparse.Namespace, service: ReviewerService, actor: Actor | None
) -> tuple[str, list[EntryRow], bool, dict[int, tuple[Flag, ...]], bool]:
    """What 'library list' prints, as ``actor`` may see it (None: --reviewer's, or yours)."""
    from onetake_desktop.services.scoring import NotSignedIn

    if actor is None:
        reviewer = service.reviewer_named(args.reviewer)
        # The panel's blind mode holds here too (the service applies it): anyone at the
        # shared laptop can type this; a panelist's progress needs their sign-in.
        try:
            actor = service.actor_for(reviewer.id)
        except NotSignedIn as error:
            if not any(p.reviewer_id == reviewer.id for p in service.scoring.panelists()):
                raise
            # The policy's refusal, and the way this command signs them in.
            raise NotSignedIn(
                f"{error} To list as them: onetake library list --as "
                f"{shlex.quote(reviewer.name)} (the passphrase is read from standard input "
                "when it is not a terminal)"
            ) from error
    # Plain rows (fields: ENTRY_FIELDS), not an object per candidate: 10,000 print fast.
    rows, blind = service.listing(actor, search=args.search, sort=args.sort)
    # Every reviewer sees the rules a bundle broke beside the candidate (no names in them).
    flags = service.all_flags()
    # "No matches" and "empty" are different answers: ask only when the search found none.
    library_empty = not rows and not service.entry_rows(actor)
    return actor.name, rows, blind, flags, library_empty


def _print_list(
    args: argparse.Namespace,
    reviewer_name: str,
    rows: list[EntryRow],
    blind: bool,
    flags: Mapping[int, Sequence[Flag]],
    library_empty: bool,
) -> int:
    from onetake_desktop.services.reviewer import candidate_status

    if args.json:
        # One candidate per line, written at once: indent=2 over 10,000 candidates took
        # Python's pure encoder most of a second.
        encode = json.JSONEncoder(ensure_ascii=True).encode
        body = "[\n    " + ",\n    ".join(json_lines(rows, flags)) + "\n  ]" if rows else "[]"
        sys.stdout.write(
            f'{{\n  "reviewer": {encode(reviewer_name)},\n  "blind": {encode(blind)},\n'
            f'  "candidates": {body}\n}}\n'
        )
        return EXIT_OK
    out: list[str] = []
    if blind:
        out.append(
            "Blind mode is on: names and emails stay hidden behind codes until the panel decides."
        )
    if not rows:
        if not library_empty:
            # "No matches" is not "empty": say what was searched and that others exist.
            out.append(f"No candidate matches {args.search.strip()!r}.")
        else:
            out.append(
                "The library is empty. Import bundles with 'onetake library import BUNDLE...'."
            )
    current = None
    of_answers: dict[int, str] = {}  # "3 answers", made once per count
    for sid, _, title, name, email, _, _, answers, scored, done, has_definition in rows:
        if title != current:
            current = title
            out.append(f"{title}{'' if has_definition else '  [interview definition missing]'}")
        if answers not in of_answers:
            of_answers[answers] = _count(answers, "answer")
        status = candidate_status(answers, scored, done)
        out.append(
            f"  {name:<28} {email:<32} {status:<12}"
            f" {scored} of {of_answers[answers]} scored, {done} submitted"
            f"{f'  FLAGGED ({len(flags[sid])})' if flags.get(sid) else ''}"
        )
    sys.stdout.write("\n".join(out) + "\n")  # one write, not one per candidate
    return EXIT_OK


def json_lines(rows: Sequence[EntryRow], flags: Mapping[int, Sequence[Flag]]) -> list[str]:
    """Each candidate as one line of JSON: the entry's fields in order (ENTRY_FIELDS), then
    its status and flags; the text ``json.JSONEncoder(ensure_ascii=True).encode`` gives for
    that dict (a test holds them equal), made by formatting: 10,000 lines in a third of the
    encoder's time, which builds and walks a dict per line."""
    from json.encoder import encode_basestring_ascii as quote  # the C encoder's own quoting

    from onetake_desktop.domain.conformance import flag_to_dict
    from onetake_desktop.services.reviewer import candidate_status

    encode = json.JSONEncoder(ensure_ascii=True).encode
    return [
        f'{{"submission_id": {sid}, "interview_pk": {pk}, "interview_title": {quote(title)}, '
        f'"candidate_name": {quote(name)}, "candidate_email": {quote(email)}, '
        f'"imported_at": {quote(imported)}, "sealed_at": {quote(sealed)}, '
        f'"answers": {answers}, "with_score": {scored}, "submitted": {done}, '
        f'"has_definition": {"true" if has_def else "false"}, '
        f'"status": {quote(candidate_status(answers, scored, done))}, '
        f'"flags": {encode([flag_to_dict(f) for f in flags[sid]]) if sid in flags else "[]"}}}'
        for sid, pk, title, name, email, imported, sealed, answers, scored, done, has_def in rows
    ]


def run_followup(args: argparse.Namespace) -> int:
    from onetake_desktop.cli.panel import sign_in
    from onetake_desktop.cli.privacy import erase_due_first
    from onetake_desktop.services.followup import FollowupService

    service = context_of(args).panel_service()
    try:
        erase_due_first(args, service, "library followup")  # nobody past their date gets one
        # Without --as: the lone reviewer, whom the policy refuses on a panel's library (exit
        # 1), before anything is looked up or written.
        signed_in = sign_in(service, args.as_name) if args.as_name else None
        refusal = service.scoring.followup_refusal(signed_in)
        if refusal is not None:
            raise OneTakeError(refusal)
        numbers = [i.id for i in service.library.interviews.all()]
        if args.interview not in numbers:
            listed = ", ".join(str(n) for n in numbers) or "none yet"
            raise InvalidInputError(
                f"There is no interview {args.interview} (interviews: {listed})."
            )
        if signed_in is not None:
            actor = signed_in
        else:
            lone = service.scoring.lone_reviewer(context_of(args).settings.reviewer)
            actor = service.scoring.actor_for(lone.id)
        result = FollowupService(service.scoring).export(
            actor, interview_pk=args.interview, folder=args.output
        )
        if actor.panelist:
            service.lock()
    finally:
        service.library.close()
    print(
        f"Wrote {_count(len(result.drafts), 'draft')} and {result.mailmerge.name} to "
        f"{result.folder}; recorded as sent on {result.sent_at[:10]}."
    )
    if result.left_out:
        print(f"{_count(result.left_out, 'decided candidate')} left out: name still hidden.")
    return EXIT_OK

"""``onetake panel list|audit|export``: the panel from scripts.

``export`` acts as one panelist (their passphrase from ``ONETAKE_PASSPHRASE`` or a prompt) and
writes what that panelist may see: submitted scores, decisions and feedback, never drafts.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from pathlib import Path

from onetake_desktop.cli import add_group, context_of
from onetake_desktop.domain.errors import EXIT_FAILURE, EXIT_OK, InvalidInputError

PASSPHRASE_ENV = "ONETAKE_PASSPHRASE"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    actions = add_group(sub, "panel", "panelists, the audit log and panel exports")
    ls = actions.add_parser("list", help="list panelists and interviews with candidates")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=run_list)
    audit = actions.add_parser("audit", help="check the audit log's hash chain (exit 1 if broken)")
    audit.add_argument("--json", action="store_true", help="print every row as JSON lines")
    audit.set_defaults(handler=run_audit)
    e = actions.add_parser(
        "export", help="export decisions, submitted scores and feedback as one panelist sees them"
    )
    e.add_argument("--panelist", required=True, metavar="NAME")
    e.add_argument("--interview", type=int, metavar="N", help="interview number (see 'list')")
    e.add_argument("--format", choices=("csv", "json"), required=True)
    e.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    e.set_defaults(handler=run_export)


def run_list(args: argparse.Namespace) -> int:

    service = context_of(args).panel_service()
    try:
        panelists = [p.name for p in service.panelists()]
        interviews = [
            {
                "number": i.id,
                "title": i.role_title or i.interview_id,
                "version": i.version,
                "candidates": len(service.repo.candidates(i.id)),
            }
            for i in service.library.interviews.all()
        ]
    finally:
        service.library.close()
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


def run_audit(args: argparse.Namespace) -> int:

    service = context_of(args).panel_service()
    try:
        entries = service.audit_entries()
        problem = service.audit_problem()
    finally:
        service.library.close()
    if args.json:
        for e in entries:
            print(
                json.dumps(
                    {
                        "seq": e.seq,
                        "at": e.at,
                        "actor_id": e.actor_id,
                        "action": e.action,
                        "subject": e.subject,
                        "details": json.loads(e.details),
                        "row_hash": e.row_hash,
                    }
                )
            )
    if problem is not None:
        print(f"onetake: {problem.sentence}")
        return EXIT_FAILURE
    if not args.json:
        print(f"Audit log intact: {len(entries)} rows, hash chain verified.")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:

    service = context_of(args).panel_service()
    try:
        panelist = next((p for p in service.panelists() if p.name == args.panelist), None)
        if panelist is None:
            raise InvalidInputError(f"There is no panelist called {args.panelist}.")
        passphrase = os.environ.get(PASSPHRASE_ENV) or getpass.getpass(
            f"Passphrase for {panelist.name}: "
        )
        service.sign_in(panelist.reviewer_id, passphrase)
        interviews = [
            i.id for i in service.library.interviews.all() if service.repo.candidates(i.id)
        ]
        interview = args.interview if args.interview is not None else (interviews or [0])[0]
        if interview not in interviews:
            raise InvalidInputError(
                "Choose an interview with candidates (see 'onetake panel list')."
            )
        count = service.export(panelist.reviewer_id, interview, args.format, args.output)
    finally:
        service.library.close()
    print(f"Wrote {count} rows as {panelist.name} to {args.output}.")
    return EXIT_OK

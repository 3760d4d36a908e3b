"""``onetake bundle inspect|verify``: look inside and check submission bundles."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path

from onetake_desktop.cli import add_group, context_of
from onetake_desktop.domain.errors import EXIT_OK
from onetake_desktop.services import bundles


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    actions = add_group(sub, "bundle")
    i = actions.add_parser("inspect", help="print a readable summary of a bundle")
    i.add_argument("file", type=Path, metavar="FILE")
    i.set_defaults(handler=run_inspect)
    v = actions.add_parser(
        "verify", help="check everything in a bundle; exit 0 if sound, 3 with the reason if not"
    )
    v.add_argument("file", type=Path, metavar="FILE")
    v.add_argument(
        "--definition",
        type=Path,
        metavar="FILE",
        help="check it against this interview (.onetakeinterview) instead of the library's",
    )
    v.set_defaults(handler=run_verify)
    from onetake_desktop.cli import send  # issue 13: bundle send

    send.register(actions)


@contextlib.contextmanager
def _opened(args: argparse.Namespace) -> Iterator[Path]:
    """The bundle to read: the file itself, or (an encrypted ``.onetake.age``, issue 13) a
    private decrypted copy, after the organisation key's passphrase."""
    from onetake_desktop.cli.keys import unlock_for_import
    from onetake_desktop.services.handover import decrypted, is_encrypted

    if not is_encrypted(args.file):
        yield args.file
        return
    unlock_for_import(args, [args.file])
    with decrypted(args.file, context_of(args).paths.ensure().cache) as plain:
        yield plain


def run_inspect(args: argparse.Namespace) -> int:
    with _opened(args) as path:
        print(bundles.inspect_bundle(path))
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    from onetake_desktop.services.importing import judge_for_verify

    judge, against = judge_for_verify(args.definition, context_of(args).paths)
    with _opened(args) as path:
        report = bundles.verify_bundle(path, judge=judge)
    m = report.manifest
    print(
        f"{args.file}: OK. {len(m.answers)} answers from {m.candidate_name} for "
        f"{m.kit.interview_id} {m.kit.version}; {len(report.media)} media files probed; "
        f"bundle sha256 {report.bundle_sha256}."
    )
    verdict = report.conformance
    if verdict is None:
        print(f"Not checked against its interview: {against} does not know it.")
    elif not verdict.flags:
        print("It keeps to every rule of its interview.")
    else:
        n = len(verdict.flags)
        print(f"Flagged: it breaks {n} rule{'s' if n > 1 else ''} of its interview.")
        for flag in verdict.flags:
            print(f"  flag {flag.code}: {flag.message}")
    return EXIT_OK

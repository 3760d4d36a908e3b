"""``onetake kit build|validate|show``: author and check interview kits."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from onetake_desktop.cli import add_group, context_of
from onetake_desktop.domain.errors import EXIT_INVALID_INPUT, EXIT_OK
from onetake_desktop.domain.validation import Problem
from onetake_desktop.services import author
from onetake_desktop.services.author_records import ValidationReport


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    actions = add_group(sub, "kit")
    b = actions.add_parser(
        "build",
        help="build a candidate kit (and the reviewer's interview definition) from TOML",
        description="Build ROLE.onetakekit for candidates and ROLE.onetakeinterview (with the "
        "rubric) for reviewers from an interview.toml. Building the same content again "
        "rewrites the same kit. As in the authoring window, when KIT already holds a published "
        "kit with other content, that kit and its definition are kept beside it as "
        "ROLE-VERSION.onetakekit and ROLE-VERSION.onetakeinterview (bundles that answer it still "
        "import), and the new kit gets the next version, which is also written into "
        "interview.toml (one line says so; when it cannot be written, the kit is built all "
        "the same and a warning on stderr says which version to set there). Signing, or "
        "signing with another key, puts the key's recipient in the kit, so a signed build "
        "over an unsigned kit (or the other way round) is new content and a new version. "
        "KIT holding another interview's kit, or a ROLE-VERSION file that is not a copy of "
        "the version it would keep, is refused (exit 2, nothing written).",
    )
    b.add_argument("source", type=Path, metavar="interview.toml")
    b.add_argument("-o", "--output", type=Path, required=True, metavar="KIT")
    b.add_argument(  # issue 13: see cli/keys.py
        "--sign",
        action="store_true",
        help="sign the kit with the organisation key and encrypt bundles to it (asks for the "
        "key's passphrase; read from standard input when it is not a terminal)",
    )
    b.set_defaults(handler=run_build)
    v = actions.add_parser("validate", help="check a kit, definition or TOML and list problems")
    v.add_argument("file", type=Path, metavar="FILE")
    v.set_defaults(handler=run_validate)
    n = actions.add_parser(
        "new",
        help="write a well-formed starting point for an interview TOML",
        description="Write an interview TOML to start from (valid as it is; edit it, or open "
        "it with 'onetake author FILE'). Templates: "
        + "; ".join(f"{name}: {what}" for name, what in author.TEMPLATES.items())
        + ".",
    )
    n.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.toml")
    n.add_argument(
        "--template", default="general", choices=sorted(author.TEMPLATES), metavar="NAME"
    )
    n.set_defaults(handler=run_new)
    s = actions.add_parser("show", help="print a readable summary of a kit")
    s.add_argument("file", type=Path, metavar="FILE")
    s.set_defaults(handler=run_show)


def _print_warnings(path: Path, warnings: list[Problem]) -> None:
    for w in warnings:
        sys.stderr.write(f"{path}: warning: {w}\n")
    if warnings:
        sys.stderr.write(
            f"{path}: kit texts are plain text; see docs/formats.md, 'Text in kits'.\n"
        )


def _print_advice(args: argparse.Namespace, file: Path) -> None:
    """The guard rails the authoring window shows beside each field (never blocking), after
    what ``kit validate``, ``kit show`` and ``kit build`` print: one formatter for all."""
    advice = author.advice_for(file, context_of(args).clock.now())  # already validated
    if advice:
        print("Advice (it never blocks building; 'onetake author' shows it beside each field):")
        for line in advice:
            print(f"  - {line}")


def run_build(args: argparse.Namespace) -> int:
    from onetake_desktop.cli.keys import signer_from_passphrase

    signer = signer_from_passphrase(args) if args.sign else None
    published = author.build_kit(args.source, args.output, signer)
    _print_warnings(args.source, author.markup_warnings(published.kit))
    print(
        f"Wrote {published.kit} (for candidates) and {published.definition} (with the rubric, "
        "for reviewers)."
    )
    written = (
        f", now written into {args.source}"
        if published.renumbered and not published.version_not_saved
        else ""
    )
    if published.archived and published.kept_kit is not None:
        print(
            f"{published.kit.name} held another published version: it stays as "
            f"{published.kept_kit.name}, so bundles that answer it still import; this "
            f"build is version {published.version}{written}."
        )
    elif published.renumbered:  # the previous version was already kept beside it
        print(f"This build is version {published.version}{written}.")
    if published.version_not_saved:  # built all the same: exit 0, the author's step on stderr
        sys.stderr.write(f"onetake: warning: {published.version_not_saved}\n")
    if signer is not None:
        print(f"Signed with {published.signed_by}: bundles that answer it are encrypted to it.")
        mismatch = author.built_kit_mismatch(published.kit, signer)
        if mismatch:
            sys.stderr.write(f"onetake: warning: {mismatch}\n")
    # What the kit carries to candidates that the author may not have meant (placeholders,
    # texts the settings contradict): said where the kit goes out, not only in validate.
    _print_advice(args, published.definition)
    return EXIT_OK


def _print_problems(report: ValidationReport) -> int:
    count = len(report.problems)
    sys.stderr.write(
        f"{report.path}: {count} problem{'s' if count > 1 else ''} in this {report.kind}:\n"
    )
    for problem in report.problems:
        sys.stderr.write(f"  - {problem}\n")
    return EXIT_INVALID_INPUT


def run_validate(args: argparse.Namespace) -> int:
    report = author.validate_file(args.file)
    if not report.ok:
        return _print_problems(report)
    assert report.kit is not None
    _print_warnings(args.file, report.warnings)
    print(
        f"{args.file}: a valid {report.kind} ({report.kit.role_title}, "
        f"{len(report.kit.questions)} questions)."
    )
    if (trust := author.trust_line(args.file)) is not None:
        print(trust)
    _print_advice(args, args.file)
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    out = author.write_template(args.template, args.output)
    print(
        f"Wrote {out} from the {args.template!r} template; build it with "
        f"'onetake kit build {out} -o KIT'."
    )
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    report = author.validate_file(args.file, reading=True)
    if not report.ok:  # show what is wrong, all of it, rather than half a summary
        return _print_problems(report)
    for sentence in report.outdated:
        sys.stderr.write(f"onetake: warning: {args.file}: {sentence}\n")
    print(author.show_file(args.file))
    if (trust := author.trust_line(args.file)) is not None:
        print(trust)
    _print_advice(args, args.file)
    return EXIT_OK

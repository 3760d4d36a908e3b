"""``onetake keys new|list|export``: the organisation's signing and encryption keys (issue 13)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from onetake_desktop.cli import add_group, context_of
from onetake_desktop.cli.passphrase import read_passphrase
from onetake_desktop.domain.errors import EXIT_OK

if TYPE_CHECKING:
    from onetake_desktop.services.keys import KeyService, KitSigner


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    actions = add_group(sub, "keys")
    n = actions.add_parser(
        "new",
        help="make a key pair for an organisation (asks for a passphrase)",
        description="Make an age X25519 identity (bundles are encrypted to it) and an Ed25519 "
        "signing key (kits are signed with it), kept in the library under a passphrase. The "
        "passphrase is read from standard input when it is not a terminal.",
    )
    n.add_argument("--org", required=True, metavar="NAME", help="the organisation's name")
    n.set_defaults(handler=run_new)
    ls = actions.add_parser("list", help="list the keys and their fingerprints")
    ls.set_defaults(handler=run_list)
    e = actions.add_parser(
        "export",
        help="write the age identity file (for backup and the age tool)",
        description="Write a standard age identity file (owner-only, 0600): "
        "'age -d -i FILE bundle.onetake.age > bundle.onetake' opens a bundle without OneTake.",
    )
    e.add_argument("--identity", required=True, type=Path, metavar="FILE")
    e.set_defaults(handler=run_export)


def _keys(args: argparse.Namespace) -> KeyService:
    """The key service on the library of this run's context (ONETAKE_HOME, tests)."""
    from onetake_desktop.services.keys import KeyService

    return KeyService(context_of(args).paths.ensure().database)


def signer_from_passphrase(args: argparse.Namespace) -> KitSigner:
    """Unlock the newest organisation key for ``kit build --sign``."""
    with _keys(args) as keys:
        record = keys.current()
        passphrase = read_passphrase(f"Passphrase for the key of {record.organisation}: ")
        return keys.signer(passphrase, record)


def unlock_for_import(args: argparse.Namespace, paths: list[Path]) -> None:
    """Before importing: when a bundle among ``paths`` is encrypted, ask once for the
    passphrase and unlock every organisation key it opens (services/keys.py remembers them)."""
    from onetake_desktop.services.keys import passphrase_needed

    with _keys(args) as keys:
        if passphrase_needed(paths, keys):
            keys.unlock_all(read_passphrase("Passphrase of your organisation key: "))


def run_new(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(f"Passphrase for the key of {args.org}: ", confirm=True)
    with _keys(args) as keys:
        record = keys.new_key(args.org, passphrase)
    print(f"Made the key of {record.organisation}.")
    print(f"  signing fingerprint: {record.short_fingerprint}")
    print(f"  age recipient:       {record.age_recipient}")
    print(
        "Keep the passphrase safe, and a copy from 'onetake keys export'; without them "
        "bundles encrypted to this key cannot be opened."
    )
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    with _keys(args) as keys:
        records = keys.keys()
    if not records:
        print("No organisation keys yet. Make one with 'onetake keys new --org NAME'.")
        return EXIT_OK
    for r in records:
        print(f"{r.organisation}")
        print(f"  signing fingerprint: {r.short_fingerprint}  (sha256 {r.fingerprint})")
        print(f"  age recipient:       {r.age_recipient}")
        print(f"  created:             {r.created_at}")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    with _keys(args) as keys:
        keys.current()  # a plain sentence when there is no key yet
        passphrase = read_passphrase("Passphrase of your organisation key: ")
        records = keys.export_identity(args.identity, passphrase)
    names = ", ".join(f"{r.organisation} ({r.short_fingerprint})" for r in records)
    print(f"Wrote the age identity of {names} to {args.identity} (readable by you only).")
    return EXIT_OK

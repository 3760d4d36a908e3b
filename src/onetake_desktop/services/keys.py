"""The employer's keys (issue 13): one key pair per organisation, kept by the reviewer side.

``new_key`` makes an age X25519 identity (candidates' bundles are encrypted to its recipient)
and an Ed25519 signing key (kits are signed with it), sealed in the library by a passphrase
(storage/keystore.py). ``unlock`` opens them for one use; ``export_identity`` writes a standard
age identity file that the ``age`` command line tool decrypts bundles with.

Unlocked identities are remembered for the rest of the process (``unlocked_identities``) so a
window or a command asks for the passphrase once per run, not once per bundle.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyrage
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from onetake_desktop.domain.errors import OneTakeError, UsageError
from onetake_desktop.paths import PRIVATE_FILE_MODE
from onetake_desktop.storage.atomic import atomic_write_bytes
from onetake_desktop.storage.db import open_database
from onetake_desktop.storage.keystore import (
    MIN_PASSPHRASE_CHARS,
    KeyRecord,
    KeySecrets,
    KeyStore,
    WrongPassphraseError,
)
from onetake_desktop.storage.kit_signature import KitSigner

__all__ = [
    "KeyRecord",
    "KeyService",
    "KitSigner",
    "UnlockedKey",
    "WrongPassphraseError",
    "forget_unlocked",
    "remember_unlocked",
    "unlocked_identities",
]


@dataclass(frozen=True)
class UnlockedKey:
    """A key pair opened with its passphrase: sign kits, decrypt bundles."""

    record: KeyRecord
    identity: pyrage.x25519.Identity
    signer: Ed25519PrivateKey
    age_identity_text: str


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class KeyService:
    """Key use cases over one library database (owned by the calling thread). The caller
    names the database (the command's AppContext, the window's library): this module reads
    neither the environment nor the user's folders."""

    def __init__(self, db_path: Path) -> None:
        self.db = open_database(db_path)
        self.store = KeyStore(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> KeyService:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def new_key(self, organisation: str, passphrase: str) -> KeyRecord:
        organisation = " ".join(organisation.split())
        if not organisation or len(organisation) > 200:
            raise UsageError("The organisation name must be 1 to 200 characters.")
        if len(passphrase) < MIN_PASSPHRASE_CHARS:
            raise UsageError(
                f"The passphrase must be at least {MIN_PASSPHRASE_CHARS} characters long."
            )
        identity = pyrage.x25519.Identity.generate()
        signer = Ed25519PrivateKey.generate()
        seed = signer.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return self.store.add(
            organisation,
            str(identity.to_public()),
            base64.b64encode(_raw_public(signer)).decode("ascii"),
            KeySecrets(str(identity), seed),
            passphrase,
        )

    def keys(self) -> list[KeyRecord]:
        return self.store.all()

    def current(self) -> KeyRecord:
        """The newest key: the one new kits are signed with."""
        keys = self.store.all()
        if not keys:
            raise OneTakeError(
                "There is no organisation key yet; make one with 'onetake keys new --org NAME'."
            )
        return keys[-1]

    def unlock(
        self, passphrase: str, record: KeyRecord | None = None, *, remember: bool = True
    ) -> UnlockedKey:
        """Open a key; ``remember``: keep its identity for imports for the rest of the run."""
        record = record or self.current()
        secrets = self.store.unseal(record, passphrase)
        signer = Ed25519PrivateKey.from_private_bytes(secrets.signing_private_key)
        identity = pyrage.x25519.Identity.from_str(secrets.age_identity)
        unlocked = UnlockedKey(record, identity, signer, secrets.age_identity)
        if remember:
            remember_unlocked(unlocked)
        return unlocked

    def unlock_all(self, passphrase: str, *, remember: bool = True) -> list[UnlockedKey]:
        """Every key this passphrase opens (keys made with another passphrase are skipped);
        WrongPassphraseError when it opens none."""
        opened = []
        for record in self.store.all():
            try:
                opened.append(self.unlock(passphrase, record, remember=remember))
            except WrongPassphraseError:
                continue
        if not opened:
            raise WrongPassphraseError("That passphrase does not open any organisation key.")
        return opened

    def signer(self, passphrase: str, record: KeyRecord | None = None) -> KitSigner:
        """What ``onetake kit build --sign`` signs with (the newest key by default)."""
        unlocked = self.unlock(passphrase, record, remember=False)
        return KitSigner(
            organisation=unlocked.record.organisation,
            public_key=_raw_public(unlocked.signer),
            recipient=unlocked.record.age_recipient,
            sign=unlocked.signer.sign,
        )

    def export_identity(self, out: Path, passphrase: str) -> list[KeyRecord]:
        """Write every key this passphrase opens (older keys too: they open older bundles) as
        one standard age identity file, owner-only (0600), that ``age -d -i FILE`` reads."""
        unlocked = self.unlock_all(passphrase, remember=False)
        parts = []
        for key in unlocked:
            r = key.record
            parts.append(
                f"# OneTake organisation key of {r.organisation}\n"
                f"# created: {r.created_at}\n"
                f"# signing key fingerprint: {r.short_fingerprint}\n"
                f"# public key: {r.age_recipient}\n"
                f"{key.age_identity_text}\n"
            )
        out = Path(out)
        atomic_write_bytes(out, "".join(parts).encode("utf-8"))
        os.chmod(out, PRIVATE_FILE_MODE)
        return [k.record for k in unlocked]


def key_service_for_library(root: Path) -> KeyService:
    """The keys of the library in ``root`` (the reviewer window's library)."""
    return KeyService(Path(root) / "onetake.sqlite3")


def passphrase_needed(paths: Sequence[Path], keys: KeyService) -> list[KeyRecord]:
    """Before an import (window or command): the keys to unlock because a bundle among
    ``paths`` is encrypted and no key is unlocked yet; [] when no passphrase is needed (or the
    library has no key, and each encrypted bundle is then refused with its own sentence)."""
    from onetake_desktop.services.handover import is_encrypted
    from onetake_desktop.services.importing import find_bundles

    if unlocked_identities():
        return []
    bundles, _ = find_bundles(paths)
    if not any(is_encrypted(b) for b in bundles):
        return []
    return keys.keys()


# -- identities unlocked in this process ---------------------------------------------------------

_unlocked_lock = threading.Lock()
_unlocked: dict[str, UnlockedKey] = {}


def remember_unlocked(key: UnlockedKey) -> None:
    with _unlocked_lock:
        _unlocked[key.record.fingerprint] = key


def unlocked_identities() -> list[pyrage.x25519.Identity]:
    with _unlocked_lock:
        return [k.identity for k in _unlocked.values()]


def forget_unlocked() -> None:
    """Drop every unlocked key (tests; a window's "lock" action)."""
    with _unlocked_lock:
        _unlocked.clear()

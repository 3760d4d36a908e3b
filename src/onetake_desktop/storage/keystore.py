"""The organisation's key pairs in the library database (schema 6), sealed by a passphrase.

Only the public halves are stored in the clear. The private halves (the age X25519 identity and
the Ed25519 signing key) are one small JSON document encrypted with AES-256-GCM under a key
that Argon2id derives from the passphrase; the row's public fields are the GCM associated data,
so a row whose public key was swapped no longer opens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.storage.db import Database, transaction, utc_now

# Argon2id (RFC 9106's second recommended option, memory-lighter): ~0.2 s here.
KDF_TIME_COST = 3
KDF_MEMORY_KIB = 64 * 1024
KDF_PARALLELISM = 2
MIN_PASSPHRASE_CHARS = 8


class WrongPassphraseError(OneTakeError):
    """The passphrase does not open the sealed key."""


@dataclass(frozen=True)
class KeyRecord:
    id: int
    organisation: str
    age_recipient: str  # "age1..."
    signing_public_key: str  # base64 of the raw 32-byte Ed25519 public key
    fingerprint: str  # sha256 hex of the raw Ed25519 public key
    created_at: str

    @property
    def short_fingerprint(self) -> str:
        return short_fingerprint(self.fingerprint)


@dataclass(frozen=True)
class KeySecrets:
    age_identity: str  # "AGE-SECRET-KEY-1..."
    signing_private_key: bytes  # raw 32-byte Ed25519 seed


def fingerprint_of(signing_public_key_raw: bytes) -> str:
    return hashlib.sha256(signing_public_key_raw).hexdigest()


def short_fingerprint(fingerprint: str) -> str:
    """The first 64 bits of a fingerprint as four groups: what people compare by eye."""
    head = fingerprint[:16].upper()
    return " ".join(head[i : i + 4] for i in range(0, 16, 4))


def _derive(passphrase: str, salt: bytes, kdf: dict[str, int | str]) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=int(kdf["time_cost"]),
        memory_cost=int(kdf["memory_cost"]),
        parallelism=int(kdf["parallelism"]),
        hash_len=32,
        type=Type.ID,
    )


def _associated_data(organisation: str, age_recipient: str, signing_public_key: str) -> bytes:
    return json.dumps(
        [organisation, age_recipient, signing_public_key], separators=(",", ":")
    ).encode("utf-8")


def seal_secrets(secrets: KeySecrets, passphrase: str, associated: bytes) -> tuple[str, bytes]:
    """(kdf JSON, nonce || ciphertext)."""
    # argon2 and cryptography load here, when a key is sealed or opened: windows import this
    # module (fingerprints) at start-up and open no key there.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt = os.urandom(16)
    kdf: dict[str, int | str] = {
        "name": "argon2id",
        "salt": base64.b64encode(salt).decode("ascii"),
        "time_cost": KDF_TIME_COST,
        "memory_cost": KDF_MEMORY_KIB,
        "parallelism": KDF_PARALLELISM,
    }
    key = _derive(passphrase, salt, kdf)
    plain = json.dumps(
        {
            "age_identity": secrets.age_identity,
            "signing_private_key": base64.b64encode(secrets.signing_private_key).decode("ascii"),
        }
    ).encode("utf-8")
    nonce = os.urandom(12)
    return json.dumps(kdf, sort_keys=True), nonce + AESGCM(key).encrypt(nonce, plain, associated)


def open_secrets(
    kdf_json: str, sealed: bytes, passphrase: str, associated: bytes, organisation: str
) -> KeySecrets:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kdf = json.loads(kdf_json)
    if kdf.get("name") != "argon2id":
        raise OneTakeError(
            f"The key of {organisation} is sealed in a way this OneTake cannot open."
        )
    key = _derive(passphrase, base64.b64decode(kdf["salt"]), kdf)
    try:
        plain = AESGCM(key).decrypt(sealed[:12], sealed[12:], associated)
    except InvalidTag:
        raise WrongPassphraseError(
            f"That passphrase does not open the key of {organisation}."
        ) from None
    data = json.loads(plain)
    return KeySecrets(str(data["age_identity"]), base64.b64decode(data["signing_private_key"]))


class KeyStore:
    """The ``org_keys`` table (its connection belongs to the calling thread)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        organisation: str,
        age_recipient: str,
        signing_public_key: str,
        secrets: KeySecrets,
        passphrase: str,
    ) -> KeyRecord:
        fingerprint = fingerprint_of(base64.b64decode(signing_public_key))
        kdf, sealed = seal_secrets(
            secrets, passphrase, _associated_data(organisation, age_recipient, signing_public_key)
        )
        created = utc_now()
        with transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO org_keys (organisation, age_recipient, signing_public_key,"
                " fingerprint, kdf, sealed_secret, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    organisation,
                    age_recipient,
                    signing_public_key,
                    fingerprint,
                    kdf,
                    sealed,
                    created,
                ),
            )
            row_id = int(cursor.lastrowid or 0)
        return KeyRecord(
            row_id, organisation, age_recipient, signing_public_key, fingerprint, created
        )

    def all(self) -> list[KeyRecord]:
        rows = self.db.execute(
            "SELECT id, organisation, age_recipient, signing_public_key, fingerprint, created_at"
            " FROM org_keys ORDER BY id"
        ).fetchall()
        return [
            KeyRecord(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]))
            for r in rows
        ]

    def unseal(self, record: KeyRecord, passphrase: str) -> KeySecrets:
        row = self.db.execute(
            "SELECT kdf, sealed_secret FROM org_keys WHERE id = ?", (record.id,)
        ).fetchone()
        if row is None:
            raise OneTakeError(f"The key of {record.organisation} is no longer in the library.")
        return open_secrets(
            str(row[0]),
            bytes(row[1]),
            passphrase,
            _associated_data(record.organisation, record.age_recipient, record.signing_public_key),
            record.organisation,
        )

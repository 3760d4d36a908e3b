"""Signed kits (issue 13): an Ed25519 signature over the kit's content hash, beside it in the file.

The signed message is the canonical JSON (sorted keys, no whitespace, UTF-8) of::

    {"purpose": "onetake-kit-signature", "version": 1, "content_hash": "sha256:<hex>",
     "organisation": "<signer's organisation>", "public_key": "<base64 raw Ed25519 key>"}

where ``content_hash`` is the kit's own (sha256 of the canonical JSON of every kit field but
``content_hash`` and ``signature``; see docs/formats.md). The file carries::

    "signature": {"algorithm": "ed25519", "organisation": ..., "public_key": ..., "value": ...}

Signing a hash keeps the signature independent of how the file is laid out; binding the
organisation and key into the message stops a signature being relabelled.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.kit import Kit, kit_content_hash
from onetake_desktop.domain.validation import canonical_json, text_problem

ALGORITHM = "ed25519"
PURPOSE = "onetake-kit-signature"


@dataclass(frozen=True)
class KitSigner:
    """What signing needs from an unlocked organisation key (services/keys.py)."""

    organisation: str
    public_key: bytes  # raw 32 bytes
    recipient: str  # the key's age recipient, put into the kit's hand_over
    sign: Callable[[bytes], bytes]


@dataclass(frozen=True)
class KitSignature:
    """Who signed a kit whose signature checked out."""

    organisation: str
    fingerprint: str  # sha256 hex of the public key

    @property
    def short_fingerprint(self) -> str:
        # storage.keystore loads here, not with this module: it brings the library database
        # with it, which reading a kit never needs (issue 17: sqlite3 before the candidate
        # window's first paint).
        from onetake_desktop.storage.keystore import short_fingerprint

        return short_fingerprint(self.fingerprint)

    @property
    def notice(self) -> str:
        return f"Signed by {self.organisation} (key {self.short_fingerprint})."


def signed_message(content_hash: str, organisation: str, public_key_b64: str) -> bytes:
    return canonical_json(
        {
            "purpose": PURPOSE,
            "version": 1,
            "content_hash": content_hash,
            "organisation": organisation,
            "public_key": public_key_b64,
        }
    )


def sign_kit(kit: Kit, signer: KitSigner) -> dict[str, Any]:
    """The ``signature`` object for this kit (the kit must already hold its hand_over)."""
    public_b64 = base64.b64encode(signer.public_key).decode("ascii")
    message = signed_message(kit_content_hash(kit), signer.organisation, public_b64)
    return {
        "algorithm": ALGORITHM,
        "organisation": signer.organisation,
        "public_key": public_b64,
        "value": base64.b64encode(signer.sign(message)).decode("ascii"),
    }


@dataclass(frozen=True)
class _Claimed:
    organisation: str
    public_key_b64: str
    public_key: bytes
    value: bytes


def _malformed() -> InvalidInputError:
    return InvalidInputError(
        "This interview kit's signature is damaged, so the kit cannot be trusted; "
        "ask the employer for a fresh copy."
    )


def read_signature(raw: object) -> _Claimed:
    """The signature object as claimed (shape checked, not yet verified)."""
    if not isinstance(raw, dict) or set(raw) != {
        "algorithm",
        "organisation",
        "public_key",
        "value",
    }:
        raise _malformed()
    if raw["algorithm"] != ALGORITHM:
        raise _malformed()
    organisation, public_b64, value_b64 = raw["organisation"], raw["public_key"], raw["value"]
    if not all(isinstance(v, str) for v in (organisation, public_b64, value_b64)):
        raise _malformed()
    if not 1 <= len(organisation) <= 200 or text_problem(organisation, multiline=False):
        raise _malformed()
    try:
        public = base64.b64decode(public_b64, validate=True)
        value = base64.b64decode(value_b64, validate=True)
    except (binascii.Error, ValueError):
        raise _malformed() from None
    if len(public) != 32 or len(value) != 64:
        raise _malformed()
    return _Claimed(organisation, public_b64, public, value)


def changed_after_signing(claimed: _Claimed) -> InvalidInputError:
    from onetake_desktop.storage.keystore import fingerprint_of, short_fingerprint

    who = f"{claimed.organisation} (key {short_fingerprint(fingerprint_of(claimed.public_key))})"
    return InvalidInputError(
        f"This interview kit was changed after {who} signed it, so it cannot be trusted; "
        f"ask {claimed.organisation} for a fresh copy."
    )


def verify_signature(kit: Kit, claimed: _Claimed) -> KitSignature:
    """Check the signature over this kit's content hash; refuse with one sentence if it fails."""
    # cryptography loads with the first signature checked, not with the windows that import
    # this module at start-up.
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    message = signed_message(kit_content_hash(kit), claimed.organisation, claimed.public_key_b64)
    try:
        Ed25519PublicKey.from_public_bytes(claimed.public_key).verify(claimed.value, message)
    except (InvalidSignature, ValueError):
        raise changed_after_signing(claimed) from None
    from onetake_desktop.storage.keystore import fingerprint_of

    return KitSignature(claimed.organisation, fingerprint_of(claimed.public_key))

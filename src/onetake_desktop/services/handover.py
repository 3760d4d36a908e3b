"""Handing the sealed bundle over (issue 13): the candidate side and the reviewer's import side.

Candidate side (what the candidate window and ``run_headless`` call):

- :func:`kit_trust` says who signed a kit (or that it is not signed), refusing a changed one.
- :func:`seal_for_kit` seals the bundle and, when the kit names a recipient, encrypts it to the
  employer as one ``.onetake.age`` file (age format, streamed: memory stays flat whatever the
  size); the receipt's size and SHA-256 are those of the file the candidate sends.
- Uploading lives in services/upload.py.

Reviewer side: :func:`decrypt_if_encrypted` turns an encrypted bundle into a private plain copy
inside the library (with the identities unlocked in this process, services/keys.py) that the
ordinary import then checks exactly as any bundle; :func:`bundle_files_in` finds bundles in a
folder, encrypted ones and completed uploads of a tus file store included.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.domain.handover import upload_address_problem
from onetake_desktop.domain.kit import Kit
from onetake_desktop.domain.validation import MalformedError, ProblemsError
from onetake_desktop.paths import private_dir
from onetake_desktop.storage.atomic import atomic_output, os_error_sentence
from onetake_desktop.storage.kitfile import UNSIGNED_NOTICE, SignedKit, load_signed_kit

if TYPE_CHECKING:
    import pyrage

    from onetake_desktop.storage.bundle import BundleReceipt
    from onetake_desktop.storage.kit_signature import KitSignature

# Issue 17: the candidate window asks kit_trust before its first paint; the bundle writer,
# age (pyrage), uuid and hashlib load when a bundle is sealed, encrypted or decrypted.
PLAIN_SUFFIX = ".onetake"  # storage.bundle.BUNDLE_SUFFIX (tests/ui/test_window_start_imports.py)
ENCRYPTED_SUFFIX = PLAIN_SUFFIX + ".age"
AGE_MAGIC = b"age-encryption.org/v1\n"
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1024 * 1024
# Decrypted copies live in a folder the importer's orphan sweep removes after a crash.
DECRYPT_PREFIX = ".incoming-decrypted-"


# -- the kit's trust notice -----------------------------------------------------------------------


# A NamedTuple, not a frozen dataclass: as immutable and typed, ~3 M instructions less to
# define at start-up on Python 3.11 (issue 17).
class KitTrust(NamedTuple):
    """What the candidate is told about where a kit comes from."""

    signed: bool
    organisation: str  # the signer ("" when not signed)
    short_fingerprint: str  # "D0DD 915E 42C0 33E2" ("" when not signed)
    notice: str  # one plain sentence to show as is


def checked_kit(path: Path) -> SignedKit:
    """The kit at ``path``, read and checked (its signature, then every field); raises
    InvalidInputError (one sentence, exit 3) when it is damaged or was changed after signing.
    ``onetake candidate`` checks the kit before any window and hands this to the window, so
    what the window shows is what was checked (and the file is read once).

    A file that is not a kit at all, or not a whole one, is said in the candidate's words, with
    what to do (review s11 #18): the detail (``--debug``'s traceback keeps it) is the employer's
    business, and the candidate can only ask for a new copy."""
    path = Path(path)
    try:
        return load_signed_kit(path)
    except (MalformedError, ProblemsError) as error:
        raise InvalidInputError(unreadable_kit_sentence(path)) from error


def unreadable_kit_sentence(path: Path) -> str:
    """One sentence for a kit file that cannot be read, ending with the candidate's next step.
    (A kit of a newer format version has its own sentence: update OneTake.)"""
    return (
        f"The interview kit {path.name} is damaged or is not an interview kit, so it cannot be "
        "opened; ask the employer for a new copy of the interview kit."
    )


def kit_trust(path: Path) -> KitTrust:
    """Who signed the kit at ``path``; InvalidInputError (one sentence, exit 3) when a signed
    kit was changed after signing. Unsigned kits get the not-signed notice."""
    return trust_of(checked_kit(path).signature)


def trust_of(signature: KitSignature | None) -> KitTrust:
    """The notice for a kit already read (and verified) by ``load_signed_kit``."""
    if signature is None:
        return KitTrust(False, "", "", UNSIGNED_NOTICE)
    return KitTrust(True, signature.organisation, signature.short_fingerprint, signature.notice)


# -- what the Send page offers --------------------------------------------------------------------


class SendOptions(NamedTuple):  # a NamedTuple: see KitTrust
    """How this kit's bundle can be handed over (for the candidate's Send page)."""

    upload_url: str  # "" : no "Send now"; saving the file is always offered
    instructions: str  # the employer's words for other ways ("" : none)
    encrypted: bool  # the bundle is sealed as NAME.onetake.age for the employer's key
    # Why "Send now" is not offered to the kit's address ("" : it is): an older kit's http://
    # address, which domain.handover's rule refuses (the file would go in clear text).
    refused: str = ""

    @property
    def can_upload(self) -> bool:
        return bool(self.upload_url) and not self.refused


REFUSED_ADDRESS = (
    "This interview's address for sending is not secure (it does not start with https://), "
    "so your answers are not sent from here: save the file and send it as described below."
)


def send_options(kit: Kit) -> SendOptions:
    h = kit.hand_over
    if h is None:
        return SendOptions("", "", False)
    refused = ""
    if h.upload_url and upload_address_problem(h.upload_url) is not None:
        refused = REFUSED_ADDRESS
    return SendOptions(h.upload_url, h.instructions, bool(h.recipient), refused)


# -- sealing, encrypted to the employer ---------------------------------------------------------


def recipient_of(kit: Kit) -> str:
    return kit.hand_over.recipient if kit.hand_over is not None else ""


def sent_path(kit: Kit, out: Path) -> Path:
    """Where the file the candidate sends ends up: ``out``, or ``out`` + ``.age`` when the
    kit names a recipient."""
    out = Path(out)
    if not recipient_of(kit) or out.name.endswith(".age"):
        return out
    return out.with_name(out.name + ".age")


class _HashingWriter:
    """A file wrapper that hashes and counts what passes through (for the receipt)."""

    def __init__(self, handle: BinaryIO) -> None:
        import hashlib

        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()


def encrypt_file(plain: Path, out: Path, recipient: str) -> tuple[int, str]:
    """Encrypt ``plain`` to ``recipient`` into ``out`` (atomic, streamed); (size, sha256)."""
    import pyrage

    try:
        to = pyrage.x25519.Recipient.from_str(recipient)
    except pyrage.RecipientError:
        raise InvalidInputError(
            "The kit's encryption key (hand_over.recipient) is not valid."
        ) from None
    with atomic_output(out) as handle, open(plain, "rb") as source:
        writer = _HashingWriter(handle)
        try:
            pyrage.encrypt_io(source, writer, [to])
        except OSError as error:
            raise os_error_sentence(error, f"write {out.name}") from error
    return writer.size, writer.digest.hexdigest()


def seal_for_kit(kit: Kit, write: Callable[[Path], BundleReceipt], out: Path) -> BundleReceipt:
    """Seal with ``write`` (e.g. storage.bundle.write_bundle bound to the answers) and, when the
    kit names a recipient, encrypt the bundle to it. The receipt describes the file to send."""
    import uuid

    from onetake_desktop.services.upload import remember_kit_target
    from onetake_desktop.storage.bundle import BundleReceipt

    final = sent_path(kit, out)
    recipient = recipient_of(kit)
    if not recipient:
        receipt = write(final)
        remember_kit_target(final, kit)
        return receipt
    # The plain bundle exists only until it is encrypted, beside the output (same disk, and the
    # candidate's own recordings are on this machine anyway).
    plain = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.plain{PLAIN_SUFFIX}")
    try:
        receipt = write(plain)
        size, sha256 = encrypt_file(plain, final, recipient)
    finally:
        plain.unlink(missing_ok=True)
    remember_kit_target(final, kit)
    return BundleReceipt(final, size, sha256, receipt.manifest)


# -- the reviewer's side ------------------------------------------------------------------------


def is_encrypted(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(AGE_MAGIC)) == AGE_MAGIC
    except OSError:
        return False


def decrypt_file(path: Path, out: Path, identities: list[pyrage.x25519.Identity]) -> None:
    """Decrypt ``path`` into the new file ``out`` (streamed); one sentence when it cannot be."""
    _decrypt_into(path, Path(out), identities)


class _Digest:
    """A sink for decrypted bytes that keeps only their SHA-256."""

    def __init__(self) -> None:
        import hashlib

        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return len(data)

    def flush(self) -> None:
        pass


def plain_sha256(path: Path) -> str:
    """The SHA-256 of the bundle ``path`` holds, as the import records it (the plain zip's,
    for an encrypted bundle too), without writing any of it anywhere: an encrypted one is
    decrypted into the hash alone. One sentence when it cannot be decrypted; OSError when it
    cannot be read."""
    digest = _Digest()
    if is_encrypted(path):
        from onetake_desktop.services.keys import unlocked_identities

        _decrypt_into(path, digest, unlocked_identities())
        return digest.hash.hexdigest()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.write(chunk)
    return digest.hash.hexdigest()


def _decrypt_into(
    path: Path, out: Path | _Digest, identities: list[pyrage.x25519.Identity]
) -> None:
    """Decrypt ``path`` into the new file ``out``, or into a digest only."""
    import pyrage

    name = Path(path).name
    if not identities:
        raise OneTakeError(
            f"{name} is encrypted to an organisation key, and no key of this library is "
            "unlocked; import it again and give the key's passphrase."
        )
    try:
        with open(path, "rb") as source, contextlib.ExitStack() as files:
            sink = files.enter_context(open(out, "xb")) if isinstance(out, Path) else out
            pyrage.decrypt_io(source, sink, identities)
    except pyrage.DecryptError as error:
        if "no matching keys" in str(error).lower():
            raise InvalidInputError(
                f"{name} is encrypted for another organisation's key, not this library's, "
                "so it cannot be opened here."
            ) from None
        raise _damaged(name) from None
    except OSError as error:
        if error.errno is None:  # pyrage reports a cut or altered stream as a bare OSError
            raise _damaged(name) from None
        raise os_error_sentence(error, f"decrypt {name}") from error


def _damaged(name: str) -> InvalidInputError:
    return InvalidInputError(f"{name} is damaged: its encryption does not check out.")


@contextlib.contextmanager
def decrypted(path: Path, scratch_root: Path) -> Iterator[Path]:
    """The path to import: ``path`` itself, or (encrypted) a private decrypted copy in a
    folder under ``scratch_root`` that is removed afterwards (and by the orphan sweep if the
    import is killed)."""
    if not is_encrypted(path):
        yield path
        return
    import uuid

    from onetake_desktop.services.keys import unlocked_identities

    folder = private_dir(scratch_root / f"{DECRYPT_PREFIX}{uuid.uuid4().hex[:12]}")
    try:
        plain = folder / f"bundle{PLAIN_SUFFIX}"
        decrypt_file(path, plain, unlocked_identities())
        yield plain
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- finding bundles in folders (tus file store included) ---------------------------------------


def _completed_tus_upload(info: Path) -> Path | None:
    """The upload file a ``@tus/file-store`` ``<id>.json`` describes, when every byte is there."""
    data_file = info.with_suffix("")
    try:
        meta = json.loads(info.read_bytes()[:65536])
        size = meta.get("size") if isinstance(meta, dict) else None
        if not isinstance(size, int) or not data_file.is_file():
            return None
        if data_file.stat().st_size != size or size == 0:
            return None
        with open(data_file, "rb") as handle:
            head = handle.read(len(AGE_MAGIC))
    except (OSError, ValueError):
        return None
    return data_file if head.startswith((AGE_MAGIC, ZIP_MAGIC)) else None


def bundle_files_in(folder: Path) -> list[Path]:
    """Every bundle under ``folder``: ``*.onetake``, ``*.onetake.age``, and the completed
    uploads of a tus file store (``<id>`` beside ``<id>.json``; partial uploads are left)."""
    found = {p for p in folder.rglob(f"*{PLAIN_SUFFIX}") if p.is_file()}
    found |= {p for p in folder.rglob(f"*{ENCRYPTED_SUFFIX}") if p.is_file()}
    for info in folder.rglob("*.json"):
        upload = _completed_tus_upload(info)
        if upload is not None:
            found.add(upload)
    return sorted(found)

"""Kit files on disk: ``.onetakekit`` (candidates), ``.onetakeinterview`` (reviewers), TOML source.

Both built files are UTF-8 JSON (see docs/formats.md); the kit carries its ``content_hash`` so a
changed copy is noticed. Reading checks size, depth and every field; writing is atomic.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.handover import HandOver
from onetake_desktop.domain.kit import (
    Kit,
    definition_from_dict,
    definition_from_toml_dict,
    definition_to_dict,
    kit_content_hash,
    kit_from_dict,
    kit_to_dict,
)
from onetake_desktop.domain.validation import (
    MAX_JSON_BYTES,
    MalformedError,
    ProblemsError,
    load_json_bytes,
    pretty_json,
)
from onetake_desktop.paths import resource
from onetake_desktop.storage.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from onetake_desktop.domain.definition import InterviewDefinition
    from onetake_desktop.storage.kit_signature import KitSignature, KitSigner

# storage.kit_signature (cryptography, the key store) loads with the first signed or signing
# kit, storage.regular_file with the first file read: the path of the demo definition (looked
# up on every library open) needs neither. Reading or showing an unsigned kit needs only
# these two names (issue 17: kit_signature's imports and dataclasses wait for a signature).
SIGNATURE_KEY = "signature"  # the kit file's signature field (storage.kit_signature)
UNSIGNED_NOTICE = "This interview kit is not signed."

KIT_SUFFIX = ".onetakekit"
DEFINITION_SUFFIX = ".onetakeinterview"
DEMO_KIT = "demo.onetakekit"
DEMO_DEFINITION = "demo.onetakeinterview"
DEMO_TOML = "demo-interview.toml"


def _read_limited(path: Path, what: str) -> bytes:
    from onetake_desktop.storage.regular_file import open_regular_file

    with open_regular_file(path, what) as handle:
        raw = handle.read(MAX_JSON_BYTES + 1)
    if raw[:4] in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip file: a bundle most likely (walk s13)
        raise MalformedError(_zip_sentence(path, what))
    # An encrypted bundle (NAME.onetake.age) is named for what it is too (review s13b B13).
    if raw.startswith(_AGE_HEADER) or path.name.lower().endswith(".onetake.age"):
        raise MalformedError(_age_sentence(path, what))
    if len(raw) > MAX_JSON_BYTES:
        raise MalformedError(f"{path.name} is larger than {MAX_JSON_BYTES:,} bytes.")
    return raw


# The first line of every age file (services.handover.AGE_MAGIC; storage does not import it).
_AGE_HEADER = b"age-encryption.org/v1"


def _zip_sentence(path: Path, what: str) -> str:
    if path.suffix.lower() == ".onetake":  # storage.bundle's suffix (not imported for a name)
        return _bundle_sentence(path, what, "")
    return f"{path.name} is a zip file, not an {what}."


def _age_sentence(path: Path, what: str) -> str:
    if path.name.lower().endswith(".onetake.age"):  # `bundle inspect` opens it with the key
        return _bundle_sentence(path, what, "encrypted ")
    return f"{path.name} is an encrypted (age) file, not an {what}."


def _bundle_sentence(path: Path, what: str, kind: str) -> str:
    import shlex

    return (
        f"{path.name} is a candidate's {kind}submission bundle, not an {what}; "
        f"to see what it holds, run: onetake bundle inspect {shlex.quote(str(path))}"
    )


read_limited = _read_limited  # for services that read a kit-like file their own way


def kit_file_bytes(kit: Kit, signature: dict[str, Any] | None = None) -> bytes:
    data = kit_to_dict(kit)
    data["content_hash"] = kit_content_hash(kit)
    if signature is not None:
        data[SIGNATURE_KEY] = signature
    return pretty_json(data)


def definition_file_bytes(definition: InterviewDefinition) -> bytes:
    return pretty_json(definition_to_dict(definition))


# A NamedTuple, not a frozen dataclass: as immutable and typed, ~3 M instructions less to
# define at start-up on Python 3.11 (issue 17).
class SignedKit(NamedTuple):
    """A kit as read from its file, with who signed it (None: not signed)."""

    kit: Kit
    signature: KitSignature | None


def load_signed_kit(path: Path) -> SignedKit:
    """Read a ``.onetakekit`` and check its signature if it has one: a kit changed after it was
    signed is refused (InvalidInputError, one sentence); an unsigned kit reads as before."""
    data = load_json_bytes(_read_limited(path, "interview kit"), f"kit file {path.name}")
    if not isinstance(data, dict) or SIGNATURE_KEY not in data:
        return SignedKit(kit_from_dict(data), None)
    from onetake_desktop.storage.kit_signature import (
        changed_after_signing,
        read_signature,
        verify_signature,
    )

    data = dict(data)
    claimed = read_signature(data.pop(SIGNATURE_KEY))
    try:
        kit = kit_from_dict(data)
    except ProblemsError:
        raise
    except InvalidInputError:  # its content no longer matches its content hash
        raise changed_after_signing(claimed) from None
    return SignedKit(kit, verify_signature(kit, claimed))


def load_kit(path: Path) -> Kit:
    """Read a ``.onetakekit``; InvalidInputError says what is wrong and where (a signed kit
    is refused when it was changed after signing)."""
    return load_signed_kit(path).kit


def load_definition(path: Path) -> InterviewDefinition:
    """Read a ``.onetakeinterview`` (kit plus rubrics)."""
    raw = _read_limited(path, "interview definition")
    return definition_from_dict(load_json_bytes(raw, f"interview file {path.name}"))


def load_toml(source: Path) -> InterviewDefinition:
    import tomllib  # authoring only

    raw = _read_limited(source, "interview TOML")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInputError(f"{source.name} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputError(f"{source.name} is not valid TOML ({error}).") from None
    return definition_from_toml_dict(data)


def save_kit(kit: Kit, path: Path, signature: dict[str, Any] | None = None) -> None:
    atomic_write_bytes(path, kit_file_bytes(kit, signature))


def save_definition(definition: InterviewDefinition, path: Path) -> None:
    atomic_write_bytes(path, definition_file_bytes(definition))


def definition_path_for(kit_path: Path) -> Path:
    return kit_path.with_suffix(DEFINITION_SUFFIX)


def build_from_toml(
    source: Path, kit_out: Path, signer: KitSigner | None = None
) -> tuple[Path, Path]:
    """Validate ``source`` and write ``kit_out`` and its ``.onetakeinterview`` sibling.

    With ``signer``, the kit gets the signer's age recipient in its ``hand_over`` (bundles
    will be encrypted to it) and a signature over its content hash."""
    kit_out = Path(kit_out)
    if kit_out.suffix != KIT_SUFFIX:
        kit_out = kit_out.with_name(kit_out.name + KIT_SUFFIX)
    definition = load_toml(source)
    signature = None
    if signer is not None:
        kit = definition.kit
        hand_over = (kit.hand_over or HandOver())._replace(recipient=signer.recipient)
        kit = kit._replace(hand_over=hand_over)
        import dataclasses  # authoring with a signer only: its imports (inspect, ast) are slow

        definition = dataclasses.replace(definition, kit=kit)
        from onetake_desktop.storage.kit_signature import sign_kit

        signature = sign_kit(kit, signer)
    definition_out = definition_path_for(kit_out)
    kit_out.parent.mkdir(parents=True, exist_ok=True)
    save_kit(definition.kit, kit_out, signature)
    save_definition(definition, definition_out)
    return kit_out, definition_out


def demo_kit_path() -> Path:
    return resource("kits", DEMO_KIT)


def demo_definition_path() -> Path:
    return resource("kits", DEMO_DEFINITION)


def demo_source_path() -> Path:
    return resource("kits", DEMO_TOML)

"""Authoring use cases: build kits from TOML, validate any kit-like file, show a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.kit import InterviewDefinition, Kit, describe_kit
from onetake_desktop.domain.validation import Problem, ProblemsError
from onetake_desktop.storage import kitfile
from onetake_desktop.storage.kit_signature import UNSIGNED_NOTICE, KitSigner


@dataclass(frozen=True)
class ValidationReport:
    path: Path
    kind: str  # "interview TOML", "interview kit", "interview definition"
    problems: list[Problem] = field(default_factory=list)
    kit: Kit | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return "interview TOML"
    if suffix == kitfile.DEFINITION_SUFFIX:
        return "interview definition"
    return "interview kit"


def load_any(path: Path) -> InterviewDefinition | Kit:
    """A TOML source or definition gives the definition (with rubrics); a kit gives the kit."""
    kind = _kind(path)
    if kind == "interview TOML":
        return kitfile.load_toml(path)
    if kind == "interview definition":
        return kitfile.load_definition(path)
    return kitfile.load_kit(path)


def validate_file(path: Path) -> ValidationReport:
    """Every problem in a TOML source, kit or definition, each with its field path."""
    kind = _kind(path)
    try:
        loaded = load_any(path)
    except ProblemsError as error:
        return ValidationReport(path, kind, error.problems)
    except InvalidInputError as error:
        return ValidationReport(path, kind, [Problem("", str(error))])
    kit = loaded.kit if isinstance(loaded, InterviewDefinition) else loaded
    return ValidationReport(path, kind, [], kit)


def build_kit(source: Path, output: Path, signer: KitSigner | None = None) -> tuple[Path, Path]:
    """Build the kit and definition; ``signer`` (services/keys.py) signs the kit and puts the
    organisation's age recipient in it, so bundles are encrypted to the employer."""
    return kitfile.build_from_toml(source, output, signer)


def trust_line(path: Path) -> str | None:
    """Who signed a kit file ("Signed by ... (key ...)." or the not-signed notice); None for
    a TOML source or an interview definition, which are never signed."""
    if _kind(path) != "interview kit":
        return None
    signature = kitfile.load_signed_kit(path).signature
    return signature.notice if signature is not None else UNSIGNED_NOTICE


def show_file(path: Path) -> str:
    loaded = load_any(path)
    if isinstance(loaded, InterviewDefinition):
        return describe_kit(loaded.kit, loaded.rubrics)
    return describe_kit(loaded)

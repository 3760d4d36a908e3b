"""Small signed kits and organisation keys for the hand-over tests (issue 13)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from onetake_desktop.paths import app_paths
from onetake_desktop.services.keys import KeyService
from onetake_desktop.storage import kitfile

PASSPHRASE = "correct horse battery"

_RUBRIC = """
  [questions.rubric]
  competency = "Clarity"
  1 = "Unclear."
  2 = "Partly clear."
  3 = "Clear."
  4 = "Clear and concrete."
  5 = "Clear, concrete and kind."
"""

SMALL_TOML = (
    """
interview_id = "handover-test"
version = "1"
organisation = "Harbour Lane"
role_title = "Support engineer"
default_answer_type = "video"
retention_days = 30
welcome = "Hello."
instructions = "One short recorded answer, one written."
privacy_notice = "Only the hiring team sees your answers; kept 30 days."

[[questions]]
id = "q1"
text = "Tell us about yourself."
think_seconds = 0
answer_min_seconds = 0
answer_max_seconds = 5
"""
    + _RUBRIC
    + """
[[questions]]
id = "q2"
text = "Why this role?"
think_seconds = 0
answer_max_seconds = 60
answer_type = "text"
"""
    + _RUBRIC
)


@dataclass(frozen=True)
class SignedKit:
    kit: Path
    definition: Path
    recipient: str
    short_fingerprint: str


def signed_small_kit(
    folder: Path, hand_over: str = "", org: str = "Harbour Lane", toml: str = SMALL_TOML
) -> SignedKit:
    """A new organisation key in the test's library and a small kit signed with it."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "interview.toml"
    source.write_text(toml + hand_over, encoding="utf-8")
    with KeyService(app_paths().ensure().database) as keys:
        record = keys.new_key(org, PASSPHRASE)
        kit, definition = kitfile.build_from_toml(
            source, folder / "role.onetakekit", keys.signer(PASSPHRASE, record)
        )
    return SignedKit(kit, definition, record.age_recipient, record.short_fingerprint)

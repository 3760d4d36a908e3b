"""How the import box and its refusals name each refused file: once, whatever the reason's
shape (services.importing ``ImportOutcome.line``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from onetake_desktop.services.importing import ImportOutcome


@pytest.mark.parametrize(
    ("name", "reason", "line"),
    [
        (
            "x.onetake",
            "x.onetake is not a complete bundle (no zip end record).",
            "x.onetake is not a complete bundle (no zip end record).",
        ),
        (
            "x.onetake",
            "There is not enough free disk space to import x.onetake.",
            "There is not enough free disk space to import x.onetake.",
        ),
        (
            "x.onetake",
            "/home/ana/x.onetake does not exist.",
            "/home/ana/x.onetake does not exist.",
        ),
        (
            "x.onetake",
            "Could not import x.onetake (Permission denied).",
            "Could not import x.onetake (Permission denied).",
        ),
        ("x.onetake", "The bundle was sealed by a newer OneTake.", None),
        ("zip", "This is not a zip file.", None),  # a plain word is never taken as named
        ("a.onetake", "Lena.onetake is refused.", None),  # another file's name
    ],
)
def test_a_refusal_names_its_file_once(name: str, reason: str, line: str | None) -> None:
    outcome = ImportOutcome(Path("/home/ana") / name, "refused", reason)
    assert outcome.line() == (line or f"{name}: {reason}")

"""Default export file names: whose and when, and always a file name."""

from __future__ import annotations

from datetime import UTC, datetime

from onetake_desktop.services.export_names import export_file_name
from onetake_desktop.services.scoring import Actor

DAY = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # noon UTC: the 29th on every calendar


def test_a_panelists_export_is_named_after_them_and_the_day() -> None:
    ana = Actor(1, "Ana", True)
    assert export_file_name("scores", ana, "csv", DAY) == "scores-Ana-2026-11-29.csv"


def test_the_lone_reviewers_export_has_no_name_in_it() -> None:
    me = Actor(1, "Me", False)
    assert export_file_name("shortlist", me, "json", DAY) == "shortlist-2026-11-29.json"


def test_a_name_no_file_name_can_hold_becomes_letters_and_dashes() -> None:
    odd = Actor(2, "Zoë / A.B. ../x", True)
    name = export_file_name("panel", odd, "csv", DAY)
    assert name == "panel-Zoë-A-B-x-2026-11-29.csv"
    assert "/" not in name and ".." not in name
    blank = Actor(3, "///", True)
    assert export_file_name("panel", blank, "csv", DAY) == "panel-2026-11-29.csv"

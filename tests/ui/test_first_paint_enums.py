"""Issue 17 (quick start): no window builds PySide6's ``Qt`` namespace before its first paint.

Naming ``Qt`` (or calling an overload that takes one of its enums) makes PySide6 build all of
its ~95 enum classes at once, a fifth of a bare window's start-up; the windows set their
enum-typed properties by number (``ui/widgets/qt_numbers.py``) until they are on screen. Each
window runs its real start-up path (``onetake_desktop.app.main``) to its first paint in a fresh
process, through the start-up bench's own driver, which reports what was loaded by then.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from onetake_desktop.paths import resource
from onetake_desktop.ui.widgets import qt_numbers
from tests.ui.fresh_process import REPO, run_python


def _mirrors() -> list[tuple[str, str, int]]:
    found = []
    for enum_name, holder in vars(qt_numbers).items():
        if inspect.isclass(holder) and holder.__module__ == qt_numbers.__name__:
            for member, value in vars(holder).items():
                if not member.startswith("_"):
                    found.append((enum_name, member, value))
    return found


def test_every_number_is_qts_own() -> None:
    mirrors = _mirrors()
    assert len(mirrors) > 40
    for enum_name, member, value in mirrors:
        assert getattr(getattr(Qt, enum_name), member).value == value, (enum_name, member)


def test_set_properties_sets_enum_properties_by_number(qtbot: QtBot) -> None:
    label = QLabel("<b>x</b>")
    qtbot.addWidget(label)
    qt_numbers.set_properties(
        label,
        textFormat=qt_numbers.TextFormat.PlainText,
        alignment=qt_numbers.AlignmentFlag.AlignCenter,
        focusPolicy=qt_numbers.FocusPolicy.TabFocus,
    )
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.alignment() == Qt.AlignmentFlag.AlignCenter
    assert label.focusPolicy() == Qt.FocusPolicy.TabFocus


def test_set_properties_refuses_a_name_that_is_no_property(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    with pytest.raises(ValueError, match="textFromat"):
        qt_numbers.set_properties(label, textFromat=0)


DEMO_KIT = str(resource("kits", "demo.onetakekit"))
DEMO_TOML = str(resource("kits", "demo-interview.toml"))

# Each case: the command's arguments, and whether the home holds a saved interview (the
# demo kit's, consent given: the candidate window reopens it on its resume page).
WINDOWS: dict[str, tuple[list[str], bool]] = {
    "start": ([], False),
    "author": (["author"], False),
    "author on a file": (["author", DEMO_TOML], False),
    "review": (["review"], False),
    "candidate": (["candidate", DEMO_KIT], False),
    "candidate reopened": (["candidate", DEMO_KIT], True),
}


def _save_an_interview(home: Path) -> None:
    from onetake_desktop.domain.kit import kit_content_hash
    from onetake_desktop.services.candidate import CandidateService
    from onetake_desktop.storage.kitfile import load_kit

    kit = load_kit(Path(DEMO_KIT))
    service = CandidateService(kit, kit_content_hash(kit), sessions=home / "data" / "sessions")
    service.begin()
    service.give_consent("Ada Lovelace", "ada@example.org")
    assert list((home / "data" / "sessions").glob("*/state.json"))


def first_paint_report(args: list[str], home: Path, tmp_path: Path) -> list[str]:
    """The app's own start-up (``onetake ARGS``) on ``home``, to its first paint in a fresh
    process, through the start-up bench's driver: the modules then loaded, and whether the Qt
    namespace was built (the last line)."""
    report = tmp_path / "modules.txt"
    bench_driver = str(REPO / "bench" / "_first_paint.py")
    done = run_python([bench_driver, *args], home, FIRST_PAINT_MODULES=str(report))
    assert "FIRST_PAINT" in done.stdout
    return report.read_text().splitlines()


@pytest.mark.parametrize("window", sorted(WINDOWS))
def test_no_window_builds_the_qt_namespace_before_its_first_paint(
    window: str, tmp_path: Path
) -> None:
    args, saved = WINDOWS[window]
    if saved:
        _save_an_interview(tmp_path / "home")
    lines = first_paint_report(args, tmp_path / "home", tmp_path)
    assert "onetake_desktop.ui.application" in lines  # the app's own path ran
    assert lines[-1] == "QtCore.Qt built: no"

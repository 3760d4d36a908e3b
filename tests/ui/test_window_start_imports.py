"""Issue 17 (quick start): the candidate, author and reviewer windows import what their first
page needs, and what waits still arrives when it is used.

Each window is built in a fresh process (``sys.modules`` is per process) through the app's own
entry point, ``ui.application.open_window``; the candidate one only after ``kit_trust``, as
``onetake candidate`` does (a changed kit is refused before any window). The later steps are
then exercised in the same process: building every page, the send page's hand-over options.
"""

from __future__ import annotations

import json
from pathlib import Path

from onetake_desktop.paths import resource
from onetake_desktop.services import handover
from onetake_desktop.storage import bundle
from tests.ui.fresh_process import run_python

# Loaded by the candidate window only when a later step needs it.
CANDIDATE_LATER = [
    "pyrage",  # encrypting the bundle to the employer
    "uuid",
    "onetake_desktop.storage.bundle",  # sealing
    "onetake_desktop.domain.manifest",
    "onetake_desktop.services.sending",  # the Send page
    "onetake_desktop.services.upload",
    "onetake_desktop.ui.tasks",  # sealing in the background
    "onetake_desktop.storage.keystore",  # an unsigned kit needs no fingerprint
    "sqlite3",
    "onetake_desktop.ui.candidate.pages.devices",
    "onetake_desktop.ui.candidate.pages.question",
    "onetake_desktop.ui.candidate.pages.sent",
    "onetake_desktop.media.recorder",
    "PySide6.QtMultimedia",
    "av",
    "cv2",
    "sounddevice",
    "html",  # escaping a kit text's block that holds a link (the demo kit has none)
    "dataclasses",  # storage.kitfile: only signing a kit while authoring replaces a record
]
AUTHOR_LATER = [
    "sqlite3",  # whether the library holds an organisation key: after the first paint
    "onetake_desktop.storage.keystore",
    "onetake_desktop.storage.kit_signature",
    "tomllib",
    "PySide6.QtMultimedia",
    "hashlib",  # a kit's content hash: when a kit is built (OpenSSL's set-up, ~1 ms)
    "onetake_desktop.ui.author.questions",  # the Questions tab: built after the first paint
    "onetake_desktop.ui.widgets.plain",  # ui.application loads it with a window's error box
    "difflib",  # comparing a rubric's anchors: a blank draft has none
    "tomlkit.api",  # a blank draft's TOML document: made with its first edit or save
    "onetake_desktop.services.author_records",  # reports, bank questions, builds: when made
    "onetake_desktop.domain.definition",  # rubrics: a blank draft's checks never make one
    "onetake_desktop.storage.kitfile",  # reading or writing a file: a blank draft does neither
]

# The start screen: it shows no date, so datetime loads with the first timestamp asked for;
# the records every start makes (AppContext, Settings, AppPaths...) are NamedTuples, so no
# dataclass is defined before it opens.
START_LATER = ["datetime", "dataclasses"]

REVIEW_LATER = [
    "onetake_desktop.ui.reviewer.privacy_dialogs",  # erase / hold / release: when asked
    "onetake_desktop.ui.panel.new_panelist",  # adding a panelist: when asked
    "onetake_desktop.domain.transcript",  # the first answer's position or words
    "onetake_desktop.ui.panel.people",  # the panel's dialogs (Panel menu)
    "onetake_desktop.ui.panel.summary",
    "onetake_desktop.domain.panel",  # a panel's summaries, orders, codes and audit rows
    "hmac",  # signing a panelist's rows
    "secrets",
    "onetake_desktop.storage.records",  # submissions, answers, scores: the first one made
    "onetake_desktop.ui.widgets.rubric",  # the scoring page: after the first frame
    "onetake_desktop.storage.panel_records",  # the panel's records: with the first one
    "onetake_desktop.services.panel_records",
    # Session 10: an empty library's first frame has no tree, no lock screen, no words view.
    "onetake_desktop.ui.reviewer.library_model",
    "onetake_desktop.ui.panel.lock",
    "onetake_desktop.ui.panel.common",
    "onetake_desktop.ui.reviewer.transcript_words",
]

SCRIPT = """
import json, sys
from pathlib import Path
from onetake_desktop.cli import GuiRequest
from onetake_desktop.services.context import AppContext
from onetake_desktop.ui.application import ensure_application, open_window

mode, watch, kit = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
context = AppContext.from_environment()
ensure_application()
if mode == "candidate":
    from onetake_desktop.services.handover import kit_trust

    kit_trust(Path(kit))
    window = open_window(GuiRequest("candidate", (Path(kit),), {}), context)
else:
    window = open_window(GuiRequest(mode), context)
first = sorted(m for m in watch if m in sys.modules)
report = {"first": first, "title": window.windowTitle()}
report["clock_zone"] = str(context.clock.now().tzinfo)  # what waited still answers
if mode == "candidate":
    window.build_all_pages()  # every page still builds, with its own imports
    report["pages"] = sorted(type(window.pages[name]).__name__ for name in window.pages)
    report["can_upload"] = window.service.send_status().options.can_upload
print(json.dumps(report))
"""


def _open(mode: str, watch: list[str], tmp_path: Path) -> dict[str, object]:
    kit = str(resource("kits", "demo.onetakekit"))
    done = run_python(["-c", SCRIPT, mode, json.dumps(watch), kit], tmp_path / "home")
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_the_candidate_window_imports_later_steps_only_when_they_come(tmp_path: Path) -> None:
    report = _open("candidate", CANDIDATE_LATER, tmp_path)
    assert report["first"] == []
    assert str(report["title"]).startswith("OneTake: ")
    # Every step's page is still there once asked for.
    assert report["pages"] == sorted(
        [
            "DevicesPage",
            "PracticePage",
            "PrivacyPage",
            "QuestionPage",
            "ResumePage",
            "ReviewPage",
            "SendPage",
            "SentPage",
            "WelcomePage",
        ]
    )
    assert report["can_upload"] is False  # the demo kit names no upload address


def test_the_author_window_opens_without_the_signing_modules(tmp_path: Path) -> None:
    report = _open("author", AUTHOR_LATER, tmp_path)
    assert report["first"] == []
    assert "OneTake interview author" in str(report["title"])


def test_the_reviewer_window_opens_without_its_dialogs(tmp_path: Path) -> None:
    report = _open("review", REVIEW_LATER, tmp_path)
    assert report["first"] == []
    assert "OneTake" in str(report["title"])


def test_the_reviewer_window_opens_without_dataclasses(tmp_path: Path) -> None:
    """Its records before the first paint (flags, reviewers, interviews, the actor, the
    library) are NamedTuples or written-out classes: importing ``dataclasses`` costs ~12 M
    instructions, and each frozen dataclass compiles its methods at every start. Measured at
    the second start: a new library's first one seeds the demo interview's definition (its
    rubrics are dataclasses, domain/definition.py) once."""
    _open("review", [], tmp_path)  # makes the library in tmp_path/home
    report = _open("review", ["dataclasses"], tmp_path)
    assert report["first"] == []
    assert "OneTake" in str(report["title"])


def test_the_start_screen_opens_without_datetime_or_dataclasses(tmp_path: Path) -> None:
    report = _open("start", START_LATER, tmp_path)
    assert report["first"] == []
    assert report["title"] == "OneTake"
    assert report["clock_zone"] == "UTC"  # the context's clock still tells UTC time


def test_the_handover_suffixes_are_the_bundle_writers() -> None:
    """services/handover.py spells the bundle suffix itself (so that kit_trust does not load
    the bundle writer): it must stay the writer's."""
    assert handover.PLAIN_SUFFIX == bundle.BUNDLE_SUFFIX
    assert handover.ENCRYPTED_SUFFIX == bundle.BUNDLE_SUFFIX + ".age"

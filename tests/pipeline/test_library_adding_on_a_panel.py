"""``library import`` and ``library add-definition`` on a panel's library ask the same rule as
the window's lock screen (services.scoring ``library_change_refusal``): with a panel, only a
signed-in panelist adds to the library, and blind mode holds in what the import prints.

Real bundles, a real SQLite library and the real command line.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.paths import app_paths
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.storage.kitfile import demo_definition_path
from onetake_desktop.storage.panel import SqlitePanel
from tests.pipeline.library_bundles import make_bundle
from tests.pipeline.test_privacy_holds import TODAY, panel_library, run

NEWCOMER = "Katherine Johnson"
REFUSED = "onetake: Adding to this library is the panel's: sign in as a panelist.\n"


def library_state() -> tuple[list[str], list[Any], list[str]]:
    """Names in the library, its interviews' rows (definitions) and its audit actions."""
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        names = sorted(s.candidate_name for s in service.library.submissions.all())
        db = service.library.db
        interviews = db.execute("SELECT * FROM interviews ORDER BY id").fetchall()
        actions = [e.action for e in SqlitePanel(db).audit_entries()]
        return names, [tuple(row) for row in interviews], actions
    finally:
        service.close()


def test_nobody_signed_in_adds_nothing_and_a_panelist_adds_with_blind_mode_kept(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_context: Any,
) -> None:
    panel_library(tmp_path, blind=True)
    context = app_context._replace(clock=ManualClock(TODAY))
    bundle = make_bundle(tmp_path / "katherine.onetake", NEWCOMER, "kj@example.org")
    definition = tmp_path / "demo.onetakeinterview"
    definition.write_bytes(demo_definition_path().read_bytes())
    before = library_state()

    # Not signed in: one sentence, exit 1, before anything is read or written.
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert run(["library", "import", str(bundle)], context, capsys) == (1, "", REFUSED)
    assert run(["library", "add-definition", str(definition)], context, capsys) == (
        1,
        "",
        REFUSED,
    )
    assert library_state() == before

    # A wrong passphrase: exit 3, nothing added.
    monkeypatch.setattr(sys, "stdin", io.StringIO("not ben's\n"))
    code, _out, err = run(["library", "import", str(bundle), "--as", "Ben"], context, capsys)
    assert code == 3 and err.startswith("onetake: ")
    assert library_state()[0] == before[0]
    context.clock.advance(60)  # past the pause a wrong passphrase earns

    # Ben, signed in: imported; blind mode shows him a code, never the name; signed out after.
    monkeypatch.setattr(sys, "stdin", io.StringIO("ben passphrase\n"))
    code, out, err = run(["library", "import", str(bundle), "--as", "Ben"], context, capsys)
    assert (code, err) == (0, "")
    names, _definitions, actions = library_state()
    assert NEWCOMER in names and NEWCOMER not in out
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        (sid,) = [s.id for s in service.library.submissions.all() if s.candidate_name == NEWCOMER]
        code_shown = service.hidden_codes()[sid]
    finally:
        service.close()
    assert f"imported  {bundle}: {code_shown}" in out and out.rstrip().endswith("1 imported.")
    assert actions[-1] == "lock"

    monkeypatch.setattr(sys, "stdin", io.StringIO("ana passphrase\n"))
    code, out, err = run(
        ["library", "add-definition", str(definition), "--as", "Ana"], context, capsys
    )
    assert (code, err) == (0, ""), err
    assert out.startswith("Added the interview definition of ")
    assert library_state()[2][-1] == "lock"


def test_the_window_lock_and_the_commands_refusal_are_one_rule(tmp_path: Path) -> None:
    """The window refuses imports while ``PanelService.locked()``; the commands ask
    ``library_change_refusal``: both answer alike without a panel, with one locked, and with
    a panelist signed in."""
    from argon2 import PasswordHasher

    from onetake_desktop.services.panel import PanelService

    service = open_reviewer_service(app_paths().ensure().library)
    try:
        panel = PanelService(
            service.library, hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
        )
        lone = service.actor_for(service.default_reviewer.id)

        def agree(actor: Any) -> bool:
            refused = panel.scoring.library_change_refusal(actor) is not None
            return refused == panel.locked()

        assert not panel.locked() and agree(lone)  # no panel: the lone reviewer adds
        panel.create_panelist("Ana", "ana passphrase", chair=True)
        panel.lock()
        assert panel.locked() and agree(lone)  # a panel, nobody signed in
        ana = panel.sign_in(panel.panelist_named("Ana").reviewer_id, "ana passphrase")
        assert not panel.locked() and agree(ana)  # Ana signed in
    finally:
        service.close()

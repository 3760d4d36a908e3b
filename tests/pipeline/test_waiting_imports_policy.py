"""Who may import the bundles kept while a panel is locked is the panel service's answer
(PanelService.imports_due, asking services.scoring): nobody while locked, any signed-in
panelist, the lone reviewer of a library without a panel. A real library file."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.services.panel import PanelService
from onetake_desktop.storage.library import open_library

HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)  # real Argon2id, cheaper


def test_kept_bundles_are_due_only_to_someone_who_may_add_to_the_library(tmp_path: Path) -> None:
    root = tmp_path / "library"
    kept = [tmp_path / "lin.onetake", tmp_path / "inbox"]
    kept[1].mkdir()
    library = open_library(root)
    try:
        lone = PanelService(library, ManualClock(), hasher=HASHER)
        # No panel: the lone reviewer may add to the library, so what waits is due at once.
        assert lone.keep_for_sign_in(kept[:1]).startswith("1 bundle will be imported")
        assert lone.imports_due() == kept[:1]
        lone.imports_done(kept[:1])
        assert lone.imports_due() == [] and lone.waiting_sentence() == ""

        ana = lone.create_panelist("Ana", "ana passphrase").reviewer_id
        panel = PanelService(library, ManualClock(), hasher=HASHER)
        panel.lock()
        assert panel.locked()
        panel.keep_for_sign_in(kept)
        assert panel.imports_due() == []  # locked: kept and counted, not due
        assert panel.waiting_sentence() == (
            "1 bundle and 1 folder of bundles will be imported once a panelist signs in"
            " (kept if OneTake closes)."
        )
        panel.sign_in(ana, "ana passphrase")
        assert panel.imports_due() == kept
        panel.lock()
        assert panel.imports_due() == []
        # Another OneTake on the library (its own service) counts the same list.
        assert PanelService(library, ManualClock(), hasher=HASHER).waiting_sentence() == (
            panel.waiting_sentence()
        )
    finally:
        library.close()

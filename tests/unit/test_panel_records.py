"""The panel's records live in modules of their own, loaded with the first record made
(issue 17); what other modules assume about them is checked here."""

from __future__ import annotations

from onetake_desktop.services import scoring
from onetake_desktop.storage.panel_records import VisibleScore


def test_the_export_reads_visible_score_rows_at_their_columns() -> None:
    """services.scoring reads SQLite's rows in VisibleScore's column order without making a
    record each: its positions are VisibleScore's."""
    fields = VisibleScore._fields
    assert fields.index("answer_id") == scoring._V_ANSWER
    assert fields.index("reviewer_id") == scoring._V_REVIEWER
    assert fields.index("score") == scoring._V_SCORE
    assert fields.index("status") == scoring._V_STATUS

"""The sign-in check's fast path (issue 17) checks exactly what it checked before: each row's
signature over the same canonical bytes, and every way a row can leave a panelist's name.

- the canonical encoding (the standard library's C encoder called directly) gives
  ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` byte for byte, and the
  per-key signer gives ``row_sig``'s HMAC for every kind of value a row may hold;
- a row moved into another panelist's name, and a signature moved onto another row, are
  still reported at sign-in (real library files edited with sqlite3).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from onetake_desktop.domain.panel import audit_hash
from onetake_desktop.services.scoring import _canonical, row_sig, row_signer
from onetake_desktop.storage.library import open_library
from tests.pipeline.test_panel_service import QUESTIONS, answer_id, make_library
from tests.pipeline.test_scoring_policy import PASS, panel_service

VALUES = [
    ["scores", 1, 2, 3, 4, "", "submitted", "2026-11-20T10:00:00.000+00:00", None, None],
    ["timestamped_notes", 7, 1, 2, 1500, 'é "quoted" \\ back\nnew line \u2028 \x00 😀', "now"],
    ["audit_log", 5, "at", None, "score", "answer 3", '{"answer":3,"score":4}'],
    ["x", -0.0, 2.5, 1e300, 10**30, -(2**63), True, False, "\t\r\x1f\x7f"],
]


@pytest.mark.parametrize("values", VALUES)
def test_the_canonical_bytes_and_signatures_are_the_public_encoders(values: list[object]) -> None:
    expected = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert _canonical(values) == expected
    key = bytes(range(32))
    table, *rest = values
    assert row_signer(key)(str(table), rest) == row_sig(key, str(table), rest)
    assert row_signer(b"another key" * 3)(str(table), rest) != row_sig(key, str(table), rest)


def test_the_audit_hash_is_over_the_public_encoding() -> None:
    args = ("0" * 64, 3, "2026-11-20T10:00:00Z", None, "score", "é 1", '{"a":1}')
    content = json.dumps(list(args), ensure_ascii=False, separators=(",", ":"))
    assert audit_hash(*args) == hashlib.sha256(content.encode("utf-8")).hexdigest()


def test_a_row_moved_out_of_a_panelists_name_and_a_moved_signature_are_reported(
    tmp_path: Path,
) -> None:
    lib, _, ids = make_library(tmp_path / "lib", candidates=2)
    panel = panel_service(lib)
    ana = panel.create_panelist("Ana", PASS["Ana"])
    ben = panel.create_panelist("Ben", PASS["Ben"])
    subs = list(ids.values())
    for q in QUESTIONS:
        panel.save_score(ana, answer_id=answer_id(lib, subs[0], q), score=3)
    panel.save_score(ben, answer_id=answer_id(lib, subs[1], QUESTIONS[0]), score=2)
    ana_id, ben_id = ana.reviewer_id, ben.reviewer_id
    first = answer_id(lib, subs[0], QUESTIONS[0])
    panel.lock()
    assert panel.sign_in(ana_id, PASS["Ana"]).warnings == ()
    lib.close()

    # Ana's draft on q1 is put in Ben's name (its signature stays Ana's).
    conn = sqlite3.connect(tmp_path / "lib" / "onetake.sqlite3")
    conn.execute(
        "UPDATE scores SET reviewer_id = ? WHERE reviewer_id = ? AND answer_id = ?",
        (ben_id, ana_id, first),
    )
    conn.commit()
    conn.close()
    reopened = panel_service(open_library(tmp_path / "lib"))
    warnings = reopened.sign_in(ana_id, PASS["Ana"]).warnings
    assert any("was moved out of your name" in w for w in warnings), warnings
    reopened.lock()
    # Ben finds a row in his name that he did not write (it has no signature of his).
    assert any("added in your name" in w for w in reopened.sign_in(ben_id, PASS["Ben"]).warnings)
    reopened.library.close()

    # Put back, then Ana's signature of one row is copied onto her other row instead.
    conn = sqlite3.connect(tmp_path / "lib" / "onetake.sqlite3")
    conn.execute(
        "UPDATE scores SET reviewer_id = ? WHERE reviewer_id = ? AND answer_id = ?",
        (ana_id, ben_id, first),
    )
    conn.commit()
    conn.close()
    reopened = panel_service(open_library(tmp_path / "lib"))
    assert reopened.sign_in(ana_id, PASS["Ana"]).warnings == ()
    reopened.library.close()
    conn = sqlite3.connect(tmp_path / "lib" / "onetake.sqlite3")
    rows = conn.execute(
        "SELECT rs.row_id, rs.sig FROM row_sigs rs JOIN scores sc ON sc.id = rs.row_id"
        " WHERE rs.tbl = 'scores' AND sc.reviewer_id = ? ORDER BY rs.row_id",
        (ana_id,),
    ).fetchall()
    assert len(rows) == 2
    conn.execute(
        "UPDATE row_sigs SET sig = ? WHERE tbl = 'scores' AND row_id = ?", (rows[0][1], rows[1][0])
    )
    conn.commit()
    conn.close()
    reopened = panel_service(open_library(tmp_path / "lib"))
    warnings = reopened.sign_in(ana_id, PASS["Ana"]).warnings
    assert any("was changed by someone else" in w for w in warnings), warnings
    reopened.library.close()

"""The quick path of the plain-text check (domain/validation.py ``_all_plain``) refuses
exactly what the character-by-character rule refuses: every refused character is one that
``str.isprintable`` calls non-printable, so printable text can skip the per-character look."""

from __future__ import annotations

import sys
import unicodedata

from onetake_desktop.domain import validation
from onetake_desktop.domain.validation import (
    BIDI_CONTROLS,
    LINE_SEPARATORS,
    has_control_characters,
    text_problem,
    without_control_characters,
)


def test_every_refused_character_is_non_printable() -> None:
    refused = [
        chr(cp) for cp in range(sys.maxunicode + 1) if validation._refused(chr(cp), frozenset())
    ]
    assert set(BIDI_CONTROLS | LINE_SEPARATORS) <= set(refused)
    assert {unicodedata.category(ch) for ch in refused} >= {"Cc", "Cs", "Cf", "Zl", "Zp"}
    assert not any(ch.isprintable() for ch in refused)


def per_character(value: str, multiline: bool) -> tuple[str | None, bool, str]:
    """What the three checks answered before the quick path (the per-character rule)."""
    allowed = frozenset("\n\r\t") if multiline else frozenset()
    kept = "".join(ch for ch in value if not validation._refused(ch, allowed))
    bad = [ch for ch in value if validation._refused(ch, allowed)]
    if not bad:
        problem = None
    elif "\ud800" <= bad[0] <= "\udfff":
        problem = "contains a lone UTF-16 surrogate (not a character)"
    elif bad[0] in LINE_SEPARATORS:
        problem = "must not contain Unicode line or paragraph separators"
    elif bad[0] in BIDI_CONTROLS:
        problem = "must not contain bidirectional text controls"
    else:
        problem = "must not contain control characters"
    return problem, bool(bad), kept


SAMPLES = [
    "",
    "Alex Martin",
    "Ünïcødé naïve café — ✓ 你好 🙂",
    "two\nlines\r\n\tand a tab",
    "Alex \u202egpj.exe",
    "zero\u200bwidth space (Cf, allowed)",
    "soft\u00adhyphen",
    "no\u2028break",
    "bell\x07",
    "del\x7f and nel\x85",
    "lone \ud800 surrogate",
    "nbsp\u00a0and\u3000ideographic space",
    "private \ue000 use and unassigned \U000e0000",
    "\n",
    "\t\x00",
]


def test_the_quick_path_answers_as_the_per_character_rule() -> None:
    for value in SAMPLES:
        for multiline in (False, True):
            problem, bad, kept = per_character(value, multiline)
            assert text_problem(value, multiline=multiline) == problem, (value, multiline)
            assert has_control_characters(value, multiline=multiline) is bad
            assert without_control_characters(value, multiline=multiline) == kept

"""Search text folding: what a person typing a name expects to match.

"angstrom" finds "Ångström", "MULLER" finds "Müller", "strasse" finds "Straße": letters are
compared without case and without their accents (Unicode compatibility decomposition, then the
combining marks dropped, then case-folded). Plain Python, used by storage (as a SQLite function)
and by services (for text that never reaches SQL, such as blind-mode codes).
"""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """``text`` without case or accents, for comparing what was typed with what is stored."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.casefold()


def matches(needle: str, *haystacks: str) -> bool:
    """Whether the folded ``needle`` occurs in any folded haystack (an empty needle matches)."""
    folded = fold(needle.strip())
    return not folded or any(folded in fold(h) for h in haystacks)

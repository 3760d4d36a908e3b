"""Small wording helpers shared by the services' sentences (no Qt)."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """``1 take``, ``2 takes``: for the regular nouns our sentences count."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"

"""Transcripts as plain data: words with times, and the measures tests and benches use.

No speech engine here (that is media/transcribe.py): a transcript is what any engine returns,
what the library stores and what search, export and the transcript panel read.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from onetake_desktop.domain.search import fold

_TOKEN = re.compile(r"\w+(?:'\w+)*")


@dataclass(frozen=True)
class Word:
    """One spoken word: its text as heard (with punctuation) and its moment, in seconds."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Transcript:
    text: str
    words: tuple[Word, ...]
    model: str  # e.g. "whisper-base"
    model_version: str  # the package that shipped the weights, with its version
    language: str
    duration: float  # seconds of media

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["words"] = [asdict(w) for w in self.words]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            str(data["text"]),
            tuple(Word(str(w["text"]), float(w["start"]), float(w["end"])) for w in data["words"]),
            str(data["model"]),
            str(data["model_version"]),
            str(data.get("language", "")),
            float(data.get("duration", 0.0)),
        )


def words_to_json(words: tuple[Word, ...]) -> str:
    return json.dumps([[w.text, round(w.start, 3), round(w.end, 3)] for w in words])


def words_from_json(text: str) -> tuple[Word, ...]:
    return tuple(Word(str(t), float(s), float(e)) for t, s, e in json.loads(text))


def tokens(text: str) -> list[str]:
    """Folded words (case and accents ignored, punctuation dropped): what search compares."""
    return _TOKEN.findall(fold(text))


def find_phrase(words: tuple[Word, ...], query: str) -> list[Word]:
    """The words where ``query`` (a word or a phrase) begins, in order of time. The last
    query word matches as a prefix ("interv" finds "interview"), the others whole."""
    wanted = tokens(query)
    if not wanted:
        return []
    # One transcript word may hold several tokens ("riverbank." -> one; "don't" -> one).
    flat: list[tuple[str, Word]] = [(t, w) for w in words for t in tokens(w.text)]
    hits: list[Word] = []
    for i in range(len(flat) - len(wanted) + 1):
        window = [t for t, _w in flat[i : i + len(wanted)]]
        if window[:-1] == wanted[:-1] and window[-1].startswith(wanted[-1]):
            word = flat[i][1]
            if not hits or hits[-1] is not word:
                hits.append(word)
    return hits


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word error rate: (substitutions + deletions + insertions) / reference words, over
    folded words (case, accents and punctuation do not count as errors)."""
    ref, hyp = tokens(reference), tokens(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1] / len(ref)


def word_at(words: tuple[Word, ...], seconds: float) -> int | None:
    """Index of the word being spoken at ``seconds`` (or the last one begun), None before."""
    found: int | None = None
    for i, w in enumerate(words):
        if w.start <= seconds:
            found = i
        else:
            break
    return found

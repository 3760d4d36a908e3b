"""Transcript data without any engine: phrase search over timed words, WER, FTS5 queries."""

from __future__ import annotations

from onetake_desktop.domain.transcript import (
    Transcript,
    Word,
    find_phrase,
    word_at,
    word_error_rate,
    words_from_json,
    words_to_json,
)
from onetake_desktop.storage.transcripts import fts_query

SPOKEN = "Hello, I rewrote my Résumé at the Straße office. Résumés matter."
WORDS = tuple(Word(t, i * 0.5, i * 0.5 + 0.4) for i, t in enumerate(SPOKEN.split(" ")))


def test_phrases_are_found_without_case_accents_or_punctuation() -> None:
    assert [w.start for w in find_phrase(WORDS, "RESUME")] == [2.0, 4.5]  # prefix: Résumés
    assert [w.text for w in find_phrase(WORDS, "résumé at the")] == ["Résumé"]
    assert [w.text for w in find_phrase(WORDS, "strasse OFF")] == ["Straße"]
    assert find_phrase(WORDS, "résumé office") == []
    assert find_phrase(WORDS, "  ,.  ") == []


def test_word_error_rate_counts_words_not_punctuation_or_case() -> None:
    assert word_error_rate("The quick brown fox.", "the QUICK brown fox") == 0.0
    assert word_error_rate("the quick brown fox", "the quick round fox") == 0.25
    assert word_error_rate("the quick brown fox", "the quick fox") == 0.25
    assert word_error_rate("a b", "a b c d") == 1.0
    assert word_error_rate("", "") == 0.0


def test_the_current_word_follows_the_time() -> None:
    assert word_at(WORDS, 0.0) == 0
    assert word_at(WORDS, 1.2) == 2
    assert word_at(WORDS, 99.0) == len(WORDS) - 1
    assert word_at((Word("late", 1.0, 1.2),), 0.5) is None


def test_words_and_transcripts_round_trip() -> None:
    assert words_from_json(words_to_json(WORDS)) == WORDS
    t = Transcript("Hello", WORDS, "whisper-base", "v", "en", 6.0)
    assert Transcript.from_json(t.to_json()) == t


def test_fts_queries_quote_every_word_so_operators_are_plain_words() -> None:
    assert fts_query("Résumé AT") == '"resume" "at"*'
    assert fts_query('AND "NEAR" *') == '"and" "near"*'
    assert fts_query("  *  ") is None

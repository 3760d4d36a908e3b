"""Synthesised speech for the transcript tests: espeak-ng sentences with known text and a known
moment for one word, encoded into answer media (AAC in MP4) the way recordings are."""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

RATE = 22050  # espeak-ng's output rate


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(text: str, out: Path, *, voice: str = "en-us", words_per_minute: int = 150) -> np.ndarray:
    """``text`` spoken by espeak-ng, as float32 mono samples at :data:`RATE`."""
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(out), text],
        check=True,
        capture_output=True,
    )
    with wave.open(str(out), "rb") as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return data.astype(np.float32) / 32768.0


def leading_silence(samples: np.ndarray, threshold: float = 0.02) -> float:
    """Seconds before the first sample louder than ``threshold``."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    return float(loud[0]) / RATE if loud.size else 0.0


@dataclass(frozen=True)
class SpokenAnswer:
    """An answer: ``before`` spoken, a pause, then ``after`` whose first word is the marker."""

    before: str
    after: str
    pause: float = 1.0

    @property
    def text(self) -> str:
        return f"{self.before} {self.after}"

    @property
    def marker(self) -> str:
        return self.after.split()[0].strip(".,").lower()


def render(answer: SpokenAnswer, work: Path) -> tuple[np.ndarray, float]:
    """The answer's samples and the second at which the marker word begins."""
    work.mkdir(parents=True, exist_ok=True)
    first = speak(answer.before, work / "before.wav")
    second = speak(answer.after, work / "after.wav")
    gap = np.zeros(int(answer.pause * RATE), np.float32)
    at = (len(first) + len(gap)) / RATE + leading_silence(second)
    return np.concatenate([first, gap, second]), at


def write_speech(path: Path, samples: np.ndarray) -> Path:
    """AAC mono in MP4, as the recorder writes audio answers."""
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("aac", rate=RATE)
        stream.layout = "mono"
        chunk, t0 = 1024, 0
        while t0 < len(samples):
            block = samples[t0 : t0 + chunk][None, :].astype(np.float32)
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="mono")
            frame.sample_rate = RATE
            frame.pts = t0
            frame.time_base = Fraction(1, RATE)
            for packet in stream.encode(frame):
                out.mux(packet)
            t0 += chunk
        for packet in stream.encode():
            out.mux(packet)
    return path


def speech_writer(
    answers: dict[str, SpokenAnswer], moments: dict[str, float]
) -> Callable[..., Path]:
    """A ``make_bundle`` writer: question ``q1`` gets ``answers["q1"]`` (audio only, padded
    with silence to the bundle's ``seconds``) and its marker's moment lands in
    ``moments["q1"]``."""

    def write(path: Path, *, seconds: float, **_options: object) -> Path:
        samples, at = render(answers[path.stem], path.parent / f"{path.stem}-wav")
        moments[path.stem] = at
        length = int(seconds * RATE)  # the manifest's duration: padded with silence
        assert len(samples) <= length, f"{path.stem} is {len(samples) / RATE:.1f} s long"
        padded = np.concatenate([samples, np.zeros(length - len(samples), np.float32)])
        return write_speech(path, padded)

    return write

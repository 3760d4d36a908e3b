"""The recording engine hears the real (virtual) microphone: PortAudio -> ALSA -> PulseAudio.

Speech (espeak-ng) followed by a 660 Hz tone is played into the virtual speaker while
``onetake record --mic mic:default`` records; the take must contain that very sound. Levels come
back lower than played, so the test compares shapes and frequencies, not levels.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest

from tests.e2e.virtual_devices import VirtualDevices

RATE = 48_000
TONE_HZ = 660


def make_sample(folder: Path) -> Path:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng and sox are needed to make the spoken sample")
    speech = folder / "speech.wav"
    subprocess.run(
        ["espeak-ng", "-w", str(speech), "Tell us about a project you are proud of."],
        check=True,
        timeout=30,
    )
    sample = folder / "sample.wav"
    tone = folder / "tone.wav"
    subprocess.run(
        ["sox", "-n", "-r", str(RATE), "-c", "1", str(tone), "synth", "0.6", "sine", str(TONE_HZ)],
        check=True,
        timeout=30,
    )
    speech48 = folder / "speech48.wav"
    subprocess.run(
        ["sox", str(speech), "-r", str(RATE), "-c", "1", str(speech48)], check=True, timeout=30
    )
    subprocess.run(["sox", str(speech48), str(tone), str(sample)], check=True, timeout=30)
    return sample


def read_mono(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        chunks = [
            out.to_ndarray().reshape(-1)
            for frame in container.decode(audio=0)
            for out in resampler.resample(frame)
        ]
    return np.concatenate(chunks).astype(np.float64)


def best_match(recorded: np.ndarray, played: np.ndarray) -> tuple[int, float]:
    """(lag, normalised cross-correlation) of ``played`` inside ``recorded``."""
    n = len(recorded) + len(played)
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(recorded, size) * np.conj(np.fft.rfft(played, size)), size)
    corr = corr[: len(recorded) - len(played) + 1]
    lag = int(np.argmax(corr))
    window = recorded[lag : lag + len(played)]
    score = corr[lag] / (np.linalg.norm(window) * np.linalg.norm(played) + 1e-12)
    return lag, float(score)


@pytest.mark.e2e
def test_speech_played_into_the_virtual_speaker_comes_back_in_the_take(
    virtual_devices: VirtualDevices, tmp_path: Path
) -> None:
    sample = make_sample(tmp_path)
    out = tmp_path / "q01.mp4"
    env = {**__import__("os").environ, **virtual_devices.env}
    recording = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onetake_desktop",
            "record",
            "--mic",
            "mic:default",
            "--audio-only",
            "--seconds",
            "6",
            "--json",
            str(out),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not out.with_name("q01.mp4.partial").exists():
            assert recording.poll() is None, recording.communicate()
            assert time.monotonic() < deadline, "the recording did not start"
            time.sleep(0.05)
        time.sleep(0.3)
        assert virtual_devices.play(sample).wait(20) == 0
        stdout, stderr = recording.communicate(timeout=30)
    finally:
        if recording.poll() is None:
            recording.kill()
            recording.wait()
    assert recording.returncode == 0, stderr
    stats = json.loads(stdout)
    assert stats["stop_reason"] == "time_limit" and stats["audio_codec"] == "aac"
    assert abs(stats["duration_seconds"] - 6.0) < 0.1

    played = read_mono(sample)
    recorded = read_mono(out)
    assert len(recorded) > 5 * RATE
    lag, score = best_match(recorded, played)
    assert score > 0.5, f"the speech did not come back (correlation {score:.2f})"
    # the tone at the end comes back at its own frequency
    tone = recorded[lag + len(played) - int(0.5 * RATE) : lag + len(played) - int(0.1 * RATE)]
    spectrum = np.abs(np.fft.rfft(tone * np.hanning(len(tone))))
    dominant = np.fft.rfftfreq(len(tone), 1 / RATE)[spectrum.argmax()]
    assert abs(dominant - TONE_HZ) < 5
    assert np.sqrt(np.mean(tone**2)) > 0.01  # quieter than played, but clearly there

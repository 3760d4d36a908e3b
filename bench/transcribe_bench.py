"""Transcripts (issue 16): word error rate and speed of each packaged Whisper model on an
evaluation set this script makes itself: espeak-ng speech with several voices and rates, with
and without background noise, whose text is known.

    .venv/bin/python bench/transcribe_bench.py --threads 2            # every model, every case
    .venv/bin/python bench/transcribe_bench.py --models base --quick  # one voice, one rate

Each model runs in its own child process (the app's worker does the same), so the peak memory
printed is that model's alone. Speed is seconds of speech per second of wall time ("x real
time"). Synthetic speech is far cleaner than a person in a room: real voices score worse, and
accents the engine heard less often worse still. These figures compare models and catch
regressions; they are not a promise about a candidate's words.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

SENTENCES = (
    "In my last role I led a small team that moved our billing system to a new database.",
    "The hardest part was keeping the service running while we copied millions of records.",
    "When a customer is angry I listen first, then I explain what I will do and by when.",
    "I would measure success by fewer support tickets and faster answers for our users.",
)
VOICES = ("en-us", "en-gb", "en-us+f3")
RATES = (140, 175)
NOISES = (None, 10.0)  # None: clean; a number: white noise at that signal-to-noise ratio (dB)


def synthesise(text: str, voice: str, rate: int, snr: float | None, out: Path) -> float:
    raw = out.with_suffix(".raw.wav")
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(raw), text],
        check=True,
        capture_output=True,
    )
    with wave.open(str(raw), "rb") as w:
        sr = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768
    if snr is not None:
        rng = np.random.default_rng(16)
        noise = rng.standard_normal(len(x)).astype(np.float32)
        power = float(np.mean(x**2)) / (10 ** (snr / 10))
        x = x + noise * np.sqrt(power)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype(np.int16).tobytes())
    return len(x) / sr


def child(model: str, threads: int, cases: list[dict[str, object]], cache: Path) -> None:
    from onetake_desktop.domain.transcript import word_error_rate
    from onetake_desktop.media.transcribe import WhisperEngine

    started = time.perf_counter()
    engine = WhisperEngine(model, cache=cache, cpu_threads=threads)
    load = time.perf_counter() - started
    out = []
    for case in cases:
        t0 = time.perf_counter()
        transcript = engine.transcribe(Path(str(case["wav"])))
        wall = time.perf_counter() - t0
        out.append(
            {
                **case,
                "wer": word_error_rate(str(case["text"]), transcript.text),
                "wall": wall,
                "heard": transcript.text,
            }
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"model": model, "load": load, "peak_mb": peak_mb, "cases": out}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="one voice and one rate")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--cases", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.threads, json.loads(Path(args.cases).read_text()), args.cache)
        return 0
    voices, rates = (VOICES[:1], RATES[:1]) if args.quick else (VOICES, RATES)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cases: list[dict[str, object]] = []
        total = 0.0
        text = " ".join(SENTENCES)
        for voice in voices:
            for rate in rates:
                for snr in NOISES:
                    wav = work / f"{voice}-{rate}-{snr}.wav"
                    seconds = synthesise(text, voice, rate, snr, wav)
                    label = f"{voice} {rate} wpm {'clean' if snr is None else f'noise {snr:g} dB'}"
                    cases.append({"label": label, "wav": str(wav), "text": text, "sec": seconds})
                    total += seconds
        (work / "cases.json").write_text(json.dumps(cases))
        print(f"{len(cases)} clips, {total:.0f} s of speech, {args.threads} threads\n")
        for model in args.models:
            result = subprocess.run(
                [sys.executable, __file__, "--child", model, "--threads", str(args.threads),
                 "--cases", str(work / "cases.json"), "--cache", str(work / "cache")],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            data = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"== {model}: load {data['load']:.1f} s, peak RSS {data['peak_mb']:.0f} MB")
            speech = wall = 0.0
            for c in data["cases"]:
                speech += c["sec"]
                wall += c["wall"]
                print(f"  {c['label']:<32} WER {c['wer']:6.1%}  {c['sec'] / c['wall']:5.1f}x")
            clean = [c["wer"] for c in data["cases"] if "clean" in c["label"]]
            noisy = [c["wer"] for c in data["cases"] if "noise" in c["label"]]
            print(
                f"  mean WER clean {np.mean(clean):.1%}, noisy {np.mean(noisy):.1%}; "
                f"speed {speech / wall:.1f}x real time; "
                f"a 6-minute interview: about {360 / (speech / wall):.0f} s\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A compact waveform of an audio (or video) file, for drawing audio-only answers."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from onetake_desktop.domain.errors import InvalidInputError

log = logging.getLogger(__name__)


def compute_waveform(path: Path, buckets: int = 600) -> list[float]:
    """Peak level of each of ``buckets`` equal slices of the file's first audio stream, scaled
    so that the loudest slice is 1.0 (silence stays 0).

    Decodes once, keeping one running peak per ~10 ms block rather than every sample, so an
    hour of audio needs a few hundred kilobytes.
    """
    if buckets <= 0:
        raise ValueError("buckets must be positive")
    blocks: list[float] = []
    rate = 0
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                return [0.0] * buckets
            stream = container.streams.audio[0]
            rate = stream.codec_context.sample_rate or 48_000
            block = max(1, rate // 100)
            carry: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
            for frame in container.decode(stream):
                data = frame.to_ndarray().astype(np.float32)
                if data.ndim == 2 and data.shape[0] > 1 and not frame.format.is_planar:
                    # packed: one row with channels interleaved; planar: one row per channel
                    data = data.reshape(-1, len(frame.layout.channels)).T
                mono = np.abs(data).max(axis=0) if data.ndim == 2 else np.abs(data)
                if frame.format.name.startswith(("s16",)):
                    mono = mono / 32768.0
                elif frame.format.name.startswith(("s32",)):
                    mono = mono / 2147483648.0
                carry = np.concatenate([carry, mono])
                whole = len(carry) // block * block
                if whole:
                    blocks.extend(carry[:whole].reshape(-1, block).max(axis=1).tolist())
                    carry = carry[whole:]
            if len(carry):
                blocks.append(float(carry.max()))
    except av.error.FFmpegError as error:
        log.warning("waveform: cannot decode %s: %s", path.name, error)
        raise InvalidInputError(f"The audio of {path.name} cannot be read ({error}).") from error
    if not blocks:
        return [0.0] * buckets
    levels = np.asarray(blocks, dtype=np.float32)
    edges = np.linspace(0, len(levels), buckets + 1).astype(int)
    out = [
        float(levels[a:b].max()) if b > a else float(levels[min(a, len(levels) - 1)])
        for a, b in itertools.pairwise(edges)
    ]
    # Relative to the loudest moment: a quiet microphone still draws a readable shape.
    peak = max(out)
    return [min(1.0, v / peak) for v in out] if peak > 0 else out

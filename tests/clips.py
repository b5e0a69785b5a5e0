"""Video clips and process probes shared by the tests and the benchmarks (one place, not one per file).

Clips are made from frames (RGB arrays) streamed to the encoder, so a long clip never sits in memory; a clip
is written to ``<name>.part.mp4`` and renamed, so an interrupted run never leaves a half-written clip that a
later run would reuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np


def clip_rate(src: Path) -> Fraction:
    """The average frame rate of a clip (30 when the container does not say)."""
    import av

    with av.open(str(src)) as c:
        return Fraction(c.streams.video[0].average_rate or 30)


def read_frames(src: Path, *, limit: int | None = None, step: int = 1) -> Iterator[np.ndarray]:
    """Every ``step``-th decoded frame of ``src`` as RGB (at most ``limit`` frames of the source)."""
    import av

    with av.open(str(src)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if limit is not None and i >= limit:
                break
            if i % step == 0:
                yield f.to_ndarray(format="rgb24")


def write_clip(dst: Path, frames: Iterable[np.ndarray], rate: float | Fraction = 30, *, codec: str | None = None,
               crf: int | None = None, rotation_deg: int | None = None) -> Path:
    """Encode RGB ``frames`` as an mp4 at ``rate`` frames/s (H.264 where available, else MPEG-4 part 2)."""
    import av

    codec = codec or ("libx264" if "libx264" in av.codecs_available else "mpeg4")
    rate = Fraction(rate).limit_denominator(1001)
    tmp = dst.with_name(dst.stem + ".part.mp4")
    with av.open(str(tmp), "w") as c:
        st = None
        for i, img in enumerate(frames):
            if st is None:
                st = c.add_stream(codec, rate=rate)
                st.height, st.width = img.shape[:2]
                st.pix_fmt = "yuv420p"
                st.codec_context.time_base = 1 / rate
                if crf is not None and codec == "libx264":
                    st.options = {"crf": str(crf), "preset": "ultrafast"}
                if rotation_deg is not None:
                    st.set_display_rotation(rotation_deg)
            f = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            f.pts = i
            for p in st.encode(f):
                c.mux(p)
        if st is None:
            raise ValueError(f"no frames to write to {dst}")
        for p in st.encode():
            c.mux(p)
    tmp.replace(dst)
    return dst


def cut_clip(src: Path, dst: Path, n_frames: int) -> Path:
    """The first ``n_frames`` of ``src`` re-encoded to ``dst`` (same size and rate)."""
    return write_clip(dst, read_frames(src, limit=n_frames), clip_rate(src))


def still_clip(dst: Path, width: int, height: int, n_frames: int, rate: int = 30, grey: int = 90) -> Path:
    """A clip of one uniform grey frame repeated (nobody in view), MPEG-4 part 2."""
    img = np.full((height, width, 3), grey, np.uint8)
    return write_clip(dst, (img for _ in range(n_frames)), rate, codec="mpeg4")


def pose_workers_of(parent_pid: int) -> list[int]:
    """Live pose worker processes started by ``parent_pid`` (read from /proc; zombies are not alive)."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd, env = (d / "cmdline").read_bytes(), (d / "environ").read_bytes()
            state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if b"gaitscope.pose._worker" in cmd and f"GAITSCOPE_PARENT_PID={parent_pid}\0".encode() in env and state not in "ZX":
            out.append(int(d.name))
    return out

"""Probe and decode video with PyAV: upright frames with presentation timestamps.

* Phone rotation: a phone stores a portrait video as landscape pixels plus a display matrix.
  PyAV reports it as ``frame.rotation``: the angle in degrees by which the *stored* frame must be
  turned **counter-clockwise** to be shown upright. We apply it with
  ``np.rot90(stored, k=rotation // 90)`` (``np.rot90`` turns counter-clockwise for positive
  ``k``). Checked against OpenCV's own auto-rotation on clips written with
  ``set_display_rotation(+90 / -90 / 180)`` (see ``tests/test_video.py``).
* Time: ``t_s`` of a frame is ``(pts - pts_first) * time_base`` of its presentation timestamp,
  never ``index / fps``, so variable-frame-rate phone video keeps its true timing.
* Probing refuses clearly (:class:`~gaitscope.types.GaitscopeError`, one sentence naming the
  file and what to do) what cannot be analysed: missing or empty file, not a video, truncated or
  corrupt, no frames, too short for two strides, absurd resolution.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

from gaitscope.types import GaitscopeError

#: Shortest clip accepted: two running strides take about 1.4 s (running stride time about
#: 0.65-0.75 s), so a short running clip still reaches the gait stage, which says it is running.
#: A walking clip needs about 2.2 s for two strides (older adults' stride 1.0-1.2 s); between
#: the two, the gait stage reports too few strides rather than this stage guessing.
MIN_DURATION_S = 1.4
#: Smallest / largest side of the frame accepted, in px. Below the minimum a person cannot be
#: resolved; above the maximum (beyond 8K) the file is almost certainly broken or not camera video.
MIN_SIDE_PX = 96
MAX_SIDE_PX = 8192
#: Largest frame accepted, in pixels (DCI 4K, 4096x2160; UHD 3840x2160 and portrait 4K fit). Checked
#: on the stream header before any frame is decoded, and given to the decoder as its
#: ``max_pixels`` so that a file whose frames are larger than its header says is refused by the
#: decoder instead of allocating them: memory stays bounded whatever the file declares. An 8K
#: frame is 100 MB as RGB and the pose model sees 256x256 px of it anyway.
MAX_FRAME_PIXELS = 4096 * 2160
#: Longest clip the pose stage takes by default (s); ``--max-duration`` raises it. A gait
#: recording is a few walking passes (10-60 s); a longer clip costs minutes of pose estimation
#: (about 1 min per minute of 720p video on two cores) before anything can be said about it.
DEFAULT_MAX_DURATION_S = 120.0

_RECORD_HINT = "record the person walking side-on for at least 5 s (a few strides) and try again"


@dataclass(frozen=True)
class VideoInfo:
    """What probing a video found.

    ``width_px`` / ``height_px`` are of the **upright** image (rotation applied);
    ``rotation_deg`` is PyAV's counter-clockwise display rotation of the stored frames;
    ``pts`` are the presentation timestamps of all frames in presentation order, in units of
    ``time_base`` (a fraction of a second); ``t_s`` the same as seconds from the first frame.
    """

    path: Path
    codec: str
    width_px: int
    height_px: int
    rotation_deg: int
    time_base: Fraction
    pts: np.ndarray
    nominal_rate_hz: float

    @property
    def time_base_s(self) -> float:
        return float(self.time_base)

    @property
    def n_frames(self) -> int:
        return int(self.pts.size)

    @property
    def t_s(self) -> np.ndarray:
        return (self.pts - self.pts[0]) * self.time_base_s

    @property
    def duration_s(self) -> float:
        """From the first to the last frame's timestamp plus one median frame interval (s)."""
        t = self.t_s
        if t.size < 2:
            return 0.0
        return float(t[-1] + np.median(np.diff(t)))

    @property
    def image_size_px(self) -> tuple[int, int]:
        return (self.width_px, self.height_px)


@dataclass(frozen=True)
class Frame:
    """One decoded upright frame: 0-based ``index``, ``t_s`` (s from the first frame), ``rgb``."""

    index: int
    t_s: float
    rgb: np.ndarray


def _open(path: Path):
    import av

    if not path.exists():
        raise GaitscopeError(f"{path}: file not found; check the path")
    if path.is_dir():
        raise GaitscopeError(f"{path}: is a folder, not a video file; give the path of a video (mp4, mov ...)")
    if path.stat().st_size == 0:
        raise GaitscopeError(f"{path}: the file is empty (0 bytes); copy the video again from the phone or camera")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as err:
        raise GaitscopeError(
            f"{path}: cannot be read as a video (not a video file, or truncated/corrupt: {_short(err)}); "
            "export or copy the video again as mp4 or mov"
        ) from None
    if not container.streams.video:
        container.close()
        raise GaitscopeError(f"{path}: contains no video stream; give a video file (mp4, mov ...)")
    return container


def _short(err: Exception) -> str:
    text = str(err).split(":")[0] if ":" in str(err) else str(err)
    return text.strip().rstrip(".")[:80] or type(err).__name__


def _check_pixels(path: Path, w: int, h: int) -> None:
    if w * h > MAX_FRAME_PIXELS:
        raise GaitscopeError(
            f"{path}: the frames are {w}x{h} px ({w * h / 1e6:.0f} megapixels), more than gaitscope decodes "
            f"({MAX_FRAME_PIXELS / 1e6:.1f} megapixels, 4K); record at 1080p or 4K, or scale the video down"
        )


def _limit_decoder(stream) -> None:
    """Tell the decoder to refuse frames larger than :data:`MAX_FRAME_PIXELS` (never allocate them)."""
    stream.codec_context.options = {**dict(stream.codec_context.options or {}), "max_pixels": str(MAX_FRAME_PIXELS)}


def _too_long(path: Path, duration_s: float, max_duration_s: float) -> GaitscopeError:
    return GaitscopeError(
        f"{path}: the video is {duration_s:.0f} s long, more than the {max_duration_s:.0f} s analysed by default; "
        "cut it to the walking passes (10-60 s is plenty), or give --max-duration "
        f"{int(np.ceil(duration_s))} to analyse all of it (about a minute of computing per minute of video)"
    )


def probe_video(path: str | Path, *, max_duration_s: float | None = None) -> VideoInfo:
    """Check that ``path`` is a usable video and collect its frame timestamps.

    Reads every packet (no decoding, fast) and decodes the first frame. Raises
    :class:`GaitscopeError` with one sentence naming the file and what to do when the file is
    missing, empty, not a video, truncated or corrupt, has no frames, is shorter than
    :data:`MIN_DURATION_S`, longer than ``max_duration_s`` (seconds; None: no limit), has an
    absurd resolution or frames of more than :data:`MAX_FRAME_PIXELS` (checked on the header,
    before anything is decoded).
    """
    import av

    path = Path(path)
    if max_duration_s is not None and not (np.isfinite(max_duration_s) and max_duration_s > 0):
        raise GaitscopeError(f"--max-duration must be a positive number of seconds (got {max_duration_s})")
    container = _open(path)
    try:
        stream = container.streams.video[0]
        tb = stream.time_base
        if tb is None:
            raise GaitscopeError(f"{path}: the video stream has no time base; re-export the video as mp4")
        _check_pixels(path, int(stream.codec_context.width or 0), int(stream.codec_context.height or 0))
        if max_duration_s is not None and stream.duration:  # the header's word first: no need to read 2 h of packets
            declared_s = float(stream.duration * tb)
            if declared_s > 1.05 * max_duration_s:
                raise _too_long(path, declared_s, max_duration_s)
        _limit_decoder(stream)
        pts: list[int] = []
        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                if packet.pts is None:
                    raise GaitscopeError(
                        f"{path}: the video frames carry no timestamps (raw stream?); re-export it as mp4 or mov"
                    )
                if packet.is_corrupt:
                    raise GaitscopeError(f"{path}: the video is corrupt (damaged frame data); copy or export it again")
                pts.append(int(packet.pts))
        except av.error.FFmpegError as err:
            raise GaitscopeError(
                f"{path}: the video is truncated or corrupt ({_short(err)}); copy or export it again"
            ) from None
        if not pts:
            raise GaitscopeError(f"{path}: the video has no frames; " + _RECORD_HINT)
        declared = int(stream.frames or 0)
        if declared and len(pts) < 0.9 * declared:
            raise GaitscopeError(
                f"{path}: the video is truncated ({len(pts)} of {declared} frames present); copy or export it again"
            )
        container.seek(0)
        first = None
        try:
            for first in container.decode(stream):
                break
        except av.error.FFmpegError as err:
            raise GaitscopeError(f"{path}: the video cannot be decoded ({_short(err)}); copy or export it again") from None
        if first is None:
            raise GaitscopeError(f"{path}: no frame of the video can be decoded; copy or export it again")
        rotation = _quarter_turns(first.rotation) * 90
        w, h = int(first.width), int(first.height)
        if rotation % 180:
            w, h = h, w
        rate = float(stream.average_rate) if stream.average_rate else float("nan")
        codec = stream.codec_context.name
    finally:
        container.close()

    info = VideoInfo(
        path=path,
        codec=codec,
        width_px=w,
        height_px=h,
        rotation_deg=rotation,
        time_base=Fraction(tb.numerator, tb.denominator),
        pts=np.unique(np.asarray(pts, dtype=np.int64)),
        nominal_rate_hz=rate,
    )
    if min(w, h) < MIN_SIDE_PX or max(w, h) > MAX_SIDE_PX:
        raise GaitscopeError(
            f"{path}: the resolution {w}x{h} px is outside what gaitscope can use "
            f"({MIN_SIDE_PX}-{MAX_SIDE_PX} px per side); record at 720p or 1080p"
        )
    _check_pixels(path, w, h)
    if max_duration_s is not None and info.duration_s > max_duration_s:
        raise _too_long(path, info.duration_s, max_duration_s)
    if info.n_frames < 2 or info.duration_s < MIN_DURATION_S:
        raise GaitscopeError(
            f"{path}: the video is only {info.duration_s:.1f} s long ({info.n_frames} frames), too short for two "
            f"strides; {_RECORD_HINT}"
        )
    return info


def _quarter_turns(rotation_deg: float | int | None) -> int:
    """Nearest multiple of 90 degrees, as a count of counter-clockwise quarter turns (0-3)."""
    if not rotation_deg:
        return 0
    return int(round(float(rotation_deg) / 90.0)) % 4


def upright(rgb: np.ndarray, rotation_deg: float | int | None) -> np.ndarray:
    """Turn a stored frame upright: counter-clockwise by PyAV's ``frame.rotation`` (degrees)."""
    k = _quarter_turns(rotation_deg)
    return np.ascontiguousarray(np.rot90(rgb, k=k)) if k else rgb


def iter_frames(
    info: VideoInfo,
    *,
    start: int = 0,
    stop: int | None = None,
    prefetch: int = 8,
) -> Iterator[Frame]:
    """Decode frames ``[start, stop)`` of a probed video, upright, as RGB.

    Parameters
    ----------
    info
        From :func:`probe_video`; frames are identified by their presentation timestamp, so a
        chunk can start anywhere (the decoder seeks to the keyframe before it).
    start, stop
        Half-open range of 0-based frame indices (presentation order).
    prefetch
        Frames decoded ahead in a background thread (0: decode in the caller's thread).
        PyAV releases the GIL while decoding, so decoding overlaps the pose model.

    Yields
    ------
    Frame
        ``index`` (0-based), ``t_s`` (s from the first frame of the video), ``rgb`` uint8
        ``(height_px, width_px, 3)``.
    """
    stop = info.n_frames if stop is None else min(stop, info.n_frames)
    if start >= stop:
        return iter(())
    gen = _decode(info, start, stop)
    if prefetch <= 0:
        return gen
    return _prefetched(gen, prefetch)


def _decode(info: VideoInfo, start: int, stop: int) -> Iterator[Frame]:
    import av

    path = info.path
    pts_all = info.pts
    first_pts = int(pts_all[0])
    start_pts = int(pts_all[start])
    end_pts = int(pts_all[stop]) if stop < info.n_frames else None
    container = _open(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        _limit_decoder(stream)
        if start > 0:
            container.seek(start_pts, stream=stream, backward=True, any_frame=False)
        expected = start
        try:
            for vf in container.decode(stream):
                if vf.pts is None:
                    raise GaitscopeError(f"{path}: a decoded frame has no timestamp; re-export the video as mp4")
                p = int(vf.pts)
                if p < start_pts:
                    continue
                if end_pts is not None and p >= end_pts:
                    break
                idx = int(np.searchsorted(pts_all, p))
                if idx >= pts_all.size or pts_all[idx] != p:
                    continue  # a frame the demuxer did not list (should not happen); skip it
                expected = idx + 1
                yield _frame(vf, idx, p - first_pts, info)
        except av.error.FFmpegError as err:
            raise _corrupt(path, expected, err) from None
    finally:
        container.close()


def _frame(vf, index: int, pts_from_start: int, info: VideoInfo) -> Frame:
    """One decoded frame, upright, as contiguous RGB, timed from the clip's first frame."""
    rgb = np.ascontiguousarray(upright(vf.to_ndarray(format="rgb24"), vf.rotation))
    return Frame(index=index, t_s=pts_from_start * info.time_base_s, rgb=rgb)


def _corrupt(path, frame: int, err: BaseException) -> GaitscopeError:
    """The one-sentence refusal of a video that fails to decode near ``frame``."""
    return GaitscopeError(f"{path}: the video is corrupt near frame {frame} ({_short(err)}); copy or export it again")


def iter_frames_at(info: VideoInfo, indices) -> Iterator[Frame]:
    """Decode only the frames ``indices`` (0-based, increasing) of a probed video, upright, RGB.

    Seeks to the keyframe before each one and decodes forward to it, so a sparse sample of a
    long clip costs about half a keyframe interval of decoding per frame, not the whole clip.
    """
    import av

    path = info.path
    first_pts = int(info.pts[0])
    container = _open(path)
    try:
        stream = container.streams.video[0]
        _limit_decoder(stream)
        for idx in indices:
            target = int(info.pts[int(idx)])
            try:
                container.seek(target, stream=stream, backward=True, any_frame=False)
                for vf in container.decode(stream):
                    if vf.pts is None or int(vf.pts) < target:
                        continue
                    yield _frame(vf, int(idx), int(vf.pts) - first_pts, info)
                    break
            except av.error.FFmpegError as err:
                raise _corrupt(path, int(idx), err) from None
    finally:
        container.close()


_DONE = object()


def _prefetched(gen: Iterator[Frame], depth: int) -> Iterator[Frame]:
    """Run ``gen`` in a daemon thread, ``depth`` items ahead; re-raise its errors here."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop_flag = threading.Event()

    def work() -> None:
        try:
            for item in gen:
                while not stop_flag.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop_flag.is_set():
                    break
            q.put(_DONE)
        except BaseException as err:  # noqa: BLE001 -- handed to the consumer and re-raised there
            q.put(err)
        finally:
            gen.close()

    th = threading.Thread(target=work, name="gaitscope-decode", daemon=True)
    th.start()

    def consume() -> Iterator[Frame]:
        try:
            while True:
                item = q.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop_flag.set()
            while th.is_alive():
                try:
                    q.get_nowait()
                except queue.Empty:
                    th.join(timeout=0.05)

    return consume()

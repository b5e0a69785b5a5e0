"""Draw a skeleton on an image, and write a checking video with it (``--overlay``).

Left side is drawn in orange, right side in blue, the midline in white; a keypoint is drawn only
when its score reaches ``min_score``. Uses OpenCV for drawing (imported lazily).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

#: Bones as pairs of gaitscope keypoint names; pairs whose names are absent are skipped.
BONES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("left_ankle", "left_heel"),
    ("left_heel", "left_toe"),
    ("left_ankle", "left_toe"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("right_ankle", "right_heel"),
    ("right_heel", "right_toe"),
    ("right_ankle", "right_toe"),
    ("nose", "left_eye"),
    ("nose", "right_eye"),
    ("left_eye", "left_ear"),
    ("right_eye", "right_ear"),
    ("c7", "left_shoulder"),
    ("c7", "right_shoulder"),
)

_LEFT_RGB = (255, 140, 0)
_RIGHT_RGB = (30, 144, 255)
_MID_RGB = (255, 255, 255)


def _colour(name_a: str, name_b: str) -> tuple[int, int, int]:
    if name_a.startswith("left_") and name_b.startswith("left_"):
        return _LEFT_RGB
    if name_a.startswith("right_") and name_b.startswith("right_"):
        return _RIGHT_RGB
    return _MID_RGB


def draw_skeleton(
    rgb: np.ndarray,
    xy_px: np.ndarray,
    score: np.ndarray,
    names: Sequence[str],
    *,
    min_score: float = 0.3,
    thickness_px: int | None = None,
    copy: bool = True,
) -> np.ndarray:
    """Draw keypoints and bones on an RGB image.

    Parameters
    ----------
    rgb
        ``(h, w, 3)`` uint8 RGB image.
    xy_px
        ``(k, 2)`` or ``(k, 3)`` keypoint pixels (origin top-left, +y down); extra columns ignored.
    score
        ``(k,)`` scores in [0, 1]; keypoints below ``min_score`` or with NaN coordinates are skipped.
    names
        gaitscope keypoint names of the ``k`` rows.
    thickness_px
        Line thickness; default scales with the image (about 1/300 of its larger side, at least 2).
    copy
        Draw on a copy (default) or in place.

    Returns
    -------
    ndarray
        The image with the skeleton (left side orange, right side blue, midline white).
    """
    import cv2

    img = np.array(rgb, dtype=np.uint8, copy=True) if copy else rgb
    pts = np.asarray(xy_px, dtype=float)[:, :2]
    sc = np.asarray(score, dtype=float)
    names = list(names)
    ok = np.isfinite(pts).all(axis=1) & (np.nan_to_num(sc) >= min_score)
    t = thickness_px or max(2, round(max(img.shape[:2]) / 300))
    pos = {n: (int(round(p[0])), int(round(p[1]))) for n, p, good in zip(names, pts, ok) if good}
    for a, b in BONES:
        if a in pos and b in pos:
            cv2.line(img, pos[a], pos[b], _colour(a, b), t, cv2.LINE_AA)
    for n, p in pos.items():
        col = _LEFT_RGB if n.startswith("left_") else _RIGHT_RGB if n.startswith("right_") else _MID_RGB
        cv2.circle(img, p, t + 2, col, -1, cv2.LINE_AA)
        if n.endswith(("_heel", "_toe")):
            cv2.circle(img, p, t + 4, (0, 0, 0), 1, cv2.LINE_AA)
    return img


def _encoder_name() -> str:
    import av

    for name in ("libx264", "mpeg4"):
        if name in av.codecs_available:
            return name
    raise RuntimeError("PyAV has neither libx264 nor mpeg4 encoders")


#: How long an event's label stays on the overlay after the event, seconds (readable at normal speed).
EVENT_LABEL_HOLD_S = 0.4
_EVENT_WORDS = {"ic": "lands (initial contact)", "fc": "lifts off (final contact)"}
_SIDE_RGB = {"left": (224, 123, 0), "right": (30, 120, 210)}


def _event_labels(events, info) -> dict[int, list[tuple[str, tuple[int, int, int]]]]:
    """``{video frame: [(label, rgb), ...]}``: each event's label from its frame for EVENT_LABEL_HOLD_S."""
    out: dict[int, list[tuple[str, tuple[int, int, int]]]] = {}
    if events is None or not len(events):
        return out
    rate = info.nominal_rate_hz if np.isfinite(info.nominal_rate_hz) and info.nominal_rate_hz > 0 else 30.0
    hold = max(1, int(round(EVENT_LABEL_HOLD_S * rate)))
    for ev in events.itertuples():
        side, kind = str(ev.side), str(ev.event)
        label = f"{side.upper()} foot {_EVENT_WORDS.get(kind, kind)}"
        for f in range(int(ev.frame), int(ev.frame) + hold):
            out.setdefault(f, []).append((label, _SIDE_RGB.get(side, (255, 255, 255))))
    return out


def write_overlay(info, pose, out_path: str | Path, *, min_score: float = 0.3, events=None) -> Path:
    """Write ``out_path`` (mp4): the upright video with the walker's skeleton drawn and, when ``events`` (the
    events.csv table: ``event``, ``side``, ``frame`` = video frame) is given, each gait event named on the
    frames after it (``EVENT_LABEL_HOLD_S``) in the side's colour.

    Parameters
    ----------
    info
        :class:`gaitscope.capture.video.VideoInfo` of the video ``pose`` came from.
    pose
        Image-frame :class:`~gaitscope.types.PoseSequence` with ``frame_index`` into the video.
    out_path
        Output file; frames keep their presentation timestamps (variable frame rate survives).

    Returns
    -------
    Path
        ``out_path``.
    """
    from gaitscope.outputs import atomic_path

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_path) as tmp:  # a kill or full disk never leaves a half-written video
        _encode_overlay(info, pose, tmp, min_score=min_score, events=events)
    return out_path


def _encode_overlay(info, pose, out_path: Path, *, min_score: float, events=None) -> None:
    import av
    import cv2

    from gaitscope.capture.video import iter_frames

    row_of = {int(f): i for i, f in enumerate(pose.frame_index)}
    labels = _event_labels(events, info)
    w, h = info.width_px - info.width_px % 2, info.height_px - info.height_px % 2
    codec = _encoder_name()
    container = av.open(str(out_path), mode="w")
    try:
        rate = round(info.nominal_rate_hz) if np.isfinite(info.nominal_rate_hz) and info.nominal_rate_hz > 0 else 30
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.codec_context.time_base = info.time_base
        if codec == "libx264":
            stream.options = {"crf": "23", "preset": "veryfast"}
        else:
            stream.codec_context.bit_rate = 4_000_000
        pts0 = int(info.pts[0])
        for fr in iter_frames(info):
            img = fr.rgb[:h, :w]
            row = row_of.get(fr.index)
            if row is not None:
                img = draw_skeleton(img, pose.xyz[row], pose.score[row], pose.names, min_score=min_score)
            else:
                img = img.copy()
            cv2.putText(img, f"{fr.index}  {fr.t_s:6.2f} s", (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                        (255, 255, 0), 2, cv2.LINE_AA)
            for k, (text, rgb) in enumerate(labels.get(fr.index, [])):
                y = 64 + 34 * k
                cv2.putText(img, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 5, cv2.LINE_AA)
                cv2.putText(img, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, rgb, 2, cv2.LINE_AA)
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            vf.pts = int(info.pts[fr.index]) - pts0
            vf.time_base = info.time_base
            for packet in stream.encode(vf):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    finally:
        container.close()

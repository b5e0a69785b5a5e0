"""Draw a skeleton on an image, and write a checking video with it (``--overlay``).

Left side is drawn in orange, right side in blue, the midline in white; a keypoint is drawn only
when its score reaches ``min_score``. Uses OpenCV for drawing (imported lazily).
"""

from __future__ import annotations

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

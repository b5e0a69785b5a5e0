"""Keypoints of one still image (photos for the posture screen)."""

from __future__ import annotations

import numpy as np

from gaitscope.pose.backends import get_backend


def estimate_image(rgb: np.ndarray, *, backend: str = "mediapipe") -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Detect one person in a still RGB image.

    Parameters
    ----------
    rgb
        ``(h, w, 3)`` uint8 RGB image, upright.
    backend
        Pose backend name (default ``"mediapipe"``, run in static-image mode).

    Returns
    -------
    xyz_px : ndarray ``(k, 3)``
        x, y in pixels of ``rgb`` (origin top-left, +x right, +y down); z the model's relative
        depth in px-like units (smaller = nearer the camera, 0 at the hip midpoint).
        All NaN when nobody is found.
    score : ndarray ``(k,)``
        Visibility in [0, 1] per keypoint; 0 when nobody is found.
    names : tuple of str
        gaitscope keypoint names (:data:`gaitscope.types.KEYPOINT_NAMES`) of the rows.
    """
    arr = np.asarray(rgb)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(f"rgb must have shape (h, w, 3), got {arr.shape}")
    if arr.dtype != np.uint8:
        raise ValueError(f"rgb must be uint8, got {arr.dtype}")
    model = get_backend(backend, static_image_mode=True)
    fp = next(iter(model.estimate([arr])))
    return fp.xyz_px, fp.score, tuple(model.names)

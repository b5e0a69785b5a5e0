"""MediaPipe BlazePose backend (the default): 33 landmarks incl. heels and foot tips.

Uses the legacy ``mediapipe.solutions.pose`` graph with ``model_complexity=1``, whose model
(``pose_landmark_full.tflite``) and detector (``pose_detection.tflite``) ship inside the pinned
``mediapipe==0.10.14`` wheel, so it runs with no network. ``mediapipe`` is imported lazily,
inside :meth:`MediaPipePose.estimate`, so importing this module is cheap.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np

#: BlazePose landmark index -> gaitscope keypoint name (only those gaitscope uses).
#: ``foot_index`` (tip of the forefoot) is gaitscope's ``*_toe``. Sides are the person's own.
BLAZEPOSE_TO_GAITSCOPE: tuple[tuple[int, str], ...] = (
    (0, "nose"),
    (2, "left_eye"),
    (5, "right_eye"),
    (7, "left_ear"),
    (8, "right_ear"),
    (11, "left_shoulder"),
    (12, "right_shoulder"),
    (13, "left_elbow"),
    (14, "right_elbow"),
    (15, "left_wrist"),
    (16, "right_wrist"),
    (23, "left_hip"),
    (24, "right_hip"),
    (25, "left_knee"),
    (26, "right_knee"),
    (27, "left_ankle"),
    (28, "right_ankle"),
    (29, "left_heel"),
    (30, "right_heel"),
    (31, "left_toe"),
    (32, "right_toe"),
)

NAMES: tuple[str, ...] = tuple(name for _, name in BLAZEPOSE_TO_GAITSCOPE)
_IDX = np.array([i for i, _ in BLAZEPOSE_TO_GAITSCOPE])


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Hide the TFLite/absl start-up chatter that MediaPipe writes straight to file descriptor 2.

    Only wraps model creation and the first inference; Python-level errors still propagate.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="SymbolDatabase.GetPrototype")
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def mediapipe_version() -> str:
    """Installed mediapipe version (imports mediapipe)."""
    import mediapipe

    return str(mediapipe.__version__)


@dataclass(frozen=True)
class FramePose:
    """Keypoints of one frame, in pixels of the image that was given.

    ``xyz_px``: ``(k, 3)``; x, y in px (origin top-left, +y down), z the model's relative depth
    scaled like x (px, smaller = nearer the camera, 0 at the hip midpoint); NaN when no person.
    ``score``: ``(k,)`` visibility in [0, 1]; 0 when no person.
    ``world_m``: ``(k, 3)`` the model's own metric 3D estimate (m, origin at the hip midpoint,
    +y down as in MediaPipe), NaN when no person.
    """

    xyz_px: np.ndarray
    score: np.ndarray
    world_m: np.ndarray

    @property
    def found(self) -> bool:
        return bool(np.isfinite(self.xyz_px[:, 0]).any())


def _empty(k: int) -> FramePose:
    nan = np.full((k, 3), np.nan)
    return FramePose(xyz_px=nan, score=np.zeros(k), world_m=nan.copy())


class MediaPipePose:
    """BlazePose (full model) through ``mediapipe.solutions.pose``.

    Parameters
    ----------
    static_image_mode
        True: detect the person afresh in every image (for still photos). False: track
        across frames of one video (the detector runs only when tracking is lost).
    min_detection_confidence, min_tracking_confidence
        MediaPipe's thresholds in [0, 1].
    smooth_landmarks
        MediaPipe's own temporal landmark filter (video only).

    Notes
    -----
    One verb: :meth:`estimate` takes an iterable of RGB ``uint8`` images ``(h, w, 3)`` of one
    stream and yields a :class:`FramePose` per image, in pixels of that image. A new call
    starts a new tracker.
    """

    name = "mediapipe"
    model = "BlazePose GHUM 3D full (pose_landmark_full.tflite, model_complexity=1)"
    names = NAMES

    def __init__(
        self,
        *,
        static_image_mode: bool = False,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        smooth_landmarks: bool = True,
    ) -> None:
        self.static_image_mode = static_image_mode
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        self.smooth_landmarks = smooth_landmarks

    @property
    def version(self) -> str:
        return mediapipe_version()

    def estimate(self, rgb_frames: Iterable[np.ndarray]) -> Iterator[FramePose]:
        """Yield the keypoints of each RGB image (see class Notes)."""
        from mediapipe.python.solutions import pose as mp_pose

        k = len(NAMES)
        with quiet_native_logs():
            model = mp_pose.Pose(
                static_image_mode=self.static_image_mode,
                model_complexity=1,
                smooth_landmarks=self.smooth_landmarks,
                enable_segmentation=False,
                min_detection_confidence=self.min_detection_confidence,
                min_tracking_confidence=self.min_tracking_confidence,
            )
        first = True
        with model:
            for rgb in rgb_frames:
                rgb = np.ascontiguousarray(rgb)
                h, w = rgb.shape[:2]
                if first:
                    with quiet_native_logs():
                        res = model.process(rgb)
                    first = False
                else:
                    with warnings.catch_warnings():
                        warnings.filterwarnings("ignore", message="SymbolDatabase.GetPrototype")
                        res = model.process(rgb)
                if res.pose_landmarks is None:
                    yield _empty(k)
                    continue
                lm = np.array([(p.x, p.y, p.z, p.visibility) for p in res.pose_landmarks.landmark])[_IDX]
                xyz = np.column_stack([lm[:, 0] * w, lm[:, 1] * h, lm[:, 2] * w])
                world = np.full((k, 3), np.nan)
                if res.pose_world_landmarks is not None:
                    world = np.array([(p.x, p.y, p.z) for p in res.pose_world_landmarks.landmark])[_IDX]
                yield FramePose(xyz_px=xyz, score=np.clip(lm[:, 3], 0.0, 1.0), world_m=world)

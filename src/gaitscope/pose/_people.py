"""Several people per image: MediaPipe Tasks ``PoseLandmarker`` built offline from the wheel.

The legacy BlazePose graph (:mod:`gaitscope.pose._mediapipe`) follows one person. To see *who*
is in view, we run the Tasks ``PoseLandmarker`` with ``num_poses > 1`` on a subsample of frames.
Its ``.task`` bundle is normally downloaded; here it is assembled in memory from the two models
that the pinned wheel already ships (``modules/pose_detection/pose_detection.tflite`` and
``modules/pose_landmark/pose_landmark_full.tflite``), after adding the input-normalisation
metadata the Tasks API requires (detector: RGB scaled to [-1, 1]; landmark model: [0, 1], as in
the legacy graph's ``ImageToTensorCalculator`` settings). No network is used.
"""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from gaitscope.pose._mediapipe import _IDX, NAMES, quiet_native_logs


@lru_cache(maxsize=1)
def _task_bundle() -> bytes:
    import mediapipe
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    modules = Path(mediapipe.__file__).parent / "modules"

    def with_metadata(path: Path, mean: float, std: float, n_outputs: int) -> bytes:
        writer = metadata_writer.MetadataWriter.create(bytearray(path.read_bytes()))
        writer.add_general_info(path.stem, "BlazePose model from the mediapipe wheel")
        writer.add_image_input([mean], [std])
        for _ in range(n_outputs):
            writer.add_feature_output()
        return bytes(writer.populate()[0])

    detector = with_metadata(modules / "pose_detection" / "pose_detection.tflite", 127.5, 127.5, 2)
    landmarks = with_metadata(modules / "pose_landmark" / "pose_landmark_full.tflite", 0.0, 255.0, 5)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("pose_detector.tflite", detector)
        z.writestr("pose_landmarks_detector.tflite", landmarks)
    return buf.getvalue()


class PeopleDetector:
    """Find every person in one image (BlazePose detector + landmarks per person).

    Parameters
    ----------
    max_people
        Largest number of people reported per image.
    min_confidence
        Detection / presence threshold in [0, 1].

    Notes
    -----
    One verb: :meth:`detect` -> list of ``(xyz_px (k, 3), score (k,))`` per person, in pixels
    of the given image, keypoints named :data:`gaitscope.pose._mediapipe.NAMES`. The Tasks
    graph runs in video mode (people found in one call are followed into the next, which finds
    far more of them than independent images), so calls must come in time order with their
    timestamps; the person detector still runs on every call while fewer than ``max_people``
    are followed.
    """

    def __init__(self, *, max_people: int = 4, min_confidence: float = 0.5) -> None:
        self.max_people = max_people
        self.min_confidence = min_confidence
        self._landmarker = None
        self._first = True

    def _get(self):
        if self._landmarker is None:
            from mediapipe.tasks.python import BaseOptions, vision

            opts = vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_buffer=_task_bundle()),
                running_mode=vision.RunningMode.VIDEO,
                num_poses=self.max_people,
                min_pose_detection_confidence=self.min_confidence,
                min_pose_presence_confidence=self.min_confidence,
                min_tracking_confidence=self.min_confidence,
            )
            with quiet_native_logs():
                self._landmarker = vision.PoseLandmarker.create_from_options(opts)
                self._first = True
        return self._landmarker

    def detect(self, rgb: np.ndarray, t_s: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """People in one RGB uint8 image ``(h, w, 3)`` taken at ``t_s`` (s, increasing)."""
        import mediapipe

        h, w = rgb.shape[:2]
        image = mediapipe.Image(image_format=mediapipe.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        landmarker = self._get()
        if getattr(self, "_first", False):
            with quiet_native_logs():
                result = landmarker.detect_for_video(image, int(round(t_s * 1000)))
            self._first = False
        else:
            result = landmarker.detect_for_video(image, int(round(t_s * 1000)))
        people = []
        for lms in result.pose_landmarks:
            a = np.array([(p.x, p.y, p.z, p.visibility if p.visibility is not None else 1.0) for p in lms])[_IDX]
            xyz = np.column_stack([a[:, 0] * w, a[:, 1] * h, a[:, 2] * w])
            people.append((xyz, np.clip(np.nan_to_num(a[:, 3]), 0.0, 1.0)))
        return people

    def close(self) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None


__all__ = ["NAMES", "PeopleDetector"]

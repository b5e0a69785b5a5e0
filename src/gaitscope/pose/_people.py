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

    **Tiles.** The person detector sees the whole image shrunk to 224 px: a person 350 px tall at
    the far end of a 1080p frame becomes about 40 px there and is missed (seen on
    ``walk_frontal_toward_camera.mp4``, frames 0-35). When a whole-image search finds nobody, the
    image is searched again in square tiles of the image's shorter side, overlapping by half
    (:func:`tile_origins`; three tiles for a landscape 16:9 frame), each on its own (image mode),
    so the same person is 2-3x larger at the detector; duplicates from overlapping tiles are
    merged later by box overlap (:func:`gaitscope.pose.walker.merge_duplicates`).
    """

    def __init__(self, *, max_people: int = 4, min_confidence: float = 0.5, tiles: bool = True) -> None:
        self.max_people = max_people
        self.min_confidence = min_confidence
        self.tiles = tiles
        self._landmarker = None
        self._tile_landmarker = None
        self._first = True
        self.tile_searches = 0

    def _options(self, video: bool):
        from mediapipe.tasks.python import BaseOptions, vision

        return vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=_task_bundle()),
            running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
            num_poses=self.max_people,
            min_pose_detection_confidence=self.min_confidence,
            min_pose_presence_confidence=self.min_confidence,
            min_tracking_confidence=self.min_confidence,
        )

    def _get(self):
        if self._landmarker is None:
            from mediapipe.tasks.python import vision

            with quiet_native_logs():
                self._landmarker = vision.PoseLandmarker.create_from_options(self._options(video=True))
                self._first = True
        return self._landmarker

    def _get_tile(self):
        if self._tile_landmarker is None:
            from mediapipe.tasks.python import vision

            with quiet_native_logs():
                self._tile_landmarker = vision.PoseLandmarker.create_from_options(self._options(video=False))
        return self._tile_landmarker

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
        people = _people_px(result, w, h, 0, 0)
        if not people and self.tiles:
            self.tile_searches += 1
            tl = self._get_tile()
            side = min(w, h)
            for x0, y0 in tile_origins(w, h):
                crop = np.ascontiguousarray(rgb[y0 : y0 + side, x0 : x0 + side])
                tile = mediapipe.Image(image_format=mediapipe.ImageFormat.SRGB, data=crop)
                people.extend(_people_px(tl.detect(tile), side, side, x0, y0))
        return people

    def close(self) -> None:
        for name in ("_landmarker", "_tile_landmarker"):
            lm = getattr(self, name)
            if lm is not None:
                lm.close()
                setattr(self, name, None)


def tile_origins(width_px: int, height_px: int) -> list[tuple[int, int]]:
    """Top-left corners of square tiles (side = the shorter image side) overlapping by at least half,
    covering the image: ``[(0, 0), (420, 0), (840, 0)]`` for 1920x1080."""
    side = min(width_px, height_px)
    out = []
    for length, axis in ((width_px, 0), (height_px, 1)):
        if length > side:
            n = int(np.ceil((length - side) / (0.5 * side))) + 1
            starts = np.linspace(0, length - side, n).round().astype(int)
            out = [(int(v), 0) if axis == 0 else (0, int(v)) for v in starts]
    return out or [(0, 0)]


def _people_px(result, w: int, h: int, x0: int, y0: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Landmarker result -> ``[(xyz_px (k, 3), score (k,))]`` in pixels of the full image."""
    people = []
    for lms in result.pose_landmarks:
        a = np.array([(p.x, p.y, p.z, p.visibility if p.visibility is not None else 1.0) for p in lms])[_IDX]
        xyz = np.column_stack([a[:, 0] * w + x0, a[:, 1] * h + y0, a[:, 2] * w])
        people.append((xyz, np.clip(np.nan_to_num(a[:, 3]), 0.0, 1.0)))
    return people


__all__ = ["NAMES", "PeopleDetector", "tile_origins"]

"""One entry point for keypoints that do not come from a video: :func:`load_keypoints`.

Dispatch on what the path is:

=============================================  ==========================================
path                                           reader -> result
=============================================  ==========================================
``*.c3d``, ``*.trc``, ``*.txt``, ``*.tsv``     :func:`markers.load_markers` -> MarkerRecording
folder of OpenPose ``*_keypoints.json``        :func:`openpose.read_openpose_folder` -> PoseSequence
``*.json`` with ``fps`` + ``angle_frames``     :func:`landmarks_json.load_landmarks_json` -> MarkerRecording
Vicon Nexus / OptiTrack Motive ``*.csv``      :func:`markers.load_markers` -> MarkerRecording
``*.csv`` with two header rows (marker, axis)  :func:`foot_markers_csv.load_foot_markers_csv` -> MarkerRecording
other ``*.csv``                                :func:`pose_csv.read_pose_csv` -> PoseSequence
=============================================  ==========================================

Keyword arguments are passed to the chosen reader (e.g. ``rate_hz`` for OpenPose and foot
marker CSVs, ``mapping_file`` for marker files, ``image_size_px`` for OpenPose/pose CSV).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Callable

from gaitscope.capture.markers import MarkerRecording
from gaitscope.types import GaitscopeError, PoseSequence

_VIDEO_EXT = {".mp4", ".mov", ".avi", ".mkv", ".m4v", ".webm"}
_IMAGE_EXT = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".gif"}


def _call(fn: Callable[..., Any], path: Path, kw: dict[str, Any]) -> Any:
    params = inspect.signature(fn).parameters
    unknown = [k for k in kw if k not in params]
    if unknown:
        raise GaitscopeError(f"{path}: option(s) {', '.join(unknown)} do not apply to this file type")
    return fn(path, **kw)


def load_keypoints(path: str | Path, **kw: Any) -> PoseSequence | MarkerRecording:
    """Load keypoints from a non-video input, choosing the reader from the file type.

    Returns a :class:`~gaitscope.types.PoseSequence` (OpenPose folder, pose CSV) or a
    :class:`~gaitscope.capture.markers.MarkerRecording` (marker files, landmark JSON, foot
    marker CSV; its ``.pose`` is the world-frame PoseSequence). Unknown, empty or corrupt
    inputs raise GaitscopeError with one sentence naming the file and what to do.
    """
    p = Path(path)
    if p.is_dir():
        if any(p.glob("*_keypoints.json")):
            from gaitscope.capture.openpose import read_openpose_folder

            return _call(read_openpose_folder, p, kw)
        raise GaitscopeError(f"{p}: folder holds no OpenPose '*_keypoints.json' files; give a marker, keypoint or video file")
    if not p.exists():
        raise GaitscopeError(f"{p}: no such file or folder; check the path")
    if p.stat().st_size == 0:
        raise GaitscopeError(f"{p}: the file is empty; export it again")
    ext = p.suffix.lower()
    if ext in (".c3d", ".trc", ".txt", ".tsv"):
        from gaitscope.capture.markers import load_markers

        return _call(load_markers, p, kw)
    if ext == ".json":
        from gaitscope.capture.validate import parse_json, read_text

        data = parse_json(read_text(p, what="JSON keypoint file"), source=p, what="JSON keypoint file")
        from gaitscope.capture.landmarks_json import is_landmarks_json, load_landmarks_json

        if is_landmarks_json(data):
            return _call(load_landmarks_json, p, kw)
        if isinstance(data, dict) and "people" in data:
            raise GaitscopeError(f"{p}: a single OpenPose frame; give the folder that holds all '*_keypoints.json' files")
        raise GaitscopeError(f"{p}: unknown JSON keypoint format; supported: gaitkit landmark JSON or an OpenPose folder")
    if ext == ".csv":
        from gaitscope.capture.markers import is_motive_csv, is_nexus_csv, load_markers

        if is_nexus_csv(p) or is_motive_csv(p):
            return _call(load_markers, p, kw)
        from gaitscope.capture.foot_markers_csv import is_foot_marker_csv, load_foot_markers_csv

        if is_foot_marker_csv(p):
            return _call(load_foot_markers_csv, p, kw)
        from gaitscope.capture.pose_csv import read_pose_csv

        return _call(read_pose_csv, p, kw)
    if ext in (".mot", ".sto"):
        raise GaitscopeError(f"{p}: an OpenSim motion file holds angles or forces, not keypoints; load the matching .trc")
    if ext in _IMAGE_EXT:
        raise GaitscopeError(
            f"{p}: this is a photo, and gait analysis needs a walk over time; for a standing posture screen run "
            f"'gaitscope posture --side {p.name}' (or --front/--back), for gait give a video or keypoint file"
        )
    if ext in _VIDEO_EXT:
        raise GaitscopeError(f"{p}: this is a video; run 'gaitscope pose' on it instead")
    raise GaitscopeError(
        f"{p}: unknown keypoint file type {ext or '(none)'}; supported: .c3d, .trc, marker table .txt/.tsv, OpenPose JSON folder, landmark .json, pose or foot-marker .csv"
    )

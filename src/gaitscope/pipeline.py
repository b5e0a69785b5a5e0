"""The gait-analysis pipeline: input file -> keypoints -> prepared walk -> events -> metrics -> outputs.

This is the only module that wires the stages. The pose stage (MediaPipe, OpenCV, PyAV) is
imported lazily, only for video input; everything after pose is fast and model-free.

Outputs (a versioned contract, ``docs/outputs.md``): ``events.csv``, ``cycles.csv``,
``angles.csv`` and ``summary.json`` in the output folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from gaitscope.metrics.cycles import compute_angles, compute_cycles
from gaitscope.metrics.summary import SCHEMA_VERSION, assert_finite, summarize
from gaitscope.types import GaitscopeError, PoseSequence

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".3gp")
MARKER_SUFFIXES = (".c3d", ".trc")
VIRTUAL_CAMERAS = ("sagittal-left", "sagittal-right", "frontal-front", "frontal-back")
EVENT_COLUMNS = ("event", "side", "frame", "t_s", "pass", "score")
#: Virtual-camera settings: a phone-like 1280x720 image, 30 frames per second, 1 px of noise.
VIRTUAL_CAMERA_DEFAULTS = {"rate_hz": 30.0, "image_size_px": (1280, 720), "noise_px": 1.0, "drop_fraction": 0.0, "seed": 0}


@dataclass(frozen=True)
class AnalysisResult:
    """Everything one analysis produced.

    ``events``, ``cycles``, ``angles`` are the tables written as CSV; ``summary`` is the
    ``summary.json`` content; ``files`` maps output names to the paths written (empty when
    nothing was written); ``reference`` is the marker recording (reference events and lab
    angles) when the input was a marker file, else None.
    """

    pose: PoseSequence
    prep: Any
    events: pd.DataFrame
    cycles: pd.DataFrame
    angles: pd.DataFrame
    summary: dict
    out_dir: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)
    reference: Any = None


def default_out_dir(input_path: str | Path) -> Path:
    """``<input stem>_gaitscope/`` beside the input."""
    p = Path(str(input_path).rstrip("/"))
    return p.parent / f"{p.stem}_gaitscope"


def _input_kind(path: Path) -> str:
    if path.is_dir():
        return "keypoints"
    suf = path.suffix.lower()
    if suf in VIDEO_SUFFIXES:
        return "video"
    if suf in MARKER_SUFFIXES:
        return "markers"
    if suf == ".mot":
        return "mot"
    return "keypoints"


def _video_pose(path: Path, out_dir: Path, *, backend: str, progress: bool) -> PoseSequence:
    """Keypoints of a video: reuse ``out_dir/pose.csv`` when it was made from this video."""
    from gaitscope.capture.pose_csv import read_pose_csv, sidecar_path

    cache = out_dir / "pose.csv"
    if cache.exists() and sidecar_path(cache).exists():
        try:
            side = json.loads(sidecar_path(cache).read_text())
        except json.JSONDecodeError:
            side = {}
        src = str(side.get("source", ""))
        if src and Path(src).name == path.name:
            return read_pose_csv(cache)
    from gaitscope.pose.run import run_pose  # lazy: the only place the pose model is loaded

    result = run_pose(path, out_dir=out_dir, backend=backend, overlay=False, workers=None, progress=progress)
    return result.pose


def load_input(
    input_path: str | Path,
    *,
    out_dir: Path,
    virtual_camera: str | None = None,
    backend: str = "mediapipe",
    progress: bool = False,
) -> tuple[PoseSequence, dict[str, Any], Any]:
    """Keypoints of any supported input.

    Returns
    -------
    (pose, input_info, reference)
        ``reference`` is the :class:`~gaitscope.capture.markers.MarkerRecording` for marker
        input (else None).
    """
    path = Path(input_path)
    if not path.exists():
        raise GaitscopeError(f"{path}: no such file or folder; check the path")
    kind = _input_kind(path)
    info: dict[str, Any] = {"path": str(path), "kind": kind}
    if virtual_camera is not None:
        if virtual_camera not in VIRTUAL_CAMERAS:
            raise GaitscopeError(
                f"--virtual-camera {virtual_camera!r} is not known; choose one of {', '.join(VIRTUAL_CAMERAS)}"
            )
        if kind != "markers":
            raise GaitscopeError(
                f"{path}: --virtual-camera works on marker files (.c3d, .trc) only; drop it for this input"
            )
    reference = None
    if kind == "video":
        pose = _video_pose(path, out_dir, backend=backend, progress=progress)
    elif kind == "markers":
        from gaitscope.capture.markers import load_markers

        reference = load_markers(path)
        pose = reference.pose
        if virtual_camera is not None:
            from gaitscope.capture.virtual_camera import project

            view = virtual_camera
            settings = dict(VIRTUAL_CAMERA_DEFAULTS)
            pose = project(pose, view=view, **settings)
            info["virtual_camera"] = {"view": view, **{k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}}
    elif kind == "mot":
        raise GaitscopeError(
            f"{path}: an OpenSim .mot file holds joint angles but no keypoints, so gait events and "
            "spatiotemporal parameters cannot be measured; give the .trc marker file instead"
        )
    else:
        from gaitscope.capture.load import load_keypoints

        loaded = load_keypoints(path)
        pose = loaded.pose if hasattr(loaded, "pose") else loaded
        if hasattr(loaded, "reference_events"):
            reference = loaded
    info["frame"] = pose.frame
    info["n_frames"] = int(pose.n_frames)
    info["duration_s"] = round(float(pose.duration_s), 4)
    if pose.n_frames >= 2:
        info["rate_hz"] = round(float(pose.median_rate_hz), 3)
    return pose, info, reference


def _check_height(height_m: float | None) -> None:
    if height_m is not None and not (0.5 <= float(height_m) <= 2.5):
        raise GaitscopeError(f"--height-m {height_m} is not a plausible standing height; give it in metres (e.g. 1.68)")


def analyze_pose(
    pose: PoseSequence,
    *,
    height_m: float | None = None,
    input_info: dict[str, Any] | None = None,
    age_years: float | None = None,
    sex: str | None = None,
) -> AnalysisResult:
    """Analyse keypoints already in memory (everything after the pose stage; no file I/O).

    Parameters
    ----------
    pose
        Keypoints of the walker (image or world frame).
    height_m
        The person's standing height in metres; without it (image input) spatial values are
        relative to body height.
    input_info
        Description of the input stamped into the summary.
    age_years, sex
        Choose the spatiotemporal reference group (default adults 18-69, both sexes).

    Raises
    ------
    GaitscopeError
        When no walking is found (the message names the source and says what to record).
    """
    from gaitscope.events import detect_events
    from gaitscope.signal import prepare_walk

    _check_height(height_m)
    src = (input_info or {}).get("path") or pose.source or "the input"
    prep = prepare_walk(pose, height_m=height_m)
    if prep.gait_mode == "not_walking":
        reasons = [r.removeprefix("no walking found: ").rstrip(".") for _, r in prep.not_assessable]
        why = "; ".join(dict.fromkeys(r for r in reasons if r)) or "no straight walking pass was detected"
        raise GaitscopeError(
            f"no walking found in {src}: {why}; record the person walking at least four strides "
            "across the view (side-on) and try again"
        )
    events = detect_events(prep)
    events = events.loc[:, list(EVENT_COLUMNS)].reset_index(drop=True)
    angles = compute_angles(prep)
    cycles = compute_cycles(prep, events, angles)
    info = dict(input_info or {})
    info.setdefault("path", pose.source)
    info["height_m"] = float(height_m) if height_m is not None else None
    summary = summarize(prep, events, cycles, angles, input_info=info, age_years=age_years, sex=sex)
    assert_finite(summary)
    return AnalysisResult(pose=pose, prep=prep, events=events, cycles=cycles, angles=angles, summary=summary)


def write_outputs(result: AnalysisResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``events.csv``, ``cycles.csv``, ``angles.csv`` and ``summary.json`` to ``out_dir``.

    Returns the written paths by name. Schema: ``docs/outputs.md`` (version
    :data:`~gaitscope.metrics.summary.SCHEMA_VERSION`).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "events": out / "events.csv",
        "cycles": out / "cycles.csv",
        "angles": out / "angles.csv",
        "summary": out / "summary.json",
    }
    result.events.to_csv(files["events"], index=False, float_format="%.6g")
    result.cycles.to_csv(files["cycles"], index=False, float_format="%.6g")
    result.angles.to_csv(files["angles"], index=False, float_format="%.6g")
    files["summary"].write_text(json.dumps(result.summary, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return files


def analyze(
    input_path: str | Path,
    *,
    height_m: float | None = None,
    out_dir: str | Path | None = None,
    virtual_camera: str | None = None,
    age_years: float | None = None,
    sex: str | None = None,
    backend: str = "mediapipe",
    write: bool = True,
    progress: bool = False,
) -> AnalysisResult:
    """Analyse the gait in a video, marker file (C3D/TRC), OpenPose JSON folder or pose CSV.

    Parameters
    ----------
    input_path
        The input file or folder.
    height_m
        The person's standing height in metres (gives metres to video measurements).
    out_dir
        Output folder; default ``<input stem>_gaitscope/`` beside the input. Video keypoints are
        cached there as ``pose.csv`` and reused.
    virtual_camera
        Marker input only: project the markers through a virtual camera
        (``sagittal-left``, ``sagittal-right``, ``frontal-front``, ``frontal-back``) and run the
        video path; without it marker files are analysed in 3D.
    age_years, sex
        Choose the spatiotemporal reference group (default adults 18-69, both sexes).
    backend
        Pose backend for video input.
    write
        Write the output files (default True).
    progress
        Show pose-stage progress for video input.

    Returns
    -------
    AnalysisResult

    Raises
    ------
    GaitscopeError
        For user errors (missing or unreadable file, no walking found, bad option).
    """
    _check_height(height_m)
    out = Path(out_dir) if out_dir is not None else default_out_dir(input_path)
    pose, info, reference = load_input(
        input_path, out_dir=out, virtual_camera=virtual_camera, backend=backend, progress=progress
    )
    result = analyze_pose(pose, height_m=height_m, input_info=info, age_years=age_years, sex=sex)
    files = write_outputs(result, out) if write else {}
    return AnalysisResult(
        pose=result.pose,
        prep=result.prep,
        events=result.events,
        cycles=result.cycles,
        angles=result.angles,
        summary=result.summary,
        out_dir=out if write else None,
        files=files,
        reference=reference,
    )


__all__ = [
    "AnalysisResult",
    "SCHEMA_VERSION",
    "analyze",
    "analyze_pose",
    "default_out_dir",
    "load_input",
    "write_outputs",
]

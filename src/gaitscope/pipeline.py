"""The gait-analysis pipeline: input file -> keypoints -> prepared walk -> events -> metrics -> outputs.

This is the only module that wires the stages. The pose stage (MediaPipe, OpenCV, PyAV) is
imported lazily, only for video input; everything after pose is fast and model-free.

Outputs (a versioned contract, ``docs/outputs.md``): ``events.csv``, ``cycles.csv``,
``angles.csv``, ``summary.json`` and ``findings.json`` (patterns, kinetic chain, plan) in the output folder.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from gaitscope.metrics.cycles import compute_angles, compute_cycles
from gaitscope.metrics.summary import SCHEMA_VERSION, assert_finite, summarize
from gaitscope.outputs import json_ready
from gaitscope.types import GaitscopeError, PoseSequence

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".3gp")
MARKER_SUFFIXES = (".c3d", ".trc")
#: Still images: ``analyze`` points them to ``posture`` (a walk needs a video or a keypoint/marker file).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".heic", ".heif", ".webp", ".bmp", ".tif", ".tiff", ".gif")
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
    angles) when the input was a marker file, else None. ``patterns``: the pattern findings
    (:class:`~gaitscope.types.Finding`); ``findings``: the ``findings.json`` content.
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
    findings: dict | None = None
    patterns: tuple = ()


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


def _video_pose(path: Path, out_dir: Path, *, backend: str, progress: bool,
                max_duration_s: float | None = None, expected_view: str | None = None) -> PoseSequence:
    """Keypoints of a video: reuse ``out_dir/pose.csv`` when it was made from this video.

    The cache is reused only when its checksum and frame count match ``pose.json``
    (:func:`gaitscope.capture.pose_csv.check_sidecar`); the reuse, or why it was refused, is said
    on stderr (with ``progress``).
    """
    from gaitscope.capture.pose_csv import PoseCacheMismatch, read_pose_csv, sidecar_path

    def say(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    cache = out_dir / "pose.csv"
    if cache.is_file() and sidecar_path(cache).is_file():
        try:
            side = json.loads(sidecar_path(cache).read_text())
        except (json.JSONDecodeError, UnicodeDecodeError, OSError):
            side = {}
        side = side if isinstance(side, dict) else {}
        src = str(side.get("source", ""))
        key = (side.get("meta") or {}).get("cache_key") or {} if isinstance(side.get("meta"), dict) else {}
        st = path.stat()
        same_file = isinstance(key, dict) and key.get("size_bytes") == st.st_size and key.get("mtime_ns") == st.st_mtime_ns
        from gaitscope.pose.run import POSE_STAGE_VERSION  # a constant: does not load the pose model

        if src and Path(src).name == path.name and same_file:  # another video of the same name is re-run
            if not side.get("csv_sha256"):
                say(f"pose: not reusing {cache}: it has no checksum (older gaitscope); recomputing")
            elif key.get("pose_stage_version") != POSE_STAGE_VERSION:
                say(f"pose: not reusing {cache}: it was made by pose stage version {key.get('pose_stage_version')}, "
                    f"this gaitscope's is {POSE_STAGE_VERSION} (docs/pose.md, Cache); recomputing")
            else:
                try:
                    pose = read_pose_csv(cache)
                except PoseCacheMismatch as err:
                    say(f"pose: not reusing {cache}: {err.reason}; recomputing")
                else:
                    say(f"pose: reusing {cache} (made from this video, checksum verified; delete it to recompute)")
                    return pose
    from gaitscope.pose.run import run_pose  # lazy: the only place the pose model is loaded

    kw: dict[str, Any] = {} if max_duration_s is None else {"max_duration_s": max_duration_s}
    if expected_view is not None:
        kw["expected_view"] = expected_view  # the refusal's advice fits the view the user was asked to film
    result = run_pose(path, out_dir=out_dir, backend=backend, overlay=False, workers=None, progress=progress, **kw)
    return result.pose


def load_input(
    input_path: str | Path,
    *,
    out_dir: Path,
    virtual_camera: str | None = None,
    backend: str = "mediapipe",
    progress: bool = False,
    rate_hz: float | None = None,
    marker_map: str | Path | None = None,
    max_duration_s: float | None = None,
    expected_view: str | None = None,
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
    if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
        raise GaitscopeError(
            f"{path}: is a still photo, and a walk needs a video (or a keypoint or marker file); for a standing "
            f"photo run `gaitscope posture --side {path}` (or --front/--back)")
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
    if rate_hz is not None and kind in ("video", "markers"):
        raise GaitscopeError(
            f"{path}: --fps is for keypoint files without time (OpenPose JSON folder, foot-marker or pose CSV); "
            "drop it for this input, which carries its own time base"
        )
    if marker_map is not None and kind != "markers":
        raise GaitscopeError(f"{path}: --marker-map applies to marker files (.c3d, .trc) only; drop it for this input")
    reference = None
    if kind == "video":
        pose = _video_pose(path, out_dir, backend=backend, progress=progress, max_duration_s=max_duration_s,
                           expected_view=expected_view)
    elif kind == "markers":
        from gaitscope.capture.markers import load_markers

        same_stem = path.with_suffix(".mot")
        if path.suffix.lower() == ".trc" and same_stem.is_file() and not path.with_name(path.stem + "_ik.mot").is_file():
            reference = load_markers(path, ik_path=same_stem, mapping_file=marker_map)  # OpenSim IK angles beside
        else:
            reference = load_markers(path, mapping_file=marker_map)
        pose = reference.pose
        if pose.meta.get("planar") and virtual_camera is None:
            raise GaitscopeError(
                f"{path}: the points lie in one vertical plane (2-D sagittal data, e.g. a gaitscope export of a video), "
                "so a 3-D analysis would invent frontal-plane values; analyse it with --virtual-camera sagittal-left "
                "(or sagittal-right), or analyse the original video"
            )
        if "marker_set_choice" in pose.meta:
            info["marker_set"] = pose.meta["marker_set_choice"]
        info["loader_notes"] = list(reference.notes)
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

        loaded = load_keypoints(path, **({"rate_hz": float(rate_hz)} if rate_hz is not None else {}))
        pose = loaded.pose if hasattr(loaded, "pose") else loaded
        if hasattr(loaded, "reference_events"):
            reference = loaded
    info["frame"] = pose.frame
    info["n_frames"] = int(pose.n_frames)
    info["duration_s"] = round(float(pose.duration_s), 4)
    if pose.n_frames >= 2:
        info["rate_hz"] = round(float(pose.median_rate_hz), 3)
    return pose, info, reference


def _how_to_walk(view: str) -> str:
    """The filming advice of a refusal, for the view the video shows."""
    if view == "frontal":
        return "straight toward (or away from) the phone, whole body in view"
    return "across the view (side-on)"


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
    ik_angles: pd.DataFrame | None = None,
    reason: bool = True,
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
    ik_angles
        OpenSim inverse-kinematics angles of the same trial (``frame, t_s, side, hip_flex_deg, knee_flex_deg,
        ankle_dorsi_deg``, times from the pose's first sample, e.g. ``MarkerRecording.model_angles`` of a
        .trc with its ``_ik.mot``): the per-stride hip, knee and ankle values then come from these angles
        at the strides found from the markers.
    reason
        Run the reasoning pass (:func:`gaitscope.reasoning.reason`) on this recording alone and put the
        chain and the plan into ``findings.json`` (``analyze`` alone). ``assess`` passes False: it reasons
        once over every view and the intake.

    Raises
    ------
    GaitscopeError
        When no walking is found (the message names the source and says what to record).
    """
    from gaitscope.events import FootVelocityEventDetector, detect_events
    from gaitscope.signal import prepare_walk

    _check_height(height_m)
    src = (input_info or {}).get("path") or pose.source or "the input"
    prep = prepare_walk(pose, height_m=height_m)
    if prep.gait_mode == "running":
        raise GaitscopeError(
            f"{src}: the person is running (both feet leave the ground at once), not walking; "
            "gaitscope measures walking against walking norms: record the person walking at their "
            "usual pace, side-on, at least four strides"
        )
    if prep.gait_mode == "not_walking":
        reasons = [
            r.removeprefix("no walking found: ").rstrip(".")
            for what, r in prep.not_assessable
            if what != "spatial_m"  # the missing height is not why no walking was found
        ]
        why = "; ".join(dict.fromkeys(r for r in reasons if r)) or "no straight walking pass was detected"
        raise GaitscopeError(
            f"no walking found in {src}: {why}; record the person walking at least four strides "
            f"{_how_to_walk(prep.view)} and try again"
        )
    if prep.passes and not any(p.usable for p in prep.passes):
        why = "; ".join(dict.fromkeys(p.reason for p in prep.passes if p.reason)) or "no straight walking pass"
        raise GaitscopeError(
            f"no usable walking pass in {src}: {why}; record the person walking forward at least four "
            f"strides {_how_to_walk(prep.view)} and try again"
        )
    detector = FootVelocityEventDetector()
    events = detect_events(prep, detector)
    median_sides = detector.ic_median_sides(prep)
    if median_sides:
        prep = replace(prep, notes=(*prep.notes, f"initial contacts ({' and '.join(median_sides)} foot): the median of "
                                    "three criteria (the foot's speed threshold, the knee of its deceleration, the heel "
                                    "marker's lowest point), the default for marker recordings walking overground "
                                    "(docs/events.md)"))
    prep, events = _frontal_video_events(prep, events)
    events = events.loc[:, list(EVENT_COLUMNS)].reset_index(drop=True)
    angles = compute_angles(prep)
    cycles = compute_cycles(prep, events, angles)
    if ik_angles is not None:
        from gaitscope.metrics.ik_cycles import ik_stride_values

        cycles = ik_stride_values(prep, events, cycles, ik_angles)
        prep = replace(prep, notes=(*prep.notes, "hip, knee and ankle values per stride from the OpenSim "
                                    "inverse-kinematics angles (.mot) at the strides found from the markers"))
    cycles, frontal_na = _add_frontal(prep, events, cycles)
    info = dict(input_info or {})
    info.setdefault("path", pose.source)
    info["height_m"] = float(height_m) if height_m is not None else None
    from gaitscope.quality import apply_quality  # measure -> quality -> evaluate (docs/report.md)

    quality = apply_quality(prep, cycles, pose)
    summary = summarize(prep, events, quality.steady, angles, input_info=info, age_years=age_years, sex=sex,
                        quality=quality)
    patterns, findings = _findings(prep, quality.steady, summary, frontal_na, age_years=age_years, sex=sex,
                                   reason=reason, not_comparable=quality.not_comparable)
    assert_finite(summary)
    return AnalysisResult(pose=pose, prep=prep, events=events, cycles=quality.cycles, angles=angles,
                          summary=summary, findings=findings, patterns=patterns)


def _frontal_video_events(prep: Any, events: pd.DataFrame) -> tuple[Any, pd.DataFrame]:
    """Frontal video: the signal stage gives no events; use the foot-stillness detector (docs/frontal.md)."""
    if prep.view != "frontal" or len(events):
        return prep, events
    from dataclasses import replace

    from gaitscope.metrics.frontal import (
        FRONTAL_TIMING_MIN_RATE_HZ,
        FRONTAL_VIDEO_UNRELIABLE_TIMING,
        FootStillnessEventDetector,
        ShoeMotionEventDetector,
    )

    na = [(w, r) for w, r in prep.not_assessable if w != "events"]
    ev = ShoeMotionEventDetector().detect(prep)
    if len(ev):
        # the shoes' own image motion (real video): contacts within about one frame (docs/frontal.md)
        notes = (*prep.notes, "frontal view: gait events from each shoe's own motion in the image, camera motion "
                 "removed (contacts each within 1 frame of an eye reading on a real clip, docs/frontal.md)")
        # lift-offs and landings per side within about a frame: stance, swing and support percentages are read
        # when one frame is short enough for the stated 5 % (knowledge/frontal_video_errors.csv): two
        # contacts off by a frame each move stance by 2 frames of a stride (about 40 frames at 30 frames/s)
        timing = bool(prep.rate_hz >= FRONTAL_TIMING_MIN_RATE_HZ)
        if timing:
            notes = (*notes, "frontal view: stance, swing and support percentages come from these lift-offs and landings")
        else:
            na.append((", ".join(FRONTAL_VIDEO_UNRELIABLE_TIMING),
                       f"frontal view at {prep.rate_hz:.0f} frames/s: one frame is too long a part of the stride for "
                       f"stance and support percentages (they are read from {FRONTAL_TIMING_MIN_RATE_HZ:.0f} frames/s, "
                       "docs/frontal.md); stride and step times and cadence are"))
        meta = {**prep.meta, "frontal_events": "shoe_motion", "frontal_timing": timing}
        return replace(prep, not_assessable=tuple(na), notes=notes, meta=meta), ev
    ev = FootStillnessEventDetector().detect(prep)
    if not len(ev):
        return prep, events
    na.append((", ".join(FRONTAL_VIDEO_UNRELIABLE_TIMING),
               "frontal view: contacts come from the feet standing still in the image, which times the stride "
               "but not the exact contact and lift-off (errors up to 0.4 s, docs/frontal.md); film side-on for these"))
    notes = (*prep.notes, "frontal view: gait events from foot stillness in the image (approximate; stride times, "
             "cadence and the frontal-plane measures use them)")
    return replace(prep, not_assessable=tuple(na), notes=notes, meta={**prep.meta, "frontal_events": "foot_stillness"}), ev


def _add_frontal(prep: Any, events: pd.DataFrame, cycles: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Append the frontal-plane and arm-swing columns (``gaitscope.metrics.frontal``) to the stride table."""
    from gaitscope.metrics.frontal import FRONTAL_VIDEO_UNRELIABLE_TIMING, compute_frontal

    cycles = cycles.copy()
    if prep.view == "frontal" and not prep.meta.get("frontal_timing"):
        # foot stillness times the stride, not the contact and lift-off (and at a low frame rate one frame is
        # too long a part of the stride): no stance or support percentages
        for c in FRONTAL_VIDEO_UNRELIABLE_TIMING:
            if c in cycles.columns:
                cycles[c] = float("nan")
    values, na = compute_frontal(prep, events, cycles)
    for c in values.columns:
        cycles[c] = values[c]
    return cycles, dict(na)


def _findings(prep: Any, cycles: pd.DataFrame, summary: dict, frontal_na: dict[str, str], *,
              age_years: float | None = None, sex: str | None = None, reason: bool = True,
              not_comparable: dict[str, str] | None = None) -> tuple[tuple, dict]:
    """The pattern findings and the findings.json content; also puts the short form under
    ``summary["findings"]`` and the frontal parameters into ``summary["parameters"]``."""
    from gaitscope.knowledge.loader import load_knowledge
    from gaitscope.metrics.frontal import frontal_summary
    from gaitscope.metrics.summary import comparison_min_strides
    from gaitscope.program import evaluate_recording, patterns_document
    from gaitscope.program.summary_findings import summary_findings

    kb = load_knowledge()
    # the side comparison needs as many strides a side as every other parameter of this recording
    frontal = frontal_summary(cycles, legs=(summary.get("quality") or {}).get("legs"),
                              min_n=comparison_min_strides(prep.view))
    if summary.get("gait_mode") != "running":
        from gaitscope.metrics.summary import frontal_normal_ranges

        speed_class = summary.get("reference", {}).get("kinematics_speed_class", "Free")
        for col, nr in frontal_normal_ranges(speed_class, age_years=age_years, sex=sex).items():
            if col in frontal:
                frontal[col]["normal_range"] = nr
    rule_cycles = cycles
    if prep.view == "frontal":
        # every frontal measure carries its measured error; a rule whose cut-off lies within it is not read
        from gaitscope.metrics.frontal import frontal_video_errors, rules_within_error

        from gaitscope.metrics.frontal import FRONTAL_VIDEO_UNRELIABLE_TIMING

        errors = frontal_video_errors()

        def measured(col: str, what: str) -> dict[str, Any]:
            return {"value": round(float(errors[col][0]), 4), "unit": errors[col][1], "input": "video", "what": what,
                    "source": "knowledge/frontal_video_errors.csv: " + errors[col][2]}

        for col, entry in frontal.items():
            if col in errors:
                entry["error"] = measured(col, "measured error of a side's stride mean")
                entry["error_source"] = entry["error"]["source"]
        for col in FRONTAL_VIDEO_UNRELIABLE_TIMING:  # stance and support shares (shoe-motion contacts only)
            entry = summary["parameters"].get(col)
            if isinstance(entry, dict) and col in errors:
                entry["error"] = measured(col, "bound on one stride's value")
        gated = rules_within_error(kb.thresholds, errors) if hasattr(kb, "thresholds") else {}
        if gated:
            rule_cycles = cycles.copy()
            for col, why_not in gated.items():
                if col in rule_cycles.columns:
                    rule_cycles[col] = float("nan")
                frontal_na = {**frontal_na, col: why_not}
    from gaitscope.patterns.grading import add_errors, add_grades  # direction-aware, +-2 SD (docs/report.md)

    add_grades(frontal)
    add_errors(frontal, source=prep.pose.measured_with)
    summary["parameters"].update(frontal)
    for metric, why in frontal_na.items():
        summary["not_assessable"].append({"what": metric, "reason": why})
    na = {e["what"]: e["reason"] for e in summary["not_assessable"]}
    n_side = [int((cycles["side"] == s).sum()) for s in ("left", "right")] if len(cycles) else [0, 0]
    caveats = list(view_caveats(prep.view))
    relaxed = None
    if 2 <= min(n_side) < 3 and prep.view in ("3d", "frontal"):
        # 3D (marker) events are within a few ms, and the frontal-video errors in thresholds.csv were measured
        # on side means of 2-4 strides, so 2 strides per side are judged (with a caveat); the sagittal-video
        # timing errors assume at least 3 strides, so side-view rules keep their minimum
        relaxed = 2
        caveats.append(f"only {min(n_side)} strides on one side: findings rest on 2 strides per side (the rules "
                       "normally want 3) and are less certain; record a longer walk to confirm")
    patterns = evaluate_recording(rule_cycles, view=prep.view, spatial_scale=prep.spatial_scale, not_assessable=na,
                                  relaxed_min_cycles=relaxed, not_comparable=not_comparable)
    doc = _patterns_doc(patterns, prep.view, reason)
    doc["caveats"] = caveats
    summary["findings"] = summary_findings(doc, caveats=caveats)
    return patterns, doc


def _patterns_doc(patterns: tuple, view: str, reason: bool) -> dict:
    """findings.json of one recording; with ``reason`` the reasoning pass on it alone (no intake)."""
    from gaitscope.program import patterns_document

    if not reason:
        return patterns_document(patterns, view=view)
    from gaitscope.reasoning import reason as reason_pass

    return patterns_document(patterns, view=view, reasoning=reason_pass([patterns]))


def view_caveats(view: str) -> tuple[str, ...]:
    """Sentences on what a view cannot measure well (summary and findings)."""
    out = ["transverse-plane values (foot progression, hip and knee rotation) from one camera are weak: gaitscope "
           "reports foot progression from 3D input only"]
    if view == "frontal":
        out.append("frontal video: pelvic, trunk and knee angles are 2D projections with errors of a few degrees "
                   "(docs/frontal.md); sagittal patterns (crouch, stiff knee, steppage, heel strike) need a side view")
    elif view in ("sagittal", "oblique"):
        out.append(f"{view} video: frontal-plane patterns (Trendelenburg, valgus, leg-length signs, pronation) need "
                   "a video from the front or back")
    if view == "3d":
        return ("transverse-plane values (foot progression) assume true 3D positions (markers); 3D keypoints "
                "estimated from one video are weak in that plane",)
    return tuple(out)


def _no_leg_length_from_ik(f):
    """Leg-length signs are never read from one inverse-kinematics file (``ik_cycles.LEG_LENGTH_IK_REASON``)."""
    from gaitscope.metrics.ik_cycles import LEG_LENGTH_IK_REASON
    from gaitscope.types import Finding, Unassessable

    if f.code != "leg_length_difference_signs":
        return f
    return Finding(f.code, "not_assessable", None, 0, (), LEG_LENGTH_IK_REASON,
                   (Unassessable("input", "pelvic_obliquity_persistent_deg", needs="a static standing trial or marker data"),))


def analyze_mot(path: str | Path, *, reason: bool = True) -> AnalysisResult:
    """Analyse an OpenSim / OpenCap inverse-kinematics ``.mot`` alone (joint angles, no positions).

    Angle-based values and patterns only (crouch, stiff knee, steppage, Trendelenburg from ``pelvis_list``);
    distances, foot contact, trunk, arm and knee-valgus measures are listed as not assessable with the reason.
    ``pose`` and ``prep`` of the result are None. See :mod:`gaitscope.metrics.ik_cycles`.
    """
    from gaitscope import __version__
    from gaitscope.knowledge.loader import load_knowledge
    from gaitscope.metrics.frontal import frontal_summary
    from gaitscope.metrics.ik_cycles import mot_cycles
    from gaitscope.program import evaluate_recording
    from gaitscope.program.summary_findings import summary_findings

    p = Path(path)
    angles, events, cycles, info = mot_cycles(p)
    kb = load_knowledge()
    numeric = tuple(c for c in cycles.columns
                    if c in kb.metrics and c not in ("side", "pass", "start", "end", "t_start_s", "foot_contact"))
    na = [{"what": w, "reason": r} for w, r in info["not_assessable"]]
    one = info["kind"] == "one_cycle"
    t = angles["t_s"].to_numpy(float)
    n_side = {s: int((cycles["side"] == s).sum()) for s in ("left", "right")}
    caveats = ["joint angles only (OpenSim inverse kinematics): measures that need positions are not assessable"]
    if one:
        caveats.append("one representative cycle per side: findings rest on that single cycle")
    elif min(n_side.values()) < 3:
        caveats.append(f"only {min(n_side.values())} stride(s) on one side: findings are less certain")
    relaxed = 1 if one else (min(n_side.values()) if 1 <= min(n_side.values()) < 3 else None)
    na_map = {e["what"]: e["reason"] for e in na}
    for e in info["not_assessable"]:
        for m in e[0].split(", "):
            na_map[m] = e[1]
    patterns = evaluate_recording(cycles, view="3d", spatial_scale="metres", not_assessable=na_map,
                                  relaxed_min_cycles=relaxed)
    patterns = tuple(_no_leg_length_from_ik(f) for f in patterns)
    doc = _patterns_doc(patterns, "3d", reason)
    doc["caveats"] = caveats
    summary = {
        "schema": "gaitscope.analysis",
        "schema_version": SCHEMA_VERSION,
        "gaitscope_version": __version__,
        "input": {"path": str(p), "kind": "mot", "frame": "joint_angles", "n_frames": int(angles["frame"].max()) + 1,
                  "duration_s": round(float(t.max() - t.min()), 4), "height_m": None,
                  "mot_kind": info["kind"]},
        "view": "joint_angles",
        "gait_mode": "walking",
        "passes": [],
        "n_passes_usable": 0,
        "n_cycles": n_side,
        "parameters": frontal_summary(cycles, numeric),
        "not_assessable": na,
        "notes": info["notes"],
        "findings": summary_findings(doc, caveats=caveats),
    }
    assert_finite(summary)
    out_angles = angles.loc[:, [c for c in ("frame", "t_s", "side", "hip_flex_deg", "knee_flex_deg", "ankle_dorsi_deg",
                                            "trunk_lean_fwd_deg", "foot_angle_deg") if c in angles.columns]]
    return AnalysisResult(pose=None, prep=None, events=events, cycles=cycles, angles=out_angles, summary=summary,
                          findings=doc, patterns=patterns)


def write_outputs(result: AnalysisResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``events.csv``, ``cycles.csv``, ``angles.csv`` and ``summary.json`` to ``out_dir``.

    Returns the written paths by name. Schema: ``docs/outputs.md`` (version
    :data:`~gaitscope.metrics.summary.SCHEMA_VERSION`).
    """
    from gaitscope import outputs

    out = outputs.ensure_dir(out_dir)
    files = {
        "events": out / "events.csv",
        "cycles": out / "cycles.csv",
        "angles": out / "angles.csv",
        "summary": out / "summary.json",
    }
    if result.findings is not None:
        files["findings"] = out / "findings.json"
        outputs.write_json(files["findings"], result.findings)
    outputs.write_csv(result.events, files["events"], index=False, float_format="%.6g")
    outputs.write_csv(result.cycles, files["cycles"], index=False, float_format="%.6g")
    outputs.write_csv(result.angles, files["angles"], index=False, float_format="%.6g")
    outputs.write_json(files["summary"], result.summary)  # last: its presence means the set is complete
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
    rate_hz: float | None = None,
    marker_map: str | Path | None = None,
    reason: bool = True,
    max_duration_s: float | None = None,
    export: list[str] | tuple[str, ...] | None = None,
    expected_view: str | None = None,
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
    rate_hz
        Sampling rate (Hz) of keypoint files that do not store time: an OpenPose JSON folder, a
        foot-marker CSV, a pose CSV without ``t_s`` (a pose CSV with ``t_s`` keeps its own times).
        Giving it for a video or marker file is an error (they carry their own time base).
    marker_map
        Marker files only: a TOML file of extra marker sets (shaped like ``knowledge/marker_maps.toml``)
        for a lab whose marker names the built-in sets do not know.
    reason
        Build the kinetic chain and the plan for this recording alone (default). ``assess`` passes False:
        its per-view outputs hold measurements and patterns only.
    max_duration_s
        Video only: longest clip accepted (s), refused before any frame is decoded; default
        :data:`~gaitscope.capture.video.DEFAULT_MAX_DURATION_S` (``--max-duration``).
    expected_view
        Video only: ``"side"`` or ``"frontal"``, the view the user was asked to film (``assess``); the
        advice of a refusal fits it.
    export
        Also write these lab formats into the output folder (``trc`` -> ``keypoints.trc``, ``mot`` ->
        ``angles.mot``, ``c3d`` -> ``keypoints_events.c3d``; see :mod:`gaitscope.export`). Checked
        before anything is written.

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
    kw = dict(height_m=height_m, out=out, virtual_camera=virtual_camera, age_years=age_years, sex=sex, backend=backend,
              write=write, progress=progress, rate_hz=rate_hz, marker_map=marker_map, max_duration_s=max_duration_s,
              reason=reason, export=export, expected_view=expected_view)
    if not write:
        return _analyze(input_path, **kw)
    from gaitscope.outputs import output_run

    with output_run(out):  # a failed or killed run leaves the folder marked STALE (docs/reliability.md)
        return _analyze(input_path, **kw)


def _analyze(
    input_path: str | Path, *, height_m: float | None, out: Path, virtual_camera: str | None, age_years: float | None,
    sex: str | None, backend: str, write: bool, progress: bool, rate_hz: float | None,
    marker_map: str | Path | None, max_duration_s: float | None, reason: bool,
    export: list[str] | tuple[str, ...] | None = None, expected_view: str | None = None,
) -> AnalysisResult:
    """The body of :func:`analyze` (the outputs already guarded)."""
    if Path(input_path).exists() and _input_kind(Path(input_path)) == "mot":
        result = analyze_mot(input_path, reason=reason)
        _refuse_nothing_measured(result, input_path)
        if export and any(f in ("trc", "c3d") for f in export):
            raise GaitscopeError(f"{input_path}: a motion (.mot) file holds angles, no keypoints; export it as mot "
                                 "only, or give the marker file")
        files = write_outputs(result, out) if write else {}
        if export and write:
            files.update(_write_exports(result, export, out))
        return replace(result, out_dir=out if write else None, files=files)
    pose, info, reference = load_input(
        input_path, out_dir=out, virtual_camera=virtual_camera, backend=backend, progress=progress, rate_hz=rate_hz,
        marker_map=marker_map, max_duration_s=max_duration_s, expected_view=expected_view,
    )
    ik = None
    if (reference is not None and virtual_camera is None and getattr(reference, "model_angles", None) is not None
            and getattr(reference, "model_angles_source", "") == "opensim_ik"):
        ik = reference.model_angles
        info["ik_angles"] = next((n for n in reference.notes if n.startswith("model angles:")),
                                 "model angles: OpenSim inverse kinematics")
    result = analyze_pose(pose, height_m=height_m, input_info=info, age_years=age_years, sex=sex, ik_angles=ik,
                          reason=reason)
    _refuse_nothing_measured(result, input_path)
    result = replace(result, reference=reference)
    if export and any(f in ("trc", "c3d") for f in export):
        from gaitscope.export.data import export_data

        export_data(result).require_points()  # refuse before any file is written
    files = write_outputs(result, out) if write else {}
    if export and write:
        files.update(_write_exports(result, export, out))
    return replace(result, out_dir=out if write else None, files=files)


def _write_exports(result: AnalysisResult, export: list[str] | tuple[str, ...], out: Path) -> dict[str, Path]:
    from gaitscope.export.data import ANALYZE_EXPORT_NAMES, export_result

    written = export_result(result, list(export), {f: out / ANALYZE_EXPORT_NAMES[f] for f in export})
    return {f"export_{f}": p for f, p in written.items()}


def _refuse_nothing_measured(result: AnalysisResult, source: str | Path) -> None:
    """No gait event and no stride means nothing was measured: a refusal, never "no gait pattern found" (exit 0).

    A short lab trial with contacts but no complete stride (one pass over the force plates) still gives its
    events; the terminal then says that no stride was complete (cli.py).
    """
    n = result.summary.get("n_cycles", {})
    n_ev = len(result.events) if result.events is not None else 0
    if sum(int(v) for v in n.values()) == 0 and n_ev == 0:
        raise GaitscopeError(
            f"{source}: nothing could be measured: no foot contact and no complete stride were found; record at "
            "least four strides of steady walking, side-on, with both feet in view"
        )


__all__ = [
    "AnalysisResult",
    "SCHEMA_VERSION",
    "analyze",
    "analyze_mot",
    "analyze_pose",
    "default_out_dir",
    "load_input",
    "write_outputs",
]


# ====================================================================================== assess (issue 6)
# The whole assessment: intake -> gait (side and frontal video) -> posture photos -> patterns, kinetic chain
# and plan -> assessment.json, report.html (+ PDF) and the overlay video. Any input left out leaves its part
# of the report out, saying what to record next time.

#: What to record next time, per missing input (shown in the report and stored in assessment.json).
ASSESS_NEXT_TIME = {
    "side_video": "Film the walk side-on: phone still at hip height, 3-4 m from the walking line, the whole body "
                  "in frame, at least 4 strides across the view. It gives step timing, step length and joint angles.",
    "frontal_video": "Film the walk from behind (or the front): walking straight away from (or toward) the phone "
                     "for 6-8 m, phone at hip height. It gives pelvic drop, sideways trunk lean, knee alignment "
                     "and step width (Trendelenburg, overpronation and knee-valgus signs).",
    "photos": "Take standing photos from the front and from the side: whole body, bare feet, arms relaxed, "
              "phone at hip height 2-3 m away. They give the posture screen.",
    "intake": "Answer the intake questions (`gaitscope intake`): pain, history, habits and the safety "
              "questions. Without them the red flags could not be checked.",
}


def _assess_say(progress: bool, msg: str) -> None:
    if progress:
        import sys

        print(f"gaitscope assess: {msg}", file=sys.stderr, flush=True)


def _gait_part(
    path: str | Path | None, role: str, *, out: Path, height_m: float | None, age_years: float | None,
    sex: str | None, progress: bool, overlay: bool, max_duration_s: float | None = None,
) -> tuple[dict[str, Any], AnalysisResult | None, list[Any], Path | None]:
    """Analyse one gait input; failures of the analysis (no walking found ...) are reported, not raised."""
    import dataclasses

    if path is None:
        return {"status": "missing", "record_next_time": ASSESS_NEXT_TIME[f"{role}_video"]}, None, [], None
    part: dict[str, Any] = {"input": str(path)}
    from gaitscope.outputs import DiskFullError, ensure_subdir

    sub = ensure_subdir(out, f"gait_{role}")  # a symlink in its place is replaced, never written through
    try:
        result = analyze(path, height_m=height_m, out_dir=sub, age_years=age_years, sex=sex, progress=progress,
                         reason=False, max_duration_s=max_duration_s, expected_view=role)
    except DiskFullError:
        raise  # not about the input: the whole assessment stops (docs/reliability.md)
    except GaitscopeError as err:
        part.update(status="failed", message=str(err), record_next_time=ASSESS_NEXT_TIME[f"{role}_video"])
        return part, None, [], None
    s = result.summary
    part.update(status="analysed", view=s.get("view", "oblique"), out_dir=str(sub), summary=s)
    part["_findings"] = list(result.patterns)
    from gaitscope.report.stills import decode_stills, event_stills

    stills = event_stills(result, role)
    overlay_path = None
    if _input_kind(Path(path)) == "video":
        decode_stills(Path(path), stills)
        if overlay:
            from gaitscope.capture.video import probe_video
            from gaitscope.pose.overlay import write_overlay

            _assess_say(progress, f"writing the overlay video of {Path(path).name}")
            pose = getattr(result.prep, "pose", result.pose)
            if pose.frame_index is None:
                pose = dataclasses.replace(pose, frame_index=result.pose.frame_index)
            overlay_path = write_overlay(probe_video(path), pose, out / f"overlay_{role}.mp4", events=result.events)
    return part, result, stills, overlay_path


def _refuse_if_nothing_analysed(side_part: dict[str, Any], fr_part: dict[str, Any], post_part: dict[str, Any]) -> None:
    """No input could be analysed: one sentence (each failed part's reason) and no report (exit 2 via the CLI)."""
    parts = {"--side-video": side_part, "the frontal video": fr_part, "the standing photos": post_part}
    if any(p.get("status") == "analysed" for p in parts.values()):
        return
    failed = [f"{name}: {p.get('message')}" for name, p in parts.items() if p.get("status") == "failed"]
    if failed:
        raise GaitscopeError("nothing could be analysed, so no report was written; " + "; ".join(failed))


def _posture_part(
    photos: dict[str, str | Path | None], keypoints: Any, *, out: Path, height_m: float | None
) -> tuple[dict[str, Any], Any]:
    from gaitscope.posture.run import assess_keypoints, assess_posture, draw_keypoint_canvas

    given = {k: v for k, v in photos.items() if v is not None}
    if not given and not keypoints:
        return {"status": "missing", "record_next_time": ASSESS_NEXT_TIME["photos"]}, None
    from gaitscope.outputs import DiskFullError, ensure_subdir

    sub = ensure_subdir(out, "posture")
    try:
        if given:
            res = assess_posture(front=given.get("front"), side=given.get("side"), back=given.get("back"),
                                 height_m=height_m, out_dir=sub)
        else:
            res = assess_keypoints(keypoints, height_m=height_m)
            draw_keypoint_canvas(res, sub)
    except DiskFullError:
        raise  # not about the input: the whole assessment stops (docs/reliability.md)
    except GaitscopeError as err:
        return {"status": "failed", "message": str(err), "record_next_time": ASSESS_NEXT_TIME["photos"]}, None
    part = {"status": "analysed", "out_dir": str(sub), "posture": json_ready(res.to_json())}
    missing = [v for v in ("front", "side") if v not in res.views and not (v == "front" and "back" in res.views)]
    if missing:
        part["record_next_time"] = f"Add a standing photo from the {' and the '.join(missing)} next time."
    return part, res


def _note_too_few_strides(part: dict[str, Any], role: str) -> None:
    """An analysed walk with too few strides for some patterns is 'partial': say so and what to record."""
    fs = part.get("_findings") or []
    few = ("too_few_strides", "too_few_strides_other_side")
    short = [f for f in fs if f.status == "not_assessable" and any(m.code in few for m in f.missing)]
    if part.get("status") != "analysed" or not short:
        return
    per_foot = 0
    for f in short:  # a need over both sides together is shared by the two feet
        for m in f.missing:
            if m.code in few and m.need:
                per_foot = max(per_foot, -(-m.need // 2) if m.side is None else m.need)
    n = (part.get("summary") or {}).get("n_cycles") or {}
    names = ", ".join(dict.fromkeys(f.code.replace("_", " ") for f in short))
    part["message"] = (f"only {n.get('left', 0)} left and {n.get('right', 0)} right strides: {len(short)} of {len(fs)} "
                       f"gait patterns need more strides and could not be checked ({names})")
    part["record_next_time"] = (
        f"Film a longer walk: at least {max(per_foot, 4)} strides of each foot "
        + ("across the view (side-on; two passes if the room is short)." if role == "side"
           else "(walking straight toward or away from the phone).")
    )


_ASSESS_INPUTS = ("side_video", "front_video", "back_video", "photo_front", "photo_side", "photo_back")


def _assess_out_dir(out_dir: str | Path | None, inputs: list[Any]) -> Path:
    """``out_dir``, or ``<first input stem>_assessment/`` beside it (``assessment/`` without inputs)."""
    if out_dir is not None:
        return Path(out_dir)
    first = next((p for p in inputs if p is not None), None)
    if first is None:
        return Path("assessment")
    p = Path(str(first).rstrip("/"))
    return p.parent / f"{p.stem}_assessment"


def _guard_assess_outputs(fn: Any) -> Any:
    """Run ``assess`` inside :func:`gaitscope.outputs.output_run` on its output folder: a failed
    or killed assessment leaves the folder marked STALE (docs/reliability.md)."""
    import functools

    @functools.wraps(fn)
    def guarded(**kw: Any) -> Any:
        from gaitscope.outputs import output_run

        out = _assess_out_dir(kw.get("out_dir"), [kw.get(k) for k in _ASSESS_INPUTS])
        with output_run(out):
            return fn(**kw)

    return guarded


@_guard_assess_outputs
def assess(
    *,
    side_video: str | Path | None = None,
    front_video: str | Path | None = None,
    back_video: str | Path | None = None,
    photo_front: str | Path | None = None,
    photo_side: str | Path | None = None,
    photo_back: str | Path | None = None,
    intake: str | Path | Any = None,
    height_m: float | None = None,
    name: str | None = None,
    out_dir: str | Path | None = None,
    pdf: bool = False,
    overlay: bool = True,
    progress: bool = False,
    posture_keypoints: Any = None,
    synthetic_note: str | None = None,
    previous: str | Path | None = None,
    same_person: bool = False,
    max_duration_s: float | None = None,
) -> Any:
    """The whole assessment a person meets: gait, posture, intake, kinetic chain, plan and report.

    Parameters
    ----------
    side_video
        Side-on walk: a video, or any input :func:`analyze` accepts (pose CSV, C3D/TRC, OpenPose folder).
    front_video, back_video
        Walk filmed from the front or from behind (one of them; same kinds of input).
    photo_front, photo_side, photo_back
        Standing photos (or standing videos) for the posture screen.
    intake
        Intake file (``.yaml`` subset, ``.json``, ``.toml``; see ``docs/report.md``) or a validated
        :class:`gaitscope.intake.Intake`.
    height_m
        Height in metres (default: the intake's answer); gives metres and centimetres.
    name
        Name shown on the report (default: the intake's); HTML-escaped.
    out_dir
        Output folder (default ``<first input stem>_assessment/`` beside it).
    pdf
        Also print ``report.pdf`` with headless Chromium.
    overlay
        Write ``overlay_<role>.mp4`` with the skeleton for each real video.
    max_duration_s
        Longest walking video accepted (s; ``--max-duration``), refused before any frame is decoded;
        default :data:`~gaitscope.capture.video.DEFAULT_MAX_DURATION_S`.
    previous
        An earlier assessment of the same person (its folder or ``assessment.json``): the report and
        ``assessment.json`` (key ``progress``) then say what changed since (``gaitscope.progress``). The
        same identity check as ``gaitscope progress`` runs first (name, sex, height, age against the dates):
        outputs that may be of two people are refused before any analysis unless ``same_person``.
    same_person
        Compare with ``previous`` although the identity check found a difference (the user checked); the
        difference is then the comparison's first caveat.
    progress
        Print the stages (and the pose stage's progress) to stderr.
    posture_keypoints
        Keypoint-only posture views (``{"front"|"back"|"side": [StillKeypoints, ...]}``, e.g. the phantom),
        used when no photo is given.
    synthetic_note
        A banner for synthetic data (the demo).

    Returns
    -------
    gaitscope.report.assessment.Assessment
        With ``files``: ``assessment``, ``report`` (+ ``pdf``, ``overlay_side`` ...).

    Raises
    ------
    GaitscopeError
        Nothing to assess, a given file that does not exist, a bad intake file, both frontal videos given, or a
        ``previous`` assessment that may be of another person (without ``same_person``).
    """
    from datetime import datetime, timezone

    from gaitscope import __version__ as gs_version
    from gaitscope.intake import Intake, intake_to_dict, load_intake, load_intake_knowledge, questionnaire_results
    from gaitscope.intake.safety import safety_screen
    from gaitscope.knowledge.loader import load_knowledge
    from gaitscope.program import finding_to_dict
    from gaitscope.reasoning import reason_screen
    from gaitscope.report import write_report
    from gaitscope.report.assessment import ASSESSMENT_SCHEMA, ASSESSMENT_SCHEMA_VERSION, Assessment

    if front_video is not None and back_video is not None:
        raise GaitscopeError("give either --front-video or --back-video, not both (one frontal walk is analysed)")
    given = {"--side-video": side_video, "--front-video": front_video, "--back-video": back_video,
             "--photo-front": photo_front, "--photo-side": photo_side, "--photo-back": photo_back}
    for flag, p in given.items():
        if p is not None and not Path(p).exists():
            raise GaitscopeError(f"{p}: no such file or folder (given as {flag}); check the path")
    if all(p is None for p in given.values()) and not posture_keypoints:
        raise GaitscopeError(
            "nothing to assess: give at least --side-video (a side-on walking video), and if you can a frontal "
            "video and standing photos"
        )
    prev_session = None
    if previous is not None:  # read it first: a bad path fails before minutes of pose estimation
        from gaitscope.progress import load_session

        prev_session = load_session(previous)
    out = _assess_out_dir(out_dir, list(given.values()))

    # 1 intake
    _assess_say(progress, "reading the intake")
    if intake is None:
        ik = None
    elif isinstance(intake, Intake):
        ik = intake
    else:
        ik = load_intake(intake)
    if height_m is None and ik is not None:
        height_m = ik.get("height_m")
    _check_height(height_m)
    age = ik.get("age_years") if ik else None
    sex = ik.get("sex") if ik else None
    sex = sex if sex in ("female", "male") else None
    safety = safety_screen(ik)
    if prev_session is not None:  # the progress identity check, before any analysis or output folder
        from gaitscope.progress import Session, check_same_person

        who = name if name is not None else (ik.name if ik else None)
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        check_same_person([prev_session, Session("this assessment", now, who, {}, {}, sex=sex, age_years=age,
                                                 height_m=height_m)], same_person=same_person)
    out.mkdir(parents=True, exist_ok=True)

    # 2 gait
    _assess_say(progress, "analysing the side-on walk" if side_video else "no side-on walk given")
    side_part, side_res, stills, ov_side = _gait_part(side_video, "side", out=out, height_m=height_m, age_years=age,
                                                      sex=sex, progress=progress, overlay=overlay,
                                                      max_duration_s=max_duration_s)
    fr_path = front_video if front_video is not None else back_video
    _assess_say(progress, "analysing the frontal walk" if fr_path else "no frontal walk given")
    fr_part, fr_res, fr_stills, ov_fr = _gait_part(fr_path, "frontal", out=out, height_m=height_m, age_years=age,
                                                   sex=sex, progress=progress, overlay=overlay,
                                                   max_duration_s=max_duration_s)
    if fr_path is not None:
        fr_part["camera"] = "front" if front_video is not None else "back"
    stills += fr_stills

    # 3 posture
    _assess_say(progress, "posture screen" if (photo_front or photo_side or photo_back or posture_keypoints)
                else "no standing photos given")
    post_part, post_res = _posture_part({"front": photo_front, "side": photo_side, "back": photo_back},
                                        posture_keypoints, out=out, height_m=height_m)
    _refuse_if_nothing_analysed(side_part, fr_part, post_part)

    # 4 patterns, chain, plan
    _assess_say(progress, "patterns, kinetic chain and plan")
    kb = load_knowledge()
    for role, part in (("side", side_part), ("frontal", fr_part)):
        _note_too_few_strides(part, role)
    per_view = [p.pop("_findings", []) for p in (side_part, fr_part)]
    posture_findings = list(post_res.findings) if post_res is not None else []
    reasoning = reason_screen(per_view, safety, posture_findings=posture_findings, knowledge=kb)  # the one pass
    gait_findings = list(reasoning.gait_findings)
    chain_d, plan_d = reasoning.chain_dict(), reasoning.plan_dict()

    missing = []
    for role, part in (("side_video", side_part), ("frontal_video", fr_part), ("photos", post_part)):
        if part["status"] != "analysed" or part.get("record_next_time"):
            status = "partial" if part["status"] == "analysed" else part["status"]
            missing.append({"what": role, "status": status, "message": part.get("message", ""),
                            "record_next_time": part.get("record_next_time", ASSESS_NEXT_TIME.get(role, ""))})
    if ik is None:
        missing.append({"what": "intake", "status": "missing", "message": "",
                        "record_next_time": ASSESS_NEXT_TIME["intake"]})

    ikb = load_intake_knowledge()
    doc: dict[str, Any] = {
        "schema": ASSESSMENT_SCHEMA,
        "schema_version": ASSESSMENT_SCHEMA_VERSION,
        "gaitscope_version": gs_version,
        "created_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "knowledge": {"chain_patterns_exercises": kb.stamp, "intake": ikb.version},
        "synthetic_note": synthetic_note,
        "client": {"name": name if name is not None else (ik.name if ik else None), "height_m": height_m,
                   "age_years": age, "sex": sex},
        "inputs": {k.lstrip("-").replace("-", "_"): (None if v is None else str(v)) for k, v in given.items()}
                  | {"intake": None if ik is None else ik.source},
        "missing": missing,
        "red_flags": [r.__dict__ for r in safety.red_flags],
        "red_flags_checked": safety.red_flags_checked,
        "red_flags_unanswered": list(safety.unanswered),
        "red_flags_unsure": list(safety.unsure),
        "safety": safety.to_dict(),
        "intake": None if ik is None else intake_to_dict(ik),
        "intake_flags": list(safety.flags),
        "contraindications": list(safety.contraindications),
        "questionnaires": questionnaire_results(ik) if ik else [],
        "gait": {"side": side_part, "frontal": fr_part, "stills": [s.to_dict() for s in stills]},
        "patterns": [finding_to_dict(f) for f in gait_findings],
        "posture": post_part,
        "posture_findings": [finding_to_dict(f) for f in posture_findings],
        "chain": chain_d,
        "plan": plan_d,
        "at_a_glance": reasoning.at_a_glance,
        "screening_note": "Screening, not diagnosis: gaitscope measures movement from ordinary video and photos and "
                          "lists patterns and contributors associated with the findings; a clinician makes diagnoses.",
    }
    files: dict[str, Path] = {}
    for role, p in (("overlay_side", ov_side), ("overlay_frontal", ov_fr)):
        if p is not None:
            files[role] = Path(p)
    doc["files"] = {k: Path(v).name for k, v in files.items()} | {"assessment": "assessment.json", "report": "report.html"}
    if pdf:
        doc["files"]["pdf"] = "report.pdf"
    posture_images = {}
    if post_res is not None:
        for v, vr in post_res.views.items():
            if vr.annotated:
                posture_images[v] = out / "posture" / vr.annotated
    ready = json_ready(doc)
    if prev_session is not None:
        from gaitscope.progress import compare_sessions, session_from_assessment

        ready["progress"] = compare_sessions([prev_session, session_from_assessment("this assessment", ready)],
                                             same_person=same_person)
    assessment = Assessment(document=ready,
                            stills=stills, posture_images=posture_images, out_dir=out, files=files)
    files["assessment"] = out / "assessment.json"
    _assess_say(progress, "writing the report")
    files["report"] = write_report(assessment, out / "report.html")
    if pdf:
        from gaitscope.report.browser import print_pdf

        _assess_say(progress, "printing the PDF with headless Chromium")
        files["pdf"] = print_pdf(files["report"], out / "report.pdf")
    assessment.document["files"] = {k: Path(v).name for k, v in files.items()}
    from gaitscope.outputs import write_json

    write_json(files["assessment"], assessment.document)  # last: its presence means the set is complete
    return assessment


__all__ += ["ASSESS_NEXT_TIME", "assess"]

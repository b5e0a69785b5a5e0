"""gaitkit-style 3D landmark JSON -> world-frame PoseSequence with annotated events.

Format (``landmarks3d_*.json``, gaitkit example data): top-level ``fps``, ``n_frames``,
``angle_frames`` (one entry per frame: ``frame_index``, ``is_valid``, ``landmark_positions``
mapping ``left_hip``/``right_knee``/``left_heel``/``left_toe``/``left_shoulder`` ... to
``[x, y, z]``, plus the package's own angles), and ``ground_truth`` with ``hs_frames`` /
``to_frames`` per side (heel strike -> ``ic``, toe off -> ``fc``, frame indices at ``fps``).

The file states no unit: coordinates are taken as millimetres when the hips sit more than
10 units above the feet (an adult's hip is ~0.9 m = 900 mm high), else metres. ``[0, 0, 0]``
or ``null`` means missing. The lab frame is rotated into the gaitscope world frame with the
same rules as marker files (:func:`gaitscope.capture.markers.lab_to_world_rotation`). The
package's own angle values are not imported (their zero and sign are not documented).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gaitscope.capture.markers import EVENT_COLUMNS, MarkerRecording, build_pose, lab_to_world_rotation
from gaitscope.types import KEYPOINT_NAMES, SIDES, GaitscopeError

#: Same-side initial contacts closer than this are physiologically implausible in walking (s).
MIN_SAME_SIDE_IC_INTERVAL_S = 0.4


def is_landmarks_json(data: object) -> bool:
    return isinstance(data, dict) and "angle_frames" in data and "fps" in data


def load_landmarks_json(path: str | Path) -> MarkerRecording:
    """Read a gaitkit-style landmark JSON.

    Returns
    -------
    MarkerRecording: ``pose`` in the world frame (m, +x facing, +y up, +z right), ``t_s =
    frame / fps``; ``reference_events`` from the annotated heel strikes / toe offs (with a
    note when they look implausible); ``markers`` empty; ``model_angles`` None.
    """
    from gaitscope.capture.validate import check_coordinates, check_rate_hz, finite_number, parse_json, read_text

    p = Path(path)
    data = parse_json(read_text(p, what="landmark JSON"), source=p, what="landmark JSON")
    if not is_landmarks_json(data):
        raise GaitscopeError(f"{p}: not a gaitkit landmark JSON (needs 'fps' and 'angle_frames')")
    fix = "export it again (see docs/inputs.md for the landmark JSON format)"
    rate = check_rate_hz(data["fps"], source=p, name="'fps'")
    frames = data["angle_frames"]
    if not isinstance(frames, list) or not frames:
        raise GaitscopeError(f"{p}: 'angle_frames' must be a non-empty list of frames; {fix}")
    for i, fr in enumerate(frames):
        if not isinstance(fr, dict) or not isinstance(fr.get("landmark_positions") or {}, dict):
            raise GaitscopeError(f"{p}: frame {i} of 'angle_frames' is not an object with a 'landmark_positions' object; {fix}")
        if "frame_index" in fr:
            finite_number(fr["frame_index"], name=f"'frame_index' of frame {i}", source=p, lo=0, hi=1e9, fix=fix)
        for nm, v in (fr.get("landmark_positions") or {}).items():
            if v is not None and not (isinstance(v, list) and all(
                    isinstance(c, (int, float)) and not isinstance(c, bool) for c in v)):
                raise GaitscopeError(f"{p}: landmark {str(nm)[:30]!r} of frame {i} is not a list of numbers [x, y, z]; {fix}")
    names = [n for n in KEYPOINT_NAMES if any(n in (f.get("landmark_positions") or {}) for f in frames[:50])]
    if not any(n.endswith("_heel") for n in names):
        raise GaitscopeError(f"{p}: the landmark JSON has no heel landmarks; gait analysis needs left_heel/right_heel")
    n = len(frames)
    xyz = np.full((n, len(names), 3), np.nan)
    idx = np.empty(n, dtype=np.int64)
    for i, fr in enumerate(frames):
        idx[i] = int(fr.get("frame_index", i))
        if not fr.get("is_valid", 1):
            continue
        pos = fr.get("landmark_positions") or {}
        for j, nm in enumerate(names):
            v = pos.get(nm)
            if v is None or len(v) != 3:
                continue
            v = np.asarray(v, dtype=float)
            if np.all(v == 0.0):
                continue
            xyz[i, j] = v
    if np.any(np.diff(idx) <= 0):
        raise GaitscopeError(f"{p}: 'frame_index' does not increase from frame to frame; {fix}")
    seen = np.isfinite(xyz).all(axis=2)  # [0, 0, 0] and missing entries are not seen
    lost = [nm for j, nm in enumerate(names) if not seen[:, j].any()]
    for side in SIDES:
        if f"{side}_heel" in lost or f"{side}_heel" not in names:
            raise GaitscopeError(
                f"{p}: the {side} heel landmark is missing (all zero) in every frame"
                + (" and so are all other landmarks" if len(lost) == len(names) else "")
                + "; export the landmarks again from the pose tool (a [0, 0, 0] landmark counts as not detected)"
            )
    keep = [j for j, nm in enumerate(names) if nm not in lost]
    names = [names[j] for j in keep]
    xyz = xyz[:, keep]
    check_coordinates(xyz / 1000.0, source=p, frame="world", what="landmark coordinates")
    kp = {nm: xyz[:, j] for j, nm in enumerate(names)}
    notes: list[str] = [f"source: {data.get('source', 'unknown')} ({data.get('description', '')})"]
    if lost:
        notes.append(f"landmarks missing (all zero) in every frame, dropped: {', '.join(lost)}")
    feet = np.nanmedian(np.concatenate([kp[k] for k in kp if k.endswith(("_heel", "_toe"))]), axis=0)
    hips = [kp[k] for k in kp if k.endswith("_hip")]
    height = float(np.nanmax(np.abs(np.nanmedian(np.concatenate(hips), axis=0) - feet))) if hips else float("nan")
    scale = 0.001 if not np.isfinite(height) or height > 10 else 1.0
    notes.append("units: millimetres inferred (hips ~%.0f units above the feet) -> metres" % height if scale == 0.001 else "units: metres")
    kp = {k: v * scale for k, v in kp.items()}
    try:
        rot, frame_notes = lab_to_world_rotation(kp)
    except ValueError as err:
        raise GaitscopeError(f"{p}: cannot orient the landmarks ({err})") from None
    notes += frame_notes
    kp_world = {k: v @ rot.T for k, v in kp.items()}
    t_s = (idx - idx[0]) / rate
    pose = build_pose(
        kp_world,
        t_s,
        source=str(p),
        meta={"source_format": "landmarks_json", "rate_hz": rate, "lab_to_world": rot.tolist(), "dataset": data.get("name", "")},
    )
    pose = type(pose)(
        xyz=pose.xyz, score=pose.score, names=pose.names, t_s=pose.t_s, frame="world", frame_index=idx - idx[0], source=pose.source, meta=pose.meta
    )
    gt = data.get("ground_truth") or {}
    if not isinstance(gt, dict) or not all(isinstance(gt.get(k) or {}, dict) for k in ("hs_frames", "to_frames")):
        raise GaitscopeError(f"{p}: 'ground_truth' must hold 'hs_frames'/'to_frames' objects with left/right lists; {fix}")
    events, ev_notes = _events(gt, rate, n_frames=n, source=str(p))
    notes += ev_notes
    return MarkerRecording(pose=pose, rate_hz=rate, reference_events=events, model_angles=None, markers={}, source=str(p), notes=tuple(notes))


def _events(gt: dict, rate: float, *, n_frames: int, source: str = "landmark JSON") -> tuple[pd.DataFrame | None, list[str]]:
    rows = []
    for key, kind in (("hs_frames", "ic"), ("to_frames", "fc")):
        for side in SIDES:
            listed = (gt.get(key) or {}).get(side) or []
            if not isinstance(listed, list):
                raise GaitscopeError(f"{source}: '{key}' of the {side} side must be a list of frame numbers; fix the annotated events")
            for f in listed:
                if isinstance(f, bool) or not isinstance(f, (int, float)) or not np.isfinite(f) or abs(f) > 1e9:
                    raise GaitscopeError(f"{source}: '{key}' holds {str(f)[:20]!r}, not a frame number; fix the annotated events")
                rows.append({"event": kind, "side": side, "t_s": float(f) / rate, "frame": int(f)})
    if not rows:
        return None, ["no annotated events in the file"]
    ev = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    ev = ev[(ev["frame"] >= 0) & (ev["frame"] < n_frames)].sort_values(["t_s", "side"]).reset_index(drop=True)
    notes = [f"reference events: {len(ev)} annotated ({gt.get('event_source', 'unknown source')})"]
    problems = []
    for side in SIDES:
        t = ev[(ev["event"] == "ic") & (ev["side"] == side)]["t_s"].to_numpy()
        gaps = np.diff(t)
        close = gaps[gaps < MIN_SAME_SIDE_IC_INTERVAL_S]
        if close.size:
            problems.append(f"{close.size} pair(s) of {side} initial contacts only {close.min() * 1000:.0f} ms apart")
        seq = ev[ev["side"] == side]["event"].tolist()
        if any(a == b for a, b in zip(seq, seq[1:])):
            problems.append(f"{side} events do not alternate ic/fc")
    if problems:
        notes.append("WARNING: the annotated events look implausible (" + "; ".join(problems) + "): use this file for landmarks, not as event truth")
    return ev, notes

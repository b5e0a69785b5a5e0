"""Per-stride table (``cycles.csv``) and angles table (``angles.csv``) of a prepared walk.

Wires the pure functions of :mod:`.kinematics` and :mod:`.spatiotemporal` onto a
:class:`~gaitscope.signal.PreparedWalk` and an event table. Column names are the canonical
metric names of ``docs/outputs.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gaitscope.knowledge.analysis_settings import analysis_setting
from gaitscope.metrics.kinematics import ANGLE_COLUMNS, SIDES, angles_table, sagittal_angles
from gaitscope.metrics.spatiotemporal import segment_strides, spatial_parameters, temporal_parameters

#: Views from which sagittal angles can be measured.
SAGITTAL_VIEWS = ("sagittal", "3d", "oblique")

#: Discrete kinematic values per stride, degrees (sign in docs/outputs.md).
KINEMATIC_COLUMNS: tuple[str, ...] = (
    "knee_flex_ic_deg",
    "knee_flex_loading_max_deg",
    "knee_flex_swing_max_deg",
    "knee_flex_swing_range_deg",
    "knee_flex_stance_min_deg",
    "hip_flex_ic_deg",
    "hip_ext_stance_max_deg",
    "hip_flex_swing_max_deg",
    "ankle_dorsi_ic_deg",
    "ankle_plantar_pushoff_max_deg",
    "ankle_dorsi_swing_max_deg",
    "foot_angle_ic_deg",
    "trunk_lean_fwd_mean_deg",
    "ankle_dorsi_midstance_min_deg",
)
IDENTITY_COLUMNS = ("side", "pass", "start", "end", "t_start_s")
TIME_COLUMNS = (
    "stride_time_s",
    "step_time_s",
    "stance_pct",
    "swing_pct",
    "double_support_pct",
    "single_support_pct",
    "cadence_spm",
)
SPACE_COLUMNS_M = ("step_length_m", "stride_length_m", "speed_mps", "toe_clearance_swing_min_m")
SPACE_COLUMNS_REL = ("step_length_rel", "stride_length_rel", "speed_rel_per_s", "toe_clearance_swing_min_rel")
CYCLE_COLUMNS: tuple[str, ...] = (
    IDENTITY_COLUMNS
    + TIME_COLUMNS
    + SPACE_COLUMNS_M
    + SPACE_COLUMNS_REL
    + KINEMATIC_COLUMNS
    + ("foot_contact",)
)


def _flat_tolerance(prep: Any) -> float:
    if prep.spatial_scale == "metres":
        return analysis_setting("foot_flat_tolerance_m")
    return analysis_setting("foot_flat_tolerance_rel")


def _observed(pose: Any):
    """``seen(*names)``: per frame, whether all the named keypoints were observed (score > 0).

    The signal stage gives a score of 0 to samples it filled in (or that were never seen), e.g.
    a keypoint outside the image as the walker enters or leaves the view.
    """

    def seen(*names: str) -> np.ndarray:
        out = np.ones(pose.n_frames, bool)
        for n in names:
            if n not in pose.names:
                return np.zeros(pose.n_frames, bool)
            out &= pose.score[:, pose.names.index(n)] > 0
        return out

    return seen


def sagittal_measurable(prep: Any) -> bool:
    """Whether sagittal angles can be measured from this walk's view."""
    return prep.view in SAGITTAL_VIEWS


def compute_angles(prep: Any) -> pd.DataFrame:
    """Sagittal angles of every sample, both sides (the ``angles.csv`` table).

    Parameters
    ----------
    prep
        A :class:`~gaitscope.signal.PreparedWalk`.

    Returns
    -------
    DataFrame
        Columns ``frame`` (input sample index), ``t_s``, ``side``, ``hip_flex_deg``,
        ``knee_flex_deg``, ``ankle_dorsi_deg``, ``trunk_lean_fwd_deg``, ``foot_angle_deg``;
        one row per sample per side (left rows first). Degrees, zero and sign as in
        ``docs/conventions.md``. All angles are NaN for a frontal view (not measurable), and
        outside the usable walking passes.
    """
    pose = prep.pose
    n = pose.n_frames
    if sagittal_measurable(prep):
        ang = sagittal_angles(prep.sag_xy, pose.names, flat_tolerance=_flat_tolerance(prep))
        usable = np.zeros(n, bool)
        for p in prep.passes:
            if p.usable:
                usable[p.start : p.end] = True
        seen = _observed(pose)
        trunk_seen = seen("left_hip", "left_shoulder") | seen("right_hip", "right_shoulder") | seen("c7")
        for side in SIDES:
            leg = {k: seen(f"{side}_{k}") for k in ("hip", "knee", "ankle", "heel", "toe")}
            need = {
                "hip_flex_deg": leg["hip"] & leg["knee"] & trunk_seen,
                "knee_flex_deg": leg["hip"] & leg["knee"] & leg["ankle"],
                "ankle_dorsi_deg": leg["knee"] & leg["ankle"] & leg["heel"] & leg["toe"],
                "trunk_lean_fwd_deg": trunk_seen,
                "foot_angle_deg": leg["heel"] & leg["toe"],
            }
            for c in ANGLE_COLUMNS:
                ang[side][c] = np.where(usable & need[c], ang[side][c], np.nan)
    else:
        ang = {side: {c: np.full(n, np.nan) for c in ANGLE_COLUMNS} for side in SIDES}
    return angles_table(ang, pose.frame_index, pose.t_s)


def angles_arrays(angles: pd.DataFrame, n_frames: int) -> dict[str, dict[str, np.ndarray]]:
    """Inverse of the long angles table: ``{side: {column: (n_frames,) array}}``."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for side in SIDES:
        g = angles[angles["side"] == side]
        if len(g) != n_frames:
            raise ValueError(f"angles table has {len(g)} {side} rows, expected {n_frames}")
        out[side] = {c: g[c].to_numpy(float) for c in ANGLE_COLUMNS}
    return out


def footprint_xy(
    heel: np.ndarray, toe: np.ndarray, ankle: np.ndarray, foot_angle_deg: np.ndarray, *, tolerance: float
) -> np.ndarray:
    """Where the heel of the foot's footprint is, sample by sample (sagittal coordinates).

    While the foot is toes-up or flat (foot angle >= 0) it rotates about the heel, so the heel
    point is used. While it is toes-down (heel off, push-off; or a forefoot landing) it rotates
    about the toes, so the footprint heel is the toe point minus the foot's horizontal length
    when flat. This keeps a step length measured at IC from being shortened by the trailing
    foot's heel rise. Falls back to the heel, then the ankle, when a point is missing.

    Parameters
    ----------
    heel, toe, ankle
        ``(n_frames, 2)`` sagittal (forward, up) coordinates.
    foot_angle_deg
        ``(n_frames,)`` foot angle to the floor (0 = flat, + = toes up).
    tolerance
        Height tolerance defining "foot flat" (units of the coordinates).

    Returns
    -------
    ndarray
        ``(n_frames, 2)``.
    """
    ok = np.isfinite(heel).all(axis=1) & np.isfinite(toe).all(axis=1)
    length = float("nan")
    if ok.sum() >= 3:
        hy, ty = heel[ok, 1], toe[ok, 1]
        flat = (hy <= np.percentile(hy, 5) + tolerance) & (ty <= np.percentile(ty, 5) + tolerance)
        if flat.any():
            length = float(np.median(toe[ok][flat, 0] - heel[ok][flat, 0]))
    out = np.where(np.isfinite(heel).all(axis=1)[:, None], heel, ankle)
    if np.isfinite(length) and length > 0:
        toes_down = np.isfinite(foot_angle_deg) & (foot_angle_deg < 0) & np.isfinite(toe).all(axis=1)
        out = out.copy()
        out[toes_down, 0] = toe[toes_down, 0] - length
        out[toes_down, 1] = toe[toes_down, 1]
    return out


def _window_stat(x: np.ndarray, lo: int, hi: int, fn) -> float:
    if hi <= lo:
        return float("nan")
    seg = x[lo:hi]
    if not np.isfinite(seg).any():
        return float("nan")
    return float(fn(seg))


def _row_at(t_s: np.ndarray, t: float) -> int:
    return int(np.clip(np.searchsorted(t_s, t - 1e-9), 0, t_s.size - 1))


def discrete_kinematics(
    strides: pd.DataFrame,
    *,
    t_s: np.ndarray,
    angles: dict[str, dict[str, np.ndarray]],
    toe_up: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Discrete kinematic values of each stride.

    Parameters
    ----------
    strides
        Output of :func:`~gaitscope.metrics.spatiotemporal.segment_strides`.
    t_s
        ``(n_frames,)`` sample times (seconds) of the angle arrays.
    angles
        ``{side: {column: (n_frames,) array}}`` in degrees.
    toe_up
        ``{side: (n_frames,)}`` height of the toe (units of the walk's coordinates).

    Returns
    -------
    DataFrame
        :data:`KINEMATIC_COLUMNS` (degrees) plus ``foot_contact`` (``heel``/``flat``/``forefoot``,
        empty where unknown) and ``toe_clearance`` (units of ``toe_up``). Windows: loading =
        IC to ``loading_window_pct`` of the cycle (capped at FC); stance = IC to FC; swing = FC to
        next IC; push-off = opposite IC (else 40 %) to FC + ``pushoff_after_fc_pct``; mid-swing
        (toe clearance) = the middle half of swing, height above the toe's median height in the
        middle of the same stride's stance; mid single support (``ankle_dorsi_midstance_min_deg``,
        the vaulting sign: the stance foot rises on its toes while the other leg swings) = the
        middle half of opposite FC to opposite IC (NaN without the opposite foot's events).
    """
    n = len(strides)
    res = {c: np.full(n, np.nan) for c in KINEMATIC_COLUMNS}
    clearance = np.full(n, np.nan)
    contact = np.array([""] * n, dtype=object)
    load_pct = analysis_setting("loading_window_pct")
    push_pct = analysis_setting("pushoff_after_fc_pct")
    heel_min = analysis_setting("foot_contact_heel_min_deg")
    fore_max = analysis_setting("foot_contact_forefoot_max_deg")
    for k, row in enumerate(strides.itertuples(index=False)):
        a = angles[row.side]
        i0 = _row_at(t_s, row.t_start_s)
        i1 = _row_at(t_s, row.t_end_s)
        ifc = _row_at(t_s, row.t_fc_s)
        L = i1 - i0
        if L < 3:
            continue
        iload = min(ifc, i0 + max(1, int(round(L * load_pct / 100.0))) + 1)
        ipush0 = _row_at(t_s, row.t_opp_ic_s) if np.isfinite(row.t_opp_ic_s) else i0 + int(0.4 * L)
        ipush1 = min(i1, ifc + int(round(L * push_pct / 100.0)) + 1)
        knee, hip, ank = a["knee_flex_deg"], a["hip_flex_deg"], a["ankle_dorsi_deg"]
        res["knee_flex_ic_deg"][k] = knee[i0]
        res["knee_flex_loading_max_deg"][k] = _window_stat(knee, i0, iload, np.nanmax)
        res["knee_flex_swing_max_deg"][k] = _window_stat(knee, ifc, i1 + 1, np.nanmax)
        res["knee_flex_swing_range_deg"][k] = _window_stat(knee, ifc, i1 + 1, lambda s: np.nanmax(s) - np.nanmin(s))
        res["knee_flex_stance_min_deg"][k] = _window_stat(knee, i0, ifc + 1, np.nanmin)
        res["hip_flex_ic_deg"][k] = hip[i0]
        res["hip_ext_stance_max_deg"][k] = -_window_stat(hip, i0, ifc + 1, np.nanmin)
        res["hip_flex_swing_max_deg"][k] = _window_stat(hip, ifc, i1 + 1, np.nanmax)
        res["ankle_dorsi_ic_deg"][k] = ank[i0]
        res["ankle_plantar_pushoff_max_deg"][k] = -_window_stat(ank, ipush0, ipush1, np.nanmin)
        res["ankle_dorsi_swing_max_deg"][k] = _window_stat(ank, ifc, i1 + 1, np.nanmax)
        if np.isfinite(row.t_opp_fc_s) and np.isfinite(row.t_opp_ic_s) and row.t_opp_ic_s > row.t_opp_fc_s:
            q = 0.25 * (row.t_opp_ic_s - row.t_opp_fc_s)
            ims0, ims1 = _row_at(t_s, row.t_opp_fc_s + q), _row_at(t_s, row.t_opp_ic_s - q)
            if ims1 >= ims0:
                res["ankle_dorsi_midstance_min_deg"][k] = _window_stat(ank, ims0, ims1 + 1, np.nanmin)
        fa = a["foot_angle_deg"][i0]
        res["foot_angle_ic_deg"][k] = fa
        if np.isfinite(fa):
            contact[k] = "heel" if fa > heel_min else ("forefoot" if fa < fore_max else "flat")
        res["trunk_lean_fwd_mean_deg"][k] = _window_stat(a["trunk_lean_fwd_deg"], i0, i1, np.nanmean)
        toe = toe_up[row.side]
        st = ifc - i0
        floor = _window_stat(toe, i0 + st // 4, i0 + (3 * st) // 4 + 1, np.nanmedian)
        sw = i1 - ifc
        mid = _window_stat(toe, ifc + sw // 4, ifc + (3 * sw) // 4 + 1, np.nanmin)
        clearance[k] = mid - floor
    out = pd.DataFrame(res, index=strides.index)
    out["foot_contact"] = contact
    out["toe_clearance"] = clearance
    return out


def compute_cycles(prep: Any, events: pd.DataFrame, angles: pd.DataFrame) -> pd.DataFrame:
    """The per-stride table (``cycles.csv``).

    Parameters
    ----------
    prep
        A :class:`~gaitscope.signal.PreparedWalk`.
    events
        The event table of :func:`gaitscope.events.detect_events`.
    angles
        The angles table of :func:`compute_angles`.

    Returns
    -------
    DataFrame
        Columns :data:`CYCLE_COLUMNS`, one row per stride ``[start, end)`` (input frame indices
        of two consecutive ICs of the same foot in one pass). Spatial values in metres
        (``_m``, ``_mps``) when ``prep.spatial_scale == "metres"``, else in body heights
        (``_rel``, ``_rel_per_s``); the other set is NaN. Kinematic values are NaN when the view
        does not show them. Units, zero and sign of every column: ``docs/outputs.md``.
    """
    pose = prep.pose
    t_s = pose.t_s
    strides = segment_strides(events, max_stride_time_s=analysis_setting("max_stride_time_s"))
    # keep strides inside usable passes only
    usable = {p.index for p in prep.passes if p.usable}
    dropped = int(strides.attrs.get("dropped_out_of_order", 0))
    strides = strides[strides["pass"].isin(usable)].reset_index(drop=True)
    timing = temporal_parameters(strides)
    names = pose.names
    sag = prep.sag_xy

    def pt(name: str) -> np.ndarray:
        return sag[:, names.index(name), :] if name in names else np.full((pose.n_frames, 2), np.nan)

    foot_xy = {}
    toe_up = {}
    arr = angles_arrays(angles, pose.n_frames)
    for side in SIDES:
        heel, ankle, toe = pt(f"{side}_heel"), pt(f"{side}_ankle"), pt(f"{side}_toe")
        foot_xy[side] = footprint_xy(heel, toe, ankle, arr[side]["foot_angle_deg"], tolerance=_flat_tolerance(prep))
        toe_up[side] = toe[:, 1]
    overground = not any(p.kind == "treadmill" for p in prep.passes)
    space = spatial_parameters(strides, t_s=t_s, foot_xy=foot_xy, events=events if overground else None,
                               planted_tolerance=2.0 * _flat_tolerance(prep))
    kin = discrete_kinematics(strides, t_s=t_s, angles=arr, toe_up=toe_up)
    if not sagittal_measurable(prep):
        kin.loc[:, list(KINEMATIC_COLUMNS) + ["toe_clearance"]] = np.nan
        kin["foot_contact"] = ""
    out = pd.DataFrame(index=strides.index)
    for c in IDENTITY_COLUMNS:
        out[c] = strides[c]
    for c in TIME_COLUMNS:
        out[c] = timing[c]
    metres = prep.spatial_scale == "metres"
    nan = np.full(len(strides), np.nan)
    vals = {
        "step_length": space["step_length"].to_numpy(float),
        "stride_length": space["stride_length"].to_numpy(float),
        "speed": space["speed"].to_numpy(float),
        "toe_clearance": kin["toe_clearance"].to_numpy(float),
    }
    for c_m, c_rel, key in zip(SPACE_COLUMNS_M, SPACE_COLUMNS_REL, vals):
        out[c_m] = vals[key] if metres else nan
        out[c_rel] = nan if metres else vals[key]
    for c in KINEMATIC_COLUMNS:
        out[c] = kin[c]
    out["foot_contact"] = kin["foot_contact"]
    out = out.astype({"pass": np.int64, "start": np.int64, "end": np.int64})
    out = out[list(CYCLE_COLUMNS)]
    out.attrs["dropped_out_of_order"] = dropped
    return out

"""Strides and discrete values from OpenSim / OpenCap inverse-kinematics angles (``.mot``) alone.

A ``.mot`` holds joint angles but no positions, so only angle-based values are measured: the sagittal
discrete values of ``cycles.csv`` (hip, knee, ankle), stance and swing percentages from the estimated
foot-off and, from ``pelvis_list``, pelvic obliquity and drop. Step lengths, speed, step width, foot
contact type, toe clearance, trunk and arm measures need markers or video and are reported as not
assessable.

Two kinds of file:

* **one time-normalised cycle** (time runs 0 -> 1 and the curves join up at the ends, as
  ``cycle_*.mot``): treated as one representative stride per side; the right IC is assumed at 0 % and the
  left IC at 50 %. No time values (the time axis is not real).
* **a recorded walk** (real time): initial contacts from the knee curve: after each swing peak of knee
  flexion (> 35 deg), the next minimum of knee flexion within 0.45 s (the knee is straightest just before
  the foot lands) plus its measured lag to contact, 2.7 % of the cycle (``mot_ic_knee_min_offset_pct``; the
  minimum itself is 29-57 ms before the force-plate contact on every lab recording, ``benchmarks/
  mot_foot_off.py``). Stride time and cadence are measured.

Foot-off (both kinds) comes from the kinematics of the stride (:func:`foot_off_from_angles`), not from a
fixed fraction of the stride: the median of three estimates, each a joint-angle landmark of late stance
or early swing plus its measured lag to foot-off (``knowledge/analysis_settings.csv``,
``mot_fo_*_offset_pct``): the hip's maximum extension, the peak knee-flexion velocity and the peak
plantarflexion velocity. Validated against force-plate / lab foot-offs on six recordings and the
cerebral-palsy crouch cycle (``benchmarks/mot_foot_off.py``, ``docs/accuracy.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.signal import find_peaks

from gaitscope.capture.mot import ik_to_angles, read_mot
from gaitscope.knowledge.analysis_settings import analysis_setting
from gaitscope.metrics.cycles import CYCLE_COLUMNS, KINEMATIC_COLUMNS, discrete_kinematics
from gaitscope.metrics.kinematics import ANGLE_COLUMNS
from gaitscope.metrics.spatiotemporal import segment_strides
from gaitscope.types import SIDES, GaitscopeError

#: Why leg-length signs are not read from an inverse-kinematics file alone (analyze_mot reports the rule
#: as not assessable with this reason).
LEG_LENGTH_IK_REASON = (
    "a pelvic tilt held through the stride in one inverse-kinematics file cannot be told from the model's "
    "marker-placement offset (the constant part of pelvis_list is removed here): leg-length signs need a static "
    "standing trial or marker data"
)
#: Where in the stride foot-off is searched for (fractions of the stride from its IC): after mid-stance,
#: before the next IC's terminal swing.
FOOT_OFF_WINDOW = (0.35, 0.95)
#: Measures a .mot cannot give, with the reason (summary not_assessable).
NEEDS_POSITIONS = (
    ("step_length_m, stride_length_m, speed_mps, step_width_m, circumduction_m",
     "distances need marker positions (.trc) or video: a .mot holds joint angles only"),
    ("foot_contact, foot_angle_ic_deg, toe_clearance_swing_min_m",
     "the foot's angle to the floor and its height need marker positions or video"),
    ("trunk_lean_fwd_mean_deg, trunk_lean_lat_stance_max_deg, arm_swing_amplitude_deg",
     "trunk and arm measures need markers or video (the file has no upper-body keypoints)"),
    ("knee_fppa_stance_max_deg, heel_eversion_deg, foot_progression_deg",
     "need marker positions or a video from the front/back"),
)


def is_one_cycle(angles: pd.DataFrame) -> bool:
    """True for a time-normalised single cycle: time 0 -> 1 and each knee curve ends where it starts (< 8 deg)."""
    t = angles["t_s"].to_numpy(float)
    if not (abs(t.min()) < 1e-6 and abs(t.max() - 1.0) < 1e-6):
        return False
    for s in SIDES:
        k = angles.loc[angles["side"] == s, "knee_flex_deg"].to_numpy(float)
        if k.size < 10 or abs(k[0] - k[-1]) > 8.0:
            return False
    return True


def _arrays(angles: pd.DataFrame, side: str) -> dict[str, np.ndarray]:
    g = angles[angles["side"] == side].sort_values("frame")
    n = len(g)
    return {c: (g[c].to_numpy(float) if c in g.columns else np.full(n, np.nan))
            for c in (*ANGLE_COLUMNS, "pelvis_obliquity_deg")}


def knee_minima(t: np.ndarray, knee: np.ndarray) -> tuple[list[float], float]:
    """Times of the knee-flexion minimum of terminal swing after each swing peak of knee flexion (> 35 deg,
    the minimum within 0.45 s after it), and the median time between swing peaks (the cycle, s; NaN with
    fewer than two peaks)."""
    rate = 1.0 / float(np.median(np.diff(t)))
    peaks, _ = find_peaks(np.nan_to_num(knee, nan=-99.0), height=35.0, distance=max(1, int(0.5 * rate)))
    cycle = float(np.median(np.diff(t[peaks]))) if peaks.size >= 2 else float("nan")
    out = []
    for p in peaks:
        hi = min(knee.size, p + int(round(0.45 * rate)) + 1)
        if hi - p < 3:
            continue
        j = p + int(np.nanargmin(knee[p:hi]))
        if 0 < j < hi - 1:
            out.append(float(t[j]))
    return out, cycle


def _knee_events(t: np.ndarray, knee: np.ndarray, offset_pct: float | None = None) -> list[float]:
    """Initial contacts: each terminal-swing knee minimum (:func:`knee_minima`) plus its measured lag to
    contact, ``mot_ic_knee_min_offset_pct`` of the cycle (``knowledge/analysis_settings.csv``)."""
    mins, cycle = knee_minima(t, knee)
    if not np.isfinite(cycle):
        return mins  # fewer than two swings: no stride, nothing to scale the lag by
    lag = analysis_setting("mot_ic_knee_min_offset_pct") if offset_pct is None else offset_pct
    return [m + lag / 100.0 * cycle for m in mins]


#: The foot-off landmarks: angle column, use its rate of change, sign (+1 = its maximum), offset setting.
FOOT_OFF_LANDMARKS = (
    ("hip_flex_deg", False, -1.0, "mot_fo_hip_ext_offset_pct"),
    ("knee_flex_deg", True, 1.0, "mot_fo_knee_vel_offset_pct"),
    ("ankle_dorsi_deg", True, -1.0, "mot_fo_ankle_vel_offset_pct"),
)


def foot_off_landmarks(t: np.ndarray, angles: dict[str, np.ndarray], t_ic: float, t_next_ic: float) -> dict[str, float]:
    """Times of the three foot-off landmarks inside :data:`FOOT_OFF_WINDOW` of the stride ``[t_ic, t_next_ic]``:
    maximum hip extension, peak knee-flexion velocity, peak plantarflexion velocity (keyed by the offset
    setting's name; a landmark whose angle is missing is left out)."""
    T = float(t_next_ic - t_ic)
    out: dict[str, float] = {}
    if not T > 0:
        return out
    m = (t >= t_ic + FOOT_OFF_WINDOW[0] * T) & (t <= t_ic + FOOT_OFF_WINDOW[1] * T)
    if int(m.sum()) < 5:
        return out
    tm = t[m]
    for key, deriv, sign, setting in FOOT_OFF_LANDMARKS:
        y = np.asarray(angles.get(key, np.full(t.size, np.nan)), float)
        if deriv:
            y = np.gradient(y, t)
        ym = sign * y[m]
        if np.isfinite(ym).any():
            out[setting] = float(tm[int(np.nanargmax(ym))])
    return out


def foot_off_from_angles(
    t: np.ndarray, angles: dict[str, np.ndarray], t_ic: float, t_next_ic: float,
    offsets_pct: dict[str, float] | None = None,
) -> float | None:
    """Foot-off time between two initial contacts of one side, from its joint angles alone.

    Each landmark of :func:`foot_off_landmarks` shifted by its measured lag to foot-off (percent of the
    stride, ``mot_fo_*_offset_pct`` in ``knowledge/analysis_settings.csv``, or ``offsets_pct``); the
    median of the available estimates (one failing landmark, e.g. a crouch knee without a swing
    flexion burst, is outvoted), or None when no landmark can be found.
    """
    T = float(t_next_ic - t_ic)
    lm = foot_off_landmarks(t, angles, t_ic, t_next_ic)
    if not lm:
        return None
    off = offsets_pct or {k: analysis_setting(k) for k in lm}
    return float(np.median([v + off[k] / 100.0 * T for k, v in lm.items()]))


def _pelvis_values(strides: pd.DataFrame, t: np.ndarray, arr: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    out = pd.DataFrame(np.nan, index=strides.index, columns=["pelvic_drop_stance_max_deg", "pelvic_obliquity_mean_deg", "pelvic_obliquity_persistent_deg"])
    for i, r in strides.iterrows():
        obl = arr[r["side"]]["pelvis_obliquity_deg"]
        if not np.isfinite(obl).any():
            continue
        st = (t >= r["t_start_s"]) & (t <= r["t_fc_s"])
        cyc = (t >= r["t_start_s"]) & (t < r["t_end_s"])
        if st.sum() >= 2:
            out.at[i, "pelvic_drop_stance_max_deg"] = float(np.nanmax(obl[st]))
        if cyc.sum() >= 3:
            out.at[i, "pelvic_obliquity_mean_deg"] = float(np.nanmean(obl[cyc]))
            out.at[i, "pelvic_obliquity_persistent_deg"] = float(np.nanpercentile(obl[cyc], 80))
    return out


def mot_cycles(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """Angles, events and strides of an OpenSim inverse-kinematics ``.mot``.

    Returns
    -------
    (angles, events, cycles, info)
        ``angles``: the angles.csv columns (+ ``pelvis_obliquity_deg``), from :func:`ik_to_angles`;
        ``events``: events.csv columns (``frame`` = row of the .mot; empty for a one-cycle file);
        ``cycles``: cycles.csv columns plus ``pelvic_drop_stance_max_deg``, ``pelvic_obliquity_mean_deg``
        (NaN where a .mot cannot measure a value); ``info``: ``kind`` ("one_cycle" | "recorded"),
        ``notes`` and ``not_assessable`` (list of (what, reason)).

    Raises
    ------
    GaitscopeError
        When the file is not an inverse-kinematics file or no stride can be found.
    """
    p = Path(path)
    angles = ik_to_angles(read_mot(p))
    notes: list[str] = []
    na: list[tuple[str, str]] = list(NEEDS_POSITIONS)
    one = is_one_cycle(angles)
    if one:
        base = {s: _arrays(angles, s) for s in SIDES}
        t1 = angles.loc[angles["side"] == "right", "t_s"].to_numpy(float)
        n = t1.size
        keep = n - 1  # the last sample repeats the first of the next cycle
        t = np.concatenate([t1[:keep] + k for k in range(3)])
        arr = {s: {c: np.concatenate([v[:keep]] * 3) for c, v in base[s].items()} for s in SIDES}
        fo = {side: foot_off_from_angles(t, arr[side], t0, t0 + 1.0) for side, t0 in (("right", 1.0), ("left", 0.5))}
        if fo["right"] is None or fo["left"] is None:
            raise GaitscopeError(f"{p}: no foot-off found in the joint angles (hip, knee and ankle curves); "
                                 "give a file with hip_flexion, knee_angle and ankle_angle columns")
        fo_frac = {"right": fo["right"] - 1.0, "left": fo["left"] - 0.5}
        foot_off_pct = {s: round(100.0 * v, 1) for s, v in fo_frac.items()}
        rows = []
        for side, t0 in (("right", 1.0), ("left", 1.5)):
            opp = "left" if side == "right" else "right"
            opp0 = t0 - 0.5 if side == "left" else t0 + 0.5
            rows.append({"side": side, "pass": 0, "start": int(round((t0 % 1.0) * keep)),
                         "end": int(round((t0 % 1.0) * keep)) + keep, "t_start_s": t0, "t_end_s": t0 + 1.0,
                         "t_fc_s": t0 + fo_frac[side], "t_opp_fc_s": (opp0 - 1.0 if side == "right" else opp0) + fo_frac[opp],
                         "t_opp_ic_s": t0 + 0.5})
        strides = pd.DataFrame(rows)
        events = pd.DataFrame(columns=["event", "side", "frame", "t_s", "pass", "score"])
        notes.append(f"{p.name}: one time-normalised gait cycle; treated as one representative stride per side "
                     f"(right IC at 0 %, left IC at 50 %); foot-off from the joint angles at "
                     f"{fo_frac['right']:.0%} (right) and {fo_frac['left']:.0%} (left) of the cycle")
        na.append(("stride_time_s, cadence_spm, stance_pct, swing_pct, double_support_pct, single_support_pct, step_time_s",
                   "the file is time-normalised to one cycle: it has no real time, and the left IC is assumed at 50 %, "
                   "so stance is not compared between the sides (the foot-off estimates are in the notes)"))
    else:
        foot_off_pct = {}
        arr = {s: _arrays(angles, s) for s in SIDES}
        t = angles.loc[angles["side"] == "right", "t_s"].to_numpy(float)
        ev_rows = []
        for s in SIDES:
            ics = _knee_events(t, arr[s]["knee_flex_deg"])
            for a, b in zip(ics, ics[1:]):
                if b - a > 2.5:
                    continue
                fc = foot_off_from_angles(t, arr[s], a, b)
                if fc is None:
                    continue
                ev_rows.append(("fc", s, int(np.argmin(np.abs(t - fc))), fc, 0, 0.5))
            for a in ics:
                ev_rows.append(("ic", s, int(np.argmin(np.abs(t - a))), a, 0, 0.5))
        events = pd.DataFrame(ev_rows, columns=["event", "side", "frame", "t_s", "pass", "score"])
        events = events.sort_values("t_s").reset_index(drop=True)
        strides = segment_strides(events, max_stride_time_s=2.5)
        notes.append(f"{p.name}: initial contacts from the knee-flexion minimum after each swing peak plus its measured "
                     f"lag ({analysis_setting('mot_ic_knee_min_offset_pct'):.1f} % of the cycle); foot-off "
                     "from the joint angles (median of the hip-extension, knee-velocity and ankle-velocity landmarks, "
                     "docs/accuracy.md: 7-45 ms from force-plate foot-off)")
        na.append(("double_support_pct, single_support_pct",
                   "both feet's contacts are estimated from joint angles (errors add up): not reported"))
    if len(strides) == 0:
        raise GaitscopeError(f"{p}: no gait cycle found in the joint angles (no knee-flexion swing peaks above "
                             "35 deg); give a walking trial")
    kin = discrete_kinematics(strides, t_s=t, angles=arr, toe_up={s: np.full(t.size, np.nan) for s in SIDES})
    cyc = pd.DataFrame(np.nan, index=strides.index, columns=list(CYCLE_COLUMNS))
    for c in ("side", "pass", "start", "end"):
        cyc[c] = strides[c].to_numpy()
    cyc["t_start_s"] = strides["t_start_s"].to_numpy(float) - (1.0 if one else 0.0)
    for c in KINEMATIC_COLUMNS:
        cyc[c] = kin[c].to_numpy(float)
    cyc["foot_contact"] = ""
    stance = 100.0 * ((strides["t_fc_s"] - strides["t_start_s"]) / (strides["t_end_s"] - strides["t_start_s"])).to_numpy(float)
    if not one:
        cyc["stance_pct"] = stance
        cyc["swing_pct"] = 100.0 - stance
    if not one:
        st = (strides["t_end_s"] - strides["t_start_s"]).to_numpy(float)
        cyc["stride_time_s"] = st
        cyc["cadence_spm"] = 120.0 / st
        cyc["step_time_s"] = (strides["t_end_s"] - strides["t_opp_ic_s"]).to_numpy(float)
    # the constant part of the IK pelvis list is the model's marker-placement offset as much as a real tilt:
    # removed over the analysed strides, so drops are read relative to the walk's own mean level
    t0, t1 = float(strides["t_start_s"].min()), float(strides["t_end_s"].max())
    for s in SIDES:
        obl = arr[s]["pelvis_obliquity_deg"]
        w = (t >= t0) & (t < t1) & np.isfinite(obl)
        if w.any():
            arr[s]["pelvis_obliquity_deg"] = obl - float(np.mean(obl[w]))
    pel = _pelvis_values(strides, t, arr)
    cyc["pelvic_drop_stance_max_deg"] = pel["pelvic_drop_stance_max_deg"].to_numpy(float)
    cyc["pelvic_obliquity_mean_deg"] = np.nan  # the mean is removed (offset), see above
    cyc["pelvic_obliquity_persistent_deg"] = pel["pelvic_obliquity_persistent_deg"].to_numpy(float)
    if not np.isfinite(cyc["pelvic_drop_stance_max_deg"]).any():
        na.append((
            "pelvic_drop_stance_max_deg, pelvic_obliquity_mean_deg, pelvic_obliquity_persistent_deg",
            "the file has no pelvis_list column",
        ))
    else:
        na.append(("pelvic_obliquity_mean_deg", LEG_LENGTH_IK_REASON))
    cyc = cyc.reset_index(drop=True)
    return angles, events, cyc, {"kind": "one_cycle" if one else "recorded", "notes": notes, "not_assessable": na,
                                 "foot_off_pct": foot_off_pct}



#: Per-stride values taken from IK angles when they are given (the trunk and foot-angle values stay ours).
_IK_COLUMNS = ("knee_flex_ic_deg", "knee_flex_loading_max_deg", "knee_flex_swing_max_deg", "knee_flex_swing_range_deg",
               "knee_flex_stance_min_deg", "hip_flex_ic_deg", "hip_ext_stance_max_deg", "hip_flex_swing_max_deg",
               "ankle_dorsi_ic_deg", "ankle_plantar_pushoff_max_deg", "ankle_dorsi_swing_max_deg")


def ik_stride_values(prep: Any, events: pd.DataFrame, cycles: pd.DataFrame, ik: pd.DataFrame) -> pd.DataFrame:
    """Replace the sagittal per-stride joint values with those of the IK angles at the same strides.

    ``ik``: ``frame, t_s, side`` and angle columns (``MarkerRecording.model_angles`` of a .trc with its
    ``_ik.mot``), times from the pose's first sample; ``prep``/``events``/``cycles`` of the marker analysis.
    """
    if len(cycles) == 0:
        return cycles
    t = prep.pose.t_s
    arr: dict[str, dict[str, np.ndarray]] = {}
    for side in ("left", "right"):
        g = ik[ik["side"] == side].sort_values("t_s")
        arr[side] = {}
        for c in ANGLE_COLUMNS:
            if c in g.columns and len(g) > 1:
                arr[side][c] = np.interp(t, g["t_s"].to_numpy(float), g[c].to_numpy(float), left=np.nan, right=np.nan)
            else:
                arr[side][c] = np.full(t.size, np.nan)
    strides = segment_strides(events, max_stride_time_s=analysis_setting("max_stride_time_s"))
    kin = discrete_kinematics(strides, t_s=t, angles=arr, toe_up={s: np.full(t.size, np.nan) for s in ("left", "right")})
    kin["side"], kin["start"] = strides["side"].to_numpy(), strides["start"].to_numpy()
    key = kin.set_index(["side", "start"])
    out = cycles.copy()
    for i, row in out.iterrows():
        k = (row["side"], row["start"])
        if k in key.index:
            for c in _IK_COLUMNS:
                out.at[i, c] = float(key.loc[k, c])
    return out

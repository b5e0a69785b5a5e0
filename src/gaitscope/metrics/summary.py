"""The analysis summary (``summary.json``): statistics, symmetry, normal ranges, curves.

Schema: ``docs/outputs.md``. No reported number is NaN: a parameter that cannot be measured
is left out of ``parameters`` and listed in ``not_assessable`` with the reason.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from gaitscope.knowledge.analysis_settings import analysis_setting
from gaitscope.knowledge.spatiotemporal_norms import spatiotemporal_normal_range
from gaitscope.metrics.cycles import (
    IDENTITY_COLUMNS,
    KINEMATIC_COLUMNS,
    SPACE_COLUMNS_M,
    SPACE_COLUMNS_REL,
    TIME_COLUMNS,
    angles_arrays,
    sagittal_measurable,
)
from gaitscope.metrics.kinematics import ANGLE_COLUMNS, SIDES, time_normalise_many
from gaitscope.metrics.symmetry import describe, side_comparison

SCHEMA_NAME = "gaitscope.analysis"
#: Version of the output contract (events.csv, cycles.csv, angles.csv, summary.json).
SCHEMA_VERSION = "2.0"
CURVE_POINTS = 101

#: Lab-model (Schwartz 2008) curve names for gaitscope angle columns whose definitions are
#: comparable (the same zero and sign up to a small offset).
_NORM_CURVES = {"knee_flex_deg": "knee_flex_deg", "ankle_dorsi_deg": "ankle_dorsi_deg", "hip_flex_deg": "hip_flex_deg"}
_HIP_NOTE = (
    "gaitscope hip flexion is the thigh relative to the trunk line; the normal band is the thigh "
    "relative to the pelvis (lab model), which includes the pelvic tilt: expect a constant offset "
    "of about 10 deg, compare shapes and ranges, not levels"
)
_ANGLE_NOTE = (
    "normal band from lab-model (Plug-in Gait) angles of typically developing children and "
    "adolescents; gaitscope angles may differ by a constant offset of a few degrees (docs/accuracy.md)"
)


#: Units of ratio-scale quantities (a true zero, never negative): only these get a coefficient of variation.
#: An angle's zero is a convention (a CV of a signed angle near zero is meaningless: 582,431 % was seen).
RATIO_SCALE_UNITS = ("s", "m", "m/s", "steps/min", "body heights", "body heights/s", "% of gait cycle")


def unit_of(name: str) -> str:
    """Unit of a metric, from the metrics table (``knowledge/metrics.csv``); "" for a name not in it."""
    from gaitscope.knowledge.loader import load_knowledge

    m = load_knowledge().metrics.get(name)
    return m.unit if m is not None else ""


def _num(x: float, ndigits: int = 4) -> float:
    return float(round(float(x), ndigits))


def is_ratio_scale(col: str, unit: str) -> bool:
    """A quantity with a true zero that is never negative (times, lengths, speeds, shares, and an angle's range or
    amplitude): only these get a CV, a left/right ratio and a symmetry index."""
    return unit in RATIO_SCALE_UNITS or col.endswith(("_amplitude_deg", "_range_deg"))


def comparison_min_strides(view: str) -> int:
    """Strides a side needed before the two sides are compared, the same for every parameter of one recording:
    2 for 3D and frontal input (3D events are within a few ms, and the frontal-video errors were measured on side
    means of 2-4 strides, so the rules judge 2 strides a side with a caveat: ``pipeline._findings``), else
    ``min_strides_variability`` (the sagittal-video timing errors assume at least 3)."""
    return 2 if view in ("3d", "frontal") else int(analysis_setting("min_strides_variability"))


def parameter_entry(cycles: pd.DataFrame, col: str, *, unit: str, legs: dict[str, dict] | None = None,
                    min_var: int = 3, min_compare: int = 3) -> dict[str, Any] | None:
    """One parameter of summary.json from the stride table: per side and pooled mean and n, SD from ``min_var``
    strides, CV for ratio-scale units only, the far leg of a side-on video marked and left out of the pooled
    value, and the left/right comparison (:func:`gaitscope.metrics.symmetry.side_comparison`, ``min_compare``
    strides a side). None when no stride has a value. The one builder for every view's parameters.
    """
    from gaitscope.quality import VISIBILITY_LIMITED

    legs = legs or {}
    values = pd.to_numeric(cycles[col], errors="coerce") if col in cycles.columns else None
    if values is None or not values.notna().any():
        return None
    ratio_scale = is_ratio_scale(col, unit)

    def stats(v: pd.Series) -> dict[str, Any]:
        d = describe(v.to_numpy(float))
        out: dict[str, Any] = {"mean": _num(d["mean"]), "n": d["n"]}
        if d["n"] >= min_var and math.isfinite(d["sd"]):
            out["sd"] = _num(d["sd"])
            if ratio_scale and math.isfinite(d["cv_pct"]):
                out["cv_pct"] = _num(d["cv_pct"], 2)
        return out

    per_side: dict[str, Any] = {}
    for side in SIDES:
        v = values[cycles["side"] == side]
        if not v.notna().any():
            continue
        per_side[side] = stats(v)
        if (legs.get(side) or {}).get("grade") == "far" and col in VISIBILITY_LIMITED:
            per_side[side]["quality"] = "far"
            per_side[side]["quality_reason"] = legs[side].get("reason", "")
    far = [sd for sd in per_side if per_side[sd].get("quality") == "far"]
    pooled = values[~cycles["side"].isin(far)] if far else values
    if not pooled.notna().any():  # only the far leg has values: shown (marked), nothing to compare it with
        pooled, far = values, []
    entry: dict[str, Any] = {"unit": unit, "both": stats(pooled)}
    if far:
        entry["both"]["far_leg_left_out"] = far[0]
    entry.update(per_side)
    compared = side_comparison(per_side, min_n=min_compare, ratio_ok=ratio_scale)
    if compared is not None:
        entry[compared[0]] = compared[1]
    return entry


def _curve_normal_range(mean: np.ndarray, sd: np.ndarray, mask: np.ndarray, how: str, speed_class: str, *,
                        sign: float = 1.0, definition: str = "value on the normal mean curve +- 1 SD at that instant",
                        note: str = _ANGLE_NOTE) -> dict:
    """Normal range of a discrete value read off a Schwartz 2008 mean curve: the curve's ``how`` (``max``,
    ``min`` or ``first``) of ``sign * mean`` inside ``mask``, +- the curve's SD at that instant."""
    from gaitscope.knowledge.normative import SOURCE

    m = sign * mean[mask]
    i = int(np.argmax(m)) if how == "max" else (int(np.argmin(m)) if how == "min" else 0)
    val = float(m[i])
    s = float(sd[mask][i])
    return {
        "low": _num(val - s),
        "high": _num(val + s),
        "unit": "deg",
        "group": f"Schwartz 2008 speed class {speed_class}",
        "definition": definition,
        "source": SOURCE,
        "note": note,
    }


def _kinematic_normal_ranges(speed_class: str) -> dict[str, dict]:
    """Normal ranges of the discrete knee and ankle values, from the Schwartz mean curves.

    Each value is computed on the normal mean curve with the same windows as per stride; the
    range is that value +- the curve's SD at the same instant.
    """
    from gaitscope.knowledge.normative import kinematic_norm_curve, load_speed_classes

    sc = load_speed_classes().set_index("speed_class").loc[speed_class]
    fo = float(sc["foot_off_pct"])
    load_pct = analysis_setting("loading_window_pct")
    out: dict[str, dict] = {}

    def add(name: str, mean: np.ndarray, sd: np.ndarray, mask: np.ndarray, how: str, sign: float = 1.0):
        out[name] = _curve_normal_range(mean, sd, mask, how, speed_class, sign=sign)

    pct, mean, sd = kinematic_norm_curve("knee_flex_deg", speed_class)
    add("knee_flex_ic_deg", mean, sd, pct == 0, "first")
    add("knee_flex_loading_max_deg", mean, sd, pct <= load_pct, "max")
    add("knee_flex_swing_max_deg", mean, sd, pct >= fo, "max")
    add("knee_flex_stance_min_deg", mean, sd, pct <= fo, "min")
    sw = mean[pct >= fo]
    rng = float(sw.max() - sw.min())
    s = float(np.mean(sd[pct >= fo]))
    out["knee_flex_swing_range_deg"] = dict(out["knee_flex_swing_max_deg"], low=_num(rng - s), high=_num(rng + s))
    pct, mean, sd = kinematic_norm_curve("ankle_dorsi_deg", speed_class)
    add("ankle_dorsi_ic_deg", mean, sd, pct == 0, "first")
    add("ankle_plantar_pushoff_max_deg", mean, sd, (pct >= 40) & (pct <= fo + 15), "max", sign=-1.0)
    add("ankle_dorsi_swing_max_deg", mean, sd, pct >= fo, "max")
    # mid single support: the middle half of opposite foot off (fo - 50 %) to opposite IC (50 %)
    ofo = fo - 50.0
    q = 0.25 * (50.0 - ofo)
    add("ankle_dorsi_midstance_min_deg", mean, sd, (pct >= ofo + q) & (pct <= 50.0 - q), "min")
    return out


#: Schwartz et al. 2008 studied typically developing children and adolescents.
SCHWARTZ_MAX_AGE_YEARS = 17
NO_ADULT_NORM = ("no adult norm: this band is from children and adolescents (Schwartz 2008) and is shown for "
                 "orientation only, not graded; adult joint-angle norms differ with age and speed")


def child_norm_applies(age_years: float | None) -> bool:
    """Whether the children's and adolescents' joint-angle reference (Schwartz 2008) fits the person."""
    return age_years is not None and float(age_years) <= SCHWARTZ_MAX_AGE_YEARS


def adult_note(nr: dict) -> dict:
    """A Schwartz range re-labelled for an adult (or a person of unknown age): shown, never graded."""
    return dict(nr, adult_norm=False, group=f"{nr.get('group', 'Schwartz 2008')} (children and adolescents)",
                note=NO_ADULT_NORM)


def frontal_normal_ranges(speed_class: str, *, age_years: float | None = None, sex: str | None = None) -> dict[str, dict]:
    """Normal ranges of the frontal-plane parameters that have a published reference.

    * ``pelvic_drop_stance_max_deg``: the peak of the limb's pelvic obliquity (+ own side up,
      i.e. the other side lower) between its IC and its foot off on the Schwartz 2008 mean
      curve of the speed class, +- the curve's SD at that instant (the per-stride value uses the
      same window).
    * ``step_width_m``: the spatiotemporal normal table for the person's age and sex.

    Trunk lean, knee frontal-plane projection angle, heel eversion and circumduction have no
    normal range here (no published reference in the knowledge files).
    """
    from gaitscope.knowledge.normative import kinematic_norm_curve, load_speed_classes

    out: dict[str, dict] = {}
    fo = float(load_speed_classes().set_index("speed_class").loc[speed_class]["foot_off_pct"])
    pct, mean, sd = kinematic_norm_curve("pelvis_obliquity_deg", speed_class)
    out["pelvic_drop_stance_max_deg"] = _curve_normal_range(
        mean, sd, pct <= fo, "max", speed_class,
        definition="peak of the normal mean pelvic obliquity curve in stance (own side up) +- 1 SD at that instant",
        note="lab pelvis (ASIS/PSIS markers) of typically developing children and adolescents; from video the "
        "pelvis is the hip-keypoint line, with errors of a few degrees (docs/frontal.md)",
    )
    if not child_norm_applies(age_years):
        out["pelvic_drop_stance_max_deg"] = adult_note(out["pelvic_drop_stance_max_deg"])
    r = spatiotemporal_normal_range("step_width_m", age_years=age_years, sex=sex)
    if r is not None:
        out["step_width_m"] = r.as_dict()
    return out


def _speed_class(prep: Any, cycles: pd.DataFrame) -> tuple[str, str]:
    """Schwartz speed class for this walk and how it was chosen."""
    from gaitscope.knowledge.normative import speed_class_for

    if prep.spatial_scale != "metres":
        return "Free", "speed class 'Free' assumed: walking speed is only relative without the person's height"
    v = cycles["speed_mps"].to_numpy(float)
    v = v[np.isfinite(v)]
    names = prep.pose.names
    sag = prep.sag_xy
    lengths = []
    for side in SIDES:
        need = [f"{side}_hip", f"{side}_knee", f"{side}_ankle"]
        if all(n in names for n in need):
            h, k, a = (sag[:, names.index(n), :] for n in need)
            leg = np.linalg.norm(h - k, axis=1) + np.linalg.norm(k - a, axis=1)
            if np.isfinite(leg).any():
                lengths.append(float(np.nanmedian(leg)))
    if v.size == 0 or not lengths:
        return "Free", "speed class 'Free' assumed: speed or leg length not measurable"
    leg_m = float(np.mean(lengths))
    sc = speed_class_for(float(np.median(v)), leg_m)
    return sc, f"speed class from the dimensionless speed v/sqrt(g*leg), leg = hip-knee-ankle length {leg_m:.2f} m"


#: Possible range of each angle curve (the widest per-stride plausibility range of the joint, deg).
_CURVE_LIMITS = {"knee_flex_deg": (-20.0, 140.0), "hip_flex_deg": (-40.0, 130.0), "ankle_dorsi_deg": (-60.0, 30.0)}


def _curves(prep: Any, cycles: pd.DataFrame, angles: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Time-normalised angle curves, mean and SD per side (``CURVE_POINTS`` points, 0..100 %)."""
    pose = prep.pose
    arr = angles_arrays(angles, pose.n_frames)
    row_of = {int(f): i for i, f in enumerate(pose.frame_index)}
    out: dict[str, dict[str, Any]] = {}
    min_n = int(analysis_setting("min_strides_curve"))
    bounds = {}
    for side in SIDES:
        cyc = cycles[cycles["side"] == side]
        pairs = [(row_of[int(s)], row_of[int(e)]) for s, e in zip(cyc["start"], cyc["end"]) if int(s) in row_of and int(e) in row_of]
        arr_pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        bounds[side] = (arr_pairs[:, 0], arr_pairs[:, 1])
    for col in ANGLE_COLUMNS:
        per_side: dict[str, Any] = {}
        for side in SIDES:
            if not bounds[side][0].size:
                continue
            st = time_normalise_many(arr[side][col], pose.t_s, bounds[side][0], bounds[side][1], CURVE_POINTS)
            good = np.isfinite(st).all(axis=1)
            lim = _CURVE_LIMITS.get(col)
            if lim is not None:  # a stride whose curve leaves the joint's possible range is a tracking artefact
                good &= np.all((st >= lim[0]) & (st <= lim[1]), axis=1)
            st = st[good]
            if st.shape[0] < min_n:
                continue
            mean = st.mean(axis=0)
            sd = st.std(axis=0, ddof=1) if st.shape[0] >= 2 else None
            entry: dict[str, Any] = {"n": int(st.shape[0]), "mean": [_num(x, 2) for x in mean]}
            if sd is not None:
                entry["sd"] = [_num(x, 2) for x in sd]
            per_side[side] = entry
        if per_side:
            out[col] = per_side
    return out


def view_seen(prep: Any) -> str:
    """What the camera saw of the walker: ``"front"`` (walking toward the camera), ``"back"`` (away),
    ``"side"``, ``"oblique"``, ``"3d"`` (markers or 3D keypoints) or ``"unknown"``."""
    if prep.view == "frontal":
        facing = [p.facing for p in prep.passes if p.usable] or [p.facing for p in prep.passes]
        if facing:
            return "front" if facing[0] == "toward_camera" else "back"
        return "unknown"
    return {"sagittal": "side", "oblique": "oblique", "3d": "3d"}.get(prep.view, "unknown")


def summarize(
    prep: Any,
    events: pd.DataFrame,
    cycles: pd.DataFrame,
    angles: pd.DataFrame,
    *,
    input_info: dict[str, Any] | None = None,
    age_years: float | None = None,
    sex: str | None = None,
    quality: Any = None,
) -> dict[str, Any]:
    """The ``summary.json`` content.

    Parameters
    ----------
    prep
        The :class:`~gaitscope.signal.PreparedWalk`.
    events, cycles, angles
        The tables written as ``events.csv``, ``cycles.csv``, ``angles.csv``.
    input_info
        Description of the input (path, kind, virtual camera, height) stamped into the summary.
    age_years, sex
        The person's age and sex, to choose the reference group (unknown age is stated in the
        summary, not silently assumed).
    quality
        The :class:`~gaitscope.quality.QualityResult` of this walk: ``cycles`` should then be its
        ``steady`` strides; far-leg values are marked and never compared across sides.

    Returns
    -------
    dict
        JSON-serialisable; schema in ``docs/outputs.md``. Every number is finite.
    """
    not_assessable: list[dict[str, str]] = [{"what": w, "reason": r} for w, r in prep.not_assessable]
    notes: list[str] = list(prep.notes)
    running = prep.gait_mode == "running"
    metres = prep.spatial_scale == "metres"
    measurable_sag = sagittal_measurable(prep)
    if running:
        not_assessable.append(
            {
                "what": "normal ranges",
                "reason": "the recording shows running (a flight phase between steps): walking norms do not apply",
            }
        )
    already = " ".join(e["what"] for e in not_assessable)
    if not metres and "spatial" not in already:
        not_assessable.append(
            {
                "what": "step_length_m, stride_length_m, speed_mps, toe_clearance_swing_min_m",
                "reason": "no body height given: spatial values are reported relative to body height (_rel); "
                "give --height-m for metres",
            }
        )
    if not measurable_sag and "sagittal" not in already:
        not_assessable.append(
            {
                "what": "sagittal angles (hip, knee, ankle, trunk lean, foot angle)",
                "reason": f"the view is {prep.view}: sagittal angles need a side view (or 3D input)",
            }
        )
    dropped = int(cycles.attrs.get("dropped_out_of_order", 0))
    if dropped:
        notes.append(
            f"{dropped} stride(s) left out: the other foot did not lift and land once between IC and FC "
            "(missed or spurious events)"
        )
    if prep.view == "oblique":
        notes.append("the camera looks at the walker obliquely: sagittal angles are foreshortened and less accurate")

    speed_class, speed_class_how = _speed_class(prep, cycles)
    kin_norms: dict[str, dict] = {}
    if not running:
        kin_norms = _kinematic_normal_ranges(speed_class)
        if not child_norm_applies(age_years):
            kin_norms = {k: adult_note(v) for k, v in kin_norms.items()}

    space_cols = SPACE_COLUMNS_M if metres else SPACE_COLUMNS_REL
    param_cols = list(TIME_COLUMNS) + list(space_cols) + list(KINEMATIC_COLUMNS)
    min_var = int(analysis_setting("min_strides_variability"))
    n_cycles = {side: int((cycles["side"] == side).sum()) for side in SIDES}
    no_strides = sum(n_cycles.values()) == 0
    if no_strides:
        not_assessable.append(
            {
                "what": "stride parameters (timing, lengths, speed, per-stride angle values, curves)",
                "reason": "no complete stride (IC to next IC of the same foot, with FC and the other foot's "
                "contacts between) in a usable walking pass",
            }
        )
    for side in SIDES:
        if no_strides:
            break
        if 0 < n_cycles[side] < min_var:
            not_assessable.append(
                {
                    "what": f"stride-to-stride variability (SD, CV) on the {side} side",
                    "reason": f"only {n_cycles[side]} complete stride(s); at least {min_var} are needed",
                }
            )
        if n_cycles[side] == 0:
            not_assessable.append(
                {
                    "what": f"{side} side parameters",
                    "reason": f"no complete {side} stride (IC to next IC with FC between) in a usable walking pass",
                }
            )
    parameters: dict[str, Any] = {}
    legs = quality.legs if quality is not None else {}
    for col in param_cols:
        entry = parameter_entry(cycles, col, unit=unit_of(col), legs=legs, min_var=min_var,
                                min_compare=comparison_min_strides(prep.view))
        if entry is None:
            if no_strides or (col in KINEMATIC_COLUMNS and not measurable_sag):
                continue  # covered by the entries above
            if col in ("double_support_pct", "single_support_pct", "step_time_s") or col in space_cols[:3]:
                reason = "needs the opposite foot's contacts inside each stride, which were not detected"
            elif col.startswith("toe_clearance") or col.startswith("foot_angle"):
                reason = "the toe and heel were not tracked well enough"
            else:
                reason = "no stride with a measurable value"
            not_assessable.append({"what": col, "reason": reason})
            continue
        if not running:
            nr = None
            if col in kin_norms:
                nr = kin_norms[col]
            else:
                r = spatiotemporal_normal_range(col, age_years=age_years, sex=sex)
                if r is not None:
                    nr = r.as_dict()
            if nr is not None:
                entry["normal_range"] = nr
        parameters[col] = entry

    contact_counts = {}
    for side in SIDES:
        fc = cycles.loc[cycles["side"] == side, "foot_contact"]
        vc = fc[fc.astype(str) != ""].value_counts()
        if len(vc):
            contact_counts[side] = {str(k): int(v) for k, v in vc.items()}

    curves = _curves(prep, cycles, angles) if measurable_sag else {}
    if curves:
        from gaitscope.knowledge.normative import SOURCE, kinematic_norm_curve

        for col, norm_var in _NORM_CURVES.items():
            if col in curves and not running:
                pct, mean, sd = kinematic_norm_curve(norm_var, speed_class)
                gvs = {}
                if col != "hip_flex_deg":  # hip: different reference segment, see _HIP_NOTE
                    normal_101 = np.interp(np.linspace(0, 100, CURVE_POINTS), pct, mean)
                    for side in SIDES:
                        if side in curves[col]:
                            d = np.asarray(curves[col][side]["mean"]) - normal_101
                            gvs[side] = _num(float(np.sqrt(np.mean(d**2))), 2)
                curves[col]["normal"] = {
                    "gait_cycle_pct": [_num(x, 1) for x in pct],
                    "mean": [_num(x, 2) for x in mean],
                    "sd": [_num(x, 2) for x in sd],
                    "speed_class": speed_class,
                    "source": SOURCE,
                    "note": _HIP_NOTE if col == "hip_flex_deg" else _ANGLE_NOTE,
                    "adult_norm": False if not child_norm_applies(age_years) else None,
                }
                if child_norm_applies(age_years):
                    del curves[col]["normal"]["adult_norm"]
                if gvs:
                    # Gait Variable Score (Baker et al. 2009, Gait Posture 30:265): RMS difference
                    # between the side's mean curve and the normal mean curve over the cycle
                    curves[col]["normal"]["gvs_deg"] = gvs
    for col in ANGLE_COLUMNS:
        if measurable_sag and not no_strides and col not in curves:
            not_assessable.append({"what": f"{col} curve", "reason": "no stride with this angle measured through the whole cycle"})

    usable_passes = {int(p.index) for p in prep.passes if p.usable}
    ev_used = events[events["pass"].isin(usable_passes)] if len(events) else events
    ev_counts = {
        side: {kind: int(((ev_used["side"] == side) & (ev_used["event"] == kind)).sum()) for kind in ("ic", "fc")}
        for side in SIDES
    }
    from gaitscope import __version__

    summary: dict[str, Any] = {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "gaitscope_version": __version__,
        "input": dict(input_info or {}),
        "view": prep.view,
        "view_seen": view_seen(prep),
        "gait_mode": prep.gait_mode,
        "spatial_scale": prep.spatial_scale,
        "filter_cutoff_hz": _num(prep.filter_cutoff_hz, 3),
        "swaps_repaired": int(prep.swaps_repaired),
        "passes": [
            {
                "index": int(p.index),
                "start": int(prep.pose.frame_index[p.start]) if p.start < prep.pose.n_frames else int(p.start),
                "end": int(prep.pose.frame_index[p.end - 1]) + 1 if p.end > 0 else 0,
                "travel": str(p.travel),
                "facing": str(p.facing),
                "kind": str(p.kind),
                "usable": bool(p.usable),
                "reason": str(p.reason),
            }
            for p in prep.passes
        ],
        "n_passes_usable": int(sum(1 for p in prep.passes if p.usable)),
        "n_cycles": n_cycles,
        "n_events": ev_counts,
        "foot_contact": contact_counts,
        "reference": {
            "spatiotemporal_group": (
                spatiotemporal_normal_range("cadence_spm", age_years=age_years, sex=sex).group
                if spatiotemporal_normal_range("cadence_spm", age_years=age_years, sex=sex) is not None
                else None
            ),
            "kinematics_speed_class": speed_class,
            "kinematics_speed_class_how": speed_class_how,
            "age_years": age_years,
            "age_note": ("age not given: the spatiotemporal reference is adults 18-69 years, which may not fit; "
                         "give the age for an age-matched range") if age_years is None else "",
            "joint_angle_norm": ("children and adolescents (Schwartz 2008)" if child_norm_applies(age_years)
                                 else "no adult norm (the children's band is drawn for orientation, not graded)"),
        },
        "parameters": parameters,
        "curves": {"gait_cycle_pct": [_num(x, 1) for x in np.linspace(0, 100, CURVE_POINTS)], **curves},
        "not_assessable": not_assessable,
        "notes": notes,
    }
    from gaitscope.patterns.grading import add_errors, add_grades

    add_grades(summary["parameters"])
    add_errors(summary["parameters"], source=prep.pose.measured_with)
    if quality is not None:
        summary["quality"] = quality.summary
        summary["notes"] = notes + list(quality.summary.get("notes", []))
        for side, g in quality.legs.items():
            for col in ANGLE_COLUMNS:
                if g.get("grade") == "far" and side in (summary["curves"].get(col) or {}):
                    summary["curves"][col][side]["quality"] = "far"
    return summary


def assert_finite(obj: Any, path: str = "summary") -> None:
    """Raise ValueError if any float in a nested dict/list is NaN or infinite."""
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(f"non-finite number at {path}")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            assert_finite(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            assert_finite(v, f"{path}[{i}]")


__all__ = ["SCHEMA_NAME", "SCHEMA_VERSION", "summarize", "assert_finite", "unit_of", "IDENTITY_COLUMNS"]

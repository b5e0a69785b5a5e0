"""Pattern rules on cycle tables built from published numbers and real recordings."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gaitscope.knowledge.loader import load_knowledge
from gaitscope.patterns import Aggregates, PatternContext, aggregate_cycles, evaluate_patterns

KB = load_knowledge()
FRONTAL_CODES = ("trendelenburg", "trendelenburg_compensated", "overpronation_indicators", "knee_valgus",
                 "leg_length_difference_signs")


def _by_code(findings):
    return {f.code: f for f in findings}


def _table(left: dict, right: dict, n: int = 5, jitter: float = 0.0) -> pd.DataFrame:
    """n strides per side with the given metric values (+ a small deterministic alternating jitter)."""
    rows = []
    for side, vals in (("left", left), ("right", right)):
        for i in range(n):
            row = {"side": side}
            for k, v in vals.items():
                row[k] = v + (jitter * (1 if i % 2 else -1) if isinstance(v, float) else 0)
            rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ real angle cycles (OpenSim .mot)
def _read_mot(path: Path) -> pd.DataFrame:
    lines = path.read_text().splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip().lower() == "endheader") + 1
    df = pd.read_csv(path, sep="\t", skiprows=start)
    return df.loc[:, [c for c in df.columns if not str(c).startswith("Unnamed")]]


def _cycle_rows_from_mot(path: Path) -> pd.DataFrame:
    """One stride per side from a time-normalised one-cycle .mot (right IC at 0 %, left IC at 50 %).

    Knee flexion = -knee_angle (OpenSim: negative = flexion). Mid-stance window 10-50 % of the side's
    own cycle (the Schwartz 2008 window where the stance minimum lies), swing window 60-100 %.
    """
    df = _read_mot(path)
    t = df["time"].to_numpy()
    pct = 100 * (t - t[0]) / (t[-1] - t[0])
    rows = []
    for side, s, shift in (("right", "r", 0.0), ("left", "l", 50.0)):
        own = (pct - shift) % 100.0
        knee = -df[f"knee_angle_{s}"].to_numpy()
        stance = (own >= 10) & (own <= 50)
        swing = own >= 60
        rows.append({
            "side": side,
            "knee_flex_stance_min_deg": float(knee[stance].min()),
            "knee_flex_swing_max_deg": float(knee[swing].max()),
            "hip_flex_swing_max_deg": float(df[f"hip_flexion_{s}"].to_numpy()[swing].max()),
            "ankle_dorsi_swing_max_deg": float(df[f"ankle_angle_{s}"].to_numpy()[swing].max()),
        })
    return pd.DataFrame(rows)


def test_crouch_mot_is_crouch_and_normal_mot_is_not(shared_data):
    crouch = _cycle_rows_from_mot(shared_data / "angles" / "cycle_crouch1.mot")
    normal = _cycle_rows_from_mot(shared_data / "angles" / "cycle_normal.mot")
    # the data README: the crouch knee stays flexed about 58-69 deg through the cycle
    assert crouch.loc[crouch.side == "right", "knee_flex_stance_min_deg"].item() == pytest.approx(61, abs=4)
    ctx = PatternContext(view="3d", min_cycles=1)  # one representative cycle per side
    fc = _by_code(evaluate_patterns(crouch, ctx))["crouch"]
    assert fc.status == "present" and fc.side == "both" and fc.severity == 3  # > 45 deg: severe
    assert all(e.metric == "knee_flex_stance_min_deg" and e.value > 45 for e in fc.evidence)
    fn = _by_code(evaluate_patterns(normal, ctx))
    assert fn["crouch"].status == "absent"
    assert fn["stiff_knee"].status == "absent"  # peak swing flexion 58 deg
    # frontal patterns cannot be judged from these sagittal angles alone: not assessable, with a reason
    for code in FRONTAL_CODES:
        assert fn[code].status == "not_assessable" and fn[code].reason


def test_one_cycle_is_not_enough_by_default(shared_data):
    crouch = _cycle_rows_from_mot(shared_data / "angles" / "cycle_crouch1.mot")
    f = _by_code(evaluate_patterns(crouch, PatternContext(view="3d")))["crouch"]
    assert f.status == "not_assessable"
    assert "only 1 stride" in f.reason and "need 3" in f.reason


# ------------------------------------------------------------------ real 3D landmarks: Parkinson's walk
def _steps_from_landmarks(path: Path, annotated: bool) -> tuple[pd.DataFrame, float]:
    """Step lengths (heel to heel along the walking direction) at each heel strike.

    Heel strikes: the file's annotation (``annotated=True``), else detected as the heel's most anterior
    point relative to the pelvis (Zeni et al. 2008, Gait Posture 27:710). Forward = the pelvis's overall
    horizontal travel direction.
    """
    d = json.loads(path.read_text())
    fr = d["angle_frames"]
    fps = float(d["fps"])

    def pos(name):
        return np.array([f["landmark_positions"][name] for f in fr], dtype=float) / 1000.0  # mm -> m

    hip = (pos("left_hip") + pos("right_hip")) / 2
    fwd = hip[-1] - hip[0]
    fwd[1] = 0.0
    fwd /= np.linalg.norm(fwd)
    heel = {"left": pos("left_heel"), "right": pos("right_heel")}
    rows = []
    for side, other in (("left", "right"), ("right", "left")):
        rel = (heel[side] - hip) @ fwd
        if annotated:
            peaks = list(d["ground_truth"]["hs_frames"][side])
        else:
            peaks = [i for i in range(5, len(rel) - 5) if rel[i] == rel[i - 5:i + 6].max() and rel[i] > 0.1]
        for a, b in zip(peaks, peaks[1:] + [None]):
            rows.append({
                "side": side,
                "step_length_m": float((heel[side][a] - heel[other][a]) @ fwd),
                "stride_time_s": (b - a) / fps if b is not None else math.nan,
            })
    speed = float(np.linalg.norm((hip[-1] - hip[0])[[0, 2]]) / ((len(fr) - 1) / fps))
    df = pd.DataFrame(rows)
    df["speed_mps"] = speed
    return df, speed


def test_parkinson_landmarks_show_short_steps_and_healthy_do_not(shared_data):
    # Parkinson file: annotated heel strikes; healthy file: its annotation is wrong (data README), so detect
    pk, pk_speed = _steps_from_landmarks(shared_data / "keypoints" / "landmarks3d_parkinson.json", annotated=True)
    hz, hz_speed = _steps_from_landmarks(shared_data / "keypoints" / "landmarks3d_healthy.json", annotated=False)
    assert len(hz) == 4
    # plausibility of the test's own extraction against the file's annotation (cadence ~95 steps/min)
    assert 60 * 2 / pk["stride_time_s"].dropna().mean() == pytest.approx(94.7, abs=6)
    ctx = PatternContext(view="3d")
    f_pk = _by_code(evaluate_patterns(pk, ctx))["short_shuffling_steps"]
    # the healthy file is short (374 frames at 150 Hz: two heel strikes per side), so allow 2 steps per side
    f_hz = _by_code(evaluate_patterns(hz, PatternContext(view="3d", min_cycles=2)))["short_shuffling_steps"]
    assert _by_code(evaluate_patterns(hz, ctx))["short_shuffling_steps"].status == "not_assessable"
    assert f_pk.status == "present", f_pk
    assert f_pk.side == "left"  # the left steps are about 0.32 m (< 0.35 m: moderate), the right about 0.47 m
    assert f_pk.severity == 2
    assert any(e.metric == "speed_mps" and e.value < 0.8 for e in f_pk.evidence)  # slow: supporting evidence
    assert f_hz.status == "absent"
    assert pk_speed < 0.8 < hz_speed


# ------------------------------------------------------------------ normative (Schwartz 2008) gait is not flagged
def test_schwartz_normal_values_raise_no_sagittal_pattern():
    normative = pytest.importorskip("gaitscope.knowledge.normative")
    pct, knee, _ = normative.kinematic_norm_curve("knee_flex_deg", "Free")
    _, hip, _ = normative.kinematic_norm_curve("hip_flex_deg", "Free")
    _, ankle, _ = normative.kinematic_norm_curve("ankle_dorsi_deg", "Free")
    st, sw = (pct >= 10) & (pct <= 50), pct >= 60
    vals = {
        "knee_flex_stance_min_deg": float(knee[st].min()),
        "knee_flex_swing_max_deg": float(knee[sw].max()),
        "hip_flex_swing_max_deg": float(hip[pct >= 70].max()),
        "ankle_dorsi_swing_max_deg": float(ankle[pct >= 70].max()),
        "ankle_dorsi_ic_deg": float(ankle[0]),
        "foot_angle_ic_deg": 20.0,  # Perry & Burnfield 2010: 15-25 deg at heel strike
        "stance_pct": 61.0, "single_support_pct": 39.0, "step_time_s": 0.55, "stride_time_s": 1.1,
        "step_length_m": 0.69, "speed_mps": 1.3, "trunk_lean_fwd_mean_deg": 3.0,
        "arm_swing_amplitude_deg": 30.0,
    }
    tab = _table(vals, vals, n=12, jitter=0.01)
    tab["foot_contact"] = "heel"
    found = _by_code(evaluate_patterns(tab, PatternContext(view="sagittal")))
    present = [c for c, f in found.items() if f.status == "present"]
    assert present == []
    for code in ("crouch", "stiff_knee", "steppage", "reduced_heel_strike", "antalgic", "short_shuffling_steps",
                 "excessive_forward_trunk_lean", "high_variability", "reduced_arm_swing", "asymmetric_arm_swing"):
        assert found[code].status == "absent", (code, found[code])


# ------------------------------------------------------------------ side logic with published cut-offs
def test_trendelenburg_side_is_the_stance_side_and_needs_a_frontal_view():
    # right pelvis drops 9 deg during LEFT stance (normal 4-7 deg): weak left abductors -> left Trendelenburg
    tab = _table({"pelvic_drop_stance_max_deg": 9.0, "pelvic_obliquity_persistent_deg": 2.0},
                 {"pelvic_drop_stance_max_deg": 4.5, "pelvic_obliquity_persistent_deg": 2.0})
    f = _by_code(evaluate_patterns(tab, PatternContext(view="frontal")))["trendelenburg"]
    assert (f.status, f.side, f.severity) == ("present", "left", 1)
    assert f.evidence[0].side == "left" and f.evidence[0].value == pytest.approx(9.0)
    assert f.evidence[0].threshold == 7 and "Schwartz" in f.evidence[0].source
    g = _by_code(evaluate_patterns(tab, PatternContext(view="sagittal")))["trendelenburg"]
    assert g.status == "not_assessable" and "frontal" in g.reason


def test_a_persistently_low_other_side_is_read_as_leg_length_signs_not_trendelenburg():
    """A leg-length difference tilts the pelvis through the whole stride: standing on the long (left) leg
    the right pelvis is then 'dropped' by the tilt plus the normal 4 deg. The right side staying low (80th
    percentile of its obliquity -4 deg, below the -1.5 deg leg-length cut-off) excludes the Trendelenburg
    reading; the leg-length signs are reported on the right. Without that tilt the same drop is Trendelenburg."""
    tab = _table({"pelvic_drop_stance_max_deg": 9.0, "pelvic_obliquity_persistent_deg": 6.0},
                 {"pelvic_drop_stance_max_deg": 0.5, "pelvic_obliquity_persistent_deg": -4.0})
    found = _by_code(evaluate_patterns(tab, PatternContext(view="frontal")))
    assert found["trendelenburg"].status == "absent"
    excl = [e for e in found["trendelenburg"].evidence if e.metric == "pelvic_obliquity_persistent_deg" and e.side == "right"]
    assert excl and excl[0].comparison == ">=" and excl[0].value == pytest.approx(-4.0)
    assert excl[0].for_side == "left"  # the left stance's Trendelenburg reads the right side's tilt
    assert (found["leg_length_difference_signs"].status, found["leg_length_difference_signs"].side) == ("present", "right")
    level = _table({"pelvic_drop_stance_max_deg": 9.0, "pelvic_obliquity_persistent_deg": 2.0},
                   {"pelvic_drop_stance_max_deg": 0.5, "pelvic_obliquity_persistent_deg": 2.0})
    assert _by_code(evaluate_patterns(level, PatternContext(view="frontal")))["trendelenburg"].status == "present"


def test_frontal_rules_not_assessable_without_frontal_metrics():
    tab = _table({"knee_flex_stance_min_deg": 6.0}, {"knee_flex_stance_min_deg": 6.0})
    found = _by_code(evaluate_patterns(tab, PatternContext(view="frontal")))
    for code in FRONTAL_CODES:
        assert found[code].status == "not_assessable", code
        assert "not measured" in found[code].reason
    na = PatternContext(view="frontal", not_assessable={"knee_fppa_stance_max_deg": "knee hidden by clothing"})
    f = _by_code(evaluate_patterns(tab, na))["knee_valgus"]
    assert "knee hidden by clothing" in f.reason


def test_antalgic_flags_the_side_with_the_shorter_stance():
    # Patterson et al. 2008: stance-time ratio > 1.05 is beyond the healthy range.
    # left stance 63 %, right 58 % of the stride: ratio 63/58 = 1.086 for the right side
    # (normal swings: antalgic is not read when the short-stance leg also swings abnormally)
    swing = {"knee_flex_swing_max_deg": 60.0, "ankle_dorsi_swing_max_deg": 3.0}
    tab = _table({"stance_pct": 63.0, "single_support_pct": 42.0, "step_time_s": 0.52, **swing},
                 {"stance_pct": 58.0, "single_support_pct": 37.0, "step_time_s": 0.58, **swing})
    f = _by_code(evaluate_patterns(tab, PatternContext(view="sagittal")))["antalgic"]
    assert (f.status, f.side) == ("present", "right")
    assert f.evidence[0].unit == "ratio" and f.evidence[0].value == pytest.approx(63 / 58, rel=1e-6)
    # single support 42/37 = 1.135 > 1.12 -> moderate
    assert f.severity == 2
    # the supporting step-time evidence is there: the right step is the longer one (0.58/0.52)
    assert any(e.metric == "step_time_s" and e.side == "right" and e.value == pytest.approx(0.58 / 0.52) for e in f.evidence)
    # a symmetric walk within Patterson's healthy range is absent
    sym = _table({"stance_pct": 61.0, "single_support_pct": 39.0}, {"stance_pct": 60.0, "single_support_pct": 39.5})
    assert _by_code(evaluate_patterns(sym, PatternContext(view="sagittal")))["antalgic"].status == "absent"


def test_hemiparetic_kept_apart_from_antalgic():
    """Short stance on the right AND a stiff right swing (peak knee flexion 35 deg, Schwartz 2008 normal
    59 +- 6) -> hemiparetic right, not antalgic; the same stance asymmetry with normal swings -> antalgic."""
    normal = {"knee_flex_swing_max_deg": 60.0, "ankle_dorsi_swing_max_deg": 3.0}
    stiff = {"knee_flex_swing_max_deg": 35.0, "ankle_dorsi_swing_max_deg": 3.0}
    left = {"stance_pct": 66.0, "single_support_pct": 42.0, "step_time_s": 0.55, **normal}
    tab = _table(left, {"stance_pct": 58.0, "single_support_pct": 34.0, "step_time_s": 0.65, **stiff})
    f = _by_code(evaluate_patterns(tab, PatternContext(view="sagittal")))
    assert (f["hemiparetic"].status, f["hemiparetic"].side) == ("present", "right")
    assert f["antalgic"].status == "absent"
    assert {e.metric for e in f["hemiparetic"].evidence} >= {"stance_pct", "knee_flex_swing_max_deg"}
    # a foot hanging in swing (ankle -12 deg) is the other swing sign
    drop = {"knee_flex_swing_max_deg": 60.0, "ankle_dorsi_swing_max_deg": -12.0}
    tab = _table(left, {"stance_pct": 58.0, "single_support_pct": 34.0, **drop})
    assert _by_code(evaluate_patterns(tab, PatternContext(view="sagittal")))["hemiparetic"].side == "right"
    tab = _table(left, {"stance_pct": 58.0, "single_support_pct": 34.0, "step_time_s": 0.65, **normal})
    f = _by_code(evaluate_patterns(tab, PatternContext(view="sagittal")))
    assert (f["antalgic"].status, f["antalgic"].side) == ("present", "right")
    # from the side, circumduction (the third swing sign) cannot be seen: said, not guessed
    assert f["hemiparetic"].status == "not_assessable" and "circumduction" in f["hemiparetic"].reason
    tab3 = _table({**left, "circumduction_m": 0.02}, {"stance_pct": 58.0, "single_support_pct": 34.0, "circumduction_m": 0.02, **normal})
    f = _by_code(evaluate_patterns(tab3, PatternContext(view="3d")))
    assert f["hemiparetic"].status == "absent" and f["antalgic"].side == "right"
    # a stiff swing without the stance asymmetry is not hemiparetic
    tab = _table({**left, "stance_pct": 62.0, "single_support_pct": 38.0}, {"stance_pct": 62.0, "single_support_pct": 38.0, **stiff})
    assert _by_code(evaluate_patterns(tab, PatternContext(view="sagittal")))["hemiparetic"].status == "absent"


def test_equinus_needs_plantarflexion_at_contact_and_through_stance():
    """Schwartz 2008 normal: ankle at IC -2 +- 6 deg, mid-stance minimum 5 +- 4 deg."""
    tab = _table({"ankle_dorsi_ic_deg": -2.0, "ankle_dorsi_midstance_min_deg": 5.0},
                 {"ankle_dorsi_ic_deg": -25.0, "ankle_dorsi_midstance_min_deg": -12.0})
    f = _by_code(evaluate_patterns(tab, PatternContext(view="sagittal")))["equinus"]
    assert (f.status, f.side) == ("present", "right") and f.severity == 2
    # plantarflexed at contact but the heel comes down in stance: not equinus
    tab = _table({"ankle_dorsi_ic_deg": -2.0, "ankle_dorsi_midstance_min_deg": 5.0},
                 {"ankle_dorsi_ic_deg": -25.0, "ankle_dorsi_midstance_min_deg": 4.0})
    assert _by_code(evaluate_patterns(tab, PatternContext(view="sagittal")))["equinus"].status == "absent"
    # a frontal view cannot judge it
    assert _by_code(evaluate_patterns(tab, PatternContext(view="frontal")))["equinus"].status == "not_assessable"


def test_leg_length_reads_circumduction_of_the_other_leg():
    tab = _table({"pelvic_obliquity_persistent_deg": -4.0, "circumduction_m": 0.02},
                 {"pelvic_obliquity_persistent_deg": 7.0, "circumduction_m": 0.09})
    f = _by_code(evaluate_patterns(tab, PatternContext(view="frontal")))["leg_length_difference_signs"]
    assert (f.status, f.side, f.severity) == ("present", "left", 2)
    circ = [e for e in f.evidence if e.metric == "circumduction_m"]
    assert circ[0].side == "right" and circ[0].value == pytest.approx(0.09)


def test_relative_scale_uses_relative_step_length():
    # 0.20 body heights is below the 0.26 relative cut-off (0.45 m / 1.70 m)
    tab = _table({"step_length_rel": 0.20, "step_length_m": math.nan}, {"step_length_rel": 0.20, "step_length_m": math.nan})
    f = _by_code(evaluate_patterns(tab, PatternContext(view="sagittal", spatial_scale="relative")))["short_shuffling_steps"]
    assert f.status == "present" and f.side == "both" and f.evidence[0].metric == "step_length_rel"
    g = _by_code(evaluate_patterns(tab, PatternContext(view="sagittal")))["short_shuffling_steps"]
    assert g.status == "not_assessable" and "step_length_m" in g.reason


def test_variability_needs_ten_strides_and_uses_cv():
    rng = np.random.default_rng(0)
    t = 1.1 + rng.normal(0, 0.088, 12)  # CV about 8 % (Hausdorff 2005: healthy 1-3 %)
    tab = pd.DataFrame({"side": ["left", "right"] * 6, "stride_time_s": t})
    f = _by_code(evaluate_patterns(tab, PatternContext(view="sagittal")))["high_variability"]
    cv = 100 * np.std(t, ddof=1) / np.mean(t)
    assert f.status == "present" and f.side is None
    assert f.evidence[0].value == pytest.approx(cv) and f.severity == (3 if cv > 10 else 2 if cv > 6 else 1)
    few = _by_code(evaluate_patterns(tab.iloc[:6], PatternContext(view="sagittal")))["high_variability"]
    assert few.status == "not_assessable" and "need 10" in few.reason


def test_empty_table_gives_not_assessable_everywhere():
    found = evaluate_patterns(pd.DataFrame(columns=["side"]), PatternContext(view="sagittal"))
    assert len(found) == len(KB.patterns)
    assert all(f.status == "not_assessable" and f.reason for f in found)


def test_aggregates_input_equals_cycle_input():
    tab = _table({"knee_flex_stance_min_deg": 33.0}, {"knee_flex_stance_min_deg": 12.0})
    a = evaluate_patterns(tab, PatternContext(view="sagittal"), codes=["crouch"])
    summary = {s: {"knee_flex_stance_min_deg": {"mean": v, "sd": 0.0, "cv_pct": 0.0, "n": 5}}
               for s, v in (("left", 33.0), ("right", 12.0))}
    b = evaluate_patterns(None, PatternContext(view="sagittal"), aggregates=Aggregates.from_side_stats(summary), codes=["crouch"])
    assert (a[0].status, a[0].side, a[0].severity) == (b[0].status, b[0].side, b[0].severity) == ("present", "left", 2)


# ------------------------------------------------------------------ severity grows with the deviation
def _single_condition_rules():
    out = []
    for r in KB.patterns:
        conds = [c for g in r.groups for c in g.conditions]
        if len(r.groups) == 1 and len(conds) == 1:
            out.append((r.code, conds[0]))
    return out


@pytest.mark.parametrize("code,cond", _single_condition_rules(), ids=lambda x: x if isinstance(x, str) else "")
def test_severity_increases_monotonically_with_deviation(code, cond):
    thr = KB.thresholds[cond.threshold]
    rule = KB.pattern(code)
    steps = np.linspace(0.0, 1.6, 33)  # fraction of the way from normal_ref to (beyond) the severe cut-off
    severities = []
    for s in steps:
        x = thr.normal_ref + s * (thr.severe - thr.normal_ref)
        if thr.aggregate.startswith("ratio"):
            other = {cond.metric: 1.0}
            mine = {cond.metric: 1.0 / x if thr.aggregate == "ratio_other_over_self" else x}
        else:
            other, mine = {cond.metric: thr.normal_ref}, {cond.metric: x}
        n = max(rule.min_cycles, 3)
        tab = _table(mine, other, n=n)
        if rule.side_logic == "pooled" and thr.aggregate == "cv_pct":
            # alternating mean +- d over an even n gives a sample CV of exactly x %
            m = 1.0
            d = x / 100 * m / math.sqrt(len(tab) / (len(tab) - 1))
            tab[cond.metric] = [m + d * (1 if i % 2 else -1) for i in range(len(tab))]
        elif rule.side_logic == "pooled":
            tab[cond.metric] = x
        f = _by_code(evaluate_patterns(tab, PatternContext(view="3d"), codes=[code]))[code]
        severities.append(f.severity)
        if f.status == "present" and rule.side_logic == "per_side":
            assert f.side == "left"
    assert severities[0] == 0 and severities[-1] == 3
    assert all(b >= a for a, b in zip(severities, severities[1:])), severities
    assert set(severities) == {0, 1, 2, 3}


def test_aggregate_cycles_statistics():
    tab = pd.DataFrame({"side": ["left"] * 4 + ["right"] * 2, "stride_time_s": [1.0, 1.2, 1.1, 1.3, 1.0, "bad"],
                        "foot_contact": ["heel", "flat", "heel", "heel", "forefoot", None]})
    ag = aggregate_cycles(tab)
    left = ag.stat("left", "stride_time_s")
    assert left.n == 4 and left.mean == pytest.approx(1.15) and left.cv_pct == pytest.approx(100 * np.std([1.0, 1.2, 1.1, 1.3], ddof=1) / 1.15)
    assert ag.stat("right", "stride_time_s").n == 1  # the non-numeric cell counts as missing
    assert ag.stat("left", "foot_contact").get("frac_heel") == pytest.approx(0.75)
    assert ag.stat("right", "foot_contact").get("frac_heel") == 0.0
    with pytest.raises(ValueError):
        aggregate_cycles(pd.DataFrame({"side": ["L"], "stride_time_s": [1.0]}))


# ------------------------------------------------------------------ phantom through the virtual camera, full pipeline
@pytest.mark.parametrize("pattern,code,side", [(None, None, None), ("crouch", "crouch", "right"), ("foot_drop", "steppage", "left")])
def test_phantom_pattern_found_through_the_camera(pattern, code, side):
    walker = pytest.importorskip("gaitscope.phantom.walker")
    camera = pytest.importorskip("gaitscope.capture.virtual_camera")
    pipeline = pytest.importorskip("gaitscope.pipeline")
    walk = walker.simulate(pattern=pattern, severity="moderate", side=side or "right", duration_s=10.0, seed=3)
    img = camera.project(walk.pose, view="sagittal-left", rate_hz=30.0, noise_px=1.0, seed=3)
    res = pipeline.analyze_pose(img, height_m=1.70)
    found = _by_code(evaluate_patterns(res.cycles, PatternContext(view="sagittal", spatial_scale=res.prep.spatial_scale)))
    if pattern is None:
        assert [c for c, f in found.items() if f.status == "present"] == []
    else:
        assert found[code].status == "present" and found[code].side == side
    for c in FRONTAL_CODES:
        assert found[c].status == "not_assessable"


def test_vaulting_measured_on_the_stiff_knee_walkers_other_leg():
    """The phantom's stiff-knee walker vaults on the other leg: that ankle is plantarflexed 12 / 21 /
    30 deg more in its mid-stance (mild / moderate / severe, docs/phantom.md). Seen from the side, the
    vaulting sign (lowest ankle dorsiflexion in mid single support) must drop by about that much on
    the other leg, stay normal on the stiff leg, and be reported as supporting evidence of stiff-knee gait."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate
    from gaitscope.pipeline import analyze_pose

    def side_means(pattern=None, severity="moderate"):
        kw = {"pattern": pattern, "side": "right", "severity": severity} if pattern else {}
        walk = simulate(duration_s=20.0, rate_hz=100.0, seed=7, **kw)
        img = project(walk.pose, view="sagittal-left", rate_hz=30.0, image_size_px=(1280, 720), noise_px=1.0, seed=7)
        res = analyze_pose(img, height_m=1.70)
        c = res.cycles
        return ({s: float(c.loc[c["side"] == s, "ankle_dorsi_midstance_min_deg"].mean()) for s in ("left", "right")},
                res.findings)

    normal, _ = side_means()
    assert all(v > -3.0 for v in normal.values())  # the vaulting cut-off (thresholds.csv)
    for severity, added_deg in (("moderate", 21.0), ("severe", 30.0)):
        stiff, findings = side_means("stiff_knee", severity)
        assert stiff["left"] == pytest.approx(normal["left"] - added_deg, abs=6.0)
        assert abs(stiff["right"] - normal["right"]) < 3.0
        sk = [f for f in findings["patterns"] if f["code"] == "stiff_knee" and f["status"] == "present"]
        assert sk and sk[0]["side"] == "right"
        assert any(ev["metric"] == "ankle_dorsi_midstance_min_deg" and ev["side"] == "left"
                   and ev["for_side"] == "right" and ev["value"] < ev["threshold"] for ev in sk[0]["evidence"])

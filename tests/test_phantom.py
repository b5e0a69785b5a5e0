"""The phantom's truth checked against independent computations from its own keypoints.

Every expected value here is computed in this file from keypoint geometry (sagittal/frontal
projections, floor contact) or is a published/parameter value; nothing is read back from the
phantom's own angle code except the truth being tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitscope.knowledge.normative import SPEED_CLASSES, load_kinematic_norms, load_speed_classes, speed_class_for
from gaitscope.phantom import PATTERNS, simulate, standing
from gaitscope.phantom.body import body_for_height
from gaitscope.types import KEYPOINT_NAMES, SIDES, GaitscopeError

RATE = 100.0
SIGN = {"left": -1.0, "right": 1.0}


@pytest.fixture(scope="module")
def walk():
    return simulate(duration_s=8.0, rate_hz=RATE, seed=4)


# ----------------------------------------------------------------------------- independent maths
def sag_angle(v: np.ndarray) -> np.ndarray:
    """Sagittal (x-y) angle of a downward-ish segment vector to the vertical, + distal end forward."""
    return np.degrees(np.arctan2(v[:, 0], -v[:, 1]))


def knee_flex_from_keypoints(pose, side):
    hip, knee, ankle = (pose.get(f"{side}_{k}") for k in ("hip", "knee", "ankle"))
    return sag_angle(knee - hip) - sag_angle(ankle - knee)


def hip_flex_from_keypoints(pose, side):
    mid_hip = 0.5 * (pose.get("left_hip") + pose.get("right_hip"))
    mid_sh = 0.5 * (pose.get("left_shoulder") + pose.get("right_shoulder"))
    trunk_down = mid_hip - mid_sh
    return sag_angle(pose.get(f"{side}_knee") - pose.get(f"{side}_hip")) - sag_angle(trunk_down)


def ankle_from_keypoints(pose, side):
    foot = pose.get(f"{side}_toe") - pose.get(f"{side}_heel")
    foot_pitch = np.degrees(np.arctan2(foot[:, 1], foot[:, 0]))
    shank = sag_angle(pose.get(f"{side}_ankle") - pose.get(f"{side}_knee"))
    return foot_pitch - shank, foot_pitch


def obliquity_from_keypoints(pose, side):
    other = "left" if side == "right" else "right"
    d = pose.get(f"{side}_hip") - pose.get(f"{other}_hip")
    return np.degrees(np.arcsin(d[:, 1] / np.linalg.norm(d, axis=1)))


def fppa_from_keypoints(pose, side):
    """Knee frontal-plane projection angle (z-y plane), + valgus = knee medial of hip-ankle line."""
    hip, knee, ankle = (pose.get(f"{side}_{k}") for k in ("hip", "knee", "ankle"))
    a = np.degrees(np.arctan2(-SIGN[side] * (knee[:, 2] - hip[:, 2]), hip[:, 1] - knee[:, 1]))  # thigh medial tilt
    b = np.degrees(np.arctan2(-SIGN[side] * (ankle[:, 2] - knee[:, 2]), knee[:, 1] - ankle[:, 1]))
    return a - b


def contact_from_keypoints(pose, side, tol_m=1e-3, toe_tips=None):
    """Floor contact of one foot: heel or toe keypoint (or, given, the toe tip) on the floor."""
    low = np.minimum(pose.get(f"{side}_heel")[:, 1], pose.get(f"{side}_toe")[:, 1])
    if toe_tips is not None:
        low = np.minimum(low, toe_tips[side][:, 1])
    return low < tol_m


def side_angles(walk, side):
    return walk.angles[walk.angles["side"] == side].sort_values("frame").reset_index(drop=True)


# ----------------------------------------------------------------------------- knowledge files
def test_normative_file_has_every_class_and_variable():
    df = load_kinematic_norms(None)
    assert set(df["speed_class"]) == set(SPEED_CLASSES)
    assert {"hip_flex_deg", "knee_flex_deg", "ankle_dorsi_deg", "pelvis_obliquity_deg", "foot_progression_deg"} <= set(df["variable"])
    free = load_kinematic_norms("Free")
    knee = free[free["variable"] == "knee_flex_deg"]
    # Schwartz 2008 free speed: peak swing knee flexion about 60 deg near 72 % of the cycle
    assert 55 < knee["mean_deg"].max() < 65
    assert 66 <= knee.loc[knee["mean_deg"].idxmax(), "gait_cycle_pct"] <= 76
    assert load_speed_classes().loc[2, "foot_off_pct"] == 59
    assert speed_class_for(1.27, 0.9) == "Free"
    with pytest.raises(ValueError):
        load_kinematic_norms("Jogging")


def test_normative_matches_shared_json(shared_data):
    import json

    raw = json.loads((shared_data / "normative" / "schwartz2008_kinematics.json").read_text())["Schwartz2008"]
    lo_hi = np.asarray(raw["Fast"]["KneeAngles"]["X"])
    df = load_kinematic_norms("Fast")
    knee = df[df["variable"] == "knee_flex_deg"]
    assert np.allclose(knee["mean_deg"], 0.5 * (lo_hi[:, 1] + lo_hi[:, 2]), atol=1e-3)
    assert np.allclose(knee["sd_deg"], 0.5 * (lo_hi[:, 2] - lo_hi[:, 1]), atol=1e-3)


def test_body_scales_with_height_winter_fractions():
    b = body_for_height(1.80)
    assert b.thigh_m == pytest.approx(0.245 * 1.80)  # Winter 2009 Fig. 4.1
    assert b.shank_m == pytest.approx(0.246 * 1.80)
    assert b.leg_length_m == pytest.approx(0.530 * 1.80)  # hip (greater trochanter) height
    with pytest.raises(ValueError):
        body_for_height(3.0)


# ----------------------------------------------------------------------------- structure
def test_structure_and_synthetic_label(walk):
    assert walk.pose.frame == "world"
    assert walk.pose.names == KEYPOINT_NAMES
    assert np.isfinite(walk.pose.xyz).all()
    assert walk.pose.meta["synthetic"] is True and walk.truth["synthetic"] is True
    assert list(walk.events.columns) == ["event", "side", "frame", "t_s"]
    assert set(walk.events["event"]) == {"ic", "fc"} and set(walk.events["side"]) == set(SIDES)
    assert len(walk.angles) == 2 * walk.pose.n_frames


def test_segment_lengths_constant(walk):
    b = body_for_height(1.70)
    for side in SIDES:
        thigh = np.linalg.norm(walk.pose.get(f"{side}_knee") - walk.pose.get(f"{side}_hip"), axis=1)
        shank = np.linalg.norm(walk.pose.get(f"{side}_ankle") - walk.pose.get(f"{side}_knee"), axis=1)
        assert np.allclose(thigh, b.thigh_m, atol=1e-9) and np.allclose(shank, b.shank_m, atol=1e-9)


def test_deterministic_with_seed():
    a = simulate(duration_s=3.0, seed=11, pattern="antalgic")
    b = simulate(duration_s=3.0, seed=11, pattern="antalgic")
    c = simulate(duration_s=3.0, seed=12, pattern="antalgic")
    assert np.array_equal(a.pose.xyz, b.pose.xyz)
    pd.testing.assert_frame_equal(a.events, b.events)
    assert not np.allclose(a.pose.xyz, c.pose.xyz)


# ----------------------------------------------------------------------------- angles vs keypoints
def test_sagittal_angles_match_keypoint_geometry(walk):
    for side in SIDES:
        ang = side_angles(walk, side)
        assert np.max(np.abs(knee_flex_from_keypoints(walk.pose, side) - ang["knee_flex_deg"])) < 0.5
        assert np.max(np.abs(hip_flex_from_keypoints(walk.pose, side) - ang["hip_flex_deg"])) < 0.5
        ankle, pitch = ankle_from_keypoints(walk.pose, side)
        assert np.max(np.abs(ankle - ang["ankle_dorsi_deg"])) < 0.5
        assert np.max(np.abs(pitch - ang["foot_angle_deg"])) < 0.5


def test_angle_curves_look_like_normal_gait(walk):
    """Shape against Schwartz 2008 free-speed means (independent published values)."""
    for side in SIDES:
        ang = side_angles(walk, side)
        st, sw = ang[ang["in_stance"]], ang[~ang["in_stance"]]
        assert 55 < sw["knee_flex_deg"].max() < 72  # normal peak swing knee flexion ~60
        assert st["knee_flex_deg"].min() < 10  # knee nearly extended in mid/terminal stance
        assert 25 < ang["hip_flex_deg"].max() < 45 and -20 < ang["hip_flex_deg"].min() < -5
        assert -30 < st["ankle_dorsi_deg"].min() < -5  # push-off plantarflexion
        # knee flexion at initial contact (first stance frame of each stride) small
        first = ang[ang["in_stance"] & ~ang["in_stance"].shift(1, fill_value=True)]
        assert first["knee_flex_deg"].abs().max() < 12


def test_frontal_truth_matches_keypoints():
    w = simulate(duration_s=4.0, pattern="knee_valgus", severity="moderate", side="right")
    for side in SIDES:
        ang = side_angles(w, side)
        assert np.max(np.abs(obliquity_from_keypoints(w.pose, side) - ang["pelvis_obliquity_deg"])) < 0.05
        assert np.max(np.abs(fppa_from_keypoints(w.pose, side) - ang["knee_valgus_deg"])) < 0.5
        mid_hip = 0.5 * (w.pose.get("left_hip") + w.pose.get("right_hip"))
        mid_sh = 0.5 * (w.pose.get("left_shoulder") + w.pose.get("right_shoulder"))
        d = mid_sh - mid_hip
        lat = SIGN[side] * np.degrees(np.arctan2(d[:, 2], d[:, 1]))
        fwd = np.degrees(np.arctan2(d[:, 0], d[:, 1]))
        assert np.max(np.abs(lat - ang["trunk_lean_lat_deg"])) < 0.05
        assert np.max(np.abs(fwd - ang["trunk_lean_fwd_deg"])) < 0.05


# ----------------------------------------------------------------------------- events and contact
def test_events_match_floor_contact_from_keypoints(walk):
    # the toes roll onto their tips in pre-swing, so the last contact is the toe tip, not a keypoint
    n = walk.pose.n_frames
    for side in SIDES:
        contact = contact_from_keypoints(walk.pose, side, toe_tips=walk.toe_tips)
        ic_kp = np.flatnonzero(contact[1:] & ~contact[:-1]) + 1
        fc_kp = np.flatnonzero(~contact[1:] & contact[:-1]) + 1
        ev = walk.events[walk.events["side"] == side]
        ic_truth = ev[ev["event"] == "ic"]["frame"].to_numpy()
        fc_truth = ev[ev["event"] == "fc"]["frame"].to_numpy()
        assert len(ic_kp) == len(ic_truth) and len(fc_kp) == len(fc_truth)
        assert np.max(np.abs(ic_kp - ic_truth)) <= 1
        assert np.max(np.abs(fc_kp - fc_truth)) <= 1
        assert np.all((ic_truth >= 0) & (ic_truth < n))


def feet_heights(w):
    """Heights of the heel and toe keypoints and of the toe tips (the last contact in pre-swing)."""
    return np.stack([w.pose.get(f"{s}_{k}")[:, 1] for s in SIDES for k in ("heel", "toe")]
                    + [w.toe_tips[s][:, 1] for s in SIDES], axis=1)


def test_feet_on_floor_and_never_below(walk):
    feet = feet_heights(walk)
    assert feet.min() > -1e-6  # nothing goes through the floor
    assert np.all(feet.min(axis=1) < 1e-3)  # some foot point is always on the floor (walking, no flight)


def test_stance_foot_does_not_skate(walk):
    """Heel planted from initial contact to heel rise; forefoot planted from heel rise to foot off."""
    for side in SIDES:
        heel, toe = walk.pose.get(f"{side}_heel"), walk.pose.get(f"{side}_toe")
        ev = walk.events[walk.events["side"] == side]
        ics = ev[ev["event"] == "ic"]["frame"].to_numpy()
        fcs = ev[ev["event"] == "fc"]["frame"].to_numpy()
        checked = 0
        for ic in ics:
            later = fcs[fcs > ic]
            if not len(later):
                continue
            fc = later[0]
            flat = np.flatnonzero(heel[ic:fc, 1] < 1e-4) + ic  # heel on the floor
            if len(flat):
                assert np.ptp(heel[flat, 0]) < 1e-4 and np.ptp(heel[flat, 2]) < 1e-4
            toe_down = np.flatnonzero(toe[ic:fc, 1] < 1e-4) + ic
            late = toe_down[toe_down > ic + (fc - ic) // 2]
            if len(late):
                assert np.ptp(toe[late, 0]) < 2e-3  # toe tip stays (toes flat while the heel rises)
            checked += 1
        assert checked >= 4


def test_spatiotemporal_truth_from_keypoints(walk):
    # cadence and stride time from the keypoint-detected contacts
    ic_times = {}
    for side in SIDES:
        contact = contact_from_keypoints(walk.pose, side)
        ic_times[side] = walk.pose.t_s[np.flatnonzero(contact[1:] & ~contact[:-1]) + 1]
    strides = np.concatenate([np.diff(ic_times[s]) for s in SIDES])
    assert 120.0 / strides.mean() == pytest.approx(walk.truth["cadence_spm"], abs=1.0)
    # step length: heel x at each foot's first contact frame (heel lands first in normal gait)
    rows = []
    for side in SIDES:
        contact = contact_from_keypoints(walk.pose, side)
        for i in np.flatnonzero(contact[1:] & ~contact[:-1]) + 1:
            rows.append((walk.pose.t_s[i], side, walk.pose.get(f"{side}_heel")[i, 0], walk.pose.get(f"{side}_heel")[i, 2]))
    rows.sort()
    steps = {s: [] for s in SIDES}
    widths = []
    for a, b in zip(rows[:-1], rows[1:]):
        if a[1] != b[1]:
            steps[b[1]].append(b[2] - a[2])
            widths.append(abs(b[3] - a[3]))
    for side in SIDES:
        assert np.mean(steps[side]) == pytest.approx(walk.truth["step_length_m"][side], abs=0.01)
    assert np.mean(widths) == pytest.approx(walk.truth["step_width_m"], abs=0.01)
    # speed from the pelvis over the whole walk
    mid = 0.5 * (walk.pose.get("left_hip") + walk.pose.get("right_hip"))
    speed = (mid[-1, 0] - mid[0, 0]) / walk.pose.duration_s
    assert speed == pytest.approx(walk.truth["speed_mps"], abs=0.05)


def test_requested_speed_and_cadence_are_reached():
    w = simulate(speed_mps=1.0, cadence_spm=100.0, duration_s=8.0, variability=0.0, seed=2)
    assert w.truth["cadence_spm"] == pytest.approx(100.0, abs=0.5)
    assert w.truth["speed_mps"] == pytest.approx(1.0, abs=0.03)
    mid = 0.5 * (w.pose.get("left_hip") + w.pose.get("right_hip"))
    assert (mid[-1, 0] - mid[0, 0]) / w.pose.duration_s == pytest.approx(1.0, abs=0.05)


def test_stance_pct_near_normative_foot_off(walk):
    for side in SIDES:
        assert 57 <= walk.truth["stance_pct"][side] <= 63  # Schwartz 2008: foot off 59 % at free speed


# ----------------------------------------------------------------------------- patterns
SEVS = ("mild", "moderate", "severe")


def _series(pattern, side="right", **kw):
    normal = simulate(duration_s=6.0, seed=5, **kw)
    return normal, [simulate(duration_s=6.0, seed=5, pattern=pattern, severity=s, side=side, **kw) for s in SEVS]


def _increasing(vals, margin=0.0):
    return all(b > a + margin for a, b in zip(vals[:-1], vals[1:]))


def _stance_max(w, side, values):
    ang = side_angles(w, side)
    return float(np.max(values[ang["in_stance"].to_numpy()]))


def test_unknown_pattern_lists_valid_names():
    with pytest.raises(GaitscopeError, match="trendelenburg"):
        simulate(pattern="limp")
    with pytest.raises(GaitscopeError):
        simulate(pattern="trendelenburg", side="both")


def test_trendelenburg_pelvic_drop_grows_on_the_right_side():
    normal, ws = _series("trendelenburg")
    kp = [_stance_max(w, "right", obliquity_from_keypoints(w.pose, "right")) for w in [normal] + ws]
    assert _increasing(kp, 2.0)  # right hip higher = left (swing) side dropped, in right stance
    truth = [w.truth["pattern"]["injected"]["trendelenburg"]["pelvic_drop_extra_deg"] for w in ws]
    assert _increasing(truth)
    # the left stance is unchanged
    left = [_stance_max(w, "left", obliquity_from_keypoints(w.pose, "left")) for w in [normal] + ws]
    assert np.ptp(left) < 1.0


def test_trendelenburg_compensated_trunk_leans_over_stance_leg():
    normal, ws = _series("trendelenburg_compensated", side="left")
    lean = []
    for w in [normal] + ws:
        mid_hip = 0.5 * (w.pose.get("left_hip") + w.pose.get("right_hip"))
        mid_sh = 0.5 * (w.pose.get("left_shoulder") + w.pose.get("right_shoulder"))
        d = mid_sh - mid_hip
        toward_left = -np.degrees(np.arctan2(d[:, 2], d[:, 1]))
        lean.append(_stance_max(w, "left", toward_left))
    assert _increasing(lean, 3.0)


def test_antalgic_short_stance_and_short_contralateral_step():
    normal, ws = _series("antalgic")
    stance_r = [w.truth["stance_pct"]["right"] for w in [normal] + ws]
    assert _increasing([-s for s in stance_r])
    # independent: stance time from keypoint contact on the right, step length of the left
    ratios, left_steps = [], []
    for w in [normal] + ws:
        c = contact_from_keypoints(w.pose, "right")
        ratios.append(c.mean())
        left_steps.append(w.truth["step_length_m"]["left"])
    assert _increasing([-r for r in ratios])
    assert _increasing([-s for s in left_steps], 0.02)


def test_foot_drop_plantarflexed_swing_and_flat_or_forefoot_contact():
    normal, ws = _series("foot_drop", side="left")
    swing_min, knee_max, ic_pitch = [], [], []
    for w in [normal] + ws:
        ang = side_angles(w, "left")
        sw = ~ang["in_stance"].to_numpy()
        mid_swing = (ang["gait_cycle_pct"] > 75).to_numpy() & sw  # after the push-off plantarflexion
        ankle, pitch = ankle_from_keypoints(w.pose, "left")
        swing_min.append(np.mean(ankle[mid_swing]))
        knee_max.append(np.max(knee_flex_from_keypoints(w.pose, "left")[sw]))
        ics = w.events[(w.events["side"] == "left") & (w.events["event"] == "ic")]["frame"].to_numpy()
        ic_pitch.append(np.mean(pitch[ics]))
    assert _increasing([-v for v in swing_min], 3.0)
    assert _increasing(knee_max, 2.0)
    assert _increasing([-p for p in ic_pitch], 3.0)
    assert ic_pitch[-1] < 0  # severe: forefoot first
    # the right leg is not affected
    assert abs(side_angles(ws[-1], "right")["ankle_dorsi_deg"].min() - side_angles(normal, "right")["ankle_dorsi_deg"].min()) < 3


def test_stiff_knee_reduces_swing_knee_flexion():
    normal, ws = _series("stiff_knee")
    peaks = []
    for w in [normal] + ws:
        sw = ~side_angles(w, "right")["in_stance"].to_numpy()
        peaks.append(np.max(knee_flex_from_keypoints(w.pose, "right")[sw]))
    assert _increasing([-p for p in peaks], 3.0)
    assert peaks[-1] < 40


def test_crouch_keeps_knee_flexed_in_stance():
    normal, ws = _series("crouch", side="both")
    mins = []
    for w in [normal] + ws:
        st = side_angles(w, "left")["in_stance"].to_numpy()
        mins.append(np.min(knee_flex_from_keypoints(w.pose, "left")[st]))
    assert _increasing(mins, 5.0)
    assert mins[1] > 15


def test_reduced_heel_strike_flat_contact_and_short_step():
    normal, ws = _series("reduced_heel_strike")
    pitch_ic, steps = [], []
    for w in [normal] + ws:
        _, pitch = ankle_from_keypoints(w.pose, "right")
        ics = w.events[(w.events["side"] == "right") & (w.events["event"] == "ic")]["frame"].to_numpy()
        pitch_ic.append(np.mean(pitch[ics]))
        steps.append(w.truth["step_length_m"]["right"])
    assert _increasing([-p for p in pitch_ic], 3.0)
    assert _increasing([-s for s in steps], 0.02)


def test_leg_length_difference_persistent_obliquity():
    normal, ws = _series("leg_length_difference", side="left")
    mean_obl = [np.mean(obliquity_from_keypoints(w.pose, "left")) for w in [normal] + ws]
    assert _increasing([-m for m in mean_obl], 1.0)  # left (short) side lower, more with severity


def test_reduced_arm_swing_one_side():
    normal, ws = _series("reduced_arm_swing")
    rng_r, rng_l = [], []
    for w in [normal] + ws:
        for side, out in (("right", rng_r), ("left", rng_l)):
            rel = w.pose.get(f"{side}_wrist")[:, 0] - w.pose.get(f"{side}_shoulder")[:, 0]
            out.append(np.ptp(rel))
    assert _increasing([-r for r in rng_r], 0.02)
    assert np.ptp(rng_l) < 0.03


def test_knee_valgus_in_stance():
    normal, ws = _series("knee_valgus")
    v = [_stance_max(w, "right", fppa_from_keypoints(w.pose, "right")) for w in [normal] + ws]
    assert _increasing(v, 4.0)
    assert abs(_stance_max(ws[-1], "left", fppa_from_keypoints(ws[-1].pose, "left")) - v[0]) < 1.5


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_every_pattern_keeps_the_physics(pattern):
    side = "right"
    w = simulate(duration_s=4.0, pattern=pattern, severity="severe", side=side, seed=3)
    feet = feet_heights(w)
    assert feet.min() > -1e-6 and np.all(feet.min(axis=1) < 2e-3)
    assert w.truth["diagnostics"]["ik_residual_m"] < 1e-3
    for s in SIDES:
        ang = side_angles(w, s)
        assert np.max(np.abs(knee_flex_from_keypoints(w.pose, s) - ang["knee_flex_deg"])) < 0.5
    # the body keeps moving forward and does not jump: mid-hip forward velocity stays positive
    # (reduced heel strike once moved it backwards at -0.65 m/s after each contact) and its
    # vertical speed stays under 2 m/s (unilateral crouch once dropped it at 3.6 m/s)
    t = w.pose.t_s
    v = np.gradient(0.5 * (w.pose.get("left_hip") + w.pose.get("right_hip")), t, axis=0)[50:-50]
    assert v[:, 0].min() > 0.1
    assert np.abs(v[:, 1]).max() < 2.0
    # a foot leaves the floor without a jump in speed: around each foot off the sagittal velocity
    # of the heel and toe keypoints changes by less than 3 m/s from one 10 ms sample to the next
    # (normal walker 1.3; stiff knee once jumped 6.2 m/s, which moved its detected foot off early)
    for s in SIDES:
        fcs = w.events[(w.events["side"] == s) & (w.events["event"] == "fc")]["frame"].to_numpy()
        for kp in ("heel", "toe"):
            vel = np.diff(w.pose.get(f"{s}_{kp}")[:, :2], axis=0) / np.diff(t)[:, None]
            dv = np.linalg.norm(np.diff(vel, axis=0), axis=1)
            for f in fcs[(fcs >= 3) & (fcs < len(dv) - 3)]:
                assert dv[f - 3 : f + 3].max() < 3.0, (pattern, s, kp, f)


def test_combined_patterns():
    w = simulate(duration_s=4.0, pattern="trendelenburg+reduced_heel_strike", side="right")
    assert set(w.truth["pattern"]["injected"]) == {"trendelenburg", "reduced_heel_strike"}


# ----------------------------------------------------------------------------- standing
def test_standing_known_asymmetries():
    p = standing(height_m=1.65, shoulder_drop_deg=4.0, pelvic_drop_deg=-3.0, trunk_shift_m=0.03,
                 forward_head_m=0.06, knee_valgus_deg=(8.0, 0.0), duration_s=2.0, rate_hz=30.0, seed=1)
    assert p.frame == "world" and p.meta["truth"]["synthetic"]
    ls, rs = p.get("left_shoulder")[0], p.get("right_shoulder")[0]
    assert np.degrees(np.arctan2(ls[1] - rs[1], ls[2] - rs[2] if False else rs[2] - ls[2])) == pytest.approx(4.0, abs=0.1)
    lh, rh = p.get("left_hip")[0], p.get("right_hip")[0]
    assert np.degrees(np.arcsin((rh[1] - lh[1]) / np.linalg.norm(rh - lh))) == pytest.approx(3.0, abs=0.1)  # left lower
    mid_sh = 0.5 * (ls + rs)
    mid_hip = 0.5 * (lh + rh)
    assert mid_sh[2] - mid_hip[2] == pytest.approx(0.03, abs=1e-3)
    ear = 0.5 * (p.get("left_ear")[0] + p.get("right_ear")[0])
    assert ear[0] - mid_sh[0] == pytest.approx(0.06, abs=1e-6)
    assert fppa_from_keypoints(p, "left")[0] == pytest.approx(8.0, abs=0.3)
    assert abs(fppa_from_keypoints(p, "right")[0]) < 0.3
    feet = np.stack([p.get(f"{s}_{k}")[:, 1] for s in SIDES for k in ("heel", "toe")])
    assert np.allclose(feet, 0.0)
    # tiny sway only
    assert np.ptp(p.get("nose")[:, 0]) < 0.02


# ----------------------------------------------------------------------------- CLI and demo
def test_cli_writes_files_and_says_synthetic(tmp_path):
    from gaitscope.capture.pose_csv import read_pose_csv
    from gaitscope.cli import main

    out = tmp_path / "ph"
    assert main(["phantom", "--out", str(out), "--pattern", "knee_valgus", "--side", "left", "--severity", "mild",
                 "--duration-s", "3", "--view", "frontal-front", "--fps", "25", "--noise-px", "0.5"]) == 0
    for name in ("pose_world.csv", "pose.csv", "truth_events.csv", "truth_angles.csv", "truth.json"):
        assert (out / name).is_file()
    world = read_pose_csv(out / "pose_world.csv")
    img = read_pose_csv(out / "pose.csv")
    assert world.frame == "world" and img.frame == "image" and img.image_size_px == (1280, 720)
    assert img.median_rate_hz == pytest.approx(25.0)
    events = pd.read_csv(out / "truth_events.csv")
    assert list(events.columns) == ["event", "side", "frame", "t_s"]
    import json

    truth = json.loads((out / "truth.json").read_text())
    assert truth["truth"]["synthetic"] is True and truth["truth"]["pattern"]["side"] == "left"


def test_cli_message_and_unknown_pattern(tmp_path, capsys):
    from gaitscope.cli import main

    assert main(["phantom", "--out", str(tmp_path / "a"), "--duration-s", "2"]) == 0
    assert "SYNTHETIC" in capsys.readouterr().out
    assert main(["phantom", "--out", str(tmp_path / "b"), "--pattern", "waddle"]) != 0
    err = capsys.readouterr().err
    assert "waddle" in err and "trendelenburg" in err and "Traceback" not in err


def test_demo_runs_on_synthetic_data(tmp_path):
    from gaitscope.demo import run_demo

    msg = run_demo(tmp_path / "demo")
    assert "SYNTHETIC" in msg
    inputs = tmp_path / "demo" / "inputs"  # the demo keeps its synthetic inputs apart from the assessment
    assert (inputs / "pose.csv").is_file() and (inputs / "truth.json").is_file()


def test_per_side_arm_swing_parameter():
    w = simulate(duration_s=4.0, arm_swing_deg=(10.0, 40.0), seed=1)
    ps = w.truth["per_side"]
    assert ps["right"]["arm_swing_amplitude_deg"] > 3 * ps["left"]["arm_swing_amplitude_deg"]

"""Metrics: sagittal angles, strides, spatiotemporal parameters, symmetry, summary.

Truths come from constructed geometry (a stick figure posed with known joint angles), a
hand-written event sequence whose percentages are worked out below, and the lab's own model
angles stored in the shared mocap files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from gaitscope.metrics.agreement import compare_angle_tables, offset_removed_agreement
from gaitscope.metrics.cycles import CYCLE_COLUMNS, compute_angles, compute_cycles
from gaitscope.metrics.kinematics import (
    pitch_deg,
    sagittal_angles,
    segment_angle_deg,
    time_normalise,
    upward_lean_deg,
)
from gaitscope.metrics.spatiotemporal import segment_strides, spatial_parameters, temporal_parameters
from gaitscope.metrics.summary import SCHEMA_VERSION, assert_finite, summarize
from gaitscope.metrics.symmetry import describe, symmetry_index_pct, symmetry_ratio
from gaitscope.types import PoseSequence

NAMES = (
    "left_shoulder",
    "right_shoulder",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_toe",
    "right_toe",
)


def _unit(deg: float) -> np.ndarray:
    """Direction at ``deg`` from the downward vertical, + towards forward (x)."""
    r = math.radians(deg)
    return np.array([math.sin(r), -math.cos(r)])


def _pose_leg(trunk_lean: float, thigh: float, knee: float, ankle_dorsi: float, foot_pitch_extra: float = 0.0):
    """Sagittal points of a leg posed with known angles (degrees), lengths in metres.

    thigh: thigh angle from the downward vertical (+ knee forward); knee: flexion; ankle_dorsi:
    dorsiflexion relative to a foot perpendicular to the shank. Returns dict name -> (2,).
    """
    hip = np.array([0.0, 0.9])
    shoulder = hip + 0.5 * np.array([math.sin(math.radians(trunk_lean)), math.cos(math.radians(trunk_lean))])
    knee_p = hip + 0.45 * _unit(thigh)
    shank = thigh - knee
    ankle_p = knee_p + 0.42 * _unit(shank)
    # foot perpendicular to the shank points forward at shank + 90 deg from the downward vertical;
    # dorsiflexion rotates the toes up (towards the shin): foot direction angle = shank + 90 + dorsi
    foot_dir = _unit(shank + 90.0 + ankle_dorsi + foot_pitch_extra)
    heel = ankle_p - 0.05 * foot_dir + np.array([0.0, -0.04])
    toe = heel + 0.2 * foot_dir
    return {"shoulder": shoulder, "hip": hip, "knee": knee_p, "ankle": ankle_p, "heel": heel, "toe": toe}


def _sag_frames(poses_left, poses_right):
    n = len(poses_left)
    sag = np.full((n, len(NAMES), 2), np.nan)
    for i in range(n):
        for side, pl in (("left", poses_left[i]), ("right", poses_right[i])):
            for part, xy in pl.items():
                sag[i, NAMES.index(f"{side}_{part}")] = xy
    return sag


def test_segment_angle_signs():
    # knee 1 m straight below the hip: 0; knee ahead of the hip: + (flexed thigh)
    assert segment_angle_deg(np.array([0.0, 1.0]), np.array([0.0, 0.0])) == pytest.approx(0.0)
    assert segment_angle_deg(np.array([0.0, 1.0]), np.array([1.0, 0.0])) == pytest.approx(45.0)
    assert upward_lean_deg(np.array([0.0, 0.0]), np.array([-1.0, 1.0])) == pytest.approx(-45.0)
    assert pitch_deg(np.array([0.0, 0.0]), np.array([1.0, math.sqrt(3)])) == pytest.approx(60.0)


@pytest.mark.parametrize(
    "trunk, thigh, knee, dorsi",
    [(0.0, 0.0, 0.0, 0.0), (5.0, 25.0, 10.0, -5.0), (-3.0, -15.0, 40.0, 12.0), (10.0, 30.0, 65.0, -20.0)],
)
def test_sagittal_angles_of_a_posed_stick_figure(trunk, thigh, knee, dorsi):
    # frame 0: the reference standing pose (foot flat) so the foot-angle zero is defined;
    # frame 1: the posed leg; both legs share the pose on purpose
    stand = _pose_leg(0.0, 0.0, 0.0, 0.0)
    posed = _pose_leg(trunk, thigh, knee, dorsi)
    sag = _sag_frames([stand] * 5 + [posed], [stand] * 5 + [posed])
    ang = sagittal_angles(sag, NAMES, flat_tolerance=0.01)
    for side in ("left", "right"):
        a = {k: v[-1] for k, v in ang[side].items()}
        assert a["knee_flex_deg"] == pytest.approx(knee, abs=1e-6)
        assert a["hip_flex_deg"] == pytest.approx(thigh + trunk, abs=1e-6)
        assert a["trunk_lean_fwd_deg"] == pytest.approx(trunk, abs=1e-6)
        assert a["ankle_dorsi_deg"] == pytest.approx(dorsi, abs=1e-6)
        # foot flat standing: pitch 0 there; posed foot pitch = shank + dorsi (+90 from vertical)
        assert a["foot_angle_deg"] == pytest.approx((thigh - knee) + dorsi, abs=1e-6)


def test_missing_keypoint_gives_nan_not_a_crash():
    stand = _pose_leg(0.0, 0.0, 0.0, 0.0)
    sag = _sag_frames([stand] * 3, [stand] * 3)
    names = tuple(n for n in NAMES if n != "left_toe")
    sag = np.delete(sag, NAMES.index("left_toe"), axis=1)
    ang = sagittal_angles(sag, names, flat_tolerance=0.01)
    assert np.isnan(ang["left"]["ankle_dorsi_deg"]).all()
    assert np.isfinite(ang["right"]["ankle_dorsi_deg"]).all()


def test_time_normalise_uses_timestamps_not_indices():
    # variable frame rate: samples bunched in the first half; a linear ramp in time must stay linear
    t = np.concatenate([np.linspace(0.0, 0.5, 40, endpoint=False), np.linspace(0.5, 1.0, 11)])
    v = 100.0 * t
    out = time_normalise(v, t, 0, t.size - 1, 101)
    assert out[50] == pytest.approx(50.0, abs=1e-9)
    assert out[0] == pytest.approx(0.0) and out[-1] == pytest.approx(100.0)


def _events(rows):
    df = pd.DataFrame(rows, columns=["event", "side", "t_s"])
    df["frame"] = np.round(df["t_s"] * 100).astype(int)
    df["pass"] = 0
    df["score"] = 1.0
    return df.sort_values("t_s").reset_index(drop=True)


def test_stride_timing_from_a_known_event_sequence():
    # left IC 0.00, right FC 0.12, right IC 0.60, left FC 0.72, left IC 1.20 ... (period 1.2 s)
    rows = []
    for k in range(3):
        o = 1.2 * k
        rows += [("ic", "left", o), ("fc", "right", o + 0.12), ("ic", "right", o + 0.60), ("fc", "left", o + 0.72)]
    rows += [("ic", "left", 3.6)]
    st = segment_strides(_events(rows), max_stride_time_s=2.5)
    left = st[st["side"] == "left"]
    assert len(left) == 3
    tp = temporal_parameters(left)
    # by hand: stride 1.2 s; stance 0.72/1.2 = 60 %; double support (0.12 + 0.12)/1.2 = 20 %;
    # single support (0.60 - 0.12)/1.2 = 40 %; step time 1.2 - 0.6 = 0.6 s; cadence 120/1.2 = 100
    assert tp["stride_time_s"].to_numpy() == pytest.approx([1.2] * 3)
    assert tp["stance_pct"].to_numpy() == pytest.approx([60.0] * 3)
    assert tp["swing_pct"].to_numpy() == pytest.approx([40.0] * 3)
    assert tp["double_support_pct"].to_numpy() == pytest.approx([20.0] * 3)
    assert tp["single_support_pct"].to_numpy() == pytest.approx([40.0] * 3)
    assert tp["step_time_s"].to_numpy() == pytest.approx([0.6] * 3)
    assert tp["cadence_spm"].to_numpy() == pytest.approx([100.0] * 3)
    # right strides: 0.6 -> 1.8 and 1.8 -> 3.0 (its IC at 3.0 is missing: only two)
    assert (st["side"] == "right").sum() == 2
    # half-open frames [start, end)
    assert list(left["start"]) == [0, 120, 240] and list(left["end"]) == [120, 240, 360]


def test_stride_with_missing_opposite_events_keeps_times_but_not_support():
    rows = [("ic", "left", 0.0), ("fc", "left", 0.7), ("ic", "left", 1.2)]
    st = segment_strides(_events(rows), max_stride_time_s=2.5)
    tp = temporal_parameters(st)
    assert tp["stance_pct"].iloc[0] == pytest.approx(100 * 0.7 / 1.2)
    assert np.isnan(tp["double_support_pct"].iloc[0]) and np.isnan(tp["step_time_s"].iloc[0])


def test_pause_longer_than_max_stride_time_is_not_a_stride():
    rows = [("ic", "left", 0.0), ("fc", "left", 0.7), ("ic", "left", 4.0)]
    assert len(segment_strides(_events(rows), max_stride_time_s=2.5)) == 0


def test_step_and_stride_length_overground():
    # heels on a flat floor: left lands at x = 0.0, 1.4; right lands at x = 0.7 (t 0.6): steps 0.7 m
    t = np.round(np.arange(0, 1.3, 0.01), 2)
    left = np.zeros((t.size, 2))
    right = np.zeros((t.size, 2))
    left[:, 0] = np.interp(t, [0, 0.72, 1.2, 1.3], [0.0, 0.0, 1.4, 1.4])
    right[:, 0] = np.interp(t, [0, 0.12, 0.6, 1.3], [-0.7, -0.7, 0.7, 0.7])
    st = pd.DataFrame(
        {"side": ["left"], "t_start_s": [0.0], "t_end_s": [1.2], "t_opp_ic_s": [0.6]}
    )
    sp = spatial_parameters(st, t_s=t, foot_xy={"left": left, "right": right})
    assert sp["step_length"].iloc[0] == pytest.approx(1.4 - 0.7)
    assert sp["stride_length"].iloc[0] == pytest.approx(1.4)
    assert sp["speed"].iloc[0] == pytest.approx(1.4 / 1.2)


def test_step_length_uses_the_whole_stance_when_events_are_given():
    """The same walk, with the left heel keypoint misplaced by 0.3 m on the one video frame of
    its landing (a lagging or mislabelled landmark): from the single sample the step is 0.3 m
    short; the median footprint over the stance (IC to FC, from the events) is right."""
    t = np.round(np.arange(0, 1.9, 0.01), 2)
    left = np.zeros((t.size, 2))
    right = np.zeros((t.size, 2))
    left[:, 0] = np.interp(t, [0, 0.72, 1.2, 1.9], [0.0, 0.0, 1.4, 1.4])
    right[:, 0] = np.interp(t, [0, 0.12, 0.6, 1.32, 1.8, 1.9], [-0.7, -0.7, 0.7, 0.7, 2.1, 2.1])
    left[np.flatnonzero(t == 1.2), 0] -= 0.3
    st = pd.DataFrame({"side": ["left"], "pass": [0], "t_start_s": [0.0], "t_end_s": [1.2], "t_opp_ic_s": [0.6]})
    ev = _events([("ic", "left", 0.0), ("fc", "right", 0.12), ("ic", "right", 0.6), ("fc", "left", 0.72),
                  ("ic", "left", 1.2), ("fc", "right", 1.32), ("ic", "right", 1.8), ("fc", "left", 1.85)])
    one_sample = spatial_parameters(st, t_s=t, foot_xy={"left": left, "right": right})
    assert one_sample["step_length"].iloc[0] == pytest.approx(0.4)
    sp = spatial_parameters(st, t_s=t, foot_xy={"left": left, "right": right}, events=ev)
    assert sp["step_length"].iloc[0] == pytest.approx(0.7)
    assert sp["stride_length"].iloc[0] == pytest.approx(1.4)


def test_footprint_uses_the_toe_when_the_heel_is_up():
    from gaitscope.metrics.cycles import footprint_xy

    # frames 0-4 flat foot (heel x 0, toe x 0.25); frame 5 heel raised 30 deg about the toe
    heel = np.array([[0.0, 0.0]] * 5 + [[0.25 - 0.25 * math.cos(math.radians(30)), 0.125]])
    toe = np.array([[0.25, 0.0]] * 6)
    ankle = heel + np.array([0.05, 0.08])
    angle = np.array([0.0] * 5 + [-30.0])
    fp = footprint_xy(heel, toe, ankle, angle, tolerance=0.01)
    assert fp[:5, 0] == pytest.approx(0.0)
    assert fp[5, 0] == pytest.approx(0.0)  # the footprint stays where the flat heel was
    assert heel[5, 0] > 0.03  # while the raised heel itself moved forward


def test_symmetry_and_variability():
    assert symmetry_ratio(0.6, 0.5) == pytest.approx(1.2)
    assert symmetry_index_pct(0.6, 0.5) == pytest.approx(100 * 0.1 / 0.55)
    assert math.isnan(symmetry_ratio(1.0, float("nan")))
    d = describe(np.array([1.0, 2.0, 3.0, np.nan]))
    assert d["n"] == 3 and d["mean"] == pytest.approx(2.0) and d["sd"] == pytest.approx(1.0)
    assert d["cv_pct"] == pytest.approx(50.0)
    assert math.isnan(describe(np.array([5.0]))["sd"])


def test_offset_removed_agreement():
    x = np.linspace(0, 2 * np.pi, 200)
    ref = 30 * np.sin(x)
    res = offset_removed_agreement(ref + 7.0, ref)
    assert res["offset_deg"] == pytest.approx(7.0) and res["rmse_deg"] == pytest.approx(0.0, abs=1e-9)
    assert res["r"] == pytest.approx(1.0)


# ---------------------------------------------------------------- a hand-built PreparedWalk
@dataclass(frozen=True)
class _Pass:
    index: int
    start: int
    end: int
    travel: str = "+x"
    facing: str = "+x"
    kind: str = "forward"
    usable: bool = True
    reason: str = ""


@dataclass(frozen=True)
class _Prep:
    pose: PoseSequence
    sag_xy: np.ndarray
    passes: tuple
    view: str = "3d"
    gait_mode: str = "walking"
    spatial_scale: str = "metres"
    filter_cutoff_hz: float = 6.0
    swaps_repaired: int = 0
    notes: tuple = ()
    not_assessable: tuple = ()
    lat_xy: np.ndarray | None = None
    meta: dict = field(default_factory=dict)


def _walk(n_strides: int, view: str = "3d"):
    """A crude walker at 100 Hz: legs swing sinusoidally, period 1.2 s; events by construction."""
    rate = 100.0
    T = 1.2
    n = int(round(n_strides * T * rate)) + 1
    t = np.arange(n) / rate
    poses = {"left": [], "right": []}
    for side, ph in (("left", 0.0), ("right", 0.5)):
        for ti in t:
            c = 2 * np.pi * (ti / T - ph)
            p = _pose_leg(2.0, 20.0 * np.cos(c), 30.0 + 30.0 * np.sin(c - 1.0), 5.0 * np.sin(c))
            p = {k: v + np.array([1.0 * ti, 0.0]) for k, v in p.items()}
            poses[side].append(p)
    sag = _sag_frames(poses["left"], poses["right"])
    xyz = np.concatenate([sag, np.zeros(sag.shape[:2] + (1,))], axis=2)
    pose = PoseSequence(xyz=xyz, score=np.ones(sag.shape[:2]), names=NAMES, t_s=t, frame="world", source="test")
    rows = []
    for k in range(n_strides + 1):
        o = T * k
        rows += [("ic", "left", o), ("fc", "right", o + 0.12), ("ic", "right", o + 0.6), ("fc", "left", o + 0.72)]
    ev = _events([r for r in rows if r[2] <= t[-1] + 1e-9])
    prep = _Prep(pose=pose, sag_xy=sag, passes=(_Pass(0, 0, n),), view=view)
    return prep, ev


def test_cycles_table_contract():
    prep, ev = _walk(4)
    angles = compute_angles(prep)
    assert list(angles.columns) == [
        "frame", "t_s", "side", "hip_flex_deg", "knee_flex_deg", "ankle_dorsi_deg", "trunk_lean_fwd_deg", "foot_angle_deg",
    ]
    assert len(angles) == 2 * prep.pose.n_frames
    cyc = compute_cycles(prep, ev, angles)
    assert tuple(cyc.columns) == CYCLE_COLUMNS
    assert (cyc["end"] > cyc["start"]).all()
    assert cyc["stance_pct"].to_numpy() == pytest.approx(60.0)
    assert cyc["cadence_spm"].to_numpy() == pytest.approx(100.0)
    # the crude walker's feet are not planted, so a step is the footprint distance at IC by
    # construction: leading heel (toes up) at phase 0 minus the trailing footprint heel at phase
    # 0.5, where the trailing foot is toes-down: its toe minus the 0.2 m flat foot length
    lead = _pose_leg(2.0, 20.0, 30.0 + 30.0 * np.sin(-1.0), 0.0)["heel"][0]
    trail = _pose_leg(2.0, -20.0, 30.0 + 30.0 * np.sin(np.pi - 1.0), 0.0)["toe"][0] - 0.2
    # (1 cm tolerance: this walker's foot is never exactly flat, so the flat length is estimated)
    assert cyc["step_length_m"].to_numpy() == pytest.approx(lead - trail, abs=1e-2)
    assert cyc["speed_mps"].to_numpy() == pytest.approx(2 * (lead - trail) / 1.2, abs=2e-2)
    assert cyc["step_length_rel"].isna().all()


def test_frontal_view_reports_no_sagittal_angles():
    prep, ev = _walk(4, view="frontal")
    angles = compute_angles(prep)
    assert angles[["hip_flex_deg", "knee_flex_deg"]].isna().all().all()
    cyc = compute_cycles(prep, ev, angles)
    assert cyc["knee_flex_swing_max_deg"].isna().all()
    s = summarize(prep, ev, cyc, angles)
    assert_finite(s)
    assert "knee_flex_swing_max_deg" not in s["parameters"]
    assert any("sagittal angles" in e["what"] for e in s["not_assessable"])


def test_summary_has_no_nan_and_flags_too_few_strides():
    prep, ev = _walk(2)
    angles = compute_angles(prep)
    cyc = compute_cycles(prep, ev, angles)
    s = summarize(prep, ev, cyc, angles)
    assert_finite(s)
    assert s["schema_version"] == SCHEMA_VERSION
    assert s["n_cycles"] == {"left": 2, "right": 1}
    whats = " | ".join(e["what"] for e in s["not_assessable"])
    assert "variability" in whats
    assert "sd" not in s["parameters"]["cadence_spm"]["left"]  # 2 strides: no SD reported
    assert s["parameters"]["cadence_spm"]["left"]["mean"] == pytest.approx(100.0)
    assert "normal_range" in s["parameters"]["cadence_spm"]


def test_running_gets_no_walking_norms():
    prep, ev = _walk(4)
    prep = _Prep(**{**prep.__dict__, "gait_mode": "running"})
    angles = compute_angles(prep)
    cyc = compute_cycles(prep, ev, angles)
    s = summarize(prep, ev, cyc, angles)
    assert all("normal_range" not in p for p in s["parameters"].values())
    assert any("running" in e["reason"] for e in s["not_assessable"])
    assert all("normal" not in c for k, c in s["curves"].items() if k != "gait_cycle_pct")


# ---------------------------------------------------------------- real mocap (3D)
ANGLE_TARGET_DEG = {"knee_flex_deg": 4.0, "hip_flex_deg": 5.0, "ankle_dorsi_deg": 5.0}


@pytest.mark.parametrize("name", ["treadmill_walk_events.c3d", "walk_subject01.trc"])
def test_3d_angles_match_lab_model_angles(shared_data, name):
    from gaitscope.capture.markers import load_markers
    from gaitscope.signal import prepare_walk

    rec = load_markers(shared_data / "mocap" / name)
    prep = prepare_walk(rec.pose)
    angles = compute_angles(prep)
    table = compare_angle_tables(angles, rec.model_angles)
    assert len(table) == 6
    for row in table.itertuples():
        assert row.n > 100
        assert row.rmse_deg <= ANGLE_TARGET_DEG[row.angle], row
        assert row.r > 0.95, row


def test_treadmill_cycles_from_lab_events(shared_data):
    """Strides from the lab's 43 events: timing and knee values are those of healthy walking."""
    from gaitscope.capture.markers import load_markers
    from gaitscope.signal import prepare_walk

    rec = load_markers(shared_data / "mocap" / "treadmill_walk_events.c3d")
    prep = prepare_walk(rec.pose)
    ev = rec.reference_events.copy()
    ev["pass"] = 0
    ev["score"] = 1.0
    angles = compute_angles(prep)
    cyc = compute_cycles(prep, ev, angles)
    assert len(cyc) == 20  # 11 + 11 ICs -> 10 strides per side
    # lab knee angle at each stride's swing peak (independent reference) vs ours, offset removed
    ma = rec.model_angles
    ref_peak = []
    for row in cyc.itertuples():
        m = ma[(ma["side"] == row.side) & (ma["frame"] >= row.start) & (ma["frame"] < row.end)]
        ref_peak.append(m["knee_flex_deg"].max())
    diff = cyc["knee_flex_swing_max_deg"].to_numpy() - np.array(ref_peak)
    assert np.std(diff) < 2.0
    s = summarize(prep, ev, cyc, angles)
    assert_finite(s)
    assert s["parameters"]["stance_pct"]["both"]["mean"] == pytest.approx(62.7, abs=1.5)
    assert s["foot_contact"]["left"] == {"heel": 10}


def test_time_normalise_many_matches_the_single_cycle_version():
    from gaitscope.metrics.kinematics import time_normalise_many

    rng = np.random.default_rng(0)
    t = np.cumsum(rng.uniform(0.02, 0.05, 400))
    v = np.sin(t * 3.0) * 40
    v[50:58] = np.nan  # a gap inside a cycle
    v[200:320] = np.nan  # a cycle mostly missing
    starts = np.array([10, 40, 150, 190, 330])
    ends = np.array([40, 75, 190, 260, 380])
    many = time_normalise_many(v, t, starts, ends, 101)
    for k, (s, e) in enumerate(zip(starts, ends)):
        one = time_normalise(v, t, s, e, 101)
        np.testing.assert_allclose(many[k], one, equal_nan=True)
    assert np.isnan(many[3]).all() and np.isfinite(many[1]).all()


def test_spatiotemporal_norms_read_from_the_published_table():
    from gaitscope.knowledge.spatiotemporal_norms import load_spatiotemporal_norms, spatiotemporal_normal_range

    df = load_spatiotemporal_norms()
    assert df["source"].str.len().min() > 10
    # Hollman et al. 2011 women 75-79 (spatiotemporal_normals.txt row "Female;75;79;Normal"):
    # cadence 101-127 steps/min, velocity 95-129 cm/s, step length 52-66 cm
    r = spatiotemporal_normal_range("cadence_spm", age_years=77, sex="female")
    assert (r.low, r.high) == (101.0, 127.0) and "Hollman" in r.source
    r = spatiotemporal_normal_range("speed_mps", age_years=77, sex="female")
    assert (r.low, r.high) == pytest.approx((0.95, 1.29))
    r = spatiotemporal_normal_range("step_length_m", age_years=77, sex="female")
    assert (r.low, r.high) == pytest.approx((0.52, 0.66))
    # default group: adults 18-69 of both sexes, envelope of the GAITRite rows
    r = spatiotemporal_normal_range("cadence_spm")
    assert r.group.startswith("age not given: adults 18-69") and r.low <= 99.1 and r.high >= 124.3  # said, not silent
    assert spatiotemporal_normal_range("knee_flex_swing_max_deg") is None


def test_analysis_settings_have_units_and_sources():
    from gaitscope.knowledge.analysis_settings import REQUIRED, analysis_setting, load_analysis_settings

    df = load_analysis_settings()
    assert set(REQUIRED) <= set(df.index)
    assert (df["source"].str.len() > 10).all()
    assert analysis_setting("foot_contact_heel_min_deg") > analysis_setting("foot_contact_forefoot_max_deg")

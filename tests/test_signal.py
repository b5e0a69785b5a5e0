"""Signal stage: cleaning, swap repair, scale, view, passes, gait mode.

Truths come from construction (synthetic stepper, known sine waves, swaps we inject) and
from the lab recordings in ../shared/data (skipped when absent).
"""

from __future__ import annotations

import numpy as np
import pytest

from gaitscope.signal import prepare_walk
from gaitscope.signal.clean import (
    detect_leg_swaps,
    fill_gaps,
    leg_index_pairs,
    lowpass_zero_lag,
    reject_outliers,
    swap_legs,
)
from gaitscope.types import GaitscopeError, PoseSequence
from synthetic_gait import stepper, to_image


def test_fill_gaps_linear_and_long_gaps_stay_missing():
    t = np.arange(100) / 100.0
    x = np.stack([2.0 * t, 1.0 - t, t * 0], axis=-1)[:, None, :]
    holed = x.copy()
    holed[10:15] = np.nan  # 60 ms gap: filled
    holed[50:90] = np.nan  # 410 ms gap: kept
    out, n = fill_gaps(holed, t, max_gap_s=0.25)
    assert n == 5
    np.testing.assert_allclose(out[10:15], x[10:15], atol=1e-12)
    assert np.isnan(out[50:90]).all()


def test_lowpass_is_zero_lag_and_removes_noise():
    rate = 100.0
    t = np.arange(0, 4, 1 / rate)
    slow = np.sin(2 * np.pi * 1.0 * t)
    fast = 0.3 * np.sin(2 * np.pi * 25.0 * t)
    x = (slow + fast)[:, None, None]
    y = lowpass_zero_lag(x, rate_hz=rate, cutoff_hz=6.0)[:, 0, 0]
    mid = slice(100, 300)
    # no phase shift: the filtered 1 Hz wave lines up with the clean one
    assert np.max(np.abs(y[mid] - slow[mid])) < 0.02
    lag = np.argmax(np.correlate(y[mid], slow[mid], "full")) - (len(slow[mid]) - 1)
    assert lag == 0


def test_outlier_rejection_removes_jumps_only():
    rng = np.random.default_rng(1)
    t = np.arange(200) / 30.0
    x = np.stack([100 * t, 300 + 5 * np.sin(3 * t)], -1)[:, None, :] + rng.normal(0, 1.0, (200, 1, 2))
    x[[40, 41, 120]] += 80.0  # pose-model glitches of 80 px
    out, n = reject_outliers(x, window=9, max_dev=15.0, mad_factor=6.0)
    assert np.isnan(out[[40, 41, 120], 0, 0]).all()
    assert n == 3


def _swapped_copy(xy: np.ndarray, pairs, rng: np.random.Generator, n_runs: int) -> tuple[np.ndarray, np.ndarray]:
    n = xy.shape[0]
    truth = np.zeros(n, bool)
    for _ in range(n_runs):
        s = int(rng.integers(5, n - 40))
        truth[s : s + int(rng.integers(1, 16))] = True
    # a minority of frames: with continuity alone, the labelling the model gives most of the
    # time is taken as right
    assert truth.mean() < 0.4
    return swap_legs(xy, pairs, truth), truth


def test_swap_repair_restores_synthetic_side_view():
    pose, _ = stepper(duration_s=10.0, rate_hz=30.0)
    img = to_image(pose)
    xy = img.xyz[:, :, :2]
    pairs = leg_index_pairs(img.names)
    rng = np.random.default_rng(7)
    bad, truth = _swapped_copy(xy, pairs, rng, n_runs=8)
    found = detect_leg_swaps(bad, pairs, swap_cost=0.05 * 500)
    # frames where the legs overlap are ambiguous and harmless; elsewhere it must agree
    apart = np.linalg.norm(xy[:, pairs[3][0]] - xy[:, pairs[3][1]], axis=1) > 10.0
    assert np.mean(found[apart] == truth[apart]) > 0.99
    repaired = swap_legs(bad, pairs, found)
    assert np.nanmax(np.abs(repaired[apart] - xy[apart])) < 1e-9


def test_swap_repair_restores_mocap_projected_sideways(shared_data):
    from gaitscope.capture.load import load_keypoints

    rec = load_keypoints(shared_data / "mocap" / "treadmill_walk_events.c3d")
    w = rec.pose
    # orthographic side view, 30 Hz, 400 px per metre
    sel = np.arange(0, w.n_frames, 3)
    xy = np.stack([640 + 400 * w.xyz[sel, :, 0], 650 - 400 * w.xyz[sel, :, 1]], -1)
    pairs = leg_index_pairs(w.names)
    bad, truth = _swapped_copy(xy, pairs, np.random.default_rng(3), n_runs=10)
    found = detect_leg_swaps(bad, pairs, swap_cost=0.05 * 700)
    heel = [i for i, (a, _) in enumerate(pairs) if w.names[a] == "left_heel"][0]
    apart = np.linalg.norm(xy[:, pairs[heel][0]] - xy[:, pairs[heel][1]], axis=1) > 10.0
    assert np.mean(found[apart] == truth[apart]) > 0.98


def test_clean_phantom_video_gets_no_repairs():
    """The phantom filmed without noise has no swaps and no outliers: nothing may be 'repaired'
    (the walker also enters and leaves the image, where one leg is missing)."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate

    walk = simulate(duration_s=12.0, rate_hz=100.0, seed=5)
    img = project(walk.pose, view="sagittal-left", rate_hz=30.0, seed=5)
    prep = prepare_walk(img, height_m=1.70)
    assert prep.swaps_repaired == 0
    assert prep.meta["n_outliers"] == 0


def test_collapsed_feet_are_treated_as_missing():
    """A pose model that loses the blurred swinging foot puts both labels on the standing foot;
    those brief frames must not be read as the swinging foot teleporting there."""
    pose, truth = stepper(duration_s=8.0, rate_hz=30.0)
    img = to_image(pose)
    xyz = img.xyz.copy()
    li, ri = (img.index("left_heel"), img.index("left_toe")), (img.index("right_heel"), img.index("right_toe"))
    # frames in the middle of a left swing (right foot standing): left labels copied onto the right foot
    ic_left = truth[(truth["event"] == "ic") & (truth["side"] == "left")]["t_s"].to_numpy()
    lost = [int(round((t - 0.15) * 30)) for t in ic_left[1:4]]
    for f in lost:
        xyz[f, list(li)] = xyz[f, list(ri)]
    from gaitscope.signal.clean import collapsed_feet

    found = collapsed_feet(xyz[:, :, :2], img.names, tol=0.03 * 500)
    assert set(np.flatnonzero(found)) == set(lost)
    prep = prepare_walk(img.with_xyz(xyz), height_m=1.7)
    assert any("sat on one foot" in n for n in prep.notes)
    clean_prep = prepare_walk(img, height_m=1.7)
    k = img.index("left_heel")
    # after treating them as missing, the left heel stays within 3 cm of the clean track
    # (left as they were, those frames would put it a step length, ~0.6 m, away)
    err = np.abs(prep.sag_xy[lost, k, 0] - clean_prep.sag_xy[lost, k, 0])
    assert np.all(err < 0.03)


def test_prepare_walk_repairs_swaps_and_reports_them():
    pose, _ = stepper(duration_s=8.0, rate_hz=30.0)
    img = to_image(pose)
    pairs = leg_index_pairs(img.names)
    truth = np.zeros(img.n_frames, bool)
    truth[60:75] = True
    truth[150:160] = True
    bad = img.with_xyz(swap_legs(img.xyz, pairs, truth))
    prep = prepare_walk(bad)
    assert prep.swaps_repaired == 2
    clean_prep = prepare_walk(img)
    li = img.names.index("left_heel")
    assert np.nanmax(np.abs(prep.sag_xy[:, li] - clean_prep.sag_xy[:, li])) < 1e-6


def test_passes_direction_facing_and_backward_walking():
    pose, _ = stepper(duration_s=8.0, rate_hz=60.0)
    fwd = prepare_walk(to_image(pose))
    assert [(p.travel, p.facing, p.kind, p.usable) for p in fwd.passes] == [("+x", "+x", "forward", True)]
    # mirrored camera: travel and facing both -x, sagittal forward still = facing
    mir = prepare_walk(to_image(pose, mirror=True))
    assert [(p.travel, p.facing, p.kind) for p in mir.passes] == [("-x", "-x", "forward")]
    li = pose.names.index("left_toe")
    d_fwd = np.ptp(fwd.sag_xy[:, li, 0])
    d_mir = np.ptp(mir.sag_xy[:, li, 0])
    assert d_fwd == pytest.approx(d_mir, rel=1e-6)
    assert np.nanmean(np.diff(mir.sag_xy[:, li, 0])) > 0  # moves forward in the facing direction
    # a forward walk played in reverse is a backward walk: travels -x while facing +x
    rev = PoseSequence(pose.xyz[::-1].copy(), pose.score[::-1].copy(), pose.names, pose.t_s, "world")
    back = prepare_walk(to_image(rev))
    assert len(back.passes) == 1
    p = back.passes[0]
    assert (p.travel, p.facing, p.kind, p.usable) == ("-x", "+x", "backward", False)
    assert "backward" in p.reason
    assert any("backward" in r for _, r in back.not_assessable)


def test_gait_mode_walking_running_not_walking():
    walk, _ = stepper(duty=0.62)
    run, _ = stepper(duty=0.35, stride_s=0.7, speed_mps=3.0)
    stand, _ = stepper(standing=True)
    assert prepare_walk(to_image(walk)).gait_mode == "walking"
    prep_run = prepare_walk(to_image(run))
    assert prep_run.gait_mode == "running"
    assert prep_run.duty_factor == pytest.approx(0.35, abs=0.05)
    assert any("running" in r for _, r in prep_run.not_assessable)
    prep_stand = prepare_walk(to_image(stand))
    assert prep_stand.gait_mode == "not_walking"
    assert prep_stand.passes == ()
    assert prep_stand.not_assessable


def test_view_detection_sagittal_and_frontal():
    pose, _ = stepper()
    assert prepare_walk(to_image(pose)).view == "sagittal"
    front = prepare_walk(to_image(pose, view="frontal"))
    assert front.view == "frontal"
    assert np.isnan(front.sag_xy[:, :, 0]).all()
    assert prepare_walk(pose).view == "3d"


def test_view_detection_on_phantom_through_virtual_camera():
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate

    walk = simulate(duration_s=8.0, rate_hz=60.0, seed=2)
    for view, expect in (("sagittal-left", "sagittal"), ("sagittal-right", "sagittal"),
                         ("frontal-front", "frontal"), ("frontal-back", "frontal")):
        img = project(walk.pose, view=view, rate_hz=30.0, noise_px=1.0, seed=2)
        prep = prepare_walk(img)
        assert prep.view == expect, view
    front = prepare_walk(project(walk.pose, view="frontal-front", rate_hz=30.0, seed=2))
    assert [(p.travel, p.facing) for p in front.passes] == [("toward_camera", "toward_camera")]
    back = prepare_walk(project(walk.pose, view="frontal-back", rate_hz=30.0, seed=2))
    assert [(p.travel, p.facing) for p in back.passes] == [("away_from_camera", "away_from_camera")]
    # events are not claimed from the front (not validated): said, not guessed
    from gaitscope.events import detect_events

    assert detect_events(front).empty
    assert any(what == "events" for what, _ in front.not_assessable)


def test_phantom_scale_from_height(tmp_path):
    """Metres from pixels: the phantom's step length seen by the camera vs its truth."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate

    walk = simulate(duration_s=12.0, rate_hz=100.0, seed=4, height_m=1.62)
    img = project(walk.pose, view="sagittal-right", rate_hz=30.0, seed=4)
    prep = prepare_walk(img, height_m=1.62)
    # speed of the pass (m/s) against the phantom's truth: within 5 % (the scale's error budget)
    assert prep.passes[0].speed == pytest.approx(walk.truth["speed_mps"], rel=0.05)


def test_scale_from_height_gives_metres():
    pose, _ = stepper(rate_hz=60.0)
    h_world = prepare_walk(pose).height  # leg-length estimate in metres
    prep = prepare_walk(to_image(pose, px_per_m=250.0), height_m=h_world)
    assert prep.spatial_scale == "metres"
    li = pose.names.index("left_heel")
    # the stride length on the image in metres equals the world one
    world_prep = prepare_walk(pose)
    np.testing.assert_allclose(np.ptp(prep.sag_xy[:, li, 0]), np.ptp(world_prep.sag_xy[:, li, 0]), rtol=0.01)
    rel = prepare_walk(to_image(pose, px_per_m=250.0))
    assert rel.spatial_scale == "relative"
    assert rel.height == 1.0
    assert any(w == "spatial_m" for w, _ in rel.not_assessable)


def test_height_estimate_on_mocap_is_plausible(shared_data):
    from gaitscope.capture.load import load_keypoints

    rec = load_keypoints(shared_data / "mocap" / "treadmill_walk_events.c3d")
    prep = prepare_walk(rec.pose)
    assert 1.45 < prep.height < 2.0


def test_short_and_empty_inputs_are_clear():
    pose, _ = stepper(duration_s=1.2, rate_hz=30.0)
    prep = prepare_walk(to_image(pose))
    assert prep.not_assessable  # too short for a pass: said, not crashed
    assert not prep.usable_passes()
    few = PoseSequence(pose.xyz[:5], pose.score[:5], pose.names, pose.t_s[:5], "world")
    with pytest.raises(GaitscopeError, match="two strides"):
        prepare_walk(few)
    nofeet = pose.select_keypoints(["left_hip", "right_hip"])
    with pytest.raises(GaitscopeError, match="heel and toe"):
        prepare_walk(nofeet)


def test_treadmill_and_overground_mocap_passes(shared_data):
    from gaitscope.capture.load import load_keypoints

    tm = prepare_walk(load_keypoints(shared_data / "mocap" / "treadmill_walk_events.c3d").pose)
    assert [p.kind for p in tm.passes] == ["treadmill"]
    assert tm.gait_mode == "walking"
    over = prepare_walk(
        load_keypoints(shared_data / "mocap" / "foot_markers_healthy.csv", rate_hz=100.0).pose
    )
    # walks about 20 m, turns, walks back (README): two forward passes in opposite directions
    assert [p.kind for p in over.passes] == ["forward", "forward"]
    assert {p.travel for p in over.passes} == {"+x", "-x"}
    assert all(p.travel == p.facing for p in over.passes)


def test_signal_settings_file_is_complete_and_sourced():
    from dataclasses import fields

    from gaitscope.knowledge.signal_settings import REQUIRED, load_signal_settings
    from gaitscope.signal import PrepareSettings
    from gaitscope.signal.prepare import height_fractions

    df = load_signal_settings()
    assert set(REQUIRED) <= set(df.index)
    assert (df["source"].str.len() > 10).all() and (df["unit"].str.len() > 0).all()
    st = PrepareSettings()
    assert st.cutoff_hz == 6.0 and st.ic_fraction == df.at["ic_fraction", "value"]
    assert all(isinstance(getattr(st, f.name), float) for f in fields(st))
    # Winter 2009 Fig. 4.1: thigh 0.245 H + shank 0.246 H
    assert height_fractions()["leg"] == pytest.approx(0.491)


def test_short_running_clip_is_told_by_flight_phases():
    """A runner crossing the view in about a second has too few whole strides for a duty
    factor; both feet off the ground at once still tells running, and a short walk has none."""
    run, _ = stepper(duty=0.35, stride_s=0.8, speed_mps=3.0, duration_s=1.1, rate_hz=30.0)
    prep_run = prepare_walk(to_image(run))
    assert prep_run.gait_mode == "running"
    assert any("both feet off the ground" in n for n in prep_run.notes)
    walk, _ = stepper(duty=0.62, duration_s=1.1, rate_hz=30.0)
    assert prepare_walk(to_image(walk)).gait_mode != "running"

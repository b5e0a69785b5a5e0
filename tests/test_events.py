"""Events: IC/FC against lab references (../shared/data) and constructed truths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitscope.events import EVENT_COLUMNS, detect_events, drop_implausible, validate_events
from gaitscope.signal import prepare_walk
from gaitscope.types import PoseSequence
from synthetic_gait import compare_events, stepper, to_image


def _side_view(pose: PoseSequence, *, mirror: bool, every: int = 1) -> PoseSequence:
    """Orthographic side view of world keypoints (an independent, minimal camera)."""
    sel = np.arange(0, pose.n_frames, every)
    sgn = -1.0 if mirror else 1.0
    xyz = np.stack([640 + sgn * 400 * pose.xyz[sel, :, 0], 650 - 400 * pose.xyz[sel, :, 1],
                    np.full((sel.size, len(pose.names)), np.nan)], -1)
    return PoseSequence(xyz, pose.score[sel], pose.names, pose.t_s[sel], "image",
                        frame_index=sel, image_size_px=(1280, 720))


def _accuracy(ev: pd.DataFrame, ref: pd.DataFrame, tol_s: float = 0.1):
    pairs, missed, extra = compare_events(ev, ref[["event", "side", "t_s"]], tol_s=tol_s)
    mae = pairs.groupby("event")["err_s"].apply(lambda e: float(np.mean(np.abs(e))) * 1000)
    return mae, missed, extra


def test_treadmill_c3d_3d_matches_lab_events(shared_data):
    from gaitscope.capture.load import load_keypoints

    rec = load_keypoints(shared_data / "mocap" / "treadmill_walk_events.c3d")
    ref = rec.reference_events
    assert len(ref) == 43
    ev = detect_events(prepare_walk(rec.pose))
    mae, missed, extra = _accuracy(ev, ref)
    assert missed == 0 and extra == 0
    assert mae["ic"] <= 10.0 and mae["fc"] <= 10.0


@pytest.mark.parametrize("mirror", [False, True])
def test_treadmill_c3d_side_view_2d(shared_data, mirror):
    from gaitscope.capture.load import load_keypoints

    rec = load_keypoints(shared_data / "mocap" / "treadmill_walk_events.c3d")
    img = _side_view(rec.pose, mirror=mirror)
    prep = prepare_walk(img)
    assert prep.view == "sagittal"
    ev = detect_events(prep)
    mae, missed, extra = _accuracy(ev, rec.reference_events)
    assert missed == 0 and extra == 0
    assert mae["ic"] <= 10.0 and mae["fc"] <= 10.0


@pytest.mark.parametrize("view", ["sagittal-left", "sagittal-right"])
def test_treadmill_c3d_through_virtual_camera_100hz(shared_data, view):
    """Issue 3 target: through the virtual camera (perspective, the video path) at 100 Hz,
    every one of the 43 lab events matched, none extra, mean absolute error <= 10 ms."""
    from gaitscope.capture.load import load_keypoints
    from gaitscope.capture.virtual_camera import project

    rec = load_keypoints(shared_data / "mocap" / "treadmill_walk_events.c3d")
    img = project(rec.pose, view=view, rate_hz=100.0, image_size_px=(1280, 720))
    prep = prepare_walk(img)
    assert prep.view == "sagittal" and [p.kind for p in prep.passes] == ["treadmill"]
    mae, missed, extra = _accuracy(detect_events(prep), rec.reference_events)
    assert missed == 0 and extra == 0
    assert mae["ic"] <= 10.0 and mae["fc"] <= 10.0


def test_treadmill_c3d_side_view_30hz(shared_data):
    """At 30 Hz one frame is 33 ms: sub-frame interpolation must keep the error well below it."""
    from gaitscope.capture.load import load_keypoints

    rec = load_keypoints(shared_data / "mocap" / "treadmill_walk_events.c3d")
    ev = detect_events(prepare_walk(_side_view(rec.pose, mirror=False, every=3)))
    mae, missed, extra = _accuracy(ev, rec.reference_events)
    assert missed <= 2 and extra == 0
    assert mae["ic"] <= 20.0 and mae["fc"] <= 20.0


def test_trc_matches_force_plate_contacts(shared_data):
    from gaitscope.capture.load import load_keypoints

    rec = load_keypoints(shared_data / "mocap" / "walk_subject01.trc")
    # contacts read from the force plates (data README), seconds from the first sample
    ref = pd.DataFrame(
        [("fc", "right", 0.165), ("ic", "right", 0.618), ("fc", "right", 1.410), ("ic", "right", 1.853),
         ("fc", "left", 0.788), ("ic", "left", 1.247), ("fc", "left", 2.018), ("ic", "left", 2.460)],
        columns=["event", "side", "t_s"],
    ).sort_values("t_s")
    ev = detect_events(prepare_walk(rec.pose))
    mae, missed, extra = _accuracy(ev, ref)
    assert missed == 0 and extra == 0
    assert mae["ic"] <= 17.0 and mae["fc"] <= 17.0


_TRC_FORCE_PLATE_EVENTS = pd.DataFrame(
    [("fc", "right", 0.165), ("ic", "right", 0.618), ("fc", "right", 1.410), ("ic", "right", 1.853),
     ("fc", "left", 0.788), ("ic", "left", 1.247), ("fc", "left", 2.018), ("ic", "left", 2.460)],
    columns=["event", "side", "t_s"],
).sort_values("t_s")


def _signed_errors_ms(ev: pd.DataFrame, ref: pd.DataFrame) -> dict[str, np.ndarray]:
    pairs, _, _ = compare_events(ev, ref[["event", "side", "t_s"]], tol_s=0.1)
    return {k: g["err_s"].to_numpy(float) * 1000 for k, g in pairs.groupby("event")}


def test_zeni_reference_method_against_lab_events(shared_data):
    """The Zeni 2008 coordinate method (the definition of the foot-marker file's reference) lies
    about 30 ms before the lab foot strikes on the treadmill C3D: the data README's own check
    ("the heel's most anterior position relative to the pelvis precedes each foot strike by
    about 30 ms"); its toe off lies after the lab foot off."""
    from gaitscope.capture.load import load_keypoints
    from gaitscope.events.zeni import zeni_events

    rec = load_keypoints(shared_data / "mocap" / "treadmill_walk_events.c3d")
    err = _signed_errors_ms(zeni_events(rec.pose), rec.reference_events)
    assert len(err["ic"]) >= 20 and len(err["fc"]) >= 20
    assert -40.0 <= np.mean(err["ic"]) <= -20.0
    assert 0.0 < np.mean(err["fc"]) <= 20.0
    trc = load_keypoints(shared_data / "mocap" / "walk_subject01.trc")
    err = _signed_errors_ms(zeni_events(trc.pose), _TRC_FORCE_PLATE_EVENTS)
    assert np.mean(err["ic"]) < -10.0 and np.mean(err["fc"]) > 0.0


def test_foot_markers_against_stride_events(shared_data):
    """Issue 3 target (10 ms) on foot_markers_healthy.csv. Its reference events were extracted
    from the mocap with the Zeni algorithm (gaitmap-datasets), so they carry that method's offset
    from contact. The offset is measured on the two force-plate recordings (Zeni vs lab events),
    removed from the reference, and our events must then lie within 10 ms. Steps of the turn in
    the middle of the walk (feet not travelling straight along the walkway) are not scored:
    gaitscope drops turns by design."""
    from gaitscope.capture.foot_markers_csv import load_foot_markers_csv
    from gaitscope.capture.load import load_keypoints
    from gaitscope.events.zeni import zeni_events

    offsets: dict[str, list[np.ndarray]] = {"ic": [], "fc": []}
    c3d = load_keypoints(shared_data / "mocap" / "treadmill_walk_events.c3d")
    trc = load_keypoints(shared_data / "mocap" / "walk_subject01.trc")
    for pose, lab in ((c3d.pose, c3d.reference_events), (trc.pose, _TRC_FORCE_PLATE_EVENTS)):
        for k, e in _signed_errors_ms(zeni_events(pose), lab).items():
            offsets[k].append(e)
    offset_ms = {k: float(np.mean(np.concatenate(v))) for k, v in offsets.items()}

    rec = load_foot_markers_csv(shared_data / "mocap" / "foot_markers_healthy.csv", rate_hz=100.0,
                                events_rate_hz=204.8)
    ref = rec.reference_events
    assert ref is not None and len(ref) > 100
    pose = rec.pose
    feet = [pose.index(f"{s}_{k}") for s in ("left", "right") for k in ("heel", "toe")]
    centre = np.nanmean(pose.xyz[:, feet, :], axis=1)
    i0 = np.clip(np.searchsorted(pose.t_s, ref["t_s"].to_numpy() - 0.5), 0, pose.n_frames - 1)
    i1 = np.clip(np.searchsorted(pose.t_s, ref["t_s"].to_numpy() + 0.5), 0, pose.n_frames - 1)
    d = centre[i1] - centre[i0]
    travel = np.hypot(d[:, 0], d[:, 2])
    straight = (travel >= 0.5) & (np.abs(d[:, 0]) >= 0.95 * travel)
    assert (~straight).sum() <= 4
    shifted = ref[straight].copy()
    shifted["t_s"] = shifted["t_s"] - shifted["event"].map(offset_ms) / 1000.0
    ev = detect_events(prepare_walk(pose))
    mae, missed, extra = _accuracy(ev, shifted.sort_values("t_s"))
    assert missed == 0 and extra == 0
    assert mae["ic"] <= 10.0 and mae["fc"] <= 10.0


def test_phantom_through_camera_with_noise_and_drops():
    """The phantom's own event truth, seen at 30 frames/s with 1.5 px noise and 5 % dropped frames."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate

    walk = simulate(duration_s=12.0, rate_hz=100.0, seed=5)
    img = project(walk.pose, view="sagittal-left", rate_hz=30.0, noise_px=1.5, drop_fraction=0.05, seed=5)
    prep = prepare_walk(img, height_m=1.70)
    assert prep.view == "sagittal" and prep.gait_mode == "walking"
    ev = detect_events(prep)
    feet = [img.index(f"{s}_{k}") for s in ("left", "right") for k in ("heel", "toe")]
    seen = np.all(np.isfinite(img.xyz[:, feet, 0]), axis=1)
    t_seen = img.t_s[seen]
    truth = walk.events[(walk.events["t_s"] > t_seen.min() + 0.5) & (walk.events["t_s"] < t_seen.max() - 0.5)]
    assert len(truth) >= 10
    pairs, missed, extra = compare_events(ev, truth, tol_s=0.1)
    assert missed == 0 and extra == 0
    ic = pairs[pairs["event"] == "ic"]["err_s"].abs()
    assert ic.mean() <= 0.015
    # step times (IC to the next IC) -- what cadence is made of -- within 10 ms on average
    det_ic = ev[ev["event"] == "ic"]["t_s"].to_numpy()
    true_ic = truth[truth["event"] == "ic"]["t_s"].to_numpy()
    near = np.array([det_ic[np.argmin(np.abs(det_ic - t))] for t in true_ic])
    assert np.mean(np.abs(np.diff(near) - np.diff(true_ic))) <= 0.010


def test_synthetic_contacts_and_forefoot_landing():
    pose, truth = stepper(duration_s=8.0, rate_hz=100.0, forefoot_side="right", forefoot_delay_s=0.08)
    for p in (pose, to_image(pose)):
        ev = detect_events(prepare_walk(p))
        pairs, missed, extra = compare_events(ev, truth, tol_s=0.06)
        assert missed <= 1 and extra == 0
        # the forefoot-landing foot gets its IC when the toe lands (truth), not 80 ms later
        # when the heel comes down
        right_ic = pairs[(pairs["event"] == "ic") & (pairs["side"] == "right")]["err_s"]
        assert len(right_ic) >= 5
        assert np.all(np.abs(right_ic) < 0.03)


def _from_standing(pose, truth, t_go_s: float, ramp_s: float):
    """The stepper made to start from standing: every keypoint held still before ``t_go_s`` (a
    moment of double support) and the hips speeding up linearly over ``ramp_s`` after it (gait
    initiation), so the steady travel that makes the pass begins after the first landing."""
    xyz = pose.xyz.copy()
    t = pose.t_s
    i_go = int(np.searchsorted(t, t_go_s))
    xyz[:i_go] = xyz[i_go]
    for side in ("left", "right"):
        h = pose.names.index(f"{side}_hip")
        v = 1.2 * np.clip((t - t_go_s) / ramp_s, 0.0, 1.0)  # m/s, the stepper's speed once under way
        xyz[:, h, 0] = xyz[i_go, h, 0] + np.concatenate([[0.0], np.cumsum(v[1:] * np.diff(t))])
    moved = PoseSequence(xyz, pose.score, pose.names, t, pose.frame, source="stepper from standing")
    return moved, truth[truth["t_s"] > t_go_s + 0.01].reset_index(drop=True)


def test_first_landing_from_standing_belongs_to_the_pass():
    """Walking from standing: the first landing comes while the body is still speeding up, before the
    pass (steady travel) begins; its stance overlaps the pass, so its IC is reported, while the toe-offs
    that end stances wholly before the pass are not (``stance_bounds_pass``)."""
    from gaitscope.events.foot_velocity import stance_bounds_pass

    pose, truth = stepper(duration_s=9.0, rate_hz=100.0)
    # at 2.2 s the left foot has just landed and the right one is still down (double support)
    walk, after = _from_standing(pose, truth, t_go_s=2.2, ramp_s=1.6)
    first_ic = after[after["event"] == "ic"].iloc[0]
    assert first_ic["side"] == "right" and abs(first_ic["t_s"] - 2.75) < 1e-9  # by construction
    for p in (walk, to_image(walk)):
        prep = prepare_walk(p)
        assert len(prep.passes) == 1
        # the pass (steady travel) starts after the first landing ...
        assert prep.pose.t_s[prep.passes[0].start] > first_ic["t_s"] + 0.1
        ev = detect_events(prep)
        ic = ev[(ev["event"] == "ic") & (ev["side"] == "right")]
        # ... and that landing is still found, on time
        assert np.min(np.abs(ic["t_s"] - first_ic["t_s"])) < 0.03, ev.head(6).to_string()
    # the rule itself, on hand-made sequences of one foot (sample indices), pass = [20, 100)
    assert stance_bounds_pass(["ic", "fc", "ic", "fc"], [10, 40, 60, 90], 20, 100) == [True] * 4
    assert stance_bounds_pass(["fc", "ic", "fc"], [5, 12, 18], 20, 100) == [False, False, False]
    assert stance_bounds_pass(["ic", "fc", "ic", "fc"], [50, 80, 95, 110], 20, 100) == [True] * 4
    assert stance_bounds_pass(["ic", "fc", "ic"], [50, 80, 101], 20, 100) == [True, True, False]
    assert stance_bounds_pass(["fc", "ic", "fc"], [85, 100, 120], 20, 100) == [True, False, False]


def test_events_table_contract():
    pose, _ = stepper(rate_hz=30.0)
    prep = prepare_walk(to_image(pose))
    ev = detect_events(prep)
    assert tuple(ev.columns) == EVENT_COLUMNS
    assert ev["t_s"].is_monotonic_increasing
    assert ev["score"].between(0, 1).all()
    # frame is the input's sample index nearest the (interpolated) event time
    assert np.all(np.abs(prep.pose.t_s[ev["frame"].to_numpy()] - ev["t_s"].to_numpy()) <= 0.5 / 30 + 1e-9)
    for side in ("left", "right"):
        seq = ev[ev["side"] == side]["event"].to_numpy()
        assert np.all(seq[1:] != seq[:-1])


def test_implausible_sequences_are_dropped_not_forced():
    df = pd.DataFrame(
        [("ic", "left", 10, 1.00, 0, 0.9), ("ic", "left", 13, 1.10, 0, 0.4),  # two ICs, no FC
         ("fc", "left", 30, 1.70, 0, 0.8), ("ic", "left", 31, 1.72, 0, 0.3),  # 20 ms swing
         ("fc", "left", 60, 2.70, 0, 0.8)],
        columns=list(EVENT_COLUMNS),
    )
    out = drop_implausible(df, stance_s=(0.12, 2.5), swing_s=(0.12, 1.2))
    assert out["t_s"].tolist() == [1.00, 1.70]  # the weak IC and the impossible IC removed
    assert len(out) < len(df)  # nothing invented


def test_validate_events_rejects_bad_tables():
    good = pd.DataFrame([("ic", "left", 3, 0.1, 0, 0.5)], columns=list(EVENT_COLUMNS))
    validate_events(good)
    with pytest.raises(ValueError):
        validate_events(good.assign(side="L"))
    with pytest.raises(ValueError):
        validate_events(good.assign(score=1.5))
    with pytest.raises(ValueError):
        validate_events(pd.concat([good, good.assign(t_s=0.2)], ignore_index=True))  # ic, ic


def test_one_foot_invisible_gives_the_other_foots_events_only():
    pose, truth = stepper(duration_s=8.0, rate_hz=30.0)
    img = to_image(pose)
    xyz = img.xyz.copy()
    xyz[:, [img.index("left_heel"), img.index("left_toe")]] = np.nan
    prep = prepare_walk(img.with_xyz(xyz, score=np.where(np.isfinite(xyz[:, :, 0]), 1.0, 0.0)))
    assert any(what == "left foot" for what, _ in prep.not_assessable)
    ev = detect_events(prep)
    assert set(ev["side"]) == {"right"}
    pairs, missed, extra = compare_events(ev, truth[truth["side"] == "right"], tol_s=0.06)
    assert missed <= 1 and extra == 0


def test_not_walking_gives_no_events():
    pose, _ = stepper(standing=True)
    ev = detect_events(prepare_walk(to_image(pose)))
    assert ev.empty and tuple(ev.columns) == EVENT_COLUMNS


@pytest.mark.slow
def test_older_adult_video_passes_and_events(shared_data, tmp_path):
    """Real phone-style video (no truth): the README says pass 1 (about frames 20-163) walks
    forward right to left facing left, pass 2 (about 183-345) moves left to right while still
    facing left (backwards). Contacts must alternate at a plausible cadence."""
    from gaitscope.capture.pose_csv import read_pose_csv
    from gaitscope.pose.run import run_pose

    run_pose(shared_data / "video" / "walk_sagittal_older_adult.mp4", out_dir=tmp_path, progress=False)
    prep = prepare_walk(read_pose_csv(tmp_path / "pose.csv"), height_m=1.60)
    assert prep.view == "sagittal" and prep.gait_mode == "walking"
    assert [(p.travel, p.facing, p.kind, p.usable) for p in prep.passes] == [
        ("-x", "-x", "forward", True), ("+x", "-x", "backward", False)]
    p0, p1 = prep.passes
    assert 20 <= p0.start and p0.end <= 165 and 180 <= p1.start and p1.end <= 350
    ev = detect_events(prep)
    e0 = ev[ev["pass"] == 0]
    for side in ("left", "right"):
        assert ((e0["side"] == side) & (e0["event"] == "ic")).sum() >= 3
    ics = e0[e0["event"] == "ic"].sort_values("t_s")
    # alternate feet, steps of 0.4-0.7 s (cadence 85-150 steps/min); she enters the image
    # blurred (frames ~36-70), where one step may be wrong; from frame 70 on all must be right
    steps = np.diff(ics["t_s"].to_numpy())
    assert np.sum((steps <= 0.4) | (steps >= 0.7)) <= 1
    main = ics[ics["frame"] >= 70]
    assert (main["side"].to_numpy()[1:] != main["side"].to_numpy()[:-1]).all()
    steps = np.diff(main["t_s"].to_numpy())
    assert len(steps) >= 4 and np.all((steps > 0.4) & (steps < 0.7))
    # contacts read off the video frames by eye (crops of the feet, docs/events.md): the swinging
    # foot is down on the floor at frames ~104, ~118.5 and ~134 (still sliding a little); the rear
    # toe leaves the floor at ~126 and ~142. Whichever foot it is, a detected FC must lie within 2
    # frames, a detected IC within 3 (the blurred landing foot's heel landmark lags, see the docs).
    for kind, frames, tol in (("ic", (104.0, 118.5, 134.0), 3), ("fc", (126.0, 142.0), 2)):
        t_ev = e0[e0["event"] == kind]["t_s"].to_numpy()
        for f in frames:
            t_f = float(np.interp(f, np.arange(prep.pose.n_frames), prep.pose.t_s))
            assert np.min(np.abs(t_ev - t_f)) <= tol / 30 + 1e-6, (kind, f)


@pytest.mark.slow
def test_older_adult_portrait_reencode_keeps_sides_and_strides(shared_data, tmp_path):
    """The same clip stored as a portrait phone video (pixels turned, display rotation 90 deg,
    re-encoded with x264): the pose model's feet move by a few pixels, which once made a label
    resting on the blurred swinging foot flip the sides of every later contact (1 + 0 strides).
    The forward pass must still give alternating contacts and at least 2 strides per side at a
    plausible cadence."""
    import av

    from gaitscope.capture.pose_csv import read_pose_csv
    from gaitscope.pose.run import run_pose

    src = shared_data / "video" / "walk_sagittal_older_adult.mp4"
    portrait = tmp_path / "portrait_rot90.mp4"
    with av.open(str(src)) as inp, av.open(str(portrait), "w") as out:
        vs = inp.streams.video[0]
        st = out.add_stream("libx264", rate=30)
        st.width, st.height = vs.codec_context.height, vs.codec_context.width
        st.pix_fmt = "yuv420p"
        st.set_display_rotation(90)
        for fr in inp.decode(vs):
            stored = np.ascontiguousarray(np.rot90(fr.to_ndarray(format="rgb24"), k=-1))
            for pkt in st.encode(av.VideoFrame.from_ndarray(stored, format="rgb24")):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    run_pose(portrait, out_dir=tmp_path / "pose", progress=False)
    prep = prepare_walk(read_pose_csv(tmp_path / "pose" / "pose.csv"), height_m=1.60)
    assert prep.view == "sagittal" and prep.passes[0].usable
    ev = detect_events(prep)
    e0 = ev[ev["pass"] == 0].sort_values("t_s")
    ics = e0[e0["event"] == "ic"]
    main = ics[ics["frame"] >= 70]
    assert len(main) >= 4
    assert (main["side"].to_numpy()[1:] != main["side"].to_numpy()[:-1]).all()
    for side in ("left", "right"):
        assert ((ics["side"] == side)).sum() >= 3  # 2 strides
    cadence_spm = 60.0 / float(np.median(np.diff(ics["t_s"].to_numpy())))
    assert 100.0 <= cadence_spm <= 135.0


def test_knee_and_lowest_point_on_curves_with_a_known_answer():
    """The pieces of the 3-D initial contact (issue 11) on curves whose knee / minimum is known analytically."""
    from gaitscope.signal import foot_speed

    # a speed falling linearly from 4 to 0.2 over samples 0..30, then flat at 0.2 to sample 60: the knee is 30
    y = np.concatenate([np.linspace(4.0, 0.2, 31), np.full(30, 0.2)])
    assert foot_speed.knee_index(y) == pytest.approx(30.0, abs=0.5)
    # an exponential decay y = exp(-x / 10) over 0..100: the farthest point below the chord (both axes scaled
    # to 0..1) is where the slope equals the chord's, dy/dx = -(1 - e^-10)/100 -> x = 10 ln(10 / (1 - e^-10)) = 23.03
    x = np.arange(101.0)
    assert foot_speed.knee_index(np.exp(-x / 10.0)) == pytest.approx(10 * np.log(10 / (1 - np.exp(-10))), abs=0.5)
    assert foot_speed.knee_index(np.linspace(0.0, 1.0, 20)) is None  # rising: no knee
    # a parabola with its vertex at 12.3 (sub-sample); a falling line's lowest sample is its last
    assert foot_speed.lowest_point((np.arange(40.0) - 12.3) ** 2) == pytest.approx(12.3, abs=1e-6)
    assert foot_speed.lowest_point(np.linspace(5.0, 0.0, 10)) == pytest.approx(9.0)
    assert foot_speed.lowest_point(np.full(5, np.nan)) is None


def test_initial_contact_is_the_median_of_three_votes():
    from gaitscope.signal import foot_speed

    t = np.arange(200) / 100.0
    # contact speed: swing peak at sample 20, linear fall to sample 60, then a slow stance drift to its minimum
    # at the end (knee at 60)
    cs = np.concatenate([np.full(20, 4.0), np.linspace(4.0, 0.1, 41), np.linspace(0.09, 0.0, 139)])
    heel_up = (np.arange(200) - 70.0) ** 2  # the heel's lowest point at sample 70
    kw = {"lowest_window_s": 0.3}
    # threshold at 50, knee 60 (+0 s), heel lowest 70: the median is the knee
    assert foot_speed.initial_contact_votes(cs, heel_up, t, 20, 200, 50.0, knee_offset_s=0.0, **kw) == pytest.approx(60.0, abs=0.5)
    # with the knee moved 0.3 s later it is the outer vote: the median is the heel's lowest point
    assert foot_speed.initial_contact_votes(cs, heel_up, t, 20, 200, 50.0, knee_offset_s=0.3, **kw) == pytest.approx(70.0, abs=0.5)
    # no heel height (video, or a virtual heel without a heel marker): two votes, their mean
    assert foot_speed.initial_contact_votes(cs, None, t, 20, 200, 50.0, knee_offset_s=0.0, **kw) == pytest.approx(55.0, abs=0.5)
    # the heel is looked for only up to lowest_window_s after the threshold: a heel still falling votes for the
    # window's end (sample 60 for 0.1 s), and the median is 60
    assert foot_speed.initial_contact_votes(cs, -np.arange(200.0), t, 20, 200, 50.0, knee_offset_s=0.0,
                                            lowest_window_s=0.1) == pytest.approx(60.0, abs=0.5)


def test_contact_heel_height_for_3d_and_video_and_not_for_a_virtual_heel():
    """The heel's lowest-point vote of the opt-in IC reads ``PreparedWalk.up_contact`` for 3-D input (filtered at
    ``cutoff_contact_hz``), the heel keypoint's height in the sagittal plane for video, and is left out for a heel
    built from an ankle marker (also when such a file is filmed by the virtual camera)."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.events.foot_velocity import _contact_heel_up
    from gaitscope.phantom import simulate
    from gaitscope.signal import prepare_walk

    walk = simulate(duration_s=4.0, seed=1)
    prep = prepare_walk(walk.pose)
    assert prep.up_contact is not None and prep.up_contact.shape == walk.pose.xyz.shape[:2]
    heel = _contact_heel_up(prep, "left", slice(None))
    raw = walk.pose.xyz[:, walk.pose.names.index("left_heel"), 1]
    # finer than the walking filter: closer to the raw heel height at its landings than the 6 Hz signal
    walking = prep.plane_xy[:, prep.names.index("left_heel"), 1]
    assert np.abs(heel - raw).max() < np.abs(walking - raw).max()
    prep_img = prepare_walk(project(walk.pose, view="sagittal-left", rate_hz=30))
    assert prep_img.up_contact is None
    img_heel = _contact_heel_up(prep_img, "left", slice(None))
    np.testing.assert_array_equal(img_heel, prep_img.plane_xy[:, prep_img.names.index("left_heel"), 1])
    # the phantom's heel is lowest in stance and highest in swing, in the image as in the world
    world_up = np.interp(prep_img.pose.t_s, walk.pose.t_s, raw)
    assert np.corrcoef(img_heel, world_up)[0, 1] > 0.9
    img_virtual = prep_img.pose.with_xyz(prep_img.pose.xyz, meta={
        **prep_img.pose.meta, "world_meta": {"marker_set_choice": {"heel_stand_in": ["right"]}}})
    prep_iv = type(prep_img)(**{**prep_img.__dict__, "pose": img_virtual})
    assert _contact_heel_up(prep_iv, "right", slice(None)) is None
    assert _contact_heel_up(prep_iv, "left", slice(None)) is not None
    virtual = prep.pose.with_xyz(prep.pose.xyz, meta={**prep.pose.meta, "marker_set_choice": {"heel_stand_in": ["left"]}})
    prep_v = type(prep)(**{**prep.__dict__, "pose": virtual})
    assert _contact_heel_up(prep_v, "left", slice(None)) is None
    assert _contact_heel_up(prep_v, "right", slice(None)) is not None

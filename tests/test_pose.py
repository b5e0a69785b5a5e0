"""Pose stage: walker selection, keypoints on real video, cache, overlay, clear refusals.

Tests marked ``slow`` run BlazePose over the real clips in ../shared/data/video (once per clip,
session-scoped fixtures); the others use synthetic inputs and pure functions.
"""

from __future__ import annotations

import json

import av
import numpy as np
import pytest

from gaitscope.cli import main as cli_main
from gaitscope.pose import draw_skeleton
from gaitscope.pose.run import _cache_key, _cached, run_pose
from gaitscope.pose.walker import Person, choose_walker, link_tracks, walker_boxes
from gaitscope.types import GaitscopeError

from test_video import write_clip


# ----------------------------------------------------------------------------- walker choice (pure)
def _person(frame: int, hip_x: float, hip_y: float, height: float = 300.0) -> Person:
    box = (hip_x - 60, hip_y - 0.5 * height, hip_x + 60, hip_y + 0.5 * height)
    return Person(frame=frame, box_px=box, hip_px=(hip_x, hip_y), mean_score=0.9)


def test_walker_is_the_one_who_travels_and_keeps_identity():
    # A walks left to right along the floor (y = 700); B jumps about on a box (y = 250),
    # and their x positions cross at frame 50. Truth: A is the walker, its samples are all of A's.
    people = {}
    for f in range(0, 101, 5):
        a = _person(f, 100 + 12 * f, 700)
        b = _person(f, 700 + 40 * np.sin(f / 7.0), 250 + 30 * np.cos(f / 3.0))
        people[f] = [b, a]
    tracks = link_tracks(people)
    assert len(tracks) == 2
    walker = choose_walker(tracks, image_width_px=1500, path="clip.mp4")
    assert np.all(walker.hip_px[:, 1] == 700)  # never switched to B
    assert walker.frames.tolist() == list(range(0, 101, 5))
    assert walker.travel_px == pytest.approx(0.9 * 1200, rel=0.02)  # 5th-95th percentile of 100..1300


def test_nobody_found_is_one_clear_sentence():
    with pytest.raises(GaitscopeError, match="no person was found") as e:
        choose_walker([], image_width_px=1280, path="empty_room.mp4")
    assert "empty_room.mp4" in str(e.value) and "\n" not in str(e.value)


def test_person_standing_in_place_is_not_walking():
    people = {f: [_person(f, 640 + 3 * np.sin(f), 400)] for f in range(0, 200, 5)}
    tracks = link_tracks(people)
    with pytest.raises(GaitscopeError, match="does not walk across the frame"):
        choose_walker(tracks, image_width_px=1280, path="raises.mp4")


def test_tiny_walker_is_refused():
    people = {f: [_person(f, 100 + 4 * f, 400, height=50)] for f in range(0, 100, 5)}
    with pytest.raises(GaitscopeError, match="too small"):
        choose_walker(link_tracks(people), image_width_px=1280, path="far.mp4")


def test_walker_boxes_interpolate_and_pad():
    people = {f: [_person(f, 100 + 10 * f, 400, height=200)] for f in (10, 20, 30)}
    track = link_tracks(people)[0]
    boxes = walker_boxes(track, 50, pad_frames=5, pad_body_heights=0.25)
    assert np.isnan(boxes[:5]).all() and np.isnan(boxes[36:]).all()
    # frame 15: hip x = 250 (halfway), box half-width 60 + pad 50
    assert boxes[15, 0] == pytest.approx(250 - 60 - 50)
    assert boxes[15, 2] == pytest.approx(250 + 60 + 50)


def test_draw_skeleton_marks_the_given_pixels():
    img = np.zeros((100, 100, 3), np.uint8)
    xy = np.array([[20.0, 30.0], [70.0, 30.0], [50.0, 80.0]])
    out = draw_skeleton(img, xy, np.array([1.0, 1.0, 0.0]), ("left_shoulder", "right_shoulder", "left_hip"))
    assert out[30, 20].any() and out[30, 70].any() and out[30, 45].any()  # both points and the bone
    assert not out[80, 50].any()  # score 0: not drawn
    assert not img.any()  # input untouched


# ----------------------------------------------------------------------------- synthetic, no person
def test_video_without_a_person_fails_clearly(tmp_path, capsys):
    rng = np.random.default_rng(3)
    frames = [rng.integers(0, 255, size=(240, 320, 3), dtype=np.uint8) for _ in range(75)]
    clip = write_clip(tmp_path / "noise.mp4", frames)
    code = cli_main(["pose", str(clip), "--out", str(tmp_path / "out"), "--quiet", "--workers", "1"])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert "no person was found" in err and str(clip) in err and "\n" not in err


# ----------------------------------------------------------------------------- real video (slow)
@pytest.fixture(scope="session")
def older_adult(shared_data, tmp_path_factory):
    video = shared_data / "video" / "walk_sagittal_older_adult.mp4"
    out = tmp_path_factory.mktemp("older_adult")
    return run_pose(video, out_dir=out, overlay=True, progress=False)


@pytest.fixture(scope="session")
def two_people(shared_data, tmp_path_factory):
    video = shared_data / "video" / "walk_outdoor_two_people.mp4"
    return run_pose(video, out_dir=tmp_path_factory.mktemp("two_people"), progress=False)


def _hip_mid(pose) -> np.ndarray:
    return 0.5 * (pose.get("left_hip")[:, :2] + pose.get("right_hip")[:, :2])


@pytest.mark.slow
def test_older_adult_walker_found_in_95pct_of_frames_in_view(older_adult):
    pose = older_adult.pose
    assert pose.n_frames == 401 and pose.frame == "image" and pose.image_size_px == (1280, 720)
    found = np.isfinite(_hip_mid(pose)).all(axis=1)
    # she is in view from about frame 25 to 340 (../shared/data/README.md)
    assert found[25:341].mean() >= 0.95
    # 30 fps constant-rate file: presentation times are frame / 30 s
    np.testing.assert_allclose(pose.t_s, np.arange(401) / 30.0, atol=1e-6)


# Heel and toe of planted feet, read by eye from the frames rendered at 4x zoom with a 10 px grid
# (walk_sagittal_older_adult.mp4, upright 1280x720 image; she faces left, so the toe is the
# left end of the shoe): (frame, heel_xy_px, toe_xy_px).
FEET_READ_BY_EYE = [
    (60, (976, 635), (915, 622)),  # leading (left-image) foot, flat after contact
    (60, (1119, 626), (1091, 634)),  # trailing foot, heel raised before push-off
    (110, (453, 619), (396, 614)),  # stance foot under the body
    (250, (575, 612), (517, 617)),  # second pass (walking backwards), stance foot
]
FOOT_TOL_PX = 25  # about 0.4 shoe length (the shoe is about 60 px long)


@pytest.mark.slow
@pytest.mark.parametrize("frame,heel,toe", FEET_READ_BY_EYE)
def test_heels_and_toes_land_on_the_feet(older_adult, frame, heel, toe):
    pose = older_adult.pose
    errs = []
    for side in ("left", "right"):
        h = pose.get(f"{side}_heel")[frame, :2]
        t = pose.get(f"{side}_toe")[frame, :2]
        errs.append((np.hypot(*(h - heel)), np.hypot(*(t - toe))))
    # one of the model's feet (either side label) has its heel and its toe where we read them
    best = min(errs, key=lambda e: max(e))
    assert max(best) <= FOOT_TOL_PX, f"frame {frame}: heel/toe errors {errs} px"


@pytest.mark.slow
def test_cache_is_written_and_reused(older_adult, shared_data):
    out = older_adult.out_dir
    side = json.loads((out / "pose.json").read_text())
    assert side["meta"]["backend"] == "mediapipe" and side["meta"]["backend_version"] == "0.10.14"
    assert side["image_size_px"] == [1280, 720]
    again = run_pose(shared_data / "video" / "walk_sagittal_older_adult.mp4", out_dir=out, progress=False)
    assert again.from_cache
    np.testing.assert_allclose(again.pose.xyz, older_adult.pose.xyz, atol=0.01, equal_nan=True)  # CSV: 6 digits
    np.testing.assert_allclose(again.pose.t_s, older_adult.pose.t_s, atol=1e-4)  # CSV: 6 digits
    # a different video (size/mtime) or backend would not match the stored key
    key = dict(_cache_key(shared_data / "video" / "walk_sagittal_older_adult.mp4", "mediapipe", "accurate"))
    assert _cached(out / "pose.csv", key) is not None
    key["size_bytes"] += 1
    assert _cached(out / "pose.csv", key) is None
    # the fast (tracking) mode is a different result: it does not reuse the accurate cache
    fast_key = dict(_cache_key(shared_data / "video" / "walk_sagittal_older_adult.mp4", "mediapipe", "fast"))
    assert _cached(out / "pose.csv", fast_key) is None


@pytest.mark.slow
def test_overlay_video_has_every_frame(older_adult):
    path = older_adult.overlay_path
    assert path is not None and path.exists()
    with av.open(str(path)) as c:
        frames = list(c.decode(video=0))
    assert len(frames) == 401
    assert (frames[0].width, frames[0].height) == (1280, 720)


# Regions read by eye from frames 30, 100, 180 and 215 of walk_outdoor_two_people.mp4 (1768x994,
# rendered with a 100 px grid): the parkour person stands on the box roof with his hips at about
# y = 250-300 until he jumps off (about frame 160) and runs on the grass at x = 1220-1420 from
# about frame 205; the walker crosses the grass right to left, hips at about (1040, 730) in
# frame 100 and (190, 740) in frame 180, and has left the frame by about frame 200.
@pytest.mark.slow
def test_two_people_the_walker_is_chosen(two_people):
    pose = two_people.pose
    hip = _hip_mid(pose)
    found = np.isfinite(hip).all(axis=1)
    assert two_people.pose.meta["walker_selection"]["people_tracks"] >= 2
    # no kept pose is on the box roof, where the parkour person's hips are (y about 250-300)
    assert np.all(hip[found, 1] > 450)
    # frames 0-40: only the parkour person is in view -> nothing kept
    assert not found[:40].any()
    # frames 205-229: the parkour person runs on the grass at the right; the walker is gone
    assert not np.any(found[205:] & (hip[205:, 0] > 1100))
    # the walker herself, where we located her
    assert 930 <= hip[100, 0] <= 1170 and 620 <= hip[100, 1] <= 820
    assert 60 <= hip[180, 0] <= 260 and 620 <= hip[180, 1] <= 840
    # and she is followed through her crossing (clearly in view about frames 85-190)
    assert found[85:191].mean() >= 0.8


@pytest.mark.slow
def test_phone_portrait_clip_gives_the_same_keypoints_upright(shared_data, tmp_path):
    """A clip stored rotated with display metadata (as phones do) gives the keypoints of the
    same clip stored upright; the smaller walker (about 170 px tall) draws a warning."""
    import cv2

    from gaitscope.capture.video import iter_frames, probe_video

    info = probe_video(shared_data / "video" / "walk_sagittal_older_adult.mp4")
    frames = [cv2.resize(f.rgb, (640, 360), interpolation=cv2.INTER_AREA) for f in iter_frames(info, start=40, stop=160)]
    upright = write_clip(tmp_path / "upright.mp4", frames, bit_rate=3_000_000)
    stored = [np.ascontiguousarray(np.rot90(f, k=-1)) for f in frames]  # sensor-oriented pixels
    rotated = write_clip(tmp_path / "phone.mp4", stored, rotation_deg=90, bit_rate=3_000_000)
    a = run_pose(upright, out_dir=tmp_path / "a", progress=False)
    b = run_pose(rotated, out_dir=tmp_path / "b", progress=False)
    assert b.pose.image_size_px == (640, 360)
    both = np.isfinite(a.pose.get("left_hip")[:, 0]) & np.isfinite(b.pose.get("left_hip")[:, 0])
    assert both.mean() > 0.9
    for name in ("left_hip", "right_hip", "left_heel", "right_heel", "left_toe", "right_toe"):
        d = np.hypot(*(a.pose.get(name)[both, :2] - b.pose.get(name)[both, :2]).T)
        assert np.median(d) < 4.0, name
    assert any("px tall" in w for w in b.warnings)
    assert "warning:" in b.message


@pytest.mark.slow
def test_lateral_raise_clip_is_not_gait(shared_data, tmp_path, capsys):
    video = shared_data / "video" / "not_gait_lateral_raise.mp4"
    code = cli_main(["pose", str(video), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert "a person is visible but does not walk across the frame" in err
    assert str(video) in err and "\n" not in err and "record" in err


@pytest.mark.slow
def test_estimate_image_on_a_still_frame(shared_data):
    """``estimate_image`` (used for standing photos) finds the feet of frame 60 where we read them."""
    from gaitscope.capture.video import iter_frames, probe_video
    from gaitscope.pose import estimate_image

    info = probe_video(shared_data / "video" / "walk_sagittal_older_adult.mp4")
    rgb = next(f.rgb for f in iter_frames(info, start=60, stop=61))
    xyz, score, names = estimate_image(rgb)
    assert xyz.shape == (len(names), 3) and score.shape == (len(names),)
    for _, heel, toe in [r for r in FEET_READ_BY_EYE if r[0] == 60]:
        best = min(
            max(np.hypot(*(xyz[names.index(f"{s}_heel"), :2] - heel)), np.hypot(*(xyz[names.index(f"{s}_toe"), :2] - toe)))
            for s in ("left", "right")
        )
        assert best <= FOOT_TOL_PX
    # nobody in a blank image: NaN coordinates, zero scores
    xyz0, score0, _ = estimate_image(np.full((480, 640, 3), 200, np.uint8))
    assert np.isnan(xyz0).all() and not score0.any()


def test_progress_bar_lines_in_a_log_and_redraws_on_a_terminal():
    import io

    from gaitscope.pose.run import ProgressBar

    log = io.StringIO()
    bar = ProgressBar(stream=log, width=10)
    for done in range(0, 401, 20):
        bar(done, 400)
    lines = log.getvalue().splitlines()
    # a log file gets one line per quarter (0, 25, 50, 75, 100 %), not one per call
    assert [ln.split("] ")[1] for ln in lines] == ["0/400 frames", "100/400 frames", "200/400 frames",
                                                  "300/400 frames", "400/400 frames"]
    assert lines[-1].startswith("pose: [##########]")

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    bar = ProgressBar(stream=tty, width=10)
    bar(50, 100)
    bar(100, 100)
    assert tty.getvalue() == "\rpose: [#####-----] 50/100 frames\rpose: [##########] 100/100 frames\n"


def test_pose_stage_keeps_each_legs_keypoints_under_one_label():
    """Leg labels the model exchanged on some frames (injected: the truth) are put back before the pose is written,
    with their metric keypoints; the scores stay with the model's labels (they say which leg it took for the far one,
    docs/pose.md, "Leg labels"); a clean pose is left alone."""
    from synthetic_gait import stepper, to_image

    from gaitscope.pose.run import keep_legs_apart
    from gaitscope.signal.clean import leg_index_pairs, swap_legs

    img = to_image(stepper(duration_s=8.0, rate_hz=30.0)[0])
    names = img.names
    pairs = leg_index_pairs(names)
    xyz = img.xyz.copy()
    score = np.tile(np.linspace(0.5, 1.0, len(names)), (xyz.shape[0], 1))  # a different score per keypoint
    world = xyz / 300.0
    truth = np.zeros(xyz.shape[0], bool)
    for a, b in ((30, 33), (80, 84), (150, 151), (200, 206)):
        truth[a:b] = True
    bad = [swap_legs(xyz, pairs, truth), swap_legs(score[:, :, None], pairs, truth)[:, :, 0], swap_legs(world, pairs, truth)]
    out_xyz, out_score, out_world, n = keep_legs_apart(*bad, names)
    assert n == int(truth.sum())
    np.testing.assert_allclose(out_xyz, xyz)
    np.testing.assert_allclose(out_score, bad[1])
    np.testing.assert_allclose(out_world, world)
    assert keep_legs_apart(xyz, score, world, names)[3] == 0


def test_analyze_recomputes_a_pose_made_by_an_older_pose_stage(tmp_path, monkeypatch, capsys):
    """``gaitscope analyze`` reuses the pose.csv in its output folder only when this pose stage made it: a pose
    from an earlier ``POSE_STAGE_VERSION`` (e.g. before the leg labels were kept apart) is recomputed, and it says
    why."""
    from synthetic_gait import stepper, to_image

    import gaitscope.pose.run as pose_run
    from gaitscope import pipeline
    from gaitscope.capture.pose_csv import write_pose_csv

    pose = to_image(stepper(duration_s=4.0, rate_hz=30.0)[0])
    video = tmp_path / "walk.mp4"
    video.write_bytes(b"0" * 1000)
    st = video.stat()
    out = tmp_path / "walk_gaitscope"
    calls = []

    class _Ran:
        def __init__(self, p):
            self.pose = p

    monkeypatch.setattr(pose_run, "run_pose", lambda path, **kw: calls.append(path) or _Ran(pose))
    for version, rerun in ((pose_run.POSE_STAGE_VERSION, False), (pose_run.POSE_STAGE_VERSION - 1, True)):
        calls.clear()
        key = {"video": str(video), "size_bytes": st.st_size, "mtime_ns": st.st_mtime_ns, "pose_stage_version": version}
        cached = pose.with_xyz(pose.xyz, meta={**pose.meta, "cache_key": key})
        cached = type(cached)(**{**{f: getattr(cached, f) for f in cached.__dataclass_fields__}, "source": str(video)})
        write_pose_csv(cached, out / "pose.csv")
        pipeline._video_pose(video, out, backend="mediapipe", progress=True)
        err = capsys.readouterr().err
        assert bool(calls) == rerun, err
        assert ("pose stage version" in err) == rerun, err

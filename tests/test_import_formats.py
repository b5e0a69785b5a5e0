"""Keypoints from other tools: foot-marker CSV, gaitkit landmark JSON, OpenPose folder, dispatcher."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gaitscope.capture.foot_markers_csv import load_foot_markers_csv
from gaitscope.capture.landmarks_json import load_landmarks_json
from gaitscope.capture.load import load_keypoints
from gaitscope.capture.markers import MarkerRecording
from gaitscope.capture.openpose import read_openpose_folder
from gaitscope.capture.pose_csv import write_pose_csv
from gaitscope.types import GaitscopeError, PoseSequence


# ----------------------------------------------------------------- foot-marker CSV
@pytest.fixture(scope="module")
def foot(shared_data):
    return load_foot_markers_csv(shared_data / "mocap" / "foot_markers_healthy.csv", rate_hz=100, events_rate_hz=204.8)


def test_foot_markers_load(foot):
    pose = foot.pose
    assert pose.names == ("left_heel", "right_heel", "left_toe", "right_toe")
    assert pose.n_frames == 3870 and foot.rate_hz == 100
    for side in ("left", "right"):
        d = np.linalg.norm(pose.get(f"{side}_toe") - pose.get(f"{side}_heel"), axis=1)
        assert 0.18 < d.mean() < 0.30 and d.std() / d.mean() < 0.03
    # the walker turns twice (walkway back and forth): the loader must say so
    assert any("turns" in n for n in foot.notes)
    first_pass = slice(0, 1500)
    assert np.mean(pose.get("left_toe")[first_pass, 0] - pose.get("left_heel")[first_pass, 0]) > 0.15
    assert np.mean(pose.get("left_heel")[first_pass, 2]) < np.mean(pose.get("right_heel")[first_pass, 2])


def test_foot_marker_events_land_on_contacts(foot):
    ev = foot.reference_events
    # README: 57 strides, each with one ic and one tc
    assert (ev["event"] == "ic").sum() == 57 and (ev["event"] == "fc").sum() == 57
    # README: divide the 204.8 Hz samples by 2.048 to get the mocap row (first left ic: 657)
    first_left_ic = ev[(ev["event"] == "ic") & (ev["side"] == "left")].iloc[0]
    assert first_left_ic["frame"] == round(657 / 2.048)
    for side in ("left", "right"):
        heel_y = foot.pose.get(f"{side}_heel")[:, 1]
        floor = np.percentile(heel_y, 5)
        ic = ev[(ev["event"] == "ic") & (ev["side"] == side)]["frame"].to_numpy()
        # at initial contact the heel is on the floor (within 2 cm of its resting height)
        assert np.all(np.abs(heel_y[ic] - floor) < 0.02)


def test_foot_markers_need_rate(shared_data):
    with pytest.raises(GaitscopeError, match="rate_hz"):
        load_foot_markers_csv(shared_data / "mocap" / "foot_markers_healthy.csv")
    rec = load_foot_markers_csv(shared_data / "mocap" / "foot_markers_healthy.csv", rate_hz=100)
    assert rec.reference_events is None and any("events_rate_hz not given" in n for n in rec.notes)


# ----------------------------------------------------------------- landmark JSON
@pytest.mark.parametrize("name, n_frames", [("landmarks3d_healthy.json", 374), ("landmarks3d_parkinson.json", 671)])
def test_landmarks_json(shared_data, name, n_frames):
    rec = load_landmarks_json(shared_data / "keypoints" / name)
    pose = rec.pose
    assert rec.rate_hz == 150 and pose.n_frames == n_frames and pose.frame == "world"
    for side in ("left", "right"):
        for a, b, lo, hi in (("hip", "knee", 0.33, 0.52), ("knee", "ankle", 0.33, 0.50), ("heel", "toe", 0.15, 0.30)):
            d = np.linalg.norm(pose.get(f"{side}_{a}") - pose.get(f"{side}_{b}"), axis=1)
            assert lo < np.nanmean(d) < hi and np.nanstd(d) / np.nanmean(d) < 0.03
        assert np.mean(pose.get(f"{side}_toe")[:, 0] - pose.get(f"{side}_heel")[:, 0]) > 0.1
        assert np.all(pose.get(f"{side}_heel")[:, 1] < pose.get(f"{side}_hip")[:, 1])
    assert np.mean(pose.get("left_hip")[:, 2]) < np.mean(pose.get("right_hip")[:, 2])
    ev = rec.reference_events
    warned = any(n.startswith("WARNING") for n in rec.notes)
    if "healthy" in name:
        # README: two left heel strikes 14 frames apart -> loaded, but flagged
        assert warned and len(ev) == 13
        assert not pose.has("left_shoulder")  # all-zero shoulders are dropped, not kept as NaN
    else:
        assert not warned
        # README: stride about 1.28 s (cadence about 95 steps/min)
        for side in ("left", "right"):
            t = ev[(ev["event"] == "ic") & (ev["side"] == side)]["t_s"].to_numpy()
            assert np.mean(np.diff(t)) == pytest.approx(1.28, abs=0.06)


# ----------------------------------------------------------------- OpenPose folder
RATE = 30.0


def _body25(x0: float, y0: float) -> np.ndarray:
    """25 distinct keypoints: keypoint i at (x0 + 3 i, y0 + 10 i), confidence 0.9."""
    i = np.arange(25)
    return np.stack([x0 + 3.0 * i, y0 + 10.0 * i, np.full(25, 0.9)], axis=1)


def _write_openpose(folder: Path, n: int = 20) -> None:
    folder.mkdir()
    for f in range(n):
        walker = _body25(100.0 + 12.0 * f, 200.0)  # walks 12 px/frame to the right
        if f == 7:
            walker[21] = 0.0  # left heel not detected in frame 7
        stander = _body25(900.0 + (f % 2), 150.0)  # parkour person: jitters in place
        people = [stander, walker] if f % 2 else [walker, stander]
        doc = {"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": p.ravel().tolist()} for p in people]}
        (folder / f"clip_{f:012d}_keypoints.json").write_text(json.dumps(doc))


def test_openpose_round_trip(tmp_path):
    folder = tmp_path / "op"
    _write_openpose(folder)
    pose = read_openpose_folder(folder, rate_hz=RATE, image_size_px=(1280, 720))
    assert pose.frame == "image" and pose.image_size_px == (1280, 720)
    assert pose.n_frames == 20
    np.testing.assert_allclose(pose.t_s, np.arange(20) / RATE)
    # BODY_25: 21 = left heel, 19 = left big toe, 24 = right heel, 11 = right ankle
    for name, idx in (("left_heel", 21), ("left_toe", 19), ("right_heel", 24), ("right_ankle", 11), ("nose", 0)):
        f = 5
        assert pose.get(name)[f, 0] == pytest.approx(100.0 + 12.0 * f + 3.0 * idx)
        assert pose.get(name)[f, 1] == pytest.approx(200.0 + 10.0 * idx)
    assert np.isnan(pose.get("left_heel")[7, 0]) and pose.get_score("left_heel")[7] == 0.0
    assert pose.get_score("left_heel")[6] == pytest.approx(0.9)
    # image size inferred from the extent of all people when not given: the stander reaches
    # x = 900 + 1 + 3 * 24 = 973 px, the walker y = 200 + 10 * 24 = 440 px
    pose2 = read_openpose_folder(folder, rate_hz=RATE)
    assert pose2.image_size_px == (974, 441)


def test_openpose_needs_rate_and_files(tmp_path):
    folder = tmp_path / "op"
    _write_openpose(folder, n=3)
    with pytest.raises(GaitscopeError, match="frame rate"):
        read_openpose_folder(folder)
    empty = tmp_path / "none"
    empty.mkdir()
    with pytest.raises(GaitscopeError, match="no OpenPose"):
        read_openpose_folder(empty, rate_hz=30)
    (folder / "clip_000000000001_keypoints.json").write_text("{broken")
    with pytest.raises(GaitscopeError, match="OpenPose JSON file is not valid JSON"):
        read_openpose_folder(folder, rate_hz=30)


# ----------------------------------------------------------------- dispatcher
def test_load_keypoints_dispatch(tmp_path, shared_data):
    rec = load_keypoints(shared_data / "mocap" / "walk_subject01.trc")
    assert isinstance(rec, MarkerRecording) and rec.rate_hz == 60
    assert isinstance(load_keypoints(shared_data / "keypoints" / "landmarks3d_parkinson.json"), MarkerRecording)
    foot = load_keypoints(shared_data / "mocap" / "foot_markers_healthy.csv", rate_hz=100, events_rate_hz=204.8)
    assert isinstance(foot, MarkerRecording) and len(foot.reference_events) == 114
    folder = tmp_path / "op"
    _write_openpose(folder, n=4)
    assert isinstance(load_keypoints(folder, rate_hz=30), PoseSequence)
    csv = write_pose_csv(rec.pose, tmp_path / "pose.csv")
    back = load_keypoints(csv)
    assert isinstance(back, PoseSequence) and back.frame == "world"
    np.testing.assert_allclose(back.get("left_heel"), rec.pose.get("left_heel"), atol=1e-5)


@pytest.mark.parametrize(
    "name, content, match",
    [
        ("walk.xyz", b"1 2 3", "unknown keypoint file type"),
        ("walk.json", b"{not json", "not valid JSON"),
        ("walk.json", b'{"hello": 1}', "unknown JSON keypoint format"),
        ("frame_keypoints.json", b'{"people": []}', "single OpenPose frame"),
        ("walk.mot", b"x\nendheader\n", "motion file"),
        ("walk.mp4", b"\x00\x00", "video"),
        ("walk.c3d", b"\x02\x50" + b"\x00" * 100, "not a readable C3D"),
        ("walk.trc", b"", "empty"),
    ],
)
def test_load_keypoints_bad_inputs(tmp_path, name, content, match):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(GaitscopeError, match=match) as info:
        load_keypoints(p)
    assert name in str(info.value) and "\n" not in str(info.value)


def test_load_keypoints_wrong_option(shared_data):
    with pytest.raises(GaitscopeError, match="do not apply"):
        load_keypoints(shared_data / "mocap" / "walk_subject01.trc", rate_hz=30)

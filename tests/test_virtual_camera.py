"""Virtual camera: projection geometry, resampling, noise and dropped frames."""

from __future__ import annotations

import numpy as np
import pytest

from gaitscope.capture.virtual_camera import VIEWS, camera_matrices, project
from gaitscope.phantom import simulate, standing
from gaitscope.types import GaitscopeError


@pytest.fixture(scope="module")
def walk():
    return simulate(duration_s=6.0, rate_hz=100.0, seed=7)


def test_round_trip_with_known_depth(walk):
    """Project at the world rate (no resampling), then back-project with the depth: same points."""
    for view in VIEWS:
        img = project(walk.pose, view=view, rate_hz=100.0, clip_to_image=False)
        cam = camera_matrices(walk.pose, view=view)
        assert img.n_frames == walk.pose.n_frames
        assert np.allclose(img.t_s, walk.pose.t_s, atol=1e-12)
        back = cam.unproject(img.xyz[..., :2], img.xyz[..., 2])
        assert np.max(np.abs(back - walk.pose.xyz)) < 1e-6


def test_floor_points_back_project_onto_the_floor(walk):
    img = project(walk.pose, view="sagittal-right", rate_hz=100.0, clip_to_image=False)
    cam = camera_matrices(walk.pose, view="sagittal-right")
    heel_w = walk.pose.get("right_heel")
    on_floor = heel_w[:, 1] < 1e-9
    uv = img.get("right_heel")[on_floor, :2]
    back = cam.unproject_to_plane(uv, np.zeros(3), np.array([0.0, 1.0, 0.0]))
    assert on_floor.sum() > 100
    assert np.max(np.abs(back - heel_w[on_floor])) < 1e-6


def test_pinhole_scale_by_hand(walk):
    """A 1.0 m vertical segment at depth D spans f * 1.0 / D pixels (f from the 60 deg field of view)."""
    cam = camera_matrices(walk.pose, view="sagittal-left", image_size_px=(1280, 720), distance_m=4.0, hfov_deg=60.0)
    f = 640.0 / np.tan(np.radians(30.0))  # 1108.5 px
    c = cam.centre_m
    pts = np.array([[c[0], 0.5, c[2] + 4.0], [c[0], 1.5, c[2] + 4.0]])  # 4 m in front of a left-side camera
    uv = cam.project(pts)
    assert uv[0, 1] - uv[1, 1] == pytest.approx(f / 4.0, rel=1e-9)
    assert uv[0, 0] == pytest.approx(640.0) and uv[0, 2] == pytest.approx(4.0)


def test_view_orientation(walk):
    left = project(walk.pose, view="sagittal-left", distance_m=12.0)
    right = project(walk.pose, view="sagittal-right", distance_m=12.0)
    pel_l = np.nanmean(left.get("left_hip")[:, 0][[0, -1]] * np.array([-1, 1]))
    pel_r = np.nanmean(right.get("right_hip")[:, 0][[0, -1]] * np.array([-1, 1]))
    assert pel_l < 0 < pel_r  # camera on the left: walks right-to-left; on the right: left-to-right
    # the side facing the camera has the higher score
    assert np.nanmean(left.get_score("left_knee")) > np.nanmean(left.get_score("right_knee"))
    assert np.nanmean(right.get_score("right_knee")) > np.nanmean(right.get_score("left_knee"))
    front = project(walk.pose, view="frontal-front")
    back = project(walk.pose, view="frontal-back")
    # facing the camera, the person's right is on the image left; from behind, on the image right
    assert np.nanmean(front.get("right_shoulder")[:, 0] - front.get("left_shoulder")[:, 0]) < 0
    assert np.nanmean(back.get("right_shoulder")[:, 0] - back.get("left_shoulder")[:, 0]) > 0
    # walking toward the front camera the person grows; away from the back camera she shrinks
    h_front = front.get("left_heel")[:, 1] - front.get("nose")[:, 1]
    h_back = back.get("left_heel")[:, 1] - back.get("nose")[:, 1]
    assert h_front[-1] > 1.3 * h_front[0] and h_back[-1] < h_back[0] / 1.3


def test_resampling_to_camera_rate(walk):
    img = project(walk.pose, view="sagittal-left", rate_hz=30.0, clip_to_image=False, start_s=0.05)
    assert np.allclose(np.diff(img.t_s), 1 / 30.0)
    assert img.t_s[0] == pytest.approx(0.05) and np.array_equal(img.frame_index, np.arange(img.n_frames))
    # a camera frame between world samples sits between their projections (linear in world space)
    cam = camera_matrices(walk.pose, view="sagittal-left")
    k = 10
    t = img.t_s[k]
    i = int(np.floor(t * 100.0))
    w = t * 100.0 - i
    expect = cam.project((1 - w) * walk.pose.xyz[i] + w * walk.pose.xyz[i + 1])
    assert np.allclose(img.xyz[k], expect, atol=1e-9)


def test_noise_dropped_frames_and_dropouts(walk):
    clean = project(walk.pose, view="sagittal-left", distance_m=12.0)
    noisy = project(walk.pose, view="sagittal-left", distance_m=12.0, noise_px=2.0, seed=3)
    d = (noisy.xyz[..., :2] - clean.xyz[..., :2]).ravel()
    d = d[np.isfinite(d)]
    assert np.std(d) == pytest.approx(2.0, rel=0.1) and abs(np.mean(d)) < 0.2
    dropped = project(walk.pose, view="sagittal-left", distance_m=12.0, drop_fraction=0.2, seed=3)
    assert dropped.n_frames == clean.n_frames - round(0.2 * clean.n_frames)
    assert np.all(np.diff(dropped.frame_index) >= 1) and np.any(np.diff(dropped.frame_index) > 1)
    assert np.allclose(dropped.t_s, dropped.frame_index / 30.0)
    holes = project(walk.pose, view="sagittal-left", distance_m=12.0, dropout_fraction=0.05, seed=3)
    lost = holes.score == 0
    assert lost.mean() == pytest.approx(0.05, abs=0.01)
    assert np.isnan(holes.xyz[lost][:, :2]).all() and np.isfinite(holes.xyz[~lost][:, :2]).all()
    again = project(walk.pose, view="sagittal-left", distance_m=12.0, noise_px=2.0, seed=3)
    assert np.array_equal(np.nan_to_num(again.xyz), np.nan_to_num(noisy.xyz))


def test_walker_leaves_the_frame_like_a_real_clip():
    long_walk = simulate(duration_s=12.0, seed=1)
    img = project(long_walk.pose, view="sagittal-left", distance_m=4.0)
    visible = (img.score > 0).all(axis=1)
    assert 0.2 < visible.mean() < 0.8
    assert np.all(np.isnan(img.xyz[img.score == 0][:, :2]))


def test_person_in_place_is_centred():
    still = standing(duration_s=2.0, rate_hz=50.0)
    img = project(still, view="sagittal-right", rate_hz=25.0)
    mid = 0.5 * (img.get("left_hip")[:, 0] + img.get("right_hip")[:, 0])
    assert np.all(np.abs(mid - 640.0) < 5.0)


def test_treadmill_mocap_is_centred(shared_data):
    from gaitscope.capture.markers import load_markers

    rec = load_markers(shared_data / "mocap" / "treadmill_walk_events.c3d")
    img = project(rec.pose, view="sagittal-left", rate_hz=30.0)
    mid = 0.5 * (img.get("left_hip")[:, 0] + img.get("right_hip")[:, 0])
    assert np.nanmean(mid) == pytest.approx(640.0, abs=20.0)
    assert np.isfinite(mid).mean() > 0.95
    assert img.t_s[0] == pytest.approx(rec.pose.t_s[0])


def test_bad_requests_are_clear_errors(walk):
    img = project(walk.pose, view="sagittal-left")
    with pytest.raises(GaitscopeError, match="world"):
        project(img, view="sagittal-left")
    with pytest.raises(GaitscopeError, match="frontal-front"):
        project(walk.pose, view="top-down")
    with pytest.raises(GaitscopeError):
        project(walk.pose, rate_hz=0.0)

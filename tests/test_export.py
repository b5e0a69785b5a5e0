"""Export as TRC / MOT / C3D and read back (issue 11).

Round trips: what gaitscope writes is re-read by ezc3d (C3D), by gaitscope's own readers
(load_markers, read_mot + ik_to_angles) and by a plain independent parse written here (the
file layouts of the OpenSim TRC/MOT and C3D EVENT conventions), and must give back the values
and events that were exported. The walker is the phantom (synthetic, known geometry).
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

from gaitscope.capture.markers import load_markers
from gaitscope.capture.mot import ik_to_angles, read_mot
from gaitscope.export import export_data, write_c3d, write_mot, write_trc
from gaitscope.export._atomic import atomic_path
from gaitscope.phantom import simulate
from gaitscope.pipeline import analyze_pose
from gaitscope.types import GaitscopeError


@pytest.fixture(scope="module")
def result3d():
    walk = simulate(duration_s=6.0, rate_hz=100.0, height_m=1.70, seed=3)
    return analyze_pose(walk.pose, height_m=1.70)


@pytest.fixture(scope="module")
def data3d(result3d):
    return export_data(result3d)


def _plain_trc(path):
    """Independent TRC parse: header values by name, marker names, data as floats (empty = NaN)."""
    lines = path.read_text().splitlines()
    hdr = dict(zip(lines[1].split("\t"), lines[2].split("\t")))
    names = [c for c in lines[3].split("\t")[2:] if c]
    rows = [[float(c) if c else np.nan for c in ln.split("\t")] for ln in lines[5:] if ln.strip()]
    return hdr, names, np.array(rows)


def test_trc_round_trip(result3d, data3d, tmp_path):
    path = write_trc(data3d, tmp_path / "walk.trc")
    hdr, names, rows = _plain_trc(path)
    pose = result3d.pose
    assert hdr["Units"] == "m" and float(hdr["DataRate"]) == pytest.approx(100.0)
    assert int(hdr["NumFrames"]) == pose.n_frames == rows.shape[0] and int(hdr["NumMarkers"]) == len(names)
    assert rows.shape[1] == 2 + 3 * len(names)
    j = names.index("left_heel")
    np.testing.assert_allclose(rows[:, 2 + 3 * j: 5 + 3 * j], pose.get("left_heel"), atol=1e-6)
    np.testing.assert_allclose(rows[:, 1], pose.t_s - pose.t_s[0], atol=1e-6)
    # gaitscope's own reader: the same keypoints (same world frame: +x forward, +y up)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = load_markers(path)
    assert rec.pose.meta["marker_set"] == "gaitscope_keypoints"
    for kp in ("left_heel", "right_toe", "left_knee", "right_hip"):
        np.testing.assert_allclose(rec.pose.get(kp), pose.get(kp), atol=2e-6)


def test_mot_round_trip(result3d, data3d, tmp_path):
    path = write_mot(data3d, tmp_path / "walk.mot")
    # independent parse: header until endheader, then a tab table
    lines = path.read_text().splitlines()
    end = lines.index("endheader")
    assert "inDegrees=yes" in lines[:end]
    cols = lines[end + 1].split("\t")
    table = np.array([[float(c) for c in ln.split("\t")] for ln in lines[end + 2:]])
    ang = result3d.angles
    right = ang[ang["side"] == "right"].sort_values("t_s")
    np.testing.assert_allclose(table[:, cols.index("knee_angle_r")], -right["knee_flex_deg"].to_numpy(), atol=1e-6)
    np.testing.assert_allclose(table[:, cols.index("ankle_angle_r")], right["ankle_dorsi_deg"].to_numpy(), atol=1e-6)
    # gaitscope's reader (the OpenSim IK path) gives the angles back with gaitscope signs
    back = ik_to_angles(read_mot(path))
    for side in ("left", "right"):
        a = ang[ang["side"] == side].sort_values("t_s")
        b = back[back["side"] == side].sort_values("t_s")
        np.testing.assert_allclose(b["knee_flex_deg"].to_numpy(), a["knee_flex_deg"].to_numpy(), atol=1e-6)
        np.testing.assert_allclose(b["hip_flex_deg"].to_numpy(), a["hip_flex_deg"].to_numpy(), atol=1e-6, equal_nan=True)


def test_c3d_round_trip_events_and_points(result3d, data3d, tmp_path):
    import ezc3d

    path = write_c3d(data3d, tmp_path / "walk.c3d")
    ev = result3d.events.sort_values("t_s").reset_index(drop=True)
    assert len(ev) >= 8
    c = ezc3d.c3d(str(path))
    par = c["parameters"]
    labels, contexts = list(par["EVENT"]["LABELS"]["value"]), list(par["EVENT"]["CONTEXTS"]["value"])
    times = np.asarray(par["EVENT"]["TIMES"]["value"], float)
    assert labels == ["Foot Strike" if e == "ic" else "Foot Off" for e in ev["event"]]
    assert contexts == [s.capitalize() for s in ev["side"]]
    first = c["header"]["points"]["first_frame"]  # 0-based: stored 1
    rate = c["header"]["points"]["frame_rate"]
    np.testing.assert_allclose(60 * times[0] + times[1] - first / rate, ev["t_s"] - result3d.pose.t_s[0], atol=1e-6)
    assert list(par["POINT"]["UNITS"]["value"]) == ["mm"]
    lab = list(par["POINT"]["LABELS"]["value"])
    pts = c["data"]["points"]
    heel = result3d.pose.get("left_heel")
    j = lab.index("left_heel")
    # C3D lab frame: x forward, y left, z up, millimetres
    np.testing.assert_allclose(pts[0, j], heel[:, 0] * 1000, atol=1e-2)
    np.testing.assert_allclose(pts[1, j], -heel[:, 2] * 1000, atol=1e-2)
    np.testing.assert_allclose(pts[2, j], heel[:, 1] * 1000, atol=1e-2)
    # gaitscope's reader: the same events as reference events, the same keypoints
    rec = load_markers(path)
    ref = rec.reference_events.reset_index(drop=True)
    assert list(ref["event"]) == list(ev["event"]) and list(ref["side"]) == list(ev["side"])
    np.testing.assert_allclose(ref["t_s"], ev["t_s"] - result3d.pose.t_s[0], atol=1e-6)
    np.testing.assert_allclose(rec.pose.get("right_toe"), result3d.pose.get("right_toe"), atol=1e-5)


def test_missing_samples_are_c3d_missing(data3d, tmp_path):
    import ezc3d

    pts = {k: v.copy() for k, v in data3d.points.items()}
    pts["left_heel"][10:15] = np.nan
    d = type(data3d)(points=pts, t_s=data3d.t_s, rate_hz=data3d.rate_hz, events=data3d.events, angles=data3d.angles)
    path = write_c3d(d, tmp_path / "gaps.c3d")
    c = ezc3d.c3d(str(path))
    j = list(c["parameters"]["POINT"]["LABELS"]["value"]).index("left_heel")
    res = c["data"]["meta_points"]["residuals"][0, j]
    assert np.all(res[10:15] == -1) and np.all(res[:10] >= 0)
    assert np.all(np.isnan(load_markers(path).pose.get("left_heel")[10:15]))


def test_image_input_needs_height_and_exports_the_sagittal_plane(tmp_path):
    from gaitscope.capture.virtual_camera import project

    walk = simulate(duration_s=6.0, rate_hz=100.0, height_m=1.70, seed=4)
    img = project(walk.pose, view="sagittal-left", rate_hz=30.0)
    with pytest.raises(GaitscopeError, match="--height-m"):
        write_trc(export_data(analyze_pose(img)), tmp_path / "no.trc")
    assert not (tmp_path / "no.trc").exists()
    res = analyze_pose(img, height_m=1.70)
    path = write_c3d(export_data(res), tmp_path / "video.c3d")
    rec = load_markers(path)
    assert rec.pose.meta["planar"]
    np.testing.assert_allclose(rec.reference_events["t_s"], res.events["t_s"] - res.pose.t_s[0], atol=1e-6)
    # metres: the phantom's leg (hip centre to heel) is about half its 1.70 m height
    leg = np.nanmedian(np.linalg.norm(rec.pose.get("left_hip") - rec.pose.get("left_heel"), axis=1))
    assert 0.7 < leg < 1.0


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.c3d"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.c3d"]


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "gaitscope.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_export_and_analyze_export(tmp_path):
    from gaitscope.capture.pose_csv import write_pose_csv
    from gaitscope.capture.virtual_camera import project

    walk = simulate(duration_s=6.0, rate_hz=100.0, height_m=1.70, seed=5)
    csv = write_pose_csv(project(walk.pose, view="sagittal-left", rate_hz=30.0), tmp_path / "pose.csv")
    r = _cli("export", str(csv), "--to", "c3d", cwd=tmp_path)
    assert r.returncode == 2 and "--height-m" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "pose_gaitscope.c3d").exists()
    r = _cli("export", str(csv), "--to", "c3d", "--height-m", "1.70", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "pose_gaitscope.c3d").is_file()
    r = _cli("export", str(csv), "--to", "trc", "--out", str(tmp_path / "x.c3d"), cwd=tmp_path)
    assert r.returncode == 2 and "ending in .trc" in r.stderr
    r = _cli("analyze", str(csv), "--out", str(tmp_path / "bad"), "--export", "trc,fbx", "--quiet", cwd=tmp_path)
    assert r.returncode == 2 and "fbx" in r.stderr and not (tmp_path / "bad").exists()
    out = tmp_path / "out"
    r = _cli("analyze", str(csv), "--height-m", "1.7", "--out", str(out), "--export", "trc,mot,c3d", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert {"keypoints.trc", "angles.mot", "keypoints_events.c3d", "events.csv"} <= {p.name for p in out.iterdir()}
    # the 2-D export is refused by the 3-D analysis, accepted through a sagittal virtual camera
    r = _cli("analyze", str(out / "keypoints_events.c3d"), "--out", str(tmp_path / "re"), "--quiet", cwd=tmp_path)
    assert r.returncode == 2 and "one vertical plane" in r.stderr


def test_corpus_file_c3d_round_trip(shared_data, tmp_path):
    """A lab file's own events/markers survive: export the detected events, re-read them."""
    import ezc3d

    from gaitscope.pipeline import analyze

    src = shared_data / "mocap_corpus" / "qualisys_ezc3d_overground_1.c3d"
    if not src.is_file():
        pytest.skip("mocap_corpus not present")
    res = analyze(src, write=False)
    path = write_c3d(export_data(res), tmp_path / "q.c3d")
    c = ezc3d.c3d(str(path))
    assert int(c["parameters"]["EVENT"]["USED"]["value"][0]) == len(res.events)
    assert "L_FCC" in list(c["parameters"]["POINT"]["LABELS"]["value"])  # the lab's raw markers travel too
    rec = load_markers(path)
    np.testing.assert_allclose(rec.reference_events["t_s"], res.events.sort_values("t_s")["t_s"], atol=1e-6)

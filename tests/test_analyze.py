"""`gaitscope analyze` end to end: output contract, known answers, real mocap, bad input.

Truths: the phantom's own events, angles and spatiotemporal values (it is built from them);
the lab model angles stored in the shared mocap files; frame counts of the shared files.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from gaitscope.cli import main
from gaitscope.metrics.agreement import compare_angle_tables, within_cycles
from gaitscope.metrics.cycles import CYCLE_COLUMNS
from gaitscope.pipeline import analyze, analyze_pose
from gaitscope.types import GaitscopeError

ANGLES = ("hip_flex_deg", "knee_flex_deg", "ankle_dorsi_deg")
TARGET_DEG = {"knee_flex_deg": 4.0, "hip_flex_deg": 5.0, "ankle_dorsi_deg": 5.0}


def _strict_json(text: str) -> dict:
    def refuse(const):
        raise AssertionError(f"non-finite number {const} in summary.json")

    return json.loads(text, parse_constant=refuse)


# ------------------------------------------------------------------ output contract (real mocap)
def test_cli_outputs_contract_on_c3d(shared_data, tmp_path, capsys):
    src = shared_data / "mocap" / "treadmill_walk_events.c3d"
    out = tmp_path / "out"
    assert main(["analyze", str(src), "--out", str(out), "--json"]) == 0
    printed = _strict_json(capsys.readouterr().out)
    summary = _strict_json((out / "summary.json").read_text())
    assert printed == summary
    assert summary["schema"] == "gaitscope.analysis" and summary["schema_version"] == "2.0"
    assert summary["view"] == "3d" and summary["spatial_scale"] == "metres"
    assert summary["input"]["n_frames"] == 1206  # rows of point data in the file

    ev = pd.read_csv(out / "events.csv")
    assert list(ev.columns) == ["event", "side", "frame", "t_s", "pass", "score"]
    assert set(ev["event"]) == {"ic", "fc"} and set(ev["side"]) == {"left", "right"}
    assert ev["t_s"].is_monotonic_increasing
    assert ev["frame"].between(0, 1205).all()

    cyc = pd.read_csv(out / "cycles.csv", keep_default_na=True)
    from gaitscope.metrics.frontal import FRONTAL_COLUMNS

    assert tuple(cyc.columns) == CYCLE_COLUMNS + FRONTAL_COLUMNS + ("steady_state",)  # 1.1 frontal, 1.3 quality
    ics = ev[ev["event"] == "ic"]
    for row in cyc.itertuples():
        # half-open [start, end): both ends are ICs of the same foot, consecutive
        same = ics[ics["side"] == row.side]["frame"].to_numpy()
        assert row.start in same and row.end in same
        assert not ((same > row.start) & (same < row.end)).any()
    # 12 s of steady treadmill walking: 10 strides per side from 11 contacts (43 lab events)
    assert summary["n_cycles"]["left"] >= 9 and summary["n_cycles"]["right"] >= 9

    ang = pd.read_csv(out / "angles.csv")
    assert list(ang.columns) == [
        "frame", "t_s", "side", "hip_flex_deg", "knee_flex_deg", "ankle_dorsi_deg", "trunk_lean_fwd_deg", "foot_angle_deg",
    ]
    assert len(ang) == 2 * 1206

    p = summary["parameters"]
    for name in ("cadence_spm", "stance_pct", "step_length_m", "speed_mps", "knee_flex_swing_max_deg"):
        for key in ("both", "left", "right", "symmetry", "unit"):
            assert key in p[name], (name, key)
        assert {"mean", "sd", "n"} <= set(p[name]["left"])
        # a coefficient of variation only for ratio-scale quantities (an angle's zero is a convention)
        assert ("cv_pct" in p[name]["left"]) == (not name.endswith("_deg")), name
    assert "source" in p["cadence_spm"]["normal_range"]
    assert len(summary["curves"]["knee_flex_deg"]["left"]["mean"]) == 101
    assert "normal" in summary["curves"]["knee_flex_deg"]
    # healthy adult on a treadmill: every stride lands heel first (lab foot angle ~20 deg at IC)
    assert summary["foot_contact"]["left"].get("heel", 0) >= 9


@pytest.mark.parametrize("name", ["treadmill_walk_events.c3d", "walk_subject01.trc"])
def test_analyze_3d_angles_vs_lab(shared_data, tmp_path, name):
    res = analyze(shared_data / "mocap" / name, out_dir=tmp_path, write=False)
    table = compare_angle_tables(res.angles, res.reference.model_angles, ANGLES)
    for row in table.itertuples():
        assert row.rmse_deg <= TARGET_DEG[row.angle], row
        assert row.r >= 0.95, row


@pytest.mark.parametrize("view", ["sagittal-left", "sagittal-right"])
def test_virtual_camera_angles_vs_lab(shared_data, tmp_path, view):
    pytest.importorskip("gaitscope.capture.virtual_camera")
    res = analyze(shared_data / "mocap" / "treadmill_walk_events.c3d", out_dir=tmp_path, virtual_camera=view, write=False)
    assert res.summary["view"] == "sagittal"
    assert res.summary["input"]["virtual_camera"]["view"] == view
    table = compare_angle_tables(res.angles, res.reference.model_angles, ANGLES)
    assert len(table) == 6
    for row in table.itertuples():
        assert row.n > 200
        assert row.rmse_deg <= TARGET_DEG[row.angle], row


# ------------------------------------------------------------------ phantom known answers
@pytest.fixture(scope="module")
def phantom_camera():
    pytest.importorskip("gaitscope.capture.virtual_camera")
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate

    walk = simulate(duration_s=20.0, rate_hz=100.0, height_m=1.70, seed=7)
    pose = project(walk.pose, view="sagittal-left", rate_hz=30.0, image_size_px=(1280, 720), noise_px=1.0, drop_fraction=0.02, seed=7)
    res = analyze_pose(pose, height_m=1.70, input_info={"path": "phantom"})
    return walk, res


def test_phantom_spatiotemporal_through_camera(phantom_camera):
    walk, res = phantom_camera
    p = res.summary["parameters"]
    truth = walk.truth
    assert p["cadence_spm"]["both"]["mean"] == pytest.approx(truth["cadence_spm"], abs=1.0)
    t_step = np.mean(list(truth["step_length_m"].values()))
    assert p["step_length_m"]["both"]["mean"] == pytest.approx(t_step, abs=0.03)
    assert p["speed_mps"]["both"]["mean"] == pytest.approx(truth["speed_mps"], abs=0.06)
    # a static camera sees about 6 s of the 20 s walk (one pass across the image)
    assert res.summary["n_cycles"]["left"] >= 3 and res.summary["n_cycles"]["right"] >= 3


def test_phantom_angles_through_camera(phantom_camera):
    walk, res = phantom_camera
    # inside the analysed strides (where curves and discrete values come from)
    table = compare_angle_tables(within_cycles(res.angles, res.cycles), walk.angles, ANGLES + ("foot_angle_deg",))
    assert len(table) == 8
    for row in table.itertuples():
        # the phantom's angles use the same definitions: offset and RMSE both small
        assert abs(row.offset_deg) < 2.0, row
        assert row.rmse_deg < 2.5, row
        assert row.r > 0.97, row


def test_phantom_too_few_strides_is_not_assessable_not_a_crash():
    from gaitscope.phantom.walker import simulate

    walk = simulate(duration_s=2.6, rate_hz=60.0, seed=2)
    res = analyze_pose(walk.pose, input_info={"path": "short phantom"})
    s = res.summary
    assert max(s["n_cycles"].values()) <= 2
    assert any("variability" in e["what"] for e in s["not_assessable"])
    json.dumps(s, allow_nan=False)


def test_relative_scale_without_height(phantom_camera):
    walk, _ = phantom_camera
    pytest.importorskip("gaitscope.capture.virtual_camera")
    from gaitscope.capture.virtual_camera import project

    pose = project(walk.pose, view="sagittal-right", rate_hz=30.0, image_size_px=(1280, 720), noise_px=1.0, drop_fraction=0.0, seed=1)
    s = analyze_pose(pose).summary
    assert s["spatial_scale"] == "relative"
    assert "step_length_m" not in s["parameters"] and "step_length_rel" in s["parameters"]
    assert any("step_length_m" in e["what"] or "spatial" in e["what"] for e in s["not_assessable"])
    # relative step length = metres / height (truth / 1.70 m), within 3 cm / 1.70 m
    t_step = np.mean(list(walk.truth["step_length_m"].values())) / 1.70
    assert s["parameters"]["step_length_rel"]["both"]["mean"] == pytest.approx(t_step, abs=0.03 / 1.70 * 1.5)


# ------------------------------------------------------------------ bad input
def test_no_walking_is_a_clear_error(tmp_path, capsys):
    from gaitscope.capture.pose_csv import write_pose_csv
    from gaitscope.phantom.standing import standing

    pose = standing(duration_s=6.0, rate_hz=30.0)
    csv = write_pose_csv(pose, tmp_path / "standing.csv")
    with pytest.raises(GaitscopeError, match="no walking found in"):
        analyze(csv, out_dir=tmp_path / "o", write=False)
    code = main(["analyze", str(csv), "--out", str(tmp_path / "o2")])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert err.startswith("gaitscope: no walking found in") and "\n" not in err
    assert "Traceback" not in err


def test_missing_file_and_wrong_option_are_clear_errors(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "nope.mp4")]) != 0
    assert "no such file" in capsys.readouterr().err
    csv = tmp_path / "x.csv"
    csv.write_text("frame,t_s\n0,0\n")
    assert main(["analyze", str(csv), "--virtual-camera", "sagittal-left"]) != 0
    assert "marker files" in capsys.readouterr().err
    with pytest.raises(GaitscopeError, match="height"):
        analyze_pose(object(), height_m=168.0)  # centimetres by mistake


def test_mot_alone_says_what_is_needed(shared_data, tmp_path):
    # issue 4: a .mot alone gives angle-based values and lists what needs markers or video
    assert main(["analyze", str(shared_data / "mocap" / "walk_subject01_ik.mot"), "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    na = " ".join(e["what"] + " " + e["reason"] for e in summary["not_assessable"])
    assert "step_length_m" in na and "marker positions" in na


def test_analysis_modules_do_not_import_the_pose_stack():
    import subprocess
    import sys

    code = (
        "import sys, gaitscope.pipeline, gaitscope.metrics.summary, gaitscope.metrics.cycles;"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('cv2','mediapipe','av')];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


# ------------------------------------------------------------------ real video (slow)
@pytest.mark.slow
def test_older_adult_video(shared_data, tmp_path):
    res = analyze(shared_data / "video" / "walk_sagittal_older_adult.mp4", height_m=1.60, out_dir=tmp_path)
    s = res.summary
    assert s["view"] == "sagittal"
    kinds = [(p["kind"], p["usable"]) for p in s["passes"]]
    # pass 1 forward and usable; pass 2 walked backwards: not analysed (data README)
    assert ("forward", True) in kinds and ("backward", False) in kinds
    assert s["n_cycles"]["left"] + s["n_cycles"]["right"] >= 3
    cad = s["parameters"]["cadence_spm"]["both"]["mean"]
    # counted by eye on the frames: about one step every 14-16 frames at 30 fps (113-129 steps/min);
    # a wide band because the pose model swaps the legs in this clip
    assert 80 <= cad <= 170
    json.dumps(s, allow_nan=False)
    assert math.isfinite(s["parameters"]["knee_flex_swing_max_deg"]["both"]["mean"])


def test_knee_curve_deviation_from_normal_ranks_parkinson_above_healthy(shared_data):
    """Gait Variable Score of the knee: the healthy treadmill walker is nearer the normal band
    than the walker with Parkinson's disease (reduced knee excursion, data README)."""
    healthy = analyze(shared_data / "mocap" / "treadmill_walk_events.c3d", write=False).summary
    pd_walk = analyze(shared_data / "keypoints" / "landmarks3d_parkinson.json", write=False).summary
    g_h = healthy["curves"]["knee_flex_deg"]["normal"]["gvs_deg"]
    g_p = pd_walk["curves"]["knee_flex_deg"]["normal"]["gvs_deg"]
    assert max(g_h.values()) < min(g_p.values())
    assert "gvs_deg" not in healthy["curves"]["hip_flex_deg"]["normal"]
    # the Parkinson walk: short steps and slow cadence (README: cadence about 95 steps/min)
    assert pd_walk["parameters"]["cadence_spm"]["both"]["mean"] == pytest.approx(95, abs=5)


@pytest.mark.slow
def test_lateral_raise_video_is_a_clear_error(shared_data, tmp_path, capsys):
    code = main(["analyze", str(shared_data / "video" / "not_gait_lateral_raise.mp4"), "--out", str(tmp_path), "--quiet"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("gaitscope:")]
    assert code != 0
    assert len(err) == 1 and "walk" in err[0]
    assert not (tmp_path / "summary.json").exists()


@pytest.mark.slow
def test_running_video_is_refused_as_running(shared_data, tmp_path, capsys):
    """run_sagittal.mp4 (data README: one woman running side-on, 1.6 s): the tool says she is
    running and applies no walking norms; the pose cache is kept (nothing lost)."""
    code = main(["analyze", str(shared_data / "video" / "run_sagittal.mp4"), "--out", str(tmp_path), "--quiet"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("gaitscope:")]
    assert code != 0
    assert len(err) == 1 and "running" in err[0]
    assert not (tmp_path / "summary.json").exists()
    assert (tmp_path / "pose.csv").exists()


def test_short_running_keypoints_are_refused_as_running(tmp_path):
    from synthetic_gait import stepper, to_image

    from gaitscope.capture.pose_csv import write_pose_csv

    run, _ = stepper(duty=0.35, stride_s=0.8, speed_mps=3.0, duration_s=1.1, rate_hz=30.0)
    csv = write_pose_csv(to_image(run), tmp_path / "run.csv")
    with pytest.raises(GaitscopeError, match="running"):
        analyze(csv, out_dir=tmp_path / "o", write=False)

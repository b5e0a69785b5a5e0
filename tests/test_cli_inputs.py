"""`gaitscope analyze` on keypoint files written by other tools, from the command line.

Truth: the phantom's own cadence and step length (``walk.truth``), not the code under test. The
phantom is projected through the virtual camera, then written the way another tool would write it
(OpenPose BODY_25 JSON per frame, or a bare keypoint CSV without sidecar and without time).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lab_files import trc_text

from gaitscope.cli import main

RATE_HZ = 30.0
HEIGHT_M = 1.70
# BODY_25 index -> gaitscope keypoint (OpenPose docs: 19 LBigToe, 21 LHeel, 22 RBigToe, 24 RHeel)
BODY25 = {
    0: "nose", 2: "right_shoulder", 3: "right_elbow", 4: "right_wrist", 5: "left_shoulder", 6: "left_elbow",
    7: "left_wrist", 9: "right_hip", 10: "right_knee", 11: "right_ankle", 12: "left_hip", 13: "left_knee",
    14: "left_ankle", 19: "left_toe", 21: "left_heel", 22: "right_toe", 24: "right_heel",
}


@pytest.fixture(scope="module")
def phantom_image():
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate

    walk = simulate(duration_s=20.0, rate_hz=100.0, height_m=HEIGHT_M, seed=7)
    pose = project(walk.pose, view="sagittal-left", rate_hz=RATE_HZ, image_size_px=(1280, 720), noise_px=1.0,
                   drop_fraction=0.0, seed=7)
    return walk, pose


def _check_against_truth(summary: dict, walk) -> None:
    p = summary["parameters"]
    assert p["cadence_spm"]["both"]["mean"] == pytest.approx(walk.truth["cadence_spm"], abs=1.0)
    t_step = float(np.mean(list(walk.truth["step_length_m"].values())))
    assert p["step_length_m"]["both"]["mean"] == pytest.approx(t_step, abs=0.03)


def _error_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_openpose_folder_from_the_command_line(phantom_image, tmp_path, capsys):
    walk, pose = phantom_image
    folder = tmp_path / "openpose"
    folder.mkdir()
    for i, f in enumerate(pose.frame_index):
        kp = np.zeros((25, 3))
        for idx, name in BODY25.items():
            xy = pose.get(name)[i, :2]
            if np.all(np.isfinite(xy)):
                kp[idx] = (xy[0], xy[1], pose.get_score(name)[i])
        doc = {"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": kp.ravel().tolist()}]}
        (folder / f"walk_{int(f):012d}_keypoints.json").write_text(json.dumps(doc))

    # OpenPose stores no time: without --fps one sentence says what to give, exit non-zero
    code = main(["analyze", str(folder), "--out", str(tmp_path / "no_fps"), "--quiet"])
    err = _error_lines(capsys)
    assert code != 0 and len(err) == 1 and "--fps" in err[0] and str(folder) in err[0]
    assert not (tmp_path / "no_fps" / "summary.json").exists()

    out = tmp_path / "out"
    code = main(["analyze", str(folder), "--fps", str(RATE_HZ), "--height-m", str(HEIGHT_M), "--out", str(out), "--quiet"])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["view"] == "sagittal"
    assert summary["input"]["rate_hz"] == pytest.approx(RATE_HZ)
    _check_against_truth(summary, walk)


def test_bare_keypoint_csv_without_sidecar_or_time(phantom_image, tmp_path, capsys):
    from gaitscope.capture.pose_csv import sidecar_path, write_pose_csv

    walk, pose = phantom_image
    csv = write_pose_csv(pose, tmp_path / "other_tool.csv")
    sidecar_path(csv).unlink()  # another tool writes no sidecar ...
    pd.read_csv(csv).drop(columns=["t_s"]).to_csv(csv, index=False)  # ... and no time column

    code = main(["analyze", str(csv), "--out", str(tmp_path / "no_fps"), "--quiet"])
    err = _error_lines(capsys)
    assert code != 0 and len(err) == 1 and "--fps" in err[0]

    out = tmp_path / "out"
    code = main(["analyze", str(csv), "--fps", str(RATE_HZ), "--height-m", str(HEIGHT_M), "--out", str(out), "--quiet"])
    assert code == 0
    _check_against_truth(json.loads((out / "summary.json").read_text()), walk)


def test_fps_is_refused_for_inputs_with_their_own_time(tmp_path, capsys):
    video = tmp_path / "walk.mp4"
    video.write_bytes(b"not really a video")
    code = main(["analyze", str(video), "--fps", "30", "--out", str(tmp_path / "o"), "--quiet"])
    err = _error_lines(capsys)
    assert code != 0 and len(err) == 1 and "--fps" in err[0]


def test_pose_cache_of_another_video_with_the_same_name_is_not_reused(tmp_path, phantom_image, monkeypatch):
    """The analysis reuses DIR/pose.csv only when it was made from this very file (size and mtime in
    the cache key), not from any video that happens to have the same name."""
    import gaitscope.pipeline as pipeline
    import gaitscope.pose.run as pose_run
    from gaitscope.capture.pose_csv import write_pose_csv

    _, pose = phantom_image
    video = tmp_path / "walk.mp4"
    video.write_bytes(b"0" * 1000)
    st = video.stat()
    out = tmp_path / "walk_gaitscope"
    out.mkdir()
    calls = []

    class _Ran:
        def __init__(self, p):
            self.pose = p

    def fake_run_pose(path, **kw):
        calls.append(path)
        return _Ran(pose)

    monkeypatch.setattr(pose_run, "run_pose", fake_run_pose)
    for size, expect_rerun in ((st.st_size, False), (st.st_size + 1, True)):
        calls.clear()
        key = {"video": str(tmp_path / "elsewhere" / "walk.mp4"), "size_bytes": size, "mtime_ns": st.st_mtime_ns,
               "pose_stage_version": pose_run.POSE_STAGE_VERSION}
        cached = pose.with_xyz(pose.xyz, meta={**pose.meta, "cache_key": key})
        cached = type(cached)(**{**{f: getattr(cached, f) for f in cached.__dataclass_fields__}, "source": key["video"]})
        write_pose_csv(cached, out / "pose.csv")
        pipeline._video_pose(video, out, backend="mediapipe", progress=False)
        assert bool(calls) == expect_rerun


@pytest.mark.parametrize("view", ["frontal-front", "frontal-back"])
def test_treadmill_seen_from_the_front_is_refused_not_called_running(shared_data, tmp_path, capsys, view):
    """treadmill_walk_events.c3d is walking (data README: 43 foot strikes / foot offs, double support).
    Seen from the front or back a treadmill walker does not travel, so there is no usable pass
    (docs/frontal.md): one sentence, non-zero exit, no outputs, and it must not be called running."""
    c3d = shared_data / "mocap" / "treadmill_walk_events.c3d"
    out = tmp_path / view
    code = main(["analyze", str(c3d), "--virtual-camera", view, "--out", str(out), "--quiet"])
    err = _error_lines(capsys)
    assert code != 0 and len(err) == 1
    assert str(c3d) in err[0] and "running" not in err[0] and "walking" in err[0]
    assert not (out / "summary.json").exists()


def test_output_folder_that_is_a_file_is_one_sentence(phantom_image, tmp_path, capsys):
    from gaitscope.capture.pose_csv import write_pose_csv

    _, pose = phantom_image
    csv = write_pose_csv(pose, tmp_path / "walk.csv")
    blocker = tmp_path / "results.txt"
    blocker.write_text("a file where the output folder should go")
    code = main(["analyze", str(csv), "--height-m", str(HEIGHT_M), "--out", str(blocker), "--quiet"])
    captured = capsys.readouterr()
    err = [line for line in captured.err.splitlines() if line.strip()]
    assert code != 0 and len(err) == 1 and str(blocker) in err[0] and "--out" in err[0]
    assert "Traceback" not in captured.err


def test_without_height_the_terminal_says_spatial_values_are_relative(phantom_image, tmp_path, capsys):
    from gaitscope.capture.pose_csv import write_pose_csv

    _, pose = phantom_image
    csv = write_pose_csv(pose, tmp_path / "walk.csv")
    assert main(["analyze", str(csv), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "relative to body height" in out and "--height-m" in out
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["spatial_scale"] == "relative"
    assert main(["analyze", str(csv), "--height-m", "1.7", "--out", str(tmp_path / "m"), "--quiet"]) == 0
    assert "relative to body height" not in capsys.readouterr().out


# A lab with its own marker names: the treadmill C3D's markers renamed ("Lheel" ...) and written as a TRC.
LAB_NAMES = {"HEE": "heel", "MT2": "met2", "LM": "latmal", "MM": "medmal", "LEK": "latepi", "MEK": "medepi",
             "ASIS": "asis", "PSIS": "psis"}
MY_MAP = """
[sets.my_lab]
description = "test lab: the treadmill C3D's markers renamed"
side_prefix = { left = "my_l_", right = "my_r_" }
required = ["heel", "toe", "ankle", "knee", "hip"]
[sets.my_lab.keypoints]
heel = [["{S}heel"]]
toe = [["{S}met2"]]
ankle = [["{S}latmal", "{S}medmal"]]
knee = [["{S}latepi", "{S}medepi"]]
[sets.my_lab.pelvis]
asis = ["{S}asis"]
psis = ["{S}psis"]
"""


def test_marker_map_from_the_command_line(shared_data, tmp_path, capsys):
    from gaitscope.capture.markers import load_markers

    rec = load_markers(shared_data / "mocap" / "treadmill_walk_events.c3d")
    renamed = {f"my_{s.lower()}_{new}": rec.markers[f"{s}{old}"] for old, new in LAB_NAMES.items() for s in "LR"}
    n = rec.pose.n_frames
    names = list(renamed)
    trc = tmp_path / "my_lab_walk.trc"
    trc.write_text(trc_text({k: v * 1000.0 for k, v in renamed.items()}, 100.0, name=trc.name, decimals=3))
    (tmp_path / "my_lab.toml").write_text(MY_MAP)

    # the built-in sets do not know these names: one sentence saying how to add a mapping
    code = main(["analyze", str(trc), "--out", str(tmp_path / "o1"), "--quiet"])
    err = _error_lines(capsys)
    assert code != 0 and len(err) == 1 and "--marker-map" in err[0]

    out = tmp_path / "o2"
    code = main(["analyze", str(trc), "--marker-map", str(tmp_path / "my_lab.toml"), "--out", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    events = pd.read_csv(out / "events.csv")
    # truth: the lab's own 43 foot strike / foot off events in the C3D (data README; C3D time base applied)
    ref = rec.reference_events
    for row in ref.itertuples():
        same = events[(events.event == row.event) & (events.side == row.side)]
        assert (same.t_s - row.t_s).abs().min() <= 0.02, row
    assert len(events) == len(ref)

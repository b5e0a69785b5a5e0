"""Static posture screen (issue 5): known answers on the standing phantom, findings, quality checks,
inputs (EXIF, HEIC, bad files), outputs, and the real photo / real video paths.

Truths come from the phantom's world coordinates (gaitscope.posture.validation.truth_value), from
geometry set by hand in the test, or from what we read off the real images ourselves (cited below).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gaitscope.capture.virtual_camera import project
from gaitscope.knowledge.posture import load_posture_knowledge
from gaitscope.phantom import standing
from gaitscope.posture import assess_keypoints, still_from_arrays, still_from_pose
from gaitscope.posture.findings import FINDING_CODES
from gaitscope.posture.inputs import load_image, steadiest_second
from gaitscope.posture.quality import check_view
from gaitscope.posture.run import measure_image, write_outputs
from gaitscope.posture.validation import CASES, known_answer_rows, truth_value
from gaitscope.types import GaitscopeError

K = load_posture_knowledge()
VIEW = {"frontal-front": "front", "frontal-back": "back", "sagittal-left": "side", "sagittal-right": "side"}
GRACE_HOPPER = Path(__import__("matplotlib").get_data_path()) / "sample_data" / "grace_hopper.jpg"


def photo(camera: str, *, distance_m: float = 3.0, noise_px: float = 0.5, seed: int = 0, drop=(),
          camera_height_m: float = 1.0, image_size_px=(1080, 1920), hfov_deg: float = 60.0, **phantom):
    """One frame of the phantom standing, seen by the virtual camera, as StillKeypoints (+ the world pose)."""
    world = standing(height_m=1.70, duration_s=2.0, rate_hz=30.0, seed=seed, **phantom)
    img = project(world, view=camera, rate_hz=30.0, image_size_px=image_size_px, distance_m=distance_m,
                  camera_height_m=camera_height_m, noise_px=noise_px, seed=seed, hfov_deg=hfov_deg,
                  clip_to_image=False)
    if drop:
        img = img.select_keypoints([n for n in img.names if n not in drop])
    i = img.n_frames // 2
    kp = still_from_pose(img, VIEW[camera], min_score=0.5, frames=[i])[0]
    return kp, world, int(np.argmin(np.abs(world.t_s - img.t_s[i])))


def finding(res, code):
    return next(f for f in res.findings if f.code == code)


# ----------------------------------------------------------------------------- knowledge
def test_knowledge_rows_have_units_and_sources():
    kinds = {r.kind for r in K.rows}
    assert kinds == {"cutoff", "proportion", "error", "quality"}
    for r in K.rows:
        assert r.unit and len(r.source) > 10, r
    assert K.cutoffs("cva_deg")[0].threshold == 50 and K.cutoffs("cva_deg")[0].comparison == "<"
    assert "Oakley" in K.cutoffs("cva_deg")[0].source
    assert "Loudon" in K.cutoffs("knee_hyperextension_deg")[0].source
    # no clinical cut-off for the asymmetries: they are reported against the error
    for name in ("shoulder_height_difference_deg", "pelvic_obliquity_deg", "trunk_shift_deg"):
        assert not K.cutoffs(name)


# ----------------------------------------------------------------------------- known answers
def test_known_answers_within_stated_error_at_every_distance():
    rows = known_answer_rows(distances_m=(2.5, 4.0, 6.0), seeds=(0, 1, 2), noise_px=1.0)
    assert len(rows) == sum(len(c[2]) for c in CASES) * 3
    bad = [r for r in rows if not r.within]
    assert not bad, bad
    # and the stated errors are meaningful (not inflated): at 2.5 m the frontal angles are within 1.5 deg
    for r in rows:
        if r.distance_m == 2.5 and r.unit == "deg" and r.camera.startswith("frontal"):
            assert r.max_abs_error < 1.5 and r.stated_error < 1.5, r


def test_cva_proxy_without_c7_within_its_stated_error():
    cva = tuple(c for c in CASES if c[3] == "cva")
    rows = known_answer_rows(distances_m=(3.0,), seeds=(0, 1), noise_px=1.0, cases=cva, drop_c7=True)
    assert all(r.within for r in rows), rows
    assert all(r.stated_error >= 6.0 for r in rows)  # the proxy says it is weak


@pytest.mark.parametrize("camera", ["frontal-front", "frontal-back"])
def test_signs_and_sides_are_the_persons_own(camera):
    kp, world, wi = photo(camera, noise_px=0.3, shoulder_drop_deg=5.0, pelvic_drop_deg=-4.0, trunk_shift_m=0.05)
    res = assess_keypoints({kp.view: [kp]}, height_m=1.70, keypoint_sigma_px=0.3)
    m = res.views[kp.view].measures
    assert m["shoulder_height_difference"].side == "right" and m["shoulder_height_difference"].value_deg > 4
    assert m["pelvic_obliquity"].side == "left" and m["pelvic_obliquity"].value_deg < -3
    assert m["trunk_shift"].value_cm == pytest.approx(truth_value(world, wi, "trunk_shift", "cm"), abs=0.6)
    assert finding(res, "posture_shoulder_asymmetry").side == "right"
    assert finding(res, "posture_pelvic_obliquity").status == "present"
    assert finding(res, "posture_pelvic_obliquity").side == "left"
    assert finding(res, "posture_trunk_shift").side == "right"


def test_back_photo_labelled_as_facing_camera_is_relabelled():
    # a pose model often takes a person seen from behind to face the camera: swap the labels as it would
    kp, _, _ = photo("frontal-back", noise_px=0.3, pelvic_drop_deg=-4.0)
    names = tuple(kp.xy)
    swapped = {n.replace("left_", "TMP_").replace("right_", "left_").replace("TMP_", "right_"): kp.xy[n] for n in names}
    arr = np.array([np.r_[swapped[n], 0.0] for n in names])
    kp2 = still_from_arrays(arr, np.ones(len(names)), names, view="back", image_size_px=kp.image_size_px,
                            min_score=0.5)
    assert {"shoulder", "hip"} <= set(kp2.sides_swapped)
    res = assess_keypoints({"back": [kp2]}, keypoint_sigma_px=0.3)
    assert res.views["back"].measures["pelvic_obliquity"].side == "left"
    assert any("face the other way" in q for q in res.views["back"].quality)


def test_findings_from_phantom_asymmetries():
    kp, _, _ = photo("frontal-front", noise_px=0.5, knee_valgus_deg=12.0)
    res = assess_keypoints({"front": [kp]}, keypoint_sigma_px=0.5)
    f = finding(res, "posture_knee_valgus")
    assert f.status == "present" and f.side == "both" and f.severity == 2
    assert any("Moreland" in e.source for e in f.evidence)
    assert finding(res, "posture_knee_varus").status == "absent"

    kp, _, _ = photo("sagittal-left", noise_px=0.5, forward_head_m=0.10)
    res = assess_keypoints({"side": [kp]}, keypoint_sigma_px=0.5)
    f = finding(res, "posture_forward_head")
    assert f.status == "present" and f.severity >= 1 and f.evidence[0].threshold == 50

    kp, _, _ = photo("sagittal-right", noise_px=0.5)
    res = assess_keypoints({"side": [kp]}, keypoint_sigma_px=0.5)
    assert finding(res, "posture_forward_head").status == "absent"
    assert res.posture_type["type"] == "ideal"


def test_neutral_phantom_raises_no_frontal_flags_with_the_model_error():
    kp, _, _ = photo("frontal-front", noise_px=1.0)
    res = assess_keypoints({"front": [kp]}, height_m=1.70)  # default error model (pose model + variability)
    present = [f.code for f in res.findings if f.status == "present"]
    assert present == []
    codes = {f.code for f in res.findings}
    assert codes == set(FINDING_CODES)
    assert finding(res, "posture_anterior_pelvic_tilt").status == "not_assessable"
    assert finding(res, "posture_forward_head").status == "not_assessable"  # no side view


def _side_figure(hip_ahead_cm: float, shoulder_behind_hip_cm: float, knee_back_cm: float):
    """A side view built by hand (person faces image right, 1 px = 0.2 cm, stature 850 px = 1.70 m)."""
    cm = 5.0  # px per cm
    ankle = np.array([500.0, 1800.0])
    hip = ankle + [hip_ahead_cm * cm, -(0.530 - 0.039) * 850]
    knee = (ankle + hip) / 2 + [-knee_back_cm * cm, 0]
    sh = hip + [-shoulder_behind_hip_cm * cm, -(0.818 - 0.530) * 850]
    ear = sh + [4 * cm, -(0.930 - 0.818) * 850]
    pts = {"ankle": ankle, "knee": knee, "hip": hip, "shoulder": sh, "ear": ear, "eye": ear + [8 * cm, -4],
           "heel": ankle + [-6 * cm, 30], "toe": ankle + [19 * cm, 33]}
    names, xyz = [], []
    for s in ("left", "right"):
        for j, p in pts.items():
            names.append(f"{s}_{j}")
            xyz.append([p[0], p[1], 0.0])
    names.append("nose")
    xyz.append([ear[0] + 10 * cm, ear[1] + 10, 0.0])
    return still_from_arrays(np.array(xyz), np.ones(len(names)), tuple(names), view="side",
                             image_size_px=(1000, 1900), min_score=0.5)


def test_sway_back_recognised_only_when_landmarks_show_it():
    kp = _side_figure(hip_ahead_cm=9.0, shoulder_behind_hip_cm=8.0, knee_back_cm=2.0)
    res = assess_keypoints({"side": [kp]}, height_m=1.70, keypoint_sigma_px=1.0)
    m = res.views["side"].measures
    assert m["hip_ahead_of_plumb"].value_cm == pytest.approx(9.0, abs=0.05)
    assert m["trunk_lean"].value_cm == pytest.approx(-8.0, abs=0.05)
    assert m["knee_sagittal"].value_deg < -1.0  # knee behind the hip-ankle line: hyperextension sign
    assert res.posture_type["type"] == "sway-back"
    assert finding(res, "posture_sway_back").status == "present"
    assert finding(res, "posture_pelvis_forward").status == "present"
    # hips forward but trunk upright: not sway-back, and kypho-lordotic / flat-back are not claimed
    kp = _side_figure(hip_ahead_cm=9.0, shoulder_behind_hip_cm=0.0, knee_back_cm=0.0)
    res = assess_keypoints({"side": [kp]}, height_m=1.70, keypoint_sigma_px=1.0)
    assert res.posture_type["type"] == "not distinguishable from landmarks"
    assert any("pelvic tilt" in s for s in res.posture_type["cannot_be_seen"])


def test_knee_hyperextension_against_loudon_cutoff():
    kp = _side_figure(hip_ahead_cm=0.0, shoulder_behind_hip_cm=0.0, knee_back_cm=6.0)
    res = assess_keypoints({"side": [kp]}, keypoint_sigma_px=0.5)
    hyper = -res.views["side"].measures["knee_sagittal"].value_deg
    # knee 6 cm behind the line at mid-leg, half leg 0.246 * 170 cm = 41.7 cm: 2 * atan(6 / 41.7) = 16.4 deg
    assert hyper == pytest.approx(2 * np.degrees(np.arctan(6.0 / ((0.530 - 0.039) * 170 / 2))), abs=0.2)
    f = finding(res, "posture_knee_hyperextension")
    assert f.status == "present" and f.severity == 2


# ----------------------------------------------------------------------------- quality
def test_feet_cut_off():
    kp, _, _ = photo("frontal-front", distance_m=0.8)  # too close for a portrait frame: feet outside
    with pytest.raises(GaitscopeError, match="cut off|edge"):
        check_view(kp, K)


def test_side_photo_given_as_front_and_front_given_as_side():
    kp, _, _ = photo("sagittal-left")
    names = tuple(kp.xy)
    arr = np.array([np.r_[kp.xy[n], 0.0] for n in names])
    as_front = still_from_arrays(arr, np.ones(len(names)), names, view="front", image_size_px=kp.image_size_px,
                                 min_score=0.5, source="side.jpg")
    with pytest.raises(GaitscopeError, match="side.jpg: this looks like a side view"):
        check_view(as_front, K, flag="--front")
    kp, _, _ = photo("frontal-front")
    names = tuple(kp.xy)
    arr = np.array([np.r_[kp.xy[n], 0.0] for n in names])
    as_side = still_from_arrays(arr, np.ones(len(names)), names, view="side", image_size_px=kp.image_size_px,
                                min_score=0.5, source="front.jpg")
    with pytest.raises(GaitscopeError, match="front.jpg: this looks like a front or back view"):
        check_view(as_side, K)


def test_sitting_is_refused():
    kp, _, _ = photo("frontal-front")
    xy = dict(kp.xy)
    for s in ("left", "right"):  # thighs horizontal toward the camera: knees just below the hips
        xy[f"{s}_knee"] = xy[f"{s}_hip"] + [0, 0.05 * (xy[f"{s}_ankle"][1] - xy[f"{s}_hip"][1])]
    names = tuple(xy)
    arr = np.array([np.r_[xy[n], 0.0] for n in names])
    sitting = still_from_arrays(arr, np.ones(len(names)), names, view="front", image_size_px=kp.image_size_px,
                                min_score=0.5)
    with pytest.raises(GaitscopeError, match="sitting"):
        check_view(sitting, K)


def _tilt_camera_down(kp, pitch_deg: float, focal_px: float):
    """Re-render image keypoints as if the camera were pitched down by ``pitch_deg`` about its centre
    (the homography K R K^-1 of a pure rotation; the virtual camera's own axis is horizontal)."""
    w, h = kp.image_size_px
    K_ = np.array([[focal_px, 0, w / 2], [0, focal_px, h / 2], [0, 0, 1.0]])
    t = np.radians(pitch_deg)
    R = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])  # rows: right, down, fwd
    H = K_ @ R @ np.linalg.inv(K_)
    names = tuple(kp.xy)
    pts = np.array([np.r_[kp.xy[n], 1.0] for n in names]) @ H.T
    arr = np.column_stack([pts[:, :2] / pts[:, 2:], np.zeros(len(names))])
    return still_from_arrays(arr, np.ones(len(names)), names, view=kp.view, image_size_px=(w, h), min_score=0.5)


def test_photo_from_above_and_close_gets_a_perspective_note():
    # phone held high (2.3 m) and close (1.3 m), tilted 45 deg down to get the whole body in: wide lens
    w, h, hfov = 3000, 5000, 100.0
    f = (w / 2) / np.tan(np.radians(hfov) / 2)
    kp, _, _ = photo("frontal-front", distance_m=1.3, camera_height_m=2.3, image_size_px=(w, h), noise_px=0.0,
                     hfov_deg=hfov)
    tilted = _tilt_camera_down(kp, 45.0, f)
    notes = check_view(tilted, K)
    assert any("from above or too close" in n or "camera was probably above" in n for n in notes), notes
    kp, _, _ = photo("frontal-front", distance_m=3.0)
    assert check_view(kp, K) == []


def test_step_in_a_frontal_photo_is_refused():
    kp, _, _ = photo("frontal-front")
    xy = dict(kp.xy)
    lift = 0.08 * (xy["left_ankle"][1] - xy["left_eye"][1])
    for j in ("ankle", "heel", "toe"):
        xy[f"left_{j}"] = xy[f"left_{j}"] - [0, lift]
    names = tuple(xy)
    arr = np.array([np.r_[xy[n], 0.0] for n in names])
    kp2 = still_from_arrays(arr, np.ones(len(names)), names, view="front", image_size_px=kp.image_size_px, min_score=0.5)
    with pytest.raises(GaitscopeError, match="a step rather than standing"):
        check_view(kp2, K)
    # one knee higher (bent knee / foot forward): a note, and the pelvic and knee findings are not assessable
    xy = dict(kp.xy)
    xy["left_knee"] = xy["left_knee"] - [0, 0.035 * (xy["left_ankle"][1] - xy["left_eye"][1])]
    arr = np.array([np.r_[xy[n], 0.0] for n in names])
    kp3 = still_from_arrays(arr, np.ones(len(names)), names, view="front", image_size_px=kp.image_size_px, min_score=0.5)
    res = assess_keypoints({"front": [kp3]}, keypoint_sigma_px=0.5)
    assert any("one knee is" in q for q in res.views["front"].quality)
    for code in ("posture_pelvic_obliquity", "posture_knee_valgus", "posture_knee_varus"):
        f = finding(res, code)
        assert f.status == "not_assessable" and "one knee is" in f.reason
    assert finding(res, "posture_shoulder_asymmetry").status == "absent"


def test_no_person_and_second_person_with_an_injected_pose_function(tmp_path):
    from PIL import Image

    p = tmp_path / "front.png"
    Image.fromarray(np.full((1920, 1080, 3), 128, np.uint8)).save(p)
    kp, _, _ = photo("frontal-front", distance_m=3.0, noise_px=0.0)
    names = tuple(kp.xy)
    person = np.array([np.r_[kp.xy[n], 0.0] for n in names])

    def nobody(rgb):
        return np.full((len(names), 3), np.nan), np.zeros(len(names)), names

    with pytest.raises(GaitscopeError, match="front.png: no person found"):
        measure_image(p, "front", knowledge=K, estimator=nobody)

    calls = []

    def two_people(rgb):  # second call (first person painted over) finds another whole person
        calls.append(1)
        shift = 0.0 if len(calls) == 1 else -400.0
        return person + [shift, 0, 0], np.ones(len(names)), names

    with pytest.raises(GaitscopeError, match="second person"):
        measure_image(p, "front", knowledge=K, estimator=two_people)

    def one_person(rgb):  # finds the same person again when looking twice: not a second person
        return person, np.ones(len(names)), names

    vr = measure_image(p, "front", knowledge=K, estimator=one_person, height_m=1.7)
    assert "pelvic_obliquity" in vr.measures


def test_walking_instead_of_standing_is_refused():
    kp, _, _ = photo("sagittal-left")
    names = tuple(kp.xy)
    base = np.array([kp.xy[n] for n in names])
    t = np.arange(30) / 15.0
    xy = np.stack([base + [120.0 * ti, 0.0] for ti in t])  # travelling 120 px/s (about 0.3 m/s)
    stat = np.full(len(t), 800.0)
    feet = tuple(i for i, n in enumerate(names) if n.endswith(("ankle", "heel", "toe")))
    with pytest.raises(GaitscopeError, match="never stands still"):
        steadiest_second(t, xy, stat, np.ones(len(t), bool), feet, max_spread=0.015, max_feet_spread=0.02,
                         source="walk.mp4")
    still = np.stack([base for _ in t])
    win = steadiest_second(t, still, stat, np.ones(len(t), bool), feet, max_spread=0.015, max_feet_spread=0.02,
                           source="stand.mp4")
    assert win.t_s[-1] - win.t_s[0] == pytest.approx(1.0, abs=0.07)


# ----------------------------------------------------------------------------- inputs and outputs
def test_exif_orientation_is_applied(tmp_path):
    from PIL import Image

    stored = np.zeros((100, 200, 3), np.uint8)  # stored landscape 200 x 100
    stored[:10, :10] = 255  # a white block at the stored top-left
    im = Image.fromarray(stored)
    exif = im.getexif()
    exif[0x0112] = 6  # "rotate 90 deg clockwise to display"
    p = tmp_path / "portrait.jpg"
    im.save(p, exif=exif, quality=95)
    rgb = load_image(p)
    assert rgb.shape == (200, 100, 3)  # displayed portrait 100 x 200
    assert rgb[:10, -10:].mean() > 200  # the stored top-left is now at the top-right


def test_bad_image_files(tmp_path):
    p = tmp_path / "notes.jpg"
    p.write_text("not a photo")
    with pytest.raises(GaitscopeError, match="notes.jpg: cannot be read as a photo"):
        load_image(p)
    e = tmp_path / "empty.png"
    e.write_bytes(b"")
    with pytest.raises(GaitscopeError, match="empty"):
        load_image(e)
    try:
        import pillow_heif  # noqa: F401
    except ImportError:
        h = tmp_path / "IMG_0001.HEIC"
        h.write_bytes(b"\x00\x00\x00\x18ftypheic")
        with pytest.raises(GaitscopeError, match="pillow-heif"):
            load_image(h)


def test_outputs_json_and_annotated_images(tmp_path):
    from gaitscope.posture.annotate import annotate_frontal, annotate_sagittal

    kf, _, _ = photo("frontal-front", shoulder_drop_deg=4.0)
    ks, _, _ = photo("sagittal-left", forward_head_m=0.08)
    res = assess_keypoints({"front": [kf], "side": [ks]}, height_m=1.7, keypoint_sigma_px=0.5)
    for view, kp in (("front", kf), ("side", ks)):
        res.views[view].rgb = np.zeros((1920, 1080, 3), np.uint8)
    path = write_outputs(res, tmp_path, K)
    data = json.loads(path.read_text())
    assert data["views"]["front"]["annotated_image"] == "front_annotated.jpg"
    assert {m["name"] for m in data["measures"]} >= {"shoulder_height_difference", "cva", "head_forward"}
    assert all("definition" in m and m["definition"] for m in data["measures"])
    assert {f["code"] for f in data["findings"]} == set(FINDING_CODES)
    assert "Screening, not diagnosis" in data["screening_note"]
    img = annotate_frontal(np.zeros((1920, 1080, 3), np.uint8), kf, res.views["front"].measures)
    y = int(round(kf.p("left_shoulder")[1]))
    assert img[y - 3 : y + 4, int(kf.p("right_shoulder")[0]) : int(kf.p("left_shoulder")[0])].any()
    img = annotate_sagittal(np.zeros((1920, 1080, 3), np.uint8), ks, res.views["side"].measures)
    x = int(round((ks.p("left_ankle")[0] + ks.p("right_ankle")[0]) / 2))
    assert img[:, x - 2 : x + 3].sum() > 0  # the plumb line


# ----------------------------------------------------------------------------- real inputs
def test_real_portrait_photo_without_feet_is_refused_by_the_cli(capsys):
    """grace_hopper.jpg (matplotlib sample data): a head-and-shoulders portrait, no legs or feet."""
    from gaitscope.cli import main

    rc = main(["posture", "--front", str(GRACE_HOPPER)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "grace_hopper.jpg: the feet or legs are cut off" in err
    assert "Traceback" not in err


def test_cli_needs_a_view(capsys):
    from gaitscope.cli import main

    assert main(["posture"]) == 2
    assert "at least one view" in capsys.readouterr().err


@pytest.mark.slow
def test_real_video_standing_moment_side_view(shared_data, tmp_path):
    """walk_sagittal_older_adult.mp4: she stops at the left edge about frame 163 and stands until
    about 182 (../shared/data/README.md; we viewed frame 172 ourselves: standing still, facing left)."""
    from gaitscope.posture import assess_posture

    res = assess_posture(side=shared_data / "video" / "walk_sagittal_older_adult.mp4", height_m=1.60,
                         out_dir=tmp_path)
    vr = res.views["side"]
    assert vr.kind == "video"
    assert 155 <= vr.frames[0] and vr.frames[-1] <= 190 and vr.t_s[-1] - vr.t_s[0] >= 0.45
    assert (tmp_path / "side_annotated.jpg").exists() and (tmp_path / "posture.json").exists()
    m = vr.measures
    assert 30.0 < m["cva"].value_deg < 70.0
    assert abs(m["trunk_lean"].value_deg) < 15.0  # upright stance
    assert any("turned part-way" in q for q in vr.quality)  # she stands partly turned (seen in frame 172)
    assert finding(res, "posture_forward_head").status == "not_assessable"
    assert res.posture_type["type"] == "not assessable"


@pytest.mark.slow
def test_real_video_front_view_finds_the_still_end_of_the_lateral_raise_clip(shared_data, tmp_path):
    """not_gait_lateral_raise.mp4: a man faces the camera doing dumbbell raises for most of the clip; we
    viewed frame 525 ourselves: he stands still at the end, arms down, feet apart under the hips."""
    from gaitscope.posture import assess_posture

    res = assess_posture(front=shared_data / "video" / "not_gait_lateral_raise.mp4", height_m=1.80, out_dir=tmp_path)
    vr = res.views["front"]
    assert vr.frames[0] >= 480  # not during the raises
    m = vr.measures
    assert abs(m["shoulder_height_difference"].value_deg) < 3.0  # he stands level (as seen in frame 525)
    assert abs(m["pelvic_obliquity"].value_deg) < 4.0
    assert abs(m["trunk_shift"].value_cm) < 4.0



def test_importing_the_posture_stage_loads_no_model_or_video_library():
    import subprocess
    import sys

    code = ("import sys, gaitscope.posture, gaitscope.knowledge.posture; "
            "print(sorted(m for m in ('cv2', 'mediapipe', 'av') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def _write_video(path: Path, n_frames: int, rate: int = 10) -> None:
    from clips import still_clip

    still_clip(path, 320, 240, n_frames, rate=rate)


def test_video_too_short_or_without_a_person(tmp_path, capsys):
    from gaitscope.cli import main

    short = tmp_path / "short.mp4"
    _write_video(short, 12)  # 1.2 s
    assert main(["posture", "--side", str(short)]) == 2
    assert "short.mp4: the video is shorter than 1.4 s" in capsys.readouterr().err
    empty = tmp_path / "empty_room.mp4"
    _write_video(empty, 25)  # 2.5 s of a grey wall
    assert main(["posture", "--front", str(empty)]) == 2
    assert "empty_room.mp4: no person found" in capsys.readouterr().err


def _roll_camera(kp, roll_deg: float, hip_extra_px: float = 0.0):
    """Re-render image keypoints as if the camera were rolled by ``roll_deg`` about the image centre
    (+ = image content turned counter-clockwise on screen); the right hip is then moved ``hip_extra_px``
    further toward the low side (a hip-landmark error that exaggerates the hip line's tilt)."""
    w, h = kp.image_size_px
    t = np.radians(roll_deg)
    c = np.array([w / 2, h / 2])
    R = np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]])  # y down: counter-clockwise on screen
    names = tuple(kp.xy)
    pts = np.array([R @ (kp.xy[n] - c) + c for n in names])
    low_right = np.sign(pts[names.index("right_shoulder")][1] - pts[names.index("left_shoulder")][1])
    pts[names.index("right_hip")] += np.array([0.0, low_right * hip_extra_px])
    arr = np.column_stack([pts, np.zeros(len(names))])
    return still_from_arrays(arr, np.ones(len(names)), names, view=kp.view, image_size_px=(w, h), min_score=0.5)


@pytest.mark.parametrize("camera", ["frontal-front", "frontal-back"])
@pytest.mark.parametrize("roll_deg", [4.0, -4.0])
def test_rolled_camera_is_noted_even_when_the_hip_line_is_noisy(camera, roll_deg):
    # seen on a real photo turned by 4 deg (the lateral-raise frame): shoulders 2.5, hips 5.7, knees 4.5 deg, so
    # the lines disagreed by more than 1.5 deg, nothing was noted, and the roll came out as a "trunk shift"
    # of 5 cm and a "weight shift" of 6 cm. Here: the neutral phantom, camera rolled, right hip 12 px off
    # (about 3 deg of hip line at this distance, like the real model's hip error).
    kp, _, _ = photo(camera, noise_px=0.5)
    rolled = _roll_camera(kp, roll_deg, hip_extra_px=12.0)
    notes = check_view(rolled, K)
    assert any("camera may not have been held level" in n for n in notes), notes
    res = assess_keypoints({VIEW[camera]: [rolled]}, height_m=1.70)
    for code in ("posture_trunk_shift", "posture_weight_shift", "posture_pelvic_obliquity"):
        assert finding(res, code).status == "not_assessable", code
    # a real trunk shift or pelvic drop on a level camera is not mistaken for a roll
    for asym in ({"trunk_shift_m": 0.04}, {"pelvic_drop_deg": -3.0}, {"shoulder_drop_deg": 4.0}):
        kp, _, _ = photo(camera, noise_px=0.5, **asym)
        assert not any("held level" in n for n in check_view(kp, K)), asym

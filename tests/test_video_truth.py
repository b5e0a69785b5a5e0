"""Event timing on real video against foot contacts read by eye (slow: runs the pose model).

Truth: ``tests/data/video_contacts_eye.csv`` (37 contacts read off PNG crops of
``walk_sagittal_older_adult.mp4`` passes 0 and 1 and ``walk_outdoor_two_people.mp4``, whose 5 FCs were
read on 2026-12-06 with a criterion visible above the grass; how: see
``tests/data/README.md``). Scoring: ``benchmarks/video_events.py`` (nearest detected event of the
same kind within 5 frames; error = detected - read, in frames at 30 fps).

Measured when this test was written (pose model in accurate mode, height 1.60 m; fresh pose of pose stage
versions 3 and 4 (identical), ``benchmarks/video_events.py --force``, 2026-12-06, with the video FC from the foot's
forward motion):

=====================  ====  =====  =======  ======  =========
part                   kind  read   missed   mean    max |err|
=====================  ====  =====  =======  ======  =========
pass 0 (forward)       IC    8      0        +0.51   3.09
pass 0 (forward)       FC    6      0        -1.57   1.95
pass 1 (backwards)     IC    7      0        +0.55   1.09
pass 1 (backwards)     FC    6      0        -0.52   1.89
walker on grass        IC    5      0        -0.79   2.01
walker on grass        FC    5      0        -1.54   2.81
=====================  ====  =====  =======  ======  =========

No extra detections inside the read spans; all 32 contacts found. Against the plate-equivalent
reading (docs/events.md, "What a contact is"): pass 0 IC -0.84, FC -0.57, grass IC +0.62 frames; grass FC
-0.98 frames: inside the one-frame target by 0.02 frame only (it was -1.86 before the video FC was read from the
foot's forward motion; docs/events.md, "The outdoor walker's final contacts"). Keypoint noise added to the pose
(``benchmarks/video_events.py --noise-px 1``: 1 px per frame, 12 draws) moves these means by SD 0.03, 0.03,
0.07 and 0.09 (grass FC: range -1.25 .. -0.92) frames and misses nothing; with 3 px, pass 0 IC reads
-1.08 +- 0.17 (its first landing, 38.5, the foot at the image's right edge, missed in one draw) and grass FC
-0.97 +- 0.25 (range -1.72 .. -0.75).
How far CI's recomputed keypoints are from this machine's was not measured; the target (|mean| <= 1
frame) is reported by the benchmark and asserted here with a quarter frame for another machine's keypoints. The first landing of each clip (38.5: her first step into view, the other foot
beyond the image edge; 79 on grass: before the people search first sees the walker at frame 81) may be
missed; every other contact must be found, including pass 1's first landing (190), which starts from
standing: it comes before the steady part that makes the pass, and its stance overlaps the pass
(``events.foot_velocity.stance_bounds_pass``). The other bounds sit a little outside the measured
numbers so that a change that makes events worse fails, while one that removes the FC bias (-1.57
frames in pass 0 against the raw reading) still passes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]

# measured -> bound (frames)
MAX_ABS_ERR_FRAMES = 3.5          # largest single error on the older adult 3.09 (first IC of pass 0)
MAX_ABS_FC_ERR_FRAMES = 2.5       # every FC of the older adult: largest 1.95
# the walker on grass: every error (largest 2.81: the FC read at 123, where the toe keypoint leaves 1-2 frames
# before the toes; 4.40 at the FC read at 86 before the FC was read from the forward motion)
MAX_ABS_ERR_GRASS_FRAMES = 3.5
MAX_ABS_MEAN_FRAMES = {           # |mean error| per part and kind
    ("pass 0 (forward)", "ic"): 1.2,    # +0.51
    ("pass 0 (forward)", "fc"): 2.0,    # -1.57
    ("pass 1 (backwards)", "ic"): 1.0,  # +0.55
    ("pass 1 (backwards)", "fc"): 1.0,  # -0.52
    ("walker on grass", "ic"): 1.2,     # -0.79
    ("walker on grass", "fc"): 2.0,     # -1.54 (3 px keypoint noise: the plate-equivalent mean moves by SD 0.25)
}
MAX_MEDIAN_PASS0_IC_FRAMES = 0.8  # +0.31: the steady-state landings are on time
# The first landing of each clip may be missed (the foot at the image's edge, or before the walker is
# first seen); no other contact may (pass 1's first landing, frame 190, was missed from commit 294708e
# until the events stage kept a pass's first stance when it begins before the steady travel).
EXPECTED_MISSED = {("walk_sagittal_older_adult", "ic", 38.5), ("walk_outdoor_two_people", "ic", 79.0)}
# issue 11's target is |mean| <= 1 frame against the plate-equivalent reading; measured here -0.84 (pass 0 IC),
# -0.57, +0.62. The CI machine recomputes the pose and its keypoints differ slightly from this machine's (a
# whole far-leg stride changed between the two once); 3 px of added keypoint noise moves pass 0 IC to
# -1.09 +- 0.20. The test allows a quarter frame of that variation, so it guards against events getting worse
# without failing on another machine's keypoints; the target itself is reported by benchmarks/video_events.py.
PLATE_EQUIVALENT_BOUND_FRAMES = 1.25
# The grass FCs against the plate-equivalent reading: measured -0.98 (1 px noise: SD 0.09, range -1.25 .. -0.92;
# 3 px: SD 0.25, range -1.72 .. -0.75). The one-frame target is met on this machine's keypoints by 0.02 frame, not
# with a margin for another machine's; this bound stops it from getting worse (it was -1.86 before the forward
# FC cue), it does not assert the target.
PLATE_EQUIVALENT_GRASS_FC_BOUND_FRAMES = 1.5
MAX_ABS_DOUBLE_SUPPORT_ERR_FRAMES = 3.0  # pass 0: -2.36 (read 5.50, detected 3.14 frames)


def _bench():
    spec = importlib.util.spec_from_file_location("video_events", REPO / "benchmarks" / "video_events.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_truth_table_is_consistent():
    """Every read contact lies in exactly one read span; kinds alternate within each part."""
    bench = _bench()
    truth, spans = bench.load_truth()
    assert len(truth) >= 25
    assert set(truth["event"]) == {"ic", "fc"}
    assert set(truth["confidence"]) <= {"clear", "blurred"}
    assert np.all((truth["frame"] * 2) % 1 == 0)  # whole or half frames
    for part, g in truth.groupby("part"):
        kinds = g.sort_values("frame")["event"].to_numpy()
        if set(kinds) == {"ic", "fc"}:
            # where both kinds were read, no two FCs follow each other (an IC may repeat where
            # an FC was not readable, e.g. the toe at the image's edge)
            assert not any(a == b == "fc" for a, b in zip(kinds[:-1], kinds[1:])), part


@pytest.mark.slow
def test_video_events_against_eye_read_contacts(shared_data, tmp_path):
    from gaitscope.pose.run import run_pose

    bench = _bench()
    truth, spans = bench.load_truth()
    pose_csv = {}
    for clip in dict.fromkeys(truth["clip"]):
        run_pose(shared_data / "video" / f"{clip}.mp4", out_dir=tmp_path / clip, progress=False)
        pose_csv[clip] = tmp_path / clip / "pose.csv"
    rows, extras = bench.score_clips(pose_csv, truth, spans)
    assert extras.empty, extras.to_string()
    missed = rows[rows["detected_frame"].isna()]
    assert set(zip(missed["clip"], missed["event"], missed["frame"].astype(float))) <= EXPECTED_MISSED, \
        missed.to_string()
    grass = rows["clip"] == "walk_outdoor_two_people"
    err = rows.loc[~grass, "error_frames"].dropna()
    assert err.abs().max() <= MAX_ABS_ERR_FRAMES, rows.to_string()
    assert rows.loc[grass, "error_frames"].dropna().abs().max() <= MAX_ABS_ERR_GRASS_FRAMES, rows.to_string()
    fc = rows[(rows["event"] == "fc") & ~grass]["error_frames"].dropna()
    assert fc.abs().max() <= MAX_ABS_FC_ERR_FRAMES, rows.to_string()
    summ = bench.summarize(rows, extras).set_index(["part", "event"])
    for key, bound in MAX_ABS_MEAN_FRAMES.items():
        assert abs(summ.loc[key, "mean"]) <= bound, (key, summ.loc[key].to_dict())
    assert summ.loc[("pass 0 (forward)", "ic"), "median"] <= MAX_MEDIAN_PASS0_IC_FRAMES
    ph = bench.phase_durations(rows)
    ds0 = ph[(ph["part"] == "pass 0 (forward)") & (ph["phase"] == "double_support")]
    assert len(ds0) >= 5
    assert abs(ds0["error_frames"].mean()) <= MAX_ABS_DOUBLE_SUPPORT_ERR_FRAMES, ds0.to_string()
    # issue 11: against the plate-equivalent reading (each read frame moved by its criterion's median
    # offset from force-plate contact, measured on the lab corpus markers; docs/events.md, "What a contact
    # is") IC and FC are within one frame on average: measured pass 0 IC -0.84, FC -0.57, grass IC +0.62, grass FC
    # -0.98 (bounded more loosely, see PLATE_EQUIVALENT_GRASS_FC_BOUND_FRAMES)
    if (shared_data / "mocap_corpus").is_dir():
        ppm = {clip: bench.clip_px_per_m(p) for clip, p in pose_csv.items()}
        pe = bench.plate_equivalent(truth, ppm)
        pes = bench.summarize(*bench.score_clips(pose_csv, pe, spans)).set_index(["part", "event"])
        for key in (("pass 0 (forward)", "ic"), ("pass 0 (forward)", "fc"), ("walker on grass", "ic")):
            assert abs(pes.loc[key, "mean"]) <= PLATE_EQUIVALENT_BOUND_FRAMES, (key, pes.loc[key].to_dict())
        key = ("walker on grass", "fc")
        assert abs(pes.loc[key, "mean"]) <= PLATE_EQUIVALENT_GRASS_FC_BOUND_FRAMES, (key, pes.loc[key].to_dict())


def test_grass_fc_criterion_against_the_force_plate(shared_data):
    """The outdoor clip's FC criterion (the forefoot 4 px ahead of where the toes rested; tests/data/README.md) on
    the corpus markers at that clip's scale (269 px/m): met after the plate's lift-off, by less than a frame
    (measured +19 ms, IQR +17 .. +22, 23 plate FCs of 11 files); from the marker's flat-foot position, which rolls
    forward before lift-off, it would come before the plate (-43 ms). benchmarks/video_events.py shifts the read
    grass FCs by the first."""
    if not (shared_data / "mocap_corpus").is_dir():
        pytest.skip("../shared/data/mocap_corpus not present")
    import sys
    sys.path.insert(0, str(REPO / "benchmarks"))
    from contact_definitions import criterion_offsets, summary

    s = summary(criterion_offsets(269.0)).set_index("criterion")
    assert s.loc["fc_move", "n"] >= 15 and s.loc["fc_move", "files"] >= 8
    assert 5 <= s.loc["fc_move", "median_ms"] <= 33
    assert s.loc["fc_move", "q3_ms"] - s.loc["fc_move", "q1_ms"] <= 20
    assert s.loc["fc_move_stance", "median_ms"] < 0 < s.loc["fc_move", "median_ms"]
    assert _bench().CRITERION[("walk_outdoor_two_people", "fc")] == "fc_move"

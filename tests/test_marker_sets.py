"""Marker-set detection, naming conventions, duplicate labels, units and the no-heel fallback (issue 11).

Synthetic files whose marker positions are written here (test_markers' walking person) are
renamed to each vendor's convention; the truth is the positions written into the file
(heel/toe/knee keypoints equal the named markers, hip centres per Harrington by hand).
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from lab_files import write_c3d
from test_markers import HJC_LEFT, PIG, SPEED_MPS, _synthetic_person, _to_lab_mm, _write_c3d, _write_trc

from gaitscope.capture.markers import (
    load_marker_maps,
    load_markers,
    normalise_marker_name,
    resolve_duplicate_labels,
    virtual_heel,
)
from gaitscope.types import GaitscopeError


def _shared_file(shared_data, rel: str):
    """``shared_data / rel``; the test is skipped when that file is absent."""
    path = shared_data / rel
    if not path.exists():
        pytest.skip(f"{rel} absent from the shared data")
    return path


def _write_c3d_raw(path, names, arrays_lab_units, rate_hz, unit="mm", events=()):
    """C3D with given labels (duplicates allowed) and lab-frame arrays already in the file's unit."""
    write_c3d(path, names, arrays_lab_units, rate_hz, unit=unit, events=events)


def _renamed(person, mapping):
    return {mapping.get(k, k): v for k, v in person.items() if mapping.get(k, k) is not None}


def test_normalised_names():
    assert {normalise_marker_name(x) for x in ("L.Heel", "L_HEEL", "l heel", "LHEEL", " l-heel ")} == {"lheel"}


def test_every_builtin_set_has_a_source():
    for ms in load_marker_maps().values():
        assert len(ms.source) > 20, ms.name


# vendor naming -> expected set; each maps the PiG names of the synthetic person
VENDORS = {
    "qualisys_sports": {"LHEE": "L_HEEL", "RHEE": "R_HEEL", "LTOE": "L_MT_1", "RTOE": "R_MT_1", "LANK": "L_ANKLE",
                        "RANK": "R_ANKLE", "LKNE": "L_KNEE", "RKNE": "R_KNEE", "LASI": "L_ASIS", "RASI": "R_ASIS",
                        "LPSI": "L_PSIS", "RPSI": "R_PSIS"},
    "qualisys_cast": {"LHEE": "L_FCC", "RHEE": "R_FCC", "LTOE": "L_FM1", "RTOE": "R_FM1", "LANK": "L_FAL",
                      "RANK": "R_FAL", "LKNE": "L_FLE", "RKNE": "R_FLE", "LASI": "L_IAS", "RASI": "R_IAS",
                      "LPSI": "L_IPS", "RPSI": "R_IPS"},
    "codamotion": {"LHEE": "L.Heel", "RHEE": "R.Heel", "LTOE": "L.Toe", "RTOE": "R.Toe", "LANK": "L.Ankle",
                   "RANK": "R.Ankle", "LKNE": "L.Knee", "RKNE": "R.Knee", "LASI": "L.ASIS", "RASI": "R.ASIS",
                   "LPSI": "L.PSIS", "RPSI": "R.PSIS"},
    "motion_analysis_helen_hayes": {"LTOE": "L.TO", "RTOE": "R.TO", "LPSI": None, "RPSI": None},
    "bts_davis": {"LHEE": "l heel", "RHEE": "r heel", "LTOE": "l met", "RTOE": "r met", "LANK": "l mall",
                  "RANK": "r mall", "LKNE": "l knee 1", "RKNE": "r knee 1", "LASI": "l asis", "RASI": "r asis",
                  "LPSI": None, "RPSI": None},
    "motionmonitor": {"LHEE": "LCAL", "RHEE": "RCAL", "LTOE": "LPM1", "RTOE": "RPM1", "LANK": "LLM", "RANK": "RLM",
                      "LKNE": "LLE", "RKNE": "RLE"},
    "opensim_rajagopal": {"LHEE": "LCAL", "RHEE": "RCAL", "LTOE": "LTOE", "RTOE": "RTOE", "LKNE": "LKNE"},
}


@pytest.mark.parametrize("expected", sorted(VENDORS))
def test_vendor_names_detected(expected, tmp_path):
    person = _synthetic_person(100, 100.0)
    for k in ("C7", "LSHO", "RSHO"):  # trunk names differ by vendor; the feet, knees and pelvis decide here
        del person[k]
    if expected == "motion_analysis_helen_hayes":
        person["VSAC"] = 0.5 * (person["LPSI"] + person["RPSI"])
    if expected == "bts_davis":
        person["sacrum"] = 0.5 * (person["LPSI"] + person["RPSI"])
    markers = _renamed(person, VENDORS[expected])
    path = tmp_path / f"{expected}.c3d"
    unit, factor = ("m", 1.0) if expected == "motionmonitor" else ("mm", 1000.0)
    names = list(markers)
    _write_c3d_raw(path, names, [_to_lab_mm(markers[k]) / 1000.0 * factor for k in names], 100.0, unit=unit)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = load_markers(path)
    ch = rec.pose.meta["marker_set_choice"]
    if expected == "opensim_rajagopal":
        # LCAL/LTOE/LKNE/LANK/LASI/LPSI are shared with MotionMonitor's names; either is a right reading
        assert ch["chosen"] in ("opensim_rajagopal", "motionmonitor")
    else:
        assert ch["chosen"] == expected
    assert {s["set"] for s in ch["scores"]} == set(load_marker_maps())
    src = VENDORS[expected]
    for kp, pig in (("left_heel", "LHEE"), ("right_toe", "RTOE"), ("left_knee", "LKNE")):
        np.testing.assert_allclose(rec.pose.get(kp), person[pig], atol=1e-6)
        assert src.get(pig, pig) in ch["markers_used"][kp]
    t = rec.pose.t_s
    expected_hip = np.asarray(HJC_LEFT)[None, :] + np.stack([SPEED_MPS * t, 0 * t, 0 * t], axis=1)
    if expected in ("motion_analysis_helen_hayes", "bts_davis"):  # sacrum = PSIS midpoint: same centre
        np.testing.assert_allclose(rec.pose.get("left_hip"), expected_hip, atol=1e-4)


def test_duplicate_all_zero_labels_never_overwrite(tmp_path):
    """Medial markers exported under the lateral names, all zero: the real markers are kept."""
    person = _synthetic_person(80, 100.0)
    names = list(person)
    arrays = [_to_lab_mm(person[k]) for k in names]
    for dup in ("LKNE", "RKNE", "LANK", "RANK"):
        names.append(dup)
        arrays.append(np.zeros_like(arrays[0]))
    path = tmp_path / "dups.c3d"
    _write_c3d_raw(path, names, arrays, 100.0)
    rec = load_markers(path)
    np.testing.assert_allclose(rec.pose.get("left_knee"), person["LKNE"], atol=1e-6)
    np.testing.assert_allclose(rec.pose.get("right_ankle"), person["RANK"], atol=1e-6)
    assert any("duplicate label 'LKNE'" in n for n in rec.notes)


def test_duplicate_resolution_fills_gaps_from_the_other():
    a = np.full((10, 3), np.nan)
    a[:6] = 1.0
    b = np.full((10, 3), np.nan)
    b[4:] = 2.0
    xyz = np.stack([b, a], axis=1)
    out, notes = resolve_duplicate_labels(["X", "x"], xyz)
    (kept,) = out.values()
    assert list(out) == ["X"]  # b has 6 samples, a 6: tie -> first
    np.testing.assert_allclose(kept[4:, 0], 2.0)
    np.testing.assert_allclose(kept[:4, 0], 1.0)
    assert notes and "4 gap samples filled" in notes[0]


def test_vsac_instead_of_sacr(tmp_path):
    person = _synthetic_person(80, 100.0)
    person["VSAC"] = 0.5 * (person.pop("LPSI") + person.pop("RPSI"))
    path = tmp_path / "vsac.trc"
    _write_trc(path, person, 100.0)
    rec = load_markers(path)
    assert rec.pose.meta["marker_set"] == "plug_in_gait"
    assert "VSAC" in rec.pose.meta["keypoint_sources"]["left_hip"]
    t = rec.pose.t_s
    np.testing.assert_allclose(rec.pose.get("left_hip")[:, 2], HJC_LEFT[2], atol=1e-4)
    np.testing.assert_allclose(rec.pose.get("left_hip")[:, 0], HJC_LEFT[0] + SPEED_MPS * t, atol=1e-4)


@pytest.mark.parametrize("unit,factor", [("mm", 1000.0), ("m", 1.0), ("cm", 100.0), (None, 1000.0), (None, 1.0)])
def test_units(unit, factor, tmp_path):
    person = _synthetic_person(80, 100.0)
    names = list(person)
    path = tmp_path / "u.c3d"
    _write_c3d_raw(path, names, [_to_lab_mm(person[k]) / 1000.0 * factor for k in names], 100.0, unit=unit)
    rec = load_markers(path)
    np.testing.assert_allclose(rec.pose.get("left_toe"), person["LTOE"], atol=1e-6)
    if unit is None:
        assert any("states no unit" in n for n in rec.notes)


def test_unit_that_contradicts_the_numbers_is_refused(tmp_path):
    person = _synthetic_person(80, 100.0)
    names = list(person)
    path = tmp_path / "wrong_unit.c3d"
    _write_c3d_raw(path, names, [_to_lab_mm(person[k]) / 1000.0 for k in names], 100.0, unit="mm")  # metres, says mm
    with pytest.raises(GaitscopeError, match=r"wrong_unit\.c3d: the file says its unit is 'mm'"):
        load_markers(path)


def test_no_heel_markers_virtual_heel(tmp_path):
    """Older Plug-in-Gait without heels: the heel is built below the ankle marker and the output says so."""
    n, rate = 200, 100.0
    t = np.arange(n) / rate
    person = _synthetic_person(n, rate)
    # the left foot pitches (toe up 20 deg) in the second half; the ankle is the pivot
    pitch = np.where(t >= 1.0, np.radians(20.0), 0.0)
    ank = person["LANK"]
    rel = PIG["LTOE"][0] - PIG["LANK"][0], PIG["LTOE"][1] - PIG["LANK"][1]
    person["LTOE"] = ank + np.stack([rel[0] * np.cos(pitch) - rel[1] * np.sin(pitch),
                                     rel[0] * np.sin(pitch) + rel[1] * np.cos(pitch), 0 * t], axis=1)
    person["LTOE"][:, 2] = PIG["LTOE"][2]
    for k in ("LHEE", "RHEE"):
        del person[k]
    path = tmp_path / "noheel.trc"
    _write_trc(path, person, rate)
    rec = load_markers(path)
    assert rec.pose.meta["marker_set_choice"]["heel_stand_in"] == ["left", "right"]
    assert any("no heel marker on the left and right foot" in n for n in rec.notes)
    heel = rec.pose.get("left_heel")
    flat = t < 1.0
    # foot flat: straight below the ankle marker at the toe marker's height
    np.testing.assert_allclose(heel[flat, 0], person["LANK"][flat, 0], atol=1e-6)
    np.testing.assert_allclose(heel[flat, 1], PIG["LTOE"][1], atol=1e-6)
    # pitched 20 deg: the heel -> toe line pitches 20 deg too (rigid with the foot)
    d = rec.pose.get("left_toe")[~flat] - heel[~flat]
    np.testing.assert_allclose(np.degrees(np.arctan2(d[:, 1], d[:, 0])), 20.0, atol=0.01)


def test_virtual_heel_needs_ankle_and_toe_together():
    a = np.full((10, 3), np.nan)
    with pytest.raises(ValueError):
        virtual_heel(a, a)


def test_no_heel_or_toe_refusal_names_the_foot(tmp_path):
    person = _synthetic_person(60, 100.0)
    for k in ("LHEE", "LTOE", "LANK"):
        del person[k]
    path = tmp_path / "noleft.trc"
    _write_trc(path, person, 100.0)
    with pytest.raises(GaitscopeError) as info:
        load_markers(path)
    msg = str(info.value)
    assert msg.startswith(str(path)) and "no heel or toe marker for the left foot among:" in msg
    assert "LHEE" in msg and "L_FCC" in msg and "--marker-map" in msg


@pytest.mark.parametrize("label,context,kind,side", [
    ("Foot Strike", "Left", "ic", "left"), ("Foot Off", "Right", "fc", "right"),
    ("LHS", "", "ic", "left"), ("RTO", "", "fc", "right"),  # Qualisys: code in the label
    ("", "RHS", "ic", "right"), ("", "LTO", "fc", "left"),  # Motion Analysis Cortex: code in the context
])
def test_event_codes(label, context, kind, side, tmp_path):
    person = _synthetic_person(100, 100.0)
    path = tmp_path / "ev.c3d"
    _write_c3d(path, person, 100.0, 0, events=[(label, context, 0.5), ("Event", "General", 0.6)])
    ev = load_markers(path).reference_events
    assert len(ev) == 1 and ev["event"][0] == kind and ev["side"][0] == side
    assert ev["t_s"][0] == pytest.approx(0.5)


def test_all_zero_landmark_json_is_refused_cleanly(tmp_path):
    """Issue 11: landmarks all [0, 0, 0] -> one sentence, no numpy warning."""
    import json

    from gaitscope.capture.landmarks_json import load_landmarks_json

    names = ("left_hip", "right_hip", "left_heel", "right_heel", "left_toe", "right_toe")
    doc = {"fps": 100, "angle_frames": [{"frame_index": i, "landmark_positions": {n: [0, 0, 0] for n in names}}
                                        for i in range(50)]}
    path = tmp_path / "zeros.json"
    path.write_text(json.dumps(doc))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(GaitscopeError) as info:
            load_landmarks_json(path)
    msg = str(info.value)
    assert msg.startswith(str(path)) and "left heel landmark is missing (all zero) in every frame" in msg
    assert "all other landmarks" in msg and "\n" not in msg


def test_heel_only_missing_refusal_says_so(tmp_path):
    person = _synthetic_person(60, 100.0)
    for k in ("LHEE", "LANK"):  # toe present, no heel and no ankle to build one from
        del person[k]
    path = tmp_path / "noheel_noankle.trc"
    _write_trc(path, person, 100.0)
    with pytest.raises(GaitscopeError, match=r"no heel marker \(nor an ankle marker to build a heel from\) for the left foot among: .*LHEE, LANK"):
        load_markers(path)


# ------------------------------------------------------------------ markerless 3-D keypoint files (OpenCap, Pose2Sim)
def _markerless_trc(shared_data, tmp_path, layout: str):
    """The treadmill C3D's markers renamed as OpenCap or Pose2Sim name them, written as those tools write a TRC:
    metres, Y up (lab +z -> +y, lab +y -> -z). OpenCap holds its video keypoints (RHeel, RBigToe ...) and its
    augmented anatomical markers (r_calc_study ...: right lower-case ``r_``, left ``L_``) in one file."""
    import ezc3d

    from lab_files import trc_text

    src = _shared_file(shared_data, "mocap/treadmill_walk_events.c3d")
    c = ezc3d.c3d(str(src))
    labels = list(c["parameters"]["POINT"]["LABELS"]["value"])
    pts = c["data"]["points"][:3] / 1000.0
    rate = float(c["parameters"]["POINT"]["RATE"]["value"][0])

    def m(name):
        a = pts[:, labels.index(name), :].T
        return np.stack([a[:, 0], a[:, 2], -a[:, 1]], axis=1)

    out: dict[str, np.ndarray] = {}
    for S, s in (("R", "r"), ("L", "L")):
        out[f"{S}Heel"] = m(f"{S}HEE")
        out[f"{S}BigToe"] = m(f"{S}MT2")
        out[f"{S}SmallToe"] = m(f"{S}MT5")
        out[f"{S}Ankle"] = 0.5 * (m(f"{S}LM") + m(f"{S}MM"))
        out[f"{S}Knee"] = 0.5 * (m(f"{S}LEK") + m(f"{S}MEK"))
        # a pose model's hip point: about a quarter of the way in from the ASIS, 8 cm below it
        out[f"{S}Hip"] = m(f"{S}ASIS") + 0.25 * (m(f"{'L' if S == 'R' else 'R'}ASIS") - m(f"{S}ASIS")) - [0, 0.08, 0]
        if layout == "opencap":
            out[f"{s}.ASIS_study"] = m(f"{S}ASIS")
            out[f"{s}.PSIS_study"] = m(f"{S}PSIS")
            out[f"{s}_knee_study"], out[f"{s}_mknee_study"] = m(f"{S}LEK"), m(f"{S}MEK")
            out[f"{s}_ankle_study"], out[f"{s}_mankle_study"] = m(f"{S}LM"), m(f"{S}MM")
            out[f"{s}_toe_study"], out[f"{s}_5meta_study"] = m(f"{S}MT2"), m(f"{S}MT5")
            out[f"{s}_calc_study"] = m(f"{S}HEE")
    if layout == "opencap":
        out["C7_study"] = m("C7")
    path = tmp_path / f"{layout}.trc"
    path.write_text(trc_text(out, rate, unit="m", name=path.name, decimals=7))
    return path, src


@pytest.mark.parametrize("layout, expected", [("opencap", "opencap"), ("pose2sim", "openpose_keypoints")])
def test_markerless_trc_loads_and_gives_the_labs_events(layout, expected, shared_data, tmp_path):
    """OpenCap and Pose2Sim TRC names load without a map; their events match the lab's own EVENT section as the
    C3D's do; they take the keypoint IC rule (not the heel-marker median) and report no lab-marker error."""
    from gaitscope.capture.load import load_keypoints
    from gaitscope.pipeline import analyze

    path, src = _markerless_trc(shared_data, tmp_path, layout)
    rec = load_markers(path)
    choice = rec.pose.meta["marker_set_choice"]
    assert choice["chosen"] == expected and choice["markerless"] is True
    assert rec.pose.measured_with == "markerless"
    ref = load_keypoints(src).reference_events  # the lab's events, not gaitscope's
    res = analyze(path, write=False)
    ev = res.events
    for kind in ("ic", "fc"):
        r = ref[ref["event"] == kind]
        errs = []
        for _, row in r.iterrows():
            same = ev[(ev["event"] == kind) & (ev["side"] == row["side"])]["t_s"].to_numpy()
            if same.size and np.abs(same - row["t_s"]).min() <= 0.1:
                errs.append(1000 * np.abs(same - row["t_s"]).min())
        assert len(errs) >= 0.95 * len(r), (kind, len(errs), len(r))
        assert np.mean(errs) <= 10.0, (kind, np.mean(errs))
    params = res.summary["parameters"]
    assert params["cadence_spm"].get("error") is None  # no error measured for markerless keypoints


def test_markerless_overground_file_keeps_the_keypoint_initial_contact(shared_data, tmp_path):
    """The heel-marker median IC (the default for overground marker recordings) is not used for markerless
    keypoints: the Nexus 1.8 corpus file takes it as a C3D and does not once its markers are renamed as OpenCap's."""
    from gaitscope.events import FootVelocityEventDetector
    from gaitscope.signal import prepare_walk

    from lab_files import trc_text

    src = _shared_file(shared_data, "mocap_corpus/viconNexus18_btkdata-pig_overground_1.c3d")
    rec = load_markers(src)
    det = FootVelocityEventDetector()
    assert det.ic_median_sides(prepare_walk(rec.pose)) == ("left", "right")
    names = {"HEE": "_calc_study", "TOE": "_toe_study", "ANK": "_ankle_study", "KNE": "_knee_study",
             "ASI": ".ASIS_study", "PSI": ".PSIS_study"}
    out = {}
    for S, s in (("R", "r"), ("L", "L")):
        for pig, oc in names.items():
            out[f"{s}{oc}"] = rec.markers[f"{S}{pig}"]
    path = tmp_path / "opencap_overground.trc"
    path.write_text(trc_text(out, rec.rate_hz, unit="m", name=path.name, decimals=7))
    oc = load_markers(path)
    assert oc.pose.meta["marker_set_choice"]["chosen"] == "opencap"
    assert det.ic_median_sides(prepare_walk(oc.pose)) == ()


def _fukuchi_markers(orig) -> dict[str, np.ndarray]:
    """walk_subject01.trc's markers (a MarkerRecording) renamed as the Fukuchi datasets name theirs: clusters renamed,
    each fourth marker and the heel cluster rigid combinations of that segment's own markers (coefficients summing
    to one), PSIS on the sacral marker's level; no anatomical knee or ankle marker (static trials only)."""
    g = {k: np.asarray(v, float) for k, v in orig.markers.items()}
    out = {}
    for S, o in (("R", "L"), ("L", "R")):
        out[f"{S}.ASIS"] = g[f"{S}.ASIS"]
        out[f"{S}.PSIS"] = g["V.Sacral"] + 0.2 * (g[f"{S}.ASIS"] - g[f"{o}.ASIS"])
        for seg in ("Thigh", "Shank"):
            u, f, r = g[f"{S}.{seg}.Upper"], g[f"{S}.{seg}.Front"], g[f"{S}.{seg}.Rear"]
            out[f"{S}.{seg}.Top.Lateral"], out[f"{S}.{seg}.Top.Medial"], out[f"{S}.{seg}.Bottom.Lateral"] = u, f, r
            out[f"{S}.{seg}.Bottom.Medial"] = f + r - u
        h = g[f"{S}.Heel"]
        out[f"{S}.Heel.Bottom"] = h
        out[f"{S}.Heel.Top"] = h + 0.25 * (g[f"{S}.Midfoot.Sup"] - g[f"{S}.Midfoot.Lat"])
        out[f"{S}.Heel.Lateral"] = h + 0.3 * (g[f"{S}.Midfoot.Lat"] - h)
        out[f"{S}.MT1"], out[f"{S}.MT5"] = g[f"{S}.Toe.Med"], g[f"{S}.Toe.Lat"]
    return out


def _plate_errors_ms(path) -> dict[str, list[float]]:
    """|event - force-plate contact| (ms) of ``analyze(path)`` for each of walk_subject01's plate contacts."""
    from test_markers import README_CONTACTS

    from gaitscope.pipeline import analyze

    ev = analyze(path, write=False).events
    errs: dict[str, list[float]] = {"ic": [], "fc": []}
    for kind, side, t in README_CONTACTS:
        same = ev[(ev["event"] == kind) & (ev["side"] == side)]["t_s"].to_numpy()
        assert same.size and np.abs(same - t).min() < 0.1, (kind, side, t)
        errs[kind].append(1000 * np.abs(same - t).min())
    return errs


def test_fukuchi_names_with_clusters_only_load_and_track_the_ik_knee(shared_data, tmp_path):
    """A walking trial named as the Fukuchi public datasets name theirs (heel cluster R.Heel.Top/.Bottom/.Lateral,
    R.MT1/R.MT5, four-marker thigh and shank clusters, no anatomical knee or ankle marker: those are in the static
    trial only) loads without a map, gets functional knee and ankle centres, and matches OpenSim's own inverse
    kinematics and force plates. Built from walk_subject01.trc: its clusters renamed, each fourth marker and the
    heel cluster rigid combinations of that segment's own markers (coefficients summing to one), PSIS on the
    sacral marker's level."""
    from lab_files import trc_text
    from test_markers import _knee_from_keypoints

    src = _shared_file(shared_data, "mocap/walk_subject01.trc")
    orig = load_markers(src)
    out = _fukuchi_markers(orig)
    path = tmp_path / "WBDS01walkO01C.trc"
    path.write_text(trc_text(out, orig.rate_hz, unit="m", name=path.name, decimals=6))
    rec = load_markers(path)
    choice = rec.pose.meta["marker_set_choice"]
    assert choice["chosen"] == "fukuchi"
    for side in ("left", "right"):
        assert choice["markers_used"][f"{side}_knee"].startswith("functional centre")
        assert choice["markers_used"][f"{side}_ankle"].startswith("functional centre")
        ik = orig.model_angles[orig.model_angles["side"] == side]  # OpenSim IK of the full marker set
        ours = _knee_from_keypoints(rec.pose, side)[ik["frame"].to_numpy()]
        assert np.corrcoef(ours, ik["knee_flex_deg"])[0, 1] > 0.95
        assert np.sqrt(np.mean((ours - ik["knee_flex_deg"].to_numpy()) ** 2)) < 10.0  # 3.7 / 7.7 deg measured
    errs = _plate_errors_ms(path)  # the force plates
    assert np.mean(errs["ic"]) <= 10.0  # 3.7 ms measured
    assert np.mean(errs["fc"]) <= 12.0  # 9.7 ms measured: the MT1/MT5 markers leave before the toe tip


def _marker_table(markers: dict[str, np.ndarray], rate_hz: float, *, scale: float = 1000.0, time_decimals: int = 3,
                  sep: str = "\t", decimal: str = ".", newline: str = "\n") -> str:
    """A wide marker table as the Fukuchi datasets' *mkr.txt: 'Time' then <marker>X/Y/Z, tab-separated, in mm,
    the time column rounded (their 150 Hz files step 0.007 s); ``sep``/``decimal``/``newline`` as a spreadsheet saves it."""
    names = list(markers)
    n = len(next(iter(markers.values())))

    def num(v: float, d: int) -> str:
        return f"{v:.{d}f}".replace(".", decimal)

    lines = [sep.join(["Time"] + [f"{m}{a}" for m in names for a in "XYZ"])]
    for i in range(n):
        cells = [num(i / rate_hz, time_decimals)]
        for m in names:
            cells += ["NaN" if not np.isfinite(v) else num(v * scale, 3) for v in markers[m][i]]
        lines.append(sep.join(cells))
    return newline.join(lines) + newline


@pytest.mark.parametrize("form", ["tab", "semicolon_decimal_comma_crlf_bom"])
def test_fukuchi_marker_table_txt_loads_with_its_rate_from_the_time_span(form, shared_data, tmp_path):
    """The Fukuchi datasets' ASCII marker files (*mkr.txt: 'Time', then R.ASISX R.ASISY R.ASISZ ..., mm, the time
    column rounded) load like their C3D: the rate from the time column's span (rounded steps would give 58.8 Hz
    here, not 60), mm inferred from the body's extent, events against walk_subject01's force plates."""
    src = _shared_file(shared_data, "mocap/walk_subject01.trc")
    orig = load_markers(src)
    path = tmp_path / "WBDS01walkO01Cmkr.txt"
    if form == "tab":
        path.write_text(_marker_table(_fukuchi_markers(orig), orig.rate_hz))
    else:  # as a European spreadsheet saves it: ';' between cells, ',' as the decimal separator, CRLF, a BOM
        text = _marker_table(_fukuchi_markers(orig), orig.rate_hz, sep=";", decimal=",", newline="\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    rec = load_markers(path)
    assert rec.pose.meta["marker_set_choice"]["chosen"] == "fukuchi"
    assert rec.rate_hz == pytest.approx(60.0, abs=0.01)
    assert any("mm inferred" in n for n in rec.notes)
    np.testing.assert_allclose(rec.pose.get("left_heel"), load_markers(src).pose.get("left_heel"), atol=2e-3)
    errs = _plate_errors_ms(path)
    assert np.mean(errs["ic"]) <= 10.0 and np.mean(errs["fc"]) <= 12.0


@pytest.mark.parametrize("damage, says", [
    ("ragged", "line 5 of the marker table has"),
    ("no_time", "no time column"),
    ("not_a_number", "not a number"),
    ("irregular", "not evenly sampled"),
    ("no_triplets", "names no marker with X, Y and Z"),
    ("tab_decimal_comma", "decimal comma"),
])
def test_damaged_marker_table_is_refused_by_name(damage, says, tmp_path):
    from gaitscope.cli import main

    rows = ["Time\tR.HeelX\tR.HeelY\tR.HeelZ"] + [f"{i / 100:.3f}\t{i}.0\t50.0\t100.0" for i in range(20)]
    if damage == "ragged":
        rows[4] += "\t7.0"
    elif damage == "no_time":
        rows[0] = rows[0].replace("Time", "Frame")
    elif damage == "not_a_number":
        rows[6] = rows[6].replace("50.0", "abc", 1)
    elif damage == "irregular":
        del rows[8:12]  # four dropped frames
    elif damage == "tab_decimal_comma":
        rows[3] = rows[3].replace("50.0", "50,0")
    elif damage == "no_triplets":
        rows[0] = "Time\tR.Heel1\tR.Heel2\tR.Heel3"
    path = tmp_path / "walk.txt"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(GaitscopeError, match=says):
        load_markers(path)
    assert main(["analyze", str(path), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out" / "summary.json").exists()


# ------------------------------------------------------------------ lab software text exports (Vicon Nexus CSV, QTM TSV)
@functools.lru_cache(maxsize=None)
def _c3d_events(src):
    """The events ``analyze`` finds in a shared C3D (each file analysed once for all the export tests)."""
    from gaitscope.pipeline import analyze

    return analyze(src, write=False).events


def _events_match(a, b, tol_s: float = 0.001) -> None:
    """Same events (kind, side, time within ``tol_s``) in two event tables."""
    assert len(a) == len(b)
    for (_, x), (_, y) in zip(a.iterrows(), b.iterrows()):
        assert (x["event"], x["side"]) == (y["event"], y["side"]) and abs(x["t_s"] - y["t_s"]) <= tol_s


def _mm_cells(rec, names: list[str], *, missing: str) -> list[list[str]]:
    """Per frame, the X/Y/Z cells of ``names`` in millimetres; a missing marker as three ``missing`` cells."""
    out = []
    for i in range(rec.pose.n_frames):
        vals = []
        for m in names:
            p = rec.markers[m][i]
            vals += [missing] * 3 if not np.isfinite(p).all() else [f"{1000 * v:.4f}" for v in p]
        out.append(vals)
    return out


@pytest.mark.parametrize("layout", ["column_header", "qtm_2_17_no_column_header"])
def test_qtm_tsv_export_gives_the_c3ds_events(layout, shared_data, tmp_path):
    """The Qualisys corpus trial written as QTM writes a 3-D TSV (KEY<tab>value header, MARKER_NAMES, FREQUENCY,
    mm, missing markers as 0 0 0; newer QTM adds a 'Frame Time <marker> X ...' column header) loads with the same
    marker set and gives the same events as its C3D."""
    from gaitscope.pipeline import analyze

    src = _shared_file(shared_data, "mocap_corpus/qualisys_ezc3d_overground_1.c3d")
    rec = load_markers(src)
    names = list(rec.markers)
    n = rec.pose.n_frames
    head = [f"NO_OF_FRAMES\t{n}", "NO_OF_CAMERAS\t8", f"NO_OF_MARKERS\t{len(names)}", f"FREQUENCY\t{rec.rate_hz:g}",
            "NO_OF_ANALOG\t0", "ANALOG_FREQUENCY\t0", "DESCRIPTION\t--", "TIME_STAMP\t2012-01-01, 10:00:00",
            "DATA_INCLUDED\t3D", "MARKER_NAMES\t" + "\t".join(names), "TRAJECTORY_TYPES\t" + "\t".join(["Measured"] * len(names))]
    if layout == "column_header":
        head.append("Frame\tTime\t" + "\t".join(f"{m} {a}" for m in names for a in "XYZ"))
    rows = []
    for i, vals in enumerate(_mm_cells(rec, names, missing="0.000")):
        lead = [str(i + 1), f"{i / rec.rate_hz:.5f}"] if layout == "column_header" else []
        rows.append("\t".join(lead + vals))
    path = tmp_path / "qualisys.tsv"
    path.write_text("\n".join(head + rows) + "\n")
    tsv = load_markers(path)
    assert tsv.pose.meta["marker_set"] == rec.pose.meta["marker_set"] == "qualisys_cast"
    assert tsv.rate_hz == rec.rate_hz and tsv.pose.n_frames == n
    _events_match(analyze(path, write=False).events, _c3d_events(src))


def test_vicon_nexus_csv_export_gives_the_c3ds_events(shared_data, tmp_path):
    """The treadmill C3D written as Vicon Nexus exports CSV (a Devices section first, then Trajectories: rate, names
    with a 'Subject:' prefix, 'Frame,Sub Frame,X,Y,Z', units, frames from 101, empty cells for gaps) loads through
    gaitscope analyze and gives the same events as the C3D; a gap in the frame numbers is refused by name."""
    from gaitscope.capture.load import load_keypoints
    from gaitscope.pipeline import analyze

    src = _shared_file(shared_data, "mocap/treadmill_walk_events.c3d")
    rec = load_markers(src)
    names = list(rec.markers)
    n = rec.pose.n_frames
    lines = ["Devices", "1000", ",,Force Plate 1 - Force,,", "Frame,Sub Frame,Fx,Fy,Fz", ",,N,N,N"]
    lines += [f"{101 + i // 10},{i % 10},0,0,0" for i in range(10 * n)] + [""]  # 1000 Hz for the whole trial
    lines += ["Trajectories", f"{rec.rate_hz:g}", ",," + ",".join(f"Subject:{m},," for m in names),
              "Frame,Sub Frame," + ",".join("X,Y,Z" for _ in names), ",," + ",".join("mm,mm,mm" for _ in names)]
    for i, vals in enumerate(_mm_cells(rec, names, missing="")):
        lines.append(",".join([str(101 + i), "0"] + vals))
    path = tmp_path / "walk.csv"
    path.write_text("\n".join(lines) + "\n\n")
    assert load_keypoints(path).pose.meta["marker_set"] == rec.pose.meta["marker_set"]
    _events_match(analyze(path, write=False).events, _c3d_events(src))
    broken = tmp_path / "gap.csv"
    body = path.read_text().splitlines()
    k = body.index("Trajectories") + 5 + 200
    broken.write_text("\n".join(body[:k] + body[k + 3:]) + "\n")
    with pytest.raises(GaitscopeError, match="frame numbers do not step by one"):
        load_markers(broken)
    devices_only = tmp_path / "devices.csv"
    devices_only.write_text("\n".join(body[:body.index("Trajectories")]) + "\n")
    with pytest.raises(GaitscopeError, match="no complete 'Trajectories' section \\(it holds: Devices\\)"):
        load_markers(devices_only)


def test_upper_case_time_header_is_a_plain_marker_table_not_a_qtm_header(tmp_path):
    rows = ["TIME\tR.HEELX\tR.HEELY\tR.HEELZ"] + [f"{i / 100:.3f}\t{i}.0\t50.0\t100.0" for i in range(20)]
    path = tmp_path / "walk.txt"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(GaitscopeError, match="no known marker set fits"):  # parsed: it fails on its one marker
        load_markers(path)


@pytest.mark.parametrize("labels", ["v1_23_labelled_rows", "older_unlabelled_rows"])
def test_optitrack_motive_csv_export_gives_the_c3ds_events(labels, shared_data, tmp_path):
    """The treadmill C3D written as OptiTrack Motive exports CSV (metadata line with Export Frame Rate and Length
    Units Meters, a blank line, Type/Name/ID rows with a 'Skeleton:' prefix, a rigid body and an unlabelled marker
    before the labelled ones, the Position row, 'Frame,Time (Seconds),X,Y,Z') gives the same events as the C3D."""
    from gaitscope.pipeline import analyze

    src = _shared_file(shared_data, "mocap/treadmill_walk_events.c3d")
    rec = load_markers(src)
    names = list(rec.markers)
    n = rec.pose.n_frames
    lab = (lambda k: f",{k}") if labels == "v1_23_labelled_rows" else (lambda k: ",")
    rb = ["Rigid Body"] * 7
    types = rb + ["Marker"] * 3 * (len(names) + 1)
    nm = ["Pelvis"] * 7 + ["Unlabeled 1000"] * 3 + [f"Skeleton:{m}" for m in names for _ in range(3)]
    comp = ["Rotation"] * 4 + ["Position"] * 3 + ["Position"] * 3 * (len(names) + 1)
    axes = ["X", "Y", "Z", "W", "X", "Y", "Z"] + ["X", "Y", "Z"] * (len(names) + 1)
    lines = [f"Format Version,1.23,Take Name,walk,Capture Frame Rate,{rec.rate_hz:.6f},Export Frame Rate,{rec.rate_hz:.6f},"
             f"Total Exported Frames,{n},Rotation Type,Quaternion,Length Units,Meters,Coordinate Space,Global", "",
             lab("Type") + "," + ",".join(types), lab("Name") + "," + ",".join(nm), lab("ID") + "," + ",".join(["1"] * len(nm)),
             ",," + ",".join(comp), "Frame,Time (Seconds)," + ",".join(axes)]
    for i, vals in enumerate(_mm_cells(rec, names, missing="")):
        metres = [f"{float(v) / 1000:.6f}" if v else "" for v in vals]
        lines.append(",".join([str(i), f"{i / rec.rate_hz:.6f}"] + ["0", "0", "0", "1", "0.1", "0.9", "0.2"] + ["", "", ""] + metres))
    path = tmp_path / "take.csv"
    path.write_text("\n".join(lines) + "\n")
    mo = load_markers(path)
    assert mo.pose.meta["marker_set"] == rec.pose.meta["marker_set"] and mo.rate_hz == rec.rate_hz
    _events_match(analyze(path, write=False).events, _c3d_events(src))


def test_trc_written_by_windows_software_in_its_code_page_loads(shared_data, tmp_path):
    """A TRC whose path line holds a user name in Windows-1252 (not UTF-8) loads as the original."""
    src = _shared_file(shared_data, "mocap/walk_subject01.trc")
    lines = src.read_bytes().split(b"\n")
    lines[0] = "PathFileType\t4\t(X/Y/Z)\tC:\\Users\\Jos\u00e9\\walk.trc\r".encode("cp1252")
    path = tmp_path / "walk.trc"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    np.testing.assert_allclose(load_markers(path).pose.xyz, load_markers(src).pose.xyz, equal_nan=True)


def test_two_subjects_in_one_c3d_are_never_merged(shared_data, tmp_path):
    """Labels 'Anna:LHEE' and 'Ben:LHEE' would merge once the prefix is dropped (two people's heels as one
    marker). With a tracked walking frame beside the walker, the walker's markers are used and the frame is named;
    with two complete walkers the file is refused, naming both."""
    src = _shared_file(shared_data, "mocap/treadmill_walk_events.c3d")
    rec = load_markers(src)
    names = list(rec.markers)
    arrays = [rec.markers[m] * 1000.0 for m in names]
    frame_markers = [rec.markers["LASIS"] * 1000.0 + [300.0 * k, 200.0, 500.0] for k in range(4)]
    prop = tmp_path / "walker_and_frame.c3d"
    write_c3d(prop, [f"Anna:{m}" for m in names] + [f"Frame:F{k}" for k in range(4)], arrays + frame_markers, rec.rate_hz)
    got = load_markers(prop)
    assert any("'Anna' are used" in n and "'Frame' (4 labels)" in n for n in got.notes)
    np.testing.assert_allclose(got.pose.xyz, rec.pose.xyz, atol=1e-6, equal_nan=True)
    two = tmp_path / "two_people.c3d"
    write_c3d(two, [f"Anna:{m}" for m in names] + [f"Ben:{m}" for m in names],
              arrays + [a + [0.0, 1000.0, 0.0] for a in arrays], rec.rate_hz)
    with pytest.raises(GaitscopeError, match="markers of 2 people .*'Anna', 'Ben'"):
        load_markers(two)

"""Generator of the hostile-input corpus (issue 13): >= 80 small hostile cases made at test time.

Nothing large is committed: every case is made from the repository's own synthetic walker (the phantom,
``gaitscope.phantom.walker.simulate``) written the way other tools write it (OpenSim TRC and .mot, C3D via
ezc3d, OpenPose JSON, keypoint CSV, landmark JSON, foot-marker CSV, intake files, marker-map TOML), then
mutated: broken encodings, doubled tabs, text in number cells, fill values, NaN/inf, absurd rates, damaged C3D
parameter sections, deep JSON, huge integers, bad command-line options ...

Each :class:`Case` says what must happen:

* ``expect="refuse"``: exit code 2 and exactly one line on stderr, ``gaitscope: ...``, that contains
  ``names`` (the file's name or the option) -- and no output file written;
* ``expect="ok"``: exit code 0 and ``check(summary)`` passes. The checks compare with the phantom's own truth
  (cadence, step length, knee flexion: values the code under test did not produce) or, for mutations that
  must not change anything (CRLF, byte-order mark, doubled header tabs, units in metres), with the summary of
  the unmutated file, which itself is checked against the phantom truth.

Used by ``tests/hostile/test_hostile.py`` (in-process through ``gaitscope.cli.main``, plus a few real
subprocesses) and ``benchmarks/hostile.py`` (every case as a subprocess, timed, memory measured).

Run ``python tests/hostile/hostile_cases.py DIR`` to write the corpus to DIR and list it.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared file writers
from lab_files import trc_text, write_c3d  # noqa: E402

HEIGHT_M = 1.70
SEED = 3
DURATION_S = 12.0
WORLD_RATE_HZ = 100.0
CAMERA_RATE_HZ = 30.0
#: Tolerances against the phantom truth (the analysis's own accuracy on clean synthetic input, docs/accuracy.md)
CADENCE_TOL_SPM = 2.0
STEP_TOL_M = 0.04
KNEE_TOL_DEG = 4.0


@dataclass
class Case:
    """One hostile input and the outcome it must have."""

    name: str
    klass: str
    argv: list[str]
    expect: str  # "refuse" | "ok"
    names: str = ""  # text the one-line refusal must contain
    check: Callable[[dict], None] | None = None
    out: Path | None = None
    python: Callable[[], Any] | None = None  # run in-process instead of argv (intake equality cases)
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------- base files
BODY25 = {
    0: "nose", 2: "right_shoulder", 3: "right_elbow", 4: "right_wrist", 5: "left_shoulder", 6: "left_elbow",
    7: "left_wrist", 9: "right_hip", 10: "right_knee", 11: "right_ankle", 12: "left_hip", 13: "left_knee",
    14: "left_ankle", 19: "left_toe", 21: "left_heel", 22: "right_toe", 24: "right_heel",
}
#: Plug-in-Gait label -> phantom keypoint (heel, toe, ankle, knee, shoulders, C7); ASIS/PSIS are placed so the
#: Harrington regression gives back the phantom's hip joint centres (see _pelvis_markers).
PIG = {"LHEE": "left_heel", "RHEE": "right_heel", "LTOE": "left_toe", "RTOE": "right_toe", "LANK": "left_ankle",
       "RANK": "right_ankle", "LKNE": "left_knee", "RKNE": "right_knee", "LSHO": "left_shoulder",
       "RSHO": "right_shoulder", "C7": "c7"}


def _pelvis_markers(pose) -> dict[str, np.ndarray]:
    """ASIS/PSIS (m, world frame) whose Harrington et al. (2007) hip centres are the phantom's hips.

    Harrington, pelvis frame (x forward, y up, z right), mm: HJC = ASIS midpoint + (-0.24 PD - 9.9,
    -0.30 PW - 10.9, +-(0.33 PW + 7.3)), PW = inter-ASIS width, PD = ASIS-to-PSIS midpoint depth. The pelvis is
    taken level and facing +x (the phantom walks along +x); PD is fixed at 160 mm.
    """
    lh, rh = pose.get("left_hip"), pose.get("right_hip")
    mid = (lh + rh) / 2.0
    half_mm = float(np.nanmedian(np.abs(rh[:, 2] - lh[:, 2]))) * 1000.0 / 2.0
    pw = (half_mm - 7.3) / 0.33
    pd_ = 160.0
    off = np.array([-0.24 * pd_ - 9.9, -0.30 * pw - 10.9, 0.0]) / 1000.0
    asis_mid = mid - off
    right = np.array([0.0, 0.0, 1.0])
    fwd = np.array([1.0, 0.0, 0.0])
    return {
        "LASI": asis_mid - right * pw / 2000.0,
        "RASI": asis_mid + right * pw / 2000.0,
        "LPSI": asis_mid - fwd * pd_ / 1000.0 - right * 0.045,
        "RPSI": asis_mid - fwd * pd_ / 1000.0 + right * 0.045,
    }


def _markers_m(walk) -> dict[str, np.ndarray]:
    pose = walk.pose
    out = {lab: pose.get(kp).copy() for lab, kp in PIG.items()}
    out.update(_pelvis_markers(pose))
    return out


def _trc_text(markers: dict[str, np.ndarray], rate_hz: float, *, unit: str = "mm", name: str = "walk.trc") -> str:
    scale = {"mm": 1000.0, "cm": 100.0, "m": 1.0}[unit]
    return trc_text({k: v * scale for k, v in markers.items()}, rate_hz, unit=unit, name=name)


def _write_c3d(path: Path, markers: dict[str, np.ndarray], rate_hz: float) -> None:
    write_c3d(path, list(markers), [v * 1000.0 for v in markers.values()], rate_hz)


def _mot_text(walk, *, in_degrees: bool = True) -> str:
    a = walk.angles
    t = np.sort(a["t_s"].unique())
    cols = {"time": t}
    for side, s in (("right", "r"), ("left", "l")):
        g = a[a["side"] == side].sort_values("t_s")
        conv = 1.0 if in_degrees else math.pi / 180.0
        cols[f"hip_flexion_{s}"] = g["hip_flex_deg"].to_numpy() * conv
        cols[f"knee_angle_{s}"] = -g["knee_flex_deg"].to_numpy() * conv
        cols[f"ankle_angle_{s}"] = g["ankle_dorsi_deg"].to_numpy() * conv
    names = list(cols)
    lines = ["Coordinates", "version=1", f"nRows={len(t)}", f"nColumns={len(names)}",
             f"inDegrees={'yes' if in_degrees else 'no'}", "endheader", "\t".join(names)]
    for i in range(len(t)):
        lines.append("\t".join(f"{cols[c][i]:.6f}" for c in names))
    return "\n".join(lines) + "\n"


def _pose_csv_text(pose) -> str:
    header = ["frame", "t_s"] + [f"{n}_{a}" for n in pose.names for a in ("x", "y", "score")]
    rows = [",".join(header)]
    for i in range(pose.n_frames):
        cells = [str(int(pose.frame_index[i])), f"{pose.t_s[i]:.6f}"]
        for j in range(len(pose.names)):
            x, y = pose.xyz[i, j, 0], pose.xyz[i, j, 1]
            cells += ["" if not np.isfinite(x) else f"{x:.3f}", "" if not np.isfinite(y) else f"{y:.3f}",
                      f"{pose.score[i, j]:.3f}"]
        rows.append(",".join(cells))
    return "\n".join(rows) + "\n"


def _openpose_frames(pose) -> list[dict]:
    frames = []
    for i in range(pose.n_frames):
        kp = np.zeros((25, 3))
        for idx, name in BODY25.items():
            xy = pose.get(name)[i, :2]
            if np.all(np.isfinite(xy)):
                kp[idx] = (xy[0], xy[1], max(pose.get_score(name)[i], 0.05))
        frames.append({"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": [round(float(v), 3) for v in kp.ravel()]}]})
    return frames


def _write_openpose(folder: Path, frames: list[dict], *, mutate: Callable[[int, dict], Any] | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, fr in enumerate(frames):
        doc: Any = json.loads(json.dumps(fr))
        if mutate is not None:
            doc = mutate(i, doc)
        text = doc if isinstance(doc, str) else json.dumps(doc)
        (folder / f"walk_{i:012d}_keypoints.json").write_text(text, encoding="utf-8")


def _landmarks_doc(walk, step: int = 2) -> dict:
    pose = walk.pose
    names = [n for n in pose.names if n.endswith(("_hip", "_knee", "_ankle", "_heel", "_toe", "_shoulder"))]
    frames = []
    for k, i in enumerate(range(0, pose.n_frames, step)):
        pos = {n: [round(float(v) * 1000.0, 2) for v in pose.get(n)[i]] for n in names}
        frames.append({"frame_index": k, "is_valid": True, "landmark_positions": pos})
    return {"name": "phantom", "fps": WORLD_RATE_HZ / step, "n_frames": len(frames), "angle_frames": frames,
            "ground_truth": {"hs_frames": {"left": [], "right": []}, "to_frames": {"left": [], "right": []}}}


def _foot_csv_text(walk) -> str:
    pose = walk.pose
    mk = {"L_FCC": pose.get("left_heel"), "L_TOE": pose.get("left_toe"), "R_FCC": pose.get("right_heel"),
          "R_TOE": pose.get("right_toe")}
    mk["L_FM5"] = (mk["L_FCC"] + 2 * mk["L_TOE"]) / 3 + np.array([0.0, 0.0, -0.03])
    mk["R_FM5"] = (mk["R_FCC"] + 2 * mk["R_TOE"]) / 3 + np.array([0.0, 0.0, 0.03])
    names = list(mk)
    l1 = "," + ",".join(n for n in names for _ in range(3))
    l2 = "," + ",".join(a for _ in names for a in "xyz")
    rows = [l1, l2]
    for i in range(pose.n_frames):
        rows.append(str(i) + "," + ",".join(f"{v * 1000.0:.3f}" for n in names for v in mk[n][i]))
    return "\n".join(rows) + "\n"


# ------------------------------------------------------------------------------------------------ checks
def truth_check(walk, *, knee: bool = False, spatial: bool = True) -> Callable[[dict], None]:
    """Summary vs the phantom's own truth (cadence, step length, knee swing flexion)."""
    tr = walk.truth

    def check(summary: dict) -> None:
        p = summary["parameters"]
        cad = p["cadence_spm"]["both"]["mean"]
        assert abs(cad - tr["cadence_spm"]) <= CADENCE_TOL_SPM, f"cadence {cad} vs truth {tr['cadence_spm']:.2f}"
        if spatial:
            step = p["step_length_m"]["both"]["mean"]
            t_step = float(np.mean(list(tr["step_length_m"].values())))
            assert abs(step - t_step) <= STEP_TOL_M, f"step length {step} vs truth {t_step:.3f}"
        if knee:
            k = p["knee_flex_swing_max_deg"]["both"]["mean"]
            t_k = float(np.mean([tr["per_side"][s]["knee_flex_swing_max_deg"] for s in ("left", "right")]))
            assert abs(k - t_k) <= KNEE_TOL_DEG, f"knee swing flexion {k} vs truth {t_k:.1f}"

    return check


def mot_check(walk) -> Callable[[dict], None]:
    tr = walk.truth

    def check(summary: dict) -> None:
        p = summary["parameters"]
        k = p["knee_flex_swing_max_deg"]["both"]["mean"]
        t_k = float(np.mean([tr["per_side"][s]["knee_flex_swing_max_deg"] for s in ("left", "right")]))
        assert abs(k - t_k) <= KNEE_TOL_DEG, f"knee swing flexion {k} vs truth {t_k:.1f}"

    return check


# ------------------------------------------------------------------------------------------------ corpus
def build_corpus(root: str | Path) -> list[Case]:
    """Write the base files and every hostile case under ``root``; return the cases."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    walk = simulate(duration_s=DURATION_S, rate_hz=WORLD_RATE_HZ, height_m=HEIGHT_M, seed=SEED)
    img = project(walk.pose, view="sagittal-left", rate_hz=CAMERA_RATE_HZ, image_size_px=(1280, 720), noise_px=0.5,
                  drop_fraction=0.0, seed=SEED)
    markers = _markers_m(walk)
    cases: list[Case] = []
    d = {k: root / k for k in ("trc", "c3d", "mot", "openpose", "csv", "landmarks", "foot", "intake", "map", "cli")}
    for v in d.values():
        v.mkdir(exist_ok=True)

    def out_of(name: str) -> Path:
        return root / "out" / name

    def add(name: str, klass: str, argv: list[str], expect: str, names: str = "", check=None, **kw: Any) -> None:
        out = out_of(name)
        if argv and argv[0] in ("analyze", "posture", "pose", "assess") and "--out" not in argv:
            argv = [*argv, "--out", str(out)]
        cases.append(Case(name=name, klass=klass, argv=argv, expect=expect, names=names, check=check, out=out, **kw))

    truth3d = truth_check(walk, knee=True)
    truth_img = truth_check(walk)

    # ---------------------------------------------------------------- TRC
    base_trc = _trc_text(markers, WORLD_RATE_HZ)
    lines = base_trc.split("\n")

    def trc(name: str, text: str | bytes, expect: str, check=None, extra_args: tuple = ()) -> None:
        p = d["trc"] / f"{name}.trc"
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        add(f"trc_{name}", "trc", ["analyze", str(p), *extra_args], expect, p.name, check)

    trc("base", base_trc, "ok", truth3d)
    trc("crlf", base_trc.replace("\n", "\r\n"), "ok", truth3d)
    trc("bom", "\ufeff" + base_trc, "ok", truth3d)
    trc("header_doubled_tabs", "\n".join([lines[0], lines[1].replace("\t", "\t\t"), lines[2].replace("\t", "\t\t"), *lines[3:]]), "ok", truth3d)
    trc("value_line_doubled_tab", "\n".join([lines[0], lines[1], lines[2].replace("\t", "\t\t", 1), *lines[3:]]), "ok", truth3d)
    trc("trailing_tabs", "\n".join(lines[:6] + [ln + "\t\t" if ln else ln for ln in lines[6:]]), "ok", truth3d)
    trc("metres", _trc_text(markers, WORLD_RATE_HZ, unit="m"), "ok", truth3d)
    trc("centimetres", _trc_text(markers, WORLD_RATE_HZ, unit="cm"), "ok", truth3d)
    trc("no_blank_line", "\n".join(lines[:5] + lines[6:]), "ok", truth3d)
    trc("time_column_zero", "\n".join(lines[:6] + ["\t".join([c if k != 1 else "0" for k, c in enumerate(ln.split("\t"))]) if ln else ln for ln in lines[6:]]), "ok", truth3d)
    row = lines[300].split("\t")
    trc("extra_tab_mid_row", "\n".join(lines[:300] + ["\t".join(row[:5] + [""] + row[5:])] + lines[301:]), "refuse")
    trc("extra_tab_every_row", "\n".join(lines[:6] + ["\t".join((r := ln.split("\t"))[:5] + [""] + r[5:]) if ln else ln for ln in lines[6:]]), "refuse")
    trc("missing_tab", "\n".join(lines[:300] + ["\t".join(row[:5]) + row[5] + "\t" + "\t".join(row[6:])] + lines[301:]), "refuse")
    trc("short_row", "\n".join(lines[:300] + ["\t".join(row[:-3])] + lines[301:]), "refuse")
    for label, rate in (("rate_zero", "0"), ("rate_nan", "NaN"), ("rate_text", "fast"), ("rate_5hz", "5.00"), ("rate_inf", "inf")):
        trc(label, "\n".join([lines[0], lines[1], lines[2].replace(f"{WORLD_RATE_HZ:.2f}", rate), *lines[3:]]), "refuse")
    trc("unit_furlong", base_trc.replace("\tmm\t", "\tfurlong\t", 1), "refuse")
    trc("text_cell", "\n".join(lines[:300] + ["\t".join(row[:7] + ["abc"] + row[8:])] + lines[301:]), "refuse")
    trc("fill_value_cell", "\n".join(lines[:300] + ["\t".join(row[:7] + ["-1e308"] + row[8:])] + lines[301:]), "refuse")
    trc("inf_cell", "\n".join(lines[:300] + ["\t".join(row[:7] + ["inf"] + row[8:])] + lines[301:]), "refuse")
    trc("cut_off", "\n".join(lines[:400]), "refuse")
    trc("header_only", "\n".join(lines[:6]), "refuse")
    trc("no_marker_names", "\n".join(lines[:3] + ["Frame#\tTime"] + lines[4:]), "refuse")
    # a right heel labelled LHEE: duplicate labels are resolved by data and the right heel comes from its stand-in
    trc("duplicate_marker", base_trc.replace("\tRHEE\t", "\tLHEE\t", 1), "ok", truth_check(walk))
    trc("marker_count_mismatch", "\n".join([lines[0], lines[1], lines[2].replace(f"\t{len(markers)}\t", "\t7\t"), *lines[3:]]), "refuse")
    # Windows lab software writes its code page: an accented user name in the path line is read as Windows-1252
    trc("cp1252_path_line", "\n".join([lines[0] + "\tC:\\Users\\Jos\u00e9", *lines[1:]]).encode("cp1252"), "ok", truth_check(walk))
    trc("binary", bytes(range(256)) * 40, "refuse")
    trc("all_empty", "\n".join(lines[:6] + ["\t".join(ln.split("\t")[:2] + [""] * (3 * len(markers))) if ln else ln for ln in lines[6:]]), "refuse")
    trc("too_few_frames", "\n".join(lines[:6] + lines[6:26]).replace(f"\t{len(lines) - 7}\t", "\t20\t"), "refuse")

    # ---------------------------------------------------------------- C3D
    base_c3d = d["c3d"] / "base.c3d"
    _write_c3d(base_c3d, markers, WORLD_RATE_HZ)
    add("c3d_base", "c3d", ["analyze", str(base_c3d)], "ok", base_c3d.name, truth3d)
    raw = base_c3d.read_bytes()
    ps = (raw[0] - 1) * 512

    def c3d(name: str, data: bytes, expect: str = "refuse", check=None) -> None:
        p = d["c3d"] / f"{name}.c3d"
        p.write_bytes(data)
        add(f"c3d_{name}", "c3d", ["analyze", str(p)], expect, p.name, check)

    def mut(pairs: list[tuple[int, int]]) -> bytes:
        b = bytearray(raw)
        for off, val in pairs:
            b[off] = val
        return bytes(b)

    # record offsets in the parameter section written by ezc3d 1.x: POINT group at +4, its USED at +14 ...
    recs = _param_records(raw)
    used = recs[("POINT", "USED")]
    analog_used = recs[("ANALOG", "USED")]
    c3d("truncated_half", raw[: len(raw) // 2])
    c3d("truncated_header", raw[:300])
    c3d("bad_key_byte", mut([(1, 0x00)]))
    c3d("param_block_beyond_eof", mut([(0, 250)]))
    c3d("processor_type_99", mut([(ps + 3, 99)]))
    c3d("param_dtype_7", mut([(used["dtype"], 7)]))
    c3d("param_ndim_132", mut([(analog_used["ndim"], 132)]))  # crashes ezc3d 1.7.2 natively (SIGSEGV)
    c3d("param_ndim_8", mut([(used["ndim"], 8)]))
    c3d("param_offset_negative", mut([(used["offset"], 0x00), (used["offset"] + 1, 0x80)]))
    c3d("param_orphan_group", mut([(used["gid"], 77)]))
    c3d("param_no_blocks", mut([(ps + 2, 0)]))
    c3d("text_named_c3d", b"this is not a c3d file at all\n" * 40)
    c3d("empty", b"")
    rate = recs[("POINT", "RATE")]
    c3d("rate_zero", _set_float(raw, rate["data"], 0.0))
    c3d("rate_nan", _set_float(raw, rate["data"], float("nan")))
    bad_name = d["c3d"].joinpath(b"walk_\xff\xfe.c3d".decode("utf-8", "surrogateescape"))
    try:
        bad_name.write_bytes(raw)
        add("c3d_non_utf8_name", "c3d", ["analyze", str(bad_name), "--out", str(out_of("c3d_non_utf8_name"))], "ok",
            "walk_", truth3d)
    except (OSError, UnicodeEncodeError):  # a file system that refuses such names: nothing to test there
        pass
    fill = np.ones((4, len(markers), 2))
    c3d("fill_value_coordinates", _c3d_with_fill(d["c3d"] / "tmp_fill.c3d", markers, -1e30))

    # ---------------------------------------------------------------- MOT
    base_mot = _mot_text(walk)
    mlines = base_mot.split("\n")

    def mot(name: str, text: str | bytes, expect: str, check=None) -> None:
        p = d["mot"] / f"{name}.mot"
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        add(f"mot_{name}", "mot", ["analyze", str(p)], expect, p.name, check)

    mcheck = mot_check(walk)
    mot("base", base_mot, "ok", mcheck)
    mot("crlf", base_mot.replace("\n", "\r\n"), "ok", mcheck)
    mot("bom", "\ufeff" + base_mot, "ok", mcheck)
    mot("radians", _mot_text(walk, in_degrees=False), "ok", mcheck)
    mrow = mlines[400].split("\t")
    mot("fill_value_cell", "\n".join(mlines[:400] + ["\t".join(mrow[:3] + ["-1e308"] + mrow[4:])] + mlines[401:]), "refuse")
    mot("inf_cell", "\n".join(mlines[:400] + ["\t".join(mrow[:3] + ["inf"] + mrow[4:])] + mlines[401:]), "refuse")
    mot("angle_5000", "\n".join(mlines[:400] + ["\t".join(mrow[:3] + ["5000"] + mrow[4:])] + mlines[401:]), "refuse")
    mot("all_nan", "\n".join(mlines[:7] + ["\t".join([ln.split("\t")[0]] + ["NaN"] * (len(mrow) - 1)) if ln else ln for ln in mlines[7:]]), "refuse")
    mot("time_backwards", "\n".join(mlines[:400] + ["\t".join(["0.5"] + mrow[1:])] + mlines[401:]), "refuse")
    mot("no_endheader", base_mot.replace("endheader\n", ""), "refuse")
    mot("text_cell", "\n".join(mlines[:400] + ["\t".join(mrow[:3] + ["knee"] + mrow[4:])] + mlines[401:]), "refuse")
    mot("short_row", "\n".join(mlines[:400] + ["\t".join(mrow[:-1])] + mlines[401:]), "refuse")
    mot("latin1", base_mot.replace("Coordinates", "Coordonn\u00e9es").encode("latin-1"), "refuse")
    mot("too_short", "\n".join(mlines[:7 + 30]), "refuse")

    # ---------------------------------------------------------------- OpenPose JSON folders
    frames = _openpose_frames(img)

    def op(name: str, mutate=None, expect: str = "refuse", fps: str = "30", check=None, n: int | None = None) -> None:
        folder = d["openpose"] / name
        _write_openpose(folder, frames[:n] if n else frames, mutate=mutate)
        add(f"openpose_{name}", "openpose", ["analyze", str(folder), "--fps", fps, "--height-m", f"{HEIGHT_M}"], expect,
            folder.name if expect == "refuse" else "", check)

    op("base", expect="ok", check=truth_img)
    op("people_null_some_frames", lambda i, doc: {**doc, "people": None} if i % 50 == 7 else doc, "ok", check=truth_img)
    op("people_null_everywhere", lambda i, doc: {**doc, "people": None})
    op("people_not_list", lambda i, doc: {**doc, "people": "nobody"} if i == 10 else doc)
    op("person_not_object", lambda i, doc: {**doc, "people": [5]} if i == 10 else doc)
    op("string_values", lambda i, doc: {**doc, "people": [{"pose_keypoints_2d": [str(v) for v in doc["people"][0]["pose_keypoints_2d"]]}]} if i == 10 else doc)
    op("eighteen_keypoints", lambda i, doc: {**doc, "people": [{"pose_keypoints_2d": doc["people"][0]["pose_keypoints_2d"][:54]}]} if i == 10 else doc)
    op("broken_json", lambda i, doc: "{broken" if i == 10 else doc)
    op("deep_json", lambda i, doc: "[" * 200000 + "]" * 200000 if i == 10 else doc)
    op("nan_constant", lambda i, doc: json.dumps(doc).replace("1.3", "NaN", 1) if i == 10 else doc)
    op("huge_integer", lambda i, doc: json.dumps(doc).replace("1.3", "1" * 5000, 1) if i == 10 else doc)
    op("fill_value_coordinate", lambda i, doc: {**doc, "people": [{"pose_keypoints_2d": [-1e308] + doc["people"][0]["pose_keypoints_2d"][1:]}]} if i == 10 else doc)
    op("top_level_list", lambda i, doc: [doc] if i == 10 else doc)
    op("rate_5hz", fps="5")
    cases[-1].names = "--fps"  # refused at the option: 5 frames per second cannot time contacts (never "running")
    op("zero_strides", expect="refuse", n=25)
    for label, fps in (("fps_inf", "inf"), ("fps_1e9", "1e9"), ("fps_negative", "-3"), ("fps_nan", "nan")):
        add(f"openpose_{label}", "cli", ["analyze", str(d["openpose"] / "base"), "--fps", fps], "refuse", "--fps")

    # ---------------------------------------------------------------- keypoint CSV
    base_csv = _pose_csv_text(img)
    clines = base_csv.split("\n")

    def csv(name: str, text: str | bytes, expect: str, check=None, extra_args: tuple = ("--height-m", f"{HEIGHT_M}")) -> None:
        p = d["csv"] / f"{name}.csv"
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        add(f"csv_{name}", "keypoint_csv", ["analyze", str(p), *extra_args], expect, p.name, check)

    crow = clines[100].split(",")
    csv("base", base_csv, "ok", truth_img)
    csv("bom", "\ufeff" + base_csv, "ok", truth_img)
    csv("crlf", base_csv.replace("\n", "\r\n"), "ok", truth_img)
    csv("no_time_with_fps", "\n".join(",".join(c for k, c in enumerate(ln.split(",")) if k != 1) if ln else ln for ln in clines), "ok", truth_img,
        ("--height-m", f"{HEIGHT_M}", "--fps", f"{CAMERA_RATE_HZ:g}"))
    csv("no_time_without_fps", "\n".join(",".join(c for k, c in enumerate(ln.split(",")) if k != 1) if ln else ln for ln in clines), "refuse")
    csv("text_in_number", "\n".join(clines[:100] + [",".join(crow[:4] + ["abc"] + crow[5:])] + clines[101:]), "refuse")
    csv("extra_field", "\n".join(clines[:100] + [",".join(crow + ["1", "2"])] + clines[101:]), "refuse")
    csv("fill_value", "\n".join(clines[:100] + [",".join(crow[:5] + ["-1e308"] + crow[6:])] + clines[101:]), "refuse")
    csv("inf_value", "\n".join(clines[:100] + [",".join(crow[:5] + ["inf"] + crow[6:])] + clines[101:]), "refuse")
    csv("inf_score", "\n".join(clines[:100] + [",".join(crow[:4] + ["inf"] + crow[5:])] + clines[101:]), "refuse")
    csv("time_backwards", "\n".join(clines[:100] + [",".join(crow[:1] + ["0.0"] + crow[2:])] + clines[101:]), "refuse")
    csv("all_empty", "\n".join(clines[:1] + [",".join(ln.split(",")[:2] + [""] * (len(crow) - 2)) if ln else ln for ln in clines[1:]]), "refuse")
    csv("binary", b"frame,t_s\x00\x01\x02" * 500, "refuse")
    csv("latin1", base_csv.replace("frame", "fr\u00e4me", 1).encode("latin-1"), "refuse")
    csv("fractional_frame", "\n".join(clines[:100] + [",".join(["12.5"] + crow[1:])] + clines[101:]), "refuse")
    csv("no_keypoint_columns", "a,b,c\n1,2,3\n4,5,6\n", "refuse")
    csv("zero_strides", "\n".join(clines[:20]), "refuse")
    p = d["csv"] / "bad_sidecar.csv"
    p.write_text(base_csv, encoding="utf-8")
    (d["csv"] / "bad_sidecar.json").write_text('{"frame": "image", "image_size_px": "big"}', encoding="utf-8")
    add("csv_bad_sidecar", "keypoint_csv", ["analyze", str(p), "--height-m", f"{HEIGHT_M}"], "refuse", "bad_sidecar.json")
    png = d["cli"] / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    add("png_to_analyze", "cli", ["analyze", str(png)], "refuse", "posture")

    # ---------------------------------------------------------------- landmark JSON
    ldoc = _landmarks_doc(walk)

    def lm(name: str, doc: Any, expect: str = "refuse", check=None, raw_text: bytes | None = None) -> None:
        p = d["landmarks"] / f"{name}.json"
        p.write_bytes(raw_text if raw_text is not None else json.dumps(doc).encode("utf-8"))
        add(f"landmarks_{name}", "landmark_json", ["analyze", str(p)], expect, p.name, check)

    lm("base", ldoc, "ok", truth3d)
    lm("bom", None, "ok", truth3d, raw_text=b"\xef\xbb\xbf" + json.dumps(ldoc).encode("utf-8"))
    lm("fps_text", {**ldoc, "fps": "fast"})
    lm("fps_zero", {**ldoc, "fps": 0})
    lm("fps_bool", {**ldoc, "fps": True})
    lm("frames_not_list", {**ldoc, "angle_frames": {"a": 1}})
    zero = json.loads(json.dumps(ldoc))
    for fr in zero["angle_frames"]:
        fr["landmark_positions"] = {k: [0, 0, 0] for k in fr["landmark_positions"]}
    lm("all_zero", zero)
    bad = json.loads(json.dumps(ldoc))
    bad["angle_frames"][5]["landmark_positions"]["left_heel"] = "here"
    lm("landmark_string", bad)
    big = json.loads(json.dumps(ldoc))
    big["angle_frames"][5]["landmark_positions"]["left_heel"] = [1e300, 0, 0]
    lm("fill_value", big)
    ev = json.loads(json.dumps(ldoc))
    ev["ground_truth"]["hs_frames"]["left"] = ["ten"]
    lm("event_text", ev)
    lm("deep", None, raw_text=b'{"fps": 50, "angle_frames": ' + b"[" * 100000 + b"]" * 100000 + b"}")

    # ---------------------------------------------------------------- foot-marker CSV
    base_foot = _foot_csv_text(walk)
    flines = base_foot.split("\n")

    def foot(name: str, text: str | bytes, expect: str, fps: str | None = "100", check=None) -> None:
        p = d["foot"] / f"{name}.csv"
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        argv = ["analyze", str(p)] + (["--fps", fps] if fps is not None else [])
        add(f"foot_{name}", "foot_csv", argv, expect, p.name if expect == "refuse" and fps not in ("nan", "0") else ("--fps" if fps in ("nan", "0") else p.name), check)

    frow = flines[300].split(",")
    foot("base", base_foot, "ok", check=truth_check(walk))
    foot("crlf", base_foot.replace("\n", "\r\n"), "ok", check=truth_check(walk))
    foot("text_cell", "\n".join(flines[:300] + [",".join(frow[:3] + ["x1"] + frow[4:])] + flines[301:]), "refuse")
    foot("no_fps", base_foot, "refuse", fps=None)
    foot("fps_nan", base_foot, "refuse", fps="nan")
    foot("fps_zero", base_foot, "refuse", fps="0")
    foot("fill_value", "\n".join(flines[:300] + [",".join(frow[:3] + ["-1e308"] + frow[4:])] + flines[301:]), "refuse")
    foot("all_empty", "\n".join(flines[:2] + [ln.split(",")[0] + "," * (len(frow) - 1) if ln else ln for ln in flines[2:]]), "refuse")

    # ---------------------------------------------------------------- intake (refused before any analysis)
    from gaitscope.intake import load_intake

    intake = {"name": "Ann Example", "age_years": 61, "height_m": 1.62, "sitting_hours_per_day": 9,
              "favours_one_leg": True}
    base_yaml = "# gaitscope intake\n" + "".join(f"{k}: {'yes' if v is True else v}\n" for k, v in intake.items())
    side = str(d["csv"] / "base.csv")

    def intake_case(name: str, suffix: str, data: bytes, expect: str = "refuse") -> None:
        p = d["intake"] / f"{name}{suffix}"
        p.write_bytes(data)
        if expect == "refuse":
            add(f"intake_{name}", "intake", ["assess", "--side-video", side, "--intake", str(p), "--no-overlay", "--quiet"],
                "refuse", p.name)
        else:
            base_p = d["intake"] / "base.yaml"

            def same(p=p, base_p=base_p) -> None:
                a, b = load_intake(p), load_intake(base_p)
                assert _intake_values(a) == _intake_values(b), "intake read differently from the clean file"

            cases.append(Case(name=f"intake_{name}", klass="intake", argv=[], expect="ok", python=same, out=out_of(name)))

    intake_case("base", ".yaml", base_yaml.encode("utf-8"), "ok")
    intake_case("bom_yaml", ".yaml", b"\xef\xbb\xbf" + base_yaml.encode("utf-8"), "ok")
    intake_case("bom_json", ".json", b"\xef\xbb\xbf" + json.dumps(intake).encode("utf-8"), "ok")
    intake_case("crlf_yaml", ".yaml", base_yaml.replace("\n", "\r\n").encode("utf-8"), "ok")
    intake_case("latin1", ".yaml", base_yaml.replace("Ann", "Ren\u00e9e").encode("latin-1"))
    intake_case("binary", ".yaml", bytes(range(256)) * 4)
    intake_case("deep_json", ".json", b"[" * 200000 + b"]" * 200000)
    intake_case("huge_int_json", ".json", b'{"age_years": ' + b"9" * 5000 + b"}")
    intake_case("huge_int_yaml", ".yaml", b"age_years: " + b"9" * 5000 + b"\n")
    intake_case("huge_int_toml", ".toml", b"age_years = " + b"9" * 5000 + b"\n")
    intake_case("nan_json", ".json", b'{"age_years": NaN}')
    intake_case("list_json", ".json", b"[1, 2, 3]")
    intake_case("age_negative", ".yaml", base_yaml.replace("age_years: 61", "age_years: -5").encode("utf-8"))

    # ---------------------------------------------------------------- marker-map TOML
    base_trc_path = d["trc"] / "base.trc"

    def mm(name: str, data: bytes, expect: str = "refuse", check=None) -> None:
        p = d["map"] / f"{name}.toml"
        p.write_bytes(data)
        add(f"map_{name}", "marker_map", ["analyze", str(base_trc_path), "--marker-map", str(p)], expect, p.name, check)

    good_map = ('[sets.mylab]\ndescription = "lab copy of Plug-in-Gait"\npriority = 30\n'
                'side_prefix = { left = "L", right = "R" }\nrequired = ["heel", "toe", "ankle", "knee", "hip"]\n'
                '[sets.mylab.keypoints]\nheel = [["{S}HEE"]]\ntoe = [["{S}TOE"]]\nankle = [["{S}ANK"]]\n'
                'knee = [["{S}KNE"]]\n[sets.mylab.pelvis]\nasis = ["{S}ASI"]\npsis = ["{S}PSI"]\n')
    mm("valid", good_map.encode("utf-8"), "ok", truth3d)
    mm("bom", b"\xef\xbb\xbf" + good_map.encode("utf-8"), "ok", truth3d)
    mm("binary", bytes(range(256)) * 8)
    mm("latin1", good_map.replace("lab copy", "labor\u00e9").encode("latin-1"))
    mm("not_toml", b"[sets.mylab\nthis is = = not toml\n")
    mm("huge_int", good_map.replace("priority = 30", "priority = " + "9" * 5000).encode("utf-8"))
    mm("priority_text", good_map.replace("priority = 30", 'priority = "high"').encode("utf-8"))
    mm("pelvis_number", good_map.replace('asis = ["{S}ASI"]', "asis = 5").encode("utf-8"))
    mm("side_prefix_number", good_map.replace('left = "L"', "left = 1").encode("utf-8"))
    mm("no_sets", b'title = "nothing here"\n')

    # ---------------------------------------------------------------- command-line options
    for label, val in (("age_negative", "-5"), ("age_500", "500"), ("age_nan", "nan"), ("age_inf", "inf")):
        add(f"cli_{label}", "cli", ["analyze", str(base_trc_path), "--age-years", val], "refuse", "--age-years")
    add("cli_age_45", "cli", ["analyze", str(base_trc_path), "--age-years", "45"], "ok", "", truth3d)
    for label, val in (("height_nan", "nan"), ("height_inf", "inf"), ("height_tiny", "0.1"), ("height_mm", "1700")):
        add(f"cli_{label}", "cli", ["analyze", side, "--height-m", val], "refuse", "--height-m")
    for label, val in (("workers_zero", "0"), ("workers_negative", "-3"), ("workers_huge", "100000")):
        add(f"cli_{label}", "cli", ["pose", str(d["cli"] / "walk.mp4"), "--workers", val], "refuse", "--workers")
    for label, val in (("name_bidi", "Ann \u202eevil"), ("name_nul", "Ann\x00B"), ("name_long", "A" * 5000),
                       ("name_newline", "Ann\nB"), ("name_blank", "   ")):
        add(f"cli_{label}", "cli", ["assess", "--side-video", side, "--name", val, "--no-overlay", "--quiet"], "refuse", "--name")
    add("cli_fps_for_markers", "cli", ["analyze", str(base_trc_path), "--fps", "30"], "refuse", "--fps")
    add("cli_missing_input", "cli", ["analyze", str(d["cli"] / "nope.trc")], "refuse", "nope.trc")
    add("cli_folder_without_json", "cli", ["analyze", str(d["cli"])], "refuse", "cli")
    return cases


def _intake_values(ik: Any) -> dict:
    from dataclasses import asdict, is_dataclass

    d = asdict(ik) if is_dataclass(ik) else dict(vars(ik))
    d.pop("source", None)
    return d


def _param_records(raw: bytes) -> dict[tuple[str, str], dict[str, int]]:
    """Byte offsets (in the file) of each C3D parameter record's fields: gid, offset, dtype, ndim, data."""
    import struct

    ps = (raw[0] - 1) * 512
    sec = raw[ps:]
    pos = 4
    groups: dict[int, str] = {}
    out: dict[tuple[str, str], dict[str, int]] = {}
    pending = []
    while True:
        nchar = struct.unpack("b", sec[pos:pos + 1])[0]
        gid = struct.unpack("b", sec[pos + 1:pos + 2])[0]
        if nchar == 0:
            break
        name = sec[pos + 2:pos + 2 + abs(nchar)].decode("ascii")
        off_at = pos + 2 + abs(nchar)
        off = struct.unpack("<h", sec[off_at:off_at + 2])[0]
        if gid < 0:
            groups[-gid] = name
        else:
            ndim = sec[off_at + 3]
            pending.append((gid, name, {"gid": ps + pos + 1, "offset": ps + off_at, "dtype": ps + off_at + 2,
                                        "ndim": ps + off_at + 3, "data": ps + off_at + 4 + ndim}))
        if off == 0:
            break
        pos = off_at + off
    for gid, name, rec in pending:
        out[(groups.get(gid, "?"), name)] = rec
    return out


def _set_float(raw: bytes, offset: int, value: float) -> bytes:
    import struct

    b = bytearray(raw)
    b[offset:offset + 4] = struct.pack("<f", value)
    # the header's copy of the rate (word 11, bytes 20-23) is what readers use for the point rate
    b[20:24] = struct.pack("<f", value)
    return bytes(b)


def _c3d_with_fill(tmp: Path, markers: dict[str, np.ndarray], fill: float) -> bytes:
    m = {k: v.copy() for k, v in markers.items()}
    m["LHEE"][100:110] = fill / 1000.0
    _write_c3d(tmp, m, WORLD_RATE_HZ)
    data = tmp.read_bytes()
    tmp.unlink()
    return data


if __name__ == "__main__":  # pragma: no cover
    cs = build_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile_corpus"))
    for c in cs:
        print(f"{c.klass:14s} {c.expect:7s} {c.name}")
    print(f"{len(cs)} cases")

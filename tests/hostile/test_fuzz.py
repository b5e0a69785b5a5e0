"""Property-based fuzzing of every importer (issue 13) with ``hypothesis``.

Each importer is fed mutated versions of a small, valid file made from the phantom (text edits: tabs, cells,
bytes, encodings, truncation; structured edits of JSON/TOML values; byte edits of a C3D header and parameter
section). The property: the importer either refuses with a one-line :class:`GaitscopeError` naming the file, or
returns values that are physically valid (finite or missing coordinates within bounds, increasing time, a
rate that can time gait events, angles within +-360 deg). Any other exception, a native crash (the C3D reader
runs in a forked probe first) or a hang (each example is bounded by an alarm) fails the test.

Budget: ``FUZZ_EXAMPLES`` examples per importer in the fast suite (default 30) and ``FUZZ_EXAMPLES_SLOW``
(default 300) under ``-m slow``. No example database is written (``database=None``).
"""

from __future__ import annotations

import functools
import json
import math
import os
import signal
import sys
import tempfile
from argparse import Namespace
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from gaitscope.capture import validate  # noqa: E402
from gaitscope.types import GaitscopeError  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hostile_cases as hc  # noqa: E402

FAST = int(os.environ.get("FUZZ_EXAMPLES", "30"))
SLOW = int(os.environ.get("FUZZ_EXAMPLES_SLOW", "300"))
#: One example may take at most this long (s) before it counts as a hang.
# Each example is bounded just above the product's own bound on a C3D read (the forked probe's
# C3D_PROBE_TIMEOUT_S, 120 s): a 30 s bound failed once in CI on a mutated C3D that passed on re-run
# (hypothesis FlakyFailure), i.e. timing, not a hang; the fuzz checks the documented bound.
EXAMPLE_LIMIT_S = 150


# ------------------------------------------------------------------------------------------ base files
@functools.lru_cache(maxsize=1)
def bases() -> dict[str, bytes]:
    """Small valid files of every format (2.5 s of the phantom), as bytes."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate

    walk = simulate(duration_s=2.5, rate_hz=50.0, height_m=hc.HEIGHT_M, seed=1)
    img = project(walk.pose, view="sagittal-left", rate_hz=25.0, image_size_px=(640, 360), noise_px=0.0,
                  drop_fraction=0.0, seed=1)
    markers = hc._markers_m(walk)
    tmp = Path(tempfile.mkdtemp(prefix="gaitscope-fuzz-base-"))
    hc._write_c3d(tmp / "b.c3d", markers, 50.0)
    frames = hc._openpose_frames(img)[:8]
    out = {
        "trc": hc._trc_text(markers, 50.0).encode(),
        "c3d": (tmp / "b.c3d").read_bytes(),
        "mot": hc._mot_text(walk).encode(),
        "openpose": json.dumps(frames[0]).encode(),
        "csv": hc._pose_csv_text(img).encode(),
        "landmarks": json.dumps(hc._landmarks_doc(walk, step=1)).encode(),
        "foot": hc._foot_csv_text(walk).encode(),
        "intake": b"name: Ann\nage_years: 61\nheight_m: 1.62\nsitting_hours_per_day: 9\nfavours_one_leg: yes\n",
        "map": ('[sets.mylab]\npriority = 30\nside_prefix = { left = "L", right = "R" }\n'
                'required = ["heel", "toe"]\n[sets.mylab.keypoints]\nheel = [["{S}HEE"]]\ntoe = [["{S}TOE"]]\n').encode(),
    }
    out["_openpose_rest"] = json.dumps(frames[1:]).encode()
    return out


# ------------------------------------------------------------------------------------------ mutations
CELLS = st.sampled_from(["", "nan", "NaN", "inf", "-inf", "-1e308", "1e400", "abc", "0", "-0", "1e5", "12,5", " ",
                         "\t", "\x00", "\u202e", "é", "9" * 40, "0x10", "1_000", "null", "[]", "{}", "true"])


@st.composite
def text_mutation(draw, data: bytes) -> bytes:
    """A few edits of a text file: a cell replaced, a tab/comma inserted or removed, a line dropped or
    doubled, a cut, a BOM, CRLF, raw bytes."""
    text = data.decode("utf-8")
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["cell", "insert_sep", "drop_char", "drop_line", "dup_line", "cut", "bom", "crlf",
                                   "bytes", "swap_lines", "empty_line"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        ln = lines[i] if lines else ""
        sep = "\t" if "\t" in ln else ("," if "," in ln else " ")
        if op == "cell" and ln:
            cells = ln.split(sep)
            k = draw(st.integers(0, len(cells) - 1))
            cells[k] = draw(CELLS)
            lines[i] = sep.join(cells)
        elif op == "insert_sep" and ln:
            k = draw(st.integers(0, len(ln)))
            lines[i] = ln[:k] + sep + ln[k:]
        elif op == "drop_char" and ln:
            k = draw(st.integers(0, len(ln) - 1))
            lines[i] = ln[:k] + ln[k + 1:]
        elif op == "drop_line" and lines:
            lines.pop(i)
        elif op == "dup_line" and lines:
            lines.insert(i, ln)
        elif op == "swap_lines" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "empty_line":
            lines.insert(i, "")
        elif op == "cut":
            joined = "\n".join(lines)
            lines = joined[: draw(st.integers(0, len(joined)))].split("\n")
    out = "\n".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and draw(st.booleans()):
        out = out.replace(b"\n", b"\r\n")
    if draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()):
        out = b"\xef\xbb\xbf" + out
    if draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()):
        k = draw(st.integers(0, len(out)))
        out = out[:k] + draw(st.binary(min_size=1, max_size=8)) + out[k:]
    return out


JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                      st.text(max_size=8))
JSON_ANY = st.recursive(JSON_LEAF, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
                        max_leaves=12)


@st.composite
def json_mutation(draw, doc) -> object:
    """Replace one node of a JSON document (found by a random walk from the root) by another value."""
    doc = json.loads(json.dumps(doc))
    path = []
    node = doc
    while isinstance(node, (dict, list)) and node and draw(st.integers(0, 3)) > 0:
        key = draw(st.sampled_from(sorted(node))) if isinstance(node, dict) else draw(st.integers(0, len(node) - 1))
        path.append(key)
        node = node[key]
    new = draw(JSON_ANY | st.sampled_from([None, [], {}, "fast", -1, 0, 1e308, -1e308, True, [0, 0, 0]]))
    if not path:
        return new
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    parent[path[-1]] = new
    return doc


@st.composite
def byte_mutation(draw, data: bytes, lo: int, hi: int) -> bytes:
    b = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(lo, min(hi, len(b)) - 1))
        b[i] = draw(st.integers(0, 255))
    if draw(st.integers(0, 9)) == 0:
        b = b[: draw(st.integers(0, len(b)))]
    return bytes(b)


# ------------------------------------------------------------------------------------------ properties
class Hang(Exception):
    pass


def bounded(fn, *args, **kw):
    """Run ``fn`` with an alarm: longer than EXAMPLE_LIMIT_S is a hang."""
    def on_alarm(signum, frame):
        raise Hang(f"took longer than {EXAMPLE_LIMIT_S} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(EXAMPLE_LIMIT_S)
    try:
        return fn(*args, **kw)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check_pose(pose) -> None:
    t = np.asarray(pose.t_s, float)
    assert np.all(np.isfinite(t)) and np.all(np.diff(t) > 0), "time not finite and increasing"
    xyz = np.asarray(pose.xyz, float)
    lim = validate.MAX_COORDINATE_M if pose.frame == "world" else validate.MAX_COORDINATE_PX
    assert not np.isinf(xyz).any(), "infinite coordinate accepted"
    with np.errstate(invalid="ignore"):
        assert not (np.abs(xyz) > lim).any(), "absurd coordinate accepted"
    sc = np.asarray(pose.score, float)
    assert np.all((sc >= 0) & (sc <= 1)), "score outside 0-1"
    assert np.isfinite(xyz[:, :, :2]).any(), "nothing measured but no refusal"


def check_rate(rate: float) -> None:
    assert validate.MIN_RATE_HZ <= rate <= validate.MAX_RATE_HZ, f"rate {rate} accepted"


def outcome(path: Path, fn) -> object | None:
    """The importer's result, or None after a proper refusal; anything else fails the property."""
    try:
        return bounded(fn)
    except GaitscopeError as err:
        msg = str(err)
        assert "\n" not in validate.one_line(msg)
        assert path.name in msg or path.parent.name in msg or "--" in msg, f"refusal does not name the file: {msg}"
        return None


def write(tmpdir: Path, name: str, data: bytes) -> Path:
    p = tmpdir / name
    p.write_bytes(data)
    return p


def run_markers(suffix: str):
    """The runner of one marker-file format (``.trc`` or ``.c3d``): loaded rate and pose must be valid."""
    def run(tmpdir, data):
        from gaitscope.capture.markers import load_markers

        p = write(tmpdir, f"f{suffix}", data)
        rec = outcome(p, lambda: load_markers(p))
        if rec is not None:
            check_rate(rec.rate_hz)
            check_pose(rec.pose)
    return run


def run_mot(tmpdir, data):
    from gaitscope.capture.mot import ik_to_angles, read_mot

    p = write(tmpdir, "f.mot", data)
    ang = outcome(p, lambda: ik_to_angles(read_mot(p)))
    if ang is not None:
        cols = [c for c in ang.columns if c.endswith("_deg")]
        v = ang[cols].to_numpy(float)
        with np.errstate(invalid="ignore"):
            assert not (np.abs(v) > validate.MAX_ANGLE_DEG).any() and not np.isinf(v).any(), "absurd angle accepted"
        assert np.isfinite(v).any(), "all-NaN angles accepted"


def run_openpose(tmpdir, frame_doc):
    from gaitscope.capture.openpose import read_openpose_folder

    folder = tmpdir / "op"
    folder.mkdir(exist_ok=True)
    rest = json.loads(bases()["_openpose_rest"])
    for i, doc in enumerate([frame_doc, *rest]):
        text = doc if isinstance(doc, (bytes, bytearray)) else json.dumps(doc).encode()
        (folder / f"w_{i:012d}_keypoints.json").write_bytes(text)
    pose = outcome(folder, lambda: read_openpose_folder(folder, rate_hz=25.0))
    if pose is not None:
        check_pose(pose)


def run_csv(tmpdir, data):
    from gaitscope.capture.pose_csv import read_pose_csv

    p = write(tmpdir, "f.csv", data)
    pose = outcome(p, lambda: read_pose_csv(p))
    if pose is not None:
        check_pose(pose)


def run_landmarks(tmpdir, doc):
    from gaitscope.capture.load import load_keypoints

    data = doc if isinstance(doc, (bytes, bytearray)) else json.dumps(doc).encode()
    p = write(tmpdir, "f.json", data)
    rec = outcome(p, lambda: load_keypoints(p))
    if rec is not None:
        check_rate(rec.rate_hz)
        check_pose(rec.pose)


def run_foot(tmpdir, data):
    from gaitscope.capture.foot_markers_csv import load_foot_markers_csv

    p = write(tmpdir, "f.csv", data)
    rec = outcome(p, lambda: load_foot_markers_csv(p, rate_hz=50.0))
    if rec is not None:
        check_pose(rec.pose)


def run_intake(tmpdir, data, suffix=".yaml"):
    from gaitscope.intake import load_intake

    p = write(tmpdir, "f" + suffix, data)
    ik = outcome(p, lambda: load_intake(p))
    if ik is not None:
        for k in ("age_years", "height_m"):
            v = getattr(ik, k, None)
            assert v is None or (isinstance(v, (int, float)) and math.isfinite(v)), f"{k}={v!r} accepted"


def run_map(tmpdir, data):
    from gaitscope.capture.markers import load_marker_maps

    p = write(tmpdir, "f.toml", data)
    sets = outcome(p, lambda: load_marker_maps(p))
    if sets is not None:
        assert all(isinstance(s.priority, int) for s in sets.values())


# ------------------------------------------------------------------------------------------ strategies
def strategies() -> dict[str, tuple]:
    b = bases()
    c3d = b["c3d"]
    ps = (c3d[0] - 1) * 512
    intake_json = json.dumps({"name": "Ann", "age_years": 61, "height_m": 1.62})
    return {
        "trc": (run_markers(".trc"), text_mutation(b["trc"])),
        "c3d": (run_markers(".c3d"), st.one_of(byte_mutation(c3d, ps, ps + 2 * 512), byte_mutation(c3d, 0, 512))),
        "mot": (run_mot, text_mutation(b["mot"])),
        "openpose": (run_openpose, st.one_of(json_mutation(json.loads(b["openpose"])), text_mutation(b["openpose"]))),
        "keypoint_csv": (run_csv, text_mutation(b["csv"])),
        "landmark_json": (run_landmarks, json_mutation(json.loads(b["landmarks"]))),
        "foot_csv": (run_foot, text_mutation(b["foot"])),
        "intake": (run_intake, st.one_of(text_mutation(b["intake"]),
                                         json_mutation(json.loads(intake_json)).map(lambda d: json.dumps(d).encode()))),
        "marker_map": (run_map, text_mutation(b["map"])),
    }


IMPORTERS = ("trc", "c3d", "mot", "openpose", "keypoint_csv", "landmark_json", "foot_csv", "intake", "marker_map")


def _fuzz(importer: str, n: int) -> None:
    runner, strategy = strategies()[importer]

    @settings(max_examples=n, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(strategy)
    def prop(value):
        with tempfile.TemporaryDirectory(prefix="gaitscope-fuzz-") as d:
            with validate.quiet_numerics():
                runner(Path(d), value)

    prop()


@pytest.mark.parametrize("importer", IMPORTERS)
def test_fuzz_importer(importer):
    _fuzz(importer, FAST)


@pytest.mark.slow
@pytest.mark.parametrize("importer", IMPORTERS)
def test_fuzz_importer_long(importer):
    _fuzz(importer, SLOW)


# ------------------------------------------------------------------------------------------ CLI options
NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12))


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(fps=NUMBERS, age=NUMBERS, height=NUMBERS, workers=st.integers(-10**6, 10**6),
       name=st.text(max_size=300))
def test_fuzz_command_line_options(fps, age, height, workers, name):
    args = Namespace(command="analyze", fps=fps, age_years=age, height_m=height, workers=workers, name=name)
    try:
        validate.check_cli_args(args)
    except GaitscopeError as err:
        assert "\n" not in str(err) and str(err).startswith("--")
        return
    assert math.isfinite(fps) and validate.MIN_RATE_HZ <= fps <= validate.MAX_RATE_HZ
    assert math.isfinite(age) and 0 <= age <= 120
    assert math.isfinite(height) and 0.5 <= height <= 2.5
    assert 1 <= workers <= 64
    assert 0 < len(name) <= validate.MAX_NAME_CHARS and name.isprintable() or all(c.isprintable() or c == " " for c in name)

"""Snapshot tests (as gaitmap does): events, strides and summary of fixed inputs must not change unnoticed.

A change to a detector, the cleaning, the quality layer or the summary that moves any of these numbers fails
here. If the change is intended, look at the diff the failure prints, then regenerate and commit:

    GAITSCOPE_SNAPSHOT_UPDATE=1 .venv/bin/python -m pytest -q tests/test_snapshots.py

Snapshots live in tests/snapshots/ (derived numbers only, never the shared data itself). The lab files skip
cleanly without ../shared/data.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

SNAP_DIR = Path(__file__).parent / "snapshots"
EVENT_KEYS = ("event", "side", "frame")
CYCLE_KEYS = ("side", "pass", "start", "end", "steady_state")
CYCLE_VALUES = ("stride_time_s", "stance_pct", "double_support_pct", "step_length_m", "speed_mps",
                "knee_flex_swing_max_deg", "hip_ext_stance_max_deg", "ankle_dorsi_swing_max_deg")
SUMMARY_METRICS = ("cadence_spm", "stride_time_s", "stance_pct", "double_support_pct", "step_length_m",
                   "speed_mps", "knee_flex_loading_max_deg", "knee_flex_swing_max_deg", "hip_ext_stance_max_deg",
                   "ankle_plantar_pushoff_max_deg")


def _r(x, nd=3):
    if x is None:
        return None
    x = float(x)
    return None if not math.isfinite(x) else round(x, nd)


def _snapshot_of(res) -> dict:
    ev = res.events.sort_values(["t_s", "side", "event"])
    cyc = res.cycles
    s = res.summary
    params = {}
    for m in SUMMARY_METRICS:
        p = s["parameters"].get(m)
        if p:
            params[m] = {side: _r((p.get(side) or {}).get("mean")) for side in ("left", "right", "both")}
    return {
        "events": [[str(r.event), str(r.side), int(r.frame)] for r in ev.itertuples()],
        "cycles": [[str(r[k]) if k == "side" else int(r[k]) for k in CYCLE_KEYS]
                   + [_r(r[c]) if c in cyc.columns else None for c in CYCLE_VALUES]
                   for r in cyc.to_dict("records")],
        "summary": {"view": s["view"], "n_cycles": s["n_cycles"], "parameters": params,
                    "steady_state_excluded": s.get("quality", {}).get("steady_state", {}).get("strides_excluded"),
                    "plausibility_dropped": s.get("quality", {}).get("plausibility", {}).get("values_dropped"),
                    "legs": {k: v["grade"] for k, v in s.get("quality", {}).get("legs", {}).items()}},
        "findings_present": sorted(f"{f['code']}:{f['side']}" for f in (res.findings or {}).get("patterns", [])
                                   if f["status"] == "present"),
    }


def _close(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}.{k}: missing in one" for k in set(a) ^ set(b)]
        for k in set(a) & set(b):
            out += _close(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += _close(x, y, f"{path}[{i}]")
        return out
    if isinstance(a, float) and isinstance(b, float):
        return [] if math.isclose(a, b, rel_tol=1e-4, abs_tol=2e-3) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def _check(name: str, got: dict) -> None:
    path = SNAP_DIR / f"{name}.json"
    got = json.loads(json.dumps(got))
    if os.environ.get("GAITSCOPE_SNAPSHOT_UPDATE") or not path.is_file():
        SNAP_DIR.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, indent=0) + "\n", encoding="utf-8")
        if not os.environ.get("GAITSCOPE_SNAPSHOT_UPDATE"):
            pytest.fail(f"snapshot {path.name} did not exist and was written: check it and commit it")
        return
    want = json.loads(path.read_text(encoding="utf-8"))
    diff = _close(want, got)
    assert not diff, f"{name} changed (first of {len(diff)}): " + "; ".join(diff[:8])


def test_snapshot_phantom_side_view():
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom import simulate
    from gaitscope.pipeline import analyze_pose

    walk = simulate(pattern="normal", duration_s=10, seed=11)
    img = project(walk.pose, view="sagittal-left", rate_hz=30, noise_px=1.0, drop_fraction=0.02, seed=11)
    _check("phantom_sagittal_left", _snapshot_of(analyze_pose(img, height_m=1.70)))


def test_snapshot_phantom_antalgic_3d():
    from gaitscope.phantom import simulate
    from gaitscope.pipeline import analyze_pose

    walk = simulate(pattern="antalgic", side="right", severity="moderate", duration_s=10, seed=12)
    _check("phantom_antalgic_right_3d", _snapshot_of(analyze_pose(walk.pose, height_m=1.70)))


@pytest.mark.parametrize("rel", ["mocap/treadmill_walk_events.c3d", "mocap/walk_subject01.trc"])
def test_snapshot_lab_files(shared_data, rel):
    from gaitscope.pipeline import analyze

    res = analyze(shared_data / rel, write=False)
    _check("lab_" + Path(rel).stem, _snapshot_of(res))

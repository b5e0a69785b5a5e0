"""Accuracy of gait events (IC, FC) against lab references, and the phantom's truth.

    .venv/bin/python benchmarks/accuracy_events.py [--video-pose DIR/pose.csv]

Each row: the recording, the path it took (3-D markers, or the virtual camera: exactly the
video path), the sampling rate, how many reference events were matched (nearest detected
event of the same kind and side within 100 ms), missed, extra (detected events inside the
reference span that match nothing), and per event type the mean absolute error and mean
signed error (detected - reference, ms). Targets: issue 3 "Accuracy".

References (``../shared/data/README.md``):
* treadmill_walk_events.c3d: the 43 lab events of the C3D EVENT section, times minus 0.44 s
  (the C3D time base), as read by ``gaitscope.capture``.
* walk_subject01.trc: force-plate contacts (vertical force > 20 N) listed in the README.
* foot_markers_healthy.csv: its stride events (204.8 Hz samples), which gaitmap extracted from
  the motion capture "with the Zeni algorithm" (gaitmap-datasets,
  ``sensor_position_comparison_2019/helper.py::get_mocap_events``): a kinematic definition, not
  force plates. So the table also runs that reference method (Zeni 2008 coordinate method,
  ``gaitscope.events.zeni``) on the two force-plate recordings: its offset from force-plate
  contact there, applied to the file's reference, gives a force-plate-equivalent reference
  (the row marked "Zeni offset removed").
* landmarks3d_parkinson.json: annotated heel strikes / toe offs (no target; extra check).
* the phantom (``gaitscope.phantom``) seen by the virtual camera with pixel noise and dropped
  frames: its own event truth.

``event_accuracy_rows()`` returns the table as a list of dicts (used by ``benchmarks/accuracy.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
MATCH_TOL_S = 0.10


def match_events(found: pd.DataFrame, ref: pd.DataFrame, *, tol_s: float = MATCH_TOL_S,
                 also_true: pd.DataFrame | None = None) -> dict:
    """Compare detected with reference events (``event``, ``side``, ``t_s``).

    Each reference event is matched to the nearest detected event of the same kind and side
    within ``tol_s``; a detected event serves one reference at most. ``also_true``: true
    events left out of the scoring (e.g. while the walker was only partly in view); a
    detection within ``tol_s`` of one of them is not counted as extra.
    """
    errs: dict[str, list[float]] = {"ic": [], "fc": []}
    used: set[int] = set()
    missed = 0
    for _, r in ref.iterrows():
        cand = found[(found["event"] == r["event"]) & (found["side"] == r["side"])]
        cand = cand[~cand.index.isin(list(used))]
        if cand.empty:
            missed += 1
            continue
        e = cand["t_s"].to_numpy() - float(r["t_s"])
        j = int(np.argmin(np.abs(e)))
        if abs(e[j]) > tol_s:
            missed += 1
            continue
        used.add(int(cand.index[j]))
        errs[r["event"]].append(float(e[j]))
    lo, hi = float(ref["t_s"].min()) - tol_s, float(ref["t_s"].max()) + tol_s
    inside = found[(found["t_s"] >= lo) & (found["t_s"] <= hi)]

    def explained(i: int) -> bool:
        if also_true is None:
            return False
        r = found.loc[i]
        same = also_true[(also_true["event"] == r["event"]) & (also_true["side"] == r["side"])]
        return bool((np.abs(same["t_s"].to_numpy(float) - float(r["t_s"])) <= tol_s).any())

    extra = int(sum(1 for i in inside.index if int(i) not in used and not explained(i)))
    out = {"n_ref": int(len(ref)), "matched": int(len(ref) - missed), "missed": int(missed), "extra": extra}
    for ev in ("ic", "fc"):
        e = np.asarray(errs[ev]) * 1000.0
        out[f"{ev}_n"] = int(e.size)
        out[f"{ev}_sd_ms"] = float(np.std(e)) if e.size else float("nan")
        out[f"{ev}_mae_ms"] = float(np.mean(np.abs(e))) if e.size else float("nan")
        out[f"{ev}_bias_ms"] = float(np.mean(e)) if e.size else float("nan")
        out[f"{ev}_max_ms"] = float(np.max(np.abs(e))) if e.size else float("nan")
    return out


def project_camera(pose, view: str, rate_hz: float, *, noise_px: float = 0.0, drop_fraction: float = 0.0,
                   dropout_fraction: float = 0.0, seed: int = 0):
    """The project's virtual camera (``gaitscope.capture.virtual_camera.project``), 1280x720."""
    from gaitscope.capture.virtual_camera import project

    return project(pose, view=view, rate_hz=rate_hz, image_size_px=(1280, 720), noise_px=noise_px,
                   drop_fraction=drop_fraction, dropout_fraction=dropout_fraction, seed=seed)


def visible_reference(pose, ref: pd.DataFrame, *, window_s: float = 0.5, min_fraction: float = 0.8) -> pd.DataFrame:
    """Reference events during which the camera sees both feet (heel and toe, both sides) in at
    least ``min_fraction`` of the frames within ``window_s`` of the event (a walker crossing a
    static camera's view is only filmed for part of the walk)."""
    feet = [pose.index(f"{s}_{k}") for s in ("left", "right") for k in ("heel", "toe")]
    seen = np.all(np.isfinite(pose.xyz[:, feet, 0]), axis=1)
    keep = []
    for t in ref["t_s"].to_numpy(float):
        w = np.abs(pose.t_s - t) <= window_s
        keep.append(bool(w.any() and seen[w].mean() >= min_fraction))
    return ref[np.asarray(keep, bool)]


def straight_reference(pose, ref: pd.DataFrame, *, window_s: float = 0.5, min_travel_m: float = 0.5,
                       min_straightness: float = 0.95) -> pd.DataFrame:
    """Reference events of straight walking along the walkway (the world x axis), from the raw
    markers alone: within ``window_s`` of the event the mean of the heel and toe markers travels
    at least ``min_travel_m`` horizontally, at least ``min_straightness`` of it along x. Steps of
    a turn fail it; gaitscope drops turns by design (issue 3), so they are left out of scoring."""
    feet = [pose.index(f"{s}_{k}") for s in ("left", "right") for k in ("heel", "toe")]
    centre = np.nanmean(pose.xyz[:, feet, :], axis=1)
    keep = []
    for t in ref["t_s"].to_numpy(float):
        i0 = int(np.searchsorted(pose.t_s, t - window_s))
        i1 = min(int(np.searchsorted(pose.t_s, t + window_s)), len(pose.t_s) - 1)
        d = centre[i1] - centre[i0]
        travel_m = float(np.hypot(d[0], d[2]))
        keep.append(bool(travel_m >= min_travel_m and abs(d[0]) >= min_straightness * travel_m))
    return ref[np.asarray(keep, bool)]


def _row(dataset: str, path: str, pose, ref: pd.DataFrame, target_ms: float | None, *, height_m=None,
         in_view=None, straight_only: bool = False) -> dict:
    """One table row. ``in_view``: the same camera without noise or dropouts, to tell which
    reference events happen while the walker is in the image. ``straight_only``: score only
    the reference events of straight walking (:func:`straight_reference`)."""
    from gaitscope.events import detect_events
    from gaitscope.signal import prepare_walk

    all_ref = ref
    if pose.frame == "image":
        ref = visible_reference(in_view if in_view is not None else pose, ref)
    if straight_only:
        ref = straight_reference(pose, ref)

    t0 = time.perf_counter()
    prep = prepare_walk(pose, height_m=height_m)
    ev = detect_events(prep)
    dt = time.perf_counter() - t0
    row = {"dataset": dataset, "path": path, "rate_hz": round(float(pose.median_rate_hz), 1)}
    left_out = all_ref[~all_ref.index.isin(ref.index)][["event", "side", "t_s"]]
    row.update(match_events(ev, ref[["event", "side", "t_s"]].reset_index(drop=True), also_true=left_out))
    row["not_scored"] = int(len(all_ref) - len(ref))
    row["target_ms"] = target_ms
    if target_ms is None:
        row["meets_target"] = None
    else:
        row["meets_target"] = bool(
            row["missed"] == 0 and row["extra"] == 0
            and row["ic_mae_ms"] <= target_ms and row["fc_mae_ms"] <= target_ms
        )
    row["time_ms"] = round(dt * 1000.0, 1)
    return row


def _zeni_row(dataset: str, pose, ref: pd.DataFrame) -> dict:
    """The Zeni 2008 coordinate method (``gaitscope.events.zeni``) against force-plate/lab events:
    how far that reference definition lies from contact."""
    from gaitscope.events.zeni import zeni_events

    row = {"dataset": dataset, "path": "Zeni 2008 coordinate method (reference method, not ours)",
           "rate_hz": round(float(pose.median_rate_hz), 1)}
    row.update(match_events(zeni_events(pose), ref[["event", "side", "t_s"]].reset_index(drop=True)))
    row.update(not_scored=0, target_ms=None, meets_target=None, time_ms=float("nan"))
    return row


def zeni_offset_ms(rows: list[dict]) -> dict[str, float]:
    """Mean offset (Zeni - force plate, ms) per event kind, pooled over the Zeni rows by event count."""
    out = {}
    for ev in ("ic", "fc"):
        zr = [r for r in rows if r["path"].startswith("Zeni") and r[f"{ev}_n"]]
        n = sum(r[f"{ev}_n"] for r in zr)
        out[ev] = sum(r[f"{ev}_bias_ms"] * r[f"{ev}_n"] for r in zr) / n if n else float("nan")
    return out


def event_accuracy_rows(*, camera_rates_hz: tuple[float, ...] = (100.0, 60.0, 30.0)) -> list[dict]:
    """The accuracy table: one dict per recording and path (see the module docstring)."""
    from gaitscope.capture.foot_markers_csv import load_foot_markers_csv
    from gaitscope.capture.load import load_keypoints
    from gaitscope.phantom.walker import simulate

    rows: list[dict] = []
    if SHARED.is_dir():
        c3d = load_keypoints(SHARED / "mocap" / "treadmill_walk_events.c3d")
        ref = c3d.reference_events
        rows.append(_row("treadmill_walk_events.c3d", "3d markers", c3d.pose, ref, 10.0))
        for view in ("sagittal-left", "sagittal-right"):
            for rate in camera_rates_hz:
                target = 10.0 if rate >= 100 else None
                rows.append(_row("treadmill_walk_events.c3d", f"virtual camera {view}", project_camera(c3d.pose, view, rate), ref, target))
        trc = load_keypoints(SHARED / "mocap" / "walk_subject01.trc")
        trc_ref = pd.DataFrame(
            [("fc", "right", 0.165), ("ic", "right", 0.618), ("fc", "right", 1.410), ("ic", "right", 1.853),
             ("fc", "left", 0.788), ("ic", "left", 1.247), ("fc", "left", 2.018), ("ic", "left", 2.460)],
            columns=["event", "side", "t_s"],
        ).sort_values("t_s")
        rows.append(_row("walk_subject01.trc", "3d markers", trc.pose, trc_ref, 17.0))
        rows.append(_row("walk_subject01.trc", "virtual camera sagittal-left", project_camera(trc.pose, "sagittal-left", 60.0), trc_ref, 17.0))
        zeni_rows = [_zeni_row("treadmill_walk_events.c3d", c3d.pose, ref), _zeni_row("walk_subject01.trc", trc.pose, trc_ref)]
        rows.extend(zeni_rows)
        foot = load_foot_markers_csv(SHARED / "mocap" / "foot_markers_healthy.csv", rate_hz=100.0, events_rate_hz=204.8)
        foot_ref = foot.reference_events
        rows.append(_row("foot_markers_healthy.csv", "3d markers, vs its Zeni-defined reference", foot.pose, foot_ref, 10.0,
                         straight_only=True))
        offset = zeni_offset_ms(zeni_rows)
        shifted = foot_ref.copy()
        shifted["t_s"] = shifted["t_s"] - shifted["event"].map(offset) / 1000.0
        rows.append(_row("foot_markers_healthy.csv",
                         f"3d markers, Zeni offset removed (IC {-offset['ic']:+.1f}, FC {-offset['fc']:+.1f} ms)",
                         foot.pose, shifted.sort_values("t_s"), 10.0, straight_only=True))
        pk = load_keypoints(SHARED / "keypoints" / "landmarks3d_parkinson.json")
        if getattr(pk, "reference_events", None) is not None:
            rows.append(_row("landmarks3d_parkinson.json", "3d landmarks", pk.pose, pk.reference_events, None))
    walk = simulate(duration_s=12.0, rate_hz=100.0, seed=5)
    rows.append(_row("phantom (normal)", "3d", walk.pose, walk.events, None))
    cases = (
        ("sagittal-left", 30.0, 1.5, 0.05, 0.0),
        ("sagittal-right", 60.0, 1.5, 0.05, 0.0),
        ("sagittal-left", 30.0, 2.0, 0.05, 0.05),
    )
    for view, rate, noise, drop, dropout in cases:
        img = project_camera(walk.pose, view, rate, noise_px=noise, drop_fraction=drop, dropout_fraction=dropout, seed=5)
        label = f"virtual camera {view}, {noise} px noise, {drop:.0%} frames dropped"
        if dropout:
            label += f", {dropout:.0%} keypoint dropouts"
        rows.append(_row("phantom (normal)", label, img, walk.events, None, height_m=1.70,
                         in_view=project_camera(walk.pose, view, rate)))
    for pattern in ("foot_drop", "antalgic", "reduced_heel_strike"):
        w = simulate(duration_s=12.0, rate_hz=100.0, seed=6, pattern=pattern, side="right")
        img = project_camera(w.pose, "sagittal-left", 30.0, noise_px=1.5, drop_fraction=0.05, seed=6)
        rows.append(_row(f"phantom ({pattern} right)", "virtual camera sagittal-left, 1.5 px noise, 5% frames dropped",
                         img, w.events, None, in_view=project_camera(w.pose, "sagittal-left", 30.0)))
    return rows


def video_summary(pose_csv: Path, height_m: float = 1.60) -> list[str]:
    """What the pipeline finds in a real video's keypoints (no truth): passes, events per side."""
    from gaitscope.capture.pose_csv import read_pose_csv
    from gaitscope.events import detect_events
    from gaitscope.signal import prepare_walk

    pose = read_pose_csv(pose_csv)
    prep = prepare_walk(pose, height_m=height_m)
    ev = detect_events(prep)
    lines = [f"{pose_csv}: view {prep.view}, gait mode {prep.gait_mode}, {prep.swaps_repaired} leg-swap runs repaired"]
    for p in prep.passes:
        e = ev[ev["pass"] == p.index]
        ics = e[e["event"] == "ic"].sort_values("t_s")
        cad = 60.0 / float(np.median(np.diff(ics["t_s"]))) if len(ics) >= 3 else float("nan")
        counts = ", ".join(f"{s}: {int(((e['side'] == s) & (e['event'] == 'ic')).sum())} IC / "
                           f"{int(((e['side'] == s) & (e['event'] == 'fc')).sum())} FC" for s in ("left", "right"))
        lines.append(
            f"  pass {p.index}: frames {pose.frame_index[p.start]}-{pose.frame_index[p.end - 1]}, travel {p.travel}, "
            f"facing {p.facing}, {p.kind}, usable={p.usable}{' (' + p.reason + ')' if p.reason else ''}; "
            f"{counts}; cadence {cad:.0f} steps/min; speed {p.speed:.2f} {'m/s' if prep.spatial_scale == 'metres' else 'H/s'}"
        )
    return lines


def _fmt(v, nd=1) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return "nan" if not np.isfinite(v) else f"{v:.{nd}f}"
    return str(v)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Accuracy of gait events against lab references.")
    ap.add_argument("--video-pose", type=Path, help="pose.csv of walk_sagittal_older_adult.mp4 (from `gaitscope pose`)")
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"note: {SHARED} not present: only the phantom rows are computed", file=sys.stderr)
    rows = event_accuracy_rows()
    cols = ["dataset", "path", "rate_hz", "matched", "n_ref", "missed", "extra", "ic_mae_ms", "ic_bias_ms",
            "fc_mae_ms", "fc_bias_ms", "ic_sd_ms", "fc_sd_ms", "not_scored", "target_ms", "meets_target"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(_fmt(r[c]) for c in cols) + " |")
    if args.video_pose:
        print()
        for line in video_summary(args.video_pose):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Where a camera's view of a foot contact lies relative to force-plate contact (the definition of IC/FC).

    .venv/bin/python benchmarks/contact_definitions.py [--px-per-m 225] [--fc-forward] [--heel]

The reference a gait lab compares with is the force plate: IC when the vertical force rises above
20 N, FC when it falls below (``../shared/data/mocap_corpus``: every plate contact whose foot was
identified, ``reference_events.csv`` source ``force_plate``). A camera (or a person reading video
frames) sees the foot's points instead. This script measures, on the corpus markers at every plate
event, when the criteria used to read video by eye are met, relative to the plate event:

* ``ic_height``: the heel (the landing point; the ankle marker on files without a heel marker) is
  within ``2 px`` of the height it has at plate contact - the eye criterion "the landing point is down"
  (``tests/data/README.md``: <= 2 px above its resting level);
* ``ic_stop``: the heel is within ``2 px`` (horizontally) of where it stays in stance - the outdoor
  clip's criterion (grass hides the sole: "the heel stops moving forward");
* ``fc_height``: the toe marker has risen ``4 px`` above its height at plate lift-off - the eye
  criterion "clearly off" (>= 4 px up);
* ``fc_move``: the toe marker has moved ``4 px`` (horizontally) away from where it was at plate lift-off - the
  outdoor clip's FC criterion (grass hides the sole: "the forefoot is >= 4 px ahead of where the toes rested").
  Like ``fc_height`` it is measured from the marker's position at lift-off, not from its stance position: the
  toe marker sits on the forefoot's dorsum and moves with the foot's roll before lift-off, while the toes the eye
  sees stay on their spot until the foot leaves;
* ``fc_move_stance``: the same with the marker's flat-foot position (median 0.3-0.2 s before lift-off) as the
  reference: how much the roll before lift-off moves a marker on the forefoot (a reader who lines up the
  forefoot's dorsum rather than the toes would read this).

Pixels are turned into millimetres with the clip's scale (``--px-per-m``; the older-adult clip: the
walker's 360 px standing height for an assumed 1.60 m -> 225 px/m). Offsets in ms, + = the criterion
is met after the plate event. ``benchmarks/video_events.py`` uses the medians to turn the eye-read
frames into plate-equivalent frames (docs/events.md, "What a contact is").

``--fc-forward`` also measures the final-contact cue for video (``FootVelocityEventDetector(fc_forward="video")``:
the slower of heel and toe, *horizontal* speed only, rising above ``fc_forward_fraction`` of the swing peak; docs/events.md,
"The outdoor walker's final contacts") against the plate lift-offs: every lab file of ``benchmarks/lab_corpus.py``
filmed by the virtual camera at 30 frames/s (1280x720, both sides, three phases of the frame clock; the threshold
is a fraction of the swing's peak speed, so the image scale does not enter), for ``FC_FORWARD_GRID`` and for the
shipped full-speed cue; per fraction the plate lift-offs' median and IQR offset, the mean bias over all reference
lift-offs (plates and EVENT sections) and the fraction each leave-one-file-out fold chooses (smallest mean
absolute error over the other files, a missed event counting 100 ms). About 15 s.

``--heel`` also prints the heel marker at every force-plate initial contact (its lowest point, how far it rises
as the foot rolls flat, its velocity) beside the phantom's heel keypoint at its defined contact, as it is and
moved to where a marker sits, and the phantom's IC errors with the shipped and the opt-in IC criterion
(docs/phantom.md, "Initial contact compared with force-plate contact"; docs/accuracy.md).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "data" / "mocap_corpus"
#: eye-reading thresholds (tests/data/README.md): down <= 2 px, clearly up >= 4 px
DOWN_PX = 2.0
UP_PX = 4.0
#: the older-adult clip: 360 px standing height (docs/events.md) for an assumed 1.60 m
OLDER_ADULT_PX_PER_M = 360.0 / 1.60


def _first(mask: np.ndarray) -> int | None:
    idx = np.flatnonzero(mask)
    return int(idx[0]) if idx.size else None


def plate_recordings():
    """``(file name, MarkerRecording, its force-plate events)`` of every corpus file that loads and has plate events."""
    from gaitscope.capture.markers import load_markers
    from gaitscope.types import GaitscopeError

    ref = pd.read_csv(CORPUS / "reference_events.csv")
    for f in sorted(CORPUS.glob("*.c3d")):
        plates = ref[(ref["file"] == f.name) & (ref["source"] == "force_plate")]
        if plates.empty:
            continue
        try:
            rec = load_markers(f)
        except GaitscopeError:
            continue
        yield f.name, rec, plates


def criterion_offsets(px_per_m: float = OLDER_ADULT_PX_PER_M) -> pd.DataFrame:
    """One row per plate event and criterion: ``file``, ``criterion``, ``offset_ms`` (criterion - plate)."""
    down_m, up_m = DOWN_PX / px_per_m, UP_PX / px_per_m
    rows = []
    for name, rec, plates in plate_recordings():
        pose = rec.pose
        t = pose.t_s
        r = float(rec.rate_hz)
        names = list(pose.names)
        for _, e in plates.iterrows():
            heel = pose.xyz[:, names.index(f"{e['side']}_heel")]
            toe = pose.xyz[:, names.index(f"{e['side']}_toe")]
            i = int(np.argmin(np.abs(t - float(e["t_s"]))))
            if e["event"] == "ic":
                k0 = max(0, i - int(0.3 * r))
                h_c = float(np.interp(e["t_s"], t, heel[:, 1]))
                j = _first(heel[k0:i + 1, 1] - h_c <= down_m)
                if j is not None:
                    rows.append((name, "ic_height", 1000.0 * (t[k0 + j] - e["t_s"])))
                # where the heel stays: its median horizontal position 0.1-0.3 s after contact
                w = heel[i + int(0.1 * r): i + int(0.3 * r)]
                if len(w) and np.isfinite(w).all():
                    rest = np.median(w[:, [0, 2]], axis=0)
                    d = np.hypot(heel[:, 0] - rest[0], heel[:, 2] - rest[1])
                    j = _first(d[k0:i + int(0.3 * r)] <= down_m)
                    if j is not None:
                        rows.append((name, "ic_stop", 1000.0 * (t[k0 + j] - e["t_s"])))
            else:
                h0 = float(np.interp(e["t_s"], t, toe[:, 1]))
                seg = toe[i:i + int(0.25 * r), 1] - h0
                j = _first(seg >= up_m)
                if j is not None:
                    rows.append((name, "fc_height", 1000.0 * (t[i + j] - e["t_s"])))
                # fc_move: the toe's horizontal distance from where it was at lift-off (and from its flat-foot
                # position) reaches UP_PX
                p0 = np.array([float(np.interp(e["t_s"], t, toe[:, k])) for k in (0, 2)])
                seg = np.hypot(toe[i:i + int(0.25 * r), 0] - p0[0], toe[i:i + int(0.25 * r), 2] - p0[1])
                j = _first(seg >= up_m)
                if j is not None:
                    rows.append((name, "fc_move", 1000.0 * (t[i + j] - e["t_s"])))
                w = toe[max(0, i - int(0.3 * r)): max(0, i - int(0.2 * r))]
                if len(w) and np.isfinite(w).all():
                    rest = np.median(w[:, [0, 2]], axis=0)
                    k0 = i - int(0.2 * r)
                    d = np.hypot(toe[k0:i + int(0.25 * r), 0] - rest[0], toe[k0:i + int(0.25 * r), 2] - rest[1])
                    j = _first(d >= up_m)
                    if j is not None:
                        rows.append((name, "fc_move_stance", 1000.0 * (t[k0 + j] - e["t_s"])))
    return pd.DataFrame(rows, columns=["file", "criterion", "offset_ms"])


def summary(df: pd.DataFrame) -> pd.DataFrame:
    out = []
    for c, g in df.groupby("criterion", sort=False):
        v = g["offset_ms"].to_numpy(float)
        out.append({"criterion": c, "n": len(v), "files": g["file"].nunique(), "median_ms": float(np.median(v)),
                    "q1_ms": float(np.percentile(v, 25)), "q3_ms": float(np.percentile(v, 75))})
    return pd.DataFrame(out)


def median_offsets_ms(px_per_m: float = OLDER_ADULT_PX_PER_M) -> dict[str, float]:
    s = summary(criterion_offsets(px_per_m))
    return dict(zip(s["criterion"], s["median_ms"]))


#: Where a heel marker sits relative to the sole point under the back of the heel, for the phantom "as a
#: marker would see it" (``--heel``): up along the foot's normal by the lab heel markers' height above the sole
#: (47-49 mm at a height of 1.74 m on treadmill_walk_events.c3d, docs/phantom.md) and back along the foot by
#: the two values given (modelling assumptions: on the back of the heel, 0 or 2 cm behind the point that lands).
MARKER_UP_H = 0.027
MARKER_BACK_H = (0.0, 0.012)


def heel_series(heel_up: np.ndarray, heel_speed: np.ndarray, t: np.ndarray, t_ic: float) -> dict | None:
    """The heel at one contact: ``low_ms`` (its lowest point within +-100 ms, minus the contact time), ``dip_mm``
    (how far it rises from contact to its stance level, the median 100-300 ms after), ``vy_mps`` (vertical
    velocity at contact, + up), ``vx_mps`` (horizontal speed at contact, from ``heel_speed``). ``heel_up`` is
    filtered at the contact cut-off (``cutoff_contact_hz``)."""
    r = 1.0 / float(np.median(np.diff(t)))
    i = int(np.argmin(np.abs(t - t_ic)))
    w = (t >= t_ic - 0.1) & (t <= t_ic + 0.1) & np.isfinite(heel_up)
    rest = heel_up[i + int(0.1 * r): i + int(0.3 * r)]
    if w.sum() < 3 or rest.size == 0 or not np.isfinite(rest).all():
        return None
    h_c = float(np.interp(t_ic, t, heel_up))
    vy = np.gradient(heel_up, t)
    return {"low_ms": 1000.0 * (float(t[w][np.argmin(heel_up[w])]) - t_ic), "dip_mm": 1000.0 * (float(np.median(rest)) - h_c),
            "vy_mps": float(np.interp(t_ic, t, vy)), "vx_mps": float(np.interp(t_ic, t, heel_speed))}


def _heel_rows(label: str, pose, ic: pd.DataFrame) -> list[dict]:
    from gaitscope.knowledge.signal_settings import signal_setting
    from gaitscope.signal import clean

    t = pose.t_s
    r = float(pose.median_rate_hz)
    names = list(pose.names)
    xyz, _ = clean.fill_gaps(pose.xyz.copy(), t, max_gap_s=0.1)
    xyz = clean.lowpass_zero_lag(xyz, rate_hz=r, cutoff_hz=min(signal_setting("cutoff_contact_hz"), 0.4 * r))
    rows = []
    for _, e in ic.iterrows():
        heel = xyz[:, names.index(f"{e['side']}_heel")]
        row = heel_series(heel[:, 1], np.hypot(np.gradient(heel[:, 0], t), np.gradient(heel[:, 2], t)), t, float(e["t_s"]))
        if row is not None:
            rows.append({"file": label, **row})
    return rows


def phantom_as_marker(pose, back_h: float, up_h: float = MARKER_UP_H):
    """The phantom's heel and toe keypoints (points on the sole, docs/phantom.md) moved to where markers sit:
    ``up_h`` x height along the rearfoot's normal, the heel also ``back_h`` x height back along the foot. The
    rearfoot is rigid (heel and toe keypoints lie on it), so this is exact; heel-toe pitch is unchanged."""
    xyz = pose.xyz.copy()
    names = list(pose.names)
    height = float(pose.meta.get("height_m", 1.70))
    for side in ("left", "right"):
        h, to = xyz[:, names.index(f"{side}_heel")], xyz[:, names.index(f"{side}_toe")]
        u = (to - h) / np.linalg.norm(to - h, axis=1, keepdims=True)
        nrm = np.array([0.0, 1.0, 0.0]) - u[:, 1:2] * u
        nrm /= np.linalg.norm(nrm, axis=1, keepdims=True)
        xyz[:, names.index(f"{side}_heel")] = h - back_h * height * u + up_h * height * nrm
        xyz[:, names.index(f"{side}_toe")] = to + up_h * height * nrm
    return pose.with_xyz(xyz)


def heel_at_contact() -> pd.DataFrame:
    """One row per initial contact: the lab heel markers at every force-plate IC (corpus files with a heel
    marker: a virtual heel built from an ankle marker is left out; and walk_subject01.trc), and the phantom's heel
    keypoint at its defined IC, as it is and moved to where a marker sits (:func:`phantom_as_marker`)."""
    from gaitscope.capture.load import load_keypoints
    from gaitscope.phantom import simulate

    rows: list[dict] = []
    for name, rec, plates in plate_recordings():
        stand_in = rec.pose.meta.get("marker_set_choice", {}).get("heel_stand_in", [])
        ic = plates[(plates["event"] == "ic") & ~plates["side"].isin(stand_in)]
        if len(ic):
            rows += _heel_rows(name, rec.pose, ic)
    trc = REPO.parent / "shared" / "data" / "mocap" / "walk_subject01.trc"
    if trc.is_file():
        pose = load_keypoints(trc).pose
        ic = pd.DataFrame([("left", 1.247), ("right", 1.853), ("left", 2.460)], columns=["side", "t_s"])  # force plate
        rows += _heel_rows("walk_subject01.trc", pose, ic)
    for seed in (0, 1, 2):
        walk = simulate(seed=seed, duration_s=8.0)
        ic = walk.events[(walk.events["event"] == "ic") & (walk.events["t_s"] > 0.5) & (walk.events["t_s"] < 7.5)]
        rows += _heel_rows("phantom: heel keypoint (sole under the heel)", walk.pose, ic)
        for b in MARKER_BACK_H:
            rows += _heel_rows(f"phantom: heel as a marker ({MARKER_UP_H:g} H up, {b:g} H back)",
                               phantom_as_marker(walk.pose, b), ic)
    return pd.DataFrame(rows)


def phantom_ic_errors(seeds: tuple[int, ...] = (0, 1, 2)) -> pd.DataFrame:
    """IC mean absolute error and bias (ms) of the shipped speed threshold and the opt-in median of three on the
    3-D phantom, with its keypoints as they are and moved to where markers sit (:func:`phantom_as_marker`)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from accuracy_events import match_events
    from gaitscope.events import FootVelocityEventDetector, detect_events
    from gaitscope.phantom import simulate
    from gaitscope.signal import prepare_walk

    rows = []
    for seed in seeds:
        walk = simulate(seed=seed, duration_s=10.0)
        ref = walk.events[(walk.events["t_s"] > 0.5) & (walk.events["t_s"] < 9.5)][["event", "side", "t_s"]].reset_index(drop=True)
        for label, pose in [("heel and toe keypoints on the sole", walk.pose)] + [
                (f"as markers ({MARKER_UP_H:g} H up, heel {b:g} H back)", phantom_as_marker(walk.pose, b)) for b in MARKER_BACK_H]:
            prep = prepare_walk(pose)
            for method in ("threshold", "median"):
                m = match_events(detect_events(prep, FootVelocityEventDetector(ic_method=method)), ref, tol_s=0.1)
                rows.append({"phantom": label, "ic_method": method, "ic_mae_ms": m["ic_mae_ms"], "ic_bias_ms": m["ic_bias_ms"],
                             "fc_mae_ms": m["fc_mae_ms"]})
    return pd.DataFrame(rows).groupby(["phantom", "ic_method"], sort=False).mean().reset_index()


def print_heel_table(df: pd.DataFrame) -> None:
    print("The heel at initial contact (force plate; the phantom's defined IC), heights filtered at the contact "
          "cut-off; medians per file\n")
    print("| heel of | ICs | lowest point ms after IC | rises after IC mm | vertical velocity at IC m/s | horizontal speed at IC m/s |")
    print("|---|---|---|---|---|---|")
    for name, g in df.groupby("file", sort=False):
        print(f"| {name} | {len(g)} | {g['low_ms'].median():+.0f} | {g['dip_mm'].median():.1f} | "
              f"{g['vy_mps'].median():+.2f} | {g['vx_mps'].median():.2f} |")


#: ``--fc-forward``: fractions of the swing peak tried for the forward-speed final contact
FC_FORWARD_GRID = (0.16, 0.20, 0.24, 0.26, 0.28, 0.30, 0.32, 0.36, 0.40)


def fc_forward_errors(grid: tuple[float, ...] = FC_FORWARD_GRID) -> pd.DataFrame:
    """FC errors (ms, detected - reference) of the forward-speed cue at each fraction of ``grid`` and of the shipped
    full-speed cue, on the lab files through the virtual camera at 30 frames/s (``video_frame_rate.signed_errors``):
    columns ``file``, ``view``, ``err_ms`` (NaN: missed), ``source``, ``detector`` ("full 0.28", "forward 0.24" ...)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import lab_corpus
    from video_frame_rate import signed_errors
    from gaitscope.events import FootVelocityEventDetector

    cases, _ = lab_corpus.load_cases()
    full = FootVelocityEventDetector(fc_forward="never")
    dets = {f"full {full.fc_fraction:.2f}": full}
    dets.update({f"forward {f:.2f}": FootVelocityEventDetector(fc_forward="always", fc_forward_fraction=f) for f in grid})
    df = signed_errors(cases, dets, rates=("30",))
    return df[df["event"] == "fc"].reset_index(drop=True)


def print_fc_forward(df: pd.DataFrame) -> None:
    """Per detector: plate lift-offs (median, IQR), all reference lift-offs (mean bias, mean absolute error, missed),
    then the fraction each leave-one-file-out fold chooses."""
    print("Final contact through the virtual camera at 30 frames/s (lab files, both sides, 3 phases; ms, detected - "
          "reference)\n")
    print("| cue | plate FCs | median | IQR | all FCs | missed | mean bias | mean abs |")
    print("|---|---|---|---|---|---|---|---|")
    for det, g in df.groupby("detector", sort=False):
        pl = g[g["source"] == "force_plate"]["err_ms"].dropna().to_numpy(float)
        e = g["err_ms"]
        print(f"| {det} | {pl.size} | {np.median(pl):+.1f} | {np.percentile(pl, 25):+.1f} .. {np.percentile(pl, 75):+.1f} | "
              f"{e.notna().sum()} | {e.isna().sum()} | {e.mean():+.1f} | {e.abs().mean():.1f} |")
    fwd = df[df["detector"].str.startswith("forward")].assign(abs_ms=lambda d: d["err_ms"].abs().fillna(100.0))
    per = fwd.groupby(["file", "detector"])["abs_ms"].mean().unstack("detector")
    chosen = {f: per.drop(index=f).mean().idxmin() for f in per.index}
    print("\nLeave-one-file-out (the fraction with the smallest mean absolute error per file over the other files): "
          + ", ".join(f"{v} x{n}" for v, n in pd.Series(chosen).value_counts().items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--px-per-m", type=float, default=OLDER_ADULT_PX_PER_M)
    ap.add_argument("--fc-forward", action="store_true",
                    help="also: the forward-speed final contact for video against the plates, at 30 frames/s")
    ap.add_argument("--heel", action="store_true",
                    help="also: the heel marker at force-plate contact against the phantom's heel (docs/phantom.md)")
    args = ap.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"{CORPUS} is not present: nothing to measure", file=sys.stderr)
        return 1
    warnings.simplefilter("ignore")
    if args.fc_forward:
        print_fc_forward(fc_forward_errors())
        print()
    if args.heel:
        print_heel_table(heel_at_contact())
        print("\nThe 3-D phantom's IC (seeds 0-2, 10 s, normal gait) by the shipped speed threshold and the opt-in median\n")
        print("| phantom | ic_method | IC MAE ms | IC bias ms | FC MAE ms |")
        print("|---|---|---|---|---|")
        for _, r in phantom_ic_errors().iterrows():
            print(f"| {r['phantom']} | {r['ic_method']} | {r['ic_mae_ms']:.1f} | {r['ic_bias_ms']:+.1f} | {r['fc_mae_ms']:.1f} |")
        print()
    s = summary(criterion_offsets(args.px_per_m))
    print(f"Eye-reading criteria vs force-plate events, at {args.px_per_m:.0f} px/m "
          f"({DOWN_PX:g} px = {1000 * DOWN_PX / args.px_per_m:.1f} mm, {UP_PX:g} px = {1000 * UP_PX / args.px_per_m:.1f} mm)\n")
    print("| criterion | plate events | files | median offset ms | IQR ms |")
    print("|---|---|---|---|---|")
    for _, r in s.iterrows():
        print(f"| {r['criterion']} | {r['n']} | {r['files']} | {r['median_ms']:+.0f} | {r['q1_ms']:+.0f} .. {r['q3_ms']:+.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

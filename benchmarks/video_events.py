"""Event timing on real video against contacts read by eye (``tests/data/video_contacts_eye.csv``).

    .venv/bin/python benchmarks/video_events.py [--cache DIR] [--force] [--noise-px SIGMA [--draws N]] [--ic-method median]

Runtime: about 35 s the first time on 2 CPU cores (the pose model on both clips, accurate
mode), about 3 s when the cached ``DIR/<clip>/pose.csv`` still matches the video (default
cache: ``/tmp/gaitscope_video_events``; ``--force`` re-runs the model).

For each clip of ``../shared/data/video`` named in the truth table: ``run_pose`` (default accurate
mode) -> ``read_pose_csv`` -> ``prepare_walk(pose, height_m=1.60)`` -> ``detect_events``. Each
detected event's ``t_s`` is turned into a fractional frame number (``np.interp`` over the pose's
``t_s`` / ``frame_index``). Each eye-read contact is matched to the nearest detected event of
the same kind (IC/FC, either side: sides come from alternation, the reading does not name them)
within ``MATCH_TOL_FRAMES``; a detection serves one contact at most. Error = detected - read, in
frames (+ = the detector is late). Detections of a kind inside a read span
(``tests/data/video_contacts_eye_spans.csv``) that match no contact are counted as extra.

Printed (markdown): one row per contact, then per part (clip / pass) and kind: n read,
matched, missed, extra, mean, median, SD and largest absolute error (frames; 1 frame = 33 ms).
How the contacts were read: ``tests/data/README.md``. Results and discussion: ``docs/events.md``,
section "Real video without truth".

The reading's criteria are not force-plate contact ("down" = within 2 px of the resting level comes before
the plate loads; "clearly off" = 4 px up comes after the plate unloads). The second table scores the
same detections against the **plate-equivalent** reading: each read frame shifted by the median offset of
its criterion from force-plate contact, measured on the lab corpus markers at the clip's scale
(``benchmarks/contact_definitions.py``; docs/events.md, "What a contact is").

``--noise-px SIGMA``: how much the plate-equivalent figures depend on the exact keypoints (another machine's
pose model output differs slightly): Gaussian noise of SIGMA px is added to every keypoint's x and y of the
cached pose, the events detected again and scored, ``--draws`` times (seeded); printed per part and kind:
mean error over the draws, its SD and range, and how often contacts were missed.
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
TRUTH_CSV = REPO / "tests" / "data" / "video_contacts_eye.csv"
SPANS_CSV = REPO / "tests" / "data" / "video_contacts_eye_spans.csv"
MATCH_TOL_FRAMES = 5.0
HEIGHT_M = 1.60
DEFAULT_CACHE = Path("/tmp/gaitscope_video_events")
#: the detector's ``ic_method`` (``--ic-method``): "threshold" (shipped) or the opt-in "median" (docs/accuracy.md,
#: "Video initial contact: the median through the camera")
IC_METHOD = "threshold"


def load_truth(truth_csv: Path = TRUTH_CSV, spans_csv: Path = SPANS_CSV) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The eye-read contacts, each with the ``part`` (clip / pass) whose read span holds it.

    Returns ``(truth, spans)``: truth columns ``clip``, ``frame`` (float, may end in .5),
    ``event`` ("ic"/"fc"), ``foot``, ``confidence``, ``note``, ``part``; spans columns ``clip``,
    ``part``, ``event``, ``first_frame``, ``last_frame`` (inclusive), ``note``.
    """
    truth = pd.read_csv(truth_csv)
    spans = pd.read_csv(spans_csv)
    parts = []
    for _, r in truth.iterrows():
        hit = spans[(spans["clip"] == r["clip"]) & (spans["event"] == r["event"])
                    & (spans["first_frame"] <= r["frame"]) & (r["frame"] <= spans["last_frame"])]
        if len(hit) != 1:
            raise ValueError(f"{truth_csv.name}: contact {r['clip']} {r['event']} {r['frame']} "
                             f"lies in {len(hit)} read spans of {spans_csv.name}, expected 1")
        parts.append(hit["part"].iloc[0])
    return truth.assign(part=parts), spans


def detected_events(pose_csv: Path, *, height_m: float = HEIGHT_M, noise_px: float = 0.0,
                    rng: np.random.Generator | None = None) -> pd.DataFrame:
    """``detect_events`` of a pose CSV, with ``frame_f``: the event time as a fractional frame.
    ``noise_px`` > 0: Gaussian noise (SD in px, from ``rng``) added to every keypoint's x and y first."""
    from gaitscope.capture.pose_csv import read_pose_csv
    from gaitscope.events import FootVelocityEventDetector, detect_events
    from gaitscope.signal import prepare_walk

    pose = read_pose_csv(pose_csv)
    if noise_px > 0:
        xyz = pose.xyz.copy()
        xyz[:, :, :2] += (rng or np.random.default_rng(0)).normal(0.0, noise_px, xyz[:, :, :2].shape)
        pose = pose.with_xyz(xyz, score=pose.score)
    ev = detect_events(prepare_walk(pose, height_m=height_m), FootVelocityEventDetector(ic_method=IC_METHOD)).copy()
    ev["frame_f"] = np.interp(ev["t_s"].to_numpy(), pose.t_s, pose.frame_index.astype(float))
    return ev


def match_contacts(truth: pd.DataFrame, found: pd.DataFrame, spans: pd.DataFrame, *,
                   tol_frames: float = MATCH_TOL_FRAMES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Match the contacts of one clip with its detected events.

    Returns ``(rows, extras)``: ``rows`` = ``truth`` plus ``detected_frame`` (NaN if missed),
    ``side`` (the detector's) and ``error_frames`` (detected - read); ``extras`` = detected
    events inside a read span of their kind that match no contact (with the span's ``part``).
    Contacts are matched in order of their distance to the nearest candidate, so a detection
    goes to the contact it is closest to.
    """
    rows = truth.copy()
    rows["detected_frame"] = np.nan
    rows["side"] = ""
    used: set[int] = set()
    pairs = []
    for i, r in truth.iterrows():
        cand = found[found["event"] == r["event"]]
        for j, c in cand.iterrows():
            d = abs(float(c["frame_f"]) - float(r["frame"]))
            if d <= tol_frames:
                pairs.append((d, i, j))
    done: set = set()
    for d, i, j in sorted(pairs):
        if i in done or j in used:
            continue
        done.add(i)
        used.add(j)
        rows.loc[i, "detected_frame"] = float(found.loc[j, "frame_f"])
        rows.loc[i, "side"] = found.loc[j, "side"]
    rows["error_frames"] = rows["detected_frame"] - rows["frame"]
    extra = []
    for j, c in found.iterrows():
        if j in used:
            continue
        hit = spans[(spans["event"] == c["event"]) & (spans["first_frame"] <= c["frame_f"])
                    & (c["frame_f"] <= spans["last_frame"])]
        if len(hit):
            extra.append({"part": hit["part"].iloc[0], "event": c["event"],
                          "detected_frame": float(c["frame_f"]), "side": c["side"]})
    return rows, pd.DataFrame(extra, columns=["part", "event", "detected_frame", "side"])


def summarize(rows: pd.DataFrame, extras: pd.DataFrame) -> pd.DataFrame:
    """Per ``part`` and ``event``: n, matched, missed, extra, mean/median/SD/max |error| (frames)."""
    out = []
    for (part, kind), g in rows.groupby(["part", "event"], sort=False):
        e = g["error_frames"].dropna().to_numpy()
        n_extra = int(((extras["part"] == part) & (extras["event"] == kind)).sum()) if len(extras) else 0
        out.append({
            "part": part, "event": kind, "n": len(g), "matched": len(e), "missed": len(g) - len(e),
            "extra": n_extra,
            "mean": float(np.mean(e)) if len(e) else np.nan,
            "median": float(np.median(e)) if len(e) else np.nan,
            "sd": float(np.std(e, ddof=1)) if len(e) > 1 else np.nan,
            "max_abs": float(np.max(np.abs(e))) if len(e) else np.nan,
        })
    return pd.DataFrame(out)


def phase_durations(rows: pd.DataFrame) -> pd.DataFrame:
    """Double support and stance of each step, from the read and from the detected contacts.

    Within each ``part`` the contacts are taken in time order; where they alternate IC, FC,
    IC, FC ... : double support = IC to the next FC (the other foot leaves), stance = IC to the
    second FC after it (the same foot leaves). Only steps whose contacts are all matched.
    Columns ``part``, ``phase`` ("double_support"/"stance"), ``ic_read``, ``read_frames``,
    ``detected_frames``, ``error_frames`` (detected - read).
    """
    out = []
    for part, g in rows.groupby("part", sort=False):
        g = g.sort_values("frame").reset_index(drop=True)
        for i in range(len(g)):
            if g.loc[i, "event"] != "ic":
                continue
            for phase, k in (("double_support", 1), ("stance", 3)):
                seq = g.iloc[i:i + k + 1]
                if len(seq) < k + 1 or list(seq["event"]) != ["ic", "fc", "ic", "fc"][:k + 1]:
                    continue
                if seq["detected_frame"].isna().any():
                    continue
                read = float(seq["frame"].iloc[-1] - seq["frame"].iloc[0])
                det = float(seq["detected_frame"].iloc[-1] - seq["detected_frame"].iloc[0])
                out.append({"part": part, "phase": phase, "ic_read": float(g.loc[i, "frame"]),
                            "read_frames": read, "detected_frames": det, "error_frames": det - read})
    return pd.DataFrame(out, columns=["part", "phase", "ic_read", "read_frames", "detected_frames",
                                      "error_frames"])


def score_clip(clip: str, pose_csv: Path, truth: pd.DataFrame, spans: pd.DataFrame, *, noise_px: float = 0.0,
               rng: np.random.Generator | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``match_contacts`` for one clip (by its stem) given its pose CSV (``noise_px``: see
    :func:`detected_events`)."""
    found = detected_events(pose_csv, noise_px=noise_px, rng=rng)
    return match_contacts(truth[truth["clip"] == clip], found, spans[spans["clip"] == clip])


def score_clips(pose_csv: dict[str, Path], truth: pd.DataFrame, spans: pd.DataFrame, *, noise_px: float = 0.0,
                rng: np.random.Generator | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`score_clip` for every clip of ``pose_csv`` (clip stem -> pose CSV): all matched rows and all extras."""
    scored = [score_clip(clip, p, truth, spans, noise_px=noise_px, rng=rng) for clip, p in pose_csv.items()]
    return pd.concat([r for r, _ in scored]), pd.concat([x for _, x in scored])


#: which eye-reading criterion (benchmarks/contact_definitions.py) each clip's contacts were read with
CRITERION = {("walk_outdoor_two_people", "ic"): "ic_stop", ("walk_outdoor_two_people", "fc"): "fc_move"}


def clip_px_per_m(pose_csv: Path, height_m: float = HEIGHT_M) -> float:
    """The walker's pixels per metre: the standing height estimated from the leg (signal stage) / ``height_m``."""
    from gaitscope.capture.pose_csv import read_pose_csv
    from gaitscope.signal import estimate_height

    pose = read_pose_csv(pose_csv)
    return float(estimate_height(pose.xyz[:, :, :2], pose.names)[0]) / height_m


def plate_equivalent(truth: pd.DataFrame, px_per_m: dict[str, float], fps: float = 30.0) -> pd.DataFrame:
    """The read contacts moved to force-plate contact: ``frame`` minus the median offset (ms) of the criterion
    the contact was read with, measured on the corpus markers at the clip's scale. Adds ``criterion`` and
    ``shift_frames`` and keeps the read frame as ``frame_read``."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from contact_definitions import median_offsets_ms

    out = truth.copy()
    out["frame_read"] = out["frame"]
    offsets = {clip: median_offsets_ms(ppm) for clip, ppm in px_per_m.items()}
    crit = [CRITERION.get((r["clip"], r["event"]), f"{r['event']}_height") for _, r in out.iterrows()]
    shift = [offsets[r["clip"]][c] * fps / 1000.0 for c, (_, r) in zip(crit, out.iterrows())]
    out["criterion"] = crit
    out["shift_frames"] = shift
    out["frame"] = out["frame_read"] - out["shift_frames"]
    return out


def _fmt(x: float, nd: int = 2) -> str:
    return "-" if not np.isfinite(x) else f"{x:+.{nd}f}"


def print_summary(summ: pd.DataFrame) -> None:
    """The per-part, per-kind table of :func:`summarize` as Markdown (frames; + = detector late)."""
    print("| part | kind | read | matched | missed | extra | mean | median | SD | max abs |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for _, s in summ.iterrows():
        sd = "-" if not np.isfinite(s["sd"]) else f"{s['sd']:.2f}"
        mx = "-" if not np.isfinite(s["max_abs"]) else f"{s['max_abs']:.2f}"
        print(f"| {s['part']} | {s['event'].upper()} | {s['n']} | {s['matched']} | {s['missed']} | "
              f"{s['extra']} | {_fmt(s['mean'])} | {_fmt(s['median'])} | {sd} | {mx} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="folder for <clip>/pose.csv")
    ap.add_argument("--force", action="store_true", help="re-run the pose model")
    ap.add_argument("--noise-px", type=float, default=0.0,
                    help="also score with Gaussian keypoint noise of this SD (px) added, --draws times")
    ap.add_argument("--draws", type=int, default=12, help="noise draws (with --noise-px)")
    ap.add_argument("--ic-method", choices=("threshold", "median"), default="threshold",
                    help="the detector's ic_method: threshold (shipped) or the opt-in median of three")
    args = ap.parse_args(argv)
    global IC_METHOD
    IC_METHOD = args.ic_method
    if not SHARED.is_dir():
        print("../shared/data not present: nothing to measure", file=sys.stderr)
        return 1
    from gaitscope.pose.run import run_pose

    t0 = time.perf_counter()
    truth, spans = load_truth()
    pose_csv = {}
    for clip in dict.fromkeys(truth["clip"]):
        out_dir = args.cache / clip
        run_pose(SHARED / "video" / f"{clip}.mp4", out_dir=out_dir, progress=False, force=args.force)
        pose_csv[clip] = out_dir / "pose.csv"
    rows, extras = score_clips(pose_csv, truth, spans)
    print("## Contacts read by eye vs detected (frames at 30 fps; error = detected - read)\n")
    print("| part | read | kind | confidence | detected | side | error |")
    print("|---|---:|---|---|---:|---|---:|")
    for _, r in rows.iterrows():
        det = "missed" if not np.isfinite(r["detected_frame"]) else f"{r['detected_frame']:.2f}"
        print(f"| {r['part']} | {r['frame']:g} | {r['event'].upper()} | {r['confidence']} | {det} | "
              f"{r['side'] or '-'} | {_fmt(r['error_frames'])} |")
    for _, x in extras.iterrows():
        print(f"| {x['part']} | - | {x['event'].upper()} | extra | {x['detected_frame']:.2f} | {x['side']} | - |")
    summ = summarize(rows, extras)
    print("\n## Summary per part and kind (frames; + = detector late)\n")
    print_summary(summ)
    ph = phase_durations(rows)
    if len(ph):
        print("\n## Double support and stance per step (frames; from the contacts above)\n")
        print("| part | phase | steps | read mean | detected mean | error mean | error range |")
        print("|---|---|---:|---:|---:|---:|---|")
        for (part, phase), g in ph.groupby(["part", "phase"], sort=False):
            e = g["error_frames"]
            print(f"| {part} | {phase.replace('_', ' ')} | {len(g)} | {g['read_frames'].mean():.2f} | "
                  f"{g['detected_frames'].mean():.2f} | {e.mean():+.2f} | {e.min():+.2f} .. {e.max():+.2f} |")
    ppm = {clip: clip_px_per_m(p) for clip, p in pose_csv.items()}
    pe = plate_equivalent(truth, ppm)
    pe_summ = summarize(*score_clips(pose_csv, pe, spans))
    shifts = pe.groupby(["clip", "criterion"])["shift_frames"].first()
    print("\n## Against the plate-equivalent reading (read frame minus the criterion's median offset from "
          "force-plate contact, benchmarks/contact_definitions.py)\n")
    print("Scale (px per m, walker height assumed 1.60 m): " + ", ".join(f"{c} {v:.0f}" for c, v in ppm.items()))
    print("Shifts (frames, + = the reading is after the plate event): " +
          ", ".join(f"{c} {k} {v:+.2f}" for (c, k), v in shifts.items()) + "\n")
    print_summary(pe_summ)
    if args.noise_px > 0:
        rng = np.random.default_rng(0)
        draws = [summarize(*score_clips(pose_csv, pe, spans, noise_px=args.noise_px, rng=rng))
                 for _ in range(args.draws)]
        allx = pd.concat(draws)
        print(f"\n## Plate-equivalent reading with {args.noise_px:g} px keypoint noise ({args.draws} draws)\n")
        print("| part | kind | mean of means | SD | range | draws with a miss | extra (all draws) |")
        print("|---|---|---:|---:|---|---:|---:|")
        for (part, kind), g in allx.groupby(["part", "event"], sort=False):
            m = g["mean"]
            print(f"| {part} | {kind.upper()} | {m.mean():+.2f} | {m.std(ddof=1):.2f} | {m.min():+.2f} .. "
                  f"{m.max():+.2f} | {int((g['missed'] > 0).sum())} | {int(g['extra'].sum())} |")
    print(f"\n{len(rows)} contacts read, {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
